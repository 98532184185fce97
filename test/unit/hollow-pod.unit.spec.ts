import type { KubeObject } from '../../actors/kinds/types';
import { hollowNode } from '../../runtime/hollow/hollow-node';
import { hollowPodIP, planHollowPod } from '../../runtime/hollow/hollow-pod';

const node = hollowNode('n1', Date.UTC(2026, 0, 1), { cpu: '8', memory: '32Gi', pods: '110' }, '192.0.2.1');
const t0 = Date.UTC(2026, 0, 1, 10, 0, 0);
const pod = (over: Partial<{ nodeName: string; phase: string; deleting: boolean }> = {}): KubeObject => ({
  apiVersion: 'v1', kind: 'Pod',
  metadata: { name: 'web-1', namespace: 'default', uid: 'u-1', creationTimestamp: '2026-01-01T10:00:00Z', ...(over.deleting ? { deletionTimestamp: 'x' } : {}) },
  spec: { nodeName: over.nodeName ?? 'n1', containers: [{ name: 'web', image: 'busybox:1.36' }] },
  status: { phase: over.phase ?? 'Pending', qosClass: 'BestEffort' },
});
const timings = { startDelayMs: 1_000 };

describe('hollow pod: when bound to this node and Pending', () => {
  it('waits for the start delay, asking to be looked at again when it has passed', () => {
    expect(planHollowPod(pod(), node, t0 + 400, timings)).toEqual({ commands: [], requeueAfterMs: 600 });
  });

  it('then reports it Running with ready containers, through the status subresource', () => {
    const plan = planHollowPod(pod(), node, t0 + 1_000, timings);
    expect(plan.commands).toHaveLength(4);
    expect(plan.commands.slice(1).map((c) => [c.ref.resource, (c.payload as unknown as { object: { reason: string; source: unknown } }).object.reason])).toEqual([
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
    ['being deleted', pod({ deleting: true })],
  ])('%s → no commands', (_what, p) => {
    expect(planHollowPod(p, node, t0 + 10_000, timings)).toEqual({ commands: [] });
  });
});
