import type { KubeObject } from '../../actors/kinds/types';
import type { Affinity, PodCondition, Taint, Toleration } from '../../actors/scheduler/types';

/** Builders for the scheduler's unit tests: nodes and pods with only the fields that matter. */

export type NodeOptions = Readonly<{
  cpu?: string;
  memory?: string;
  pods?: string;
  labels?: Record<string, string>;
  taints?: Taint[];
  unschedulable?: boolean;
}>;

export function node(name: string, o: NodeOptions = {}): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, labels: { 'kubernetes.io/hostname': name, ...o.labels } },
    spec: { ...(o.unschedulable ? { unschedulable: true } : {}), ...(o.taints ? { taints: o.taints } : {}) },
    status: { allocatable: { cpu: o.cpu ?? '4', memory: o.memory ?? '8Gi', pods: o.pods ?? '110' } },
  };
}

export type PodOptions = Readonly<{
  namespace?: string;
  uid?: string;
  cpu?: string;
  memory?: string;
  labels?: Record<string, string>;
  nodeName?: string;
  priority?: number;
  preemptionPolicy?: string;
  tolerations?: Toleration[];
  nodeSelector?: Record<string, string>;
  affinity?: Affinity;
  owner?: string;
  hostPort?: number;
  hostIP?: string;
  protocol?: string;
  created?: string;
  phase?: string;
  conditions?: PodCondition[];
  deleting?: boolean;
  schedulerName?: string;
  schedulingGates?: string[];
}>;

export function pod(name: string, o: PodOptions = {}): KubeObject {
  const requests = { ...(o.cpu ? { cpu: o.cpu } : {}), ...(o.memory ? { memory: o.memory } : {}) };
  const ports = o.hostPort ? [{ containerPort: 8080, hostPort: o.hostPort, ...(o.hostIP ? { hostIP: o.hostIP } : {}), protocol: o.protocol ?? 'TCP' }] : undefined;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: o.namespace ?? 'default',
      uid: o.uid ?? `uid-${name}`,
      creationTimestamp: o.created ?? '2026-01-01T00:00:00Z',
      labels: o.labels ?? {},
      ...(o.owner ? { ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: o.owner, uid: `uid-${o.owner}`, controller: true }] } : {}),
      ...(o.deleting ? { deletionTimestamp: '2026-01-01T00:00:00Z' } : {}),
    },
    spec: {
      schedulerName: o.schedulerName ?? 'default-scheduler',
      priority: o.priority ?? 0,
      ...(o.preemptionPolicy ? { preemptionPolicy: o.preemptionPolicy } : {}),
      ...(o.nodeName ? { nodeName: o.nodeName } : {}),
      ...(o.tolerations ? { tolerations: o.tolerations } : {}),
      ...(o.nodeSelector ? { nodeSelector: o.nodeSelector } : {}),
      ...(o.affinity ? { affinity: o.affinity } : {}),
      ...(o.schedulingGates ? { schedulingGates: o.schedulingGates.map((n) => ({ name: n })) } : {}),
      containers: [{ name: 'app', image: 'app:1', resources: { requests }, ...(ports ? { ports } : {}) }],
    },
    status: { phase: o.phase ?? 'Pending', ...(o.conditions ? { conditions: o.conditions } : {}) },
  };
}

export const HOSTNAME = 'kubernetes.io/hostname';
export const CONTROL_PLANE_TAINT: Taint = { key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' };

/** Required anti-affinity against pods labelled app=<app>, one per node. */
export const antiAffinity = (app: string): Affinity => ({
  podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { app } }, topologyKey: HOSTNAME }] },
});

/** Required affinity to pods labelled app=<app>, on the same node. */
export const affinityTo = (app: string): Affinity => ({
  podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { app } }, topologyKey: HOSTNAME }] },
});
