import type { KubeObject } from '../kinds/types';
import type { Plan, PlannedCommand } from '../reconcile/plan';
import { freeNames, generatedPrefix } from './generated-names';
import { podsToDelete } from './pod-deletion-order';
import { availableFromMs, isPodActive, isPodAvailable, isPodReady, isPodTerminated } from './pod-status';
import { statusCommand } from './status-change';
import { controllerRef, podRef, replicaSetRef, specReplicas, type Pod, type ReplicaSet, type ReplicaSetStatus } from './workloads';

/**
 * The ReplicaSet controller's decision for one ReplicaSet (pkg/controller/replicaset), as a pure
 * function of the ReplicaSet, the pods it owns and the time.
 *
 * Differences from upstream, and why:
 * - Pod names are explicit, `<rs>-<5 chars>`, the suffix a hash of the ReplicaSet's uid and the
 *   lowest free slot number. A pass replayed, or repeated on a view that has not caught up with
 *   its own creates, asks for the same names and the duplicates are refused; so no
 *   "expectations" bookkeeping is needed to avoid creating twice.
 * - Succeeded and Failed pods are deleted here (upstream leaves them to the pod garbage collector,
 *   which skiff does not have). Like upstream, they stop counting at once, so the replacement is
 *   created in the same pass.
 */

export const REPLICASET_CONTROLLER = 'replicaset-controller';
/** Upstream's burstReplicas: at most this many pods are created or deleted per pass. */
export const BURST_REPLICAS = 500;
/** Status counts Kubernetes omits when zero (`replicas` is always written). */
const OMITTED_WHEN_ZERO = ['fullyLabeledReplicas', 'readyReplicas', 'availableReplicas', 'observedGeneration'];

export function planReplicaSet(rs: ReplicaSet, ownedPods: readonly Pod[], nowMs: number): Plan {
  const active = ownedPods.filter(isPodActive);
  const commands: PlannedCommand[] = rs.metadata.deletionTimestamp ? [] : manageReplicas(rs, ownedPods, active, nowMs);
  const status = statusCommand({
    ref: replicaSetRef(rs),
    before: rs.status,
    after: calculateStatus(rs, active, nowMs),
    omittedWhenZero: OMITTED_WHEN_ZERO,
    fieldManager: REPLICASET_CONTROLLER,
  });
  if (status) commands.push(status);
  const requeueAfterMs = untilNextAvailable(rs, active, nowMs);
  return requeueAfterMs === undefined ? { commands } : { commands, requeueAfterMs };
}

function manageReplicas(rs: ReplicaSet, owned: readonly Pod[], active: readonly Pod[], nowMs: number): PlannedCommand[] {
  const name = rs.metadata.name ?? '';
  const wanted = specReplicas(rs);
  const commands = owned
    .filter((pod) => isPodTerminated(pod) && !pod.metadata.deletionTimestamp)
    .map((pod) => deletePod(pod, `pod ${pod.metadata.name} of ReplicaSet ${name} has phase ${pod.status?.phase} and will not run again; it no longer counts, so a replacement is created`));
  const diff = active.length - wanted;
  const burst = Math.abs(diff) > BURST_REPLICAS ? ` (at most ${BURST_REPLICAS} per pass)` : '';
  if (diff < 0) {
    const count = Math.min(-diff, BURST_REPLICAS);
    const why = `ReplicaSet ${name} has ${active.length} active pods of ${wanted} wanted: create ${count}${burst}`;
    const taken = new Set(owned.map((pod) => pod.metadata.name ?? ''));
    commands.push(...freeNames(generateNamePrefix(rs), rs.metadata.uid ?? rs.metadata.name ?? '', taken, count).map((podName) => createPod(rs, podName, why)));
  } else if (diff > 0) {
    const count = Math.min(diff, BURST_REPLICAS);
    const why = `ReplicaSet ${name} has ${active.length} active pods of ${wanted} wanted: delete ${count}${burst}, least established first`;
    commands.push(...podsToDelete(active, owned, count, nowMs).map((pod) => deletePod(pod, `${why}; this one is ${standing(pod)}`)));
  }
  return commands;
}

function generateNamePrefix(rs: ReplicaSet): string {
  return generatedPrefix(`${rs.metadata.name ?? ''}-`);
}

/** controller.GetPodFromTemplate: labels, annotations, finalizers and spec from the template, owned by the ReplicaSet. */
function createPod(rs: ReplicaSet, name: string, why: string): PlannedCommand {
  const namespace = rs.metadata.namespace ?? '';
  const template = rs.spec.template ?? {};
  const meta = template.metadata ?? {};
  const pod: KubeObject = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      generateName: generateNamePrefix(rs),
      namespace,
      ...(meta.labels ? { labels: { ...meta.labels } } : {}),
      ...(meta.annotations ? { annotations: { ...meta.annotations } } : {}),
      ...(meta.finalizers ? { finalizers: [...meta.finalizers] } : {}),
      ownerReferences: [controllerRef(rs)],
    },
    spec: template.spec ?? {},
  };
  return { ref: podRef(namespace, name), payload: { op: 'create', object: pod, fieldManager: REPLICASET_CONTROLLER }, reason: why };
}

/** The uid precondition keeps a late or replayed delete from removing a newer pod that reuses the name. */
function deletePod(pod: Pod, why: string): PlannedCommand {
  const uid = pod.metadata.uid;
  return {
    ref: podRef(pod.metadata.namespace ?? '', pod.metadata.name ?? ''),
    payload: { op: 'delete', options: uid ? { preconditions: { uid } } : {} },
    reason: why,
  };
}

function standing(pod: Pod): string {
  const node = pod.spec?.nodeName ? `on ${pod.spec.nodeName}` : 'not scheduled';
  return `${pod.status?.phase ?? 'without a phase'}, ${node}, ${isPodReady(pod) ? 'ready' : 'not ready'}`;
}

/** replicaset calculateStatus: counts over active pods, plus the generation this pass acted on. */
function calculateStatus(rs: ReplicaSet, active: readonly Pod[], nowMs: number): ReplicaSetStatus {
  const templateLabels = Object.entries(rs.spec.template?.metadata?.labels ?? {});
  const minReadySeconds = rs.spec.minReadySeconds ?? 0;
  const generation = rs.metadata.generation;
  return {
    ...rs.status,
    replicas: active.length,
    fullyLabeledReplicas: active.filter((pod) => templateLabels.every(([k, v]) => pod.metadata.labels?.[k] === v)).length,
    readyReplicas: active.filter(isPodReady).length,
    availableReplicas: active.filter((pod) => isPodAvailable(pod, minReadySeconds, nowMs)).length,
    ...(generation !== undefined ? { observedGeneration: generation } : {}),
  };
}

/**
 * Time until the next ready pod outlives minReadySeconds, so availableReplicas is recounted then
 * (nothing else would trigger a pass). Upstream requeues after minReadySeconds; this is the exact
 * moment, 1 ms past it, because availability is "strictly before now".
 */
function untilNextAvailable(rs: ReplicaSet, active: readonly Pod[], nowMs: number): number | undefined {
  const minReadySeconds = rs.spec.minReadySeconds ?? 0;
  if (minReadySeconds === 0) return undefined;
  const next = active.reduce((soonest, pod) => {
    const from = availableFromMs(pod, minReadySeconds);
    return from !== undefined && from >= nowMs && from < soonest ? from : soonest;
  }, Number.POSITIVE_INFINITY);
  return Number.isFinite(next) ? next - nowMs + 1 : undefined;
}
