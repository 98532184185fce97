import type { Json } from '../kinds/types';
import { reject, type Rejection } from '../rejection';
import { hasKey, isJsonObject, type JsonObject } from './json';

/**
 * How the built-in kinds merge their lists and maps, transcribed from the Go struct tags in k8s.io/api
 * (`patchStrategy`/`patchMergeKey` for strategic merge patch, `listType`/`listMapKey`/`mapType`/`structType`
 * for server-side apply). Paths are dotted field names from the object root; `[]` steps into list items,
 * e.g. `spec.containers[].ports`. Lists and maps not named here are replaced whole by a patch, and owned
 * whole (lists) or field by field (maps) by server-side apply.
 */
export type MergeStrategy =
  /**
   * Items are objects merged by key. `mergeKey` is the strategic-merge-patch key; `keys` are server-side
   * apply's listMapKeys where there are several, and `keyDefaults` the API defaults for keys a client may omit.
   */
  | Readonly<{ type: 'map'; mergeKey: string; keys?: readonly string[]; keyDefaults?: Readonly<Record<string, Json>> }>
  /** Items are scalars merged as a set (a merged []string; listType=set). */
  | Readonly<{ type: 'set' }>
  /** A map that server-side apply owns and replaces as a whole. Strategic merge patch still merges it key by key. */
  | Readonly<{ type: 'atomic' }>;

export type StrategyTable = Readonly<Record<string, MergeStrategy>>;

const byName: MergeStrategy = { type: 'map', mergeKey: 'name' };
const byType: MergeStrategy = { type: 'map', mergeKey: 'type' };
const byIp: MergeStrategy = { type: 'map', mergeKey: 'ip' };
const set: MergeStrategy = { type: 'set' };
const atomic: MergeStrategy = { type: 'atomic' };

/** Field names that merge the same way wherever they appear: every built-in status `conditions` list is keyed by type. */
export const ANY_PATH_STRATEGIES: StrategyTable = { conditions: byType };

const OBJECT_META: StrategyTable = {
  ownerReferences: { type: 'map', mergeKey: 'uid' },
  finalizers: set,
};

const CONTAINER: StrategyTable = {
  ports: { type: 'map', mergeKey: 'containerPort', keys: ['containerPort', 'protocol'], keyDefaults: { protocol: 'TCP' } },
  env: byName,
  volumeMounts: { type: 'map', mergeKey: 'mountPath' },
  volumeDevices: { type: 'map', mergeKey: 'devicePath' },
};

const POD_SPEC: StrategyTable = {
  containers: byName,
  initContainers: byName,
  ephemeralContainers: byName,
  ...nest('containers[]', CONTAINER),
  ...nest('initContainers[]', CONTAINER),
  ...nest('ephemeralContainers[]', CONTAINER),
  volumes: byName,
  imagePullSecrets: byName,
  hostAliases: byIp,
  resourceClaims: byName,
  schedulingGates: byName,
  topologySpreadConstraints: { type: 'map', mergeKey: 'topologyKey', keys: ['topologyKey', 'whenUnsatisfiable'] },
  nodeSelector: atomic,
};

const POD_TEMPLATE: StrategyTable = { ...nest('metadata', OBJECT_META), ...nest('spec', POD_SPEC) };

/** A workload whose pods come from `spec.template` and are chosen by the LabelSelector `spec.selector` (structType=atomic). */
const WORKLOAD: StrategyTable = { ...nest('spec.template', POD_TEMPLATE), 'spec.selector': atomic };

