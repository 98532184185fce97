import type { EventLog } from '../eventlog/jetstream-log';
import type { ObjectRef } from '../eventlog/types';
import type { CommandBus } from '../actors/kernel/command-bus';
import { Controller, type Reconciler } from '../actors/reconcile/controller';
import { converged } from '../actors/reconcile/plan';
import type { ObjectsProjection } from '../projections/objects.projection';
import { scopeKey } from '../projections/object-store';
import { DEFAULT_HOLLOW_CAPACITY, hollowNode, hollowNodeIP, nodeStatus, type HollowCapacity } from './hollow/hollow-node';
import { planHollowPod, type HollowTimings } from './hollow/hollow-pod';

/**
 * The node agent (the kubelet's role). It registers its Node, then runs the pods bound to it
 * through its runtime — for now the hollow runtime — and reports what happens as commands.
 */
export type NodeAgentOptions = Readonly<{
  name: string;
  index: number;
  log: EventLog;
  /** How often the node renews its heartbeat (kubelet's Lease renewal is every 10 s). */
  heartbeatIntervalMs?: number;
  projection: ObjectsProjection;
  bus: CommandBus;
  timings: HollowTimings;
  capacity?: HollowCapacity;
  clock?: () => number;
}>;

export type NodeAgent = Readonly<{ stop: () => void; failed: Promise<Error> }>;

const podsScope = scopeKey({ group: '', resource: 'pods' });

export async function startHollowNodeAgent(opts: NodeAgentOptions): Promise<NodeAgent> {
  const clock = opts.clock ?? Date.now;
  const who = `system:node:${opts.name}`;
  const nodeRef: ObjectRef = { group: '', resource: 'nodes', namespace: '', name: opts.name };
  const capacity = opts.capacity ?? DEFAULT_HOLLOW_CAPACITY;
  const ip = hollowNodeIP(opts.index);
  const created = await opts.bus.send(nodeRef, { op: 'create', object: hollowNode(opts.name, clock(), capacity, ip), fieldManager: 'kubelet' }, who);
  if (!created.ok && created.status.reason !== 'AlreadyExists') throw new Error(`node ${opts.name} could not register: ${created.status.message}`);
  if (!created.ok) {
    // Registered before (an agent restart): report Ready again.
    await opts.bus.send(nodeRef, { op: 'patch', patchType: 'merge', patch: { status: nodeStatus(clock(), capacity, ip) } as never, target: 'status', fieldManager: 'kubelet', force: false }, who);
  }
  const { store } = opts.projection;
  const podKey = (ns: string, name: string) => `${ns}/${name}`;
  const reconciler: Reconciler = {
    identity: who,
    keysFor: (change) => {
      if (change.scope !== podsScope) return [];
      const nodeName = (change.object.spec as { nodeName?: string } | undefined)?.nodeName;
      return nodeName === opts.name ? [podKey(change.object.metadata.namespace ?? '', change.object.metadata.name as string)] : [];
    },
    allKeys: () => {
      const keys: string[] = [];
      store.scan({ group: '', resource: 'pods' }, undefined, undefined, (_k, e) => {
        if ((e.object.spec as { nodeName?: string } | undefined)?.nodeName === opts.name) keys.push(podKey(e.object.metadata.namespace ?? '', e.object.metadata.name as string));
        return true;
      });
      return keys;
    },
    plan: (key, nowMs) => {
      const [namespace, name] = key.split('/');
      const pod = store.get({ group: '', resource: 'pods', namespace, name })?.object;
      const node = store.get(nodeRef)?.object;
      return pod && node ? planHollowPod(pod, node, nowMs, opts.timings) : converged;
    },
  };
  const controller = new Controller(reconciler, opts.projection, opts.bus, { resyncMs: 30_000, clock });
  controller.start();
  // Heartbeats are renewals on a short-retention subject, not events: the history stays quiet.
  const beat = () => void opts.log.heartbeat(opts.name, clock()).catch(() => undefined);
  beat();
  const heartbeat = setInterval(beat, opts.heartbeatIntervalMs ?? 10_000);
  heartbeat.unref();
  return {
    stop: () => {
      clearInterval(heartbeat);
      controller.stop();
    },
    failed: controller.failed,
  };
}
