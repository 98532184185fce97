import type { KubeObject, ObjectMeta } from '../kinds/types';
import { compareText, jsonEqual } from '../patch/json';
import { converged, type Plan, type PlannedCommand } from '../reconcile/plan';
import { freeNames, generatedPrefix } from './generated-names';
import { isPodReady } from './pod-status';
import { asJson } from './status-change';
import {
  endpointSliceRef, isHeadless, labelsFor, managesEndpoints, podAddress, resolvePorts, SERVICE_NAME_LABEL, shouldPodBeInEndpoints,
  type EndpointPod, type ObjectReference, type ResolvedPort, type Service,
} from './services';
import { controllerRef } from './workloads';

/**
 * The EndpointSlice controller's decision for one Service (pkg/controller/endpointslice), as a
 * pure function of the Service, the slices it manages for it, the names already taken and the
 * pods its selector matches.
 *
 * Every pod with an address and not terminal becomes an endpoint — ready (Ready and not
 * terminating, or always with `publishNotReadyAddresses`), serving (Ready), terminating — in a
 * slice of pods resolving the service's ports the same way, at most 100 per slice. A service
 * without endpoints keeps one empty placeholder slice. Slices are owned by the Service, so the
 * garbage collector removes them with it.
 *
 * Differences from upstream, and why:
 * - Names are `<service>-<5 chars>` as generateName would make them, but the suffix is a hash of
 *   the Service's uid and a slot number: a replayed pass asks for the same names.
 * - Placement keeps an endpoint in the slice that holds it, fills slices with room in name order,
 *   then creates new ones; upstream's reconciler also weighs churn against packing. Endpoints in a
 *   slice are sorted by pod name, so a converged pass plans nothing.
 * - Only IPv4 (skiff's pod addresses); no topology hints, no trigger-time annotation.
 */

export const ENDPOINTSLICE_CONTROLLER = 'endpointslice-controller.k8s.io';
export const MANAGED_BY_LABEL = 'endpointslice.kubernetes.io/managed-by';
/** The controller's --max-endpoints-per-slice default. */
export const MAX_ENDPOINTS_PER_SLICE = 100;

export type EndpointConditions = { ready: boolean; serving: boolean; terminating: boolean };
export type Endpoint = {
  addresses: string[];
  conditions: EndpointConditions;
  hostname?: string;
  targetRef: ObjectReference;
  nodeName?: string;
  zone?: string;
};
/** discovery/v1 EndpointPort: name, protocol and port are pointers upstream, so always written. */
export type SlicePort = { name: string; protocol: string; port: number; appProtocol?: string };
export type EndpointSlice = KubeObject & { addressType?: string; endpoints?: Endpoint[] | null; ports?: SlicePort[] | null };

export type SliceViews = Readonly<{
  /** The slices of this service that this controller manages (its managed-by label). */
  slices: readonly EndpointSlice[];
  /** The pods of the service's namespace its selector matches. */
  pods: readonly EndpointPod[];
  /** Names of every EndpointSlice in the namespace (new names avoid them). */
  taken: ReadonlySet<string>;
  /** topology.kubernetes.io/zone of the nodes that have one. */
  zones?: ReadonlyMap<string, string>;
}>;

type Group = { ports: SlicePort[]; endpoints: Endpoint[] };

