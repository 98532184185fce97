/**
 * The JSON documents of an OCI image (image-spec v1.0: config, manifest, index) and their
 * content addresses. Pure: the same inputs give the same bytes, hence the same digests.
 */
import { createHash } from 'node:crypto';

export const MediaType = {
  index: 'application/vnd.oci.image.index.v1+json',
  manifest: 'application/vnd.oci.image.manifest.v1+json',
  config: 'application/vnd.oci.image.config.v1+json',
  layerGzip: 'application/vnd.oci.image.layer.v1.tar+gzip',
} as const;

/** The index annotation containerd names an imported image by (the full reference). */
export const CONTAINERD_IMAGE_NAME = 'io.containerd.image.name';
/** The OCI annotation for a reference inside a layout: by convention the tag only. */
export const OCI_REF_NAME = 'org.opencontainers.image.ref.name';

/** What a container of the image runs, as the image config's `config` section holds it. */
export type RunConfig = Readonly<{
  entrypoint?: readonly string[];
  cmd?: readonly string[];
  /** `KEY=value`; PATH gets the usual default when not given. */
  env?: readonly string[];
  workingDir?: string;
  user?: string;
  labels?: Readonly<Record<string, string>>;
}>;

export type Platform = Readonly<{ architecture: string; os: string; variant?: string }>;

/** A blob: its bytes and how a descriptor points at it. */
export type Blob = Readonly<{ bytes: Buffer; digest: string; size: number }>;

export type Descriptor = Readonly<{ mediaType: string; digest: string; size: number; platform?: Platform; annotations?: Readonly<Record<string, string>> }>;

export const DEFAULT_PATH = 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

export function sha256Digest(bytes: Buffer): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

export function blobOf(bytes: Buffer): Blob {
  return { bytes, digest: sha256Digest(bytes), size: bytes.length };
}

/** JSON as the blob's bytes: compact, keys in the order the object was built. */
export function jsonBlob(value: unknown): Blob {
  return blobOf(Buffer.from(JSON.stringify(value)));
}

const GOARCH: Readonly<Record<string, string>> = { x64: 'amd64', ia32: '386', arm64: 'arm64', arm: 'arm', ppc64: 'ppc64le', s390x: 's390x', riscv64: 'riscv64', loong64: 'loong64', mips: 'mips', mipsel: 'mipsle' };

/** Go's `runtime.GOARCH` (what image platforms say) for Node's `process.arch`. */
export function goArch(nodeArch: string = process.arch): string {
  return GOARCH[nodeArch] ?? nodeArch;
}

/** The platform of this machine (an image built here runs on it; a pulled one is picked for it). */
export function hostPlatform(arch: string = process.arch): Platform {
  return { architecture: goArch(arch), os: 'linux', ...(arch === 'arm64' ? { variant: 'v8' } : {}) };
}

/** The image config (`application/vnd.oci.image.config.v1+json`) of a one-layer image. */
export function imageConfig(run: RunConfig, diffId: string, platform: Platform, createdSec: number): Record<string, unknown> {
  const created = new Date(createdSec * 1000).toISOString().replace('.000Z', 'Z');
  const env = run.env ?? [];
  const config = {
    Env: env.some((e) => e.startsWith('PATH=')) ? [...env] : [DEFAULT_PATH, ...env],
    ...(run.entrypoint ? { Entrypoint: [...run.entrypoint] } : {}),
    ...(run.cmd ? { Cmd: [...run.cmd] } : {}),
    ...(run.workingDir ? { WorkingDir: run.workingDir } : {}),
    ...(run.user ? { User: run.user } : {}),
    ...(run.labels && Object.keys(run.labels).length > 0 ? { Labels: sortedRecord(run.labels) } : {}),
  };
  return {
    created,
    architecture: platform.architecture,
    ...(platform.variant ? { variant: platform.variant } : {}),
    os: platform.os,
    config,
    rootfs: { type: 'layers', diff_ids: [diffId] },
    history: [{ created, created_by: 'skiff image build' }],
  };
}

export function imageManifest(config: Blob, layers: readonly Descriptor[]): Record<string, unknown> {
  return {
    schemaVersion: 2,
    mediaType: MediaType.manifest,
    config: { mediaType: MediaType.config, digest: config.digest, size: config.size },
    layers: layers.map((l) => ({ mediaType: l.mediaType, digest: l.digest, size: l.size })),
  };
}

/** index.json of an image layout holding one image, named for containerd (full name) and OCI (tag). */
export function imageIndex(manifest: Blob, platform: Platform, fullName: string, tag: string | undefined): Record<string, unknown> {
  return {
    schemaVersion: 2,
    mediaType: MediaType.index,
    manifests: [
      {
        mediaType: MediaType.manifest,
        digest: manifest.digest,
        size: manifest.size,
        annotations: { [CONTAINERD_IMAGE_NAME]: fullName, ...(tag === undefined ? {} : { [OCI_REF_NAME]: tag }) },
        platform: { architecture: platform.architecture, os: platform.os, ...(platform.variant ? { variant: platform.variant } : {}) },
      },
    ],
  };
}

function sortedRecord(record: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
