import { execFile } from 'node:child_process';
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { ensurePki, issueClientCert, type Pki } from '../../gateways/api/pki';

const run = promisify(execFile);
const DAY_MS = 24 * 60 * 60 * 1000;

let dataDir: string;
beforeEach(async () => { dataDir = await mkdtemp(path.join(tmpdir(), 'skiff-pki-')); });
afterEach(() => rm(dataDir, { recursive: true, force: true }));

const pkiFile = (name: string) => path.join(dataDir, 'pki', name);
const x509Text = async (file: string) => (await run('openssl', ['x509', '-in', file, '-noout', '-text'])).stdout;
const mode = async (file: string) => (await stat(file)).mode & 0o777;
const lifetimeDays = (pem: string) => {
  const cert = new X509Certificate(pem);
  return Math.round((Date.parse(cert.validTo) - Date.parse(cert.validFrom)) / DAY_MS);
};

describe('pki: at first start', () => {
  it('creates a P-256 CA named skiff-ca for 10 years, with private keys 0600', async () => {
    const pki = await ensurePki(dataDir);
    expect(pki.dir).toBe(path.join(dataDir, 'pki'));
    expect(pki.caKeyPath).toBe(pkiFile('ca.key'));
    expect((await readdir(pki.dir)).sort()).toEqual(['apiserver.crt', 'apiserver.key', 'ca.crt', 'ca.key']);
    expect(await mode(pkiFile('ca.key'))).toBe(0o600);
    expect(await mode(pkiFile('apiserver.key'))).toBe(0o600);
    const ca = await x509Text(pkiFile('ca.crt'));
    expect(ca).toContain('Subject: CN = skiff-ca');
    expect(ca).toContain('NIST CURVE: P-256');
    expect(ca).toMatch(/Basic Constraints: critical\s+CA:TRUE/);
    expect(lifetimeDays(pki.caCertPem)).toBe(3650);
  });

  it('creates a serving cert for 127.0.0.1, ::1 and localhost, for serverAuth, signed by the CA', async () => {
    const pki = await ensurePki(dataDir);
    const text = await x509Text(pkiFile('apiserver.crt'));
    expect(text).toContain('IP Address:127.0.0.1');
    expect(text).toContain('IP Address:0:0:0:0:0:0:0:1');
    expect(text).toContain('DNS:localhost');
    expect(text).toMatch(/Extended Key Usage:\s+TLS Web Server Authentication\n/);
    expect(text).toContain('NIST CURVE: P-256');
    const verified = await run('openssl', ['verify', '-CAfile', pkiFile('ca.crt'), pkiFile('apiserver.crt')]);
    expect(verified.stdout).toContain(': OK');
    expect(pki.serverKeyPem).toContain('PRIVATE KEY');
  });

  it('serves HTTPS that a client knowing only the CA trusts, and one without it does not', async () => {
    const pki = await ensurePki(dataDir);
    const server = https.createServer({ cert: pki.serverCertPem, key: pki.serverKeyPem }, (_req, res) => res.end('ok'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      await expect(get(port, pki.caCertPem)).resolves.toBe('ok');
      await expect(get(port, undefined)).rejects.toThrow(/unable to verify the first certificate/);
    } finally {
      server.close();
    }
  });

  it('says what is missing and how to install it when openssl is not on PATH', async () => {
    // A separate process: jest's sandboxed process.env does not reach child_process.
    const script = `require('./gateways/api/pki').ensurePki(${JSON.stringify(dataDir)}).catch((e) => console.log(e.message))`;
    const { stdout } = await run(process.execPath, ['--import', 'tsx', '-e', script], {
      cwd: path.resolve(__dirname, '../..'),
      env: { PATH: path.join(dataDir, 'no-such-dir') },
    });
    expect(stdout).toMatch(/^openssl was not found on PATH: .*Install it with `apt-get install openssl`/);
  });
});

describe('pki: at a later start', () => {
  it('reuses the CA and serving cert', async () => {
    const first = await ensurePki(dataDir, { hosts: ['skiff.example'] });
    expect(await ensurePki(dataDir, { hosts: ['SKIFF.example', 'skiff.example', 'localhost'] })).toEqual(first);
  });

  it('re-issues only the serving cert when the requested hosts change', async () => {
    const first = await ensurePki(dataDir);
    const second = await ensurePki(dataDir, { hosts: ['skiff.example', '10.0.0.7', '[fd00::7]'] });
    expect(second.caCertPem).toBe(first.caCertPem);
    expect(second.serverCertPem).not.toBe(first.serverCertPem);
    const text = await x509Text(pkiFile('apiserver.crt'));
    expect(text).toContain('DNS:skiff.example');
    expect(text).toContain('IP Address:10.0.0.7');
    expect(text).toContain('IP Address:FD00:0:0:0:0:0:0:7');
  });

  it('renews a serving cert that expires within a month', async () => {
    const first = await ensurePki(dataDir);
    // The same key and names, re-signed to expire in 5 days.
    await run('openssl', ['x509', '-x509toreq', '-in', pkiFile('apiserver.crt'), '-signkey', pkiFile('apiserver.key'),
      '-copy_extensions', 'copyall', '-out', path.join(dataDir, 'renew.csr')]);
    await run('openssl', ['x509', '-req', '-in', path.join(dataDir, 'renew.csr'), '-CA', pkiFile('ca.crt'), '-CAkey', pkiFile('ca.key'),
      '-days', '5', '-copy_extensions', 'copyall', '-out', pkiFile('apiserver.crt')]);
    expect(lifetimeDays(await readFile(pkiFile('apiserver.crt'), 'utf8'))).toBe(5);
    const renewed = await ensurePki(dataDir);
    expect(renewed.serverCertPem).not.toBe(first.serverCertPem);
    expect(lifetimeDays(renewed.serverCertPem)).toBe(365);
  });

  it('refuses to replace a CA whose key is gone, since that would orphan every issued credential', async () => {
    await ensurePki(dataDir);
    await rm(pkiFile('ca.key'));
    await expect(ensurePki(dataDir)).rejects.toThrow(/ca\.crt exists but .*ca\.key is missing/);
  });

  it('rejects a host that is neither an IP address nor a DNS name', async () => {
    await expect(ensurePki(dataDir, { hosts: ['evil\nsubjectAltName=DNS:x'] })).rejects.toThrow(/invalid host/);
  });
});

describe('pki: issueClientCert', () => {
  it('issues a clientAuth cert with CN = user and one O per group, signed by the CA', async () => {
    const pki: Pki = await ensurePki(dataDir);
    const client = await issueClientCert(pki, { user: 'system:node:n1', groups: ['system:nodes', 'a/b+c'] });
    await writeFile(path.join(dataDir, 'client.crt'), client.certPem);
    const text = await x509Text(path.join(dataDir, 'client.crt'));
    expect(text).toContain('Subject: O = system:nodes, O = "a/b+c", CN = system:node:n1');
    expect(text).toMatch(/Extended Key Usage:\s+TLS Web Client Authentication\n/);
    const cert = new X509Certificate(client.certPem);
    expect(cert.checkIssued(new X509Certificate(pki.caCertPem))).toBe(true);
    expect(cert.checkPrivateKey(createPrivateKey(client.keyPem))).toBe(true);
  });
});

function get(port: number, ca: string | undefined): Promise<string> {
  return new Promise((resolve, reject) => {
    https.get({ host: '127.0.0.1', port, ca, agent: false }, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => { body += chunk.toString(); });
      res.on('end', () => resolve(body));
    }).on('error', reject);
  });
}
