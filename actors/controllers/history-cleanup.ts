import type { DeploymentDraft } from './deployment-draft';
import { revisionOf } from './revision-annotations';
import { byCreation, specReplicas, type ReplicaSet } from './workloads';

/** revisionHistoryLimit at the int32 maximum means "keep everything", as upstream reads it. */
const KEEP_ALL = 2147483647;

/**
 * cleanupDeployment: past revisionHistoryLimit old ReplicaSets, delete the lowest revisions — but
 * only those that are empty and whose emptiness their controller has confirmed (status.replicas 0
 * at the current generation), so no pod is ever orphaned mid-scale-down.
 */
export function cleanupOldReplicaSets(draft: DeploymentDraft, oldRSs: readonly ReplicaSet[]): void {
  const limit = draft.deployment.spec.revisionHistoryLimit;
  if (limit === undefined || limit === KEEP_ALL) return;
  const cleanable = oldRSs.filter((rs) => !rs.metadata.deletionTimestamp);
  const excess = cleanable.length - limit;
  if (excess <= 0) return;
  const oldestFirst = [...cleanable].sort((a, b) => (revisionOf(a) ?? 0) - (revisionOf(b) ?? 0) || byCreation(a, b));
  for (const rs of oldestFirst.slice(0, excess)) {
    const settled = (rs.metadata.generation ?? 0) <= (rs.status?.observedGeneration ?? 0);
    if ((rs.status?.replicas ?? 0) !== 0 || specReplicas(rs) !== 0 || !settled) continue;
    const why = `revisionHistoryLimit ${limit}: ${cleanable.length} old ReplicaSets, ${excess} too many; ${rs.metadata.name} (revision ${revisionOf(rs) ?? '?'}) is among the oldest and has no pods`;
    draft.delete(rs, why);
  }
}
