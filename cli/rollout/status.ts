/** `rollout status` for a Deployment: kubectl's DeploymentStatusViewer (polymorphichelpers/rollout_status.go), line for line. */
import type { Deployment } from '../../actors/controllers/workloads';
import { CliError } from '../errors';

export type RolloutStatus = Readonly<{ message: string; done: boolean }>;

/** The line kubectl prints for this state of the Deployment; throws once the progress deadline is exceeded. */
export function deploymentRolloutStatus(d: Deployment): RolloutStatus {
  const name = d.metadata.name ?? '';
  const status = d.status ?? {};
  if ((d.metadata.generation ?? 0) > (status.observedGeneration ?? 0)) {
    return { message: 'Waiting for deployment spec update to be observed...\n', done: false };
  }
  const progressing = status.conditions?.find((c) => c.type === 'Progressing');
  if (progressing?.reason === 'ProgressDeadlineExceeded') throw new CliError(`deployment "${name}" exceeded its progress deadline`);
  const updated = status.updatedReplicas ?? 0;
  const replicas = status.replicas ?? 0;
  const available = status.availableReplicas ?? 0;
  const waiting = `Waiting for deployment "${name}" rollout to finish: `;
  if (d.spec.replicas !== undefined && updated < d.spec.replicas) {
    return { message: `${waiting}${updated} out of ${d.spec.replicas} new replicas have been updated...\n`, done: false };
  }
  if (replicas > updated) return { message: `${waiting}${replicas - updated} old replicas are pending termination...\n`, done: false };
  if (available < updated) return { message: `${waiting}${available} of ${updated} updated replicas are available...\n`, done: false };
  return { message: `deployment "${name}" successfully rolled out\n`, done: true };
}
