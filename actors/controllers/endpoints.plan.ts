import type { KubeObject, ObjectMeta } from '../kinds/types';
import { compareText, jsonEqual } from '../patch/json';
import { converged, type Plan, type PlannedCommand } from '../reconcile/plan';
import { isPodReady } from './pod-status';
import { asJson } from './status-change';
import {
  endpointsRef, isHeadless, labelsFor, managesEndpoints, podAddress, resolvePorts, shouldPodBeInEndpoints,
  type EndpointPod, type PodAddress, type ResolvedPort, type Service,
} from './services';

/**
 * The Endpoints controller's decision for one Service (pkg/controller/endpoint), as a pure function
 * of the Service (undefined once deleted), the Endpoints of the same name and the pods of its
 * namespace its selector matches.
 *
 * One Endpoints object named like the Service, its labels the Service's (plus
 * `service.kubernetes.io/headless` for a headless one), its subsets grouped as RepackSubsets groups
 * them: addresses offering the same ports share a subset, ready ones in `addresses`, the others
 * in `notReadyAddresses`. Terminating pods are left out unless `publishNotReadyAddresses`, which
 * also makes every address ready.
 *
 * Differences from upstream, and why:
 * - Subsets, their addresses and ports are sorted by text (ip, then pod uid; port name, number,
 *   protocol) where upstream sorts by a hash of Go's printed struct: same content, a readable order.
 * - No `endpoints.kubernetes.io/last-change-trigger-time` annotation (it measures kube-proxy
 *   programming latency; skiff has no proxy yet) and no truncation past 1000 addresses.
 */

export const ENDPOINT_CONTROLLER = 'endpoint-controller';

export type EndpointSubset = { addresses?: PodAddress[]; notReadyAddresses?: PodAddress[]; ports?: EndpointPort[] };
export type EndpointPort = { name?: string; port: number; protocol: string; appProtocol?: string };
export type Endpoints = KubeObject & { subsets?: EndpointSubset[] };

/** One address offering one port (none for a headless service without ports), ready or not. */
type Offer = { address: PodAddress; port?: EndpointPort; ready: boolean };

export function planEndpoints(service: Service | undefined, existing: Endpoints | undefined, pods: readonly EndpointPod[]): Plan {
  if (!service) {
    // The Service is gone: so is its Endpoints object (upstream deletes it; it has no owner reference).
    return existing ? { commands: [deleteEndpoints(existing)] } : converged;
  }
  if (!managesEndpoints(service)) return converged;
  const subsets = repackSubsets(offersFor(service, pods));
  const labels = labelsFor(service);
  if (existing && jsonEqual(asJson(existing.subsets ?? []), asJson(subsets)) && jsonEqual(existing.metadata.labels ?? {}, labels)) return converged;
  return { commands: [writeEndpoints(service, existing, labels, subsets)] };
}

function offersFor(service: Service, pods: readonly EndpointPod[]): Offer[] {
  const publishNotReady = service.spec?.publishNotReadyAddresses === true;
  const noPorts = (service.spec?.ports ?? []).length === 0;
  return pods
    .filter((pod) => shouldPodBeInEndpoints(pod, publishNotReady))
    .flatMap((pod) => {
      const address = podAddress(service, pod);
      const ready = publishNotReady || isPodReady(pod);
      // A headless service may have no ports: its addresses are published without any.
      if (noPorts) return isHeadless(service) ? [{ address, ready }] : [];
      return resolvePorts(service, pod).map((p) => ({ address, port: endpointPort(p), ready }));
    });
}

function endpointPort(p: ResolvedPort): EndpointPort {
  return { ...(p.name ? { name: p.name } : {}), port: p.port, protocol: p.protocol, ...(p.appProtocol ? { appProtocol: p.appProtocol } : {}) };
}

const addressKey = (a: PodAddress) => `${a.ip}\0${a.targetRef.uid}`;
const portKey = (p: EndpointPort | undefined) => (p ? `${p.name ?? ''}\0${p.port}\0${p.protocol}` : '');

/**
 * endpoints.RepackSubsets: for every port, the addresses offering it (ready wins over not ready
 * for the same address); then ports whose address sets are equal share one subset.
 */
