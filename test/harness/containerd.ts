/**
 * Test-only: a containerd of the test's own, started by the production
 * runtime/containerd/daemon.ts `ensureContainerd` (so its config lives in one place) under a temp
 * data dir — its root, state, socket and opt dir inside it, the CRI plugin off, never the
 * machine's containerd — and a fresh namespace `skiff-test-<random>`. `cleanup()` removes every task,
 * container and image of the namespace and the namespace, stops containerd (tasks of every
 * namespace force-deleted, its shims waited for, the daemon ended by its PID, leftovers unmounted),
 * then unmounts what is left under the data dir and deletes it. Used by the integration specs and
 * bench/containerd-start.ts.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm, rmdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCtr, type Ctr } from '../../runtime/containerd/ctr';
import { parseIdLines } from '../../runtime/containerd/ctr-output';
import { ensureContainerd, unmountUnder, type ContainerdDaemon } from '../../runtime/containerd/daemon';

/** Where containerd's runc shims keep each namespace's runc state, whatever containerd's own state dir is. */
export const RUNC_STATE_DIR = '/run/containerd/runc';

export type ContainerRun = Readonly<{ code: number; stdout: string; stderr: string }>;

export type TestContainerd = Readonly<{
  daemon: ContainerdDaemon;
  /** containerd's socket. */
  address: string;
  namespace: string;
  /** ctr for `namespace` at `address`. */
  ctr: Ctr;
  /** The temp dir everything of this containerd lives under. */
  dataDir: string;
  /** containerd's PID. */
  pid: number;
  /** `ctr run --rm IMAGE ID COMMAND…` under runc, its fifos and runc state inside `dataDir`; never rejects. */
  runContainer: (image: string, id: string, command?: readonly string[]) => Promise<ContainerRun>;
  /** Stops it and removes everything it made; idempotent. */
  cleanup: () => Promise<void>;
}>;

export async function startTestContainerd(): Promise<TestContainerd> {
  // Short: containerd's socket lives under it and unix socket paths are limited to 108 bytes.
  const dataDir = await mkdtemp(join(tmpdir(), 'skiff-ctd-'));
  let daemon: ContainerdDaemon;
  try {
    daemon = await ensureContainerd({ dataDir, useExisting: false });
    if (!daemon.startedByUs || daemon.pid === undefined) throw new Error(`a containerd already answers at ${daemon.address}`);
  } catch (err) {
    await rm(dataDir, { recursive: true, force: true });
    throw err;
  }
  const namespace = `skiff-test-${randomBytes(4).toString('hex')}`;
  const ctr = createCtr({ address: daemon.address, namespace });
  let stopped: Promise<void> | undefined;
  return {
    daemon,
    address: daemon.address,
    namespace,
    ctr,
    dataDir,
    pid: daemon.pid,
    runContainer: (image, id, command = []) =>
      new Promise((ok) => {
        const args = ['run', '--rm', '--fifo-dir', join(dataDir, 'fifo'), '--runc-root', join(dataDir, 'runc'), image, id, ...command];
        execFile(ctr.binary, ctr.argv(args), { timeout: 60_000 }, (err, stdout, stderr) => ok({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr }));
      }),
    cleanup: () =>
      (stopped ??= (async () => {
        await emptyNamespace(ctr).catch(() => undefined);
        await daemon.stop();
        // The runc shim's state dir of the namespace (`/run/containerd/runc/<ns>`), left behind empty.
        await rmdir(join(RUNC_STATE_DIR, namespace)).catch(() => undefined);
        await unmountUnder(dataDir);
        await rm(dataDir, { recursive: true, force: true });
      })()),
  };
}

/** Every task, container and image of the namespace gone, then the namespace itself. */
export async function emptyNamespace(ctr: Ctr): Promise<void> {
  const ids = parseIdLines((await ctr.run(['containers', 'ls', '-q'])).stdout);
  for (const id of ids) {
    await ctr.run(['tasks', 'delete', '--force', id]).catch(() => undefined);
    await ctr.run(['containers', 'delete', id]).catch(() => undefined);
  }
  const images = parseIdLines((await ctr.run(['images', 'ls', '-q'])).stdout);
  if (images.length) await ctr.run(['images', 'rm', '--sync', ...images]);
  await ctr.run(['namespaces', 'rm', ctr.namespace]);
}

const NETNS_DIR = '/run/netns';

/**
 * `ip netns add` creates /run/netns and bind-mounts it onto itself. Call before creating sandboxes;
 * the returned function undoes that if it was us and nobody uses the dir any more (umount refuses
 * while a namespace is mounted in it, so another user's namespaces are safe).
 */
export function netnsDirGuard(): () => Promise<void> {
  const existed = existsSync(NETNS_DIR);
  return async () => {
    if (existed || (await readdir(NETNS_DIR).catch(() => ['?'])).length > 0) return;
    await new Promise<void>((ok) => execFile('umount', [NETNS_DIR], () => ok()));
    await rmdir(NETNS_DIR).catch(() => undefined);
  };
}
