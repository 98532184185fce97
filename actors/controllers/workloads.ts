import type { ObjectRef } from '../../eventlog/types';
import type { KubeObject, ObjectMeta, OwnerReference } from '../kinds/types';
import { compareText } from '../patch/json';

/**
 * The parts of Pods, ReplicaSets and Deployments the workload controllers read and write, typed
 * with Kubernetes' own field names. Stored objects are untyped (`KubeObject`); a driver casts what
 * it reads from the projection to these shapes, which the API's validation already guarantees.
 */

export type ConditionStatus = 'True' | 'False' | 'Unknown';

export type PodCondition = {
  type: string;
  status: ConditionStatus;
  reason?: string;
  message?: string;
  lastProbeTime?: string | null;
  lastTransitionTime?: string;
};

export type LabelSelector = {
  matchLabels?: Record<string, string>;
  matchExpressions?: { key: string; operator: string; values?: string[] }[];
};

export type PodSpec = {
  nodeName?: string;
  initContainers?: { name: string; restartPolicy?: string }[];
  [field: string]: unknown;
};

export type PodTemplateSpec = {
  metadata?: Pick<ObjectMeta, 'labels' | 'annotations' | 'finalizers' | 'name' | 'generateName'>;
  spec?: PodSpec;
};

export type ContainerStatus = { name: string; restartCount?: number };

export type Pod = KubeObject & {
  spec?: PodSpec;
  status?: {
    phase?: 'Pending' | 'Running' | 'Succeeded' | 'Failed' | 'Unknown';
    conditions?: PodCondition[];
    containerStatuses?: ContainerStatus[];
    initContainerStatuses?: ContainerStatus[];
  };
};

export type ReplicaSetCondition = {
  type: string;
  status: ConditionStatus;
  reason?: string;
  message?: string;
  lastTransitionTime?: string;
};

export type ReplicaSetStatus = {
  replicas?: number;
  fullyLabeledReplicas?: number;
  readyReplicas?: number;
  availableReplicas?: number;
  observedGeneration?: number;
  conditions?: ReplicaSetCondition[];
};

export type ReplicaSet = KubeObject & {
  spec: { replicas?: number; minReadySeconds?: number; selector?: LabelSelector; template?: PodTemplateSpec };
  status?: ReplicaSetStatus;
};

export type IntOrPercent = number | string;

export type DeploymentCondition = {
  type: string;
  status: ConditionStatus;
  reason?: string;
  message?: string;
  lastUpdateTime?: string;
  lastTransitionTime?: string;
};

export type DeploymentStatus = {
  observedGeneration?: number;
  replicas?: number;
  updatedReplicas?: number;
  readyReplicas?: number;
  availableReplicas?: number;
  unavailableReplicas?: number;
  conditions?: DeploymentCondition[];
  collisionCount?: number;
};

export type Deployment = KubeObject & {
  spec: {
    replicas?: number;
    selector?: LabelSelector;
    template?: PodTemplateSpec;
    strategy?: { type?: 'Recreate' | 'RollingUpdate'; rollingUpdate?: { maxSurge?: IntOrPercent; maxUnavailable?: IntOrPercent } };
    minReadySeconds?: number;
    revisionHistoryLimit?: number;
    paused?: boolean;
    progressDeadlineSeconds?: number;
  };
  status?: DeploymentStatus;
};

/** spec.replicas; the API defaults it to 1, so absent only in hand-made objects. */
export function specReplicas(object: ReplicaSet | Deployment): number {
  return object.spec.replicas ?? 1;
}

/** The ownerReference a controller puts on what it creates (metav1.NewControllerRef). */
export function controllerRef(owner: KubeObject): OwnerReference {
  return { apiVersion: owner.apiVersion, kind: owner.kind, name: owner.metadata.name ?? '', uid: owner.metadata.uid ?? '', controller: true, blockOwnerDeletion: true };
}

/** Milliseconds since the epoch of an RFC 3339 timestamp; undefined when absent or unreadable (Go's zero time). */
export function timeMs(rfc3339: string | null | undefined): number | undefined {
  if (!rfc3339) return undefined;
  const ms = Date.parse(rfc3339);
  return Number.isNaN(ms) ? undefined : ms;
}

/** Oldest first, then by name (controller.ReplicaSetsByCreationTimestamp); an object not created yet is the newest. */
export function byCreation(a: KubeObject, b: KubeObject): number {
  const ta = timeMs(a.metadata.creationTimestamp) ?? Number.POSITIVE_INFINITY;
  const tb = timeMs(b.metadata.creationTimestamp) ?? Number.POSITIVE_INFINITY;
  if (ta !== tb) return ta < tb ? -1 : 1;
  return compareText(a.metadata.name ?? '', b.metadata.name ?? '');
}

export function podRef(namespace: string, name: string): ObjectRef {
  return { group: '', resource: 'pods', namespace, name };
}

export function replicaSetRef(rs: ReplicaSet): ObjectRef {
  return { group: 'apps', resource: 'replicasets', namespace: rs.metadata.namespace ?? '', name: rs.metadata.name ?? '' };
}

export function deploymentRef(d: Deployment): ObjectRef {
  return { group: 'apps', resource: 'deployments', namespace: d.metadata.namespace ?? '', name: d.metadata.name ?? '' };
}