export function planEndpointSlices(service: Service | undefined, views: SliceViews): Plan {
  // A deleted Service's slices go with it through their owner reference (the garbage collector).
  if (!service || !managesEndpoints(service) || service.metadata.deletionTimestamp) return converged;
  const groups = groupEndpoints(service, views.pods, views.zones ?? new Map());
  if (groups.length === 0) groups.push({ ports: [], endpoints: [] }); // the placeholder slice
  const slices = [...views.slices].sort((a, b) => compareText(a.metadata.name ?? '', b.metadata.name ?? ''));
  const claimed = new Set<EndpointSlice>();
  const wanted: { slice?: EndpointSlice; group: Group }[] = [];
  for (const group of groups) {
    const key = portsKey(group.ports);
    const mine = slices.filter((s) => !claimed.has(s) && portsKey(s.ports ?? []) === key);
    for (const s of mine) claimed.add(s);
    wanted.push(...place(group, mine));
  }
  const kept = new Set(wanted.map((w) => w.slice));
  // A placeholder reuses a leftover slice rather than creating a new one.
  const leftover = slices.find((s) => !kept.has(s));
  if (groups[0].endpoints.length === 0 && wanted.length === 1 && !wanted[0].slice && leftover) {
    wanted[0] = { slice: leftover, group: wanted[0].group };
    kept.add(leftover);
  }
  const taken = new Set(views.taken);
  const newNames = freeNames(generatedPrefix(`${service.metadata.name ?? ''}-`), service.metadata.uid ?? service.metadata.name ?? '', taken, wanted.filter((w) => !w.slice).length);
  const commands: PlannedCommand[] = [];
  for (const w of wanted) {
    const command = w.slice ? updateSlice(service, w.slice, w.group) : createSlice(service, newNames.shift() ?? '', w.group);
    if (command) commands.push(command);
  }
  commands.push(...slices.filter((s) => !kept.has(s)).map((s) => deleteSlice(service, s)));
  return commands.length ? { commands } : converged;
}

/** One endpoint per pod, grouped by the ports they resolve to (groups in port order, endpoints by pod name). */
function groupEndpoints(service: Service, pods: readonly EndpointPod[], zones: ReadonlyMap<string, string>): Group[] {
  const groups = new Map<string, Group>();
  const noPorts = (service.spec?.ports ?? []).length === 0 && isHeadless(service);
  const sorted = [...pods].sort((a, b) => compareText(a.metadata.name ?? '', b.metadata.name ?? ''));
  for (const pod of sorted.filter((p) => shouldPodBeInEndpoints(p, true))) {
    const ports = noPorts ? [] : resolvePorts(service, pod).map(slicePort);
    const key = portsKey(ports);
    const group = groups.get(key) ?? { ports, endpoints: [] };
    groups.set(key, group);
    group.endpoints.push(endpointOf(service, pod, zones));
  }
  return [...groups.entries()].sort(([a], [b]) => compareText(a, b)).map(([, g]) => g);
}

function slicePort(p: ResolvedPort): SlicePort {
  return { name: p.name, protocol: p.protocol, port: p.port, ...(p.appProtocol ? { appProtocol: p.appProtocol } : {}) };
}

const portsKey = (ports: readonly SlicePort[]) => JSON.stringify(ports.map((p) => [p.name, p.protocol, p.port, p.appProtocol ?? '']));

/** podToEndpoint: ready never true while terminating (unless publishNotReadyAddresses), serving is the Ready condition. */
function endpointOf(service: Service, pod: EndpointPod, zones: ReadonlyMap<string, string>): Endpoint {
  const address = podAddress(service, pod);
  const serving = isPodReady(pod);
  const terminating = !!pod.metadata.deletionTimestamp;
  const ready = service.spec?.publishNotReadyAddresses === true || (serving && !terminating);
  const zone = address.nodeName ? zones.get(address.nodeName) : undefined;
  return {
    addresses: [address.ip],
    conditions: { ready, serving, terminating },
    ...(address.hostname ? { hostname: address.hostname } : {}),
    targetRef: address.targetRef,
    ...(address.nodeName ? { nodeName: address.nodeName } : {}),
    ...(zone ? { zone } : {}),
  };
}

/**
 * Which slice of a port group holds which endpoint: each stays where it is, the rest fill the
 * slices with room (name order), then new slices; slices left empty are not wanted (deleted).
 */
