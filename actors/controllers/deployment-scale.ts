import type { DeploymentDraft } from './deployment-draft';
import { DesiredReplicasAnnotation, intAnnotation, MaxReplicasAnnotation, replicasAnnotationsNeedUpdate, withReplicasAnnotations } from './revision-annotations';
import { fenceposts, isRollingUpdate, maxSurge } from './rollout-limits';
import { byCreation, specReplicas, type Deployment, type ReplicaSet } from './workloads';

/**
 * Changing the size of a Deployment's ReplicaSets (deployment controller sync.go): one ReplicaSet
 * at a time, and all of them at once — in proportion to their sizes — when the Deployment is
 * scaled in the middle of a rollout or while paused.
 */

export type Scaled = Readonly<{ scaled: boolean; rs: ReplicaSet }>;

export function activeReplicaSets(replicaSets: readonly ReplicaSet[]): ReplicaSet[] {
  return replicaSets.filter((rs) => specReplicas(rs) > 0);
}

export function totalReplicas(replicaSets: readonly ReplicaSet[]): number {
  return replicaSets.reduce((total, rs) => total + specReplicas(rs), 0);
}

/**
 * scaleReplicaSet: the size and the replica annotations (the Deployment's replicas, and that plus
 * maxSurge) are written together, so a later proportional scaling knows what size this one was
 * scaled for. A change of size is a ScalingReplicaSet event.
 */
function scaleReplicaSet(draft: DeploymentDraft, rs: ReplicaSet, to: number, why: string): Scaled {
  const d = draft.deployment;
  const desired = specReplicas(d);
  const max = desired + maxSurge(d);
  const from = specReplicas(rs);
  if (from === to && !replicasAnnotationsNeedUpdate(rs, desired, max)) return { scaled: false, rs };
  const next: ReplicaSet = {
    ...rs,
    metadata: { ...rs.metadata, annotations: withReplicasAnnotations(rs.metadata.annotations ?? {}, desired, max) },
    spec: { ...rs.spec, replicas: to },
  };
  draft.update(next, from !== to ? why : `record desired-replicas ${desired} and max-replicas ${max} on ${rs.metadata.name}: the Deployment's size changed`);
  if (from !== to) draft.scalingEvent(`Scaled ${from < to ? 'up' : 'down'} replica set ${rs.metadata.name} from ${from} to ${to}`);
  return { scaled: from !== to, rs: next };
}

/** scaleReplicaSetAndRecordEvent: a write only when the size changes. */
export function resize(draft: DeploymentDraft, rs: ReplicaSet, to: number, why: string): Scaled {
  return specReplicas(rs) === to ? { scaled: false, rs } : scaleReplicaSet(draft, rs, to, why);
}

/** The scaling step of a paused Deployment or of a scaling event (DeploymentController.scale). */
export function scale(draft: DeploymentDraft, newRS: ReplicaSet | undefined, oldRSs: readonly ReplicaSet[]): void {
  const d = draft.deployment;
  const replicas = specReplicas(d);
  const only = activeOrLatest(newRS, oldRSs);
  if (only) {
    const from = specReplicas(only);
    resize(draft, only, replicas, `${only.metadata.name} is the only ReplicaSet with replicas (or the latest): scale it from ${from} to the Deployment's ${replicas}`);
    return;
  }
  if (newRS && isSaturated(d, newRS)) {
    for (const old of activeReplicaSets(oldRSs)) {
      resize(draft, old, 0, `new ReplicaSet ${newRS.metadata.name} has all ${replicas} replicas available: scale old ReplicaSet ${old.metadata.name} from ${specReplicas(old)} to 0`);
    }
    return;
  }
  if (isRollingUpdate(d)) scaleProportionally(draft, activeReplicaSets([...oldRSs, ...(newRS ? [newRS] : [])]));
}

/**
 * Several ReplicaSets have replicas and the Deployment's size changed: spread the difference over
 * them in proportion to their sizes, largest first (newer first among equals when adding, older
 * first when removing); what rounding leaves over goes to the first.
 */
