import { matchesAllTerms, termMatches, type AffinityTerm, type WeightedAffinityTerm } from './affinity-term';
import type { NodeInfo } from './node-info';
import type { PodInfo } from './pod-info';

/**
 * The cluster-wide half of the InterPodAffinity plugin: counts per topology pair (a node label
 * key and value, e.g. zone=a) computed once per pod from every node, which the per-node filter and
 * score then read (interpodaffinity PreFilter and PreScore).
 */

type Counts = Map<string, number>;

const pairKey = (key: string, value: string): string => `${key}\u0000${value}`;

function labelOf(node: NodeInfo, key: string): string | undefined {
  return Object.hasOwn(node.labels, key) ? node.labels[key] : undefined;
}

/** topologyToMatchedTermCount.update: entries that fall to zero are dropped, so "empty" means "no constraint". */
function bump(counts: Counts, node: NodeInfo, topologyKey: string, delta: number): void {
  const value = labelOf(node, topologyKey);
  if (value === undefined) return;
  const key = pairKey(topologyKey, value);
  const next = (counts.get(key) ?? 0) + delta;
  if (next === 0) counts.delete(key);
  else counts.set(key, next);
}

export type AffinityFilterState = Readonly<{
  /** Pairs where pods matching all of the incoming pod's required affinity terms run. */
  affinity: ReadonlyMap<string, number>;
  /** Pairs where pods matching one of the incoming pod's required anti-affinity terms run. */
  antiAffinity: ReadonlyMap<string, number>;
  /** Pairs from which existing pods' required anti-affinity repels the incoming pod. */
  existingAntiAffinity: ReadonlyMap<string, number>;
}>;

type MutableState = { affinity: Counts; antiAffinity: Counts; existingAntiAffinity: Counts };

/** preFilterState.updateWithPod: what one existing pod on `node` adds (delta 1) or takes away (delta -1). */
function count(state: MutableState, pod: PodInfo, existing: PodInfo, node: NodeInfo, delta: number): void {
  for (const t of existing.requiredAntiAffinityTerms) if (termMatches(t, pod)) bump(state.existingAntiAffinity, node, t.topologyKey, delta);
  if (matchesAllTerms(pod.requiredAffinityTerms, existing)) {
    for (const t of pod.requiredAffinityTerms) bump(state.affinity, node, t.topologyKey, delta);
  }
  for (const t of pod.requiredAntiAffinityTerms) if (termMatches(t, existing)) bump(state.antiAffinity, node, t.topologyKey, delta);
}

export function affinityFilterState(pod: PodInfo, nodes: readonly NodeInfo[]): AffinityFilterState {
  const state: MutableState = { affinity: new Map(), antiAffinity: new Map(), existingAntiAffinity: new Map() };
  // Without required terms of its own, only pods with required anti-affinity can constrain this pod.
  const ownTerms = pod.requiredAffinityTerms.length + pod.requiredAntiAffinityTerms.length > 0;
  for (const node of nodes) {
    for (const existing of ownTerms ? node.pods : node.podsWithRequiredAntiAffinity) count(state, pod, existing, node, 1);
  }
  return state;
}

/** The state as it would be without `removed` on `node` (PreFilterExtensions.RemovePod), for a preemption dry run. */
export function affinityFilterStateWithout(state: AffinityFilterState, pod: PodInfo, removed: readonly PodInfo[], node: NodeInfo): AffinityFilterState {
  const next: MutableState = { affinity: new Map(state.affinity), antiAffinity: new Map(state.antiAffinity), existingAntiAffinity: new Map(state.existingAntiAffinity) };
  for (const existing of removed) count(next, pod, existing, node, -1);
  return next;
}

/**
 * satisfyPodAffinity: the node has every term's topology label and pods matching the terms run in
 * each of those domains. The first pod of a group that selects itself may go anywhere with the
 * labels, or it could never start.
 */
export function satisfiesPodAffinity(state: AffinityFilterState, pod: PodInfo, node: NodeInfo): boolean {
  let podsExist = true;
  for (const term of pod.requiredAffinityTerms) {
    const value = labelOf(node, term.topologyKey);
    if (value === undefined) return false;
    if ((state.affinity.get(pairKey(term.topologyKey, value)) ?? 0) <= 0) podsExist = false;
  }
  return podsExist || (state.affinity.size === 0 && matchesAllTerms(pod.requiredAffinityTerms, pod));
}

/** satisfyPodAntiAffinity: no pod the incoming pod repels runs in the node's domain of any term. */
export function satisfiesPodAntiAffinity(state: AffinityFilterState, pod: PodInfo, node: NodeInfo): boolean {
  if (state.antiAffinity.size === 0) return true;
  return pod.requiredAntiAffinityTerms.every((term: AffinityTerm) => {
    const value = labelOf(node, term.topologyKey);
    return value === undefined || (state.antiAffinity.get(pairKey(term.topologyKey, value)) ?? 0) <= 0;
  });
}

/** satisfyExistingPodsAntiAffinity: no existing pod's anti-affinity covers any of the node's label pairs. */
export function satisfiesExistingAntiAffinity(state: AffinityFilterState, node: NodeInfo): boolean {
  if (state.existingAntiAffinity.size === 0) return true;
  return Object.entries(node.labels).every(([k, v]) => (state.existingAntiAffinity.get(pairKey(k, v)) ?? 0) <= 0);
}

// ---------------------------------------------------------------------------------------------
// Scoring (interpodaffinity PreScore/Score)

/** Existing pods' required affinity counts towards scores with this weight (InterPodAffinityArgs.hardPodAffinityWeight default). */
const HARD_POD_AFFINITY_WEIGHT = 1;

/** Topology pair → summed weight; a node scores the sum over its own label pairs. */
export type AffinityScores = ReadonlyMap<string, number>;

function addWeighted(scores: Counts, terms: readonly WeightedAffinityTerm[], target: PodInfo, node: NodeInfo, sign: number): void {
  for (const t of terms) if (termMatches(t, target)) bump(scores, node, t.topologyKey, sign * t.weight);
}

/** processExistingPod, summed over the cluster. */
export function affinityScores(pod: PodInfo, nodes: readonly NodeInfo[]): AffinityScores {
  const scores: Counts = new Map();
  // Unless the incoming pod has preferences of its own, only pods with affinity terms can matter.
  const ownPreferences = pod.preferredAffinityTerms.length + pod.preferredAntiAffinityTerms.length > 0;
  for (const node of nodes) {
    const candidates = ownPreferences ? node.pods : node.podsWithAffinity;
    if (candidates.length === 0 || Object.keys(node.labels).length === 0) continue;
    for (const existing of candidates) {
      addWeighted(scores, pod.preferredAffinityTerms, existing, node, 1);
      addWeighted(scores, pod.preferredAntiAffinityTerms, existing, node, -1);
      addWeighted(scores, existing.requiredAffinityTerms.map((t) => ({ ...t, weight: HARD_POD_AFFINITY_WEIGHT })), pod, node, 1);
      addWeighted(scores, existing.preferredAffinityTerms, pod, node, 1);
      addWeighted(scores, existing.preferredAntiAffinityTerms, pod, node, -1);
    }
  }
  return scores;
}

export function affinityScoreOf(scores: AffinityScores, node: NodeInfo): number {
  if (scores.size === 0) return 0;
  return Object.entries(node.labels).reduce((sum, [k, v]) => sum + (scores.get(pairKey(k, v)) ?? 0), 0);
}
