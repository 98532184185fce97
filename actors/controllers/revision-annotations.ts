import type { KubeObject } from '../kinds/types';
import type { Deployment, ReplicaSet } from './workloads';

/**
 * The annotations through which a Deployment keeps its history on its ReplicaSets
 * (deploymentutil): which revision each template is, the revisions an undone template used to
 * have, and the size of the Deployment a ReplicaSet was last scaled for (proportional scaling
 * reads it back).
 */

export const RevisionAnnotation = 'deployment.kubernetes.io/revision';
export const RevisionHistoryAnnotation = 'deployment.kubernetes.io/revision-history';
export const DesiredReplicasAnnotation = 'deployment.kubernetes.io/desired-replicas';
export const MaxReplicasAnnotation = 'deployment.kubernetes.io/max-replicas';

/** Deployment annotations that describe the Deployment itself and are never copied to its ReplicaSets. */
const NOT_COPIED = new Set([
  'kubectl.kubernetes.io/last-applied-configuration',
  RevisionAnnotation,
  RevisionHistoryAnnotation,
  DesiredReplicasAnnotation,
  MaxReplicasAnnotation,
  'deprecated.deployment.rollback.to',
]);

/** revision-history stops growing past this many characters. */
const MAX_REVISION_HISTORY_CHARS = 2000;

/** The revision number; 0 without the annotation, undefined when it is not a number. */
export function revisionOf(object: KubeObject): number | undefined {
  const value = object.metadata.annotations?.[RevisionAnnotation];
  if (value === undefined) return 0;
  return /^[+-]?[0-9]+$/.test(value) ? Number.parseInt(value, 10) : undefined;
}

/** The highest revision among `replicaSets`, skipping unreadable ones (deploymentutil.MaxRevision). */
export function maxRevision(replicaSets: readonly ReplicaSet[]): number {
  return replicaSets.reduce((max, rs) => Math.max(max, revisionOf(rs) ?? 0), 0);
}

export function intAnnotation(object: KubeObject, key: string): number | undefined {
  const value = object.metadata.annotations?.[key];
  return value !== undefined && /^[+-]?[0-9]+$/.test(value) ? Number.parseInt(value, 10) : undefined;
}

export function replicasAnnotationsNeedUpdate(rs: ReplicaSet, desired: number, max: number): boolean {
  const annotations = rs.metadata.annotations ?? {};
  return annotations[DesiredReplicasAnnotation] !== String(desired) || annotations[MaxReplicasAnnotation] !== String(max);
}

export function withReplicasAnnotations(annotations: Readonly<Record<string, string>>, desired: number, max: number): Record<string, string> {
  return { ...annotations, [DesiredReplicasAnnotation]: String(desired), [MaxReplicasAnnotation]: String(max) };
}

export type NewReplicaSetAnnotations = Readonly<{ annotations: Record<string, string>; changed: boolean; notes: readonly string[] }>;

/**
 * SetNewReplicaSetAnnotations: the Deployment's own annotations are copied over; the revision is
 * raised to `newRevision` if lower, and a ReplicaSet that had a revision before (a rollback to its
 * template) remembers the old number in revision-history; a ReplicaSet about to be created also
 * gets the replica annotations.
 */
export function newReplicaSetAnnotations(d: Deployment, rs: ReplicaSet, newRevision: number, desired: number, max: number, exists: boolean): NewReplicaSetAnnotations {
  const annotations: Record<string, string> = { ...(rs.metadata.annotations ?? {}) };
  const notes: string[] = [];
  let changed = false;
  for (const [key, value] of Object.entries(d.metadata.annotations ?? {})) {
    if (NOT_COPIED.has(key) || annotations[key] === value) continue;
    annotations[key] = value;
    changed = true;
    notes.push(`copy annotation ${key} from the Deployment`);
  }
  const previous = annotations[RevisionAnnotation];
  const oldRevision = revisionOf(rs);
  // Upstream gives up on a ReplicaSet whose revision is not a number, copied annotations included.
  if (oldRevision === undefined) return { annotations, changed: false, notes: [] };
  if (oldRevision < newRevision) {
    annotations[RevisionAnnotation] = String(newRevision);
    changed = true;
    notes.push(previous === undefined ? `revision ${newRevision}` : `revision ${previous} → ${newRevision} (its template is current again)`);
    const history = previous === undefined ? undefined : appendRevisionHistory(annotations[RevisionHistoryAnnotation], previous);
    if (history !== undefined) annotations[RevisionHistoryAnnotation] = history;
  }
  if (!exists && replicasAnnotationsNeedUpdate(rs, desired, max)) {
    Object.assign(annotations, withReplicasAnnotations({}, desired, max));
    changed = true;
  }
  return { annotations, changed, notes };
}

/** Appends `revision`, dropping the oldest entries to stay within the length limit; undefined when it cannot fit. */
function appendRevisionHistory(history: string | undefined, revision: string): string | undefined {
  if (!history) return revision;
  const entries = history.split(',');
  let total = history.length + revision.length + 1;
  let start = 0;
  while (total > MAX_REVISION_HISTORY_CHARS && start < entries.length) {
    total -= entries[start].length + 1;
    start++;
  }
  return total <= MAX_REVISION_HISTORY_CHARS ? [...entries.slice(start), revision].join(',') : undefined;
}
