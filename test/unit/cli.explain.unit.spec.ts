import type { SchedulingRecord } from '../../actors/scheduler';
import { renderPodScheduling } from '../../cli/commands/explain';
import type { PodScheduling } from '../../gateways/api/scheduling';
import { skiffInProcess, type CliRunResult } from '../harness/cli-in-process';

const TIME = '2026-11-27T18:00:00Z';
const scores = (t: number, r: number) => ({ TaintToleration: t, NodeAffinity: 0, NodeResourcesFit: r, SelectorSpread: 100, InterPodAffinity: 0 });

function explained(record: SchedulingRecord, pod: PodScheduling['pod']): PodScheduling {
  return {
    kind: 'PodScheduling', apiVersion: 'skiff/v1',
    metadata: { namespace: 'default', name: record.outcome === 'bound' ? 'web-1' : 'big', uid: record.uid },
    decision: { time: TIME, reason: 'r', record },
    pod,
  };
}

const bound: Extract<SchedulingRecord, { outcome: 'bound' }> = {
  kind: 'scheduling', uid: 'u1', outcome: 'bound', node: 'node-3', nodes: 5, evaluated: 5, feasible: 3, unrecorded: 0,
  scored: [
    { node: 'node-3', total: 487, scores: scores(100, 87) },
    { node: 'node-1', total: 450, scores: scores(100, 50) },
    { node: 'node-5', total: 450, scores: scores(100, 50) },
  ],
  rejected: [
    { reasons: ['Insufficient cpu'], nodes: ['node-2'] },
    { reasons: ['node(s) had untolerated taint(s)'], detail: 'untolerated taint dedicated=db:NoSchedule', nodes: ['node-4'] },
  ],
};

const MESSAGE = '0/3 nodes are available: 3 Insufficient cpu. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.';
const unschedulable: SchedulingRecord = {
  kind: 'scheduling', uid: 'u2', outcome: 'unschedulable', nodes: 3, evaluated: 3, feasible: 0, message: MESSAGE,
  rejected: [{ reasons: ['Insufficient cpu'], nodes: ['hollow-0', 'hollow-1', 'hollow-2'] }],
};

describe('skiff explain: the text', () => {
  it('a bound pod: the chosen node, the feasible ones with their scores, the rejected with their reasons', () => {
    expect(renderPodScheduling(explained(bound, { bound: true, nodeName: 'node-3', phase: 'Running' }))).toBe([
      'Pod default/web-1: bound to node-3 at 2026-11-27T18:00:00Z',
      '5 nodes, 5 evaluated, 3 feasible',
      'NODE     VERDICT    SCORE   TaintToleration   NodeAffinity   NodeResourcesFit   SelectorSpread   InterPodAffinity',
      'node-3   chosen     487     100               0              87                 100              0',
      'node-1   feasible   450     100               0              50                 100              0',
      'node-5   feasible   450     100               0              50                 100              0',
      'node-2   rejected           Insufficient cpu',
      'node-4   rejected           node(s) had untolerated taint(s) (untolerated taint dedicated=db:NoSchedule)',
      '',
    ].join('\n'));
  });

  it('an unschedulable pod: the FailedScheduling message, then each node and why it was rejected', () => {
    expect(renderPodScheduling(explained(unschedulable, { bound: false, phase: 'Pending' }))).toBe([
      `Pod default/big: not scheduled — ${MESSAGE}`,
      '3 nodes, 3 evaluated, 0 feasible, as of 2026-11-27T18:00:00Z',
      'NODE       VERDICT    REASON',
      'hollow-0   rejected   Insufficient cpu',
      'hollow-1   rejected   Insufficient cpu',
      'hollow-2   rejected   Insufficient cpu',
      '',
    ].join('\n'));
  });

  it.each<{ name: string; record: SchedulingRecord; pod: PodScheduling['pod']; lines: string[] }>([
    {
      name: 'what a large cluster leaves out is counted',
      record: { ...bound, nodes: 200, evaluated: 120, feasible: 103, unrecorded: 100, scored: bound.scored, rejected: [{ reasons: ['Too many pods'], nodes: ['n-1', 'n-2'], unlisted: 15 }] },
      pod: { bound: true, nodeName: 'node-3' },
      lines: [
        '200 nodes, 120 evaluated, 103 feasible',
        '(+100 more)   feasible           scored lower, not recorded',
        '(+15 more)    rejected           Too many pods',
        '80 nodes not evaluated: filtering stops once enough feasible nodes are found (percentageOfNodesToScore)',
      ],
    },
    {
      name: 'a tie for the best total says how it was broken',
      record: { ...bound, scored: [{ ...bound.scored[0], total: 450 }, bound.scored[1], bound.scored[2]] },
      pod: { bound: true, nodeName: 'node-3' },
      lines: ["node-3 tied with 2 other nodes at 450: the tie goes to the lowest hash of the pod's uid and the node's name"],
    },
    {
      name: 'a binding that did not take',
      record: bound,
      pod: { bound: false, phase: 'Pending' },
      lines: ['Pod default/web-1: not bound; the scheduler chose node-3 at 2026-11-27T18:00:00Z, but the binding did not take'],
    },
    {
      name: 'a pod bound elsewhere since',
      record: bound,
      pod: { bound: true, nodeName: 'node-9' },
      lines: ["Pod default/web-1: bound to node-9; the scheduler's last decision, at 2026-11-27T18:00:00Z, chose node-3"],
    },
    {
      name: 'an unschedulable pod bound since by someone else',
      record: unschedulable,
      pod: { bound: true, nodeName: 'hollow-1' },
      lines: [`Pod default/big: not scheduled — ${MESSAGE} (it is now bound to hollow-1, not by this decision)`],
    },
  ])('$name', ({ record, pod, lines }) => {
    const text = renderPodScheduling(explained(record, pod)).split('\n').map((l) => l.trimEnd());
    for (const line of lines) expect(text).toContainEqual(line);
  });
});

describe('skiff explain: bad input is one line before any request', () => {
  const skiff = (argv: readonly string[]): Promise<CliRunResult> => skiffInProcess(['--kubeconfig', '/nonexistent/kubeconfig', ...argv]);

  it.each<{ argv: string[]; stderr: string }>([
    { argv: ['explain', 'deployment', 'web'], stderr: 'error: skiff explain supports only pod, not "deployment"\n' },
    { argv: ['explain', 'node/hollow-0'], stderr: 'error: skiff explain supports only pod, not "node"\n' },
    { argv: ['explain'], stderr: 'error: you must specify what to explain (e.g. `skiff explain pod web-1`)\n' },
    { argv: ['explain', 'pod'], stderr: 'error: you must name the pod to explain (e.g. `skiff explain pod web-1`)\n' },
    { argv: ['explain', 'pod', 'a', 'b'], stderr: 'error: skiff explain takes exactly one pod\n' },
    { argv: ['explain', 'pod', 'a', '-o', 'yaml'], stderr: 'error: unable to match a printer suitable for the output format "yaml", allowed formats are: json\n' },
  ])('skiff $argv', async ({ argv, stderr }) => {
    expect(await skiff(argv)).toEqual({ code: 1, stdout: '', stderr });
  });

  it('pod, pods, po and pod/NAME all name a pod (and then need a cluster)', async () => {
    for (const argv of [['pod', 'web'], ['pods', 'web'], ['po', 'web'], ['Pod/web']]) {
      const run = await skiff(['explain', ...argv]);
      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(/^error: no kubeconfig at \/nonexistent\/kubeconfig/);
    }
  });
});
