import { planNodeLifecycle, toleratedForMs, UNREACHABLE } from '../../actors/controllers/node-lifecycle';
import type { KubeObject } from '../../actors/kinds/types';
import { hollowNode } from '../../runtime/hollow/hollow-node';

const t0 = Date.UTC(2026, 0, 1, 10, 0, 0);
const opts = { gracePeriodMs: 40_000 };
const node = (taints?: object[]): KubeObject => {
  const n = hollowNode('n1', t0, { cpu: '8', memory: '32Gi', pods: '110' }, '192.0.2.1');
  return taints ? { ...n, spec: { taints } } : n;
};
const pod = (name: string, tolerationSeconds?: number | null): KubeObject => ({
  apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default', uid: `u-${name}` },
  spec: { nodeName: 'n1', tolerations: tolerationSeconds === null ? [] : [{ key: UNREACHABLE, operator: 'Exists', effect: 'NoExecute', ...(tolerationSeconds === undefined ? {} : { tolerationSeconds }) }] },
});

describe('node lifecycle: when heartbeats are fresh', () => {
  it('does nothing and looks again when the grace period would run out (converged)', () => {
    expect(planNodeLifecycle(node(), t0 + 10_000, [], t0 + 20_000, opts)).toEqual({ commands: [], requeueAfterMs: 30_001 });
  });
  it('lifts the unreachable taints once the node is Ready again', () => {
    const plan = planNodeLifecycle(node([{ key: UNREACHABLE, effect: 'NoSchedule' }, { key: 'other', effect: 'NoSchedule' }]), t0 + 10_000, [], t0 + 20_000, opts);
    expect(plan.commands.map((c) => c.payload)).toEqual([
      { op: 'patch', patchType: 'merge', patch: { spec: { taints: [{ key: 'other', effect: 'NoSchedule' }] } }, target: 'main', fieldManager: 'node-controller', force: false },
    ]);
  });
});

describe('node lifecycle: when heartbeats stopped past the grace period', () => {
  it('marks every condition Unknown and taints the node unreachable (NoSchedule and NoExecute)', () => {
    const plan = planNodeLifecycle(node(), t0, [pod('a')], t0 + 41_000, opts);
    expect(plan.commands).toHaveLength(2);
    const [status, taints] = plan.commands.map((c) => c.payload as { patch: any; target: string });
    expect(status.target).toBe('status');
    expect(status.patch.status.conditions.find((c: any) => c.type === 'Ready')).toMatchObject({ status: 'Unknown', reason: 'NodeStatusUnknown' });
    expect(taints.patch.spec.taints).toEqual([{ key: UNREACHABLE, effect: 'NoSchedule' }, { key: UNREACHABLE, effect: 'NoExecute', timeAdded: '2026-01-01T10:00:41Z' }]);
  });

  it('evicts pods when their toleration runs out, and waits for the next one', () => {
    const tainted: KubeObject = { ...node([{ key: UNREACHABLE, effect: 'NoSchedule' }, { key: UNREACHABLE, effect: 'NoExecute', timeAdded: '2026-01-01T10:00:41Z' }]), status: { conditions: [{ type: 'Ready', status: 'Unknown' }] } };
    const pods = [pod('none', null), pod('short', 5), pod('default', 300), pod('forever')];
    const plan = planNodeLifecycle(tainted, t0, pods, t0 + 47_000, opts);
    expect(plan.commands.map((c) => c.ref.name)).toEqual(['none', 'short']);
    expect(plan.commands[0].payload).toEqual({ op: 'delete', options: { preconditions: { uid: 'u-none' } } });
    expect(plan.requeueAfterMs).toBe(41_000 + 300_000 - 47_000);
  });
});

describe('tolerations of an unreachable node', () => {
  it.each([
    [null, 0],
    [7, 7_000],
    [undefined, undefined],
  ])('toleration seconds %p → %p ms', (seconds, ms) => {
    expect(toleratedForMs(pod('p', seconds as number | null | undefined))).toBe(ms);
  });
});
