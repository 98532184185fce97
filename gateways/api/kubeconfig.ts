/**
 * The kubeconfig skiff writes for its admin, and a reader for the subset of the format that
 * skiff's own clients need (current context only; no exec/auth-provider plugins, no merging
 * of $KUBECONFIG lists).
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import YAML from 'yaml';
import { writeFileAtomic } from './pki';

export type Kubeconfig = Readonly<{
  server: string;
  caCertPem?: string;
  token?: string;
  clientCertPem?: string;
  clientKeyPem?: string;
  insecureSkipTlsVerify: boolean;
  namespace: string;
}>;

const NAME = 'skiff';
const ADMIN = 'admin';

/** `<dataDir>/kubeconfig`, mode 0600 since it carries the admin token. Returns its path. */
export async function writeKubeconfig(
  dataDir: string,
  opts: Readonly<{ server: string; caCertPem: string; token: string }>,
): Promise<string> {
  const file = path.join(dataDir, 'kubeconfig');
  const config = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: NAME, cluster: { server: opts.server, 'certificate-authority-data': base64(opts.caCertPem) } }],
    users: [{ name: ADMIN, user: { token: opts.token } }],
    contexts: [{ name: NAME, context: { cluster: NAME, user: ADMIN, namespace: 'default' } }],
    'current-context': NAME,
    preferences: {},
  };
  await writeFileAtomic(file, YAML.stringify(config), 0o600);
  return file;
}

/** The current context's server and credentials; file paths inside resolve against the kubeconfig's folder. */
export async function readKubeconfig(file: string): Promise<Kubeconfig> {
  const root = asRecord(YAML.parse(await readFile(file, 'utf8')), file);
  const contextName = str(root['current-context']);
  if (!contextName) throw new Error(`${file}: current-context is not set`);
  const context = namedEntry(root, 'context', contextName, file);
  const cluster = namedEntry(root, 'cluster', str(context['cluster']) ?? '', file);
  const userName = str(context['user']);
  const user = userName ? namedEntry(root, 'user', userName, file) : {};
  const server = str(cluster['server']);
  if (!server) throw new Error(`${file}: cluster "${str(context['cluster'])}" has no server`);
  const dir = path.dirname(file);
  return {
    server,
    caCertPem: await inlineOrFile(cluster, 'certificate-authority', dir),
    token: await tokenOf(user, dir),
    clientCertPem: await inlineOrFile(user, 'client-certificate', dir),
    clientKeyPem: await inlineOrFile(user, 'client-key', dir),
    insecureSkipTlsVerify: cluster['insecure-skip-tls-verify'] === true,
    namespace: str(context['namespace']) || 'default',
  };
}

type YamlMap = Readonly<Record<string, unknown>>;

/** `contexts: [{name, context: {…}}]` → the `{…}` whose name matches. */
function namedEntry(root: YamlMap, kind: 'cluster' | 'context' | 'user', name: string, file: string): YamlMap {
  const list = root[`${kind}s`];
  const entry = Array.isArray(list) ? list.map((e) => asRecord(e, file)).find((e) => e['name'] === name) : undefined;
  if (!entry) throw new Error(`${file}: no ${kind} named "${name}"`);
  return asRecord(entry[kind] ?? {}, file);
}

/** `<key>-data` (base64) wins over `<key>` (a path), as in client-go. */
async function inlineOrFile(entry: YamlMap, key: string, dir: string): Promise<string | undefined> {
  const data = str(entry[`${key}-data`]);
  if (data) return Buffer.from(data, 'base64').toString('utf8');
  const file = str(entry[key]);
  return file ? readFile(path.resolve(dir, file), 'utf8') : undefined;
}

async function tokenOf(user: YamlMap, dir: string): Promise<string | undefined> {
  const inline = str(user['token']);
  if (inline) return inline;
  const file = str(user['tokenFile']);
  return file ? (await readFile(path.resolve(dir, file), 'utf8')).trim() : undefined;
}

function asRecord(v: unknown, file: string): YamlMap {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error(`${file}: not a kubeconfig (expected a mapping)`);
  return v as YamlMap;
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

function base64(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64');
}
