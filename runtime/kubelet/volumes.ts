import type { KubeObject } from '../../actors/kinds/types';
import { ConfigSources, type ObjectLookups } from './config-sources';
import { extractFieldPath, resourceFieldValue, type ObjectFieldSelector, type ResourceFieldSelector, type ResourceList } from './downward-api';
import { PodConfigError } from './errors';
import { expand } from './expansion';

/**
 * A pod's volumes as the kubelet's volume plugins set them up, planned without I/O: which
 * directories to make, which files to write (through the atomic writer, volume-files.ts), which
 * host paths to check, and where each volume lives on the host. Then, per container, its
 * volumeMounts as the bind mounts the runtime makes (the kubelet's makeMounts).
 *
 * Supported: emptyDir, hostPath, configMap, secret, downwardAPI and projected (configMap, secret
 * and downwardAPI sources). Directories follow the kubelet's layout under the pod directory:
 * `<podDir>/volumes/kubernetes.io~<plugin>/<volume name>`.
 */

export const HostPathType = {
  Unset: '',
  DirectoryOrCreate: 'DirectoryOrCreate',
  Directory: 'Directory',
  FileOrCreate: 'FileOrCreate',
  File: 'File',
  Socket: 'Socket',
  CharDevice: 'CharDevice',
  BlockDevice: 'BlockDevice',
} as const;
export type HostPathType = (typeof HostPathType)[keyof typeof HostPathType];

type KeyToPath = Readonly<{ key?: string; path?: string; mode?: number }>;
type KeyedSource = Readonly<{ items?: readonly KeyToPath[]; optional?: boolean }>;
type DownwardItem = Readonly<{ path?: string; fieldRef?: ObjectFieldSelector; resourceFieldRef?: ResourceFieldSelector; mode?: number }>;
type ProjectedSource = Readonly<{
  configMap?: KeyedSource & Readonly<{ name?: string }>;
  secret?: KeyedSource & Readonly<{ name?: string }>;
  downwardAPI?: Readonly<{ items?: readonly DownwardItem[] }>;
  serviceAccountToken?: Readonly<{ path?: string }>;
  clusterTrustBundle?: Readonly<{ path?: string }>;
}>;

/** core/v1 Volume: the sources skiff sets up. Any other source is reported as unsupported. */
export type VolumeSpec = Readonly<{
  name: string;
  emptyDir?: Readonly<{ medium?: string; sizeLimit?: unknown }>;
  hostPath?: Readonly<{ path?: string; type?: string }>;
  configMap?: KeyedSource & Readonly<{ name?: string; defaultMode?: number }>;
  secret?: KeyedSource & Readonly<{ secretName?: string; defaultMode?: number }>;
  downwardAPI?: Readonly<{ items?: readonly DownwardItem[]; defaultMode?: number }>;
  projected?: Readonly<{ sources?: readonly ProjectedSource[]; defaultMode?: number }>;
}>;

export type VolumeMountSpec = Readonly<{
  name: string;
  mountPath: string;
  readOnly?: boolean;
  subPath?: string;
  subPathExpr?: string;
  mountPropagation?: string;
}>;

export type PlannedDir = Readonly<{ path: string; mode: number; volume?: string }>;
/** One file of a payload: `path` is relative to the payload's directory, cleaned and checked. */
export type PlannedFile = Readonly<{ path: string; data: Buffer; mode: number }>;
/** What the atomic writer puts in one volume's directory (configMap, secret, downwardAPI, projected). */
export type Payload = Readonly<{ volume: string; dir: string; files: readonly PlannedFile[] }>;
export type HostPathCheck = Readonly<{ volume: string; path: string; type: HostPathType }>;
/** A volume that could not be set up, in the kubelet's FailedMount event wording. */
export type VolumeFailure = Readonly<{ volume: string; message: string }>;

export type VolumePlan = Readonly<{
  ok: true;
  /** To create, parents first, then chmod to `mode`. */
  dirs: readonly PlannedDir[];
  payloads: readonly Payload[];
  hostPaths: readonly HostPathCheck[];
  /** Where each volume lives on the host. */
  byName: Readonly<Record<string, string>>;
  /** What was deliberately left out (serviceAccountToken projections), one sentence each. */
  skipped: readonly string[];
}>;
export type VolumePlanResult = VolumePlan | Readonly<{ ok: false; reason: 'FailedMount'; failures: readonly VolumeFailure[] }>;

