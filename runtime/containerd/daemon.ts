/**
 * A containerd to talk to: the machine's (if one answers at the address) or our own, started from
 * a config.toml under the data dir with its own root, state and socket, the CRI plugin off.
 * Ours is started detached, so containers outlive an agent restart; `stop()` ends it (by PID) and
 * cleans up after it.
 */
import { execFile, spawn } from 'node:child_process';
import { constants, existsSync, openSync, closeSync } from 'node:fs';
import { access, mkdir, readFile, readdir, rmdir, writeFile } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import { createCtr, DEFAULT_CONTAINERD_ADDRESS, DEFAULT_CTR } from './ctr';
import { parseIdLines, parseTaskList } from './ctr-output';
import { ContainerdUnavailableError } from './errors';
import { sleep, within } from './timing';

export const DEFAULT_CONTAINERD_BINARY = '/usr/bin/containerd';
/** Where containerd's runc shims keep their sockets, FIFOs and runc state, whatever our state dir is. */
const SHIM_RUN_DIR = '/run/containerd';
/** sockaddr_un.sun_path is 108 bytes; containerd also listens on `<address>.ttrpc`. */
const MAX_SOCKET_PATH = 100;
const INSTALL_HINT = 'apt-get install -y containerd runc';

export type ContainerdDaemon = Readonly<{
  address: string;
  /** True when this call started it; only then does stop() do anything. */
  startedByUs: boolean;
  pid?: number;
  /** Ours: force-deletes remaining tasks, ends containerd by PID, unmounts leftovers under its dirs. Theirs: nothing. */
  stop: () => Promise<void>;
}>;

export type EnsureContainerdOptions = Readonly<{
  dataDir: string;
  /** Where to look for a running containerd first (default /run/containerd/containerd.sock). */
  address?: string;
  /** false: never use a containerd that already runs at `address` (tests start their own). Default true. */
  useExisting?: boolean;
  binary?: string;
  ctrBinary?: string;
  startTimeoutMs?: number;
}>;

export type ContainerdDirs = Readonly<{ base: string; root: string; state: string; opt: string; address: string }>;

export function containerdDirs(dataDir: string): ContainerdDirs {
  const base = join(dataDir, 'containerd');
  return { base, root: join(base, 'root'), state: join(base, 'state'), opt: join(base, 'opt'), address: join(base, 'containerd.sock') };
}

/** containerd 1.6 config (version 2): own dirs and socket, no CRI, no debug or metrics listeners. */
export function containerdConfigToml(dirs: ContainerdDirs): string {
  const q = (s: string) => JSON.stringify(s);
  return [
    'version = 2',
    `root = ${q(dirs.root)}`,
    `state = ${q(dirs.state)}`,
    'disabled_plugins = ["io.containerd.grpc.v1.cri"]',
    '',
    '[grpc]',
    `  address = ${q(dirs.address)}`,
    '',
    '[ttrpc]',
    `  address = ${q(`${dirs.address}.ttrpc`)}`,
    '',
    '[debug]',
    '  address = ""',
    '',
    '[metrics]',
    '  address = ""',
    '',
    '[plugins."io.containerd.internal.v1.opt"]',
    `  path = ${q(dirs.opt)}`,
    '',
  ].join('\n');
}

/** Whether a containerd answers at the address (`ctr version`), without ctr's 10 s dial wait on a dead socket. */
export async function containerdAnswers(address: string, ctrBinary = DEFAULT_CTR): Promise<boolean> {
  if (!existsSync(address)) return false;
  try {
    await createCtr({ address, namespace: 'default', binary: ctrBinary, connectTimeoutMs: 1_000 }).run(['version'], { timeoutMs: 3_000 });
    return true;
  } catch {
    return false;
  }
}

export async function ensureContainerd(opts: EnsureContainerdOptions): Promise<ContainerdDaemon> {
  const ctrBinary = opts.ctrBinary ?? DEFAULT_CTR;
  const notOurs = (address: string): ContainerdDaemon => ({ address, startedByUs: false, stop: async () => {} });
  const wanted = opts.address ?? DEFAULT_CONTAINERD_ADDRESS;
  if (opts.useExisting !== false && (await containerdAnswers(wanted, ctrBinary))) return notOurs(wanted);
  const dirs = containerdDirs(opts.dataDir);
  // Ours from an earlier run of the agent (it was left running for its containers).
  if (await containerdAnswers(dirs.address, ctrBinary)) return notOurs(dirs.address);

  const binary = opts.binary ?? DEFAULT_CONTAINERD_BINARY;
  if (!(await executable(binary)) || !(await onPath('runc'))) throw new ContainerdUnavailableError(`containerd not found: ${INSTALL_HINT}`);
  if (process.getuid?.() !== 0) throw new ContainerdUnavailableError('containerd must run as root: start the node agent as root');
  if (dirs.address.length + '.ttrpc'.length > MAX_SOCKET_PATH) {
    throw new ContainerdUnavailableError(`the data dir is too deep for a unix socket (${dirs.address}); use a shorter --data-dir`);
  }
  for (const d of [dirs.root, dirs.state, dirs.opt]) await mkdir(d, { recursive: true });
  const configPath = join(dirs.base, 'config.toml');
  await writeFile(configPath, containerdConfigToml(dirs));
  const shimRunDirExisted = existsSync(SHIM_RUN_DIR);

  const logPath = join(dirs.base, 'containerd.log');
  const logFd = openSync(logPath, 'a');
  const child = spawn(binary, ['--config', configPath], { detached: true, stdio: ['ignore', logFd, logFd] });
  closeSync(logFd);
  const spawnError = new Promise<Error>((ok) => child.once('error', ok));
  const exited = new Promise<void>((ok) => child.once('exit', () => ok()));
  child.unref();
  const pid = child.pid;
  if (pid === undefined) throw new ContainerdUnavailableError(`could not start ${binary}: ${(await spawnError).message}`);
  await writeFile(join(dirs.base, 'containerd.pid'), `${pid}\n`);

  const deadline = Date.now() + (opts.startTimeoutMs ?? 20_000);
  let gone = false;
  void exited.then(() => (gone = true));
  while (!(await containerdAnswers(dirs.address, ctrBinary))) {
    if (gone || Date.now() > deadline) {
      if (!gone) await endProcess(pid, exited, 2_000);
      const log = await readFile(logPath, 'utf8').catch(() => '');
      throw new ContainerdUnavailableError(`containerd did not answer at ${dirs.address}${gone ? ' (it exited)' : ''}:\n${log.trim().split('\n').slice(-15).join('\n')}`);
    }
    await sleep(50);
  }

  let stopped: Promise<void> | undefined;
  const stop = () =>
    (stopped ??= (async () => {
      await deleteAllTasks(dirs.address, ctrBinary);
      // A shim ends a moment after its task is deleted; ending containerd first would orphan it.
      await waitForShims(dirs.address, 5_000);
      await endProcess(pid, exited, 10_000);
      await unmountUnder(dirs.base);
      if (!shimRunDirExisted) await removeEmptyDirs(SHIM_RUN_DIR);
    })());
  return { address: dirs.address, startedByUs: true, pid, stop };
}

