import type { KubeObject } from '../../actors/kinds/types';
import { schedule, type Decision, type NodeVerdict } from '../../actors/scheduler/schedule';
import type { ScoreName } from '../../actors/scheduler/scores';
import { isSchedulingRecord, RECORDED_FEASIBLE_NODES, RECORDED_REJECTED_PER_GROUP, schedulingRecord, type SchedulingRecord } from '../../actors/scheduler/scheduling-record';
import type { JsonValue } from '../../eventlog/types';
import { CONTROL_PLANE_TAINT, node, pod } from './scheduler.fixtures';

const CP_DETAIL = 'untolerated taint node-role.kubernetes.io/control-plane:NoSchedule';

const scores = (s: number): Readonly<Record<ScoreName, number>> => ({ TaintToleration: s, NodeAffinity: 0, NodeResourcesFit: s, SelectorSpread: 0, InterPodAffinity: 0 });
const fit = (name: string, total: number): NodeVerdict => ({ node: name, fit: true, reasons: [], scores: scores(total / 2), total });
const unfit = (name: string, reasons: string[], detail?: string): NodeVerdict => ({ node: name, fit: false, reasons, ...(detail ? { detail } : {}) });
const names = (prefix: string, n: number): string[] => Array.from({ length: n }, (_, i) => `${prefix}-${String(i).padStart(2, '0')}`);

const recordOf = (p: KubeObject, nodes: KubeObject[], placed: [string, KubeObject[]][] = []): SchedulingRecord =>
  schedulingRecord(schedule(p, nodes, new Map(placed)), p.metadata.uid ?? '', nodes.length);

describe('scheduling record: from a real scheduling cycle', () => {
  const cluster = [node('cp', { taints: [CONTROL_PLANE_TAINT] }), node('w1', { cpu: '2' }), node('w2', { cpu: '2' }), node('w3', { cpu: '2' })];

  it.each<{ name: string; pod: KubeObject; placed?: [string, KubeObject[]][]; expected: Partial<SchedulingRecord> }>([
    {
      name: 'a pod that fits: chosen node first, each feasible node with its scores, the rejected grouped',
      pod: pod('web', { cpu: '500m' }),
      placed: [['w1', [pod('a', { cpu: '1600m' })]]],
      expected: {
        kind: 'scheduling', uid: 'uid-web', outcome: 'bound', nodes: 4, evaluated: 4, feasible: 2, unrecorded: 0,
        // Groups of one node each: by their node's name.
        rejected: [
          { reasons: ['node(s) had untolerated taint(s)'], detail: CP_DETAIL, nodes: ['cp'] },
          { reasons: ['Insufficient cpu'], nodes: ['w1'] },
        ],
      },
    },
    {
      name: 'an impossible pod: every node rejected, all named, the FailedScheduling message kept',
      pod: pod('huge', { cpu: '64' }),
      expected: {
        kind: 'scheduling', uid: 'uid-huge', outcome: 'unschedulable', nodes: 4, evaluated: 4, feasible: 0,
        message: '0/4 nodes are available: 1 node(s) had untolerated taint(s), 3 Insufficient cpu. '
          + 'preemption: 0/4 nodes are available: 4 Preemption is not helpful for scheduling.',
        rejected: [
          { reasons: ['Insufficient cpu'], nodes: ['w1', 'w2', 'w3'] },
          { reasons: ['node(s) had untolerated taint(s)'], detail: CP_DETAIL, nodes: ['cp'] },
        ],
      },
    },
  ])('$name', ({ pod: p, placed, expected }) => {
    const record = recordOf(p, cluster, placed);
    expect(record).toMatchObject(expected);
    // What goes on the command comes back from JSON (and msgpack) as it went in.
    expect(JSON.parse(JSON.stringify(record))).toEqual(record);
  });

  it('a bound record names the node the decision chose, with the highest total, first', () => {
    const decision = schedule(pod('web', { cpu: '500m' }), cluster, new Map([['w1', [pod('a', { cpu: '1600m' })]]]));
    if (decision.kind !== 'bound') throw new Error('expected a binding');
    const record = schedulingRecord(decision, 'uid-web', cluster.length);
    if (record.outcome !== 'bound') throw new Error('expected a bound record');
    expect(record.node).toBe(decision.node);
    expect(record.scored.map((s) => s.node)).toEqual([decision.node, ...['w2', 'w3'].filter((n) => n !== decision.node)]);
    const chosen = decision.verdicts.find((v) => v.node === decision.node);
    expect(record.scored[0]).toEqual({ node: decision.node, total: chosen?.total, scores: chosen?.scores });
  });

  it('a large cluster: only the nodes filtering looked at are evaluated, the cluster size is kept', () => {
    const nodes = names('n', 200).map((n) => node(n));
    const record = recordOf(pod('web'), nodes);
    // feasibleNodesToFind(200) = 100: filtering stops once 100 nodes fit.
    expect(record).toMatchObject({ outcome: 'bound', nodes: 200, evaluated: 100, feasible: 100, unrecorded: 100 - RECORDED_FEASIBLE_NODES, rejected: [] });
    expect(record.outcome === 'bound' && record.scored).toHaveLength(RECORDED_FEASIBLE_NODES);
  });

  it('no nodes at all', () => {
    expect(recordOf(pod('web'), [])).toEqual({
      kind: 'scheduling', uid: 'uid-web', outcome: 'unschedulable', message: 'no nodes available to schedule pods', nodes: 0, evaluated: 0, feasible: 0, rejected: [],
    });
  });
});

