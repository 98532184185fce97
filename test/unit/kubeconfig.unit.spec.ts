import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import YAML from 'yaml';
import { loadAuthenticator } from '../../gateways/api/auth';
import { readKubeconfig, writeKubeconfig } from '../../gateways/api/kubeconfig';
import { ensurePki } from '../../gateways/api/pki';

const run = promisify(execFile);
const KUBECTL = '/usr/bin/kubectl';
const CA = '-----BEGIN CERTIFICATE-----\nMIIBfake\n-----END CERTIFICATE-----\n';

let dataDir: string;
beforeEach(async () => { dataDir = await mkdtemp(path.join(tmpdir(), 'skiff-kubeconfig-')); });
afterEach(() => rm(dataDir, { recursive: true, force: true }));

/** kubectl caches discovery and /version under HOME; keep it inside the temp dir. */
const kubectl = (kubeconfig: string, args: readonly string[]) =>
  run(KUBECTL, ['--kubeconfig', kubeconfig, ...args], { env: { PATH: process.env['PATH'] ?? '', HOME: dataDir }, timeout: 30_000 });

describe('kubeconfig: writeKubeconfig', () => {
  it('writes <dataDir>/kubeconfig, mode 0600, with cluster, user and context skiff/admin/skiff', async () => {
    const file = await writeKubeconfig(dataDir, { server: 'https://127.0.0.1:6443', caCertPem: CA, token: 'tok' });
    expect(file).toBe(path.join(dataDir, 'kubeconfig'));
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(YAML.parse(await readFile(file, 'utf8'))).toEqual({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'skiff', cluster: { server: 'https://127.0.0.1:6443', 'certificate-authority-data': Buffer.from(CA).toString('base64') } }],
      users: [{ name: 'admin', user: { token: 'tok' } }],
      contexts: [{ name: 'skiff', context: { cluster: 'skiff', user: 'admin', namespace: 'default' } }],
      'current-context': 'skiff',
      preferences: {},
    });
  });

  it('round-trips through readKubeconfig', async () => {
    const file = await writeKubeconfig(dataDir, { server: 'https://127.0.0.1:6443', caCertPem: CA, token: 'tok' });
    expect(await readKubeconfig(file)).toEqual({
      server: 'https://127.0.0.1:6443', caCertPem: CA, token: 'tok', insecureSkipTlsVerify: false, namespace: 'default',
    });
  });

  it('replaces an earlier kubeconfig (a new port at restart)', async () => {
    await writeKubeconfig(dataDir, { server: 'https://127.0.0.1:1111', caCertPem: CA, token: 'tok' });
    const file = await writeKubeconfig(dataDir, { server: 'https://127.0.0.1:2222', caCertPem: CA, token: 'tok' });
    expect((await readKubeconfig(file)).server).toBe('https://127.0.0.1:2222');
  });
});

