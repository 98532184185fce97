import type { KubeObject } from '../../actors/kinds/types';
import { nodeInfoOf } from '../../actors/scheduler/node-info';
import { podInfoOf } from '../../actors/scheduler/pod-info';
import { defaultNormalize, SCORES, scoreNodes, type ScoreName } from '../../actors/scheduler/scores';
import { zoneKeyOf } from '../../actors/scheduler/zones';
import type { Affinity } from '../../actors/scheduler/types';
import { HOSTNAME, node, pod } from './scheduler.fixtures';

/** One plugin's normalized scores for `incoming` on each node, every node feasible. */
function scoresOf(plugin: ScoreName, incoming: KubeObject, cluster: [KubeObject, KubeObject[]][]): readonly number[] {
  const nodes = cluster.map(([n, pods]) => nodeInfoOf(n, pods.map(podInfoOf)));
  const scorer = SCORES.find((s) => s.name === plugin);
  if (!scorer) throw new Error(`no score plugin ${plugin}`);
  return scorer.score(podInfoOf(incoming), nodes, nodes);
}

const preferredPods = (kind: 'podAffinity' | 'podAntiAffinity', app: string, weight: number): Affinity => ({
  [kind]: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight, podAffinityTerm: { labelSelector: { matchLabels: { app } }, topologyKey: HOSTNAME } }] },
});

describe('scheduler scores: normalization', () => {
  it.each([
    [[0, 5, 10], false, [0, 50, 100]],
    [[0, 1, 2], true, [100, 50, 0]],
    [[0, 0], false, [0, 0]],
    [[0, 0], true, [100, 100]],
    [[3, 7], false, [42, 100]],
  ])('DefaultNormalizeScore(%p, reverse %p) → %p', (raw, reverse, want) => {
    expect(defaultNormalize(raw, reverse)).toEqual(want);
  });
});

