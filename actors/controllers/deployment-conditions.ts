import { rfc3339 } from '../ids';
import type { ConditionStatus, DeploymentCondition, DeploymentStatus } from './workloads';

/** Deployment conditions, with upstream's reasons and update rules (deploymentutil). */

export const DeploymentConditionType = { available: 'Available', progressing: 'Progressing', replicaFailure: 'ReplicaFailure' } as const;
export type DeploymentConditionType = (typeof DeploymentConditionType)[keyof typeof DeploymentConditionType];

export const DeploymentReason = {
  minimumReplicasAvailable: 'MinimumReplicasAvailable',
  minimumReplicasUnavailable: 'MinimumReplicasUnavailable',
  newReplicaSetCreated: 'NewReplicaSetCreated',
  foundNewReplicaSet: 'FoundNewReplicaSet',
  replicaSetUpdated: 'ReplicaSetUpdated',
  newReplicaSetAvailable: 'NewReplicaSetAvailable',
  progressDeadlineExceeded: 'ProgressDeadlineExceeded',
  paused: 'DeploymentPaused',
  resumed: 'DeploymentResumed',
} as const;
export type DeploymentReason = (typeof DeploymentReason)[keyof typeof DeploymentReason];

export function getCondition(status: DeploymentStatus, type: DeploymentConditionType): DeploymentCondition | undefined {
  return status.conditions?.find((c) => c.type === type);
}

export function newCondition(type: DeploymentConditionType, status: ConditionStatus, reason: DeploymentReason, message: string, nowMs: number): DeploymentCondition {
  const time = rfc3339(nowMs);
  return { type, status, lastUpdateTime: time, lastTransitionTime: time, reason, message };
}

/**
 * SetDeploymentCondition: nothing changes when status and reason are the same; a condition whose
 * status stays keeps its lastTransitionTime; the new condition goes last.
 */
export function setCondition(status: DeploymentStatus, condition: DeploymentCondition): DeploymentStatus {
  const current = getCondition(status, condition.type as DeploymentConditionType);
  if (current && current.status === condition.status && current.reason === condition.reason) return status;
  const next = current && current.status === condition.status ? { ...condition, lastTransitionTime: current.lastTransitionTime } : condition;
  return { ...status, conditions: [...(status.conditions ?? []).filter((c) => c.type !== condition.type), next] };
}

export function removeCondition(status: DeploymentStatus, type: DeploymentConditionType): DeploymentStatus {
  if (!getCondition(status, type)) return status;
  return { ...status, conditions: (status.conditions ?? []).filter((c) => c.type !== type) };
}
