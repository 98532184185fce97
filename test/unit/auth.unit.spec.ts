import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Rejection } from '../../actors/rejection';
import {
  constantTimeEqual, forbidden, loadAuthenticator, mastersOnly, parseTokenFile,
  type Authenticator, type UserInfo,
} from '../../gateways/api/auth';
import { ensurePki, issueClientCert, type KeyPair, type Pki } from '../../gateways/api/pki';

let dataDir: string;
beforeEach(async () => { dataDir = await mkdtemp(path.join(tmpdir(), 'skiff-auth-')); });
afterEach(() => rm(dataDir, { recursive: true, force: true }));

const tokensFile = () => path.join(dataDir, 'tokens.csv');

describe('auth: token file', () => {
  it('is created at first start, mode 0600, with a random 32-byte hex token for admin in system:masters', async () => {
    const auth = await loadAuthenticator(dataDir);
    expect((await stat(tokensFile())).mode & 0o777).toBe(0o600);
    expect(auth.adminToken()).toMatch(/^[0-9a-f]{64}$/);
    const [row] = parseTokenFile(await readFile(tokensFile(), 'utf8'), 'tokens.csv');
    expect(row?.token).toBe(auth.adminToken());
    expect(row?.user).toMatchObject({ username: 'admin', groups: ['system:masters'] });
  });

  it('is reused at a later start', async () => {
    const first = (await loadAuthenticator(dataDir)).adminToken();
    expect((await loadAuthenticator(dataDir)).adminToken()).toBe(first);
  });

  it('parses kube-apiserver rows: quoted groups, optional groups, "" escapes, blank lines, empty tokens skipped', () => {
    const text = [
      't1,alice,u1,"dev,ops"',
      '',
      ' t2 , bob , u2',
      't3,"carol ""c""",u3,solo',
      ',nobody,u4',
    ].join('\r\n');
    expect(parseTokenFile(text, 'f')).toEqual([
      { token: 't1', user: { username: 'alice', uid: 'u1', groups: ['dev', 'ops'] } },
      { token: 't2', user: { username: 'bob', uid: 'u2', groups: [] } },
      { token: 't3', user: { username: 'carol "c"', uid: 'u3', groups: ['solo'] } },
    ]);
  });

  it('names file and line of a malformed row', () => {
    expect(() => parseTokenFile('t1,alice,u1\nt2,bob\n', 'tokens.csv')).toThrow('tokens.csv:2: want token,user,uid[,"group1,group2"]');
    expect(() => parseTokenFile('t1,alice,u1,"dev\n', 'tokens.csv')).toThrow('tokens.csv:1: unterminated quoted field');
  });

  it('has no admin token to give when the admin row was removed', async () => {
    await writeFile(tokensFile(), 't1,alice,u1\n');
    const auth = await loadAuthenticator(dataDir); // authenticating others still works
    expect(() => auth.adminToken()).toThrow(/no row for user "admin"/);
  });
});

describe('auth: constantTimeEqual', () => {
  it('compares by content, including strings of different lengths', () => {
    expect(constantTimeEqual('secret', 'secret')).toBe(true);
    expect(constantTimeEqual('secret', 'secreT')).toBe(false);
    expect(constantTimeEqual('secret', 'secret-and-more')).toBe(false);
    expect(constantTimeEqual('', '')).toBe(true);
  });
});