describe('scheduler scores: plugins', () => {
  type Case = Readonly<{ name: string; plugin: ScoreName; pod: KubeObject; cluster: [KubeObject, KubeObject[]][]; want: number[] }>;
  const cases: Case[] = [
    {
      name: 'LeastAllocated: the emptier node scores higher (free share of cpu and memory, averaged)',
      plugin: 'NodeResourcesFit', pod: pod('p', { cpu: '1', memory: '2Gi' }),
      cluster: [[node('busy'), [pod('q', { cpu: '1', memory: '2Gi' })]], [node('empty'), []]],
      want: [50, 75],
    },
    {
      name: 'LeastAllocated: a pod without requests still weighs 100m and 200Mi',
      plugin: 'NodeResourcesFit', pod: pod('p'), cluster: [[node('n', { cpu: '1', memory: '1000Mi' }), []]],
      want: [85],
    },
    {
      name: 'LeastAllocated: more than the node holds scores 0 for that resource',
      plugin: 'NodeResourcesFit', pod: pod('p', { cpu: '2', memory: '1Gi' }), cluster: [[node('n', { cpu: '1', memory: '2Gi' }), []]],
      want: [25],
    },
    {
      name: 'TaintToleration: fewer untolerated PreferNoSchedule taints is better',
      plugin: 'TaintToleration', pod: pod('p', { tolerations: [{ key: 'tolerated', operator: 'Exists' }] }),
      cluster: [
        [node('clean'), []],
        [node('one', { taints: [{ key: 'a', effect: 'PreferNoSchedule' }, { key: 'tolerated', effect: 'PreferNoSchedule' }] }), []],
        [node('two', { taints: [{ key: 'a', effect: 'PreferNoSchedule' }, { key: 'b', effect: 'PreferNoSchedule' }] }), []],
      ],
      want: [100, 50, 0],
    },
    {
      name: 'NodeAffinity: the weights of the preferred terms a node matches',
      plugin: 'NodeAffinity',
      pod: pod('p', {
        affinity: {
          nodeAffinity: {
            preferredDuringSchedulingIgnoredDuringExecution: [
              { weight: 80, preference: { matchExpressions: [{ key: 'zone', operator: 'In', values: ['a'] }] } },
              { weight: 20, preference: { matchExpressions: [{ key: 'disk', operator: 'In', values: ['ssd'] }] } },
            ],
          },
        },
      }),
      cluster: [
        [node('both', { labels: { zone: 'a', disk: 'ssd' } }), []],
        [node('zone', { labels: { zone: 'a' } }), []],
        [node('disk', { labels: { disk: 'ssd' } }), []],
        [node('none'), []],
      ],
      want: [100, 80, 20, 0],
    },
    {
      name: 'NodeAffinity: no preferences, no score',
      plugin: 'NodeAffinity', pod: pod('p'), cluster: [[node('a'), []], [node('b'), []]], want: [0, 0],
    },
    {
      name: 'SelectorSpread: fewer pods of the same controller on a node scores higher',
      plugin: 'SelectorSpread', pod: pod('p', { owner: 'web' }),
      cluster: [
        [node('two'), [pod('w0', { owner: 'web' }), pod('w1', { owner: 'web' }), pod('other', { owner: 'db' })]],
        [node('one'), [pod('w2', { owner: 'web' })]],
        [node('none'), [pod('x', { owner: 'db' })]],
      ],
      want: [0, 50, 100],
    },
    {
      name: 'SelectorSpread: zones weigh two thirds',
      plugin: 'SelectorSpread', pod: pod('p', { owner: 'web' }),
      cluster: [
        [node('a1', { labels: { 'topology.kubernetes.io/zone': 'a' } }), [pod('w0', { owner: 'web' }), pod('w1', { owner: 'web' })]],
        [node('a2', { labels: { 'topology.kubernetes.io/zone': 'a' } }), [pod('w2', { owner: 'web' })]],
        [node('b1', { labels: { 'topology.kubernetes.io/zone': 'b' } }), []],
      ],
      // a1: node 0, zone 0 → 0; a2: node 50 · ⅓ + zone 0 → 16; b1: 100 · ⅓ + 100 · ⅔ → 100.
      want: [0, 16, 100],
    },
    {
      name: 'SelectorSpread: pods being deleted do not count',
      plugin: 'SelectorSpread', pod: pod('p', { owner: 'web' }),
      cluster: [[node('a'), [pod('w0', { owner: 'web', deleting: true })]], [node('b'), [pod('w1', { owner: 'web' })]]],
      want: [100, 0],
    },
    {
      name: 'SelectorSpread: a pod without a controller scores every node alike',
      plugin: 'SelectorSpread', pod: pod('p'), cluster: [[node('a'), [pod('w0', { owner: 'web' })]], [node('b'), []]], want: [100, 100],
    },
    {
      name: 'InterPodAffinity: preferred affinity draws the pod to its partner',
      plugin: 'InterPodAffinity', pod: pod('p', { affinity: preferredPods('podAffinity', 'cache', 10) }),
      cluster: [[node('a'), [pod('c', { labels: { app: 'cache' } })]], [node('b'), []], [node('c'), []]],
      want: [100, 0, 0],
    },
    {
      name: 'InterPodAffinity: preferred anti-affinity pushes the pod away',
      plugin: 'InterPodAffinity', pod: pod('p', { labels: { app: 'web' }, affinity: preferredPods('podAntiAffinity', 'web', 10) }),
      cluster: [[node('a'), [pod('w', { labels: { app: 'web' } })]], [node('b'), []]],
      want: [0, 100],
    },
    {
      name: "InterPodAffinity: existing pods' preferences count too",
      plugin: 'InterPodAffinity', pod: pod('p', { labels: { app: 'web' } }),
      cluster: [[node('a'), [pod('shy', { affinity: preferredPods('podAntiAffinity', 'web', 50) })]], [node('b'), [pod('friend', { affinity: preferredPods('podAffinity', 'web', 5) })]], [node('c'), []]],
      // raw: a −50, b +5, c 0 → min–max.
      want: [0, 100, 90],
    },
    {
      name: 'InterPodAffinity: no affinity anywhere, no score',
      plugin: 'InterPodAffinity', pod: pod('p'), cluster: [[node('a'), [pod('q')]], [node('b'), []]], want: [0, 0],
    },
  ];

  it.each(cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    expect(scoresOf(c.plugin, c.pod, c.cluster)).toEqual(c.want);
  });
});

describe('scheduler scores: totals', () => {
  it('weights the plugins as the default profile does', () => {
    expect(Object.fromEntries(SCORES.map((s) => [s.name, s.weight]))).toEqual({
      TaintToleration: 3, NodeAffinity: 2, NodeResourcesFit: 1, SelectorSpread: 1, InterPodAffinity: 2,
    });
  });

  it('a node total is the weighted sum of its normalized scores', () => {
    const nodes = [nodeInfoOf(node('a'), []), nodeInfoOf(node('b', { taints: [{ key: 'x', effect: 'PreferNoSchedule' }] }), [])];
    const [a, b] = scoreNodes(podInfoOf(pod('p', { cpu: '1', memory: '2Gi' })), nodes, nodes);
    expect(a.scores).toEqual({ TaintToleration: 100, NodeAffinity: 0, NodeResourcesFit: 75, SelectorSpread: 100, InterPodAffinity: 0 });
    expect(a.total).toBe(3 * 100 + 75 + 100);
    expect(b.scores.TaintToleration).toBe(0);
    expect(b.total).toBe(75 + 100);
  });

  it('zone keys combine region and zone, preferring the GA labels', () => {
    expect(zoneKeyOf({ 'topology.kubernetes.io/zone': 'a', 'failure-domain.beta.kubernetes.io/zone': 'old', 'topology.kubernetes.io/region': 'r' })).toBe('r:\u0000:a');
    expect(zoneKeyOf({ 'failure-domain.beta.kubernetes.io/zone': 'old' })).toBe(':\u0000:old');
    expect(zoneKeyOf({})).toBe('');
  });
});
