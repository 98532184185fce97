import type { KubeObject } from '../../actors/kinds/types';
import { hollowNode } from '../../runtime/hollow/hollow-node';
import { hollowPodIP, planHollowPod, runningStatus, type HollowTimings } from '../../runtime/hollow/hollow-pod';
import type { PlannedCommand } from '../../actors/reconcile/plan';

const node = hollowNode('n1', Date.UTC(2026, 0, 1), { cpu: '8', memory: '32Gi', pods: '110' }, '192.0.2.1');
const t0 = Date.UTC(2026, 0, 1, 10, 0, 0);
const pod = (over: Partial<{ nodeName: string; phase: string }> = {}): KubeObject => ({
  apiVersion: 'v1', kind: 'Pod',
  metadata: { name: 'web-1', namespace: 'default', uid: 'u-1', creationTimestamp: '2026-01-01T10:00:00Z' },
  spec: { nodeName: over.nodeName ?? 'n1', containers: [{ name: 'web', image: 'busybox:1.36' }, { name: 'sidecar', image: 'busybox:1.36' }] },
  status: { phase: over.phase ?? 'Pending', qosClass: 'BestEffort' },
});
const timings = { startDelayMs: 1_000 };

describe('hollow pod: when bound to this node and Pending', () => {
  it('waits for the start delay, asking to be looked at again when it has passed', () => {
    expect(planHollowPod(pod(), node, t0 + 400, timings)).toEqual({ commands: [], requeueAfterMs: 600 });
  });

  it('then reports it Running with ready containers, through the status subresource', () => {
    const plan = planHollowPod(pod(), node, t0 + 1_000, timings);
    expect(plan.commands).toHaveLength(7);
    expect(plan.commands.slice(1).map((c) => [c.ref.resource, (c.payload as unknown as { object: { reason: string; source: unknown } }).object.reason])).toEqual([
      ['events', 'Pulled'], ['events', 'Created'], ['events', 'Started'],
      ['events', 'Pulled'], ['events', 'Created'], ['events', 'Started'],
    ]);
    const { payload, ref } = plan.commands[0];
    expect(ref).toEqual({ group: '', resource: 'pods', namespace: 'default', name: 'web-1' });
    expect(payload).toMatchObject({ op: 'patch', target: 'status', patchType: 'merge' });
    const status = (payload as unknown as { patch: { status: Record<string, any> } }).patch.status;
    expect(status.phase).toBe('Running');
    expect(status.hostIP).toBe('192.0.2.1');
    expect(status.podIP).toBe(hollowPodIP('u-1'));
    expect(status.conditions.map((c: { type: string }) => c.type)).toEqual(['PodReadyToStartContainers', 'Initialized', 'Ready', 'ContainersReady', 'PodScheduled']);
    expect(status.containerStatuses[0]).toMatchObject({ name: 'web', ready: true, started: true, restartCount: 0, state: { running: { startedAt: '2026-01-01T10:00:01Z' } } });
  });
});

describe('hollow pod: converged', () => {
  it.each([
    ['already running', pod({ phase: 'Running' })],
    ['bound to another node', pod({ nodeName: 'n2' })],
  ])('%s → no commands', (_what, p) => {
    expect(planHollowPod(p, node, t0 + 10_000, timings)).toEqual({ commands: [] });
  });
});

