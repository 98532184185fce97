import type { MetaLabelSelector } from '../../projections/selectors';
import type { KubeObject } from '../kinds/types';

/**
 * The parts of core/v1 Pod and Node that the scheduler reads, with Kubernetes' field names.
 * Stored objects were defaulted and shape-checked by the object actor, so reading `spec` and
 * `status` through these types is the one place the scheduler trusts its input (see `podSpecOf`).
 */

export type ResourceList = Readonly<Record<string, string | number>>;

export type ContainerPort = Readonly<{ containerPort?: number; hostPort?: number; hostIP?: string; protocol?: string }>;

export type Container = Readonly<{
  name?: string;
  resources?: Readonly<{ requests?: ResourceList; limits?: ResourceList }>;
  ports?: readonly ContainerPort[];
  /** `Always` on an init container makes it a sidecar (KEP-753): it keeps running beside the app containers. */
  restartPolicy?: string;
}>;

export type TaintEffect = 'NoSchedule' | 'PreferNoSchedule' | 'NoExecute';
export type Taint = Readonly<{ key: string; value?: string; effect: TaintEffect }>;
export type Toleration = Readonly<{ key?: string; operator?: string; value?: string; effect?: string; tolerationSeconds?: number }>;

export type NodeSelectorRequirement = Readonly<{ key: string; operator: string; values?: readonly string[] }>;
export type NodeSelectorTerm = Readonly<{ matchExpressions?: readonly NodeSelectorRequirement[]; matchFields?: readonly NodeSelectorRequirement[] }>;
export type PreferredSchedulingTerm = Readonly<{ weight: number; preference?: NodeSelectorTerm }>;

export type PodAffinityTerm = Readonly<{
  labelSelector?: MetaLabelSelector | null;
  namespaces?: readonly string[];
  namespaceSelector?: MetaLabelSelector | null;
  topologyKey: string;
}>;
export type WeightedPodAffinityTerm = Readonly<{ weight: number; podAffinityTerm: PodAffinityTerm }>;
type PodAffinityRules = Readonly<{
  requiredDuringSchedulingIgnoredDuringExecution?: readonly PodAffinityTerm[];
  preferredDuringSchedulingIgnoredDuringExecution?: readonly WeightedPodAffinityTerm[];
}>;

export type Affinity = Readonly<{
  nodeAffinity?: Readonly<{
    requiredDuringSchedulingIgnoredDuringExecution?: Readonly<{ nodeSelectorTerms?: readonly NodeSelectorTerm[] }> | null;
    preferredDuringSchedulingIgnoredDuringExecution?: readonly PreferredSchedulingTerm[];
  }>;
  podAffinity?: PodAffinityRules;
  podAntiAffinity?: PodAffinityRules;
}>;

export type PodSpec = Readonly<{
  nodeName?: string;
  schedulerName?: string;
  schedulingGates?: readonly Readonly<{ name: string }>[];
  priority?: number;
  preemptionPolicy?: string;
  nodeSelector?: Readonly<Record<string, string>>;
  affinity?: Affinity;
  tolerations?: readonly Toleration[];
  containers?: readonly Container[];
  initContainers?: readonly Container[];
  overhead?: ResourceList;
  topologySpreadConstraints?: readonly unknown[];
}>;

export type PodCondition = Readonly<{
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason?: string;
  message?: string;
  lastProbeTime?: string | null;
  lastTransitionTime?: string;
}>;
export type PodStatus = Readonly<{ phase?: string; conditions?: readonly PodCondition[] }>;

export type NodeSpec = Readonly<{ unschedulable?: boolean; taints?: readonly Taint[] }>;
export type NodeStatus = Readonly<{ capacity?: ResourceList; allocatable?: ResourceList }>;

export const podSpecOf = (pod: KubeObject): PodSpec => (pod.spec ?? {}) as PodSpec;
export const podStatusOf = (pod: KubeObject): PodStatus => (pod.status ?? {}) as PodStatus;
export const nodeSpecOf = (node: KubeObject): NodeSpec => (node.spec ?? {}) as NodeSpec;
export const nodeStatusOf = (node: KubeObject): NodeStatus => (node.status ?? {}) as NodeStatus;
