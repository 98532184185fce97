import type { ObjectRef } from '../../eventlog/types';
import type { ObjectsProjection } from '../../projections/objects.projection';
import { scopeKey, type Change, type ObjectStore, type Scope } from '../../projections/object-store';
import type { KubeObject } from '../kinds/types';
import type { Reconciler } from '../reconcile/controller';
import { converged } from '../reconcile/plan';
import { planScheduling, SCHEDULER_NAME } from '../scheduler';
import { UnschedulablePods } from '../scheduler/unschedulable-pods';
import { planDeployment } from './deployment.plan';
import { planReplicaSet } from './replicaset.plan';
import type { Deployment, Pod, ReplicaSet } from './workloads';

/**
 * The drivers' side of the workload controllers and the scheduler: which keys a change concerns,
 * and the views each pure plan reads, taken from the object projection (with its owner index).
 */

const PODS: Scope = { group: '', resource: 'pods' };
const NODES: Scope = { group: '', resource: 'nodes' };
const REPLICA_SETS: Scope = { group: 'apps', resource: 'replicasets' };
const DEPLOYMENTS: Scope = { group: 'apps', resource: 'deployments' };

const keyOf = (o: KubeObject) => `${o.metadata.namespace ?? ''}/${o.metadata.name}`;
const refOf = (scope: Scope, key: string): ObjectRef => {
  const [namespace, name] = key.split('/');
  return { ...scope, namespace, name };
};

/** Keys of the controller owners of kind `kind` of the object in a change (now and before). */
function ownerKeys(change: Change, kind: string): string[] {
  const keys = new Set<string>();
  for (const o of [change.object, change.previous]) {
    const owner = o?.metadata.ownerReferences?.find((r) => r.controller && r.kind === kind);
    if (owner) keys.add(`${o?.metadata.namespace ?? ''}/${owner.name}`);
  }
  return [...keys];
}

function ownedBy<T extends KubeObject>(store: ObjectStore, owner: KubeObject): T[] {
  const out: T[] = [];
  for (const key of store.keysOwnedBy(owner.metadata.uid ?? '')) {
    const entry = store.getByKey(key);
    if (entry) out.push(entry.object as T);
  }
  return out;
}

function all(store: ObjectStore, scope: Scope, keep: (o: KubeObject) => boolean = () => true): KubeObject[] {
  const out: KubeObject[] = [];
  store.scan(scope, undefined, undefined, (_k, e) => {
    if (keep(e.object)) out.push(e.object);
    return true;
  });
  return out;
}

export function replicaSetReconciler(projection: ObjectsProjection): Reconciler {
  const { store } = projection;
  const scope = scopeKey(REPLICA_SETS);
  const pods = scopeKey(PODS);
  return {
    identity: 'system:serviceaccount:kube-system:replicaset-controller',
    keysFor: (c) => (c.scope === scope ? [keyOf(c.object)] : c.scope === pods ? ownerKeys(c, 'ReplicaSet') : []),
    allKeys: () => all(store, REPLICA_SETS).map(keyOf),
    plan: (key, nowMs) => {
      const rs = store.get(refOf(REPLICA_SETS, key))?.object as ReplicaSet | undefined;
      return rs ? planReplicaSet(rs, ownedBy<Pod>(store, rs), nowMs) : converged;
    },
  };
}

export function deploymentReconciler(projection: ObjectsProjection): Reconciler {
  const { store } = projection;
  const scope = scopeKey(DEPLOYMENTS);
  const replicaSets = scopeKey(REPLICA_SETS);
  return {
    identity: 'system:serviceaccount:kube-system:deployment-controller',
    keysFor: (c) => (c.scope === scope ? [keyOf(c.object)] : c.scope === replicaSets ? ownerKeys(c, 'Deployment') : []),
    allKeys: () => all(store, DEPLOYMENTS).map(keyOf),
    plan: (key, nowMs) => {
      const d = store.get(refOf(DEPLOYMENTS, key))?.object as Deployment | undefined;
      if (!d) return converged;
      const owned = ownedBy<ReplicaSet>(store, d);
      const podsByReplicaSet = new Map(owned.map((rs) => [rs.metadata.uid ?? '', ownedBy<Pod>(store, rs)]));
      return planDeployment(d, owned, podsByReplicaSet, nowMs);
    },
  };
}

const nodeNameOf = (pod: KubeObject) => (pod.spec as { nodeName?: string } | undefined)?.nodeName;
const phaseOf = (pod: KubeObject) => (pod.status as { phase?: string } | undefined)?.phase;
const terminal = (pod: KubeObject) => phaseOf(pod) === 'Succeeded' || phaseOf(pod) === 'Failed';
const schedulerOf = (pod: KubeObject) => (pod.spec as { schedulerName?: string } | undefined)?.schedulerName ?? SCHEDULER_NAME;

/** Pods per scheduling pass: a pass runs synchronously, so a bounded one keeps the API answering. */
const SCHEDULING_BATCH = 500;

/**
 * The scheduler works in passes over the pending pods: one key, run again when a change may let a
 * pod be placed. Pods no node could take wait in the unschedulable queue until then.
 */
export function schedulerReconciler(projection: ObjectsProjection): Reconciler {
  const { store } = projection;
  const pods = scopeKey(PODS);
  const nodes = scopeKey(NODES);
  const PASS = 'pass';
  const unschedulable = new UnschedulablePods();
  return {
    identity: 'system:serviceaccount:kube-system:default-scheduler',
    keysFor: (c) => ((c.scope === pods || c.scope === nodes) && unschedulable.observe(c, c.scope === nodes) ? [PASS] : []),
    allKeys: () => [PASS],
    plan: (_key, nowMs) => {
      const pending = [...store.keysOfPodsOn('')].flatMap((key) => store.getByKey(key)?.object ?? [])
        .filter((p) => !p.metadata.deletionTimestamp && schedulerOf(p) === SCHEDULER_NAME && unschedulable.ready(keyOf(p), nowMs));
      const plan = pending.length === 0 ? { ...converged, unschedulable: [] } : planScheduling(pending, all(store, NODES), all(store, PODS, (p) => nodeNameOf(p) !== undefined && !terminal(p)), nowMs, SCHEDULING_BATCH);
      for (const { key, waitsForPods } of plan.unschedulable) unschedulable.park(key, waitsForPods, nowMs);
      const retry = unschedulable.nextRetryInMs(nowMs);
      return plan.requeueAfterMs !== undefined || retry === undefined ? plan : { ...plan, requeueAfterMs: retry };
    },
  };
}
