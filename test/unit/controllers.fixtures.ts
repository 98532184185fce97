import { planDeployment } from '../../actors/controllers/deployment.plan';
import { planReplicaSet } from '../../actors/controllers/replicaset.plan';
import { isPodActive, isPodReady } from '../../actors/controllers/pod-status';
import type { Deployment, Pod, PodTemplateSpec, ReplicaSet } from '../../actors/controllers/workloads';
import { rfc3339 } from '../../actors/ids';
import type { Json, KubeObject } from '../../actors/kinds/types';
import { applyMergePatch } from '../../actors/patch/merge-patch';
import { jsonEqual } from '../../actors/patch/json';
import type { Plan, PlannedCommand } from '../../actors/reconcile/plan';
import { frozen } from './patch.fixtures';

/**
 * Seeded views for the workload controllers' plans, and a tiny world that carries out planned
 * commands the way the object actor would (uids, creation times, generation bumps on spec changes,
 * /status writes), with a hollow kubelet that schedules, starts and readies pods on demand.
 */

export const T0 = Date.parse('2026-03-01T12:00:00Z');

export function template(image: string, labels: Record<string, string> = { app: 'web' }): PodTemplateSpec {
  return { metadata: { labels }, spec: { containers: [{ name: 'web', image }] } };
}

export type DeploymentOptions = Partial<Deployment['spec']> & { name?: string; generation?: number; status?: Deployment['status']; annotations?: Record<string, string> };

/** A Deployment as the API stores it after defaulting. */
export function deployment(options: DeploymentOptions = {}): Deployment {
  const { name = 'web', generation = 1, status, annotations, ...spec } = options;
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: 'default', uid: `uid-deployment-${name}`, generation, creationTimestamp: rfc3339(T0), ...(annotations ? { annotations } : {}) },
    spec: {
      replicas: 3,
      selector: { matchLabels: { app: 'web' } },
      template: template('nginx:1'),
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } },
      revisionHistoryLimit: 10,
      progressDeadlineSeconds: 600,
      ...spec,
    },
    ...(status ? { status } : {}),
  };
}

export type PodState = Readonly<{
  phase?: NonNullable<Pod['status']>['phase'];
  node?: string;
  ready?: boolean;
  readySinceMs?: number;
  createdMs?: number;
  restarts?: number;
  terminating?: boolean;
  annotations?: Record<string, string>;
}>;

export function pod(name: string, owner: ReplicaSet, state: PodState = {}): Pod {
  const { phase = 'Running', node = 'node-1', ready = phase === 'Running', readySinceMs = T0, createdMs = T0, restarts = 0, terminating = false, annotations } = state;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: 'default',
      uid: `uid-pod-${name}`,
      creationTimestamp: rfc3339(createdMs),
      labels: { ...(owner.spec.template?.metadata?.labels ?? {}) },
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: owner.metadata.name ?? '', uid: owner.metadata.uid ?? '', controller: true, blockOwnerDeletion: true }],
      ...(annotations ? { annotations } : {}),
      ...(terminating ? { deletionTimestamp: rfc3339(T0) } : {}),
    },
    spec: { ...(node ? { nodeName: node } : {}), containers: [{ name: 'web', image: 'nginx:1' }] },
    status: {
      phase,
      conditions: [{ type: 'Ready', status: ready ? 'True' : 'False', lastTransitionTime: rfc3339(readySinceMs) }],
      containerStatuses: [{ name: 'web', restartCount: restarts }],
    },
  };
}

/** A ReplicaSet as the API stores it. */
export function replicaSet(name: string, replicas: number, extra: { minReadySeconds?: number; status?: ReplicaSet['status']; generation?: number; deleting?: boolean } = {}): ReplicaSet {
  return {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: {
      name,
      namespace: 'default',
      uid: `uid-rs-${name}`,
      generation: extra.generation ?? 1,
      creationTimestamp: rfc3339(T0),
      labels: { app: 'web', 'pod-template-hash': 'abc' },
      ...(extra.deleting ? { deletionTimestamp: rfc3339(T0) } : {}),
    },
    spec: {
      replicas,
      ...(extra.minReadySeconds ? { minReadySeconds: extra.minReadySeconds } : {}),
      selector: { matchLabels: { app: 'web', 'pod-template-hash': 'abc' } },
      template: { ...template('nginx:1', { app: 'web', 'pod-template-hash': 'abc' }) },
    },
    ...(extra.status ? { status: extra.status } : {}),
  };
}

