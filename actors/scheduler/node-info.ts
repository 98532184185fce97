import type { KubeObject } from '../kinds/types';
import { hasAffinity, type HostPort, type PodInfo } from './pod-info';
import { addResources, NO_RESOURCES, nodeAllocatable, type Allocatable, type Resources } from './resources';
import { nodeSpecOf, type Taint } from './types';
import { zoneKeyOf } from './zones';

/**
 * A node and the pods on it, with the sums the plugins read (framework.NodeInfo). Immutable:
 * `withPod` returns a new one, so a scheduling pass can assume pods onto nodes and a preemption
 * dry run can take them away without disturbing anyone else's view.
 */
export type NodeInfo = Readonly<{
  node: KubeObject;
  name: string;
  labels: Readonly<Record<string, string>>;
  /** Region and zone (zoneKeyOf), '' outside any zone. */
  zone: string;
  unschedulable: boolean;
  taints: readonly Taint[];
  allocatable: Allocatable;
  pods: readonly PodInfo[];
  requested: Resources;
  nonZeroRequested: Resources;
  usedPorts: readonly HostPort[];
  /** Pods with any affinity term, so scoring need not look at every pod. */
  podsWithAffinity: readonly PodInfo[];
  /** Pods with required anti-affinity, so filtering need not look at every pod. */
  podsWithRequiredAntiAffinity: readonly PodInfo[];
  /** Controller uid → its pods here that are not being deleted, for spreading. */
  controllerPods: ReadonlyMap<string, number>;
}>;

export function emptyNodeInfo(node: KubeObject): NodeInfo {
  const spec = nodeSpecOf(node);
  return {
    node,
    name: node.metadata.name ?? '',
    labels: node.metadata.labels ?? {},
    zone: zoneKeyOf(node.metadata.labels ?? {}),
    unschedulable: spec.unschedulable === true,
    taints: spec.taints ?? [],
    allocatable: nodeAllocatable(node),
    pods: [],
    requested: NO_RESOURCES,
    nonZeroRequested: NO_RESOURCES,
    usedPorts: [],
    podsWithAffinity: [],
    podsWithRequiredAntiAffinity: [],
    controllerPods: new Map(),
  };
}

export function withPod(info: NodeInfo, pod: PodInfo): NodeInfo {
  let controllerPods = info.controllerPods;
  if (pod.controllerUid !== undefined && !pod.terminating) {
    controllerPods = new Map(controllerPods).set(pod.controllerUid, (controllerPods.get(pod.controllerUid) ?? 0) + 1);
  }
  return {
    ...info,
    pods: [...info.pods, pod],
    requested: addResources(info.requested, pod.requests),
    nonZeroRequested: addResources(info.nonZeroRequested, pod.nonZeroRequests),
    usedPorts: pod.hostPorts.length === 0 ? info.usedPorts : [...info.usedPorts, ...pod.hostPorts],
    podsWithAffinity: hasAffinity(pod) ? [...info.podsWithAffinity, pod] : info.podsWithAffinity,
    podsWithRequiredAntiAffinity: pod.requiredAntiAffinityTerms.length > 0 ? [...info.podsWithRequiredAntiAffinity, pod] : info.podsWithRequiredAntiAffinity,
    controllerPods,
  };
}

export function nodeInfoOf(node: KubeObject, pods: readonly PodInfo[]): NodeInfo {
  return pods.reduce(withPod, emptyNodeInfo(node));
}
