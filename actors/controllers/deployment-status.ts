import { DeploymentConditionType as Type, DeploymentReason as Reason, getCondition, newCondition, removeCondition, setCondition } from './deployment-conditions';
import { maxUnavailable } from './rollout-limits';
import { specReplicas, timeMs, type Deployment, type DeploymentStatus, type ReplicaSet } from './workloads';

/**
 * A Deployment's status as its controller computes it (sync.go calculateStatus, progress.go): the
 * counts summed over its ReplicaSets, Available, and — during a rollout — Progressing, which is
 * what `kubectl rollout status` waits on and what turns False past progressDeadlineSeconds.
 */

/** progressDeadlineSeconds at the int32 maximum means "no deadline", as upstream reads it. */
const NO_DEADLINE = 2147483647;

export function hasProgressDeadline(d: Deployment): boolean {
  const deadline = d.spec.progressDeadlineSeconds;
  return deadline !== undefined && deadline !== NO_DEADLINE;
}

const sum = (replicaSets: readonly ReplicaSet[], count: (rs: ReplicaSet) => number | undefined) => replicaSets.reduce((total, rs) => total + (count(rs) ?? 0), 0);

/** Counts and the Available condition; other conditions and collisionCount are carried over from `current`. */
export function calculateStatus(allRSs: readonly ReplicaSet[], newRS: ReplicaSet | undefined, d: Deployment, current: DeploymentStatus, nowMs: number): DeploymentStatus {
  const available = sum(allRSs, (rs) => rs.status?.availableReplicas);
  const generation = d.metadata.generation;
  const status: DeploymentStatus = {
    ...(generation !== undefined ? { observedGeneration: generation } : {}),
    replicas: sum(allRSs, (rs) => rs.status?.replicas),
    updatedReplicas: newRS?.status?.replicas ?? 0,
    readyReplicas: sum(allRSs, (rs) => rs.status?.readyReplicas),
    availableReplicas: available,
    // Negative while scaling down (more available than wanted): then none are unavailable.
    unavailableReplicas: Math.max(0, sum(allRSs, specReplicas) - available),
    ...(current.conditions ? { conditions: current.conditions } : {}),
    ...(current.collisionCount !== undefined ? { collisionCount: current.collisionCount } : {}),
  };
  return available >= specReplicas(d) - maxUnavailable(d)
    ? setCondition(status, newCondition(Type.available, 'True', Reason.minimumReplicasAvailable, 'Deployment has minimum availability.', nowMs))
    : setCondition(status, newCondition(Type.available, 'False', Reason.minimumReplicasUnavailable, 'Deployment does not have minimum availability.', nowMs));
}

/** Every wanted replica is updated and available, nothing old is left, and the spec has been seen. */
export function deploymentComplete(d: Deployment, status: DeploymentStatus): boolean {
  const replicas = specReplicas(d);
  return (
    (status.updatedReplicas ?? 0) === replicas &&
    (status.replicas ?? 0) === replicas &&
    (status.availableReplicas ?? 0) === replicas &&
    (status.observedGeneration ?? 0) >= (d.metadata.generation ?? 0)
  );
}

export type RolloutStatus = Readonly<{ status: DeploymentStatus; requeueAfterMs?: number }>;

/**
 * syncRolloutStatus: the status of a pass that may move a rollout, with Progressing estimated
 * against the last recorded status, and when to look again if nothing happens before the
 * progress deadline.
 */
