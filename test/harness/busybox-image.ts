/**
 * Test-only: a minimal OCI image made on the spot from the machine's static busybox (no registry
 * is reachable). One uncompressed layer (/bin/busybox + a symlink per applet), a config, a
 * manifest and an index naming it, packed as an OCI archive with GNU tar for `ctr images import`.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFile, mkdir, mkdtemp, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Ctr } from '../../runtime/containerd/ctr';

export type BusyboxImageOptions = Readonly<{
  /** Full name, e.g. "docker.io/skiff/busybox:test". */
  name: string;
  entrypoint?: readonly string[];
  cmd?: readonly string[];
  env?: readonly string[];
  workingDir?: string;
  busybox?: string;
}>;

export type BusyboxImage = Readonly<{ name: string; tarPath: string; manifestDigest: string }>;

function run(binary: string, args: readonly string[]): Promise<string> {
  return new Promise((ok, fail) =>
    execFile(binary, args, { maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => (err ? fail(new Error(`${binary} ${args.join(' ')}: ${stderr || err.message}`)) : ok(stdout))),
  );
}

async function putBlob(blobs: string, content: Buffer): Promise<{ digest: string; size: number }> {
  const hex = createHash('sha256').update(content).digest('hex');
  await writeFile(join(blobs, hex), content);
  return { digest: `sha256:${hex}`, size: content.length };
}

/** Writes `<dir>/<slug>.oci.tar`; `dir` is the caller's (temp) dir. */
export async function buildBusyboxImage(dir: string, opts: BusyboxImageOptions): Promise<BusyboxImage> {
  const busybox = opts.busybox ?? '/bin/busybox';
  const work = await mkdtemp(join(dir, 'image-'));
  try {
    const rootfs = join(work, 'rootfs');
    for (const d of ['bin', 'dev', 'proc', 'sys', 'tmp', 'etc', 'root']) await mkdir(join(rootfs, d), { recursive: true });
    await copyFile(busybox, join(rootfs, 'bin', 'busybox'));
    const applets = (await run(busybox, ['--list'])).split('\n').map((a) => a.trim()).filter((a) => a && a !== 'busybox');
    for (const a of applets) await symlink('busybox', join(rootfs, 'bin', a));
    const layerTar = join(work, 'layer.tar');
    await run('tar', ['--sort=name', '--owner=0', '--group=0', '--numeric-owner', '--mtime=@0', '-cf', layerTar, '-C', rootfs, '.']);

    const oci = join(work, 'oci');
    const blobs = join(oci, 'blobs', 'sha256');
    await mkdir(blobs, { recursive: true });
    const layer = await putBlob(blobs, await readFile(layerTar));
    const config = await putBlob(blobs, Buffer.from(JSON.stringify({
      architecture: 'amd64',
      os: 'linux',
      config: {
        Env: opts.env ?? ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'],
        ...(opts.entrypoint ? { Entrypoint: opts.entrypoint } : {}),
        Cmd: opts.cmd ?? ['sh'],
        ...(opts.workingDir ? { WorkingDir: opts.workingDir } : {}),
      },
      rootfs: { type: 'layers', diff_ids: [layer.digest] },
    })));
    const manifest = await putBlob(blobs, Buffer.from(JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', ...config },
      layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar', ...layer }],
    })));
    const tag = opts.name.slice(opts.name.lastIndexOf(':') + 1);
    await writeFile(join(oci, 'index.json'), JSON.stringify({
      schemaVersion: 2,
      manifests: [{ mediaType: 'application/vnd.oci.image.manifest.v1+json', ...manifest, annotations: { 'io.containerd.image.name': opts.name, 'org.opencontainers.image.ref.name': tag } }],
    }));
    await writeFile(join(oci, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
    const tarPath = join(dir, `${opts.name.replace(/[^a-zA-Z0-9.-]+/g, '_')}.oci.tar`);
    await run('tar', ['-cf', tarPath, '-C', oci, '.']);
    await stat(tarPath);
    return { name: opts.name, tarPath, manifestDigest: manifest.digest };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

export async function importImage(ctr: Ctr, image: BusyboxImage): Promise<void> {
  await ctr.run(['images', 'import', image.tarPath]);
}
