/** Which pods `drain` deletes, skips or refuses: kubectl's drain filters (mirror, DaemonSet, unmanaged, emptyDir). */
import type { Pod } from '../actors/controllers/workloads';

export type DrainOptions = Readonly<{ force: boolean; ignoreDaemonSets: boolean; deleteEmptyDirData: boolean }>;
export type DrainPlan = Readonly<{ deletable: readonly Pod[]; warnings: readonly string[]; errors: readonly string[] }>;

const MIRROR_ANNOTATION = 'kubernetes.io/config.mirror';

export function planDrain(pods: readonly Pod[], opts: DrainOptions): DrainPlan {
  const deletable: Pod[] = [];
  const refused = { daemonSet: [] as string[], unmanaged: [] as string[], emptyDir: [] as string[] };
  const ignored = { daemonSet: [] as string[], unmanaged: [] as string[] };
  for (const pod of pods) {
    const id = `${pod.metadata.namespace ?? ''}/${pod.metadata.name ?? ''}`;
    // The kubelet owns mirror pods; finished pods block nothing.
    if (pod.metadata.annotations?.[MIRROR_ANNOTATION] !== undefined) continue;
    const finished = pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed';
    const controller = pod.metadata.ownerReferences?.find((ref) => ref.controller);
    if (!finished && controller?.kind === 'DaemonSet') {
      (opts.ignoreDaemonSets ? ignored.daemonSet : refused.daemonSet).push(id);
      continue;
    }
    if (!finished && !controller) (opts.force ? ignored.unmanaged : refused.unmanaged).push(id);
    const volumes = (pod.spec?.volumes ?? []) as readonly { emptyDir?: unknown }[];
    if (!finished && !opts.deleteEmptyDirData && volumes.some((v) => v.emptyDir !== undefined)) refused.emptyDir.push(id);
    deletable.push(pod);
  }
  const errors = [
    refused.unmanaged.length ? `cannot delete Pods that declare no controller (use --force to override): ${refused.unmanaged.join(', ')}` : '',
    refused.daemonSet.length ? `cannot delete DaemonSet-managed Pods (use --ignore-daemonsets to ignore): ${refused.daemonSet.join(', ')}` : '',
    refused.emptyDir.length ? `cannot delete Pods with local storage (use --delete-emptydir-data to override): ${refused.emptyDir.join(', ')}` : '',
  ].filter(Boolean);
  const warnings = [
    ignored.unmanaged.length ? `Warning: deleting Pods that declare no controller: ${ignored.unmanaged.join(', ')}` : '',
    ignored.daemonSet.length ? `Warning: ignoring DaemonSet-managed Pods: ${ignored.daemonSet.join(', ')}` : '',
  ].filter(Boolean);
  return { deletable, warnings, errors };
}
