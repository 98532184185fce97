import type { Plan, PlannedCommand } from '../reconcile/plan';
import { eventCommand } from './controller-event';
import { RevisionAnnotation } from './revision-annotations';
import { asJson, mergeDiff, statusCommand } from './status-change';
import { deploymentRef, replicaSetRef, type Deployment, type DeploymentStatus, type ReplicaSet } from './workloads';

/**
 * What one pass of the deployment controller has decided so far. Upstream's pass writes to the
 * API as it goes and reads its own writes back; here the pass writes into this draft, which keeps
 * each ReplicaSet as it will be and, at the end, turns the differences from what was seen into
 * commands: one per object (several changes to a ReplicaSet become one patch, their reasons
 * joined), the Deployment's revision annotation, its status, and the events.
 */

export const DEPLOYMENT_CONTROLLER = 'deployment-controller';
/** Deployment status counts are all `omitempty`. */
const OMITTED_WHEN_ZERO = ['observedGeneration', 'replicas', 'updatedReplicas', 'readyReplicas', 'availableReplicas', 'unavailableReplicas'];

export class DeploymentDraft {
  /** The Deployment's status as it will be. */
  status: DeploymentStatus;
  /** The Deployment's revision annotation as it will be. */
  revision: string | undefined;
  requeueAfterMs: number | undefined;

  private readonly seen: ReadonlyMap<string, ReplicaSet>;
  private readonly current = new Map<string, ReplicaSet>();
  private readonly created = new Set<string>();
  private readonly deleted: ReplicaSet[] = [];
  private readonly reasons = new Map<string, string[]>();
  private readonly events: PlannedCommand[] = [];

  constructor(readonly deployment: Deployment, replicaSets: readonly ReplicaSet[], readonly nowMs: number) {
    this.seen = new Map(replicaSets.map((rs) => [rs.metadata.name ?? '', rs]));
    for (const [name, rs] of this.seen) this.current.set(name, rs);
    this.status = deployment.status ?? {};
    this.revision = deployment.metadata.annotations?.[RevisionAnnotation];
  }

  /** The Deployment's ReplicaSets as they will be (created ones included, deleted ones not). */
  replicaSets(): ReplicaSet[] {
    return [...this.current.values()];
  }

  create(rs: ReplicaSet, why: string): void {
    this.put(rs, why);
    this.created.add(rs.metadata.name ?? '');
  }

  update(rs: ReplicaSet, why: string): void {
    this.put(rs, why);
  }

  delete(rs: ReplicaSet, why: string): void {
    this.current.delete(rs.metadata.name ?? '');
    this.deleted.push(rs);
    this.note(rs, why);
  }

  /** A ScalingReplicaSet event on the Deployment, as upstream records one per change of size. */
  scalingEvent(message: string): void {
    this.events.push(eventCommand(this.deployment, { type: 'Normal', reason: 'ScalingReplicaSet', message, component: DEPLOYMENT_CONTROLLER }, this.nowMs));
  }

  plan(): Plan {
    const commands: PlannedCommand[] = [];
    for (const [name, rs] of this.current) {
      const why = (this.reasons.get(name) ?? []).join('; ');
      if (this.created.has(name)) {
        commands.push({ ref: replicaSetRef(rs), payload: { op: 'create', object: rs, fieldManager: DEPLOYMENT_CONTROLLER }, reason: why });
        continue;
      }
      const seen = this.seen.get(name);
      if (rs === seen) continue;
      const patch = mergeDiff(asJson(seen ?? {}), asJson(rs));
      if (patch === undefined) continue;
      commands.push({ ref: replicaSetRef(rs), payload: { op: 'patch', patchType: 'merge', patch, target: 'main', fieldManager: DEPLOYMENT_CONTROLLER, force: false }, reason: why });
    }
    for (const rs of this.deleted) {
      const uid = rs.metadata.uid;
      commands.push({ ref: replicaSetRef(rs), payload: { op: 'delete', options: uid ? { preconditions: { uid } } : {} }, reason: (this.reasons.get(rs.metadata.name ?? '') ?? []).join('; ') });
    }
    const revision = this.revisionCommand();
    if (revision) commands.push(revision);
    const status = statusCommand({ ref: deploymentRef(this.deployment), before: this.deployment.status, after: this.status, omittedWhenZero: OMITTED_WHEN_ZERO, fieldManager: DEPLOYMENT_CONTROLLER });
    if (status) commands.push(status);
    commands.push(...this.events);
    return this.requeueAfterMs === undefined ? { commands } : { commands, requeueAfterMs: this.requeueAfterMs };
  }

  private revisionCommand(): PlannedCommand | undefined {
    const before = this.deployment.metadata.annotations?.[RevisionAnnotation];
    if (this.revision === undefined || this.revision === before) return undefined;
    return {
      ref: deploymentRef(this.deployment),
      payload: { op: 'patch', patchType: 'merge', patch: { metadata: { annotations: { [RevisionAnnotation]: this.revision } } }, target: 'main', fieldManager: DEPLOYMENT_CONTROLLER, force: false },
      reason: `the current ReplicaSet is at revision ${this.revision}${before === undefined ? '' : ` (was ${before})`}: record it on the Deployment`,
    };
  }

  private put(rs: ReplicaSet, why: string): void {
    this.current.set(rs.metadata.name ?? '', rs);
    this.note(rs, why);
  }

  private note(rs: ReplicaSet, why: string): void {
    const name = rs.metadata.name ?? '';
    this.reasons.set(name, [...(this.reasons.get(name) ?? []), why]);
  }
}
