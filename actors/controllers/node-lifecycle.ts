import type { ObjectRef } from '../../eventlog/types';
import type { ObjectsProjection } from '../../projections/objects.projection';
import { scopeKey } from '../../projections/object-store';
import { rfc3339 } from '../ids';
import type { KubeObject } from '../kinds/types';
import type { Reconciler } from '../reconcile/controller';
import { converged, type Plan, type PlannedCommand } from '../reconcile/plan';

/**
 * The node lifecycle controller: a node whose heartbeats stop for longer than the grace period
 * becomes Ready=Unknown and gets the `node.kubernetes.io/unreachable` taints (NoSchedule, so nothing
 * new lands there; NoExecute, so its pods are evicted once their toleration runs out — 300 s by
 * default — and their controllers replace them elsewhere). Heartbeats are renewals on their own
 * subject, not events: only these transitions are recorded.
 */

export const NODE_LIFECYCLE_CONTROLLER = 'system:serviceaccount:kube-system:node-controller';
export const UNREACHABLE = 'node.kubernetes.io/unreachable';

type Taint = { key: string; value?: string; effect: string; timeAdded?: string };
type Toleration = { key?: string; operator?: string; value?: string; effect?: string; tolerationSeconds?: number };
type Condition = { type: string; status: string; lastHeartbeatTime?: string; lastTransitionTime?: string; reason?: string; message?: string };

export type NodeLifecycleOptions = Readonly<{ gracePeriodMs: number }>;

const conditionsOf = (node: KubeObject) => ((node.status as { conditions?: Condition[] } | undefined)?.conditions ?? []);
const taintsOf = (node: KubeObject) => ((node.spec as { taints?: Taint[] } | undefined)?.taints ?? []);
const nodeRef = (name: string): ObjectRef => ({ group: '', resource: 'nodes', namespace: '', name });

/** When the node last said it was alive: its heartbeat, or the Ready condition it last reported. */
function lastSeenMs(node: KubeObject, heartbeatMs: number | undefined): number {
  const reported = Date.parse(conditionsOf(node).find((c) => c.type === 'Ready')?.lastHeartbeatTime ?? '') || 0;
  return Math.max(heartbeatMs ?? 0, reported);
}

/** How long a pod stays on an unreachable node: 0 = evict now, undefined = tolerates it for good. */
export function toleratedForMs(pod: KubeObject): number | undefined {
  const tolerations = ((pod.spec as { tolerations?: Toleration[] } | undefined)?.tolerations ?? []).filter(
    (t) => (t.key === UNREACHABLE || (t.key === undefined && t.operator === 'Exists')) && (t.effect === undefined || t.effect === '' || t.effect === 'NoExecute'),
  );
  if (tolerations.length === 0) return 0;
  if (tolerations.some((t) => t.tolerationSeconds === undefined)) return undefined;
  return Math.max(0, ...tolerations.map((t) => (t.tolerationSeconds ?? 0) * 1000));
}

function unreachable(node: KubeObject, nowMs: number): PlannedCommand[] {
  const name = node.metadata.name as string;
  const at = rfc3339(nowMs);
  const commands: PlannedCommand[] = [];
  const ready = conditionsOf(node).find((c) => c.type === 'Ready');
  if (ready?.status !== 'Unknown') {
    const conditions = conditionsOf(node).map((c) => ({ type: c.type, status: 'Unknown', lastTransitionTime: at, reason: 'NodeStatusUnknown', message: 'Kubelet stopped posting node status.' }));
    commands.push({
      ref: nodeRef(name),
      payload: { op: 'patch', patchType: 'strategic', patch: { status: { conditions } }, target: 'status', fieldManager: 'node-controller', force: false },
      reason: `node ${name} missed its heartbeats for longer than the grace period`,
    });
  }
  const taints = taintsOf(node);
  const missing = ['NoSchedule', 'NoExecute'].filter((effect) => !taints.some((t) => t.key === UNREACHABLE && t.effect === effect));
  if (missing.length > 0) {
    const added = missing.map((effect) => ({ key: UNREACHABLE, effect, ...(effect === 'NoExecute' ? { timeAdded: at } : {}) }));
    commands.push({
      ref: nodeRef(name),
      payload: { op: 'patch', patchType: 'merge', patch: { spec: { taints: [...taints, ...added] } }, target: 'main', fieldManager: 'node-controller', force: false },
      reason: `node ${name} is unreachable: taint it so nothing new lands there and its pods move`,
    });
  }
  return commands;
}