export type PlanVolumesOptions = Readonly<{ nodeAllocatable?: ResourceList }>;

/** Mode 0644: the API's default defaultMode for configMap, secret, downwardAPI and projected volumes. */
const DEFAULT_MODE = 0o644;
/** The emptyDir plugin makes its directory 0777 whatever the umask; configMap, secret, downwardAPI and projected wrap an emptyDir. */
const VOLUME_DIR_MODE = 0o777;
/** The kubelet's makePodDataDirs. */
const POD_DIR_MODE = 0o750;
const MAX_PATH_LENGTH = 4096;
const MAX_FILE_NAME_LENGTH = 255;

const PLUGIN_DIRS = {
  emptyDir: 'kubernetes.io~empty-dir',
  configMap: 'kubernetes.io~configmap',
  secret: 'kubernetes.io~secret',
  downwardAPI: 'kubernetes.io~downward-api',
  projected: 'kubernetes.io~projected',
} as const;
type PluginVolume = keyof typeof PLUGIN_DIRS;
type VolumeKind = PluginVolume | 'hostPath';
const KINDS: readonly VolumeKind[] = ['emptyDir', 'hostPath', 'configMap', 'secret', 'downwardAPI', 'projected'];

export type VolumeDir = Readonly<{ path: string; kind: VolumeKind; readOnly: boolean }>;

/** The pod's volumes by name: where each lives on the host, and whether it is always mounted read-only. */
export function volumeDirs(pod: KubeObject, podDir: string): ReadonlyMap<string, VolumeDir> {
  const dirs = new Map<string, VolumeDir>();
  for (const volume of volumesOf(pod)) {
    const kind = kindOf(volume);
    if (kind === undefined) continue;
    // configMap, secret, downwardAPI and projected volumes are read-only whatever the mount says.
    const readOnly = kind !== 'emptyDir' && kind !== 'hostPath';
    const path = kind === 'hostPath' ? (volume.hostPath?.path ?? '') : joinPath(podDir, 'volumes', PLUGIN_DIRS[kind], volume.name);
    dirs.set(volume.name, { path, kind, readOnly });
  }
  return dirs;
}

/** Plans the setup of every volume of the pod. Volumes fail independently; any failure fails the plan. */
export function planVolumes(pod: KubeObject, podDir: string, lookups: ObjectLookups, options: PlanVolumesOptions = {}): VolumePlanResult {
  const sources = new ConfigSources(lookups, pod.metadata.namespace ?? '');
  const where = volumeDirs(pod, podDir);
  const dirs: PlannedDir[] = [
    { path: podDir, mode: POD_DIR_MODE },
    { path: joinPath(podDir, 'volumes'), mode: POD_DIR_MODE },
  ];
  const payloads: Payload[] = [];
  const hostPaths: HostPathCheck[] = [];
  const skipped: string[] = [];
  const failures: VolumeFailure[] = [];
  for (const volume of volumesOf(pod)) {
    const dir = where.get(volume.name);
    if (dir === undefined) {
      failures.push({ volume: volume.name, message: unsupported(volume) });
      continue;
    }
    try {
      if (dir.kind === 'hostPath') {
        hostPaths.push({ volume: volume.name, path: dir.path, type: hostPathType(volume.hostPath?.type) });
        continue;
      }
      dirs.push({ path: dir.path, mode: VOLUME_DIR_MODE, volume: volume.name });
      if (dir.kind === 'emptyDir') continue;
      const files = payloadOf(volume, dir.kind, { pod, sources, skipped, nodeAllocatable: options.nodeAllocatable ?? {} });
      payloads.push({ volume: volume.name, dir: dir.path, files });
    } catch (err) {
      if (!(err instanceof PodConfigError)) throw err;
      failures.push({ volume: volume.name, message: `MountVolume.SetUp failed for volume "${volume.name}" : ${err.message}` });
    }
  }
  if (failures.length > 0) return { ok: false, reason: 'FailedMount', failures };
  const byName = Object.fromEntries([...where].map(([name, d]) => [name, d.path]));
  return { ok: true, dirs, payloads, hostPaths, byName, skipped };
}

