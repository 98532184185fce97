import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { KubeObject } from '../../actors/kinds/types';
import { Rejection } from '../../actors/rejection';
import { loadSecretBox, secretBox } from '../../gateways/secret-box';

const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');
const box = secretBox(randomBytes(32));

/** Flips one byte of the sealed payload, keeping the envelope well-formed. */
function tamper(sealed: string, at: number): string {
  const payload = Buffer.from(sealed.slice('enc:v1:'.length), 'base64');
  payload[at] = (payload[at] ?? 0) ^ 0x01;
  return `enc:v1:${payload.toString('base64')}`;
}

describe('secret-box: seal / open', () => {
  it('round-trips, including empty and binary values', () => {
    for (const plain of [b64('s3cr3t'), '', randomBytes(100).toString('base64')]) {
      const sealed = box.seal(plain);
      expect(sealed).toMatch(/^enc:v1:[A-Za-z0-9+/]+=*$/);
      expect(box.open(sealed)).toBe(plain);
    }
  });

  it('uses a fresh IV each time, so equal values do not look equal', () => {
    expect(box.seal(b64('same'))).not.toBe(box.seal(b64('same')));
  });

  it('lays out iv(12) | tag(16) | ciphertext', () => {
    const payload = Buffer.from(box.seal(b64('12345')).slice('enc:v1:'.length), 'base64');
    expect(payload.length).toBe(12 + 16 + 5);
  });

  it('returns a clear (pre-sealing) value unchanged', () => {
    expect(box.open(b64('legacy'))).toBe(b64('legacy'));
  });

  it('detects tampering in IV, tag or ciphertext, and a different key', () => {
    const sealed = box.seal(b64('s3cr3t'));
    for (const at of [0, 12, 28]) expect(() => box.open(tamper(sealed, at))).toThrow(/cannot decrypt Secret value/);
    expect(() => box.open('enc:v1:AAAA')).toThrow(/cannot decrypt Secret value/);
    expect(() => secretBox(randomBytes(32)).open(sealed)).toThrow(/different secret.key/);
  });

  it('refuses input that is not strict base64, as a 400 Rejection', () => {
    for (const bad of ['not base64!', 'abc', 'YWJj\n']) {
      expect(() => box.seal(bad)).toThrow(Rejection);
    }
  });
});

describe('secret-box: sealSecret / openSecret', () => {
  const secret: Readonly<KubeObject> = Object.freeze({
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: Object.freeze({ name: 'db', namespace: 'default' }),
    type: 'Opaque',
    data: Object.freeze({ user: b64('admin'), password: b64('old') }),
    stringData: Object.freeze({ password: 'new', host: 'db.local' }),
  });

  it('folds stringData into data (stringData wins), drops it, seals every value, and mutates nothing', () => {
    const sealed = box.sealSecret(secret);
    const data = sealed['data'] as Record<string, string>;
    expect(sealed).not.toHaveProperty('stringData');
    expect(Object.keys(data).sort()).toEqual(['host', 'password', 'user']);
    expect(Object.values(data).every((v) => v.startsWith('enc:v1:'))).toBe(true);
    expect(sealed.metadata).toBe(secret.metadata);
    expect(box.openSecret(sealed)).toEqual({
      apiVersion: 'v1', kind: 'Secret', metadata: { name: 'db', namespace: 'default' }, type: 'Opaque',
      data: { user: b64('admin'), password: b64('new'), host: b64('db.local') },
    });
    expect(secret['stringData']).toEqual({ password: 'new', host: 'db.local' });
  });

  it('leaves a Secret without data or stringData as it is', () => {
    expect(box.sealSecret({ kind: 'Secret' })).toEqual({ kind: 'Secret' });
    expect(box.openSecret({ kind: 'Secret' })).toEqual({ kind: 'Secret' });
  });

  it('opens a mix of sealed and clear values', () => {
    const stored = { data: { a: box.seal(b64('x')), b: b64('clear') } };
    expect(box.openSecret(stored)).toEqual({ data: { a: b64('x'), b: b64('clear') } });
  });

  it('names the data key that cannot be decrypted', () => {
    const stored = box.sealSecret({ data: { ok: b64('x'), broken: b64('y') } });
    const corrupted = { data: { ok: stored.data.ok, broken: tamper(stored.data.broken, 28) } };
    expect(() => box.openSecret(corrupted)).toThrow('cannot decrypt Secret data["broken"]');
  });

  it('rejects client input that is not a map of base64 strings with 400, naming the key', () => {
    const rejected = (secret: Record<string, unknown>) => {
      try {
        box.sealSecret(secret);
      } catch (e) {
        return e instanceof Rejection ? `${e.status.code} ${e.status.message}` : e;
      }
      return 'accepted';
    };
    const prefix = '400 Secret in version "v1" cannot be handled as a Secret: ';
    expect(rejected({ data: { weird: '%%%' } })).toBe(`${prefix}illegal base64 data in data["weird"]`);
    expect(rejected({ data: { n: 1 } })).toBe(`${prefix}data["n"] must be a string`);
    expect(rejected({ stringData: ['a'] })).toBe(`${prefix}stringData must be a map of strings`);
    expect(rejected({ data: null, stringData: { a: 'b' } })).toBe('accepted');
  });
});

describe('secret-box: key file', () => {
  let dataDir: string;
  beforeEach(async () => { dataDir = await mkdtemp(path.join(tmpdir(), 'skiff-secret-box-')); });
  afterEach(() => rm(dataDir, { recursive: true, force: true }));

  it('is created at first start (32 random bytes, mode 0600) and reused later', async () => {
    const sealed = (await loadSecretBox(dataDir)).seal(b64('kept'));
    const file = path.join(dataDir, 'secret.key');
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect((await readFile(file)).length).toBe(32);
    expect((await loadSecretBox(dataDir)).open(sealed)).toBe(b64('kept'));
  });

  it('refuses a key file of the wrong size', async () => {
    await writeFile(path.join(dataDir, 'secret.key'), randomBytes(16));
    await expect(loadSecretBox(dataDir)).rejects.toThrow(/secret\.key must hold exactly 32 bytes but holds 16/);
  });

  it('agrees on one key when two loaders race at first start', async () => {
    const [a, b] = await Promise.all([loadSecretBox(dataDir), loadSecretBox(dataDir)]);
    expect(b.open(a.seal(b64('race')))).toBe(b64('race'));
  });
});
