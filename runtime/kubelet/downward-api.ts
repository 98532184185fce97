import { parseQuantity } from '../../actors/kinds/defaults';
import type { KubeObject } from '../../actors/kinds/types';
import { qualifiedNameErrors } from '../../actors/kinds/validate';
import { milliCpuOf, unitsOf } from '../../actors/scheduler/resources';
import { PodConfigError } from './errors';

/**
 * The downward API as the kubelet resolves it, for env vars (`valueFrom.fieldRef`,
 * `valueFrom.resourceFieldRef`) and for downwardAPI volume items: pkg/fieldpath,
 * pkg/api/v1/resource and the kubelet's podFieldSelectorRuntimeValue. Errors are thrown as
 * `PodConfigError` with the kubelet's messages.
 */

export type ObjectFieldSelector = Readonly<{ apiVersion?: string; fieldPath?: string }>;
export type ResourceFieldSelector = Readonly<{ containerName?: string; resource?: string; divisor?: unknown }>;
export type ResourceList = Readonly<Record<string, unknown>>;
export type ResourceRequirements = Readonly<{ requests?: ResourceList; limits?: ResourceList }>;
export type ContainerResources = Readonly<{ name: string; resources?: ResourceRequirements }>;

/** The pod's and the node's addresses; absent, those the pod's status reports. */
export type PodAddresses = Readonly<{ podIPs?: readonly string[]; hostIPs?: readonly string[] }>;

/** podshelper.ConvertDownwardAPIFieldLabel: the field paths a v1 Pod's downward API accepts. */
const FIELD_LABELS: ReadonlySet<string> = new Set([
  'metadata.annotations', 'metadata.labels', 'metadata.name', 'metadata.namespace', 'metadata.uid',
  'spec.nodeName', 'spec.restartPolicy', 'spec.serviceAccountName', 'spec.schedulerName',
  'status.phase', 'status.hostIP', 'status.hostIPs', 'status.podIP', 'status.podIPs',
]);

/** An env var's `fieldRef` (the kubelet's podFieldSelectorRuntimeValue). */
export function podFieldValue(pod: KubeObject, selector: ObjectFieldSelector, addresses: PodAddresses): string {
  const path = convertFieldLabel(selector.apiVersion ?? 'v1', selector.fieldPath ?? '');
  const spec = objectAt(pod, 'spec');
  const podIPs = addresses.podIPs ?? reportedIPs(pod, 'podIPs');
  switch (path) {
    case 'spec.nodeName':
      return text(spec.nodeName);
    case 'spec.serviceAccountName':
      return text(spec.serviceAccountName);
    case 'status.hostIP':
      return hostIPsOf(pod, addresses)[0];
    case 'status.hostIPs':
      return hostIPsOf(pod, addresses).join(',');
    case 'status.podIP':
      return podIPs[0] ?? '';
    case 'status.podIPs':
      return podIPs.join(',');
    default:
      return extractFieldPath(pod, path);
  }
}

function convertFieldLabel(version: string, label: string): string {
  if (version !== 'v1') throw new PodConfigError(`unsupported pod version: ${version}`);
  const subscripted = splitSubscriptedPath(label);
  if (subscripted) {
    if (subscripted.path === 'metadata.annotations' || subscripted.path === 'metadata.labels') return label;
    throw new PodConfigError(`field label does not support subscript: ${label}`);
  }
  // Backwards compatibility with old v1 clients, which sent spec.host.
  if (label === 'spec.host') return 'spec.nodeName';
  if (FIELD_LABELS.has(label)) return label;
  throw new PodConfigError(`field label not supported: ${label}`);
}

/** fieldpath.ExtractFieldPathAsString: metadata fields, with `['key']` subscripts on labels and annotations. */
export function extractFieldPath(pod: KubeObject, fieldPath: string): string {
  const meta = pod.metadata;
  const subscripted = splitSubscriptedPath(fieldPath);
  if (subscripted) {
    const { path, key } = subscripted;
    if (path !== 'metadata.annotations' && path !== 'metadata.labels') {
      throw new PodConfigError(`fieldPath ${JSON.stringify(fieldPath)} does not support subscript`);
    }
    const annotations = path === 'metadata.annotations';
    const errs = qualifiedNameErrors(annotations ? key.toLowerCase() : key);
    if (errs.length > 0) throw new PodConfigError(`invalid key subscript in ${fieldPath}: ${errs.join(';')}`);
    return (annotations ? meta.annotations : meta.labels)?.[key] ?? '';
  }
  switch (fieldPath) {
    case 'metadata.annotations':
      return formatMap(meta.annotations ?? {});
    case 'metadata.labels':
      return formatMap(meta.labels ?? {});
    case 'metadata.name':
      return meta.name ?? '';
    case 'metadata.namespace':
      return meta.namespace ?? '';
    case 'metadata.uid':
      return meta.uid ?? '';
    default:
      throw new PodConfigError(`unsupported fieldPath: ${fieldPath}`);
  }
}

