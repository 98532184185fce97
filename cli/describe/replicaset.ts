/** ReplicaSet: replica counts, the phases of its pods, its template and conditions. */
import type { KubeObject } from '../../actors/kinds/types';
import { formatSelector, optionalList, PODS, writeConditions, writeControlledBy, type Condition, type DescribeDeps, type LabelSelector } from './common';
import { writePodTemplate, type PodTemplate } from './containers';
import type { DescribeWriter } from './writer';

type ReplicaSetSpec = Readonly<{ replicas?: number; selector?: LabelSelector; template?: PodTemplate }>;
type ReplicaSetStatus = Readonly<{ replicas?: number; conditions?: readonly Condition[] }>;
type Pod = KubeObject & Readonly<{ status?: Readonly<{ phase?: string }> }>;

export async function describeReplicaSet(w: DescribeWriter, rs: KubeObject, deps: DescribeDeps): Promise<void> {
  const spec = (rs.spec ?? {}) as ReplicaSetSpec;
  const status = (rs.status ?? {}) as ReplicaSetStatus;
  const selector = formatSelector(spec.selector);
  w.field(0, 'Selector', selector);
  writeControlledBy(w, rs);
  w.field(0, 'Replicas', `${status.replicas ?? 0} current / ${spec.replicas ?? 1} desired`);
  const selected = selector === '<none>' ? [] : await optionalList<Pod>(deps, PODS, { namespace: rs.metadata.namespace, labelSelector: selector });
  if (selected) {
    const pods = selected.filter((pod) => pod.metadata.ownerReferences?.some((ref) => ref.controller && ref.uid === rs.metadata.uid));
    const count = (phase: string): number => pods.filter((pod) => pod.status?.phase === phase).length;
    w.field(0, 'Pods Status', `${count('Running')} Running / ${count('Pending')} Waiting / ${count('Succeeded')} Succeeded / ${count('Failed')} Failed`);
  }
  writePodTemplate(w, spec.template);
  writeConditions(w, status.conditions);
}
