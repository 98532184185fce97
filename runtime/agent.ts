import type { EventLog } from '../eventlog/jetstream-log';
import type { ObjectRef } from '../eventlog/types';
import type { CommandBus } from '../actors/kernel/command-bus';
import type { KubeObject } from '../actors/kinds/types';
import { Controller, type Reconciler } from '../actors/reconcile/controller';
import { converged } from '../actors/reconcile/plan';
import type { ObjectsProjection } from '../projections/objects.projection';
import { refOfKey, scopeKey } from '../projections/object-store';
import { DEFAULT_HOLLOW_CAPACITY, hollowNode, hollowNodeIP, nodeStatus, type HollowCapacity } from './hollow/hollow-node';
import { planHollowPod, type HollowTimings } from './hollow/hollow-pod';

/**
 * The node agent (the kubelet's role) for hollow nodes. It registers each Node, renews its
 * heartbeat, and runs the pods bound to it through the hollow runtime, reporting what happens as
 * commands. One agent serves many nodes (`skiff up --hollow-nodes 10000`) from one pod index and
 * one work queue: per-node agents would each look at every pod change, which is quadratic.
 */
export type HollowNodesOptions = Readonly<{
  /** The nodes this agent runs; `index` picks each one's (documentation-range) address. */
  nodes: readonly Readonly<{ name: string; index: number }>[];
  log: EventLog;
  /** How often each node renews its heartbeat (kubelet's Lease renewal is every 10 s). */
  heartbeatIntervalMs?: number;
  projection: ObjectsProjection;
  bus: CommandBus;
  timings: HollowTimings;
  capacity?: HollowCapacity;
  clock?: () => number;
}>;

export type NodeAgent = Readonly<{ stop: () => void; failed: Promise<Error> }>;

const podsScope = scopeKey({ group: '', resource: 'pods' });
const nodeRef = (name: string): ObjectRef => ({ group: '', resource: 'nodes', namespace: '', name });
/** Registrations in flight at once: enough to keep the log busy, few enough to leave the API answering. */
const REGISTRATION_WINDOW = 256;
/** Pods whose status the agent reports at once; each waits for its own writes to be visible. */
const POD_WORKERS = 64;

export async function startHollowNodes(opts: HollowNodesOptions): Promise<NodeAgent> {
  const clock = opts.clock ?? Date.now;
  const capacity = opts.capacity ?? DEFAULT_HOLLOW_CAPACITY;
  const names = new Set(opts.nodes.map((n) => n.name));
  const who = (node: string) => `system:node:${node}`;

  const register = async ({ name, index }: { name: string; index: number }): Promise<void> => {
    const ip = hollowNodeIP(index);
    const created = await opts.bus.send(nodeRef(name), { op: 'create', object: hollowNode(name, clock(), capacity, ip), fieldManager: 'kubelet' }, who(name));
    if (created.ok) return;
    if (created.status.reason !== 'AlreadyExists') throw new Error(`node ${name} could not register: ${created.status.message}`);
    // Registered before (an agent restart): report Ready again.
    await opts.bus.send(nodeRef(name), { op: 'patch', patchType: 'merge', patch: { status: nodeStatus(clock(), capacity, ip) } as never, target: 'status', fieldManager: 'kubelet', force: false }, who(name));
  };
  const queue = [...opts.nodes];
  await Promise.all(Array.from({ length: Math.min(REGISTRATION_WINDOW, queue.length) }, async () => {
    for (let node = queue.shift(); node; node = queue.shift()) await register(node);
  }));

  const { store } = opts.projection;
  const podOf = (key: string) => {
    const [namespace, name] = key.split('/');
    return store.get({ group: '', resource: 'pods', namespace, name })?.object;
  };
  const nodeNameOf = (pod: KubeObject | undefined) => (pod?.spec as { nodeName?: string } | undefined)?.nodeName;
  const reconciler: Reconciler = {
    identity: 'system:nodes',
    identityOf: (key) => who(nodeNameOf(podOf(key)) ?? ''),
    keysFor: (change) => {
      if (change.scope !== podsScope) return [];
      const nodeName = nodeNameOf(change.object);
      return nodeName !== undefined && names.has(nodeName) ? [`${change.object.metadata.namespace ?? ''}/${change.object.metadata.name}`] : [];
    },
    allKeys: () => [...names].flatMap((name) => [...store.keysOfPodsOn(name)].map((key) => {
      const ref = refOfKey(key);
      return `${ref.namespace}/${ref.name}`;
    })),
    plan: (key, nowMs) => {
      const pod = podOf(key);
      const nodeName = nodeNameOf(pod);
      const node = nodeName && names.has(nodeName) ? store.get(nodeRef(nodeName))?.object : undefined;
      return pod && node ? planHollowPod(pod, node, nowMs, opts.timings) : converged;
    },
  };
  const controller = new Controller(reconciler, opts.projection, opts.bus, { resyncMs: 30_000, clock, workers: POD_WORKERS });
  controller.start();

  // Heartbeats are renewals on a short-retention subject, not events: the history stays quiet.
  // Each node beats once per interval, the nodes spread evenly over it rather than all at once.
  const intervalMs = opts.heartbeatIntervalMs ?? 10_000;
  const beat = (node: string) => void opts.log.heartbeat(node, clock()).catch(() => undefined);
  const order = [...names];
  order.forEach(beat);
  const tickMs = Math.max(10, Math.min(intervalMs, Math.floor(intervalMs / order.length)));
  const perTick = Math.ceil((order.length * tickMs) / intervalMs);
  let next = 0;
  const heartbeat = setInterval(() => {
    for (let i = 0; i < perTick; i++, next = (next + 1) % order.length) beat(order[next]);
  }, tickMs);
  heartbeat.unref();
  return {
    stop: () => {
      clearInterval(heartbeat);
      controller.stop();
    },
    failed: controller.failed,
  };
}
