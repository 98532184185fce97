import type { ObjectsProjection } from '../../projections/objects.projection';
import { scopeKey, type Change, type ObjectStore, type Scope } from '../../projections/object-store';
import type { KubeObject } from '../kinds/types';
import type { Reconciler } from '../reconcile/controller';
import { planEndpoints, type Endpoints } from './endpoints.plan';
import { ENDPOINTSLICE_CONTROLLER, MANAGED_BY_LABEL, planEndpointSlices, type EndpointSlice } from './endpointslice.plan';
import { endpointsRef, SERVICE_NAME_LABEL, selects, type EndpointPod, type Service } from './services';

/**
 * The drivers' side of the Endpoints and EndpointSlice controllers: keys are Services
 * (`namespace/name`); a pod's change concerns the Services of its namespace whose selector
 * matches it now or matched it before; the views come from the object projection, pods through
 * its label index.
 */

const PODS: Scope = { group: '', resource: 'pods' };
const NODES: Scope = { group: '', resource: 'nodes' };
const SERVICES: Scope = { group: '', resource: 'services' };
const ENDPOINTS: Scope = { group: '', resource: 'endpoints' };
const SLICES: Scope = { group: 'discovery.k8s.io', resource: 'endpointslices' };
/** Endpoints holding a leader-election record have no Service and are not ours (checkLeftoverEndpoints). */
const LEADER_ANNOTATION = 'control-plane.alpha.kubernetes.io/leader';

const keyOf = (o: KubeObject) => `${o.metadata.namespace ?? ''}/${o.metadata.name}`;
const split = (key: string) => {
  const [namespace, name] = key.split('/');
  return { namespace, name };
};

function objectsIn(store: ObjectStore, scope: Scope, namespace?: string): KubeObject[] {
  const out: KubeObject[] = [];
  store.scan(scope, namespace, undefined, (_k, e) => {
    out.push(e.object);
    return true;
  });
  return out;
}

/** Keys of the Services of the pod's namespace that select it now or selected it before. */
function servicesOfPod(store: ObjectStore, change: Change): string[] {
  const namespace = change.object.metadata.namespace ?? '';
  const labels = [change.object.metadata.labels, change.previous?.metadata.labels];
  return objectsIn(store, SERVICES, namespace).filter((svc) => labels.some((l) => selects(svc as Service, l))).map(keyOf);
}

/** The pods of the service's namespace its selector matches, found through the label index on its rarest pair. */
function selectedPods(store: ObjectStore, service: Service): EndpointPod[] {
  const candidates = Object.entries(service.spec?.selector ?? {})
    .map(([k, v]) => store.keysWithLabel(PODS, k, v))
    .reduce<ReadonlySet<string> | undefined>((best, keys) => (!best || (keys?.size ?? 0) < best.size ? (keys ?? new Set()) : best), undefined);
  const namespace = service.metadata.namespace;
  return [...(candidates ?? [])]
    .flatMap((key) => store.getByKey(key)?.object ?? [])
    .filter((pod) => pod.metadata.namespace === namespace && selects(service, pod.metadata.labels)) as EndpointPod[];
}

function serviceKeysFor(store: ObjectStore, change: Change, own: (change: Change) => string[]): string[] {
  if (change.scope === scopeKey(SERVICES)) return [keyOf(change.object)];
  if (change.scope === scopeKey(PODS)) return servicesOfPod(store, change);
  return own(change);
}

const serviceAt = (store: ObjectStore, key: string) => store.get({ ...SERVICES, ...split(key) })?.object as Service | undefined;

export function endpointsReconciler(projection: ObjectsProjection): Reconciler {
  const { store } = projection;
  let started = false;
  return {
    identity: 'system:serviceaccount:kube-system:endpoint-controller',
    // An Endpoints object deleted by hand is written again; other changes to it wait for the resync.
    keysFor: (c) => serviceKeysFor(store, c, (ch) => (ch.scope === scopeKey(ENDPOINTS) && ch.type === 'DELETED' ? [keyOf(ch.object)] : [])),
    allKeys: () => {
      const services = objectsIn(store, SERVICES).map(keyOf);
      if (started) return services;
      // On start, Endpoints left behind by Services deleted while the controller was down.
      started = true;
      const leftovers = objectsIn(store, ENDPOINTS).filter((e) => !e.metadata.annotations?.[LEADER_ANNOTATION]).map(keyOf);
      return [...new Set([...services, ...leftovers])];
    },
    plan: (key) => {
      const service = serviceAt(store, key);
      const existing = store.get(endpointsRef(split(key).namespace, split(key).name))?.object as Endpoints | undefined;
      return planEndpoints(service, existing, service ? selectedPods(store, service) : []);
    },
  };
}

/** The service a slice this controller manages belongs to (its service-name label), now or before. */
function serviceOfSlice(change: Change): string[] {
  const keys = new Set<string>();
  for (const o of [change.object, change.previous]) {
    const service = o?.metadata.labels?.[SERVICE_NAME_LABEL];
    if (service && o?.metadata.labels?.[MANAGED_BY_LABEL] === ENDPOINTSLICE_CONTROLLER) keys.add(`${o.metadata.namespace ?? ''}/${service}`);
  }
  return [...keys];
}

export function endpointSliceReconciler(projection: ObjectsProjection): Reconciler {
  const { store } = projection;
  return {
    identity: 'system:serviceaccount:kube-system:endpointslice-controller',
    keysFor: (c) => serviceKeysFor(store, c, (ch) => (ch.scope === scopeKey(SLICES) ? serviceOfSlice(ch) : [])),
    allKeys: () => objectsIn(store, SERVICES).map(keyOf),
    plan: (key) => {
      const service = serviceAt(store, key);
      if (!service) return planEndpointSlices(undefined, { slices: [], pods: [], taken: new Set() });
      const { namespace, name } = split(key);
      const inNamespace = objectsIn(store, SLICES, namespace) as EndpointSlice[];
      const slices = inNamespace.filter((s) => s.metadata.labels?.[SERVICE_NAME_LABEL] === name && s.metadata.labels?.[MANAGED_BY_LABEL] === ENDPOINTSLICE_CONTROLLER);
      const pods = selectedPods(store, service);
      const zones = new Map<string, string>();
      for (const node of new Set(pods.flatMap((p) => p.spec?.nodeName ?? []))) {
        const zone = store.get({ ...NODES, namespace: '', name: node })?.object.metadata.labels?.['topology.kubernetes.io/zone'];
        if (zone) zones.set(node, zone);
      }
      return planEndpointSlices(service, { slices, pods, taken: new Set(inNamespace.map((s) => s.metadata.name ?? '')), zones });
    },
  };
}
