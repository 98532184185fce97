import { LabelOperator, matchesLabels, type LabelRequirement, type LabelSelector } from '../../projections/selectors';
import type { NodeSelectorRequirement, NodeSelectorTerm, PodSpec } from './types';

/**
 * Node selectors and node affinity (component-helpers scheduling/corev1/nodeaffinity). A term is
 * the AND of its label expressions and its `metadata.name` field expressions; terms are ORed. As
 * upstream's lazy selector does, a term that fails to parse, or has no expressions at all, matches
 * no node rather than failing the pod.
 */

/** One parsed NodeSelectorTerm. */
export type NodeTerm = Readonly<{ labels: LabelSelector; names: readonly Readonly<{ equal: boolean; name: string }>[] }>;
export type WeightedNodeTerm = Readonly<{ weight: number; term: NodeTerm }>;

/** What a node must satisfy: every nodeSelector label, and (when given) one of the required terms. */
export type RequiredNodeAffinity = Readonly<{ nodeSelector: LabelSelector; terms?: readonly NodeTerm[] }>;

/** What the scheduler needs to know of a node to match it. */
export type NodeIdentity = Readonly<{ name: string; labels: Readonly<Record<string, string>> }>;

const OPERATORS: Readonly<Record<string, LabelOperator>> = {
  In: LabelOperator.In,
  NotIn: LabelOperator.NotIn,
  Exists: LabelOperator.Exists,
  DoesNotExist: LabelOperator.DoesNotExist,
  Gt: LabelOperator.GreaterThan,
  Lt: LabelOperator.LessThan,
};

/** nodeSelectorRequirementsAsSelector: undefined when the requirement is invalid. */
function labelRequirement(r: NodeSelectorRequirement): LabelRequirement | undefined {
  const operator = Object.hasOwn(OPERATORS, r.operator) ? OPERATORS[r.operator] : undefined;
  const values = r.values ?? [];
  switch (operator) {
    case LabelOperator.In:
    case LabelOperator.NotIn:
      return values.length > 0 ? { key: r.key, operator, values } : undefined;
    case LabelOperator.Exists:
    case LabelOperator.DoesNotExist:
      return values.length === 0 ? { key: r.key, operator, values } : undefined;
    case LabelOperator.GreaterThan:
    case LabelOperator.LessThan:
      return values.length === 1 && /^[+-]?[0-9]+$/.test(values[0]) ? { key: r.key, operator, values } : undefined;
    default:
      return undefined;
  }
}

/** nodeSelectorRequirementsFieldsAsSelector: only `metadata.name`, In or NotIn one value. */
function nameRequirement(r: NodeSelectorRequirement): NodeTerm['names'][number] | undefined {
  const values = r.values ?? [];
  if (r.key !== 'metadata.name' || values.length !== 1) return undefined;
  if (r.operator === 'In') return { equal: true, name: values[0] };
  if (r.operator === 'NotIn') return { equal: false, name: values[0] };
  return undefined;
}

export function parseNodeTerm(term: NodeSelectorTerm | undefined): NodeTerm | undefined {
  const expressions = term?.matchExpressions ?? [];
  const fields = term?.matchFields ?? [];
  if (expressions.length + fields.length === 0) return undefined;
  const requirements = expressions.map(labelRequirement);
  const names = fields.map(nameRequirement);
  if (requirements.some((r) => r === undefined) || names.some((n) => n === undefined)) return undefined;
  return { labels: { requirements: requirements as LabelRequirement[] }, names: names as NodeTerm['names'][number][] };
}

export function nodeTermMatches(term: NodeTerm, node: NodeIdentity): boolean {
  return matchesLabels(term.labels, node.labels) && term.names.every((n) => (node.name === n.name) === n.equal);
}

/** GetRequiredNodeAffinity: spec.nodeSelector and the required node affinity terms. */
export function requiredNodeAffinityOf(spec: PodSpec): RequiredNodeAffinity {
  const nodeSelector: LabelSelector = {
    requirements: Object.entries(spec.nodeSelector ?? {}).map(([key, value]) => ({ key, operator: LabelOperator.Equals, values: [value] })),
  };
  const required = spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
  if (!required) return { nodeSelector };
  const terms = (required.nodeSelectorTerms ?? []).map(parseNodeTerm).filter((t): t is NodeTerm => t !== undefined);
  return { nodeSelector, terms };
}

export function matchesRequiredNodeAffinity(required: RequiredNodeAffinity, node: NodeIdentity): boolean {
  if (!matchesLabels(required.nodeSelector, node.labels)) return false;
  return required.terms === undefined || required.terms.some((t) => nodeTermMatches(t, node));
}

/** The preferred node affinity terms that can ever count: weight 0 and unparsable terms are dropped. */
export function preferredNodeTermsOf(spec: PodSpec): readonly WeightedNodeTerm[] {
  return (spec.affinity?.nodeAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? []).flatMap((p) => {
    const term = p.weight === 0 ? undefined : parseNodeTerm(p.preference);
    return term ? [{ weight: p.weight, term }] : [];
  });
}