type PayloadContext = Readonly<{ pod: KubeObject; sources: ConfigSources; skipped: string[]; nodeAllocatable: ResourceList }>;
type Projection = Map<string, Readonly<{ data: Buffer; mode: number }>>;

function payloadOf(volume: VolumeSpec, kind: Exclude<PluginVolume, 'emptyDir'>, ctx: PayloadContext): PlannedFile[] {
  let projection: Projection;
  switch (kind) {
    case 'configMap': {
      const source = volume.configMap ?? {};
      projection = configMapProjection(source, source.name ?? '', source.defaultMode ?? DEFAULT_MODE, ctx.sources);
      break;
    }
    case 'secret': {
      const source = volume.secret ?? {};
      projection = secretProjection(source, source.secretName ?? '', source.defaultMode ?? DEFAULT_MODE, ctx.sources);
      break;
    }
    case 'downwardAPI':
      projection = downwardProjection(volume.downwardAPI?.items ?? [], volume.downwardAPI?.defaultMode ?? DEFAULT_MODE, ctx);
      break;
    case 'projected':
      projection = projectedProjection(volume, ctx);
      break;
    default: {
      const never: never = kind;
      throw new Error(`unknown volume kind ${String(never)}`);
    }
  }
  return [...projection]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([path, file]) => ({ path: payloadPath(path), data: file.data, mode: file.mode }));
}

/** configmap.MakePayload: every key (data, then binaryData), or the listed items. */
function configMapProjection(source: KeyedSource, name: string, defaultMode: number, sources: ConfigSources): Projection {
  const optional = source.optional === true;
  const configMap = sources.requiredConfigMap(name, optional);
  const values = new Map<string, Buffer>();
  for (const [k, v] of configMap?.data ?? []) values.set(k, Buffer.from(v, 'utf8'));
  for (const [k, v] of configMap?.binaryData ?? []) values.set(k, v);
  return keyProjection(values, source, defaultMode, (key) => `configmap references non-existent config key: ${key}`);
}

/** secret.MakePayload. */
function secretProjection(source: KeyedSource, name: string, defaultMode: number, sources: ConfigSources): Projection {
  const values = sources.requiredSecret(name, source.optional === true) ?? new Map<string, Buffer>();
  return keyProjection(values, source, defaultMode, (key) => `secret references non-existent secret key: ${key}`);
}

function keyProjection(values: ReadonlyMap<string, Buffer>, source: KeyedSource, defaultMode: number, missing: (key: string) => string): Projection {
  const out: Projection = new Map();
  if (!source.items || source.items.length === 0) {
    for (const [key, data] of values) out.set(key, { data, mode: defaultMode });
    return out;
  }
  for (const item of source.items) {
    const data = values.get(item.key ?? '');
    if (data === undefined) {
      if (source.optional === true) continue;
      throw new PodConfigError(missing(item.key ?? ''));
    }
    out.set(item.path ?? '', { data, mode: item.mode ?? defaultMode });
  }
  return out;
}

/** downwardapi.CollectData: every item is tried; the errors are aggregated. */
function downwardProjection(items: readonly DownwardItem[], defaultMode: number, ctx: PayloadContext): Projection {
  const out: Projection = new Map();
  const errors: string[] = [];
  for (const item of items) {
    const path = cleanPath(item.path ?? '');
    const mode = item.mode ?? defaultMode;
    try {
      let value = '';
      if (item.fieldRef) value = extractFieldPath(ctx.pod, item.fieldRef.fieldPath ?? '');
      else if (item.resourceFieldRef) value = resourceFieldValue(ctx.pod, undefined, item.resourceFieldRef, ctx.nodeAllocatable);
      out.set(path, { data: Buffer.from(value, 'utf8'), mode });
    } catch (err) {
      if (!(err instanceof PodConfigError)) throw err;
      errors.push(err.message);
    }
  }
  if (errors.length > 0) throw new PodConfigError(aggregate(errors));
  return out;
}