describe('scheduling record: kept compact', () => {
  const bound = (node: string, verdicts: NodeVerdict[]): Decision => ({ kind: 'bound', node, verdicts });

  it.each<{ name: string; decision: Decision; scored: string[]; unrecorded: number }>([
    {
      name: 'the best 10 of 15 feasible nodes, by total, then by name',
      decision: bound('f-14', names('f', 15).map((n, i) => fit(n, 100 + i))),
      scored: ['f-14', 'f-13', 'f-12', 'f-11', 'f-10', 'f-09', 'f-08', 'f-07', 'f-06', 'f-05'],
      unrecorded: 5,
    },
    {
      name: 'equal totals: the chosen node (picked by hash) first, the others by name',
      decision: bound('f-07', names('f', 12).map((n) => fit(n, 200))),
      scored: ['f-07', 'f-00', 'f-01', 'f-02', 'f-03', 'f-04', 'f-05', 'f-06', 'f-08', 'f-09'],
      unrecorded: 2,
    },
    {
      name: 'fewer feasible nodes than kept: all of them',
      decision: bound('b', [fit('a', 10), fit('b', 30), unfit('c', ['Too many pods']), fit('d', 20)]),
      scored: ['b', 'd', 'a'],
      unrecorded: 0,
    },
  ])('$name', ({ decision, scored, unrecorded }) => {
    const record = schedulingRecord(decision, 'u', decision.verdicts.length);
    expect(record.outcome === 'bound' && record.scored.map((s) => s.node)).toEqual(scored);
    expect(record).toMatchObject({ unrecorded, feasible: scored.length + unrecorded });
  });

  it.each<{ name: string; decision: Decision; rejected: SchedulingRecord['rejected'] }>([
    {
      name: 'a bound pod names a few nodes per group and counts the rest',
      decision: bound('ok', [fit('ok', 100), ...names('r', 25).map((n) => unfit(n, ['Insufficient cpu']))]),
      rejected: [{ reasons: ['Insufficient cpu'], nodes: names('r', RECORDED_REJECTED_PER_GROUP), unlisted: 25 - RECORDED_REJECTED_PER_GROUP }],
    },
    {
      name: 'an unschedulable pod names every rejected node',
      decision: { kind: 'unschedulable', message: 'm', verdicts: names('r', 25).map((n) => unfit(n, ['Insufficient cpu'])) },
      rejected: [{ reasons: ['Insufficient cpu'], nodes: names('r', 25) }],
    },
    {
      name: 'groups by reasons and detail, the largest group first, then by first node',
      decision: {
        kind: 'unschedulable', message: 'm',
        verdicts: [
          unfit('a', ['node(s) had untolerated taint(s)'], 'untolerated taint x:NoSchedule'),
          unfit('b', ['Insufficient cpu', 'Insufficient memory']),
          unfit('c', ['node(s) had untolerated taint(s)'], 'untolerated taint y:NoSchedule'),
          unfit('d', ['Insufficient cpu']),
          unfit('e', ['Insufficient cpu', 'Insufficient memory']),
          unfit('f', ['node(s) had untolerated taint(s)'], 'untolerated taint x:NoSchedule'),
        ],
      },
      rejected: [
        { reasons: ['node(s) had untolerated taint(s)'], detail: 'untolerated taint x:NoSchedule', nodes: ['a', 'f'] },
        { reasons: ['Insufficient cpu', 'Insufficient memory'], nodes: ['b', 'e'] },
        { reasons: ['node(s) had untolerated taint(s)'], detail: 'untolerated taint y:NoSchedule', nodes: ['c'] },
        { reasons: ['Insufficient cpu'], nodes: ['d'] },
      ],
    },
  ])('$name', ({ decision, rejected }) => {
    expect(schedulingRecord(decision, 'u', decision.verdicts.length).rejected).toEqual(rejected);
  });

  it('10,000 nodes, 9,000 of them rejected: the record of a bound pod stays small', () => {
    const verdicts = [...names('ok', 1000).map((n, i) => fit(n, i % 300)), ...names('no', 9000).map((n, i) => unfit(n, [i % 2 ? 'Insufficient cpu' : 'Too many pods']))];
    const record = schedulingRecord(bound('ok-299', verdicts), 'u', 10_000);
    expect(JSON.stringify(record).length).toBeLessThan(2_000);
    expect(record).toMatchObject({ nodes: 10_000, evaluated: 10_000, feasible: 1000, unrecorded: 990 });
  });
});

describe('scheduling record: recognised on the reading side', () => {
  const record = schedulingRecord({ kind: 'unschedulable', message: 'm', verdicts: [] }, 'u', 0);
  it.each<{ name: string; detail: JsonValue | undefined; expected: boolean }>([
    { name: 'a record', detail: record, expected: true },
    { name: 'no detail', detail: undefined, expected: false },
    { name: 'null', detail: null, expected: false },
    { name: 'an array', detail: [record], expected: false },
    { name: 'another kind of detail', detail: { kind: 'rollout', outcome: 'bound', rejected: [] }, expected: false },
    { name: 'an unknown outcome', detail: { ...record, outcome: 'maybe' }, expected: false },
  ])('$name → $expected', ({ detail, expected }) => {
    expect(isSchedulingRecord(detail)).toBe(expected);
  });
});