/** `metadata.labels['app']` → path and key; anything else → undefined. */
function splitSubscriptedPath(fieldPath: string): { path: string; key: string } | undefined {
  if (!fieldPath.endsWith("']")) return undefined;
  const inner = fieldPath.slice(0, -2);
  const open = inner.indexOf("['");
  if (open <= 0) return undefined;
  return { path: inner.slice(0, open), key: inner.slice(open + 2) };
}

/** fieldpath.FormatMap: `key="value"` lines, keys sorted, values quoted as Go's strconv.Quote does. */
export function formatMap(map: Readonly<Record<string, string>>): string {
  return Object.keys(map)
    .sort()
    .map((k) => `${k}=${goQuote(map[k])}`)
    .join('\n');
}

const GO_ESCAPES: Readonly<Record<string, string>> = { '\x07': '\\a', '\b': '\\b', '\f': '\\f', '\n': '\\n', '\r': '\\r', '\t': '\\t', '\v': '\\v', '"': '\\"', '\\': '\\\\' };

function goQuote(value: string): string {
  let out = '"';
  for (const ch of value) {
    const code = ch.codePointAt(0) ?? 0;
    if (GO_ESCAPES[ch] !== undefined) out += GO_ESCAPES[ch];
    else if (code < 0x20 || code === 0x7f) out += `\\x${code.toString(16).padStart(2, '0')}`;
    else if (code >= 0x80 && code < 0xa0) out += `\\u${code.toString(16).padStart(4, '0')}`;
    else out += ch;
  }
  return `${out}"`;
}

function hostIPsOf(pod: KubeObject, addresses: PodAddresses): readonly string[] {
  const ips = addresses.hostIPs ?? reportedIPs(pod, 'hostIPs');
  if (ips.length === 0) throw new PodConfigError('host IP unknown; known addresses: []');
  return ips;
}

function reportedIPs(pod: KubeObject, field: 'podIPs' | 'hostIPs'): string[] {
  const list = objectAt(pod, 'status')[field];
  return Array.isArray(list) ? list.map((e) => text((e as { ip?: unknown } | null)?.ip)).filter((ip) => ip !== '') : [];
}

const LIMITS_FROM_ALLOCATABLE = ['cpu', 'memory', 'ephemeral-storage'] as const;

/**
 * A `resourceFieldRef` (ExtractContainerResourceValue / ExtractResourceValueByContainerName): the
 * named container's (or `container`'s) request or limit divided by the divisor (default 1),
 * rounded up. A limit that is not set, or zero, is the node's allocatable amount, as the kubelet's
 * defaultPodLimitsForDownwardAPI makes it (hugepages excepted).
 */
export function resourceFieldValue(
  pod: KubeObject,
  container: ContainerResources | undefined,
  selector: ResourceFieldSelector,
  nodeAllocatable: ResourceList = {},
): string {
  const name = selector.containerName ?? '';
  const target = name === '' ? container : findContainer(pod, name);
  if (target === undefined) throw new PodConfigError(`container ${name} not found`);
  const resource = selector.resource ?? '';
  const [list, which = ''] = resource.split(/\.(.*)/s);
  const quantities = list === 'limits' ? limitsWithAllocatable(target, nodeAllocatable) : list === 'requests' ? (target.resources?.requests ?? {}) : undefined;
  const given = parseQuantity(selector.divisor);
  const divisor = given === undefined || given === 0n ? '1' : selector.divisor;
  if (quantities !== undefined && which === 'cpu') return String(Math.ceil(milliCpuOf(quantities.cpu) / milliCpuOf(divisor)));
  if (quantities !== undefined && (which === 'memory' || which === 'ephemeral-storage' || which.startsWith('hugepages-'))) {
    return String(Math.ceil(unitsOf(quantities[which]) / unitsOf(divisor)));
  }
  throw new PodConfigError(`unsupported container resource : ${resource}`);
}

function limitsWithAllocatable(container: ContainerResources, allocatable: ResourceList): ResourceList {
  const limits: Record<string, unknown> = { ...(container.resources?.limits ?? {}) };
  for (const name of LIMITS_FROM_ALLOCATABLE) {
    const set = parseQuantity(limits[name]);
    if ((set === undefined || set === 0n) && allocatable[name] !== undefined) limits[name] = allocatable[name];
  }
  return limits;
}

/** A container of the pod by name: regular containers first, then init containers. */
export function findContainer(pod: KubeObject, name: string): ContainerResources | undefined {
  const spec = objectAt(pod, 'spec');
  for (const list of [spec.containers, spec.initContainers]) {
    const found = Array.isArray(list) ? (list as ContainerResources[]).find((c) => c?.name === name) : undefined;
    if (found) return found;
  }
  return undefined;
}

function objectAt(obj: Readonly<Record<string, unknown>>, field: string): Record<string, unknown> {
  const value = obj[field];
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

function text(value: unknown): string {
  return typeof value === 'string' ? value : '';
}
