/**
 * The scheduler's pure logic: where a pending pod should run, or why it cannot, in kube-scheduler's
 * terms. The scheduler controller feeds it views and issues the commands it plans.
 */
export { planScheduling, SCHEDULER_NAME } from './scheduling-plan';
export {
  schedulingRecord, isSchedulingRecord, RECORDED_FEASIBLE_NODES, RECORDED_REJECTED_PER_GROUP,
  type SchedulingRecord, type RejectedGroup, type ScoredNode,
} from './scheduling-record';
export { schedule, scheduleOn, nodeInfosOf, type Decision, type NodeVerdict } from './schedule';
export { FILTERS, FilterReason, runFilters, filterCycle, type Filter, type FilterName, type Unfit } from './filters';
export { SCORES, MAX_NODE_SCORE, scoreNodes, type ScoreName } from './scores';
export { fitErrorMessage, NO_NODES_AVAILABLE } from './fit-error';
export { PreemptionReason, NOT_ELIGIBLE } from './preemption';
export { podRequests, nodeAllocatable, milliCpuOf, unitsOf, type Resources, type Allocatable } from './resources';
export { podInfoOf, holdsNode, type PodInfo } from './pod-info';
export { nodeInfoOf, withPod, type NodeInfo } from './node-info';
