/**
 * Test-only: a minimal busybox image made on the spot (no registry is reachable), the way
 * `skiff image build --busybox` makes it: runtime/image `busyboxRootfs` (the machine's static
 * busybox and a symlink per applet) packed by `buildImage` as a one-layer OCI archive, in memory,
 * for `importArchive` (runtime/containerd/images.ts).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Ctr } from '../../runtime/containerd/ctr';
import { importArchive } from '../../runtime/containerd/images';
import { buildImage, busyboxRootfs, type BuiltImage, type RunConfig } from '../../runtime/image';

/** The image config's run settings (entrypoint, cmd — default `["sh"]` —, env, …), its name, and the busybox binary to use. */
export type BusyboxImageOptions = RunConfig &
  Readonly<{
    /** Any reference; the image carries it normalized ("skiff/busybox:test" → "docker.io/skiff/busybox:test"). */
    name: string;
    busybox?: string;
  }>;

/** Builds the root filesystem in a temp dir under `dir` (the caller's), removed again. */
export async function buildBusyboxImage(dir: string, opts: BusyboxImageOptions): Promise<BuiltImage> {
  const { busybox, ...image } = opts;
  const work = await mkdtemp(join(dir, 'image-'));
  try {
    const { dir: rootfs } = await busyboxRootfs(join(work, 'rootfs'), busybox ? { busybox } : {});
    return await buildImage({ ...image, rootfs, cmd: image.cmd ?? ['sh'] });
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/** Builds the busybox image `name` and imports it into a test containerd's namespace. */
export async function importBusyboxImage(containerd: Readonly<{ ctr: Ctr; dataDir: string }>, name: string): Promise<void> {
  await importArchive(containerd.ctr, (await buildBusyboxImage(containerd.dataDir, { name })).archive);
}
