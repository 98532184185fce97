/**
 * buildImage: the OCI image layout (index, manifest, config, blobs) and the docker archive against
 * the image-spec fields, digests checked by recomputing them, and determinism: the same tree gives
 * the same digests wherever and whenever it was made.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, linkSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { buildImage, busyboxRootfs, hostPlatform, type BuiltImage } from '../../runtime/image';
import { ImageBuildError, ImageNameError } from '../../runtime/image/errors';

const AMD64 = { architecture: 'amd64', os: 'linux' } as const;

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'skiff-oci-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A small tree; `order` reverses the creation order so the directory's own listing order differs. */
function makeTree(name: string, opts: { reverse?: boolean; mtime?: number; toolMode?: number } = {}): string {
  const root = join(dir, name);
  const steps: (() => void)[] = [
    () => mkdirSync(join(root, 'bin'), { recursive: true }),
    () => mkdirSync(join(root, 'etc'), { recursive: true }),
    () => mkdirSync(join(root, 'tmp'), { recursive: true }),
  ];
  const files: (() => void)[] = [
    () => writeFileSync(join(root, 'bin/tool'), '#!/bin/sh\necho tool\n'),
    () => writeFileSync(join(root, 'etc/motd'), 'hello\n'),
    () => writeFileSync(join(root, 'etc/zz'), 'last\n'),
  ];
  mkdirSync(root, { recursive: true });
  for (const step of opts.reverse ? [...steps].reverse() : steps) step();
  for (const step of opts.reverse ? [...files].reverse() : files) step();
  chmodSync(join(root, 'bin/tool'), opts.toolMode ?? 0o755);
  chmodSync(join(root, 'etc/motd'), 0o644);
  chmodSync(join(root, 'etc/zz'), 0o644);
  chmodSync(join(root, 'tmp'), 0o1777);
  symlinkSync('/bin/tool', join(root, 'bin/sh'));
  linkSync(join(root, 'bin/tool'), join(root, 'bin/tool2'));
  if (opts.mtime !== undefined) utimesSync(join(root, 'etc/motd'), opts.mtime, opts.mtime);
  return root;
}

/** The archive unpacked by GNU tar, read back as JSON and blobs. */
function unpack(image: BuiltImage): { dir: string; json: (path: string) => any; blob: (digest: string) => Buffer } {
  const out = mkdtempSync(join(dir, 'unpacked-'));
  writeFileSync(join(out, 'image.tar'), image.archive);
  execFileSync('tar', ['-x', '-f', join(out, 'image.tar'), '-C', out]);
  return {
    dir: out,
    json: (path) => JSON.parse(readFileSync(join(out, path), 'utf8')),
    blob: (digest) => readFileSync(join(out, 'blobs/sha256', digest.replace(/^sha256:/, ''))),
  };
}

const sha256 = (b: Buffer): string => `sha256:${createHash('sha256').update(b).digest('hex')}`;