/** projected's collectData: sources in order, a later one overriding an earlier one's paths. */
function projectedProjection(volume: VolumeSpec, ctx: PayloadContext): Projection {
  const defaultMode = volume.projected?.defaultMode ?? DEFAULT_MODE;
  const out: Projection = new Map();
  const errors: string[] = [];
  for (const source of volume.projected?.sources ?? []) {
    try {
      let part: Projection = new Map();
      if (source.secret) part = secretProjection(source.secret, source.secret.name ?? '', defaultMode, ctx.sources);
      else if (source.configMap) part = configMapProjection(source.configMap, source.configMap.name ?? '', defaultMode, ctx.sources);
      else if (source.downwardAPI) part = downwardProjection(source.downwardAPI.items ?? [], defaultMode, ctx);
      else if (source.serviceAccountToken) ctx.skipped.push(skippedSource(volume.name, 'serviceAccountToken', source.serviceAccountToken.path));
      else if (source.clusterTrustBundle) ctx.skipped.push(skippedSource(volume.name, 'clusterTrustBundle', source.clusterTrustBundle.path));
      for (const [path, file] of part) out.set(path, file);
    } catch (err) {
      if (!(err instanceof PodConfigError)) throw err;
      errors.push(err.message);
    }
  }
  if (errors.length > 0) throw new PodConfigError(aggregate(errors));
  return out;
}

function skippedSource(volume: string, source: string, path: string | undefined): string {
  return `volume "${volume}": the ${source} projection (path "${path ?? ''}") is not supported yet; its file is left out`;
}

/** utilerrors.NewAggregate(...).Error(): one message as it is, several deduplicated in brackets. */
function aggregate(messages: readonly string[]): string {
  const unique = [...new Set(messages)];
  return unique.length === 1 ? unique[0] : `[${unique.join(', ')}]`;
}

/** The atomic writer's validatePath, then path.Clean. */
function payloadPath(path: string): string {
  if (path === '') throw new PodConfigError(`invalid path: must not be empty: ""`);
  if (path.startsWith('/')) throw new PodConfigError(`invalid path: must be relative path: ${path}`);
  if (path.length > MAX_PATH_LENGTH) throw new PodConfigError(`invalid path: must be less than or equal to ${MAX_PATH_LENGTH} characters`);
  const items = path.split('/');
  for (const item of items) {
    if (item === '..') throw new PodConfigError(`invalid path: must not contain '..': ${path}`);
    if (item.length > MAX_FILE_NAME_LENGTH) throw new PodConfigError(`invalid path: filenames must be less than or equal to ${MAX_FILE_NAME_LENGTH} characters`);
  }
  if (items[0].startsWith('..') && items[0].length > 2) throw new PodConfigError(`invalid path: must not start with '..': ${path}`);
  const clean = cleanPath(path);
  if (clean === '.') throw new PodConfigError(`invalid path: must not be empty: "${path}"`);
  return clean;
}

function hostPathType(type: string | undefined): HostPathType {
  const known = Object.values(HostPathType) as string[];
  if (known.includes(type ?? '')) return (type ?? '') as HostPathType;
  throw new PodConfigError(`${type} is an invalid volume type`);
}

function unsupported(volume: VolumeSpec): string {
  const source = Object.keys(volume).find((k) => k !== 'name') ?? 'none';
  return `volume "${volume.name}" is a ${source} volume: skiff sets up only ${KINDS.join(', ')} volumes so far`;
}

function kindOf(volume: VolumeSpec): VolumeKind | undefined {
  const present = Object.keys(volume).filter((k) => k !== 'name' && (volume as Record<string, unknown>)[k] != null);
  if (present.length !== 1) return undefined;
  return KINDS.find((k) => k === present[0]);
}

function volumesOf(pod: KubeObject): readonly VolumeSpec[] {
  const spec = pod.spec as { volumes?: readonly VolumeSpec[] } | undefined;
  return spec?.volumes ?? [];
}

// ---------------------------------------------------------------------------------------------
// Mounts (the kubelet's makeMounts)

