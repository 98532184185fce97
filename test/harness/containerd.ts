/**
 * A private containerd for integration tests (CI runs no daemons): /usr/bin/containerd as root with
 * a generated config in a temp dir — its root, state, sockets, opt dir and runc state all inside
 * it, the CRI plugin off. stop() kills what runs in it, then the daemon (by PID), unmounts whatever
 * is still mounted under the temp dir and removes it. Test-only: runtime/containerd/ manages the
 * production daemon.
 */
import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, readlink, rm, rmdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { runCtr, type Ctr } from '../../runtime/image/ctr-images';
import { waitUntil } from './process';

const run = promisify(execFile);

export type TestContainerd = Ctr &
  Readonly<{
    dir: string;
    pid: number;
    /** runc's state dir for containers started by the test (`ctr run --runc-root`), inside `dir`. */
    runcRoot: string;
    /** `ctr run --rm IMAGE ID COMMAND…` under runc, its fifos and runc state inside `dir`; never rejects. */
    runContainer: (image: string, id: string, command?: readonly string[]) => Promise<Readonly<{ code: number; stdout: string; stderr: string }>>;
    /** containerd's own log so far (for a failing test's message). */
    log: () => string;
    stop: () => Promise<void>;
  }>;

export function containerdAvailable(): boolean {
  return process.getuid?.() === 0 && ['/usr/bin/containerd', '/usr/bin/ctr', '/usr/sbin/runc'].every((p) => existsSync(p));
}

export async function startTestContainerd(opts: { namespace?: string; binary?: string } = {}): Promise<TestContainerd> {
  // Short: the sockets' paths must stay under the 108-byte sun_path limit.
  const dir = await mkdtemp(join(tmpdir(), 'skiff-ctrd-'));
  const address = join(dir, 'containerd.sock');
  const namespace = opts.namespace ?? 'skiff-test';
  const runcRoot = join(dir, 'runc');
  await writeFile(join(dir, 'config.toml'), configToml(dir, address));
  const child = spawn(opts.binary ?? '/usr/bin/containerd', ['--config', join(dir, 'config.toml')], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  child.stderr?.on('data', (c: Buffer) => {
    if (log.length < 256_000) log += c.toString();
  });
  const exited = new Promise<void>((ok) => child.once('exit', () => ok()));
  const ctr: Ctr = { address, namespace };
  const hostDirsBefore = HOST_DIRS.filter((d) => existsSync(d));
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => (stopping ??= stopOnce());
  const stopOnce = async (): Promise<void> => {
    await removeEverything(ctr).catch(() => undefined);
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    }
    await killShimsOf(address);
    await unmountUnder(dir);
    await rm(dir, { recursive: true, force: true });
    await removeHostDirs(hostDirsBefore);
  };
  try {
    await Promise.race([
      waitUntil('containerd to answer', async () => runCtr(ctr, ['version'], { timeoutMs: 5_000 }).then(() => true, () => false), 20_000),
      exited.then(() => Promise.reject(new Error(`containerd exited at start-up:\n${log.slice(-4000)}`))),
    ]);
  } catch (err) {
    await stop();
    throw err;
  }
  return {
    ...ctr,
    dir,
    pid: child.pid as number,
    runcRoot,
    runContainer: (image, id, command = []) =>
      new Promise((ok) => {
        const argv = ['--address', address, '--namespace', namespace, 'run', '--rm', '--fifo-dir', join(dir, 'fifo'), '--runc-root', runcRoot, image, id, ...command];
        execFile('ctr', argv, { timeout: 60_000 }, (err, stdout, stderr) => ok({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr }));
      }),
    log: () => log,
    stop,
  };
}

function configToml(dir: string, address: string): string {
  return `version = 2
root = "${join(dir, 'root')}"
state = "${join(dir, 'state')}"
disabled_plugins = ["io.containerd.grpc.v1.cri", "io.containerd.snapshotter.v1.aufs", "io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.zfs", "io.containerd.snapshotter.v1.devmapper"]

[grpc]
  address = "${address}"

[ttrpc]
  address = "${address}.ttrpc"

[plugins."io.containerd.internal.v1.opt"]
  path = "${join(dir, 'opt')}"
`;
}

/**
 * What containerd 1.6 creates on the host whatever its config says: the shims' socket dir (and,
 * for a `ctr run` without --fifo-dir, ctr's fifo dir). Removed at stop if this daemon made them and
 * they are empty; `rmdir` never removes what another daemon still uses.
 */
const HOST_DIRS = ['/run/containerd/s', '/run/containerd/fifo', '/run/containerd'];

async function removeHostDirs(existedBefore: readonly string[]): Promise<void> {
  for (const d of HOST_DIRS) if (!existedBefore.includes(d)) await rmdir(d).catch(() => undefined);
}

/** Every task killed and deleted, every container removed, in every namespace: no shim outlives the test. */
async function removeEverything(ctr: Ctr): Promise<void> {
  const { stdout } = await runCtr(ctr, ['namespaces', 'ls', '-q'], { timeoutMs: 10_000 });
  for (const namespace of stdout.split('\n').filter(Boolean)) {
    const inNs: Ctr = { ...ctr, namespace };
    const containers = (await runCtr(inNs, ['containers', 'ls', '-q'], { timeoutMs: 10_000 })).stdout.split('\n').filter(Boolean);
    for (const id of containers) {
      await runCtr(inNs, ['tasks', 'kill', '--all', '--signal', 'SIGKILL', id], { timeoutMs: 10_000 }).catch(() => undefined);
      await runCtr(inNs, ['tasks', 'delete', '--force', id], { timeoutMs: 10_000 }).catch(() => undefined);
      await runCtr(inNs, ['containers', 'delete', id], { timeoutMs: 10_000 }).catch(() => undefined);
    }
  }
}

/** Shims of this daemon only: their command line names its socket. */
async function killShimsOf(address: string): Promise<void> {
  for (const pid of await readdir('/proc').then((names) => names.filter((n) => /^\d+$/.test(n)))) {
    const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
    const exe = await readlink(`/proc/${pid}/exe`).catch(() => '');
    if (exe.includes('containerd-shim') && cmdline.split('\0').includes(address)) {
      try {
        process.kill(Number(pid), 'SIGKILL');
      } catch {
        // already gone
      }
    }
  }
}

/** What the daemon or a shim left mounted under `dir` (overlay rootfs, shm), deepest first. */
async function unmountUnder(dir: string): Promise<void> {
  const mounts = (await readFile('/proc/self/mounts', 'utf8'))
    .split('\n')
    .map((line) => line.split(' ')[1]?.replace(/\\040/g, ' '))
    .filter((target): target is string => target !== undefined && (target === dir || target.startsWith(`${dir}/`)))
    .sort((a, b) => b.length - a.length);
  for (const target of mounts) await run('umount', ['-R', target]).catch(() => run('umount', ['-l', target]).catch(() => undefined));
}
