import type { KubeObject } from '../kinds/types';
import { filterCycle, runFilters, type Unfit } from './filters';
import { fitErrorMessage, NO_NODES_AVAILABLE } from './fit-error';
import { fnv1a32 } from './hash';
import { nodeInfoOf, type NodeInfo } from './node-info';
import { holdsNode, podInfoOf, type PodInfo } from './pod-info';
import { preemptionMessage } from './preemption';
import { scoreNodes, type NodeScores, type ScoreName } from './scores';

/**
 * One scheduling cycle for one pod (schedulePod): filter every node, score the feasible ones, take
 * the best. Pure and deterministic: where kube-scheduler picks among equal scores at random, the
 * tie goes to the node whose name hashes lowest with the pod's uid, which still spreads replicas
 * of one workload over equal nodes and yields the same answer on replay.
 */

/** Why a node was or was not chosen — what `skiff explain pod` prints. */
export type NodeVerdict = Readonly<{
  node: string;
  fit: boolean;
  /** Upstream's reasons, from the first filter that rejected the node (as kube-scheduler stops there). */
  reasons: readonly string[];
  /** What upstream logs rather than shows, such as which taint was not tolerated. */
  detail?: string;
  /** Normalized 0–100 per score plugin, for feasible nodes. */
  scores?: Readonly<Record<ScoreName, number>>;
  /** The weighted sum of `scores`. */
  total?: number;
}>;

export type Decision =
  | Readonly<{ kind: 'bound'; node: string; verdicts: readonly NodeVerdict[] }>
  | Readonly<{ kind: 'unschedulable'; message: string; verdicts: readonly NodeVerdict[] }>;

/**
 * kube-scheduler's numFeasibleNodesToFind with the default (adaptive) percentageOfNodesToScore:
 * in a large cluster it stops filtering once this many nodes fit, and scores only those.
 */
export function feasibleNodesToFind(total: number): number {
  const MIN_FEASIBLE = 100;
  if (total < MIN_FEASIBLE) return total;
  const percentage = Math.max(5, 50 - Math.floor(total / 125));
  return Math.max(MIN_FEASIBLE, Math.floor((total * percentage) / 100));
}

/**
 * Schedules `pod` on `nodes` (already built, in a stable order) — the form a scheduling pass uses.
 * Filtering starts at a node chosen by the pod's uid (upstream rotates a start index; a hash keeps
 * replays identical) and stops once enough nodes fit; when too few do, every node was looked at
 * and the verdicts say why each was rejected.
 */
export function scheduleOn(pod: PodInfo, allNodes: readonly NodeInfo[]): Decision {
  if (allNodes.length === 0) return { kind: 'unschedulable', message: NO_NODES_AVAILABLE, verdicts: [] };
  const cycle = filterCycle(pod, allNodes);
  const wanted = feasibleNodesToFind(allNodes.length);
  const start = fnv1a32(pod.uid || `${pod.namespace}/${pod.name}`) % allNodes.length;
  // Filtering visits nodes start, start+1, … wrapping round; `wrapped` holds those past the end.
  const visited: { node: NodeInfo; unfit: Unfit | undefined }[] = [];
  const wrapped: { node: NodeInfo; unfit: Unfit | undefined }[] = [];
  let fits = 0;
  for (let k = 0; k < allNodes.length && fits < wanted; k++) {
    const index = start + k < allNodes.length ? start + k : start + k - allNodes.length;
    const unfit = runFilters(pod, allNodes[index], cycle);
    (index < start ? wrapped : visited).push({ node: allNodes[index], unfit });
    if (unfit === undefined) fits++;
  }
  // Verdicts in node order, whatever node filtering started at.
  const evaluated = wrapped.length > 0 ? [...wrapped, ...visited] : visited;
  const nodes = evaluated.map((e) => e.node);
  const unfits = evaluated.map((e) => e.unfit);
  const rejectedVerdict = (node: NodeInfo, unfit: Unfit): NodeVerdict => ({
    node: node.name, fit: false, reasons: unfit.reasons, ...(unfit.detail ? { detail: unfit.detail } : {}),
  });
  const feasible = nodes.filter((_, i) => unfits[i] === undefined);
  if (feasible.length === 0) {
    const rejected = nodes.map((node, i) => ({ node, unfit: unfits[i] as Unfit }));
    const verdicts = rejected.map(({ node, unfit }) => rejectedVerdict(node, unfit));
    const message = fitErrorMessage(nodes.length, verdicts.map((v) => v.reasons), preemptionMessage(pod, rejected, cycle));
    return { kind: 'unschedulable', message, verdicts };
  }
  const scored = new Map(scoreNodes(pod, feasible, allNodes).map((s, i) => [feasible[i].name, s]));
  const verdicts = nodes.map((node, i): NodeVerdict => {
    const s = scored.get(node.name);
    return s ? { node: node.name, fit: true, reasons: [], scores: s.scores, total: s.total } : rejectedVerdict(node, unfits[i] as Unfit);
  });
  return { kind: 'bound', node: best(pod, scored), verdicts };
}

/** The highest total; among equals, the lowest hash of the pod's uid and the node's name. */
function best(pod: PodInfo, scored: ReadonlyMap<string, NodeScores>): string {
  let highest = -Infinity;
  for (const { total } of scored.values()) highest = Math.max(highest, total);
  const seed = fnv1a32(`${pod.uid || `${pod.namespace}/${pod.name}`}/`);
  let chosen = { node: '', hash: Infinity };
  for (const [node, { total }] of scored) {
    if (total !== highest) continue;
    const hash = fnv1a32(node, seed);
    if (hash < chosen.hash) chosen = { node, hash };
  }
  return chosen.node;
}

const nameOf = (o: KubeObject): string => o.metadata.name ?? '';

/** The node views for `nodes`, in name order, with the pods that hold each. */
export function nodeInfosOf(nodes: readonly KubeObject[], podsByNode: ReadonlyMap<string, readonly KubeObject[]>): NodeInfo[] {
  const sorted = [...nodes].sort((a, b) => (nameOf(a) < nameOf(b) ? -1 : nameOf(a) > nameOf(b) ? 1 : 0));
  return sorted.map((node) => nodeInfoOf(node, (podsByNode.get(nameOf(node)) ?? []).filter(holdsNode).map(podInfoOf)));
}

/** Where `pod` would go among `nodes`, given the pods already on each node (by node name). */
export function schedule(pod: KubeObject, nodes: readonly KubeObject[], podsByNode: ReadonlyMap<string, readonly KubeObject[]>): Decision {
  return scheduleOn(podInfoOf(pod), nodeInfosOf(nodes, podsByNode));
}