export function repackSubsets(offers: readonly Offer[]): EndpointSubset[] {
  const byPort = new Map<string, { port?: EndpointPort; addresses: Map<string, { address: PodAddress; ready: boolean }> }>();
  for (const offer of offers) {
    const key = portKey(offer.port);
    const entry = byPort.get(key) ?? { port: offer.port, addresses: new Map() };
    byPort.set(key, entry);
    const k = addressKey(offer.address);
    const seen = entry.addresses.get(k);
    if (!seen || !seen.ready) entry.addresses.set(k, { address: offer.address, ready: offer.ready });
  }
  const groups = new Map<string, { ports: EndpointPort[]; addresses: { address: PodAddress; ready: boolean }[] }>();
  for (const { port, addresses } of byPort.values()) {
    const members = [...addresses.values()].sort((a, b) => compareText(addressKey(a.address), addressKey(b.address)));
    const key = members.map((m) => `${addressKey(m.address)}\0${m.ready}`).join('\n');
    const group = groups.get(key) ?? { ports: [], addresses: members };
    groups.set(key, group);
    if (port) group.ports.push(port);
  }
  return [...groups.values()]
    .map(({ ports, addresses }) => subset(addresses, ports.sort((a, b) => compareText(portKey(a), portKey(b)))))
    .sort((a, b) => compareText(subsetKey(a), subsetKey(b)));
}

function subset(members: readonly { address: PodAddress; ready: boolean }[], ports: EndpointPort[]): EndpointSubset {
  const ready = members.filter((m) => m.ready).map((m) => m.address);
  const notReady = members.filter((m) => !m.ready).map((m) => m.address);
  return {
    ...(ready.length ? { addresses: ready } : {}),
    ...(notReady.length ? { notReadyAddresses: notReady } : {}),
    ...(ports.length ? { ports } : {}),
  };
}

function subsetKey(s: EndpointSubset): string {
  return [...(s.ports ?? []).map(portKey), ...[...(s.addresses ?? []), ...(s.notReadyAddresses ?? [])].map(addressKey)].join('\n');
}

function writeEndpoints(service: Service, existing: Endpoints | undefined, labels: Record<string, string>, subsets: EndpointSubset[]): PlannedCommand {
  const namespace = service.metadata.namespace ?? '';
  const name = service.metadata.name ?? '';
  const counts = describeCounts(subsets);
  const body = subsets.length ? { subsets } : {};
  if (!existing) {
    const object: Endpoints = { apiVersion: 'v1', kind: 'Endpoints', metadata: { name, namespace, ...(Object.keys(labels).length ? { labels } : {}) }, ...body };
    return { ref: endpointsRef(namespace, name), payload: { op: 'create', object, fieldManager: ENDPOINT_CONTROLLER }, reason: `Service ${name} selects pods: create its Endpoints with ${counts}` };
  }
  const { subsets: _old, ...rest } = existing;
  const metadata: ObjectMeta = { ...existing.metadata, labels };
  if (!Object.keys(labels).length) delete metadata.labels;
  const object: Endpoints = { ...rest, metadata, ...body };
  return {
    ref: endpointsRef(namespace, name),
    payload: { op: 'replace', object, target: 'main', fieldManager: ENDPOINT_CONTROLLER },
    reason: `the pods Service ${name} selects changed: its Endpoints now hold ${counts}`,
  };
}

function describeCounts(subsets: readonly EndpointSubset[]): string {
  const ready = new Set(subsets.flatMap((s) => (s.addresses ?? []).map(addressKey))).size;
  const notReady = new Set(subsets.flatMap((s) => (s.notReadyAddresses ?? []).map(addressKey))).size;
  return `${ready} ready and ${notReady} not-ready addresses`;
}

function deleteEndpoints(existing: Endpoints): PlannedCommand {
  const uid = existing.metadata.uid;
  return {
    ref: endpointsRef(existing.metadata.namespace ?? '', existing.metadata.name ?? ''),
    payload: { op: 'delete', options: uid ? { preconditions: { uid } } : {} },
    reason: `Service ${existing.metadata.name} is gone: delete its Endpoints`,
  };
}
