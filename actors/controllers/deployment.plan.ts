import type { Plan } from '../reconcile/plan';
import { DeploymentConditionType, DeploymentReason, getCondition, newCondition, setCondition } from './deployment-conditions';
import { DeploymentDraft } from './deployment-draft';
import { activeReplicaSets, scale } from './deployment-scale';
import { calculateStatus, hasProgressDeadline, rolloutStatus } from './deployment-status';
import { cleanupOldReplicaSets } from './history-cleanup';
import { allOf, resolveReplicaSets } from './new-replicaset';
import { rolloutRecreate } from './recreate';
import { DesiredReplicasAnnotation, intAnnotation } from './revision-annotations';
import { isRollingUpdate } from './rollout-limits';
import { rolloutRolling } from './rolling-update';
import { specReplicas, type Deployment, type Pod, type ReplicaSet } from './workloads';

/**
 * The deployment controller's decision for one Deployment (pkg/controller/deployment), as a pure
 * function of the Deployment, the ReplicaSets it owns, their pods (keyed by ReplicaSet uid; only
 * Recreate reads them) and the time. Each pass does what one upstream sync does:
 *   - being deleted: status only;
 *   - paused, or its size changed: scale (proportionally across ReplicaSets mid-rollout), no
 *     rollout progress and no progress deadline;
 *   - otherwise one step of its strategy, then the status with Progressing estimated.
 * The commands carry their arithmetic in `reason`. Once the world matches, a pass plans nothing.
 */
export function planDeployment(
  deploy: Deployment,
  ownedReplicaSets: readonly ReplicaSet[],
  podsByReplicaSet: ReadonlyMap<string, readonly Pod[]>,
  nowMs: number,
): Plan {
  const draft = new DeploymentDraft(deploy, ownedReplicaSets, nowMs);
  syncDeployment(draft, podsByReplicaSet);
  return draft.plan();
}

function syncDeployment(draft: DeploymentDraft, podsByReplicaSet: ReadonlyMap<string, readonly Pod[]>): void {
  const d = draft.deployment;
  if (selectsEverything(d)) {
    // Upstream refuses to act on a Deployment that would select every pod, but records that it saw it.
    const generation = d.metadata.generation ?? 0;
    if ((draft.status.observedGeneration ?? 0) < generation) draft.status = { ...draft.status, observedGeneration: generation };
    return;
  }
  if (d.metadata.deletionTimestamp) return syncStatusOnly(draft);
  recordPause(draft);
  if (d.spec.paused || isScalingEvent(draft)) return syncScale(draft);
  const rollout = isRollingUpdate(d) ? rolloutRolling(draft) : rolloutRecreate(draft, podsByReplicaSet);
  if (!rollout) return;
  const { status, requeueAfterMs } = rolloutStatus(allOf(rollout), rollout.newRS, d, draft.status, draft.nowMs);
  draft.status = status;
  draft.requeueAfterMs = requeueAfterMs;
}

function syncStatusOnly(draft: DeploymentDraft): void {
  const replicaSets = resolveReplicaSets(draft);
  draft.status = calculateStatus(allOf(replicaSets), replicaSets.newRS, draft.deployment, draft.status, draft.nowMs);
}

/** sync(): scaling without rollout progress; a paused Deployment also trims its history. */
function syncScale(draft: DeploymentDraft): void {
  const d = draft.deployment;
  const replicaSets = resolveReplicaSets(draft);
  scale(draft, replicaSets.newRS, replicaSets.oldRSs);
  if (d.spec.paused) cleanupOldReplicaSets(draft, replicaSets.oldRSs);
  draft.status = calculateStatus(allOf(replicaSets), replicaSets.newRS, d, draft.status, draft.nowMs);
}

/**
 * checkPausedConditions: Progressing turns Unknown while paused, so the time spent paused never
 * counts against the progress deadline, and is marked resumed after. A deadline already exceeded
 * stays reported.
 */
function recordPause(draft: DeploymentDraft): void {
  const d = draft.deployment;
  if (!hasProgressDeadline(d)) return;
  const reason = getCondition(draft.status, DeploymentConditionType.progressing)?.reason;
  if (reason === DeploymentReason.progressDeadlineExceeded) return;
  const pausedRecorded = reason === DeploymentReason.paused;
  if (d.spec.paused && !pausedRecorded) {
    draft.status = setCondition(draft.status, newCondition(DeploymentConditionType.progressing, 'Unknown', DeploymentReason.paused, 'Deployment is paused', draft.nowMs));
  } else if (!d.spec.paused && pausedRecorded) {
    draft.status = setCondition(draft.status, newCondition(DeploymentConditionType.progressing, 'Unknown', DeploymentReason.resumed, 'Deployment is resumed', draft.nowMs));
  }
}

/** The Deployment's size differs from the size an active ReplicaSet was last scaled for. */
function isScalingEvent(draft: DeploymentDraft): boolean {
  const replicas = specReplicas(draft.deployment);
  return activeReplicaSets(allOf(resolveReplicaSets(draft))).some((rs) => {
    const desired = intAnnotation(rs, DesiredReplicasAnnotation);
    return desired !== undefined && desired !== replicas;
  });
}

/** An empty selector (validation rejects it, and a missing one, before they get here). */
function selectsEverything(d: Deployment): boolean {
  const selector = d.spec.selector ?? {};
  return Object.keys(selector.matchLabels ?? {}).length === 0 && (selector.matchExpressions ?? []).length === 0;
}