describe('buildImage: the OCI image layout', () => {
  let image: BuiltImage;
  let layout: ReturnType<typeof unpack>;
  beforeAll(async () => {
    image = await buildImage({ rootfs: makeTree('layout'), name: 'skiff.local/tool:1.0', entrypoint: ['/bin/tool'], cmd: ['--flag', 'x'], env: ['A=1'], workingDir: '/tmp', platform: AMD64 });
    layout = unpack(image);
  });

  it('has oci-layout, index.json and one blob per digest, each named by its sha256', () => {
    expect(layout.json('oci-layout')).toEqual({ imageLayoutVersion: '1.0.0' });
    const blobs = readdirSync(join(layout.dir, 'blobs/sha256'));
    expect(blobs).toHaveLength(3);
    for (const name of blobs) expect(sha256(layout.blob(name))).toBe(`sha256:${name}`);
  });

  it('index.json points at the manifest, named for containerd (full name) and OCI (tag)', () => {
    const index = layout.json('index.json');
    expect(index).toEqual({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.index.v1+json',
      manifests: [
        {
          mediaType: 'application/vnd.oci.image.manifest.v1+json',
          digest: image.manifestDigest,
          size: layout.blob(image.manifestDigest as string).length,
          annotations: { 'io.containerd.image.name': 'skiff.local/tool:1.0', 'org.opencontainers.image.ref.name': '1.0' },
          platform: { architecture: 'amd64', os: 'linux' },
        },
      ],
    });
  });

  it('the manifest lists the config and the gzipped layer with their digests and sizes', () => {
    const manifest = JSON.parse(layout.blob(image.manifestDigest as string).toString());
    expect(manifest).toEqual({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: image.configDigest, size: layout.blob(image.configDigest).length },
      layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: image.layer.digest, size: image.layer.size }],
    });
    expect(layout.blob(image.layer.digest).length).toBe(image.layer.size);
  });

  it('the config: platform, run settings, PATH defaulted, diff_id = sha256 of the uncompressed layer', () => {
    const config = JSON.parse(layout.blob(image.configDigest).toString());
    const layerTar = gunzipSync(layout.blob(image.layer.digest));
    expect(config).toEqual({
      created: '1970-01-01T00:00:00Z',
      architecture: 'amd64',
      os: 'linux',
      config: { Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', 'A=1'], Entrypoint: ['/bin/tool'], Cmd: ['--flag', 'x'], WorkingDir: '/tmp' },
      rootfs: { type: 'layers', diff_ids: [sha256(layerTar)] },
      history: [{ created: '1970-01-01T00:00:00Z', created_by: 'skiff image build' }],
    });
    expect(image.layer.diffId).toBe(sha256(layerTar));
    expect(image.layer.tarSize).toBe(layerTar.length);
  });

  it('the layer holds the tree: root-owned, mtime 0, modes kept, symlink and hard link kept, sorted', () => {
    writeFileSync(join(layout.dir, 'layer.tar.gz'), layout.blob(image.layer.digest));
    const listing = execFileSync('tar', ['--numeric-owner', '-tvzf', join(layout.dir, 'layer.tar.gz')], { encoding: 'utf8', env: { ...process.env, TZ: 'UTC' } });
    expect(listing.trimEnd().split('\n').map((l) => l.replace(/ +/g, ' '))).toEqual([
      'drwxr-xr-x 0/0 0 1970-01-01 00:00 bin/',
      'lrwxrwxrwx 0/0 0 1970-01-01 00:00 bin/sh -> /bin/tool',
      '-rwxr-xr-x 0/0 20 1970-01-01 00:00 bin/tool',
      'hrwxr-xr-x 0/0 0 1970-01-01 00:00 bin/tool2 link to bin/tool',
      'drwxr-xr-x 0/0 0 1970-01-01 00:00 etc/',
      '-rw-r--r-- 0/0 6 1970-01-01 00:00 etc/motd',
      '-rw-r--r-- 0/0 5 1970-01-01 00:00 etc/zz',
      'drwxrwxrwt 0/0 0 1970-01-01 00:00 tmp/',
    ]);
    expect(image.entries).toBe(8);
  });
});

describe('buildImage: determinism', () => {
  it('the same tree made in another order, at another time, in another place → the same bytes and digests', async () => {
    const a = await buildImage({ rootfs: makeTree('same-a'), name: 'skiff.local/tool:1', platform: AMD64 });
    const b = await buildImage({ rootfs: makeTree('same-b', { reverse: true, mtime: 1_600_000_000 }), name: 'skiff.local/tool:1', platform: AMD64 });
    expect(b.archive.equals(a.archive)).toBe(true);
    expect([b.manifestDigest, b.configDigest, b.layer.digest, b.layer.diffId]).toEqual([a.manifestDigest, a.configDigest, a.layer.digest, a.layer.diffId]);
  });

  it('a different mode is a different layer; a different name only a different index', async () => {
    const base = await buildImage({ rootfs: makeTree('mode-a'), name: 'skiff.local/tool:1', platform: AMD64 });
    const mode = await buildImage({ rootfs: makeTree('mode-b', { toolMode: 0o700 }), name: 'skiff.local/tool:1', platform: AMD64 });
    const renamed = await buildImage({ rootfs: makeTree('mode-c'), name: 'skiff.local/other:2', platform: AMD64 });
    expect(mode.layer.diffId).not.toBe(base.layer.diffId);
    expect(renamed.manifestDigest).toBe(base.manifestDigest);
    expect(renamed.archive.equals(base.archive)).toBe(false);
  });

  it('an epoch sets file mtimes and `created`, and so the digests', async () => {
    const root = makeTree('epoch');
    const zero = await buildImage({ rootfs: root, name: 'skiff.local/tool:1', platform: AMD64 });
    const later = await buildImage({ rootfs: root, name: 'skiff.local/tool:1', platform: AMD64, epochSec: 1_700_000_000 });
    expect(later.layer.diffId).not.toBe(zero.layer.diffId);
    expect(JSON.parse(unpack(later).blob(later.configDigest).toString()).created).toBe('2023-11-14T22:13:20Z');
  });
});

