/**
 * Secret values at rest. Every `data` value of a Secret is sealed with AES-256-GCM before it
 * enters the log, under a 32-byte key kept in `<dataDir>/secret.key` (kube-apiserver's aesgcm
 * encryption-at-rest, minus key rotation). A value without the `enc:v1:` prefix was written in
 * clear before sealing existed; it is read as it is.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import path from 'node:path';
import { reject, type Rejection } from '../actors/rejection';
import { createFileOnce } from './api/pki';

/** Any object, e.g. a KubeObject; only `data` and `stringData` are read, the rest passes through. */
export type SecretLike = Readonly<Record<string, unknown>>;

export type SecretBox = Readonly<{
  /**
   * base64 plaintext → `enc:v1:<base64(iv | tag | ciphertext)>`, with a fresh random IV — unless
   * `stored` (the value already in the log) holds the same plaintext: then `stored` itself, so a
   * write that changes nothing stays a no-op instead of a new ciphertext.
   */
  seal(plainBase64: string, stored?: string): string;
  /** The base64 plaintext of a sealed value; a clear value comes back unchanged. */
  open(value: string): string;
  /**
   * Folds `stringData` into `data` (stringData wins) and drops it, as kube-apiserver does; seals
   * `data`, keeping the stored ciphertext of every value that did not change.
   */
  sealSecret<T extends SecretLike>(secret: T, stored?: Readonly<Record<string, string>>): Omit<T, 'stringData'>;
  openSecret<T extends SecretLike>(secret: T): T;
}>;

const PREFIX = 'enc:v1:';
const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;

export async function loadSecretBox(dataDir: string): Promise<SecretBox> {
  const file = path.join(dataDir, 'secret.key');
  const key = await createFileOnce(file, randomBytes(KEY_BYTES), 0o600);
  if (key.length !== KEY_BYTES) {
    throw new Error(`${file} must hold exactly ${KEY_BYTES} bytes but holds ${key.length}: restore the original key file (Secrets sealed with it cannot be read without it)`);
  }
  return secretBox(key);
}

/** Pure over `key`: no I/O, inputs are never mutated. */
export function secretBox(key: Buffer): SecretBox {
  const ownKey = Buffer.from(key); // the caller's buffer may be reused or zeroed later
  const open = (value: string, label: string): string =>
    value.startsWith(PREFIX) ? decrypt(ownKey, value.slice(PREFIX.length), label).toString('base64') : value;
  const sealOne = (plain: Buffer, stored: string | undefined, label: string): string =>
    stored !== undefined && open(stored, label) === plain.toString('base64') ? stored : encrypt(ownKey, plain);
  return {
    seal: (plainBase64, stored) => sealOne(decodeBase64(plainBase64, 'value'), stored, 'value'),
    open: (value) => open(value, 'value'),
    sealSecret: (secret, stored) => {
      const { stringData: _, ...rest } = secret;
      const data = stringMap(secret, 'data');
      const stringData = stringMap(secret, 'stringData');
      if (data === undefined && stringData === undefined) return rest;
      const plain = {
        ...mapValues(data ?? {}, (v, k) => decodeBase64(v, field('data', k))),
        ...mapValues(stringData ?? {}, (s) => Buffer.from(s, 'utf8')),
      };
      return { ...rest, data: mapValues(plain, (bytes, k) => sealOne(bytes, stored?.[k], field('data', k))) };
    },
    openSecret: (secret) => {
      const data = stringMap(secret, 'data');
      return data === undefined ? secret : { ...secret, data: mapValues(data, (v, k) => open(v, field('data', k))) };
    },
  };
}

function encrypt(key: Buffer, plain: Buffer): string {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
  const ciphertext = Buffer.concat([cipher.update(plain), cipher.final()]);
  return PREFIX + Buffer.concat([iv, cipher.getAuthTag(), ciphertext]).toString('base64');
}

function decrypt(key: Buffer, payload: string, label: string): Buffer {
  const box = Buffer.from(payload, 'base64');
  try {
    if (box.length < IV_BYTES + TAG_BYTES) throw new Error(`${box.length} bytes is shorter than IV and tag`);
    const decipher = createDecipheriv('aes-256-gcm', key, box.subarray(0, IV_BYTES), { authTagLength: TAG_BYTES });
    decipher.setAuthTag(box.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
    return Buffer.concat([decipher.update(box.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]);
  } catch (cause) {
    throw new Error(`cannot decrypt Secret ${label}: it is corrupted, or was sealed with a different secret.key`, { cause });
  }
}

/** Strict (padded, standard alphabet), as Go decodes `[]byte` fields: Buffer.from would silently drop junk. */
function decodeBase64(value: string, label: string): Buffer {
  if (!/^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(value)) throw undecodable(`illegal base64 data in ${label}`);
  return Buffer.from(value, 'base64');
}

/** `data` / `stringData` arrive from clients unchecked: each must be absent, null, or a map of strings. */
function stringMap(secret: SecretLike, name: 'data' | 'stringData'): Readonly<Record<string, string>> | undefined {
  const value = secret[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'object' || Array.isArray(value)) throw undecodable(`${name} must be a map of strings`);
  const bad = Object.entries(value).find(([, v]) => typeof v !== 'string');
  if (bad) throw undecodable(`${field(name, bad[0])} must be a string`);
  return value as Readonly<Record<string, string>>;
}

function undecodable(why: string): Rejection {
  return reject.badRequest(`Secret in version "v1" cannot be handled as a Secret: ${why}`);
}

function field(name: string, key: string): string {
  return `${name}[${JSON.stringify(key)}]`;
}

function mapValues<A, B>(record: Readonly<Record<string, A>>, fn: (value: A, key: string) => B): Record<string, B> {
  return Object.fromEntries(Object.entries(record).map(([k, v]) => [k, fn(v, k)]));
}
