import type { KubeObject } from '../../actors/kinds/types';
import type { PlannedCommand } from '../../actors/reconcile/plan';
import { planScheduling } from '../../actors/scheduler/scheduling-plan';
import { antiAffinity, CONTROL_PLANE_TAINT, node, pod } from './scheduler.fixtures';

const NOW = Date.UTC(2026, 4, 2, 3, 4, 5);

/** pod name → node name, from the bind commands of a plan. */
function bindings(commands: readonly PlannedCommand[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const c of commands) {
    const p = c.payload;
    if (c.ref.resource === 'pods' && p.op === 'bind') out.set(c.ref.name, p.node);
  }
  return out;
}

const countBy = (values: Iterable<string>): Record<string, number> => {
  const out: Record<string, number> = {};
  for (const v of values) out[v] = (out[v] ?? 0) + 1;
  return out;
};

describe('scheduling pass: binding', () => {
  it('a bound pod gets a binding (which sets PodScheduled=True) and a Scheduled event', () => {
    const { commands } = planScheduling([pod('web-0', { uid: 'u-web-0' })], [node('n1')], [], NOW);
    expect(commands).toHaveLength(2);
    const [bind, event] = commands;
    expect(bind).toEqual({
      ref: { group: '', resource: 'pods', namespace: 'default', name: 'web-0' },
      payload: { op: 'bind', node: 'n1', expectedUid: 'u-web-0' },
      // TaintToleration 100 × 3 + NodeResourcesFit 97 (a best-effort pod weighs 100m/200Mi) + SelectorSpread 100.
      reason: 'bind default/web-0 to n1: score 497, the best of 1 feasible node(s) out of 1',
      detail: {
        kind: 'scheduling', uid: 'u-web-0', outcome: 'bound', node: 'n1', nodes: 1, evaluated: 1, feasible: 1, rejected: [], unrecorded: 0,
        scored: [{ node: 'n1', total: 497, scores: { TaintToleration: 100, NodeAffinity: 0, NodeResourcesFit: 97, SelectorSpread: 100, InterPodAffinity: 0 } }],
      },
    });
    expect(event.ref).toMatchObject({ group: '', resource: 'events', namespace: 'default' });
    expect(event.ref.name).toMatch(/^web-0\.[0-9a-f]{16}$/);
    expect(event.payload).toEqual({
      op: 'create',
      fieldManager: 'default-scheduler',
      object: {
        apiVersion: 'v1', kind: 'Event',
        metadata: { name: event.ref.name, namespace: 'default' },
        involvedObject: { apiVersion: 'v1', kind: 'Pod', namespace: 'default', name: 'web-0', uid: 'u-web-0' },
        reason: 'Scheduled', message: 'Successfully assigned default/web-0 to n1', type: 'Normal',
        source: { component: 'default-scheduler' },
        firstTimestamp: '2026-05-02T03:04:05Z', lastTimestamp: '2026-05-02T03:04:05Z', count: 1,
        action: 'Binding', reportingComponent: 'default-scheduler', reportingInstance: 'default-scheduler',
      },
    });
    for (const c of commands) expect(c.reason).not.toBe('');
  });

  it('schedules 50 replicas over 5 nodes deterministically, spread evenly, within capacity', () => {
    const nodes = ['n1', 'n2', 'n3', 'n4', 'n5'].map((n) => node(n, { cpu: '4', memory: '8Gi' }));
    const pods = Array.from({ length: 50 }, (_, i) => pod(`web-${String(i).padStart(2, '0')}`, { cpu: '350m', memory: '512Mi', owner: 'web-rs' }));
    const first = planScheduling(pods, nodes, [], NOW);
    expect(planScheduling([...pods].reverse(), [...nodes].reverse(), [], NOW)).toEqual(first);
    const placed = bindings(first.commands);
    expect(placed.size).toBe(50);
    const perNode = countBy(placed.values());
    expect(perNode).toEqual({ n1: 10, n2: 10, n3: 10, n4: 10, n5: 10 });
    // 10 × 350m = 3.5 of 4 cpus; 10 × 512Mi = 5 of 8Gi.
    for (const n of Object.values(perNode)) expect(n * 350).toBeLessThanOrEqual(4000);
  });

  it('stops at capacity: what does not fit waits, with the reason', () => {
    const nodes = ['n1', 'n2', 'n3', 'n4', 'n5'].map((n) => node(n, { cpu: '1', pods: '110' }));
    const pods = Array.from({ length: 50 }, (_, i) => pod(`p-${String(i).padStart(2, '0')}`, { cpu: '300m' }));
    const { commands } = planScheduling(pods, nodes, [], NOW);
    const placed = bindings(commands);
    expect(placed.size).toBe(15);
    expect(countBy(placed.values())).toEqual({ n1: 3, n2: 3, n3: 3, n4: 3, n5: 3 });
    const waiting = commands.filter((c) => c.payload.op === 'patch' && c.payload.target === 'status' && JSON.stringify(c.payload.patch).includes('"False"'));
    expect(waiting).toHaveLength(35);
    expect(JSON.stringify(waiting[0].payload)).toContain(
      '0/5 nodes are available: 5 Insufficient cpu. preemption: 0/5 nodes are available: 5 No preemption victims found for incoming pod.',
    );
  });

  it('the pods already on a node count, finished ones do not', () => {
    const bound = [pod('old', { cpu: '1', nodeName: 'n1' }), pod('done', { cpu: '1', nodeName: 'n2', phase: 'Succeeded' })];
    const { commands } = planScheduling([pod('new', { cpu: '1' })], [node('n1', { cpu: '1' }), node('n2', { cpu: '1' })], bound, NOW);
    expect(bindings(commands)).toEqual(new Map([['new', 'n2']]));
  });

  it('queue order: higher priority first, then older, then by name', () => {
    const pending = [
      pod('a-old-low', { cpu: '1', created: '2026-01-01T00:00:00Z' }),
      pod('z-new-high', { cpu: '1', priority: 1000, created: '2026-01-02T00:00:00Z' }),
      pod('b-old-low', { cpu: '1', created: '2026-01-01T00:00:00Z' }),
    ];
    const { commands } = planScheduling(pending, [node('n1', { cpu: '2' })], [], NOW);
    expect([...bindings(commands).keys()]).toEqual(['z-new-high', 'a-old-low']);
    expect(commands.filter((c) => c.ref.name === 'b-old-low').map((c) => c.payload.op)).toEqual(['patch']);
  });

  it('pods placed earlier in the pass are on their nodes for the later ones (host ports)', () => {
    const pending = ['a', 'b', 'c'].map((n) => pod(n, { hostPort: 80 }));
    const { commands } = planScheduling(pending, [node('n1'), node('n2')], [], NOW);
    const placed = bindings(commands);
    expect(new Set(placed.values())).toEqual(new Set(['n1', 'n2']));
    const failed = commands.find((c) => c.ref.resource === 'events' && c.payload.op === 'create' && c.payload.object.reason === 'FailedScheduling');
    expect(failed?.payload.op === 'create' && failed.payload.object.message).toBe(
      "0/2 nodes are available: 2 node(s) didn't have free ports for the requested pod ports. preemption: 0/2 nodes are available: 2 No preemption victims found for incoming pod.",
    );
  });

  it('required anti-affinity spreads 3 replicas over 3 nodes, and a 4th waits', () => {
    const web = (i: number, nodeName?: string) => pod(`web-${i}`, { labels: { app: 'web' }, affinity: antiAffinity('web'), owner: 'web-rs', nodeName });
    const nodes = [node('a'), node('b'), node('c')];
    const three = planScheduling([0, 1, 2].map((i) => web(i)), nodes, [], NOW);
    const placed = bindings(three.commands);
    expect(new Set(placed.values())).toEqual(new Set(['a', 'b', 'c']));

    const bound = [...placed].map(([name, nodeName]) => web(Number(name.slice('web-'.length)), nodeName));
    const fourth = planScheduling([web(3)], nodes, bound, NOW);
    expect(bindings(fourth.commands).size).toBe(0);
    expect(fourth.commands.map((c) => c.ref.resource)).toEqual(['pods', 'events']);
    expect(fourth.commands[0].reason).toBe(
      "default/web-3 cannot be scheduled: 0/3 nodes are available: 3 node(s) didn't match pod anti-affinity rules. "
      + 'preemption: 0/3 nodes are available: 3 No preemption victims found for incoming pod.',
    );
  });
});