/** Force-deletes every task of every namespace, so the shims exit and unmount the rootfs. */
async function deleteAllTasks(address: string, ctrBinary: string): Promise<void> {
  const ns = createCtr({ address, namespace: 'default', binary: ctrBinary, connectTimeoutMs: 1_000 });
  const namespaces = await ns.run(['namespaces', 'ls', '-q']).then((o) => parseIdLines(o.stdout), () => []);
  for (const namespace of namespaces) {
    const ctr = createCtr({ address, namespace, binary: ctrBinary, connectTimeoutMs: 1_000 });
    const tasks = await ctr.run(['tasks', 'ls']).then((o) => parseTaskList(o.stdout), () => []);
    await Promise.all(tasks.map((t) => ctr.run(['tasks', 'delete', '--force', t.id]).catch(() => undefined)));
  }
}

/** Whether a process's argv (from /proc/PID/cmdline) is a containerd shim serving this containerd address. */
export function isShimOf(argv: readonly string[], address: string): boolean {
  const i = argv.indexOf('-address');
  return /containerd-shim/.test(argv[0] ?? '') && i >= 0 && argv[i + 1] === address;
}

/** PIDs of the shims of this containerd (matched by its own socket address, never by name alone). */
export async function shimPids(address: string): Promise<number[]> {
  const pids = (await readdir('/proc').catch(() => [] as string[])).filter((d) => /^\d+$/.test(d));
  const out: number[] = [];
  for (const pid of pids) {
    const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
    if (isShimOf(cmdline.split('\0'), address)) out.push(Number(pid));
  }
  return out;
}

/** Waits for this containerd's shims to end; past the timeout, ends the rest by PID. */
async function waitForShims(address: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let pids = await shimPids(address);
  while (pids.length > 0 && Date.now() < deadline) {
    await sleep(50);
    pids = await shimPids(address);
  }
  for (const pid of pids) signal(pid, 'SIGKILL');
}

async function endProcess(pid: number, exited: Promise<void>, graceMs: number): Promise<void> {
  if (!signal(pid, 'SIGTERM')) return;
  if ((await within(exited.then(() => true), graceMs, false)) === false) {
    signal(pid, 'SIGKILL');
    await within(exited, 5_000, undefined);
  }
}

function signal(pid: number, sig: NodeJS.Signals): boolean {
  try {
    process.kill(pid, sig);
    return true;
  } catch {
    return false;
  }
}

/** Mount points in /proc/self/mountinfo (field 5, octal escapes decoded) under `dir`. */
export function mountPointsUnder(mountinfo: string, dir: string): string[] {
  const prefix = dir.endsWith('/') ? dir : `${dir}/`;
  return mountinfo
    .split('\n')
    .map((l) => l.split(' ')[4])
    .filter((p): p is string => Boolean(p))
    .map((p) => p.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8))))
    .filter((p) => p === dir || p.startsWith(prefix))
    .sort((a, b) => b.length - a.length);
}

/** Unmounts what containerd left mounted under its dirs (snapshots, shm), deepest first. */
export async function unmountUnder(dir: string): Promise<void> {
  const mountinfo = await readFile('/proc/self/mountinfo', 'utf8');
  for (const point of mountPointsUnder(mountinfo, dir)) {
    await run('umount', [point]).catch(() => run('umount', ['-l', point])).catch(() => undefined);
  }
}

/** rmdir of `dir` and its empty subdirectories, bottom up; anything non-empty (someone else's) stays. */
async function removeEmptyDirs(dir: string): Promise<void> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  for (const e of entries) if (e.isDirectory()) await removeEmptyDirs(join(dir, e.name));
  await rmdir(dir).catch(() => undefined);
}

function run(binary: string, args: readonly string[]): Promise<void> {
  return new Promise((ok, fail) => execFile(binary, args, { timeout: 10_000 }, (err) => (err ? fail(err) : ok())));
}

async function executable(path: string): Promise<boolean> {
  return access(path, constants.X_OK).then(() => true, () => false);
}

async function onPath(name: string): Promise<boolean> {
  for (const dir of (process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin').split(delimiter)) {
    if (dir && (await executable(join(dir, name)))) return true;
  }
  return false;
}
