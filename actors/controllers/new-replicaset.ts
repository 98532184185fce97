import { DeploymentConditionType, DeploymentReason, getCondition, newCondition, setCondition } from './deployment-conditions';
import type { DeploymentDraft } from './deployment-draft';
import { totalReplicas } from './deployment-scale';
import { hasProgressDeadline } from './deployment-status';
import { computeHash, equalIgnoringHash, POD_TEMPLATE_HASH_LABEL } from './pod-template-hash';
import { maxRevision, newReplicaSetAnnotations, RevisionAnnotation } from './revision-annotations';
import { fenceposts, isRollingUpdate, maxSurge } from './rollout-limits';
import { byCreation, controllerRef, specReplicas, type Deployment, type ReplicaSet } from './workloads';

/**
 * The new ReplicaSet of a Deployment — the one running its current template — found, brought up to
 * date (revision, copied annotations, minReadySeconds) or created (getAllReplicaSetsAndSyncRevision
 * and getNewReplicaSet upstream).
 */

export type ReplicaSets = Readonly<{ newRS: ReplicaSet | undefined; oldRSs: readonly ReplicaSet[] }>;

export function allOf(replicaSets: ReplicaSets): ReplicaSet[] {
  return [...replicaSets.oldRSs, ...(replicaSets.newRS ? [replicaSets.newRS] : [])];
}

/** The oldest ReplicaSet whose template is the Deployment's, ignoring pod-template-hash. */
export function findNewReplicaSet(d: Deployment, replicaSets: readonly ReplicaSet[]): ReplicaSet | undefined {
  return [...replicaSets].sort(byCreation).find((rs) => equalIgnoringHash(rs.spec.template, d.spec.template));
}

/** The new ReplicaSet if there is one (kept up to date), and all the others. */
export function resolveReplicaSets(draft: DeploymentDraft): ReplicaSets {
  const all = draft.replicaSets();
  const existing = findNewReplicaSet(draft.deployment, all);
  const oldRSs = all.filter((rs) => rs.metadata.name !== existing?.metadata.name);
  return { newRS: existing && syncNewReplicaSet(draft, existing, maxRevision(oldRSs) + 1), oldRSs };
}

/**
 * As resolveReplicaSets, creating the new ReplicaSet when there is none. Undefined when its name is
 * taken by a ReplicaSet with another template (a hash collision): status.collisionCount goes up,
 * which changes the hash, and the next pass tries again.
 */
export function resolveOrCreateReplicaSets(draft: DeploymentDraft): (ReplicaSets & { newRS: ReplicaSet }) | undefined {
  const found = resolveReplicaSets(draft);
  if (found.newRS) return { newRS: found.newRS, oldRSs: found.oldRSs };
  const created = createNewReplicaSet(draft, found.oldRSs, maxRevision(found.oldRSs) + 1);
  return created && { newRS: created, oldRSs: found.oldRSs };
}

/**
 * NewRSNewReplicas: the size the new ReplicaSet may grow to now. Rolling: up to maxSurge above the
 * Deployment's size in total, never past that size itself. Recreate: all at once.
 */
export function newReplicaSetReplicas(d: Deployment, allRSs: readonly ReplicaSet[], newRS: ReplicaSet): { replicas: number; why: string } {
  const wanted = specReplicas(d);
  if (!isRollingUpdate(d)) return { replicas: wanted, why: 'Recreate starts every replica at once' };
  const surge = fenceposts(d).maxSurge;
  const current = totalReplicas(allRSs);
  const ceiling = wanted + surge.value;
  const from = specReplicas(newRS);
  if (current >= ceiling) return { replicas: from, why: `${surge.text} allows ${ceiling} pods and ${current} are counted: no room` };
  const step = Math.min(ceiling - current, wanted - from);
  return { replicas: from + step, why: `${surge.text} allows ${ceiling} pods, ${current} counted, so +${step} (${wanted - from} still wanted)` };
}

