import { rfc3339 } from '../../actors/ids';
import type { KubeObject } from '../../actors/kinds/types';

/** Capacity a hollow node reports (kwok's defaults are of this order); configurable per node. */
export type HollowCapacity = Readonly<{ cpu: string; memory: string; pods: string }>;

export const DEFAULT_HOLLOW_CAPACITY: HollowCapacity = { cpu: '8', memory: '32Gi', pods: '110' };

/** A hollow node's address: a documentation range (RFC 5737), never routed anywhere. */
export function hollowNodeIP(index: number): string {
  return `192.0.2.${(index % 254) + 1}`;
}

export function nodeStatus(nowMs: number, capacity: HollowCapacity, ip: string): Record<string, unknown> {
  const at = rfc3339(nowMs);
  const condition = (type: string, status: string, reason: string, message: string) => ({ type, status, lastHeartbeatTime: at, lastTransitionTime: at, reason, message });
  return {
    capacity: { ...capacity },
    allocatable: { ...capacity },
    conditions: [
      condition('MemoryPressure', 'False', 'KubeletHasSufficientMemory', 'kubelet has sufficient memory available'),
      condition('DiskPressure', 'False', 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure'),
      condition('PIDPressure', 'False', 'KubeletHasSufficientPID', 'kubelet has sufficient PID available'),
      condition('Ready', 'True', 'KubeletReady', 'kubelet is posting ready status'),
    ],
    addresses: [{ type: 'InternalIP', address: ip }],
    nodeInfo: {
      kubeletVersion: 'v1.32.0-skiff',
      kubeProxyVersion: 'v1.32.0-skiff',
      containerRuntimeVersion: 'hollow://0.1.0',
      osImage: 'skiff hollow node',
      kernelVersion: 'hollow',
      operatingSystem: 'linux',
      architecture: 'amd64',
      machineID: '',
      systemUUID: '',
      bootID: '',
    },
  };
}

export function hollowNode(name: string, nowMs: number, capacity: HollowCapacity, ip: string): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name,
      labels: { 'kubernetes.io/hostname': name, 'kubernetes.io/os': 'linux', 'kubernetes.io/arch': 'amd64', 'skiff.dev/runtime': 'hollow' },
    },
    spec: {},
    status: nodeStatus(nowMs, capacity, ip),
  };
}