/** runc's names for the CRI propagation modes (private, HostToContainer, Bidirectional). */
export type MountPropagation = 'rprivate' | 'rslave' | 'rshared';

export type Mount = Readonly<{
  /** The volume's name. */
  name: string;
  /** What to bind-mount: the volume's directory, or a path inside it for a subPath. */
  hostPath: string;
  containerPath: string;
  readOnly: boolean;
  propagation: MountPropagation;
  /**
   * Set for a subPath mount: the runtime side makes the directory if it is missing (as the kubelet
   * does, with the volume's mode) and checks it stays inside the volume (volume-files.ts
   * prepareSubPaths) before it mounts it.
   */
  subPath?: Readonly<{ volumePath: string; path: string }>;
}>;

type MountingContainer = Readonly<{ name: string; volumeMounts?: readonly VolumeMountSpec[] }>;

/**
 * A container's volumeMounts as bind mounts, in order. `env` is the container's environment, for
 * subPathExpr. Throws `PodConfigError` (→ CreateContainerConfigError) as makeMounts fails.
 */
export function containerMounts(pod: KubeObject, container: MountingContainer, podDir: string, env: ReadonlyMap<string, string>): Mount[] {
  const dirs = volumeDirs(pod, podDir);
  return (container.volumeMounts ?? []).map((mount) => {
    const volume = dirs.get(mount.name);
    if (volume === undefined) throw new PodConfigError(`cannot find volume "${mount.name}" to mount into container "${container.name}"`);
    const subPath = mount.subPathExpr ? expandSubPathExpr(mount.subPathExpr, env) : (mount.subPath ?? '');
    if (subPath !== '') {
      if (subPath.startsWith('/')) throw new PodConfigError(`error SubPath \`${subPath}\` must not be an absolute path`);
      if (subPath.split('/').includes('..')) throw new PodConfigError(`unable to provision SubPath \`${subPath}\`: must not contain '..'`);
    }
    return {
      name: mount.name,
      hostPath: subPath === '' ? volume.path : joinPath(volume.path, subPath),
      containerPath: mount.mountPath.startsWith('/') ? mount.mountPath : `/${mount.mountPath}`,
      readOnly: mount.readOnly === true || volume.readOnly,
      propagation: propagationOf(mount.mountPropagation),
      ...(subPath === '' ? {} : { subPath: { volumePath: volume.path, path: cleanPath(subPath) } }),
    };
  });
}

/** ExpandContainerVolumeMounts: every referenced variable must be set and non-empty. */
function expandSubPathExpr(expr: string, env: ReadonlyMap<string, string>): string {
  const missing = new Set<string>();
  const expanded = expand(expr, (name) => {
    const value = env.get(name) ?? '';
    if (value === '') missing.add(name);
    return value;
  });
  if (missing.size > 0) throw new PodConfigError(`missing value for ${[...missing].sort().join(', ')}`);
  return expanded;
}

function propagationOf(mode: string | undefined): MountPropagation {
  switch (mode ?? 'None') {
    case 'None':
      return 'rprivate';
    case 'HostToContainer':
      return 'rslave';
    case 'Bidirectional':
      return 'rshared';
    default:
      throw new PodConfigError(`invalid MountPropagation mode: "${mode}"`);
  }
}

// ---------------------------------------------------------------------------------------------
// Slash paths, as Go's path package handles them (kept free of node:path: this module is pure)

/** path.Clean. */
export function cleanPath(path: string): string {
  const rooted = path.startsWith('/');
  const out: string[] = [];
  for (const part of path.split('/')) {
    if (part === '' || part === '.') continue;
    if (part !== '..') out.push(part);
    else if (out.length > 0 && out[out.length - 1] !== '..') out.pop();
    else if (!rooted) out.push('..');
  }
  const joined = out.join('/');
  return rooted ? `/${joined}` : joined || '.';
}

/** path.Join. */
export function joinPath(...parts: readonly string[]): string {
  const nonEmpty = parts.filter((p) => p !== '');
  return nonEmpty.length === 0 ? '' : cleanPath(nonEmpty.join('/'));
}
