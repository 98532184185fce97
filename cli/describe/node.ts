/** Node: roles, taints, conditions, addresses, capacity, system info and the pods running on it. */
import type { KubeObject } from '../../actors/kinds/types';
import { age, rfc1123z } from '../time';
import { optionalList, PODS, type Condition, type DescribeDeps } from './common';
import type { DescribeWriter } from './writer';

type NodeSpec = Readonly<{
  unschedulable?: boolean;
  taints?: readonly Readonly<{ key: string; value?: string; effect: string }>[];
  podCIDR?: string;
  podCIDRs?: readonly string[];
}>;
type NodeStatus = Readonly<{
  conditions?: readonly Condition[];
  addresses?: readonly Readonly<{ type: string; address: string }>[];
  capacity?: Readonly<Record<string, string>>;
  allocatable?: Readonly<Record<string, string>>;
  nodeInfo?: Readonly<Record<string, string>>;
}>;

const ROLE_PREFIX = 'node-role.kubernetes.io/';

// kubectl's labels for status.nodeInfo, in its order.
const SYSTEM_INFO: readonly (readonly [string, string])[] = [
  ['machineID', 'Machine ID'],
  ['systemUUID', 'System UUID'],
  ['bootID', 'Boot ID'],
  ['kernelVersion', 'Kernel Version'],
  ['osImage', 'OS Image'],
  ['operatingSystem', 'Operating System'],
  ['architecture', 'Architecture'],
  ['containerRuntimeVersion', 'Container Runtime Version'],
  ['kubeletVersion', 'Kubelet Version'],
  ['kubeProxyVersion', 'Kube-Proxy Version'],
];

export async function describeNode(w: DescribeWriter, node: KubeObject, deps: DescribeDeps): Promise<void> {
  const spec = (node.spec ?? {}) as NodeSpec;
  const status = (node.status ?? {}) as NodeStatus;
  const labels = node.metadata.labels ?? {};
  const roles = Object.keys(labels).filter((k) => k.startsWith(ROLE_PREFIX)).map((k) => k.slice(ROLE_PREFIX.length)).filter(Boolean);
  if (labels['kubernetes.io/role']) roles.push(labels['kubernetes.io/role']);
  w.field(0, 'Roles', roles.sort().join(','));
  w.items(0, 'Taints', (spec.taints ?? []).map((t) => `${t.key}${t.value ? `=${t.value}` : ''}:${t.effect}`));
  w.field(0, 'Unschedulable', String(spec.unschedulable ?? false));

  const conditions = status.conditions ?? [];
  if (conditions.length > 0) {
    w.line(0, 'Conditions:');
    w.line(1, 'Type\tStatus\tLastHeartbeatTime\tLastTransitionTime\tReason\tMessage');
    w.line(1, '----\t------\t-----------------\t------------------\t------\t-------');
    for (const c of conditions) {
      w.line(1, `${c.type ?? ''} \t${c.status ?? ''} \t${rfc1123z(c.lastHeartbeatTime)} \t${rfc1123z(c.lastTransitionTime)} \t${c.reason ?? ''} \t${c.message ?? ''}`);
    }
  }
  const addresses = status.addresses ?? [];
  if (addresses.length === 0) w.field(0, 'Addresses', '<none>');
  else {
    w.line(0, 'Addresses:');
    for (const a of addresses) w.field(1, a.type, a.address);
  }
  writeResources(w, 'Capacity', status.capacity);
  writeResources(w, 'Allocatable', status.allocatable);
  if (status.nodeInfo) {
    w.line(0, 'System Info:');
    for (const [key, label] of SYSTEM_INFO) if (status.nodeInfo[key] !== undefined) w.field(1, label, status.nodeInfo[key]);
  }
  if (spec.podCIDR) w.field(0, 'PodCIDR', spec.podCIDR);
  if (spec.podCIDRs?.length) w.field(0, 'PodCIDRs', spec.podCIDRs.join(','));

  // kubectl's own selector for "Non-terminated Pods".
  const fieldSelector = `spec.nodeName=${node.metadata.name},status.phase!=Succeeded,status.phase!=Failed`;
  const pods = await optionalList(deps, PODS, { allNamespaces: true, fieldSelector });
  if (!pods) return;
  w.field(0, 'Non-terminated Pods', `(${pods.length} in total)`);
  if (pods.length > 0) {
    w.line(1, 'Namespace\tName\tAge');
    w.line(1, '---------\t----\t---');
    for (const pod of pods) w.line(1, `${pod.metadata.namespace ?? ''}\t${pod.metadata.name ?? ''}\t${age(pod.metadata.creationTimestamp, deps.nowMs)}`);
  }
}

function writeResources(w: DescribeWriter, title: string, resources: Readonly<Record<string, string>> | undefined): void {
  if (!resources) return;
  w.line(0, `${title}:`);
  for (const name of Object.keys(resources).sort()) w.field(1, name, resources[name]);
}
