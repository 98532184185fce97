import type { DeploymentDraft } from './deployment-draft';
import { activeReplicaSets, resize } from './deployment-scale';
import { deploymentComplete } from './deployment-status';
import { cleanupOldReplicaSets } from './history-cleanup';
import { resolveOrCreateReplicaSets, resolveReplicaSets, type ReplicaSets } from './new-replicaset';
import { isPodTerminated } from './pod-status';
import { specReplicas, type Pod, type ReplicaSet } from './workloads';

/**
 * One step of a Recreate rollout (recreate.go): scale every old ReplicaSet to 0; wait until none of
 * their pods is left running; only then create or grow the new ReplicaSet to full size. Undefined
 * when the new ReplicaSet could not be created.
 */
export function rolloutRecreate(draft: DeploymentDraft, podsByReplicaSet: ReadonlyMap<string, readonly Pod[]>): ReplicaSets | undefined {
  const found = resolveReplicaSets(draft);
  let scaledDown = false;
  for (const old of activeReplicaSets(found.oldRSs)) {
    const why = `Recreate: scale old ReplicaSet ${old.metadata.name} from ${specReplicas(old)} to 0; no new pod starts while an old one runs`;
    scaledDown = resize(draft, old, 0, why).scaled || scaledDown;
  }
  if (scaledDown || oldPodsRunning(found.oldRSs, podsByReplicaSet)) return found;
  const resolved = found.newRS ? { newRS: found.newRS, oldRSs: found.oldRSs } : resolveOrCreateReplicaSets(draft);
  if (!resolved) return undefined;
  const wanted = specReplicas(draft.deployment);
  resize(draft, resolved.newRS, wanted, `Recreate: no old pod is running; scale up new ReplicaSet ${resolved.newRS.metadata.name} from ${specReplicas(resolved.newRS)} to ${wanted}`);
  if (deploymentComplete(draft.deployment, draft.deployment.status ?? {})) cleanupOldReplicaSets(draft, resolved.oldRSs);
  return resolved;
}

/**
 * Old pods still count while their ReplicaSets report any, or while any of them has not reached a
 * terminal phase (a pod being deleted is still running until it is gone).
 */
function oldPodsRunning(oldRSs: readonly ReplicaSet[], podsByReplicaSet: ReadonlyMap<string, readonly Pod[]>): boolean {
  if (oldRSs.some((rs) => (rs.status?.replicas ?? 0) > 0)) return true;
  return oldRSs.some((rs) => (podsByReplicaSet.get(rs.metadata.uid ?? '') ?? []).some((pod) => !isPodTerminated(pod)));
}