describe('auth: authenticate over a real TLS connection', () => {
  let pki: Pki;
  let auth: Authenticator;
  let server: https.Server;
  let port: number;

  beforeEach(async () => {
    pki = await ensurePki(dataDir);
    await writeFile(tokensFile(), 'admintoken,admin,u-admin,"system:masters"\nbobtoken,bob,u-bob,"dev,ops"\n');
    auth = await loadAuthenticator(dataDir);
    // As the API server will: ask for a client cert, but let token-only clients in.
    server = https.createServer(
      { cert: pki.serverCertPem, key: pki.serverKeyPem, ca: pki.caCertPem, requestCert: true, rejectUnauthorized: false },
      (req, res) => res.end(JSON.stringify(auth.authenticate(req) ?? null)),
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterEach(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const whoAmI = (opts: { authorization?: string; client?: KeyPair }): Promise<UserInfo | null> =>
    new Promise((resolve, reject) => {
      const headers = opts.authorization ? { authorization: opts.authorization } : {};
      https.get({ host: '127.0.0.1', port, ca: pki.caCertPem, cert: opts.client?.certPem, key: opts.client?.keyPem, headers, agent: false }, (res) => {
        let body = '';
        res.on('data', (chunk: Buffer) => { body += chunk.toString(); });
        res.on('end', () => resolve(JSON.parse(body) as UserInfo | null));
      }).on('error', reject);
    });

  it('bearer token → its user, plus system:authenticated', async () => {
    expect(await whoAmI({ authorization: 'Bearer bobtoken' })).toEqual({ username: 'bob', uid: 'u-bob', groups: ['dev', 'ops', 'system:authenticated'] });
    expect(await whoAmI({ authorization: 'bearer admintoken' })).toEqual({ username: 'admin', uid: 'u-admin', groups: ['system:masters', 'system:authenticated'] });
  });

  it('unknown token, other scheme, or no credentials → nobody', async () => {
    expect(await whoAmI({ authorization: 'Bearer bobtoken2' })).toBeNull();
    expect(await whoAmI({ authorization: 'Basic Ym9iOmJvYnRva2Vu' })).toBeNull();
    expect(await whoAmI({ authorization: 'Bearer' })).toBeNull();
    expect(await whoAmI({})).toBeNull();
  });

  it('client cert signed by the cluster CA → CN as user, O as groups', async () => {
    const client = await issueClientCert(pki, { user: 'alice', groups: ['dev', 'ops'] });
    expect(await whoAmI({ client })).toEqual({ username: 'alice', uid: '', groups: ['dev', 'ops', 'system:authenticated'] });
    const single = await issueClientCert(pki, { user: 'carol', groups: ['qa'] });
    expect(await whoAmI({ client: single })).toEqual({ username: 'carol', uid: '', groups: ['qa', 'system:authenticated'] });
  });

  it('client cert from another CA → nobody', async () => {
    const otherDir = await mkdtemp(path.join(tmpdir(), 'skiff-auth-other-'));
    try {
      const stranger = await issueClientCert(await ensurePki(otherDir), { user: 'admin', groups: ['system:masters'] });
      expect(await whoAmI({ client: stranger })).toBeNull();
    } finally {
      await rm(otherDir, { recursive: true, force: true });
    }
  });

  it('a serverAuth-only cert of the cluster CA is not a client credential', async () => {
    expect(await whoAmI({ client: { certPem: pki.serverCertPem, keyPem: pki.serverKeyPem } })).toBeNull();
  });
});

describe('auth: mastersOnly authorizer', () => {
  const master: UserInfo = { username: 'admin', uid: '', groups: ['system:masters', 'system:authenticated'] };
  const bob: UserInfo = { username: 'bob', uid: '', groups: ['dev', 'system:authenticated'] };

  it('allows members of system:masters everything', () => {
    expect(mastersOnly.authorize(master, { verb: 'delete', group: '', resource: 'nodes', name: 'n1' })).toEqual({ allowed: true });
  });

  it('denies everyone else, saying why', () => {
    const decision = mastersOnly.authorize(bob, { verb: 'list', group: '', resource: 'pods', namespace: 'default' });
    expect(decision.allowed).toBe(false);
    expect(decision.reason).toContain('system:masters');
  });
});

describe('auth: forbidden', () => {
  const bob: UserInfo = { username: 'bob', uid: '', groups: ['system:authenticated'] };

  it('builds kube-apiserver\'s 403 Status for a namespaced list', () => {
    const r = forbidden(bob, { verb: 'list', group: '', resource: 'pods', namespace: 'default' }, { allowed: false });
    expect(r).toBeInstanceOf(Rejection);
    expect(r.status).toEqual({
      kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', reason: 'Forbidden', code: 403,
      message: 'pods is forbidden: User "bob" cannot list resource "pods" in API group "" in the namespace "default"',
      details: { group: '', kind: 'pods' },
    });
  });

  it('names the object and subresource, and appends the authorizer\'s reason', () => {
    const r = forbidden(bob, { verb: 'get', group: 'apps', resource: 'deployments', subresource: 'scale', namespace: 'web', name: 'api' }, { allowed: false, reason: 'no RBAC' });
    expect(r.status.message).toBe('deployments.apps "api" is forbidden: User "bob" cannot get resource "deployments/scale" in API group "apps" in the namespace "web": no RBAC');
    expect(r.status.details).toEqual({ group: 'apps', kind: 'deployments', name: 'api' });
  });

  it('says "at the cluster scope" for cluster-scoped resources', () => {
    expect(forbidden(bob, { verb: 'create', group: '', resource: 'namespaces' }, { allowed: false }).status.message)
      .toBe('namespaces is forbidden: User "bob" cannot create resource "namespaces" in API group "" at the cluster scope');
  });
});