/** Per kind, on top of `metadata` (OBJECT_META) and ANY_PATH_STRATEGIES, which every kind shares. */
export const MERGE_STRATEGIES: Readonly<Record<string, StrategyTable>> = {
  Pod: { ...nest('spec', POD_SPEC), 'status.podIPs': byIp },
  PodTemplate: nest('template', POD_TEMPLATE),
  ReplicationController: nest('spec.template', POD_TEMPLATE),
  Deployment: WORKLOAD,
  ReplicaSet: WORKLOAD,
  StatefulSet: WORKLOAD,
  DaemonSet: WORKLOAD,
  Job: WORKLOAD,
  CronJob: { ...nest('spec.jobTemplate.spec.template', POD_TEMPLATE), 'spec.jobTemplate.spec.selector': atomic },
  Service: {
    'spec.ports': { type: 'map', mergeKey: 'port', keys: ['port', 'protocol'], keyDefaults: { protocol: 'TCP' } },
    'spec.selector': atomic,
  },
  // Node spec.taints has no patch strategy upstream (listType=atomic): a patch replaces the whole list.
  Node: { 'spec.podCIDRs': set, 'status.addresses': byType },
  Namespace: {},
  ConfigMap: {},
  Secret: {},
  ServiceAccount: { secrets: byName },
  Event: {},
  Endpoints: {},
};

const COMMON: StrategyTable = nest('metadata', OBJECT_META);

/** Strategic merge patch and server-side apply differ only in atomic maps and in which fields identify a list item. */
export type MergeMode = 'strategic' | 'apply';

export type KeyedList = MergeStrategy & { type: 'map' };

/** The strategy for the field at `path` (see MergeStrategy) in an object of `kind`, or undefined: replace whole. */
export function strategyAt(kind: string, path: string): MergeStrategy | undefined {
  const field = path.slice(path.lastIndexOf('.') + 1);
  const table = own(MERGE_STRATEGIES, kind) ?? {};
  return own(table, path) ?? own(COMMON, path) ?? own(ANY_PATH_STRATEGIES, field);
}

/**
 * The fields that identify an item of a keyed list, sorted by name: the patch merge key under strategic merge
 * patch; server-side apply's listMapKeys, with API defaults filled in, under apply. Undefined when the item is
 * not an object or lacks a key field that has no default.
 */
export function findItemKey(item: Json, strategy: KeyedList, mode: MergeMode): JsonObject | undefined {
  if (!isJsonObject(item)) return undefined;
  const fields = keyFieldsOf(strategy, mode).map(([name, fallback]) => [name, hasKey(item, name) ? item[name] : fallback] as const);
  return fields.every((f): f is readonly [string, Json] => f[1] !== undefined) ? Object.fromEntries(fields) : undefined;
}

/** findItemKey, for input that must be well formed: a malformed item is a 400 with upstream's message. */
export function itemKey(item: Json, strategy: KeyedList, mode: MergeMode): JsonObject {
  const key = findItemKey(item, strategy, mode);
  if (key !== undefined) return key;
  if (!isJsonObject(item)) throw notAnItem(strategy);
  const [missing] = keyFieldsOf(strategy, mode).find(([name, fallback]) => !hasKey(item, name) && fallback === undefined) ?? [strategy.mergeKey];
  throw reject.badRequest(`map: ${JSON.stringify(item)} does not contain declared merge key: ${missing}`);
}

/** [field, default] pairs, sorted by field name as structured-merge-diff sorts key fields. */
function keyFieldsOf(strategy: KeyedList, mode: MergeMode): (readonly [string, Json | undefined])[] {
  const names = mode === 'apply' ? (strategy.keys ?? [strategy.mergeKey]) : [strategy.mergeKey];
  const defaults = mode === 'apply' ? (strategy.keyDefaults ?? {}) : {};
  return [...names].sort().map((name) => [name, own(defaults, name)] as const);
}

export function notAnItem(strategy: KeyedList): Rejection {
  return reject.badRequest(`list element types are not identical: expected objects in a list merged by "${strategy.mergeKey}"`);
}

/** The path notation of the tables: `spec` + `containers` → `spec.containers`. List items add `[]` to their list's path. */
export function childPath(path: string, field: string): string {
  return path === '' ? field : `${path}.${field}`;
}

/** Own properties only, so names like "constructor" never reach Object.prototype. */
function own<T>(table: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.hasOwn(table, key) ? table[key] : undefined;
}

function nest(prefix: string, table: StrategyTable): StrategyTable {
  return Object.fromEntries(Object.entries(table).map(([path, strategy]) => [`${prefix}.${path}`, strategy]));
}
