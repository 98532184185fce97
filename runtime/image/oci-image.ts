/**
 * `buildImage`: a root-filesystem directory → a one-layer image as a tar archive that
 * `ctr images import` (and skopeo, podman, `docker load` for the docker format) reads.
 *
 * The OCI archive is an image layout: `oci-layout`, `index.json` (the manifest named by
 * `io.containerd.image.name` = the full name, and `org.opencontainers.image.ref.name` = the tag),
 * `blobs/sha256/…` (gzipped layer, config, manifest). The config's `rootfs.diff_ids` is the
 * sha256 of the uncompressed layer tar. Same tree and options → same bytes → same digests
 * (the gzip bytes are those of Node's zlib; a different zlib may compress differently, the
 * diff_id never changes).
 */
import { gzipSync } from 'node:zlib';
import { dockerArchive } from './docker-archive';
import { ImageBuildError } from './errors';
import { blobOf, hostPlatform, imageConfig, imageIndex, imageManifest, jsonBlob, MediaType, sha256Digest, type Blob, type Platform, type RunConfig } from './image-config';
import { parseImageRef, formatImageRef } from './image-name';
import { treeEntries } from './rootfs-tree';
import { tarArchive, type TarEntry } from './tar';

export const ImageFormat = { oci: 'oci', docker: 'docker' } as const;
export type ImageFormat = (typeof ImageFormat)[keyof typeof ImageFormat];

export type BuildOptions = RunConfig &
  Readonly<{
    /** The directory that becomes the image's `/`. */
    rootfs: string;
    /** Any reference docker accepts; stored normalized (`busybox:1` → `docker.io/library/busybox:1`). */
    name: string;
    format?: ImageFormat;
    /** Defaults to this machine's (the files of the rootfs are usually its binaries). */
    platform?: Platform;
    /** Seconds since the epoch for file mtimes and `created`; default 0 (SOURCE_DATE_EPOCH style). */
    epochSec?: number;
  }>;

export type BuiltImage = Readonly<{
  /** The normalized name the archive carries. */
  name: string;
  format: ImageFormat;
  archive: Buffer;
  /** The config's digest: docker's image id. */
  configDigest: string;
  /** The manifest's digest (OCI format only: containerd writes its own manifest for a docker archive). */
  manifestDigest?: string;
  /** The layer: gzip digest and size as the manifest lists it, diff_id and size of the plain tar. */
  layer: Readonly<{ digest: string; size: number; diffId: string; tarSize: number }>;
  /** How many entries (files, directories, links) the layer has. */
  entries: number;
}>;

export async function buildImage(opts: BuildOptions): Promise<BuiltImage> {
  return imageFromEntries(await treeEntries(opts.rootfs), opts);
}

/** The pure half of `buildImage`: the entries are the layer's content, in order. */
export function imageFromEntries(entries: readonly TarEntry[], opts: Omit<BuildOptions, 'rootfs'>): BuiltImage {
  const ref = parseImageRef(opts.name);
  if (ref.digest !== undefined) throw new ImageBuildError(`cannot build "${opts.name}": a built image is named by a tag, not a digest`);
  const name = formatImageRef(ref);
  const epochSec = opts.epochSec ?? 0;
  const platform = opts.platform ?? hostPlatform();

  const layerTar = tarArchive(entries, { mtimeSec: epochSec });
  const diffId = sha256Digest(layerTar);
  const layer = blobOf(gzipSync(layerTar, { level: 9 }));
  const config = jsonBlob(imageConfig(opts, diffId, platform, epochSec));
  const layerInfo = { digest: layer.digest, size: layer.size, diffId, tarSize: layerTar.length };
  const base = { name, configDigest: config.digest, layer: layerInfo, entries: entries.length };

  if ((opts.format ?? 'oci') === 'docker') {
    return { ...base, format: 'docker', archive: dockerArchive({ name, config, layerTar, diffId, epochSec }) };
  }
  const manifest = jsonBlob(imageManifest(config, [{ mediaType: MediaType.layerGzip, digest: layer.digest, size: layer.size }]));
  const index = jsonBlob(imageIndex(manifest, platform, name, ref.tag));
  return { ...base, format: 'oci', manifestDigest: manifest.digest, archive: ociLayoutArchive(index, [layer, config, manifest], epochSec) };
}

/** The image layout (image-spec `image-layout.md`) as a tar: oci-layout, index.json, blobs/sha256/<hex>. */
function ociLayoutArchive(index: Blob, blobs: readonly Blob[], epochSec: number): Buffer {
  const byDigest = [...new Map(blobs.map((b) => [b.digest, b])).values()].sort((a, b) => (a.digest < b.digest ? -1 : 1));
  return tarArchive(
    [
      { type: 'dir', path: 'blobs', mode: 0o755 },
      { type: 'dir', path: 'blobs/sha256', mode: 0o755 },
      ...byDigest.map((b): TarEntry => ({ type: 'file', path: `blobs/sha256/${b.digest.slice('sha256:'.length)}`, mode: 0o644, data: b.bytes })),
      { type: 'file', path: 'index.json', mode: 0o644, data: index.bytes },
      { type: 'file', path: 'oci-layout', mode: 0o644, data: Buffer.from(JSON.stringify({ imageLayoutVersion: '1.0.0' })) },
    ],
    { mtimeSec: epochSec },
  );
}
