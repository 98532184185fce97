/**
 * containerd's image store through `ctr` (1.6): import an archive (OCI layout or `docker save`),
 * pull from a registry, list and remove. `runCtr` is the small typed way to invoke ctr with an
 * address and a namespace; a failure is a `CtrError` carrying ctr's own one-line message.
 */
import { spawn } from 'node:child_process';
import { stat } from 'node:fs/promises';
import { CtrError, ImagePullError, PullFailure } from './errors';
import { normalizeImageName } from './image-name';

export const DEFAULT_CONTAINERD_ADDRESS = '/run/containerd/containerd.sock';
/** skiff's images and containers live in their own containerd namespace, apart from docker's (`moby`) and the CRI's (`k8s.io`). */
export const DEFAULT_CONTAINERD_NAMESPACE = 'skiff';

export type Ctr = Readonly<{
  /** containerd's gRPC socket. */
  address: string;
  namespace: string;
  /** Default `ctr` from PATH. */
  binary?: string;
}>;

export type CtrRunOptions = Readonly<{
  /** Written to ctr's stdin (for `images import -`). */
  input?: Buffer;
  /** The child is killed (by its PID) after this long; default 2 minutes. */
  timeoutMs?: number;
  signal?: AbortSignal;
}>;

export type CtrOutput = Readonly<{ stdout: string; stderr: string }>;

