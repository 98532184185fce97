import type { ObjectRef } from '../../eventlog/types';
import { formatCidr, lastOf, overlaps, parseCidr, sizeOf, subnet, subnetCount, type Cidr } from '../../netd/cidr';
import type { ObjectsProjection } from '../../projections/objects.projection';
import { entryKey, scopeKey } from '../../projections/object-store';
import type { KubeObject } from '../kinds/types';
import type { Reconciler } from '../reconcile/controller';
import { converged, type Plan } from '../reconcile/plan';
import { eventCommand } from './controller-event';
import { NODE_LIFECYCLE_CONTROLLER } from './node-lifecycle';

/**
 * The node IPAM controller, as kube-controller-manager's range allocator
 * (pkg/controller/nodeipam/ipam/range_allocator.go): a Node without `spec.podCIDRs` gets a block of
 * the cluster CIDR (/24 of 10.244.0.0/16 by default), set with one merge patch of `spec.podCIDR` and
 * `spec.podCIDRs`; when none is left the Node gets a `CIDRNotAvailable` event and stays as it is.
 * Upstream keeps a bitmap of blocks in memory and hands out the next after the last one; here the
 * store is the bitmap: the blocks taken are those on the Nodes now, and a waiting node gets the
 * lowest free one (the n-th waiting node in name order gets the n-th free block), so a plan depends
 * only on the store and a deleted Node's block is free again. Like upstream's, it runs as
 * node-controller (kube-controller-manager starts nodeipam with the "node-controller" client).
 */

export const NODE_IPAM_CONTROLLER = NODE_LIFECYCLE_CONTROLLER;
/** The event source component of upstream's range allocator. */
export const CIDR_ALLOCATOR = 'cidrAllocator';

export type NodeIpamOptions = Readonly<{ clusterCIDR: string; nodeCIDRMaskSize: number }>;
export const defaultNodeIpamOptions: NodeIpamOptions = { clusterCIDR: '10.244.0.0/16', nodeCIDRMaskSize: 24 };

type NodeSpec = { podCIDR?: string; podCIDRs?: string[] };

const specOf = (node: KubeObject): NodeSpec => (node.spec ?? {}) as NodeSpec;
const nodeRef = (name: string): ObjectRef => ({ group: '', resource: 'nodes', namespace: '', name });

/** The node's pod CIDRs as the API keeps them (podCIDRs, or podCIDR alone from an older writer). */
export function podCIDRsOf(node: KubeObject): string[] {
  const { podCIDR, podCIDRs } = specOf(node);
  return podCIDRs && podCIDRs.length > 0 ? podCIDRs : podCIDR ? [podCIDR] : [];
}

const waiting = (node: KubeObject): boolean => podCIDRsOf(node).length === 0 && !node.metadata.deletionTimestamp;

/** The cluster CIDR and block size, checked once (a bad configuration stops the control plane at start). */
export function ipamRange(opts: NodeIpamOptions): Readonly<{ cluster: Cidr; maskSize: number; count: number }> {
  const cluster = parseCidr(opts.clusterCIDR, { canonical: true });
  return { cluster, maskSize: opts.nodeCIDRMaskSize, count: subnetCount(cluster, opts.nodeCIDRMaskSize) };
}

/** Indices of the cluster's blocks that overlap a CIDR some node has (whatever its size). */
function takenBlocks(cluster: Cidr, maskSize: number, nodes: readonly KubeObject[]): Set<number> {
  const taken = new Set<number>();
  const blockSize = 2 ** (32 - maskSize);
  for (const node of nodes) {
    for (const text of podCIDRsOf(node)) {
      let used: Cidr;
      try {
        used = parseCidr(text);
      } catch {
        continue; // not IPv4 (the other family of a dual-stack pair) or not a CIDR: not ours
      }
      if (!overlaps(cluster, used)) continue;
      const first = Math.floor((Math.max(used.base, cluster.base) - cluster.base) / blockSize);
      const last = Math.floor((Math.min(lastOf(used), lastOf(cluster)) - cluster.base) / blockSize);
      for (let i = first; i <= last; i++) taken.add(i);
    }
  }
  return taken;
}

