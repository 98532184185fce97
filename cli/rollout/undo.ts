/** `rollout undo` for a Deployment: target selection and the JSON Patch kubectl sends (deploymentRollbacker). */
import type { Deployment, PodTemplateSpec } from '../../actors/controllers/workloads';
import { CliError } from '../errors';
import { POD_TEMPLATE_HASH, REVISION_ANNOTATION, type Revision } from './history';

/** Deployment annotations that stay the Deployment's own; every other one comes from the target ReplicaSet. */
const DEPLOYMENT_OWN_ANNOTATIONS = [
  'kubectl.kubernetes.io/last-applied-configuration',
  REVISION_ANNOTATION,
  'deployment.kubernetes.io/revision-history',
  'deployment.kubernetes.io/desired-replicas',
  'deployment.kubernetes.io/max-replicas',
  'deprecated.deployment.rollback.to',
];

export type JsonPatchOp = Readonly<{ op: 'replace'; path: string; value: unknown }>;

/** `--to-revision=N`, or (0) the revision before the newest. */
export function undoTarget(d: Deployment, revisions: readonly Revision[], toRevision: number): Revision {
  if (toRevision > 0) {
    const found = revisions.find((r) => r.revision === toRevision);
    if (!found) throw new CliError(`unable to find specified revision ${toRevision} in history`);
    return found;
  }
  const previous = revisions.at(-2);
  if (!previous) throw new CliError(`no rollout history found for deployment "${d.metadata.name ?? ''}"`);
  return previous;
}

/** The patch, or undefined when the Deployment already runs that template (kubectl: "skipped rollback"). */
export function undoPatch(d: Deployment, target: Revision): JsonPatchOp[] | undefined {
  const template = withoutHash(target.replicaSet.spec.template ?? {});
  if (canonical(template) === canonical(withoutHash(d.spec.template ?? {}))) return undefined;
  const own = d.metadata.annotations ?? {};
  const annotations: Record<string, string> = {};
  for (const key of DEPLOYMENT_OWN_ANNOTATIONS) if (key in own) annotations[key] = own[key];
  for (const [key, value] of Object.entries(target.replicaSet.metadata.annotations ?? {})) {
    if (!DEPLOYMENT_OWN_ANNOTATIONS.includes(key)) annotations[key] = value;
  }
  return [
    { op: 'replace', path: '/spec/template', value: template },
    { op: 'replace', path: '/metadata/annotations', value: annotations },
  ];
}

/** The ReplicaSet controller adds `pod-template-hash` to its template's labels; the Deployment's template never has it. */
function withoutHash(template: PodTemplateSpec): PodTemplateSpec {
  const labels = { ...template.metadata?.labels };
  delete labels[POD_TEMPLATE_HASH];
  return { ...template, metadata: { ...template.metadata, labels } };
}

/** JSON with sorted keys, so templates compare by content (kubectl: apiequality.Semantic.DeepEqual). */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : v,
  );
}
