/** Deployment: replica counts, strategy, template, conditions, and its old and new ReplicaSets. */
import type { KubeObject } from '../../actors/kinds/types';
import { formatSelector, optionalList, writeConditions, type Condition, type DescribeDeps, type LabelSelector } from './common';
import { writePodTemplate, type PodTemplate } from './containers';
import type { DescribeWriter } from './writer';

type DeploymentSpec = Readonly<{
  replicas?: number;
  selector?: LabelSelector;
  template?: PodTemplate;
  minReadySeconds?: number;
  strategy?: Readonly<{ type?: string; rollingUpdate?: Readonly<{ maxUnavailable?: string | number; maxSurge?: string | number }> }>;
}>;
type DeploymentStatus = Readonly<{
  replicas?: number;
  updatedReplicas?: number;
  availableReplicas?: number;
  unavailableReplicas?: number;
  conditions?: readonly Condition[];
}>;
type ReplicaSet = KubeObject & Readonly<{ spec?: Readonly<{ replicas?: number }>; status?: Readonly<{ replicas?: number }> }>;

const REPLICA_SETS = { group: 'apps', version: 'v1', plural: 'replicasets', namespaced: true } as const;
// The deployment controller numbers rollouts with this annotation on the Deployment and its ReplicaSets.
const REVISION = 'deployment.kubernetes.io/revision';

export async function describeDeployment(w: DescribeWriter, deployment: KubeObject, deps: DescribeDeps): Promise<void> {
  const spec = (deployment.spec ?? {}) as DeploymentSpec;
  const status = (deployment.status ?? {}) as DeploymentStatus;
  const selector = formatSelector(spec.selector);
  w.field(0, 'Selector', selector);
  w.field(
    0,
    'Replicas',
    `${spec.replicas ?? 1} desired | ${status.updatedReplicas ?? 0} updated | ${status.replicas ?? 0} total | ${status.availableReplicas ?? 0} available | ${status.unavailableReplicas ?? 0} unavailable`,
  );
  w.field(0, 'StrategyType', spec.strategy?.type);
  w.field(0, 'MinReadySeconds', spec.minReadySeconds ?? 0);
  const rolling = spec.strategy?.rollingUpdate;
  if (spec.strategy?.type === 'RollingUpdate' && rolling) {
    w.field(0, 'RollingUpdateStrategy', `${rolling.maxUnavailable ?? '25%'} max unavailable, ${rolling.maxSurge ?? '25%'} max surge`);
  }
  writePodTemplate(w, spec.template);
  writeConditions(w, status.conditions);
  if (selector === '<none>') return;
  const selected = await optionalList<ReplicaSet>(deps, REPLICA_SETS, { namespace: deployment.metadata.namespace, labelSelector: selector });
  if (!selected) return;
  const owned = selected.filter((rs) => rs.metadata.ownerReferences?.some((ref) => ref.controller && ref.uid === deployment.metadata.uid));
  // Before its first ReplicaSet exists, kubectl shows neither line.
  if (owned.length === 0) return;
  const newest = newReplicaSet(deployment, owned);
  const old = owned.filter((rs) => rs !== newest && (rs.spec?.replicas ?? 0) > 0);
  w.field(0, 'OldReplicaSets', replicaSetSummary(old));
  w.field(0, 'NewReplicaSet', replicaSetSummary(newest ? [newest] : []));
}

/** The ReplicaSet of the current revision, else the highest revision. */
function newReplicaSet(deployment: KubeObject, owned: readonly ReplicaSet[]): ReplicaSet | undefined {
  const revisionOf = (obj: KubeObject): number => Number(obj.metadata.annotations?.[REVISION] ?? 0);
  const current = owned.find((rs) => revisionOf(rs) === revisionOf(deployment) && revisionOf(rs) > 0);
  return current ?? [...owned].sort((a, b) => revisionOf(b) - revisionOf(a)).at(0);
}

/** `web-abc (3/3 replicas created)`, comma-separated; `<none>` when empty. */
function replicaSetSummary(replicaSets: readonly ReplicaSet[]): string {
  if (replicaSets.length === 0) return '<none>';
  return replicaSets.map((rs) => `${rs.metadata.name} (${rs.status?.replicas ?? 0}/${rs.spec?.replicas ?? 0} replicas created)`).join(', ');
}
