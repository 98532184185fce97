/**
 * The cluster's PKI, kept in `<dataDir>/pki/`: a CA created at first start, an API serving
 * certificate signed by it (re-issued when the requested names change), and client
 * certificates for kubeconfig users. Keys and certificates are made by the openssl CLI.
 * Node's X509Certificate only reads them.
 *
 * This file also holds the small file primitives that every secret file in the data dir uses
 * (tokens.csv, secret.key, kubeconfig), so that they all get the same atomicity and modes.
 */
import { execFile } from 'node:child_process';
import { X509Certificate, createPrivateKey, randomBytes } from 'node:crypto';
import { link, mkdir, mkdtemp, readFile, rename, rm, unlink, writeFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';

export type Pki = Readonly<{
  caCertPem: string;
  caKeyPath: string;
  serverCertPem: string;
  serverKeyPem: string;
  dir: string;
}>;

export type KeyPair = Readonly<{ certPem: string; keyPem: string }>;

const CA_DAYS = 3650;
const LEAF_DAYS = 365;
/** Re-issue the serving certificate a month before it expires, at the next start. */
const RENEW_BEFORE_MS = 30 * 24 * 60 * 60 * 1000;
const DEFAULT_HOSTS = ['127.0.0.1', '::1', 'localhost'];
const PRIVATE = 0o600;
const PUBLIC = 0o644;

/** Creates the CA and serving certificate on first start; later starts reuse them. */
export async function ensurePki(dataDir: string, opts: Readonly<{ hosts?: readonly string[] }> = {}): Promise<Pki> {
  const dir = path.join(dataDir, 'pki');
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const ca = await ensureCa(dir);
  const server = await ensureServing(dir, ca, subjectAltNames([...DEFAULT_HOSTS, ...(opts.hosts ?? [])]));
  return {
    caCertPem: ca.certPem,
    caKeyPath: path.join(dir, 'ca.key'),
    serverCertPem: server.certPem,
    serverKeyPem: server.keyPem,
    dir,
  };
}

/** A client certificate for kubeconfig auth: Kubernetes reads the user from CN and groups from O. */
export async function issueClientCert(pki: Pki, who: Readonly<{ user: string; groups: readonly string[] }>): Promise<KeyPair> {
  if (!who.user) throw new Error('issueClientCert: user must not be empty');
  return issue(pki.dir, {
    subject: [...who.groups.map((g): Rdn => ['O', g]), ['CN', who.user]],
    extensions: ['basicConstraints=critical,CA:FALSE', 'keyUsage=critical,digitalSignature', 'extendedKeyUsage=clientAuth', 'authorityKeyIdentifier=keyid'],
    days: LEAF_DAYS,
    signer: { certPath: path.join(pki.dir, 'ca.crt'), keyPath: pki.caKeyPath },
  });
}

// ---- CA and serving certificate -----------------------------------------------------------

async function ensureCa(dir: string): Promise<KeyPair> {
  const certPath = path.join(dir, 'ca.crt');
  const keyPath = path.join(dir, 'ca.key');
  const certPem = await readTextIfExists(certPath);
  const keyPem = await readTextIfExists(keyPath);
  if (certPem === undefined) return install(dir, 'ca', await createCa(dir));
  // Silently making a new CA would invalidate every kubeconfig and client certificate out there.
  if (keyPem === undefined) {
    throw new Error(`${certPath} exists but ${keyPath} is missing: restore the key, or delete ${dir} to create a new cluster CA (every kubeconfig and client certificate must then be re-issued)`);
  }
  if (!new X509Certificate(certPem).checkPrivateKey(createPrivateKey(keyPem))) {
    throw new Error(`${keyPath} does not belong to ${certPath}: restore the matching pair, or delete ${dir} to create a new cluster CA`);
  }
  return { certPem, keyPem };
}

function createCa(dir: string): Promise<KeyPair> {
  return issue(dir, {
    subject: [['CN', 'skiff-ca']],
    extensions: ['basicConstraints=critical,CA:TRUE', 'keyUsage=critical,keyCertSign,cRLSign,digitalSignature', 'subjectKeyIdentifier=hash'],
    days: CA_DAYS,
  });
}

async function ensureServing(dir: string, ca: KeyPair, sans: readonly string[]): Promise<KeyPair> {
  const certPem = await readTextIfExists(path.join(dir, 'apiserver.crt'));
  const keyPem = await readTextIfExists(path.join(dir, 'apiserver.key'));
  if (certPem !== undefined && keyPem !== undefined && isCurrent({ certPem, keyPem }, ca, sans, Date.now())) {
    return { certPem, keyPem };
  }
  const fresh = await issue(dir, {
    subject: [['CN', 'skiff-apiserver']],
    extensions: ['basicConstraints=critical,CA:FALSE', 'keyUsage=critical,digitalSignature', 'extendedKeyUsage=serverAuth', 'authorityKeyIdentifier=keyid', `subjectAltName=${sans.join(',')}`],
    days: LEAF_DAYS,
    signer: { certPath: path.join(dir, 'ca.crt'), keyPath: path.join(dir, 'ca.key') },
  });
  return install(dir, 'apiserver', fresh);
}

/** Still good: signed by this CA, matches its key, names exactly the requested hosts, not about to expire. */
function isCurrent(pair: KeyPair, ca: KeyPair, sans: readonly string[], now: number): boolean {
  try {
    const cert = new X509Certificate(pair.certPem);
    return cert.verify(new X509Certificate(ca.certPem).publicKey)
      && cert.checkPrivateKey(createPrivateKey(pair.keyPem))
      && sameSet(certSans(cert), sans)
      && Date.parse(cert.validTo) - now > RENEW_BEFORE_MS;
  } catch {
    return false; // unreadable files are replaced, like missing ones
  }
}

/** Key first, certificate last: a crash in between leaves a mismatch that the next start repairs. */
async function install(dir: string, name: 'ca' | 'apiserver', pair: KeyPair): Promise<KeyPair> {
  await writeFileAtomic(path.join(dir, `${name}.key`), pair.keyPem, PRIVATE);
  await writeFileAtomic(path.join(dir, `${name}.crt`), pair.certPem, PUBLIC);
  return pair;
}

// ---- subject alternative names --------------------------------------------------------------

/** `IP:<canonical>` / `DNS:<lowercase>`, sorted and deduplicated, so that sets compare as strings. */
function subjectAltNames(hosts: readonly string[]): string[] {
  return [...new Set(hosts.map(sanOf))].sort();
}

function sanOf(host: string): string {
  const bare = host.replace(/^\[(.*)\]$/, '$1');
  if (isIP(bare)) return `IP:${canonicalIp(bare)}`;
  // Also keeps anything that could break out of the openssl config line.
  if (!/^(\*\.)?[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*$/.test(bare)) {
    throw new Error(`invalid host ${JSON.stringify(host)} for the API serving certificate: want an IP address or a DNS name`);
  }
  return `DNS:${bare.toLowerCase()}`;
}

/** openssl and Node print IPv6 fully expanded (0:0:0:0:0:0:0:1); URL parsing compresses it. */
function canonicalIp(ip: string): string {
  return isIP(ip) === 6 ? new URL(`http://[${ip}]`).hostname.slice(1, -1) : ip;
}

function certSans(cert: X509Certificate): string[] {
  const entries = (cert.subjectAltName ?? '').split(', ').filter(Boolean);
  return subjectAltNames(entries.map((e) => e.replace(/^(DNS|IP Address):/, '')));
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

// ---- openssl -----------------------------------------------------------------------------------

type Rdn = readonly [attribute: 'CN' | 'O', value: string];
type IssueRequest = Readonly<{
  subject: readonly Rdn[];
  extensions: readonly string[];
  days: number;
  /** Absent: self-signed (the CA). */
  signer?: Readonly<{ certPath: string; keyPath: string }>;
}>;

/** A new P-256 key and a certificate for it. Work happens in a 0700 scratch dir next to the PKI. */
async function issue(dir: string, req: IssueRequest): Promise<KeyPair> {
  const scratch = await mkdtemp(path.join(dir, '.issue-'));
  try {
    const file = (name: string) => path.join(scratch, name);
    await writeFile(file('ext.cnf'), `[ext]\n${req.extensions.join('\n')}\n`);
    await openssl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', file('key.pem')]);
    const common = ['-sha256', '-days', String(req.days), '-set_serial', randomSerial()];
    const subject = ['-utf8', '-subj', opensslSubject(req.subject), '-config', file('ext.cnf')];
    if (req.signer) {
      await openssl(['req', '-new', '-key', file('key.pem'), ...subject, '-out', file('csr.pem')]);
      await openssl(['x509', '-req', '-in', file('csr.pem'), '-CA', req.signer.certPath, '-CAkey', req.signer.keyPath,
        ...common, '-extfile', file('ext.cnf'), '-extensions', 'ext', '-out', file('cert.pem')]);
    } else {
      await openssl(['req', '-new', '-x509', '-key', file('key.pem'), ...subject, ...common, '-extensions', 'ext', '-out', file('cert.pem')]);
    }
    return { certPem: await readFile(file('cert.pem'), 'utf8'), keyPem: await readFile(file('key.pem'), 'utf8') };
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

/** `/O=a/CN=b`: openssl's -subj syntax, where `/`, `+` and `\` inside a value need a backslash. */
function opensslSubject(rdns: readonly Rdn[]): string {
  return rdns.map(([attr, value]) => `/${attr}=${value.replace(/[\\/+]/g, '\\$&')}`).join('');
}

/** 128 random bits, top bit clear: Go rejects negative serials and RFC 5280 caps them at 20 bytes. */
function randomSerial(): string {
  const bytes = randomBytes(16);
  bytes[0] = (bytes[0] ?? 0) & 0x7f;
  return `0x${bytes.toString('hex')}`;
}

const execFileAsync = promisify(execFile);

async function openssl(args: readonly string[]): Promise<void> {
  try {
    await execFileAsync('openssl', args, { encoding: 'utf8' });
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { stderr?: string };
    if (e.code === 'ENOENT') {
      throw new Error('openssl was not found on PATH: skiff runs the openssl CLI to create its cluster CA and API certificates. Install it with `apt-get install openssl`.', { cause: err });
    }
    throw new Error(`openssl ${args[0]} failed: ${(e.stderr ?? e.message).trim()}`, { cause: err });
  }
}

// ---- private files (shared with auth.ts, kubeconfig.ts and ../secret-box.ts) ---------------------

export async function readIfExists(file: string): Promise<Buffer | undefined> {
  try {
    return await readFile(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

async function readTextIfExists(file: string): Promise<string | undefined> {
  return (await readIfExists(file))?.toString('utf8');
}

/** Readers see the old content or the new, never half a file; `mode` applies from the first byte. */
export async function writeFileAtomic(file: string, content: string | Buffer, mode: number): Promise<void> {
  const tmp = await freshTempFile(file, content, mode);
  await rename(tmp, file);
}

/**
 * Writes `content` only if `file` does not exist yet and returns what `file` holds afterwards.
 * link() fails if the target exists, so two processes starting at once agree on one content.
 */
export async function createFileOnce(file: string, content: string | Buffer, mode: number): Promise<Buffer> {
  const existing = await readIfExists(file);
  if (existing !== undefined) return existing;
  const tmp = await freshTempFile(file, content, mode);
  try {
    await link(tmp, file);
    return Buffer.from(content);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    return await readFile(file);
  } finally {
    await unlink(tmp);
  }
}

async function freshTempFile(file: string, content: string | Buffer, mode: number): Promise<string> {
  await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  const tmp = `${file}.${randomBytes(6).toString('hex')}.tmp`;
  await writeFile(tmp, content, { mode, flag: 'wx' });
  return tmp;
}
