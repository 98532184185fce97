import { rfc3339 } from '../../actors/ids';
import type { Json, KubeObject } from '../../actors/kinds/types';
import { applyMergePatch } from '../../actors/patch/merge-patch';
import type { Plan } from '../../actors/reconcile/plan';
import type { StartError } from '../../runtime/kubelet/container-actions';
import { planPodSync, type PodSync } from '../../runtime/kubelet/pod-sync';
import type { ContainerSpec, ContainerStatus, PodCondition, PodSpecView, PodStatusView } from '../../runtime/kubelet/pod-view';
import { recordProbeResult, type DueProbe, type ProbeResult, type ProbeTracker } from '../../runtime/kubelet/probes';
import type { ObservedContainer, RuntimeAction } from '../../runtime/kubelet/types';

/**
 * A pod bound to node n1 and a tiny node around it: a runtime that carries out the pod logic's
 * actions at once (start → running, stop → exited 137, remove → gone), a probe tracker, and a
 * store that applies the plan's status patch, so scenarios can step the kubelet through time.
 */

export const T0 = Date.parse('2026-04-01T10:00:00Z');
export const UID = 'uid-web';

export type PodOptions = Partial<PodSpecView> & { containers?: ContainerSpec[]; name?: string };

export function kpod(options: PodOptions = {}): KubeObject {
  const { name = 'web', ...spec } = options;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'default', uid: UID, creationTimestamp: rfc3339(T0 - 5_000) },
    spec: { nodeName: 'n1', restartPolicy: 'Always', terminationGracePeriodSeconds: 30, containers: [{ name: 'app', image: 'busybox:1.36' }], ...spec },
    status: {
      phase: 'Pending',
      qosClass: 'BestEffort',
      conditions: [{ type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: rfc3339(T0 - 4_000) }],
    },
  };
}

export type KEvent = { type: string; reason: string; message: string; fieldPath?: string };

export function eventsOf(plan: Plan): KEvent[] {
  return plan.commands
    .filter((c) => c.ref.resource === 'events')
    .map((c) => {
      const e = (c.payload as unknown as { object: { type: string; reason: string; message: string; involvedObject: { fieldPath?: string } } }).object;
      return { type: e.type, reason: e.reason, message: e.message, ...(e.involvedObject.fieldPath ? { fieldPath: e.involvedObject.fieldPath } : {}) };
    });
}

export function reasonsOf(plan: Plan): string[] {
  return eventsOf(plan).map((e) => e.reason);
}

export function statusPatchOf(plan: Plan): Record<string, any> | undefined {
  const c = plan.commands.find((x) => x.ref.resource === 'pods' && x.payload.op === 'patch');
  return c ? (c.payload as unknown as { patch: { status: Record<string, any> } }).patch.status : undefined;
}

export function conditionsOf(status: PodStatusView | undefined): Record<string, string> {
  return Object.fromEntries((status?.conditions ?? []).map((c: PodCondition) => [c.type, c.status]));
}

export class Node {
  pod: KubeObject;
  containers: ObservedContainer[] = [];
  probes: ProbeTracker = {};
  startErrors: Record<string, StartError> = {};
  nowMs = T0;
  /** Every action carried out, in order. */
  readonly log: RuntimeAction[] = [];

  constructor(pod: KubeObject) {
    this.pod = pod;
  }

  at(ms: number): this {
    this.nowMs = ms;
    return this;
  }

  later(ms: number): this {
    this.nowMs += ms;
    return this;
  }

  sync(extra: Partial<Parameters<typeof planPodSync>[0]> = {}): PodSync {
    return planPodSync({ pod: this.pod, containers: this.containers, nowMs: this.nowMs, probes: this.probes, startErrors: this.startErrors, hostIPs: ['192.0.2.1'], ...extra });
  }

  /** One pass: plan, then carry out its status patch and runtime actions. */
  step(extra: Partial<Parameters<typeof planPodSync>[0]> = {}): PodSync {
    const sync = this.sync(extra);
    this.apply(sync);
    return sync;
  }

  apply(sync: PodSync): void {
    const patch = statusPatchOf(sync.plan);
    if (patch) this.pod = applyMergePatch(this.pod as unknown as Json, { status: patch } as unknown as Json) as unknown as KubeObject;
    for (const action of sync.actions) this.act(action);
  }

  act(action: RuntimeAction): void {
    this.log.push(action);
    switch (action.kind) {
      case 'start': {
        if (this.startErrors[action.container]) return; // the image cannot be had: nothing starts
        const spec = this.specOf(action.container, action.init);
        this.containers.push({
          id: `${action.container}-${action.attempt}`,
          podUid: UID,
          name: action.container,
          attempt: action.attempt,
          init: action.init,
          state: 'running',
          startedAtMs: this.nowMs,
          image: `docker.io/library/${spec?.image ?? ''}`,
          imageId: `docker.io/library/${spec?.image ?? ''}@sha256:feed`,
        });
        return;
      }
      case 'stop':
        this.update(action.id, { state: 'exited', exitCode: 137, reason: 'Error', finishedAtMs: this.nowMs });
        return;
      case 'remove':
        this.containers = this.containers.filter((c) => c.id !== action.id);
        return;
    }
  }

  /** The running attempt of `name` exits. */
  exit(name: string, exitCode: number, reason?: ObservedContainer['reason']): this {
    const running = this.containers.find((c) => c.name === name && c.state === 'running');
    if (!running) throw new Error(`${name} is not running`);
    this.update(running.id, { state: 'exited', exitCode, finishedAtMs: this.nowMs, ...(reason ? { reason } : {}) });
    return this;
  }

  update(id: string, change: Partial<ObservedContainer>): void {
    this.containers = this.containers.map((c) => (c.id === id ? { ...c, ...change } : c));
  }

  running(name: string): ObservedContainer | undefined {
    return this.containers.find((c) => c.name === name && c.state === 'running');
  }

  /** Runs every due probe with the given result for its kind. */
  probe(sync: PodSync, results: Partial<Record<DueProbe['spec']['kind'], ProbeResult>>): DueProbe[] {
    const run = sync.probes.filter((p) => results[p.spec.kind] !== undefined);
    for (const p of run) this.probes = recordProbeResult(this.probes, p, { result: results[p.spec.kind] as ProbeResult, output: 'boom' }, this.nowMs).tracker;
    return run;
  }

  /** The pod as the API server has it after a delete with this grace. */
  deleteWith(graceSeconds: number): this {
    this.pod = { ...this.pod, metadata: { ...this.pod.metadata, deletionTimestamp: rfc3339(this.nowMs + graceSeconds * 1000), deletionGracePeriodSeconds: graceSeconds } };
    return this;
  }

  get status(): PodStatusView {
    return (this.pod.status ?? {}) as PodStatusView;
  }

  containerStatus(name: string): ContainerStatus | undefined {
    const s = this.status;
    return [...(s.initContainerStatuses ?? []), ...(s.containerStatuses ?? [])].find((c) => c.name === name);
  }

  private specOf(name: string, init: boolean): ContainerSpec | undefined {
    const spec = this.pod.spec as PodSpecView;
    return (init ? spec.initContainers : spec.containers)?.find((c) => c.name === name);
  }
}