function place(group: Group, slices: readonly EndpointSlice[]): { slice?: EndpointSlice; group: Group }[] {
  const byUid = new Map(group.endpoints.map((e) => [e.targetRef.uid, e]));
  const placed = new Set<string>();
  const kept = slices.map((slice) => {
    const endpoints: Endpoint[] = [];
    for (const e of slice.endpoints ?? []) {
      const uid = e.targetRef?.uid ?? '';
      const now = byUid.get(uid);
      if (!now || placed.has(uid) || endpoints.length >= MAX_ENDPOINTS_PER_SLICE) continue;
      placed.add(uid);
      endpoints.push(now);
    }
    return { slice, endpoints };
  });
  const rest = group.endpoints.filter((e) => !placed.has(e.targetRef.uid));
  for (const k of kept) while (k.endpoints.length < MAX_ENDPOINTS_PER_SLICE && rest.length > 0) k.endpoints.push(rest.shift() as Endpoint);
  const out: { slice?: EndpointSlice; group: Group }[] = kept
    .filter((k) => k.endpoints.length > 0 || (group.endpoints.length === 0 && k === kept[0]))
    .map((k) => ({ slice: k.slice, group: { ports: group.ports, endpoints: k.endpoints } }));
  for (let i = 0; i < rest.length; i += MAX_ENDPOINTS_PER_SLICE) out.push({ group: { ports: group.ports, endpoints: rest.slice(i, i + MAX_ENDPOINTS_PER_SLICE) } });
  if (out.length === 0) out.push({ group });
  return out;
}

const byPodName = (a: Endpoint, b: Endpoint) => compareText(a.targetRef.name, b.targetRef.name) || compareText(a.targetRef.uid, b.targetRef.uid);

/** The fields this controller owns on a slice: labels, owner, address type, endpoints and ports. */
function desiredFields(service: Service, group: Group) {
  const labels = { ...labelsFor(service, [SERVICE_NAME_LABEL, MANAGED_BY_LABEL]), [SERVICE_NAME_LABEL]: service.metadata.name ?? '', [MANAGED_BY_LABEL]: ENDPOINTSLICE_CONTROLLER };
  return { labels, ownerReferences: [controllerRef(service)], addressType: 'IPv4', endpoints: [...group.endpoints].sort(byPodName), ports: group.ports };
}

function createSlice(service: Service, name: string, group: Group): PlannedCommand {
  const namespace = service.metadata.namespace ?? '';
  const { labels, ownerReferences, ...body } = desiredFields(service, group);
  const prefix = generatedPrefix(`${service.metadata.name ?? ''}-`);
  const object: EndpointSlice = { apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', metadata: { name, generateName: prefix, namespace, labels, ownerReferences }, ...body };
  return {
    ref: endpointSliceRef(namespace, name),
    payload: { op: 'create', object, fieldManager: ENDPOINTSLICE_CONTROLLER },
    reason: `Service ${service.metadata.name} needs a slice for ${describe(group)}`,
  };
}

function updateSlice(service: Service, slice: EndpointSlice, group: Group): PlannedCommand | undefined {
  const { labels, ownerReferences, ...body } = desiredFields(service, group);
  const same = jsonEqual(slice.metadata.labels ?? {}, labels)
    && jsonEqual(asJson(slice.metadata.ownerReferences ?? []), asJson(ownerReferences))
    && slice.addressType === body.addressType
    && jsonEqual(asJson(slice.endpoints ?? []), asJson(body.endpoints))
    && jsonEqual(asJson(slice.ports ?? []), asJson(body.ports));
  if (same) return undefined;
  const metadata: ObjectMeta = { ...slice.metadata, labels, ownerReferences };
  const name = slice.metadata.name ?? '';
  return {
    ref: endpointSliceRef(slice.metadata.namespace ?? '', name),
    payload: { op: 'replace', object: { ...slice, metadata, ...body }, target: 'main', fieldManager: ENDPOINTSLICE_CONTROLLER },
    reason: `the pods Service ${service.metadata.name} selects changed: slice ${name} now holds ${describe(group)}`,
  };
}

function deleteSlice(service: Service, slice: EndpointSlice): PlannedCommand {
  const uid = slice.metadata.uid;
  return {
    ref: endpointSliceRef(slice.metadata.namespace ?? '', slice.metadata.name ?? ''),
    payload: { op: 'delete', options: uid ? { preconditions: { uid } } : {} },
    reason: `Service ${service.metadata.name} no longer needs slice ${slice.metadata.name}: its endpoints fit in the others`,
  };
}

function describe(group: Group): string {
  const ready = group.endpoints.filter((e) => e.conditions.ready).length;
  const ports = group.ports.map((p) => `${p.port}/${p.protocol}`).join(',') || 'no ports';
  return `${group.endpoints.length} endpoints (${ready} ready) on ${ports}`;
}