/** Evictions due now on an unreachable node, and when the next one falls due. */
function evictions(node: KubeObject, pods: readonly KubeObject[], nowMs: number): { commands: PlannedCommand[]; nextMs?: number } {
  const taint = taintsOf(node).find((t) => t.key === UNREACHABLE && t.effect === 'NoExecute');
  if (!taint) return { commands: [] };
  const since = Date.parse(taint.timeAdded ?? '') || nowMs;
  const commands: PlannedCommand[] = [];
  let nextMs: number | undefined;
  for (const pod of pods) {
    if (pod.metadata.deletionTimestamp) continue;
    const tolerated = toleratedForMs(pod);
    if (tolerated === undefined) continue;
    const due = since + tolerated;
    if (due > nowMs) {
      nextMs = Math.min(nextMs ?? due, due);
      continue;
    }
    commands.push({
      ref: { group: '', resource: 'pods', namespace: pod.metadata.namespace ?? 'default', name: pod.metadata.name as string },
      payload: { op: 'delete', options: { preconditions: { uid: pod.metadata.uid } } },
      reason: `node ${node.metadata.name} is unreachable and the pod's toleration (${tolerated / 1000} s) ran out`,
    });
  }
  return { commands, nextMs };
}

/** Pure: the plan for one node given its last heartbeat, its pods and the time. */
export function planNodeLifecycle(node: KubeObject, heartbeatMs: number | undefined, pods: readonly KubeObject[], nowMs: number, opts: NodeLifecycleOptions): Plan {
  const deadline = lastSeenMs(node, heartbeatMs) + opts.gracePeriodMs;
  if (nowMs <= deadline) {
    const taints = taintsOf(node);
    const kept = taints.filter((t) => t.key !== UNREACHABLE);
    const ready = conditionsOf(node).find((c) => c.type === 'Ready')?.status === 'True';
    // Back (its agent reported Ready again): lift the taints. Look again when the next heartbeat is due.
    const lift: PlannedCommand[] = ready && kept.length < taints.length
      ? [{ ref: nodeRef(node.metadata.name as string), payload: { op: 'patch', patchType: 'merge', patch: { spec: { taints: kept.length ? kept : null } }, target: 'main', fieldManager: 'node-controller', force: false }, reason: `node ${node.metadata.name} is Ready again` }]
      : [];
    return { commands: lift, requeueAfterMs: deadline - nowMs + 1 };
  }
  const marked = unreachable(node, nowMs);
  // Evictions follow once the NoExecute taint is on the node (its time is the clock they run on).
  const evict = marked.length === 0 ? evictions(node, pods, nowMs) : { commands: [], nextMs: nowMs };
  return { commands: [...marked, ...evict.commands], ...(evict.nextMs !== undefined ? { requeueAfterMs: Math.max(1, evict.nextMs - nowMs) } : {}) };
}

export type HeartbeatView = Readonly<{ lastMs: (node: string) => number | undefined }>;

export function nodeLifecycleReconciler(projection: ObjectsProjection, heartbeats: HeartbeatView, opts: NodeLifecycleOptions): Reconciler {
  const { store } = projection;
  const nodes = scopeKey({ group: '', resource: 'nodes' });
  const podsOn = (name: string): KubeObject[] => [...store.keysOfPodsOn(name)].flatMap((key) => store.getByKey(key)?.object ?? []);
  return {
    identity: NODE_LIFECYCLE_CONTROLLER,
    keysFor: (change) => (change.scope === nodes && change.type !== 'DELETED' ? [change.object.metadata.name as string] : []),
    allKeys: () => {
      const keys: string[] = [];
      store.scan({ group: '', resource: 'nodes' }, '', undefined, (_k, e) => (keys.push(e.object.metadata.name as string), true));
      return keys;
    },
    plan: (name, nowMs) => {
      const node = store.get(nodeRef(name))?.object;
      return node ? planNodeLifecycle(node, heartbeats.lastMs(name), podsOn(name), nowMs, opts) : converged;
    },
  };
}
