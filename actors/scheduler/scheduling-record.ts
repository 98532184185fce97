import type { JsonValue } from '../../eventlog/types';
import type { Decision, NodeVerdict } from './schedule';
import type { ScoreName } from './scores';

/**
 * The scheduler's decision about one pod as data, carried on the command that acts on it (the bind,
 * or the PodScheduled=False status patch), so `skiff explain pod` can say why the pod went where it
 * did or why no node took it. A 10,000-pod Deployment writes 10,000 of these, so a record keeps
 * counts and groups rather than one verdict per node: rejected nodes are grouped by their reasons
 * (all named for an unschedulable pod, a few per group for a bound one), and of the feasible
 * nodes only the best few are kept with their scores.
 */

/** Feasible nodes kept with their scores on a bound pod's record (the chosen one first). */
export const RECORDED_FEASIBLE_NODES = 10;
/** Nodes named per group of rejected nodes on a bound pod's record; the others are only counted. */
export const RECORDED_REJECTED_PER_GROUP = 10;

/** Nodes a filter rejected for the same reasons (and detail). */
export type RejectedGroup = Readonly<{
  reasons: readonly string[];
  detail?: string;
  /** In name order; on a bound pod's record at most RECORDED_REJECTED_PER_GROUP. */
  nodes: readonly string[];
  /** How many more nodes were rejected for these reasons than `nodes` names. */
  unlisted?: number;
}>;

/** A feasible node with its normalized (0–100) score per plugin and their weighted total. */
export type ScoredNode = Readonly<{ node: string; total: number; scores: Readonly<Record<ScoreName, number>> }>;

type Counts = Readonly<{
  kind: 'scheduling';
  /** The pod the decision was about: a pod of the same name created later is another pod. */
  uid: string;
  /** Nodes in the cluster when the decision was made. */
  nodes: number;
  /** Nodes the filters looked at (fewer than `nodes` when enough feasible ones were found early). */
  evaluated: number;
  feasible: number;
  rejected: readonly RejectedGroup[];
}>;

export type SchedulingRecord =
  | (Counts & Readonly<{
      outcome: 'bound';
      node: string;
      /** The best feasible nodes by total, the chosen one first; at most RECORDED_FEASIBLE_NODES. */
      scored: readonly ScoredNode[];
      /** Feasible nodes that were scored but are not in `scored`. */
      unrecorded: number;
    }>)
  | (Counts & Readonly<{ outcome: 'unschedulable'; message: string }>);

/** The record of `decision` for the pod with `uid`, made among `clusterNodes` nodes. */
export function schedulingRecord(decision: Decision, uid: string, clusterNodes: number): SchedulingRecord {
  const counts = {
    kind: 'scheduling' as const,
    uid,
    nodes: clusterNodes,
    evaluated: decision.verdicts.length,
    feasible: decision.verdicts.filter((v) => v.fit).length,
  };
  if (decision.kind === 'unschedulable') {
    return { ...counts, outcome: 'unschedulable', message: decision.message, rejected: groupRejected(decision.verdicts, Infinity) };
  }
  const { kept, unrecorded } = best(decision.verdicts, decision.node, RECORDED_FEASIBLE_NODES);
  return {
    ...counts,
    outcome: 'bound',
    node: decision.node,
    scored: kept,
    unrecorded,
    rejected: groupRejected(decision.verdicts, RECORDED_REJECTED_PER_GROUP),
  };
}

/** The chosen node first, then the higher total, then the name: a total order, so records replay alike. */
function byChosenThenTotal(chosen: string, a: ScoredNode, b: ScoredNode): number {
  if ((a.node === chosen) !== (b.node === chosen)) return a.node === chosen ? -1 : 1;
  if (a.total !== b.total) return b.total - a.total;
  return a.node < b.node ? -1 : a.node > b.node ? 1 : 0;
}

/**
 * The first `k` feasible verdicts in `byChosenThenTotal` order, and how many feasible ones are left
 * out. An insertion into a list of at most `k`, not a sort: a large cluster scores hundreds of nodes per pod.
 */
function best(verdicts: readonly NodeVerdict[], chosen: string, k: number): { kept: ScoredNode[]; unrecorded: number } {
  const kept: ScoredNode[] = [];
  let feasible = 0;
  for (const v of verdicts) {
    if (!v.fit || v.scores === undefined || v.total === undefined) continue;
    feasible++;
    const scored: ScoredNode = { node: v.node, total: v.total, scores: v.scores };
    let at = kept.length;
    while (at > 0 && byChosenThenTotal(chosen, scored, kept[at - 1]) < 0) at--;
    if (at < k) {
      kept.splice(at, 0, scored);
      if (kept.length > k) kept.pop();
    }
  }
  return { kept, unrecorded: feasible - kept.length };
}

/**
 * Rejected verdicts grouped by reasons and detail, groups largest first (then by their first
 * node), each naming at most `perGroup` nodes in the verdicts' (name) order.
 */
function groupRejected(verdicts: readonly NodeVerdict[], perGroup: number): RejectedGroup[] {
  const groups = new Map<string, { reasons: readonly string[]; detail?: string; nodes: string[] }>();
  for (const v of verdicts) {
    if (v.fit) continue;
    const key = `${v.reasons.join('\n')}\u0000${v.detail ?? ''}`;
    const group = groups.get(key);
    if (group) group.nodes.push(v.node);
    else groups.set(key, { reasons: v.reasons, ...(v.detail ? { detail: v.detail } : {}), nodes: [v.node] });
  }
  return [...groups.values()]
    .sort((a, b) => b.nodes.length - a.nodes.length || (a.nodes[0] < b.nodes[0] ? -1 : 1))
    .map(({ nodes, ...group }) => ({
      ...group,
      nodes: nodes.slice(0, perGroup),
      ...(nodes.length > perGroup ? { unlisted: nodes.length - perGroup } : {}),
    }));
}

/** Whether a command's `detail` is a scheduling record (the reading side's check; records are never upcast yet). */
export function isSchedulingRecord(detail: JsonValue | undefined): detail is SchedulingRecord {
  if (detail === null || typeof detail !== 'object' || Array.isArray(detail)) return false;
  const d = detail as { readonly [key: string]: JsonValue | undefined };
  return d.kind === 'scheduling' && (d.outcome === 'bound' || d.outcome === 'unschedulable') && Array.isArray(d.rejected);
}