function scaleProportionally(draft: DeploymentDraft, active: readonly ReplicaSet[]): void {
  const d = draft.deployment;
  const replicas = specReplicas(d);
  const surge = fenceposts(d).maxSurge;
  const current = totalReplicas(active);
  const allowed = replicas > 0 ? replicas + surge.value : 0;
  const toAdd = allowed - current;
  const bySize = (a: ReplicaSet, b: ReplicaSet) => specReplicas(b) - specReplicas(a);
  const ordered = toAdd > 0 ? [...active].sort((a, b) => bySize(a, b) || byCreation(b, a)) : toAdd < 0 ? [...active].sort((a, b) => bySize(a, b) || byCreation(a, b)) : [...active];
  const context = `the Deployment allows ${allowed} pods (${replicas} + ${surge.text}) and its ReplicaSets have ${current}, so ${toAdd >= 0 ? 'add' : 'remove'} ${Math.abs(toAdd)} in proportion`;
  let added = 0;
  const shares = ordered.map((rs) => {
    const share = toAdd === 0 ? { delta: 0, why: 'no change' } : proportion(rs, d, toAdd, added);
    added += share.delta;
    return share;
  });
  ordered.forEach((rs, i) => {
    const from = specReplicas(rs);
    const leftover = i === 0 ? toAdd - added : 0;
    const to = Math.max(0, from + shares[i].delta + leftover);
    const rest = leftover !== 0 ? `, plus ${leftover} left over from rounding` : '';
    scaleReplicaSet(draft, rs, to, `proportional scaling: ${context}; ${rs.metadata.name} ${from} → ${to} (${shares[i].why}${rest})`);
  });
}

/** GetReplicaSetProportion: this ReplicaSet's share, never past what is still to add or remove. */
function proportion(rs: ReplicaSet, d: Deployment, toAdd: number, added: number): { delta: number; why: string } {
  if (specReplicas(rs) === 0 || toAdd === added) return { delta: 0, why: 'nothing left to spread' };
  const fraction = fractionOf(rs, d);
  const allowed = toAdd - added;
  const delta = toAdd > 0 ? Math.min(fraction.delta, allowed) : Math.max(fraction.delta, allowed);
  return { delta, why: delta === fraction.delta ? fraction.why : `${fraction.why}, limited to ${allowed}` };
}

/**
 * getReplicaSetFraction: its size scaled by the Deployment's new maximum over the maximum it was
 * last scaled for (the max-replicas annotation; failing that, the Deployment's current replicas).
 */
function fractionOf(rs: ReplicaSet, d: Deployment): { delta: number; why: string } {
  const size = specReplicas(rs);
  if (specReplicas(d) === 0) return { delta: -size, why: 'the Deployment is scaled to 0' };
  const maxNow = specReplicas(d) + maxSurge(d);
  const annotated = intAnnotation(rs, MaxReplicasAnnotation);
  const maxBefore = annotated !== undefined && annotated !== 0 ? annotated : (d.status?.replicas ?? 0);
  if (maxBefore === 0) return { delta: 0, why: 'no earlier size known' };
  const exact = (size * maxNow) / maxBefore;
  // Go's math.Round: halves away from zero.
  const rounded = Math.sign(exact) * Math.round(Math.abs(exact));
  return { delta: rounded - size, why: `${size} × ${maxNow} / ${maxBefore} ≈ ${rounded}` };
}

/** FindActiveOrLatest: the one ReplicaSet with replicas; with none, the new one or else the newest. */
function activeOrLatest(newRS: ReplicaSet | undefined, oldRSs: readonly ReplicaSet[]): ReplicaSet | undefined {
  const newestFirst = [...oldRSs].sort((a, b) => byCreation(b, a));
  const active = activeReplicaSets([...newestFirst, ...(newRS ? [newRS] : [])]);
  if (active.length === 0) return newRS ?? newestFirst[0];
  return active.length === 1 ? active[0] : undefined;
}

/** IsSaturated: the new ReplicaSet has the Deployment's full size, was scaled for it, and all of it is available. */
function isSaturated(d: Deployment, rs: ReplicaSet): boolean {
  const replicas = specReplicas(d);
  return specReplicas(rs) === replicas && intAnnotation(rs, DesiredReplicasAnnotation) === replicas && (rs.status?.availableReplicas ?? 0) === replicas;
}