const key = (resource: string, name: string) => `${resource}/${name}`;
const isApps = (resource: string) => resource === 'deployments' || resource === 'replicasets';

/** Objects of one namespace, changed only by planned commands and the hollow kubelet. */
export class World {
  nowMs = T0;
  readonly objects = new Map<string, KubeObject>();
  /** Every command applied, in order, for assertions on what was planned. */
  readonly applied: PlannedCommand[] = [];

  constructor(...seed: KubeObject[]) {
    for (const object of seed) this.objects.set(key(resourceOf(object), object.metadata.name ?? ''), object);
  }

  deployment(name = 'web'): Deployment {
    return this.objects.get(key('deployments', name)) as Deployment;
  }

  replicaSets(): ReplicaSet[] {
    return this.list('replicasets') as ReplicaSet[];
  }

  replicaSet(name: string): ReplicaSet | undefined {
    return this.objects.get(key('replicasets', name)) as ReplicaSet | undefined;
  }

  pods(): Pod[] {
    return this.list('pods') as Pod[];
  }

  events(): KubeObject[] {
    return this.list('events');
  }

  podsOf(rs: ReplicaSet): Pod[] {
    return this.pods().filter((p) => p.metadata.ownerReferences?.some((o) => o.controller && o.uid === rs.metadata.uid));
  }

  podsByReplicaSet(): Map<string, Pod[]> {
    return new Map(this.replicaSets().map((rs) => [rs.metadata.uid ?? '', this.podsOf(rs)]));
  }

  /** A user's write to the Deployment's spec (bumps generation, as the API does). */
  editDeployment(change: Partial<Deployment['spec']>, name = 'web'): void {
    const d = this.deployment(name);
    this.put({ ...d, metadata: { ...d.metadata, generation: (d.metadata.generation ?? 0) + 1 }, spec: { ...d.spec, ...change } });
  }

  /** One deployment controller pass, applied. */
  deploymentPass(name = 'web'): Plan {
    const plan = this.planDeployment(name);
    this.apply(plan);
    return plan;
  }

  /** One replicaset controller pass over every ReplicaSet, applied. */
  replicaSetPasses(): Plan[] {
    return this.replicaSets().map((rs) => {
      const plan = planReplicaSet(frozen(structuredClone(rs)), frozen(structuredClone(this.podsOf(rs))), this.nowMs);
      this.apply(plan);
      return plan;
    });
  }

  /** Whether neither controller has anything to do; plans only, applies nothing. */
  quiet(name = 'web'): boolean {
    return this.planDeployment(name).commands.length === 0 && this.replicaSets().every((rs) => planReplicaSet(rs, this.podsOf(rs), this.nowMs).commands.length === 0);
  }

  private planDeployment(name: string): Plan {
    const owner = this.deployment(name);
    const owned = this.replicaSets().filter((rs) => rs.metadata.ownerReferences?.some((o) => o.uid === owner.metadata.uid));
    return planDeployment(frozen(structuredClone(owner)), frozen(structuredClone(owned)), this.podsByReplicaSet(), this.nowMs);
  }

