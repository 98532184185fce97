/**
 * Test-only: a containerd of the test's own (temp config, root, state and socket; never the
 * machine's), a fresh namespace `skiff-test-<random>`, and a cleanup that removes every task,
 * container, image and the namespace, stops containerd by its PID, unmounts and deletes the dir.
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

export type TestContainerd = Readonly<{
  daemon: ContainerdDaemon;
  dataDir: string;
  namespace: string;
  ctr: Ctr;
  cleanup: () => Promise<void>;
}>;

export async function startTestContainerd(): Promise<TestContainerd> {
  // Short: containerd's socket lives under it and unix socket paths are limited to 108 bytes.
  const dataDir = await mkdtemp(join(tmpdir(), 'skiff-ctd-'));
  let daemon: ContainerdDaemon;
  try {
    daemon = await ensureContainerd({ dataDir, useExisting: false });
  } catch (err) {
    await rm(dataDir, { recursive: true, force: true });
    throw err;
  }
  const namespace = `skiff-test-${randomBytes(4).toString('hex')}`;
  const ctr = createCtr({ address: daemon.address, namespace });
  return {
    daemon,
    dataDir,
    namespace,
    ctr,
    cleanup: async () => {
      await emptyNamespace(ctr).catch(() => undefined);
      await daemon.stop();
      await unmountUnder(dataDir);
      await rm(dataDir, { recursive: true, force: true });
    },
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
