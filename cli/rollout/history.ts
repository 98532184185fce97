/** A Deployment's revisions: its ReplicaSets (§9.4 of the compat notes), as `rollout history` and `undo` read them. */
import type { Deployment, PodTemplateSpec, ReplicaSet } from '../../actors/controllers/workloads';
import { writePodTemplate, type PodTemplate } from '../describe/containers';
import { DescribeWriter } from '../describe/writer';
import { CliError } from '../errors';
import { DESCRIBE, Tabwriter } from '../tabwriter';

export const REVISION_ANNOTATION = 'deployment.kubernetes.io/revision';
export const CHANGE_CAUSE_ANNOTATION = 'kubernetes.io/change-cause';
export const POD_TEMPLATE_HASH = 'pod-template-hash';

export type Revision = Readonly<{ revision: number; replicaSet: ReplicaSet }>;

/** The ReplicaSets the Deployment controls (not merely selects), by revision ascending; unrevisioned ones are left out. */
export function revisionsOf(d: Deployment, replicaSets: readonly ReplicaSet[]): Revision[] {
  return replicaSets
    .filter((rs) => rs.metadata.ownerReferences?.some((ref) => ref.controller === true && ref.uid === d.metadata.uid))
    .flatMap((replicaSet) => {
      const revision = Number(replicaSet.metadata.annotations?.[REVISION_ANNOTATION]);
      return Number.isInteger(revision) && revision > 0 ? [{ revision, replicaSet }] : [];
    })
    .sort((a, b) => a.revision - b.revision);
}

/** kubectl's history table: `REVISION  CHANGE-CAUSE` (tabbedString: padding 2), a blank line after. */
export function formatHistory(typeAndName: string, revisions: readonly Revision[]): string {
  const lines = ['REVISION\tCHANGE-CAUSE', ...revisions.map(({ revision, replicaSet }) => `${revision}\t${replicaSet.metadata.annotations?.[CHANGE_CAUSE_ANNOTATION] || '<none>'}`)];
  return `${typeAndName} \n${new Tabwriter(DESCRIBE).format(lines)}\n`;
}

/** `--revision=N`: that revision's pod template, described as kubectl does (the hash label included, as stored). */
export function formatRevision(typeAndName: string, revisions: readonly Revision[], wanted: number): string {
  const found = revisions.find((r) => r.revision === wanted);
  if (!found) throw new CliError(`unable to find the specified revision`);
  const template: PodTemplateSpec = found.replicaSet.spec.template ?? {};
  const annotations = { ...template.metadata?.annotations };
  const changeCause = found.replicaSet.metadata.annotations?.[CHANGE_CAUSE_ANNOTATION];
  // kubectl shows the RS's change-cause among the template's annotations.
  if (changeCause) annotations[CHANGE_CAUSE_ANNOTATION] = changeCause;
  const w = new DescribeWriter();
  writePodTemplate(w, { ...template, metadata: { ...template.metadata, annotations: Object.keys(annotations).length ? annotations : undefined } } as PodTemplate);
  return `${typeAndName} with revision #${wanted}\n${w.text()}\n`;
}
