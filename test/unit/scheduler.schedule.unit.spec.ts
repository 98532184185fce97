import type { KubeObject } from '../../actors/kinds/types';
import { fitErrorMessage } from '../../actors/scheduler/fit-error';
import { schedule } from '../../actors/scheduler/schedule';
import { antiAffinity, CONTROL_PLANE_TAINT, node, pod } from './scheduler.fixtures';

const onNodes = (entries: [string, KubeObject[]][]): Map<string, KubeObject[]> => new Map(entries);

describe('scheduler: the FailedScheduling message', () => {
  it('counts reasons over nodes and sorts them as text, as FitError does', () => {
    const reasons = [...Array(10).fill(['b']), ['a'], ['a'], ['c', 'a']];
    expect(fitErrorMessage(13, reasons)).toBe('0/13 nodes are available: 1 c, 10 b, 3 a.');
    expect(fitErrorMessage(2, [['x'], ['x']], 'preemption: y.')).toBe('0/2 nodes are available: 2 x. preemption: y.');
  });

  it('a control-plane node and two full workers', () => {
    const nodes = [node('cp', { taints: [CONTROL_PLANE_TAINT] }), node('w1', { cpu: '2' }), node('w2', { cpu: '2' })];
    const placed = onNodes([['w1', [pod('a', { cpu: '1500m' })]], ['w2', [pod('b', { cpu: '1500m' })]]]);
    const decision = schedule(pod('p', { cpu: '1' }), nodes, placed);
    expect(decision).toMatchObject({
      kind: 'unschedulable',
      message: '0/3 nodes are available: 1 node(s) had untolerated taint(s), 2 Insufficient cpu. '
        + 'preemption: 0/3 nodes are available: 1 Preemption is not helpful for scheduling, 2 No preemption victims found for incoming pod.',
    });
  });

  it('a mixed cluster: every kind of rejection, each node counted once by its first failing filter', () => {
    const nodes = [
      node('cp', { taints: [CONTROL_PLANE_TAINT] }),
      node('cordoned', { unschedulable: true, labels: { disk: 'ssd' } }),
      node('hdd', { labels: { disk: 'hdd' } }),
      node('small', { cpu: '500m', labels: { disk: 'ssd' } }),
      node('full', { cpu: '2', labels: { disk: 'ssd' } }),
    ];
    const placed = onNodes([['full', [pod('a', { cpu: '1500m' })]]]);
    const decision = schedule(pod('p', { cpu: '1', nodeSelector: { disk: 'ssd' } }), nodes, placed);
    expect(decision.kind).toBe('unschedulable');
    expect(decision.kind === 'unschedulable' && decision.message).toBe(
      "0/5 nodes are available: 1 node(s) didn't match Pod's node affinity/selector, 1 node(s) had untolerated taint(s), 1 node(s) were unschedulable, 2 Insufficient cpu. "
      + 'preemption: 0/5 nodes are available: 1 No preemption victims found for incoming pod, 4 Preemption is not helpful for scheduling.',
    );
    expect(decision.verdicts).toEqual([
      { node: 'cordoned', fit: false, reasons: ['node(s) were unschedulable'] },
      { node: 'cp', fit: false, reasons: ['node(s) had untolerated taint(s)'], detail: 'untolerated taint node-role.kubernetes.io/control-plane:NoSchedule' },
      { node: 'full', fit: false, reasons: ['Insufficient cpu'] },
      { node: 'hdd', fit: false, reasons: ["node(s) didn't match Pod's node affinity/selector"] },
      // Asking for more than the node has at all: no eviction can help.
      { node: 'small', fit: false, reasons: ['Insufficient cpu'] },
    ]);
  });

  it('lower-priority pods that would not free enough: the node keeps its reason', () => {
    const placed = onNodes([['n', [pod('low', { cpu: '500m' }), pod('high', { cpu: '1500m', priority: 1000 })]]]);
    const decision = schedule(pod('p', { cpu: '1', priority: 100 }), [node('n', { cpu: '2' })], placed);
    expect(decision).toMatchObject({ kind: 'unschedulable', message: '0/1 nodes are available: 1 Insufficient cpu. preemption: 0/1 nodes are available: 1 Insufficient cpu.' });
  });

  it('where evicting lower-priority pods would make room, preemption adds nothing (skiff does not evict yet)', () => {
    const placed = onNodes([['n', [pod('low', { cpu: '1500m' })]]]);
    const decision = schedule(pod('p', { cpu: '1', priority: 100 }), [node('n', { cpu: '2' })], placed);
    expect(decision).toMatchObject({ kind: 'unschedulable', message: '0/1 nodes are available: 1 Insufficient cpu.' });
  });

  it('preemptionPolicy Never', () => {
    const placed = onNodes([['n', [pod('low', { cpu: '1500m' })]]]);
    const decision = schedule(pod('p', { cpu: '1', priority: 100, preemptionPolicy: 'Never' }), [node('n', { cpu: '2' })], placed);
    expect(decision).toMatchObject({ kind: 'unschedulable', message: '0/1 nodes are available: 1 Insufficient cpu. preemption: not eligible due to preemptionPolicy=Never.' });
  });

  it('no nodes at all', () => {
    expect(schedule(pod('p'), [], new Map())).toEqual({ kind: 'unschedulable', message: 'no nodes available to schedule pods', verdicts: [] });
  });
});

