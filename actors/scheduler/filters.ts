import { affinityFilterState, satisfiesExistingAntiAffinity, satisfiesPodAffinity, satisfiesPodAntiAffinity, type AffinityFilterState } from './inter-pod-affinity';
import { matchesRequiredNodeAffinity } from './node-selector';
import type { NodeInfo } from './node-info';
import { ANY_IP, type HostPort, type PodInfo } from './pod-info';
import { firstUntoleratedTaint, tolerated, UNSCHEDULABLE_TAINT } from './taints';

/**
 * kube-scheduler's filter plugins, in the default profile's order, with its reasons word for word:
 * they are counted into the FailedScheduling message users search for.
 */

export const FilterReason = {
  unschedulable: 'node(s) were unschedulable',
  nodeName: "node(s) didn't match the requested node name",
  // Upstream names no taint since 1.35 (backported to 1.34): keys and values may be sensitive, and
  // the message lands in pod status for anyone who can read the pod. The taint goes to `detail`.
  untoleratedTaint: 'node(s) had untolerated taint(s)',
  nodeAffinity: "node(s) didn't match Pod's node affinity/selector",
  nodePorts: "node(s) didn't have free ports for the requested pod ports",
  tooManyPods: 'Too many pods',
  insufficientCpu: 'Insufficient cpu',
  insufficientMemory: 'Insufficient memory',
  podAffinity: "node(s) didn't match pod affinity rules",
  podAntiAffinity: "node(s) didn't match pod anti-affinity rules",
  existingAntiAffinity: "node(s) didn't satisfy existing pods anti-affinity rules",
} as const;

/**
 * Why a node cannot take a pod. `resolvable` is upstream's Unschedulable (evicting lower-priority
 * pods might help) as against UnschedulableAndUnresolvable (nothing on the node is in the way).
 * `detail` is what upstream logs but keeps out of the message.
 */
export type Unfit = Readonly<{ reasons: readonly string[]; resolvable: boolean; detail?: string }>;

/** What filters share for one pod across nodes (the PreFilter state). */
export type FilterCycle = Readonly<{ affinity: AffinityFilterState }>;

export type FilterName = 'NodeUnschedulable' | 'NodeName' | 'TaintToleration' | 'NodeAffinity' | 'NodePorts' | 'NodeResourcesFit' | 'InterPodAffinity';
export type Filter = (pod: PodInfo, node: NodeInfo, cycle: FilterCycle) => Unfit | undefined;

const unresolvable = (reason: string, detail?: string): Unfit => ({ reasons: [reason], resolvable: false, ...(detail ? { detail } : {}) });
const resolvable = (reason: string): Unfit => ({ reasons: [reason], resolvable: true });

/** A cordoned node admits only pods that tolerate its unschedulable taint. */
const nodeUnschedulable: Filter = (pod, node) =>
  node.unschedulable && !tolerated(pod.tolerations, UNSCHEDULABLE_TAINT) ? unresolvable(FilterReason.unschedulable) : undefined;

const nodeName: Filter = (pod, node) =>
  pod.nodeName !== undefined && pod.nodeName !== node.name ? unresolvable(FilterReason.nodeName) : undefined;

const taintToleration: Filter = (pod, node) => {
  const taint = firstUntoleratedTaint(node.taints, pod.tolerations);
  return taint ? unresolvable(FilterReason.untoleratedTaint, `untolerated taint ${taint.key}${taint.value ? `=${taint.value}` : ''}:${taint.effect}`) : undefined;
};

const nodeAffinity: Filter = (pod, node) =>
  matchesRequiredNodeAffinity(pod.requiredNodeAffinity, node) ? undefined : unresolvable(FilterReason.nodeAffinity);

/** HostPortInfo.CheckConflict: 0.0.0.0 collides with every address on the same protocol and port. */
function portsConflict(a: HostPort, b: HostPort): boolean {
  return a.port === b.port && a.protocol === b.protocol && (a.ip === b.ip || a.ip === ANY_IP || b.ip === ANY_IP);
}

const nodePorts: Filter = (pod, node) =>
  pod.hostPorts.some((wanted) => node.usedPorts.some((used) => portsConflict(wanted, used))) ? resolvable(FilterReason.nodePorts) : undefined;

/**
 * fitsRequest: every shortfall is a reason. A request larger than the whole node cannot be met
 * by preemption, so it makes the verdict unresolvable; a full node can be emptied.
 */
const nodeResourcesFit: Filter = (pod, node) => {
  const reasons: string[] = [];
  let unfixable = false;
  const { allocatable, requested } = node;
  if (node.pods.length + 1 > allocatable.pods) reasons.push(FilterReason.tooManyPods);
  const want = pod.requests;
  if (want.milliCpu > 0 && want.milliCpu > allocatable.milliCpu - requested.milliCpu) {
    reasons.push(FilterReason.insufficientCpu);
    unfixable ||= want.milliCpu > allocatable.milliCpu;
  }
  if (want.memory > 0 && want.memory > allocatable.memory - requested.memory) {
    reasons.push(FilterReason.insufficientMemory);
    unfixable ||= want.memory > allocatable.memory;
  }
  return reasons.length === 0 ? undefined : { reasons, resolvable: !unfixable };
};

/** The incoming pod's affinity is unresolvable (evictions never bring pods in); anti-affinity can be fixed by evicting. */
const interPodAffinity: Filter = (pod, node, cycle) => {
  if (!satisfiesPodAffinity(cycle.affinity, pod, node)) return unresolvable(FilterReason.podAffinity);
  if (!satisfiesPodAntiAffinity(cycle.affinity, pod, node)) return resolvable(FilterReason.podAntiAffinity);
  if (!satisfiesExistingAntiAffinity(cycle.affinity, node)) return resolvable(FilterReason.existingAntiAffinity);
  return undefined;
};

/** Default profile order: the first plugin that rejects a node gives its reasons, as RunFilterPlugins stops there. */
export const FILTERS: readonly Readonly<{ name: FilterName; filter: Filter }>[] = [
  { name: 'NodeUnschedulable', filter: nodeUnschedulable },
  { name: 'NodeName', filter: nodeName },
  { name: 'TaintToleration', filter: taintToleration },
  { name: 'NodeAffinity', filter: nodeAffinity },
  { name: 'NodePorts', filter: nodePorts },
  { name: 'NodeResourcesFit', filter: nodeResourcesFit },
  { name: 'InterPodAffinity', filter: interPodAffinity },
];

export function filterCycle(pod: PodInfo, nodes: readonly NodeInfo[]): FilterCycle {
  return { affinity: affinityFilterState(pod, nodes) };
}

export function runFilters(pod: PodInfo, node: NodeInfo, cycle: FilterCycle): (Unfit & Readonly<{ plugin: FilterName }>) | undefined {
  for (const { name, filter } of FILTERS) {
    const unfit = filter(pod, node, cycle);
    if (unfit) return { ...unfit, plugin: name };
  }
  return undefined;
}