describe('hollow pod: when deleted while running', () => {
  const running = (): KubeObject => {
    const p = pod({ phase: 'Running' });
    return { ...p, status: runningStatus(p, node, t0 + 1_000) };
  };
  const deleting = (p: KubeObject, graceSeconds: number, askedAtMs = t0 + 60_000): KubeObject => ({
    ...p, metadata: { ...p.metadata, deletionTimestamp: new Date(askedAtMs + graceSeconds * 1000).toISOString().replace('.000Z', 'Z'), deletionGracePeriodSeconds: graceSeconds },
  });
  const eventsOf = (commands: readonly PlannedCommand[]) =>
    commands.filter((c) => c.ref.resource === 'events').map((c) => (c.payload as unknown as { object: { type: string; reason: string; message: string; reportingComponent: string } }).object);
  /** The pod as the projection shows it after a plan's status patch. */
  const applied = (p: KubeObject, commands: readonly PlannedCommand[]): KubeObject => {
    const patch = commands.find((c) => c.ref.resource === 'pods' && c.payload.op === 'patch')?.payload as { patch: { status: object } } | undefined;
    return patch ? { ...p, status: { ...(p.status as object), ...patch.patch.status } } : p;
  };

  it('stops every running container: one Killing event each, and their terminated statuses in the same plan', () => {
    const plan = planHollowPod(deleting(running(), 30), node, t0 + 60_000, timings);
    expect(eventsOf(plan.commands)).toEqual([
      expect.objectContaining({ type: 'Normal', reason: 'Killing', message: 'Stopping container web', reportingComponent: 'kubelet' }),
      expect.objectContaining({ type: 'Normal', reason: 'Killing', message: 'Stopping container sidecar', reportingComponent: 'kubelet' }),
    ]);
    const patch = plan.commands[0];
    expect(patch.payload).toMatchObject({ op: 'patch', target: 'status', fieldManager: 'kubelet' });
    const status = (patch.payload as unknown as { patch: { status: Record<string, any> } }).patch.status;
    expect(status.phase).toBe('Succeeded');
    expect(status.containerStatuses[0]).toMatchObject({
      name: 'web', ready: false, started: false,
      state: { terminated: { exitCode: 0, reason: 'Completed', startedAt: '2026-01-01T10:00:01Z', finishedAt: '2026-01-01T10:01:00Z', containerID: 'hollow://u-1/web' } },
    });
    expect(Object.fromEntries(status.conditions.map((c: { type: string; status: string }) => [c.type, c.status]))).toEqual({
      PodReadyToStartContainers: 'False', Initialized: 'True', Ready: 'False', ContainersReady: 'False', PodScheduled: 'True',
    });
  });

  it('once the containers show stopped: the final delete, grace 0 with the pod\'s uid as precondition; no second Killing', () => {
    const p = deleting(running(), 30);
    const stopped = applied(p, planHollowPod(p, node, t0 + 60_000, timings).commands);
    const plan = planHollowPod(stopped, node, t0 + 60_100, timings);
    expect(plan.commands).toEqual([
      expect.objectContaining({ ref: { group: '', resource: 'pods', namespace: 'default', name: 'web-1' }, payload: { op: 'delete', options: { gracePeriodSeconds: 0, preconditions: { uid: 'u-1' } } } }),
    ]);
    expect(eventsOf(plan.commands)).toEqual([]);
  });

  it('converged when finalizers hold a pod whose containers stopped and whose grace is spent', () => {
    const p = deleting(running(), 30);
    const stopped = applied(p, planHollowPod(p, node, t0 + 60_000, timings).commands);
    const spent = { ...stopped, metadata: { ...stopped.metadata, deletionGracePeriodSeconds: 0, finalizers: ['example.com/keep'] } };
    expect(planHollowPod(spent, node, t0 + 61_000, timings)).toEqual({ commands: [] });
  });

  it('deleted with grace 0 while finalizers hold it: the containers still stop, with their Killing events', () => {
    const p = deleting({ ...running(), metadata: { ...running().metadata, finalizers: ['example.com/keep'] } }, 0);
    const plan = planHollowPod(p, node, t0 + 60_000, timings);
    expect(eventsOf(plan.commands).map((e) => e.reason)).toEqual(['Killing', 'Killing']);
    expect(planHollowPod(applied(p, plan.commands), node, t0 + 60_100, timings)).toEqual({ commands: [] });
  });

  it('a pod deleted before it started has nothing to stop: straight to the final delete', () => {
    const plan = planHollowPod(deleting(pod(), 30), node, t0 + 60_000, timings);
    expect(plan.commands.map((c) => c.payload.op)).toEqual(['delete']);
  });

  it('with a stop delay, waits for it (never past the grace period), then stops the containers', () => {
    const slow: HollowTimings = { ...timings, stopDelayMs: 5_000 };
    expect(planHollowPod(deleting(running(), 30), node, t0 + 61_000, slow)).toEqual({ commands: [], requeueAfterMs: 4_000 });
    expect(planHollowPod(deleting(running(), 30), node, t0 + 65_000, slow).commands).toHaveLength(3);
    expect(planHollowPod(deleting(running(), 2), node, t0 + 62_000, slow).commands).toHaveLength(3);
  });

  it('a pod being deleted on another node is not this node\'s to stop', () => {
    expect(planHollowPod(deleting({ ...running(), spec: { ...(running().spec as object), nodeName: 'n2' } }, 30), node, t0 + 60_000, timings)).toEqual({ commands: [] });
  });
});
