import type { KubeObject } from '../../actors/kinds/types';
import { KUBELET_VERSION, nodeObject, type NodeCapacity } from '../node-object';

/** Capacity a hollow node reports (kwok's defaults are of this order); configurable per node. */
export type HollowCapacity = NodeCapacity;

export const DEFAULT_HOLLOW_CAPACITY: HollowCapacity = { cpu: '8', memory: '32Gi', pods: '110' };

/** A hollow node's address: a documentation range (RFC 5737), never routed anywhere. */
export function hollowNodeIP(index: number): string {
  return `192.0.2.${(index % 254) + 1}`;
}

const HOLLOW_INFO = {
  kubeletVersion: KUBELET_VERSION,
  containerRuntimeVersion: 'hollow://0.1.0',
  osImage: 'skiff hollow node',
  kernelVersion: 'hollow',
  architecture: 'amd64',
};

export function hollowNode(name: string, nowMs: number, capacity: HollowCapacity, ip: string): KubeObject {
  return nodeObject(name, nowMs, { capacity, ip, info: HOLLOW_INFO }, { 'skiff.dev/runtime': 'hollow' });
}
