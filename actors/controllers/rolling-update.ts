import type { DeploymentDraft } from './deployment-draft';
import { activeReplicaSets, resize, totalReplicas } from './deployment-scale';
import { deploymentComplete } from './deployment-status';
import { cleanupOldReplicaSets } from './history-cleanup';
import { newReplicaSetReplicas, resolveOrCreateReplicaSets, type ReplicaSets } from './new-replicaset';
import { fenceposts } from './rollout-limits';
import { byCreation, specReplicas, type ReplicaSet } from './workloads';

/**
 * One step of a RollingUpdate (rolling.go): grow the new ReplicaSet as far as maxSurge allows;
 * if it could not grow, shrink the old ones as far as maxUnavailable allows — their unavailable
 * replicas first, since removing those costs no availability. A step that scaled nothing on a
 * finished rollout trims the history. Undefined when the new ReplicaSet could not be created.
 */
export function rolloutRolling(draft: DeploymentDraft): ReplicaSets | undefined {
  const resolved = resolveOrCreateReplicaSets(draft);
  if (!resolved) return undefined;
  const { newRS, oldRSs } = resolved;
  const allRSs = [...oldRSs, newRS];
  if (reconcileNewReplicaSet(draft, allRSs, newRS)) return resolved;
  if (reconcileOldReplicaSets(draft, allRSs, activeReplicaSets(oldRSs), newRS)) return resolved;
  if (deploymentComplete(draft.deployment, draft.deployment.status ?? {})) cleanupOldReplicaSets(draft, oldRSs);
  return resolved;
}

function reconcileNewReplicaSet(draft: DeploymentDraft, allRSs: readonly ReplicaSet[], newRS: ReplicaSet): boolean {
  const wanted = specReplicas(draft.deployment);
  const from = specReplicas(newRS);
  if (from === wanted) return false;
  if (from > wanted) return resize(draft, newRS, wanted, `new ReplicaSet ${newRS.metadata.name} has ${from} replicas and the Deployment wants ${wanted}: scale down to ${wanted}`).scaled;
  const { replicas, why } = newReplicaSetReplicas(draft.deployment, allRSs, newRS);
  return resize(draft, newRS, replicas, `scale up new ReplicaSet ${newRS.metadata.name} from ${from} to ${replicas}: ${why}`).scaled;
}

/**
 * How far the old ReplicaSets may shrink: all pods, less the minimum to keep available, less the
 * new ReplicaSet's pods that are not available yet (they would not replace what is removed).
 */
function reconcileOldReplicaSets(draft: DeploymentDraft, allRSs: readonly ReplicaSet[], oldRSs: readonly ReplicaSet[], newRS: ReplicaSet): boolean {
  if (totalReplicas(oldRSs) === 0) return false;
  const d = draft.deployment;
  const wanted = specReplicas(d);
  const allPods = totalReplicas(allRSs);
  const { maxUnavailable } = fenceposts(d);
  const minAvailable = wanted - maxUnavailable.value;
  const newUnavailable = specReplicas(newRS) - (newRS.status?.availableReplicas ?? 0);
  const maxScaledDown = allPods - minAvailable - newUnavailable;
  if (maxScaledDown <= 0) return false;
  const budget = `${allPods} pods − ${minAvailable} to keep available (${wanted} − ${maxUnavailable.text}) − ${newUnavailable} not yet available in ${newRS.metadata.name} = ${maxScaledDown} may go`;
  const cleaned = cleanupUnhealthyReplicas(draft, oldRSs, maxScaledDown, budget);
  // Upstream gives up the step when an old ReplicaSet reports more available replicas than it
  // wants: its status is behind a scale-down, and counting on it could cost availability.
  if (!cleaned) return false;
  const scaledDown = scaleDownOldReplicaSets(draft, [...cleaned.oldRSs, newRS], cleaned.oldRSs);
  return cleaned.count + scaledDown > 0;
}

/** Oldest first, remove old replicas that are not available, up to `max` in all. */
function cleanupUnhealthyReplicas(draft: DeploymentDraft, oldRSs: readonly ReplicaSet[], max: number, budget: string): { oldRSs: ReplicaSet[]; count: number } | undefined {
  let count = 0;
  const result: ReplicaSet[] = [];
  for (const rs of [...oldRSs].sort(byCreation)) {
    const replicas = specReplicas(rs);
    const available = rs.status?.availableReplicas ?? 0;
    if (count >= max || replicas === 0 || replicas === available) {
      result.push(rs);
      continue;
    }
    if (available > replicas) return undefined;
    const step = Math.min(max - count, replicas - available);
    const why = `scale down old ReplicaSet ${rs.metadata.name} from ${replicas} to ${replicas - step}: ${replicas - available} of its replicas are unavailable, so removing them costs no availability (${budget})`;
    result.push(resize(draft, rs, replicas - step, why).rs);
    count += step;
  }
  return { oldRSs: result, count };
}

/** Oldest first, remove available old replicas down to the minimum availability maxUnavailable keeps. */
function scaleDownOldReplicaSets(draft: DeploymentDraft, allRSs: readonly ReplicaSet[], oldRSs: readonly ReplicaSet[]): number {
  const d = draft.deployment;
  const wanted = specReplicas(d);
  const { maxUnavailable } = fenceposts(d);
  const minAvailable = wanted - maxUnavailable.value;
  const available = allRSs.reduce((total, rs) => total + (rs.status?.availableReplicas ?? 0), 0);
  if (available <= minAvailable) return 0;
  const total = available - minAvailable;
  let done = 0;
  for (const rs of [...oldRSs].sort(byCreation)) {
    if (done >= total) break;
    const replicas = specReplicas(rs);
    if (replicas === 0) continue;
    const step = Math.min(replicas, total - done);
    const why = `scale down old ReplicaSet ${rs.metadata.name} from ${replicas} to ${replicas - step}: ${available} available − ${minAvailable} to keep available (${wanted} − ${maxUnavailable.text}) = ${total} may go`;
    resize(draft, rs, replicas - step, why);
    done += step;
  }
  return done;
}