export function rolloutStatus(allRSs: readonly ReplicaSet[], newRS: ReplicaSet | undefined, d: Deployment, current: DeploymentStatus, nowMs: number): RolloutStatus {
  let status = calculateStatus(allRSs, newRS, d, current, nowMs);
  if (!hasProgressDeadline(d)) status = removeCondition(status, Type.progressing);
  const currentCond = getCondition(current, Type.progressing);
  // A finished rollout being resynced: nothing to estimate.
  const finished = (status.replicas ?? 0) === (status.updatedReplicas ?? 0) && currentCond?.reason === Reason.newReplicaSetAvailable;
  if (hasProgressDeadline(d) && !finished) {
    const subject = newRS ? `ReplicaSet "${newRS.metadata.name}"` : `Deployment "${d.metadata.name}"`;
    if (deploymentComplete(d, status)) {
      status = setCondition(status, newCondition(Type.progressing, 'True', Reason.newReplicaSetAvailable, `${subject} has successfully progressed.`, nowMs));
    } else if (madeProgress(d, status)) {
      // Progress refreshes lastUpdateTime even when the reason stays, which setCondition would not do.
      const fresh = newCondition(Type.progressing, 'True', Reason.replicaSetUpdated, `${subject} is progressing.`, nowMs);
      const kept = currentCond?.status === 'True' ? { ...fresh, lastTransitionTime: currentCond.lastTransitionTime } : fresh;
      status = setCondition(removeCondition(status, Type.progressing), kept);
    } else if (timedOut(d, status, nowMs)) {
      status = setCondition(status, newCondition(Type.progressing, 'False', Reason.progressDeadlineExceeded, `${subject} has timed out progressing.`, nowMs));
    }
  }
  status = withReplicaFailure(status, allRSs, newRS);
  const requeueAfterMs = untilDeadline(d, status, nowMs);
  return requeueAfterMs === undefined ? { status } : { status, requeueAfterMs };
}

/** More updated, ready or available replicas, or fewer old ones, than the recorded status says. */
function madeProgress(d: Deployment, next: DeploymentStatus): boolean {
  const before = d.status ?? {};
  const oldBefore = (before.replicas ?? 0) - (before.updatedReplicas ?? 0);
  const oldNow = (next.replicas ?? 0) - (next.updatedReplicas ?? 0);
  return (
    (next.updatedReplicas ?? 0) > (before.updatedReplicas ?? 0) ||
    oldNow < oldBefore ||
    (next.readyReplicas ?? 0) > (before.readyReplicas ?? 0) ||
    (next.availableReplicas ?? 0) > (before.availableReplicas ?? 0)
  );
}

/** No progress recorded for longer than progressDeadlineSeconds (strictly, as upstream). */
function timedOut(d: Deployment, status: DeploymentStatus, nowMs: number): boolean {
  const cond = getCondition(status, Type.progressing);
  if (!cond || cond.reason === Reason.newReplicaSetAvailable) return false;
  if (cond.reason === Reason.progressDeadlineExceeded) return true;
  return deadlineMs(d, cond.lastUpdateTime) < nowMs;
}

function deadlineMs(d: Deployment, lastUpdateTime: string | undefined): number {
  return (timeMs(lastUpdateTime) ?? 0) + (d.spec.progressDeadlineSeconds ?? 0) * 1000;
}

/**
 * requeueStuckDeployment: without progress, the deadline passes silently, so look again 1 ms after
 * it. Not for a finished or already timed-out rollout, nor one whose condition says it succeeded
 * (upstream would then spin on a rate-limited requeue that can change nothing).
 */
function untilDeadline(d: Deployment, status: DeploymentStatus, nowMs: number): number | undefined {
  const cond = getCondition(status, Type.progressing);
  if (!hasProgressDeadline(d) || !cond || deploymentComplete(d, status)) return undefined;
  if (cond.reason === Reason.progressDeadlineExceeded || cond.reason === Reason.newReplicaSetAvailable) return undefined;
  return Math.max(1, deadlineMs(d, cond.lastUpdateTime) - nowMs + 1);
}

/** A ReplicaFailure condition of the new ReplicaSet, else of any, becomes the Deployment's (getReplicaFailures). */
function withReplicaFailure(status: DeploymentStatus, allRSs: readonly ReplicaSet[], newRS: ReplicaSet | undefined): DeploymentStatus {
  const failureOf = (rs: ReplicaSet | undefined) => rs?.status?.conditions?.find((c) => c.type === Type.replicaFailure);
  const failure = failureOf(newRS) ?? allRSs.map(failureOf).find((c) => c !== undefined);
  if (!failure) return removeCondition(status, Type.replicaFailure);
  return setCondition(status, { ...failure, lastUpdateTime: failure.lastTransitionTime });
}
