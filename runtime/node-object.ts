import { rfc3339 } from '../actors/ids';
import type { KubeObject } from '../actors/kinds/types';

/**
 * A core/v1 Node as a kubelet registers it, whatever runs its containers: capacity (allocatable the
 * same: no reservations yet), one InternalIP, the four conditions a healthy kubelet reports, and
 * nodeInfo.
 */

export type NodeCapacity = Readonly<{ cpu: string; memory: string; pods: string; 'ephemeral-storage'?: string }>;

export type NodeInfo = Readonly<{
  kubeletVersion: string;
  containerRuntimeVersion: string;
  osImage: string;
  kernelVersion: string;
  architecture: string;
  machineID?: string;
  systemUUID?: string;
  bootID?: string;
}>;

export type NodeDescription = Readonly<{ capacity: NodeCapacity; ip: string; info: NodeInfo }>;

export const KUBELET_VERSION = 'v1.32.0-skiff';

export function nodeStatus(nowMs: number, node: NodeDescription): Record<string, unknown> {
  const at = rfc3339(nowMs);
  const condition = (type: string, status: string, reason: string, message: string) => ({ type, status, lastHeartbeatTime: at, lastTransitionTime: at, reason, message });
  return {
    capacity: { ...node.capacity },
    allocatable: { ...node.capacity },
    conditions: [
      condition('MemoryPressure', 'False', 'KubeletHasSufficientMemory', 'kubelet has sufficient memory available'),
      condition('DiskPressure', 'False', 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure'),
      condition('PIDPressure', 'False', 'KubeletHasSufficientPID', 'kubelet has sufficient PID available'),
      condition('Ready', 'True', 'KubeletReady', 'kubelet is posting ready status'),
    ],
    addresses: [{ type: 'InternalIP', address: node.ip }],
    nodeInfo: { kubeProxyVersion: node.info.kubeletVersion, operatingSystem: 'linux', machineID: '', systemUUID: '', bootID: '', ...node.info },
  };
}

export function nodeObject(name: string, nowMs: number, node: NodeDescription, labels: Readonly<Record<string, string>> = {}): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name,
      labels: { 'kubernetes.io/hostname': name, 'kubernetes.io/os': 'linux', 'kubernetes.io/arch': node.info.architecture, ...labels },
    },
    spec: {},
    status: nodeStatus(nowMs, node),
  };
}
