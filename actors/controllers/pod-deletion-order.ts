import { compareText } from '../patch/json';
import { isPodActive, isPodReady, readyCondition } from './pod-status';
import { timeMs, type Pod } from './workloads';

/**
 * Which pods a ReplicaSet gives up first when it has too many: upstream's
 * controller.ActivePodsWithRanks order, with the PodDeletionCost and LogarithmicScaleDown features
 * on (their defaults since 1.22):
 *   1. not yet scheduled before scheduled;
 *   2. Pending before Unknown before Running;
 *   3. not ready before ready;
 *   4. lower `controller.kubernetes.io/pod-deletion-cost` first;
 *   5. more of the owner's active pods on the same node first (spreads what stays);
 *   6. both ready: ready more recently first, compared in power-of-two buckets of age, then by uid;
 *   7. more container restarts first (regular containers, then restartable init containers);
 *   8. created more recently first, in the same buckets, then by uid.
 * Go's sort is not stable, so upstream leaves full ties in any order; here the name decides, so a
 * replayed plan picks the same pods.
 */

export const POD_DELETION_COST_ANNOTATION = 'controller.kubernetes.io/pod-deletion-cost';

const PHASE_ORDINAL: Readonly<Record<string, number>> = { Pending: 0, Unknown: 1, Running: 2 };

type Ranked = Readonly<{ pod: Pod; colocated: number }>;

/**
 * The `count` pods of `active` to delete. `related` are the pods whose placement counts for rule 5
 * (upstream: every pod of the ReplicaSets that share this one's owner).
 */
export function podsToDelete(active: readonly Pod[], related: readonly Pod[], count: number, nowMs: number): Pod[] {
  if (count >= active.length) return [...active];
  const perNode = new Map<string, number>();
  for (const pod of related) if (isPodActive(pod)) perNode.set(nodeOf(pod), (perNode.get(nodeOf(pod)) ?? 0) + 1);
  const ranked: Ranked[] = active.map((pod) => ({ pod, colocated: perNode.get(nodeOf(pod)) ?? 0 }));
  ranked.sort((a, b) => compareForDeletion(a, b, nowMs) || compareText(a.pod.metadata.name ?? '', b.pod.metadata.name ?? ''));
  return ranked.slice(0, count).map((r) => r.pod);
}

/** Negative when `a` should go before `b`. */
function compareForDeletion(a: Ranked, b: Ranked, nowMs: number): number {
  const [pa, pb] = [a.pod, b.pod];
  const [na, nb] = [nodeOf(pa), nodeOf(pb)];
  if (na !== nb && (na === '' || nb === '')) return na === '' ? -1 : 1;
  const phase = phaseOrdinal(pa) - phaseOrdinal(pb);
  if (phase !== 0) return phase;
  const [ra, rb] = [isPodReady(pa), isPodReady(pb)];
  if (ra !== rb) return ra ? 1 : -1;
  const cost = deletionCost(pa) - deletionCost(pb);
  if (cost !== 0) return cost;
  if (a.colocated !== b.colocated) return b.colocated - a.colocated;
  if (ra && rb) {
    const [ta, tb] = [timeMs(readyCondition(pa)?.lastTransitionTime), timeMs(readyCondition(pb)?.lastTransitionTime)];
    if (ta !== tb) return newerFirst(ta, tb, pa, pb, nowMs);
  }
  const restarts = moreRestartsFirst(pa, pb);
  if (restarts !== 0) return restarts;
  const [ca, cb] = [timeMs(pa.metadata.creationTimestamp), timeMs(pb.metadata.creationTimestamp)];
  if (ca !== cb) return newerFirst(ca, cb, pa, pb, nowMs);
  return 0;
}

/**
 * Newer first, where times within the same power of two of age (in nanoseconds) tie and the uid
 * decides, so scale-down is not biased towards the very newest pods (LogarithmicScaleDown). A
 * missing time (Go's zero time) comes first, compared plainly.
 */
function newerFirst(ta: number | undefined, tb: number | undefined, pa: Pod, pb: Pod, nowMs: number): number {
  if (ta === undefined) return -1;
  if (tb === undefined) return 1;
  const diff = ageBucket(ta, nowMs) - ageBucket(tb, nowMs);
  if (diff === 0) return compareText(pa.metadata.uid ?? '', pb.metadata.uid ?? '');
  return diff < 0 ? -1 : 1;
}

function ageBucket(ms: number, nowMs: number): number {
  const ageNs = (nowMs - ms) * 1e6;
  return ageNs > 0 ? Math.floor(Math.log2(ageNs)) : -1;
}

function moreRestartsFirst(a: Pod, b: Pod): number {
  const [ra, rb] = [restarts(a), restarts(b)];
  if (ra.regular !== rb.regular) return ra.regular > rb.regular ? -1 : 1;
  if (ra.sidecar !== rb.sidecar) return ra.sidecar > rb.sidecar ? -1 : 1;
  return 0;
}

/** Highest restart count among regular containers, and among restartable init containers (sidecars). */
function restarts(pod: Pod): { regular: number; sidecar: number } {
  const regular = Math.max(0, ...(pod.status?.containerStatuses ?? []).map((c) => c.restartCount ?? 0));
  const sidecars = new Set((pod.spec?.initContainers ?? []).filter((c) => c.restartPolicy === 'Always').map((c) => c.name));
  const sidecar = Math.max(0, ...(pod.status?.initContainerStatuses ?? []).filter((c) => sidecars.has(c.name)).map((c) => c.restartCount ?? 0));
  return { regular, sidecar };
}

/** The annotation as an int32; anything else (a leading "+" or zero, out of range) counts as 0, as upstream's parse error does. */
function deletionCost(pod: Pod): number {
  const value = pod.metadata.annotations?.[POD_DELETION_COST_ANNOTATION];
  if (value === undefined || !/^(0|[1-9][0-9]*|-[0-9]+)$/.test(value)) return 0;
  const n = Number.parseInt(value, 10);
  return n >= -2147483648 && n <= 2147483647 ? n : 0;
}

function phaseOrdinal(pod: Pod): number {
  return PHASE_ORDINAL[pod.status?.phase ?? ''] ?? 0;
}

function nodeOf(pod: Pod): string {
  return pod.spec?.nodeName ?? '';
}