describe('scheduling pass: a pod that cannot be placed', () => {
  const nodes = [node('cp', { taints: [CONTROL_PLANE_TAINT] }), node('w1', { cpu: '1' }), node('w2', { cpu: '1' })];
  const message = '0/3 nodes are available: 1 node(s) had untolerated taint(s), 2 Insufficient cpu. '
    + 'preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.';

  it('records PodScheduled=False (Unschedulable) and a FailedScheduling warning', () => {
    const { commands } = planScheduling([pod('big', { cpu: '2' })], nodes, [], NOW);
    expect(commands).toHaveLength(2);
    const [status, event] = commands;
    expect(status.payload).toEqual({
      op: 'patch', patchType: 'strategic', target: 'status', fieldManager: 'default-scheduler', force: false,
      patch: { status: { conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message, lastTransitionTime: '2026-05-02T03:04:05Z' }] } },
    });
    // The decision rides on the condition's patch, not on the event.
    expect(status.detail).toEqual({
      kind: 'scheduling', uid: 'uid-big', outcome: 'unschedulable', message, nodes: 3, evaluated: 3, feasible: 0,
      rejected: [
        { reasons: ['Insufficient cpu'], nodes: ['w1', 'w2'] },
        { reasons: ['node(s) had untolerated taint(s)'], detail: 'untolerated taint node-role.kubernetes.io/control-plane:NoSchedule', nodes: ['cp'] },
      ],
    });
    expect(event.detail).toBeUndefined();
    expect(event.payload.op === 'create' && event.payload.object).toMatchObject({
      reason: 'FailedScheduling', type: 'Warning', message, action: 'Scheduling', source: { component: 'default-scheduler' },
      involvedObject: { kind: 'Pod', name: 'big', namespace: 'default', uid: 'uid-big' },
    });
  });

  it('a new reason replaces the old one, keeping the transition time of the unchanged status', () => {
    const earlier = { type: 'PodScheduled', status: 'False' as const, reason: 'Unschedulable', message: 'old news', lastTransitionTime: '2026-01-01T00:00:00Z' };
    const { commands } = planScheduling([pod('big', { cpu: '2', conditions: [earlier] })], nodes, [], NOW);
    expect(commands.map((c) => c.ref.resource)).toEqual(['pods', 'events']);
    expect(commands[0].payload).toMatchObject({ patch: { status: { conditions: [{ message, lastTransitionTime: '2026-01-01T00:00:00Z' }] } } });
  });

  it('event names differ between decisions and are stable for the same one', () => {
    const once = planScheduling([pod('big', { cpu: '2' })], nodes, [], NOW);
    const again = planScheduling([pod('big', { cpu: '2' })], nodes, [], NOW);
    const later = planScheduling([pod('big', { cpu: '2' })], nodes, [], NOW + 1000);
    expect(again).toEqual(once);
    expect(later.commands[1].ref.name).not.toBe(once.commands[1].ref.name);
  });
});