describe('buildImage: names', () => {
  it.each([
    ['busybox:1', 'docker.io/library/busybox:1', '1'],
    ['skiff.local/busybox', 'skiff.local/busybox:latest', 'latest'],
    ['localhost:5000/team/app:v2', 'localhost:5000/team/app:v2', 'v2'],
  ])('%s is stored as %s', async (name, full, tag) => {
    const image = await buildImage({ rootfs: makeTree(`name-${tag}`), name, platform: AMD64 });
    expect(image.name).toBe(full);
    expect(unpack(image).json('index.json').manifests[0].annotations).toEqual({ 'io.containerd.image.name': full, 'org.opencontainers.image.ref.name': tag });
  });

  it('refuses a digest name and an invalid one', async () => {
    const root = makeTree('bad-names');
    await expect(buildImage({ rootfs: root, name: `x@sha256:${'a'.repeat(64)}` })).rejects.toThrow(ImageBuildError);
    await expect(buildImage({ rootfs: root, name: 'Upper/Case:1' })).rejects.toThrow(ImageNameError);
  });

  it('refuses a missing directory and a file', async () => {
    await expect(buildImage({ rootfs: join(dir, 'nope'), name: 'x:1' })).rejects.toThrow(`${join(dir, 'nope')}: no such directory`);
    writeFileSync(join(dir, 'plain-file'), 'x');
    await expect(buildImage({ rootfs: join(dir, 'plain-file'), name: 'x:1' })).rejects.toThrow('not a directory');
  });
});

describe('buildImage: the docker archive', () => {
  it('manifest.json names the config (by digest) and the uncompressed layer (by diff_id)', async () => {
    const image = await buildImage({ rootfs: makeTree('docker'), name: 'skiff.local/tool:1', format: 'docker', cmd: ['/bin/tool'], platform: AMD64 });
    expect(image.manifestDigest).toBeUndefined();
    const archive = unpack(image);
    const hex = (d: string): string => d.replace('sha256:', '');
    expect(archive.json('manifest.json')).toEqual([{ Config: `${hex(image.configDigest)}.json`, RepoTags: ['skiff.local/tool:1'], Layers: [`${hex(image.layer.diffId)}/layer.tar`] }]);
    const config = readFileSync(join(archive.dir, `${hex(image.configDigest)}.json`));
    expect(sha256(config)).toBe(image.configDigest);
    expect(sha256(readFileSync(join(archive.dir, `${hex(image.layer.diffId)}/layer.tar`)))).toBe(image.layer.diffId);
    expect(JSON.parse(config.toString()).rootfs.diff_ids).toEqual([image.layer.diffId]);
  });
});

describe('hostPlatform', () => {
  it.each([
    ['x64', { architecture: 'amd64', os: 'linux' }],
    ['arm64', { architecture: 'arm64', os: 'linux', variant: 'v8' }],
    ['ia32', { architecture: '386', os: 'linux' }],
  ])('%s → %j', (arch, platform) => expect(hostPlatform(arch)).toEqual(platform));
});

describe('busyboxRootfs', () => {
  it('a static busybox, its applets as symlinks, passwd/group and the mount points', async () => {
    const root = join(dir, 'busybox');
    const { applets } = await busyboxRootfs(root);
    expect(applets).toEqual(expect.arrayContaining(['bin/sh', 'bin/ls', 'bin/cat', 'bin/echo', 'bin/sleep', 'usr/sbin/httpd', 'usr/bin/wget', 'usr/bin/nc']));
    expect(lstatSync(join(root, 'bin/busybox')).mode & 0o777).toBe(0o755);
    expect(readlinkSync(join(root, 'bin/sh'))).toBe('/bin/busybox');
    expect(readlinkSync(join(root, 'usr/bin/wget'))).toBe('/bin/busybox');
    expect(readFileSync(join(root, 'etc/passwd'), 'utf8')).toMatch(/^root:x:0:0:root:\/root:\/bin\/sh$/m);
    expect(readFileSync(join(root, 'etc/group'), 'utf8')).toMatch(/^root:x:0:$/m);
    expect(lstatSync(join(root, 'tmp')).mode & 0o7777).toBe(0o1777);
    for (const d of ['proc', 'sys', 'dev']) expect(lstatSync(join(root, d)).isDirectory()).toBe(true);
  });

  it('says how to get busybox when it is missing', async () => {
    await expect(busyboxRootfs(join(dir, 'no-busybox'), { busybox: join(dir, 'missing-busybox') })).rejects.toThrow(/not found \(Debian: apt-get install busybox-static\)/);
  });
});