describe('kubeconfig: readKubeconfig', () => {
  it('follows current-context, reads file paths relative to the kubeconfig, and prefers -data', async () => {
    await mkdir(path.join(dataDir, 'creds'));
    await writeFile(path.join(dataDir, 'creds', 'ca.crt'), CA);
    await writeFile(path.join(dataDir, 'creds', 'client.crt'), 'CERT');
    await writeFile(path.join(dataDir, 'creds', 'token'), 'file-token\n');
    const file = path.join(dataDir, 'config');
    await writeFile(file, YAML.stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [
        { name: 'a', cluster: { server: 'https://a:1', 'insecure-skip-tls-verify': true } },
        { name: 'b', cluster: { server: 'https://b:2', 'certificate-authority': 'creds/ca.crt' } },
      ],
      users: [{
        name: 'u',
        user: { 'client-certificate': 'creds/client.crt', 'client-key': '/nonexistent', 'client-key-data': Buffer.from('KEY').toString('base64'), tokenFile: 'creds/token' },
      }],
      contexts: [
        { name: 'first', context: { cluster: 'a', user: 'u' } },
        { name: 'second', context: { cluster: 'b', user: 'u', namespace: 'team' } },
      ],
      'current-context': 'second',
    }));
    expect(await readKubeconfig(file)).toEqual({
      server: 'https://b:2', caCertPem: CA, token: 'file-token', clientCertPem: 'CERT', clientKeyPem: 'KEY',
      insecureSkipTlsVerify: false, namespace: 'team',
    });
  });

  it('reads insecure-skip-tls-verify, a context without a user, and defaults the namespace', async () => {
    const file = path.join(dataDir, 'config');
    await writeFile(file, YAML.stringify({
      clusters: [{ name: 'a', cluster: { server: 'https://a:1', 'insecure-skip-tls-verify': true } }],
      contexts: [{ name: 'c', context: { cluster: 'a' } }],
      'current-context': 'c',
    }));
    expect(await readKubeconfig(file)).toEqual({ server: 'https://a:1', insecureSkipTlsVerify: true, namespace: 'default' });
  });

  it('says what is wrong with a kubeconfig it cannot use', async () => {
    const file = path.join(dataDir, 'config');
    const write = (doc: unknown) => writeFile(file, YAML.stringify(doc));
    await write({ clusters: [] });
    await expect(readKubeconfig(file)).rejects.toThrow(`${file}: current-context is not set`);
    await write({ contexts: [{ name: 'c', context: { cluster: 'gone' } }], 'current-context': 'c' });
    await expect(readKubeconfig(file)).rejects.toThrow(`${file}: no cluster named "gone"`);
    await write({ clusters: [{ name: 'a', cluster: {} }], contexts: [{ name: 'c', context: { cluster: 'a' } }], 'current-context': 'c' });
    await expect(readKubeconfig(file)).rejects.toThrow(`${file}: cluster "a" has no server`);
    await writeFile(file, '- just\n- a list\n');
    await expect(readKubeconfig(file)).rejects.toThrow('not a kubeconfig');
  });
});

const describeKubectl = existsSync(KUBECTL) ? describe : describe.skip;

describeKubectl('kubeconfig: stock kubectl', () => {
  it('config view reads back server, CA and token', async () => {
    const file = await writeKubeconfig(dataDir, { server: 'https://127.0.0.1:6443', caCertPem: CA, token: 'tok' });
    const jsonpath = '{.current-context} {.contexts[0].context.namespace} {.clusters[0].cluster.server} {.clusters[0].cluster.certificate-authority-data} {.users[0].user.token}';
    const { stdout } = await kubectl(file, ['config', 'view', '--raw', '-o', `jsonpath=${jsonpath}`]);
    expect(stdout).toBe(`skiff default https://127.0.0.1:6443 ${Buffer.from(CA).toString('base64')} tok`);
  });

  it('trusts the serving cert through the CA and sends the admin token (kubectl version)', async () => {
    const pki = await ensurePki(dataDir);
    const auth = await loadAuthenticator(dataDir);
    const seen: string[] = [];
    const server = https.createServer({ cert: pki.serverCertPem, key: pki.serverKeyPem }, (req, res) => {
      const user = auth.authenticate(req);
      seen.push(`${req.url} ${user?.username ?? 'anonymous'}`);
      res.writeHead(user ? 200 : 401, { 'content-type': 'application/json', 'cache-control': 'no-cache, private' });
      res.end(JSON.stringify(user
        ? { major: '1', minor: '32', gitVersion: 'v1.32.0-skiff', platform: 'linux/amd64' }
        : { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', reason: 'Unauthorized', code: 401, message: 'Unauthorized' }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const file = await writeKubeconfig(dataDir, { server: `https://127.0.0.1:${port}`, caCertPem: pki.caCertPem, token: auth.adminToken() });
      const { stdout } = await kubectl(file, ['version', '-o', 'json']);
      expect(JSON.parse(stdout)).toMatchObject({ serverVersion: { gitVersion: 'v1.32.0-skiff' } });
      // The dispatcher asks with timeout=5s, then the kubectl 1.32 it runs asks with timeout=32s.
      expect(seen).toContain('/version?timeout=32s admin');
      expect(seen.every((s) => s.endsWith(' admin'))).toBe(true);
    } finally {
      server.close();
    }
  });
});