/** The `n`-th free block (0 = the lowest), or undefined when fewer are free. */
function nthFreeBlock(cluster: Cidr, maskSize: number, taken: ReadonlySet<number>, n: number): Cidr | undefined {
  const count = subnetCount(cluster, maskSize);
  let skip = n;
  for (let i = 0; i < count; i++) {
    if (taken.has(i)) continue;
    if (skip === 0) return subnet(cluster, maskSize, i);
    skip--;
  }
  return undefined;
}

/**
 * Pure: the plan for one node given every Node in the store (any order), the time and the range.
 * `reported` says whether the node already carries a CIDRNotAvailable event (one is enough).
 */
export function planNodeIpam(name: string, nodes: readonly KubeObject[], nowMs: number, opts: NodeIpamOptions, reported = false): Plan {
  const node = nodes.find((n) => n.metadata.name === name);
  if (!node || !waiting(node)) return converged;
  const { cluster, maskSize } = ipamRange(opts);
  const queue = nodes.filter(waiting).map((n) => n.metadata.name as string).sort();
  const block = nthFreeBlock(cluster, maskSize, takenBlocks(cluster, maskSize, nodes), queue.indexOf(name));
  if (!block) {
    if (reported) return converged;
    const message = `Node ${name} status is now: CIDRNotAvailable`;
    return { commands: [{ ...eventCommand(node, { type: 'Normal', reason: 'CIDRNotAvailable', message, component: CIDR_ALLOCATOR }, nowMs), reason: `no /${maskSize} block of ${opts.clusterCIDR} is free for node ${name}` }] };
  }
  const cidr = formatCidr(block);
  return {
    commands: [{
      ref: nodeRef(name),
      payload: { op: 'patch', patchType: 'merge', patch: { spec: { podCIDR: cidr, podCIDRs: [cidr] } }, target: 'main', fieldManager: 'node-controller', force: false },
      reason: `node ${name} has no pod CIDR: ${cidr} is the lowest free /${maskSize} of ${opts.clusterCIDR} (${sizeOf(block) - 3} pod addresses)`,
    }],
  };
}

export function nodeIpamReconciler(projection: ObjectsProjection, opts: NodeIpamOptions = defaultNodeIpamOptions): Reconciler {
  ipamRange(opts); // fail at start on a bad range, not at the first node
  const { store } = projection;
  const nodesScope = scopeKey({ group: '', resource: 'nodes' });
  const allNodes = (): KubeObject[] => {
    const nodes: KubeObject[] = [];
    store.scan({ group: '', resource: 'nodes' }, '', undefined, (_k, e) => (nodes.push(e.object), true));
    return nodes;
  };
  const waitingNames = (): string[] => allNodes().filter(waiting).map((n) => n.metadata.name as string);
  const reported = (node: KubeObject): boolean => {
    let found = false;
    store.scan({ group: '', resource: 'events' }, 'default', entryKey({ group: '', resource: 'events', namespace: 'default', name: `${node.metadata.name}.` }), (_key, e) => {
      const about = e.object.involvedObject as { kind?: string; uid?: string } | undefined;
      if (!(e.object.metadata.name as string).startsWith(`${node.metadata.name}.`)) return false;
      found = e.object.reason === 'CIDRNotAvailable' && about?.kind === 'Node' && about.uid === node.metadata.uid;
      return !found;
    });
    return found;
  };
  return {
    identity: NODE_IPAM_CONTROLLER,
    // A node's own change concerns it; a deleted node frees its block for those still waiting.
    keysFor: (change) => (change.scope !== nodesScope ? [] : change.type === 'DELETED' ? waitingNames() : [change.object.metadata.name as string]),
    allKeys: waitingNames,
    plan: (name, nowMs) => {
      const nodes = allNodes();
      const node = nodes.find((n) => n.metadata.name === name);
      return node && waiting(node) ? planNodeIpam(name, nodes, nowMs, opts, reported(node)) : converged;
    },
  };
}
