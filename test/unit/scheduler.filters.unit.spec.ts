import type { KubeObject } from '../../actors/kinds/types';
import { filterCycle, FilterReason, runFilters, type FilterName } from '../../actors/scheduler/filters';
import { nodeInfoOf } from '../../actors/scheduler/node-info';
import { podInfoOf } from '../../actors/scheduler/pod-info';
import { affinityTo, antiAffinity, CONTROL_PLANE_TAINT, node, pod } from './scheduler.fixtures';

type Case = Readonly<{
  name: string;
  pod: KubeObject;
  node: KubeObject;
  /** Pods already on `node`. */
  on?: KubeObject[];
  /** Other nodes of the cluster with their pods (they matter to inter-pod affinity). */
  elsewhere?: [KubeObject, KubeObject[]][];
  want?: Readonly<{ plugin: FilterName; reasons: string[]; resolvable: boolean; detail?: string }>;
}>;

function verdict(c: Case) {
  const p = podInfoOf(c.pod);
  const target = nodeInfoOf(c.node, (c.on ?? []).map(podInfoOf));
  const all = [target, ...(c.elsewhere ?? []).map(([n, pods]) => nodeInfoOf(n, pods.map(podInfoOf)))];
  return runFilters(p, target, filterCycle(p, all));
}

const expr = (key: string, operator: string, values?: string[]) => ({ key, operator, ...(values ? { values } : {}) });
const requiredTerms = (...terms: object[]) => ({ nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: terms } } });