describe('scheduler: choosing a node', () => {
  it('binds to the best-scoring feasible node and explains every node', () => {
    const nodes = [node('busy', { cpu: '2' }), node('idle', { cpu: '2' }), node('cp', { taints: [CONTROL_PLANE_TAINT] })];
    const decision = schedule(pod('p', { cpu: '500m', memory: '1Gi' }), nodes, onNodes([['busy', [pod('a', { cpu: '1', memory: '4Gi' })]]]));
    expect(decision.kind).toBe('bound');
    expect(decision.kind === 'bound' && decision.node).toBe('idle');
    const [busy, cp, idle] = decision.verdicts;
    expect(cp).toMatchObject({ node: 'cp', fit: false, reasons: ['node(s) had untolerated taint(s)'] });
    // busy: cpu 25 (1.5 of 2 taken), memory 37 (5 of 8Gi) → 31; idle: cpu 75, memory 87 → 81.
    expect(busy).toMatchObject({ node: 'busy', fit: true, reasons: [], scores: { NodeResourcesFit: 31 } });
    expect(idle).toMatchObject({ node: 'idle', fit: true, reasons: [], scores: { NodeResourcesFit: 81 } });
    expect(idle.total).toBeGreaterThan(busy.total ?? Infinity);
  });

  it('breaks ties by a hash of the pod uid and node name: the same pod always lands alike, different pods spread', () => {
    const nodes = [node('a'), node('b'), node('c')];
    const chosen = (uid: string) => {
      const d = schedule(pod('p', { uid }), nodes, new Map());
      return d.kind === 'bound' ? d.node : '';
    };
    expect(chosen('u-1')).toBe(chosen('u-1'));
    const picks = new Set(Array.from({ length: 30 }, (_, i) => chosen(`u-${i}`)));
    expect([...picks].sort()).toEqual(['a', 'b', 'c']);
  });

  it('does not depend on the order nodes are given in', () => {
    const nodes = [node('a'), node('b'), node('c'), node('d')];
    const one = schedule(pod('p'), nodes, new Map());
    const other = schedule(pod('p'), [...nodes].reverse(), new Map());
    expect(other).toEqual(one);
  });

  it('a pod with anti-affinity to its own app avoids the node already running one', () => {
    const web = (name: string) => pod(name, { labels: { app: 'web' }, affinity: antiAffinity('web') });
    const decision = schedule(web('web-1'), [node('a'), node('b')], onNodes([['a', [web('web-0')]]]));
    expect(decision).toMatchObject({ kind: 'bound', node: 'b' });
    expect(decision.verdicts[0]).toEqual({ node: 'a', fit: false, reasons: ["node(s) didn't match pod anti-affinity rules"] });
  });
});

describe('scheduler: how many nodes to look at (percentageOfNodesToScore, adaptive)', () => {
  it.each([
    [50, 50],
    [100, 100],
    [1_000, 420],
    [5_000, 500],
    [10_000, 500],
  ])('%p nodes → stop after %p feasible', async (total, wanted) => {
    const { feasibleNodesToFind } = await import('../../actors/scheduler/schedule');
    expect(feasibleNodesToFind(total)).toBe(wanted);
  });
});