function syncNewReplicaSet(draft: DeploymentDraft, existing: ReplicaSet, newRevision: number): ReplicaSet {
  const d = draft.deployment;
  const desired = specReplicas(d);
  const { annotations, changed, notes } = newReplicaSetAnnotations(d, existing, newRevision, desired, desired + maxSurge(d), true);
  const minReadySeconds = d.spec.minReadySeconds ?? 0;
  const minReadyChanged = (existing.spec.minReadySeconds ?? 0) !== minReadySeconds;
  let rs = existing;
  if (changed || minReadyChanged) {
    rs = { ...existing, metadata: { ...existing.metadata, annotations }, spec: withMinReadySeconds(existing.spec, minReadySeconds) };
    const why = [...notes, ...(minReadyChanged ? [`minReadySeconds ${existing.spec.minReadySeconds ?? 0} → ${minReadySeconds}`] : [])];
    draft.update(rs, `ReplicaSet ${rs.metadata.name} runs the Deployment's current template: ${why.join(', ')}`);
  }
  // Upstream records the revision and this condition in a later pass when the ReplicaSet needed a
  // write; a pass here sees its own writes, so it does both at once.
  draft.revision = rs.metadata.annotations?.[RevisionAnnotation];
  if (hasProgressDeadline(d) && !getCondition(draft.status, DeploymentConditionType.progressing)) {
    const found = newCondition(DeploymentConditionType.progressing, 'True', DeploymentReason.foundNewReplicaSet, `Found new replica set "${rs.metadata.name}"`, draft.nowMs);
    draft.status = setCondition(draft.status, found);
  }
  return rs;
}

function createNewReplicaSet(draft: DeploymentDraft, oldRSs: readonly ReplicaSet[], newRevision: number): ReplicaSet | undefined {
  const d = draft.deployment;
  const template = d.spec.template ?? {};
  const hash = computeHash(template, draft.status.collisionCount);
  const name = `${d.metadata.name}-${hash}`;
  if (draft.replicaSets().some((rs) => rs.metadata.name === name)) {
    draft.status = { ...draft.status, collisionCount: (draft.status.collisionCount ?? 0) + 1 };
    return undefined;
  }
  const labels = { ...(template.metadata?.labels ?? {}), [POD_TEMPLATE_HASH_LABEL]: hash };
  const empty: ReplicaSet = {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: { name, namespace: d.metadata.namespace, labels, ownerReferences: [controllerRef(d)] },
    spec: withMinReadySeconds(
      {
        replicas: 0,
        selector: { ...d.spec.selector, matchLabels: { ...(d.spec.selector?.matchLabels ?? {}), [POD_TEMPLATE_HASH_LABEL]: hash } },
        template: { ...template, metadata: { ...template.metadata, labels } },
      },
      d.spec.minReadySeconds ?? 0,
    ),
  };
  const { replicas, why } = newReplicaSetReplicas(d, [...oldRSs, empty], empty);
  const desired = specReplicas(d);
  const { annotations } = newReplicaSetAnnotations(d, empty, newRevision, desired, desired + maxSurge(d), false);
  const rs: ReplicaSet = { ...empty, metadata: { ...empty.metadata, annotations }, spec: { ...empty.spec, replicas } };
  draft.create(rs, `no ReplicaSet runs the Deployment's template (pod-template-hash ${hash}): create ${name} at revision ${newRevision} with ${replicas} replicas: ${why}`);
  if (replicas > 0) draft.scalingEvent(`Scaled up replica set ${name} from 0 to ${replicas}`);
  draft.revision = String(newRevision);
  if (hasProgressDeadline(d)) {
    const created = newCondition(DeploymentConditionType.progressing, 'True', DeploymentReason.newReplicaSetCreated, `Created new replica set "${name}"`, draft.nowMs);
    draft.status = setCondition(draft.status, created);
  }
  return rs;
}

/** minReadySeconds is `omitempty`: 0 is written as absent. */
function withMinReadySeconds(spec: ReplicaSet['spec'], minReadySeconds: number): ReplicaSet['spec'] {
  const { minReadySeconds: _old, ...rest } = spec;
  return minReadySeconds === 0 ? rest : { ...rest, minReadySeconds };
}
