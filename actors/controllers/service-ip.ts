import { createHash } from 'node:crypto';
import type { ObjectRef } from '../../eventlog/types';
import type { ObjectsProjection } from '../../projections/objects.projection';
import { entryKey, refOfKey, scopeKey } from '../../projections/object-store';
import { contains, formatCidr, formatIPv4, lastOf, parseCidr, parseIPv4, sizeOf, type Cidr } from '../../netd/cidr';
import type { KubeObject } from '../kinds/types';
import type { Reconciler } from '../reconcile/controller';
import { converged, type Plan } from '../reconcile/plan';

/**
 * Service ClusterIPs, as kube-apiserver's MultiCIDRServiceAllocator keeps them: every allocated
 * address is a cluster-scoped networking.k8s.io/v1 IPAddress named by the address, and creating
 * it is the claim (AlreadyExists: taken). The API server claims; this module says which
 * addresses to try and, as upstream's repair loop, removes addresses whose Service is gone.
 */

export const DEFAULT_SERVICE_CIDR = '10.96.0.0/12';
/** Candidates tried before a create gives up with "range is full". */
export const MAX_ALLOCATION_TRIES = 64;
/** How long a fresh IPAddress may lack its Service (the claim comes before the Service's create). */
export const ORPHAN_GRACE_MS = 10_000;

const IP_SCOPE = { group: 'networking.k8s.io', resource: 'ipaddresses' };
const SERVICE_SCOPE = { group: '', resource: 'services' };

export const SERVICE_IP_REPAIR = 'system:serviceaccount:kube-system:service-ip-repair';

/** The types that get a ClusterIP: all but ExternalName (a defaulted-away type is ClusterIP). */
export function needsClusterIP(spec: Readonly<Record<string, unknown>>): boolean {
  const type = spec.type ?? 'ClusterIP';
  if (type !== 'ClusterIP' && type !== 'NodePort' && type !== 'LoadBalancer' && type !== '') return false;
  return spec.clusterIP === undefined || spec.clusterIP === null || spec.clusterIP === '';
}

export function ipAddressRef(ip: string): ObjectRef {
  return { group: 'networking.k8s.io', resource: 'ipaddresses', namespace: '', name: ip };
}

export function ipAddressObject(ip: string, namespace: string, name: string): KubeObject {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'IPAddress',
    metadata: { name: ip, labels: { 'ipaddress.kubernetes.io/managed-by': 'ipallocator.k8s.io' } },
    spec: { parentRef: { group: '', resource: 'services', namespace, name } },
  } as KubeObject;
}

/**
 * Up to `tries` distinct candidate addresses for a Service, in order: a start fixed by a hash of
 * namespace/name, then the next ones, wrapping. Never the network, the broadcast, nor the first
 * host address (.1, upstream's `kubernetes` Service).
 */
export function candidateIPs(cidrText: string, namespace: string, name: string, tries = MAX_ALLOCATION_TRIES): string[] {
  const cidr = parseCidr(cidrText);
  const usable = sizeOf(cidr) - 3; // offsets 2 … size-2
  if (usable <= 0) return [];
  const start = createHash('sha256').update(`${namespace}/${name}`).digest().readUInt32BE(0) % usable;
  const out: string[] = [];
  for (let i = 0; i < Math.min(tries, usable); i++) out.push(formatIPv4(cidr.base + 2 + ((start + i) % usable)));
  return out;
}

/** Why a requested clusterIP cannot be used at all, worded as upstream; undefined when it can. */
export function requestedIPProblem(cidrText: string, ip: string): string | undefined {
  const cidr: Cidr = parseCidr(cidrText);
  let n: number;
  try {
    n = parseIPv4(ip);
  } catch {
    return 'must be a valid IP address';
  }
  if (formatIPv4(n) !== ip) return 'must be a valid IP address';
  if (!contains(cidr, n) || n === cidr.base || n === lastOf(cidr)) {
    return `failed to allocate IP ${ip}: the provided IP (${ip}) is not in the valid range. The range of valid IPs is ${formatCidr(cidr)}`;
  }
  return undefined;
}

/** Pure: delete an IPAddress whose parent Service is gone or no longer holds it, once past the grace. */
export function planServiceIP(projection: ObjectsProjection, key: string, nowMs: number, graceMs = ORPHAN_GRACE_MS): Plan {
  const entry = projection.store.getByKey(key);
  if (!entry || entry.object.metadata.deletionTimestamp) return converged;
  const ip = entry.object.metadata.name ?? '';
  const parent = ((entry.object.spec ?? {}) as { parentRef?: { group?: string; resource?: string; namespace?: string; name?: string } }).parentRef;
  if (!parent || parent.resource !== 'services' || (parent.group ?? '') !== '') return converged;
  const service = projection.store.get({ group: '', resource: 'services', namespace: parent.namespace ?? '', name: parent.name ?? '' })?.object;
  const spec = (service?.spec ?? {}) as { clusterIP?: string; clusterIPs?: string[] };
  if (service && (spec.clusterIP === ip || (spec.clusterIPs ?? []).includes(ip))) return converged;
  const created = Date.parse(entry.object.metadata.creationTimestamp ?? '');
  const age = Number.isFinite(created) ? nowMs - created : Infinity;
  if (age < graceMs) return { commands: [], requeueAfterMs: graceMs - age + 100 };
  return {
    commands: [{
      ref: refOfKey(key),
      payload: { op: 'delete', options: { propagationPolicy: 'Background', preconditions: { uid: entry.object.metadata.uid } } },
      reason: `its service ${parent.namespace}/${parent.name} is gone or no longer holds ${ip}`,
    }],
  };
}

/** Upstream's ClusterIP repair loop, cut down to releasing addresses of deleted Services. */
export function serviceIPRepairReconciler(projection: ObjectsProjection, opts: { graceMs?: number } = {}): Reconciler {
  const ipKeys = (): string[] => {
    const keys: string[] = [];
    projection.store.scan(IP_SCOPE, undefined, undefined, (key) => (keys.push(key), true));
    return keys;
  };
  const keysOfService = (service: KubeObject | undefined): string[] => {
    const spec = (service?.spec ?? {}) as { clusterIP?: string; clusterIPs?: string[] };
    const ips = new Set([spec.clusterIP, ...(spec.clusterIPs ?? [])].filter((ip): ip is string => !!ip && ip !== 'None'));
    return [...ips].map((ip) => entryKey(ipAddressRef(ip)));
  };
  return {
    identity: SERVICE_IP_REPAIR,
    keysFor: (change) => {
      if (change.scope === scopeKey(IP_SCOPE)) return [entryKey(ipAddressRef(change.object.metadata.name ?? ''))];
      if (change.scope === scopeKey(SERVICE_SCOPE)) return [...new Set([...keysOfService(change.object), ...keysOfService(change.previous)])];
      return [];
    },
    allKeys: ipKeys,
    plan: (key, nowMs) => planServiceIP(projection, key, nowMs, opts.graceMs),
  };
}
