import { labelSelectorFromObject, matchesLabels, type LabelSelector, type MetaLabelSelector } from '../../projections/selectors';
import type { PodAffinityTerm, WeightedPodAffinityTerm } from './types';

/**
 * A parsed pod (anti-)affinity term (framework.AffinityTerm): which pods it selects, in which
 * namespaces, and the node label that defines "the same place" for it.
 */
export type AffinityTerm = Readonly<{
  selector: LabelSelector;
  namespaces: ReadonlySet<string>;
  /** namespaceSelector `{}`: every namespace. */
  allNamespaces: boolean;
  topologyKey: string;
}>;
export type WeightedAffinityTerm = AffinityTerm & Readonly<{ weight: number }>;

/** What a term looks at in a pod. */
export type PodIdentity = Readonly<{ namespace: string; labels: Readonly<Record<string, string>> }>;

const NOTHING: LabelSelector = { requirements: [], matchesNothing: true };

/** The API does not validate affinity selectors, so a broken one may be stored: it then selects no pod. */
function selectorOf(sel: MetaLabelSelector | null | undefined): LabelSelector {
  try {
    return labelSelectorFromObject(sel);
  } catch {
    return NOTHING;
  }
}

/**
 * newAffinityTerm: no namespaces and no namespaceSelector means the owner's namespace. A
 * namespaceSelector with requirements would need the namespaces' labels, which the scheduler is not
 * given; it selects no namespace beyond those listed.
 */
export function parseAffinityTerm(ownerNamespace: string, term: PodAffinityTerm): AffinityTerm {
  const listed = term.namespaces ?? [];
  const nsSelector = term.namespaceSelector;
  const namespaces = new Set(listed.length === 0 && !nsSelector ? [ownerNamespace] : listed);
  const allNamespaces = !!nsSelector && Object.keys(nsSelector.matchLabels ?? {}).length === 0 && (nsSelector.matchExpressions ?? []).length === 0;
  return { selector: selectorOf(term.labelSelector), namespaces, allNamespaces, topologyKey: term.topologyKey };
}

export function parseWeightedTerms(ownerNamespace: string, terms: readonly WeightedPodAffinityTerm[] | undefined): readonly WeightedAffinityTerm[] {
  return (terms ?? []).map((t) => ({ ...parseAffinityTerm(ownerNamespace, t.podAffinityTerm), weight: t.weight }));
}

/** AffinityTerm.Matches: the pod is in one of the term's namespaces and carries the selected labels. */
export function termMatches(term: AffinityTerm, pod: PodIdentity): boolean {
  return (term.allNamespaces || term.namespaces.has(pod.namespace)) && matchesLabels(term.selector, pod.labels);
}

/** podMatchesAllAffinityTerms: false for no terms, so an unconstrained pod never counts as a match. */
export function matchesAllTerms(terms: readonly AffinityTerm[], pod: PodIdentity): boolean {
  return terms.length > 0 && terms.every((t) => termMatches(t, pod));
}