  /** Hollow kubelet: the first `count` pending pods are scheduled, run and become ready now. */
  startPods(count: number): void {
    const pending = this.pods().filter((p) => isPodActive(p) && p.status?.phase !== 'Running').slice(0, count);
    for (const p of pending) {
      this.put({
        ...p,
        spec: { ...p.spec, nodeName: 'node-1' },
        status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: rfc3339(this.nowMs) }] },
      } as Pod);
    }
  }

  /** Hollow kubelet: terminating pods finish and disappear. */
  reapTerminating(): void {
    for (const p of this.pods()) if (p.metadata.deletionTimestamp) this.objects.delete(key('pods', p.metadata.name ?? ''));
  }

  /** Pods that serve: ready and not being deleted. */
  availablePods(): Pod[] {
    return this.pods().filter((p) => isPodActive(p) && isPodReady(p));
  }

  apply(plan: Plan): void {
    for (const command of plan.commands) this.applyOne(command);
  }

  private applyOne(command: PlannedCommand): void {
    this.applied.push(command);
    const { ref, payload } = command;
    const k = key(ref.resource, ref.name);
    const existing = this.objects.get(k);
    switch (payload.op) {
      case 'create': {
        if (existing) throw new Error(`${k} already exists`);
        const object = structuredClone(payload.object);
        object.metadata = { ...object.metadata, uid: `uid-${ref.resource}-${ref.name}`, creationTimestamp: rfc3339(this.nowMs), ...(isApps(ref.resource) ? { generation: 1 } : {}) };
        if (ref.resource === 'pods') object.status = { phase: 'Pending' };
        this.objects.set(k, object);
        return;
      }
      case 'patch': {
        if (!existing) throw new Error(`${k} not found`);
        if (payload.patchType !== 'merge') throw new Error(`unexpected ${payload.patchType} patch`);
        const patch = payload.patch as { status?: Json };
        if (payload.target === 'status') {
          this.put({ ...existing, status: applyMergePatch((existing.status ?? {}) as Json, patch.status ?? {}) });
          return;
        }
        const next = applyMergePatch(existing as unknown as Json, payload.patch) as unknown as KubeObject;
        const specChanged = !jsonEqual(existing.spec as Json, next.spec as Json);
        const generation = (existing.metadata.generation ?? 0) + (specChanged && isApps(ref.resource) ? 1 : 0);
        this.put({ ...next, status: existing.status, metadata: { ...next.metadata, ...(isApps(ref.resource) ? { generation } : {}) } });
        return;
      }
      case 'delete': {
        if (!existing) throw new Error(`${k} not found`);
        const uid = payload.options.preconditions?.uid;
        if (uid && uid !== existing.metadata.uid) throw new Error(`${k}: uid precondition failed`);
        if (ref.resource === 'pods') this.put({ ...existing, metadata: { ...existing.metadata, deletionTimestamp: rfc3339(this.nowMs) } });
        else this.objects.delete(k);
        return;
      }
      default:
        throw new Error(`unexpected ${payload.op}`);
    }
  }

  private put(object: KubeObject): void {
    this.objects.set(key(resourceOf(object), object.metadata.name ?? ''), object);
  }

  private list(resource: string): KubeObject[] {
    return [...this.objects.entries()].filter(([k]) => k.startsWith(`${resource}/`)).map(([, v]) => v);
  }
}

function resourceOf(object: KubeObject): string {
  return `${object.kind.toLowerCase()}s`;
}

/** What `kubectl rollout status deployment/<name>` prints for this Deployment (polymorphichelpers/rollout_status.go). */
export function rolloutStatusMessage(d: Deployment): string {
  const status = d.status ?? {};
  const name = d.metadata.name;
  if ((d.metadata.generation ?? 0) > (status.observedGeneration ?? 0)) return 'Waiting for deployment spec update to be observed...';
  const progressing = status.conditions?.find((c) => c.type === 'Progressing');
  if (progressing?.reason === 'ProgressDeadlineExceeded') return `error: deployment "${name}" exceeded its progress deadline`;
  const wanted = d.spec.replicas ?? 1;
  const updated = status.updatedReplicas ?? 0;
  if (updated < wanted) return `Waiting for deployment "${name}" rollout to finish: ${updated} out of ${wanted} new replicas have been updated...`;
  if ((status.replicas ?? 0) > updated) return `Waiting for deployment "${name}" rollout to finish: ${(status.replicas ?? 0) - updated} old replicas are pending termination...`;
  if ((status.availableReplicas ?? 0) < updated) return `Waiting for deployment "${name}" rollout to finish: ${status.availableReplicas ?? 0} of ${updated} updated replicas are available...`;
  return `deployment "${name}" successfully rolled out`;
}