const cases: Case[] = [
  // NodeUnschedulable
  { name: 'a cordoned node', pod: pod('p'), node: node('n', { unschedulable: true }), want: { plugin: 'NodeUnschedulable', reasons: [FilterReason.unschedulable], resolvable: false } },
  { name: 'a cordoned node, tolerated', pod: pod('p', { tolerations: [{ key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' }] }), node: node('n', { unschedulable: true }) },
  // NodeName
  { name: 'the pod names another node', pod: pod('p', { nodeName: 'other' }), node: node('n'), want: { plugin: 'NodeName', reasons: [FilterReason.nodeName], resolvable: false } },
  { name: 'the pod names this node', pod: pod('p', { nodeName: 'n' }), node: node('n') },
  // TaintToleration
  {
    name: 'an untolerated NoSchedule taint', pod: pod('p'), node: node('cp', { taints: [CONTROL_PLANE_TAINT] }),
    want: { plugin: 'TaintToleration', reasons: [FilterReason.untoleratedTaint], resolvable: false, detail: 'untolerated taint node-role.kubernetes.io/control-plane:NoSchedule' },
  },
  {
    name: 'an untolerated NoExecute taint, named with its value', pod: pod('p'), node: node('n', { taints: [{ key: 'dedicated', value: 'gpu', effect: 'NoExecute' }] }),
    want: { plugin: 'TaintToleration', reasons: [FilterReason.untoleratedTaint], resolvable: false, detail: 'untolerated taint dedicated=gpu:NoExecute' },
  },
  { name: 'a PreferNoSchedule taint does not filter', pod: pod('p'), node: node('n', { taints: [{ key: 'soft', effect: 'PreferNoSchedule' }] }) },
  { name: 'Equal toleration of key, value and effect', pod: pod('p', { tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'gpu', effect: 'NoSchedule' }] }), node: node('n', { taints: [{ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }] }) },
  { name: 'an empty operator means Equal', pod: pod('p', { tolerations: [{ key: 'dedicated', value: 'gpu' }] }), node: node('n', { taints: [{ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }] }) },
  { name: 'Exists with no key tolerates everything', pod: pod('p', { tolerations: [{ operator: 'Exists' }] }), node: node('n', { taints: [CONTROL_PLANE_TAINT, { key: 'x', effect: 'NoExecute' }] }) },
  {
    name: 'a toleration for another effect does not help', pod: pod('p', { tolerations: [{ key: 'dedicated', operator: 'Exists', effect: 'NoExecute' }] }),
    node: node('n', { taints: [{ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }] }),
    want: { plugin: 'TaintToleration', reasons: [FilterReason.untoleratedTaint], resolvable: false, detail: 'untolerated taint dedicated=gpu:NoSchedule' },
  },
  {
    name: 'a toleration for another value does not help', pod: pod('p', { tolerations: [{ key: 'dedicated', value: 'cpu', effect: 'NoSchedule' }] }),
    node: node('n', { taints: [{ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }] }),
    want: { plugin: 'TaintToleration', reasons: [FilterReason.untoleratedTaint], resolvable: false, detail: 'untolerated taint dedicated=gpu:NoSchedule' },
  },
  // NodeAffinity
  { name: 'nodeSelector matches', pod: pod('p', { nodeSelector: { disk: 'ssd' } }), node: node('n', { labels: { disk: 'ssd' } }) },
  { name: 'nodeSelector does not match', pod: pod('p', { nodeSelector: { disk: 'ssd' } }), node: node('n', { labels: { disk: 'hdd' } }), want: { plugin: 'NodeAffinity', reasons: [FilterReason.nodeAffinity], resolvable: false } },
  { name: 'required affinity In', pod: pod('p', { affinity: requiredTerms({ matchExpressions: [expr('zone', 'In', ['a', 'b'])] }) }), node: node('n', { labels: { zone: 'b' } }) },
  { name: 'required affinity NotIn', pod: pod('p', { affinity: requiredTerms({ matchExpressions: [expr('zone', 'NotIn', ['b'])] }) }), node: node('n', { labels: { zone: 'b' } }), want: { plugin: 'NodeAffinity', reasons: [FilterReason.nodeAffinity], resolvable: false } },
  { name: 'required affinity Gt', pod: pod('p', { affinity: requiredTerms({ matchExpressions: [expr('cores', 'Gt', ['4'])] }) }), node: node('n', { labels: { cores: '8' } }) },
  { name: 'required affinity Lt', pod: pod('p', { affinity: requiredTerms({ matchExpressions: [expr('cores', 'Lt', ['4'])] }) }), node: node('n', { labels: { cores: '8' } }), want: { plugin: 'NodeAffinity', reasons: [FilterReason.nodeAffinity], resolvable: false } },
  { name: 'required affinity DoesNotExist', pod: pod('p', { affinity: requiredTerms({ matchExpressions: [expr('gpu', 'DoesNotExist')] }) }), node: node('n') },
  { name: 'terms are ORed', pod: pod('p', { affinity: requiredTerms({ matchExpressions: [expr('zone', 'In', ['a'])] }, { matchExpressions: [expr('zone', 'In', ['c'])] }) }), node: node('n', { labels: { zone: 'c' } }) },
  { name: 'matchFields on the node name', pod: pod('p', { affinity: requiredTerms({ matchFields: [expr('metadata.name', 'In', ['n'])] }) }), node: node('n') },
  { name: 'matchFields on another name', pod: pod('p', { affinity: requiredTerms({ matchFields: [expr('metadata.name', 'In', ['m'])] }) }), node: node('n'), want: { plugin: 'NodeAffinity', reasons: [FilterReason.nodeAffinity], resolvable: false } },
  { name: 'an empty term matches no node', pod: pod('p', { affinity: requiredTerms({}) }), node: node('n'), want: { plugin: 'NodeAffinity', reasons: [FilterReason.nodeAffinity], resolvable: false } },
  { name: 'an invalid term matches no node', pod: pod('p', { affinity: requiredTerms({ matchExpressions: [expr('zone', 'In', [])] }) }), node: node('n', { labels: { zone: 'a' } }), want: { plugin: 'NodeAffinity', reasons: [FilterReason.nodeAffinity], resolvable: false } },
  { name: 'nodeSelector and affinity must both hold', pod: pod('p', { nodeSelector: { disk: 'ssd' }, affinity: requiredTerms({ matchExpressions: [expr('zone', 'Exists')] }) }), node: node('n', { labels: { zone: 'a' } }), want: { plugin: 'NodeAffinity', reasons: [FilterReason.nodeAffinity], resolvable: false } },
  // NodePorts
  { name: 'a host port taken on every address', pod: pod('p', { hostPort: 80, hostIP: '10.0.0.1' }), node: node('n'), on: [pod('q', { hostPort: 80 })], want: { plugin: 'NodePorts', reasons: [FilterReason.nodePorts], resolvable: true } },
  { name: 'the same host port on another protocol', pod: pod('p', { hostPort: 53, protocol: 'UDP' }), node: node('n'), on: [pod('q', { hostPort: 53 })] },
  { name: 'the same host port on other addresses', pod: pod('p', { hostPort: 80, hostIP: '10.0.0.1' }), node: node('n'), on: [pod('q', { hostPort: 80, hostIP: '10.0.0.2' })] },
  // NodeResourcesFit
  { name: 'cpu left', pod: pod('p', { cpu: '200m' }), node: node('n', { cpu: '1' }), on: [pod('q', { cpu: '800m' })] },
  { name: 'cpu short, an eviction could help', pod: pod('p', { cpu: '300m' }), node: node('n', { cpu: '1' }), on: [pod('q', { cpu: '800m' })], want: { plugin: 'NodeResourcesFit', reasons: [FilterReason.insufficientCpu], resolvable: true } },
  { name: 'more cpu than the whole node', pod: pod('p', { cpu: '2' }), node: node('n', { cpu: '1' }), want: { plugin: 'NodeResourcesFit', reasons: [FilterReason.insufficientCpu], resolvable: false } },
  {
    name: 'every shortfall is a reason', pod: pod('p', { cpu: '1', memory: '1Gi' }), node: node('n', { cpu: '1', memory: '1Gi', pods: '1' }), on: [pod('q', { cpu: '1', memory: '1Gi' })],
    want: { plugin: 'NodeResourcesFit', reasons: [FilterReason.tooManyPods, FilterReason.insufficientCpu, FilterReason.insufficientMemory], resolvable: true },
  },
  { name: 'too many pods, even for a pod that asks nothing', pod: pod('p'), node: node('n', { pods: '1' }), on: [pod('q')], want: { plugin: 'NodeResourcesFit', reasons: [FilterReason.tooManyPods], resolvable: true } },
  { name: 'a pod that asks nothing fits a full node', pod: pod('p'), node: node('n', { cpu: '1' }), on: [pod('q', { cpu: '1' })] },
  // InterPodAffinity
  { name: 'affinity to a pod on this node', pod: pod('p', { affinity: affinityTo('db') }), node: node('n'), on: [pod('db', { labels: { app: 'db' } })] },
  {
    name: 'affinity to a pod that runs elsewhere', pod: pod('p', { affinity: affinityTo('db') }), node: node('n'), elsewhere: [[node('m'), [pod('db', { labels: { app: 'db' } })]]],
    want: { plugin: 'InterPodAffinity', reasons: [FilterReason.podAffinity], resolvable: false },
  },
  { name: 'affinity to itself, the first of its group', pod: pod('p', { labels: { app: 'db' }, affinity: affinityTo('db') }), node: node('n') },
  { name: 'affinity to pods that run nowhere', pod: pod('p', { affinity: affinityTo('db') }), node: node('n'), want: { plugin: 'InterPodAffinity', reasons: [FilterReason.podAffinity], resolvable: false } },
  {
    name: 'affinity needs the topology label on the node', pod: pod('p', { labels: { app: 'db' }, affinity: { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { app: 'db' } }, topologyKey: 'zone' }] } } }),
    node: node('n'), want: { plugin: 'InterPodAffinity', reasons: [FilterReason.podAffinity], resolvable: false },
  },
  {
    name: 'anti-affinity to a pod on this node', pod: pod('p', { labels: { app: 'web' }, affinity: antiAffinity('web') }), node: node('n'), on: [pod('web-0', { labels: { app: 'web' } })],
    want: { plugin: 'InterPodAffinity', reasons: [FilterReason.podAntiAffinity], resolvable: true },
  },
  { name: 'anti-affinity to a pod in another namespace', pod: pod('p', { labels: { app: 'web' }, affinity: antiAffinity('web') }), node: node('n'), on: [pod('web-0', { namespace: 'other', labels: { app: 'web' } })] },
  {
    name: "a pod here whose anti-affinity repels this one", pod: pod('p', { labels: { app: 'web' } }), node: node('n'), on: [pod('lonely', { affinity: antiAffinity('web') })],
    want: { plugin: 'InterPodAffinity', reasons: [FilterReason.existingAntiAffinity], resolvable: true },
  },
  {
    name: 'zone anti-affinity reaches the whole zone', pod: pod('p', { labels: { app: 'web' }, affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { app: 'web' } }, topologyKey: 'zone' }] } } }),
    node: node('n', { labels: { zone: 'a' } }), elsewhere: [[node('m', { labels: { zone: 'a' } }), [pod('web-0', { labels: { app: 'web' } })]]],
    want: { plugin: 'InterPodAffinity', reasons: [FilterReason.podAntiAffinity], resolvable: true },
  },
  // Order: the first plugin to reject a node speaks for it.
  {
    name: 'a cordoned, tainted, full node is reported as cordoned', pod: pod('p', { cpu: '2' }), node: node('n', { cpu: '1', unschedulable: true, taints: [CONTROL_PLANE_TAINT] }),
    want: { plugin: 'NodeUnschedulable', reasons: [FilterReason.unschedulable], resolvable: false },
  },
];

describe('scheduler filters', () => {
  it.each(cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const got = verdict(c);
    if (c.want === undefined) expect(got).toBeUndefined();
    else expect(got).toEqual(c.want);
  });
});
