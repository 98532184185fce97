/**
 * The `docker save` archive (format v1.2, as `docker load` and `ctr images import` read it):
 * `manifest.json` naming the config and the layer tars, `<config hex>.json`, and
 * `<diff_id hex>/layer.tar` uncompressed. Pure.
 */
import type { Blob } from './image-config';
import { tarArchive } from './tar';

export type DockerArchiveInput = Readonly<{ name: string; config: Blob; layerTar: Buffer; diffId: string; epochSec: number }>;

export function dockerArchive(input: DockerArchiveInput): Buffer {
  const configFile = `${hex(input.config.digest)}.json`;
  const layerDir = hex(input.diffId);
  const manifest = [{ Config: configFile, RepoTags: [input.name], Layers: [`${layerDir}/layer.tar`] }];
  return tarArchive(
    [
      { type: 'dir', path: layerDir, mode: 0o755 },
      { type: 'file', path: `${layerDir}/layer.tar`, mode: 0o644, data: input.layerTar },
      { type: 'file', path: configFile, mode: 0o644, data: input.config.bytes },
      { type: 'file', path: 'manifest.json', mode: 0o644, data: Buffer.from(JSON.stringify(manifest)) },
    ],
    { mtimeSec: input.epochSec },
  );
}

function hex(digest: string): string {
  return digest.slice(digest.indexOf(':') + 1);
}
