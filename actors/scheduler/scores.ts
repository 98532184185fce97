import { affinityScoreOf, affinityScores } from './inter-pod-affinity';
import { nodeTermMatches } from './node-selector';
import type { NodeInfo } from './node-info';
import type { PodInfo } from './pod-info';
import { untoleratedPreferNoSchedule } from './taints';

/**
 * kube-scheduler's score plugins: each gives every feasible node 0–100 (normalized as upstream
 * does), and a node's total is the weighted sum. The arithmetic follows upstream's int64 divisions
 * and float truncations, so each plugin scores a node exactly as kube-scheduler would.
 */

export const MAX_NODE_SCORE = 100;

export type ScoreName = 'TaintToleration' | 'NodeAffinity' | 'NodeResourcesFit' | 'SelectorSpread' | 'InterPodAffinity';

/** Scores for `feasible`, in its order; `all` is every node, for plugins that look at the whole cluster. */
export type Scorer = (pod: PodInfo, feasible: readonly NodeInfo[], all: readonly NodeInfo[]) => readonly number[];

/** helper.DefaultNormalizeScore: scale to the highest raw score; `reverse` makes fewer better. */
export function defaultNormalize(raw: readonly number[], reverse: boolean): number[] {
  const highest = raw.reduce((m, s) => Math.max(m, s), 0);
  if (highest === 0) return raw.map((s) => (reverse ? MAX_NODE_SCORE : s));
  return raw.map((s) => {
    const scaled = Math.floor((MAX_NODE_SCORE * s) / highest);
    return reverse ? MAX_NODE_SCORE - scaled : scaled;
  });
}

/** Fewer untolerated PreferNoSchedule taints is better. */
const taintToleration: Scorer = (pod, feasible) =>
  defaultNormalize(feasible.map((n) => untoleratedPreferNoSchedule(n.taints, pod.tolerations)), true);

/** The summed weights of the preferred node affinity terms a node matches. */
const nodeAffinity: Scorer = (pod, feasible) =>
  defaultNormalize(feasible.map((n) => pod.preferredNodeTerms.reduce((sum, p) => sum + (nodeTermMatches(p.term, n) ? p.weight : 0), 0)), false);

/** leastRequestedScore: the free share of a resource, 0 when the request does not fit. */
function leastRequested(requested: number, capacity: number): number {
  if (capacity === 0 || requested > capacity) return 0;
  return Math.floor(((capacity - requested) * MAX_NODE_SCORE) / capacity);
}

/**
 * NodeResourcesFit with the LeastAllocated strategy (cpu and memory, weight 1 each): the emptier
 * node wins. Counts requests the scoring way, so best-effort pods still weigh something; a
 * resource the node does not report is left out rather than counted as full.
 */
const leastAllocated: Scorer = (pod, feasible) =>
  feasible.map((n) => {
    const { milliCpu, memory } = n.allocatable;
    let sum = 0;
    let parts = 0;
    if (milliCpu !== 0) {
      sum += leastRequested(n.nonZeroRequested.milliCpu + pod.nonZeroRequests.milliCpu, milliCpu);
      parts++;
    }
    if (memory !== 0) {
      sum += leastRequested(n.nonZeroRequested.memory + pod.nonZeroRequests.memory, memory);
      parts++;
    }
    return parts === 0 ? 0 : Math.floor(sum / parts);
  });

/** How much a node's zone counts against its own spread (selectorspread zoneWeighting). */
const ZONE_WEIGHTING = 2 / 3;

/**
 * SelectorSpread (kube-scheduler ≤ 1.25), keyed on the pod's controller: fewer pods of the same
 * controller on a node, and in its zone, score higher. Pods without a controller, or with
 * topologySpreadConstraints of their own, score every node alike.
 */
const selectorSpread: Scorer = (pod, feasible) => {
  if (pod.hasSpreadConstraints) return feasible.map(() => 0);
  const owner = pod.controllerUid;
  const counts = feasible.map((n) => (owner === undefined ? 0 : n.controllerPods.get(owner) ?? 0));
  const zones = feasible.map((n) => n.zone);
  const byZone = new Map<string, number>();
  for (const [i, zone] of zones.entries()) if (zone !== '') byZone.set(zone, (byZone.get(zone) ?? 0) + counts[i]);
  const maxByNode = counts.reduce((m, c) => Math.max(m, c), 0);
  const maxByZone = [...byZone.values()].reduce((m, c) => Math.max(m, c), 0);
  return counts.map((count, i) => {
    let score = maxByNode > 0 ? MAX_NODE_SCORE * ((maxByNode - count) / maxByNode) : MAX_NODE_SCORE;
    const zone = zones[i];
    if (zone !== '') {
      const zoneScore = maxByZone > 0 ? MAX_NODE_SCORE * ((maxByZone - (byZone.get(zone) ?? 0)) / maxByZone) : MAX_NODE_SCORE;
      score = score * (1 - ZONE_WEIGHTING) + ZONE_WEIGHTING * zoneScore;
    }
    return Math.trunc(score);
  });
};

/** Preferred pod (anti-)affinity of the pod and of the pods already placed, scaled min–max to 0–100. */
const interPodAffinity: Scorer = (pod, feasible, all) => {
  const scores = affinityScores(pod, all);
  const raw = feasible.map((n) => affinityScoreOf(scores, n));
  const lowest = raw.reduce((m, s) => Math.min(m, s), Infinity);
  const spread = raw.reduce((m, s) => Math.max(m, s), -Infinity) - lowest;
  return raw.map((s) => (spread > 0 ? Math.trunc(MAX_NODE_SCORE * ((s - lowest) / spread)) : 0));
};

/**
 * The default profile's weights. SelectorSpread stands where PodTopologySpread's system-default
 * spreading sits upstream, with the weight SelectorSpread last had there.
 */
export const SCORES: readonly Readonly<{ name: ScoreName; weight: number; score: Scorer }>[] = [
  { name: 'TaintToleration', weight: 3, score: taintToleration },
  { name: 'NodeAffinity', weight: 2, score: nodeAffinity },
  { name: 'NodeResourcesFit', weight: 1, score: leastAllocated },
  { name: 'SelectorSpread', weight: 1, score: selectorSpread },
  { name: 'InterPodAffinity', weight: 2, score: interPodAffinity },
];

export type NodeScores = Readonly<{ scores: Readonly<Record<ScoreName, number>>; total: number }>;

/** Every plugin's normalized score for each feasible node, and the weighted total. */
export function scoreNodes(pod: PodInfo, feasible: readonly NodeInfo[], all: readonly NodeInfo[]): NodeScores[] {
  const run = (name: ScoreName) => {
    const plugin = SCORES.find((p) => p.name === name) as (typeof SCORES)[number];
    return { values: plugin.score(pod, feasible, all), weight: plugin.weight };
  };
  const [t, a, f, s, p] = (['TaintToleration', 'NodeAffinity', 'NodeResourcesFit', 'SelectorSpread', 'InterPodAffinity'] as const).map(run);
  // One literal per node: a fixed shape is much cheaper than filling an empty object by name.
  return feasible.map((_, i) => ({
    scores: { TaintToleration: t.values[i], NodeAffinity: a.values[i], NodeResourcesFit: f.values[i], SelectorSpread: s.values[i], InterPodAffinity: p.values[i] },
    total: t.values[i] * t.weight + a.values[i] * a.weight + f.values[i] * f.weight + s.values[i] * s.weight + p.values[i] * p.weight,
  }));
}
