import { fitErrorMessage } from './fit-error';
import { runFilters, type FilterCycle, type Unfit } from './filters';
import { affinityFilterStateWithout } from './inter-pod-affinity';
import { nodeInfoOf, type NodeInfo } from './node-info';
import type { PodInfo } from './pod-info';

/**
 * What DefaultPreemption's PostFilter adds to a FailedScheduling message: for each node, whether
 * evicting pods of lower priority could make room. skiff does not evict yet; when a node would
 * become a candidate, upstream would preempt there and add nothing, and so does this.
 */

export const PreemptionReason = {
  notHelpful: 'Preemption is not helpful for scheduling',
  noVictims: 'No preemption victims found for incoming pod',
} as const;

export const NOT_ELIGIBLE = 'not eligible due to preemptionPolicy=Never.';

/** SelectVictimsOnNode, as a dry run: the node's reasons once every lower-priority pod is gone; undefined when the pod would then fit. */
function afterEvictions(pod: PodInfo, node: NodeInfo, cycle: FilterCycle): readonly string[] | undefined {
  const victims = node.pods.filter((p) => p.priority < pod.priority);
  if (victims.length === 0) return [PreemptionReason.noVictims];
  const emptied = nodeInfoOf(node.node, node.pods.filter((p) => p.priority >= pod.priority));
  return runFilters(pod, emptied, { affinity: affinityFilterStateWithout(cycle.affinity, pod, victims, node) })?.reasons;
}

/** The PostFilter message for a pod every node rejected ('' when preemption would find room). */
export function preemptionMessage(pod: PodInfo, rejected: readonly Readonly<{ node: NodeInfo; unfit: Unfit }>[], cycle: FilterCycle): string {
  if (pod.preemptNever) return `preemption: ${NOT_ELIGIBLE}`;
  const reasons: (readonly string[])[] = [];
  for (const { node, unfit } of rejected) {
    // Only nodes rejected as Unschedulable are tried; the rest cannot be helped by evictions.
    const left = unfit.resolvable ? afterEvictions(pod, node, cycle) : [PreemptionReason.notHelpful];
    if (left === undefined) return '';
    reasons.push(left);
  }
  return `preemption: ${fitErrorMessage(rejected.length, reasons)}`;
}