export async function runCtr(ctr: Ctr, args: readonly string[], opts: CtrRunOptions = {}): Promise<CtrOutput> {
  const argv = ['--address', ctr.address, '--namespace', ctr.namespace, '--connect-timeout', '5s', ...args];
  await checkSocket(ctr, args);
  const binary = ctr.binary ?? 'ctr';
  const child = spawn(binary, argv, { stdio: [opts.input ? 'pipe' : 'ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (stderr += c.toString()));
  if (opts.input) {
    child.stdin?.on('error', () => undefined); // ctr may exit before reading all of it; its exit status says why.
    child.stdin?.end(opts.input);
  }
  let killedFor: string | undefined;
  const kill = (why: string): void => {
    killedFor ??= why;
    child.kill('SIGKILL');
  };
  const timeoutMs = opts.timeoutMs ?? 120_000;
  const timer = setTimeout(() => kill(`timed out after ${timeoutMs} ms`), timeoutMs);
  const onAbort = (): void => kill('aborted');
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    const code = await new Promise<number | null>((ok, fail) => {
      child.once('error', fail);
      child.once('close', (c) => ok(c));
    }).catch((cause: NodeJS.ErrnoException) => {
      throw new CtrError(cause.code === 'ENOENT' ? `${binary} not found (Debian: apt-get install containerd)` : `${binary}: ${cause.message}`, args, null, '', { cause });
    });
    if (killedFor) throw new CtrError(`ctr ${args.slice(0, 2).join(' ')} ${killedFor}`, args, code, stderr);
    if (code !== 0) throw new CtrError(ctrMessage(stderr) ?? `ctr ${args.slice(0, 2).join(' ')} exited with code ${code}`, args, code, stderr);
    return { stdout, stderr };
  } finally {
    clearTimeout(timer);
    opts.signal?.removeEventListener('abort', onAbort);
  }
}

/** ctr dials a missing socket for 10 s before it gives up; a plain path that is not there fails at once instead. */
async function checkSocket(ctr: Ctr, args: readonly string[]): Promise<void> {
  const path = ctr.address.replace(/^unix:\/\//, '');
  if (!path.startsWith('/')) return;
  const st = await stat(path).catch(() => undefined);
  if (!st?.isSocket()) throw new CtrError(`containerd is not running at ${ctr.address} (no socket there)`, args, null, '');
}

/** ctr's error line (`ctr: <message>`), else the last line it printed. */
export function ctrMessage(stderr: string): string | undefined {
  const lines = stderr.split('\n').map((l) => l.trim()).filter((l) => l !== '');
  const own = lines.filter((l) => l.startsWith('ctr: ')).pop();
  return own !== undefined ? own.slice('ctr: '.length) : lines.pop();
}

export type ImportOptions = Readonly<{
  /** Import every platform's content of a multi-platform archive, not only this machine's. */
  allPlatforms?: boolean;
  timeoutMs?: number;
}>;

/** `ctr images import`; returns the names it stored (from its `unpacking NAME (DIGEST)…` lines). */
export async function importImage(ctr: Ctr, archivePath: string, opts: ImportOptions = {}): Promise<string[]> {
  return importFrom(ctr, archivePath, archivePath, undefined, opts);
}

/** The same, with the archive in memory (piped to `ctr images import -`). */
export async function importArchive(ctr: Ctr, archive: Buffer, opts: ImportOptions = {}): Promise<string[]> {
  return importFrom(ctr, '-', 'the archive', archive, opts);
}

async function importFrom(ctr: Ctr, file: string, what: string, input: Buffer | undefined, opts: ImportOptions): Promise<string[]> {
  const args = ['images', 'import', ...(opts.allPlatforms ? ['--all-platforms'] : []), file];
  try {
    const { stdout } = await runCtr(ctr, args, { input, timeoutMs: opts.timeoutMs });
    return [...stdout.matchAll(/^unpacking (\S+) \(sha256:[0-9a-f]{64}\)/gm)].map((m) => m[1]);
  } catch (err) {
    if (!(err instanceof CtrError) || err.exitCode === null) throw err;
    throw new CtrError(`cannot import ${what}: ${err.message}`, err.args, err.exitCode, err.stderr, { cause: err });
  }
}

export type ImageInfo = Readonly<{ name: string; mediaType: string; digest: string; size: string; platforms: readonly string[] }>;

/** `ctr images ls`, parsed: REF TYPE DIGEST SIZE PLATFORMS LABELS (SIZE is two words, e.g. `1.9 MiB`). */
export async function listImages(ctr: Ctr): Promise<ImageInfo[]> {
  const { stdout } = await runCtr(ctr, ['images', 'ls']);
  return parseImageList(stdout);
}

export function parseImageList(stdout: string): ImageInfo[] {
  const rows: ImageInfo[] = [];
  for (const line of stdout.split('\n').slice(1)) {
    const m = /^(\S+)\s+(\S+)\s+(sha256:[0-9a-f]{64})\s+(\S+ \S+)\s+(\S+)\s+\S+\s*$/.exec(line);
    if (m) rows.push({ name: m[1], mediaType: m[2], digest: m[3], size: m[4], platforms: m[5] === '-' ? [] : m[5].split(',') });
  }
  return rows;
}

/** The image stored under `name` (normalized first), if any. */
export async function findImage(ctr: Ctr, name: string): Promise<ImageInfo | undefined> {
  const full = normalizeImageName(name);
  return (await listImages(ctr)).find((i) => i.name === full);
}

export async function removeImage(ctr: Ctr, name: string): Promise<void> {
  await runCtr(ctr, ['images', 'rm', normalizeImageName(name)]);
}

export type PullOptions = Readonly<{
  /** Talk HTTP, not HTTPS, to the registry (a local `registry:2` on localhost:5000). */
  plainHttp?: boolean;
  user?: string;
  timeoutMs?: number;
  signal?: AbortSignal;
}>;

/**
 * `ctr images pull` (fetch and unpack for this machine's platform). A failure is an
 * `ImagePullError` whose `reason` tells an unreachable registry from a missing image.
 */
export async function pullImage(ctr: Ctr, name: string, opts: PullOptions = {}): Promise<string> {
  const full = normalizeImageName(name);
  const args = ['images', 'pull', ...(opts.plainHttp ? ['--plain-http'] : []), ...(opts.user ? ['--user', opts.user] : []), full];
  try {
    await runCtr(ctr, args, { timeoutMs: opts.timeoutMs ?? 5 * 60_000, signal: opts.signal });
    return full;
  } catch (err) {
    if (!(err instanceof CtrError) || err.exitCode === null) throw err;
    throw new ImagePullError(`failed to pull image "${full}": ${err.message}`, full, pullFailure(err.message), { cause: err });
  }
}

/** Sorts ctr's (containerd's resolver's) error text into the kubelet's causes. */
export function pullFailure(message: string): PullFailure {
  if (/dial tcp|no such host|connection refused|i\/o timeout|network is unreachable|server misbehaving|TLS handshake timeout|context deadline exceeded|temporary failure in name resolution/i.test(message)) return PullFailure.unreachable;
  if (/not found|manifest unknown|name unknown/i.test(message)) return PullFailure.notFound;
  if (/unauthorized|authorization failed|denied|forbidden|401|403/i.test(message)) return PullFailure.unauthorized;
  return PullFailure.other;
}