describe('scheduling pass: converged → no commands', () => {
  it('pods already bound', () => {
    const bound = [pod('a', { nodeName: 'n1', cpu: '1' }), pod('b', { nodeName: 'n2' })];
    expect(planScheduling(bound, [node('n1'), node('n2')], bound, NOW)).toEqual({ commands: [], unschedulable: [] });
  });

  it('an unschedulable pod whose condition already says why', () => {
    const nodes = [node('w1', { cpu: '1' })];
    const first = planScheduling([pod('big', { cpu: '2' })], nodes, [], NOW);
    const payload = first.commands[0].payload;
    if (payload.op !== 'patch') throw new Error('expected a status patch first');
    const recorded = (payload.patch as { status: { conditions: { message: string }[] } }).status.conditions[0].message;
    const condition = { type: 'PodScheduled', status: 'False' as const, reason: 'Unschedulable', message: recorded, lastTransitionTime: '2026-05-02T03:04:05Z' };
    // No new commands, but the pod is still reported unschedulable, so it waits in the unschedulable queue.
    expect(planScheduling([pod('big', { cpu: '2', conditions: [condition] })], nodes, [], NOW + 60_000)).toEqual({ commands: [], unschedulable: [{ key: 'default/big', waitsForPods: false }] });
  });

  it('pods that are not this scheduler’s to place', () => {
    const pods: KubeObject[] = [
      pod('other', { schedulerName: 'my-scheduler' }),
      pod('gated', { schedulingGates: ['example.com/wait'] }),
      pod('deleting', { deleting: true }),
      pod('finished', { phase: 'Failed' }),
    ];
    expect(planScheduling(pods, [node('n1')], [], NOW)).toEqual({ commands: [], unschedulable: [] });
  });

  it('nothing pending', () => {
    expect(planScheduling([], [node('n1')], [], NOW)).toEqual({ commands: [], unschedulable: [] });
  });
});
