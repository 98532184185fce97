import type { EventLog } from '../eventlog/jetstream-log';
import type { ObjectRef } from '../eventlog/types';
import type { CommandBus } from '../actors/kernel/command-bus';
import type { Json, KubeObject } from '../actors/kinds/types';
import { Controller, type Reconciler } from '../actors/reconcile/controller';
import { converged, type Plan, type PlannedCommand } from '../actors/reconcile/plan';
import type { ObjectsProjection } from '../projections/objects.projection';
import { refOfKey, scopeKey } from '../projections/object-store';

/**
 * The node agent (the kubelet's role), whatever runs the containers: it registers its Nodes, renews
 * their heartbeats, and runs the pods bound to them — each pod's plan from the pod, its node and
 * the time, its side effects (`act`) carried out by the runtime, its commands (status, events,
 * the final delete) sent as the node. One agent can serve many nodes (`skiff up --hollow-nodes
 * 10000`) from the store's pods-by-node index and one work queue: an agent per node would look at
 * every pod change once per node.
 */
export type NodeAgentOptions<P extends Plan> = Readonly<{
  /** The Node objects to register (status included), one per node this agent runs. */
  nodes: readonly KubeObject[];
  log: EventLog;
  projection: ObjectsProjection;
  bus: CommandBus;
  /** The pure plan for one pod bound to one of the nodes. */
  planPod: (pod: KubeObject, node: KubeObject, nowMs: number) => P;
  /** Carries out what a plan asks of the runtime (none for hollow nodes); answers commands to send with the plan's. */
  act?: (pod: KubeObject, plan: P) => Promise<readonly PlannedCommand[]>;
  /** How often each node renews its heartbeat (kubelet's Lease renewal is every 10 s). */
  heartbeatIntervalMs?: number;
  /** Pods reconciled at once. */
  workers?: number;
  clock?: () => number;
}>;

export type NodeAgent = Readonly<{
  stop: () => void;
  failed: Promise<Error>;
  /** Looks at a pod again now (a runtime saw one of its containers change). */
  poke: (pod: { namespace: string; name: string }) => void;
}>;

const podsScope = scopeKey({ group: '', resource: 'pods' });
const nodeRef = (name: string): ObjectRef => ({ group: '', resource: 'nodes', namespace: '', name });
/** Registrations in flight at once: enough to keep the log busy, few enough to leave the API answering. */
const REGISTRATION_WINDOW = 256;
const who = (node: string) => `system:node:${node}`;
const nodeNameOf = (pod: KubeObject | undefined) => (pod?.spec as { nodeName?: string } | undefined)?.nodeName;

/** Creates each Node, or, registered before (an agent restart), reports its status again. */
async function registerNodes(bus: CommandBus, nodes: readonly KubeObject[]): Promise<void> {
  const register = async (node: KubeObject): Promise<void> => {
    const name = node.metadata.name as string;
    const created = await bus.send(nodeRef(name), { op: 'create', object: node, fieldManager: 'kubelet' }, who(name));
    if (created.ok) return;
    if (created.status.reason !== 'AlreadyExists') throw new Error(`node ${name} could not register: ${created.status.message}`);
    await bus.send(nodeRef(name), { op: 'patch', patchType: 'merge', patch: { status: (node.status ?? {}) as Json }, target: 'status', fieldManager: 'kubelet', force: false }, who(name));
  };
  const queue = [...nodes];
  await Promise.all(Array.from({ length: Math.min(REGISTRATION_WINDOW, queue.length) }, async () => {
    for (let node = queue.shift(); node; node = queue.shift()) await register(node);
  }));
}

/**
 * Heartbeats are renewals on a short-retention subject, not events: the history stays quiet. Each
 * node beats once per interval, the nodes spread evenly over it rather than all at once.
 */
function startHeartbeats(log: EventLog, names: readonly string[], intervalMs: number, clock: () => number): () => void {
  const beat = (node: string) => void log.heartbeat(node, clock()).catch(() => undefined);
  names.forEach(beat);
  if (names.length === 0) return () => undefined;
  const tickMs = Math.max(10, Math.min(intervalMs, Math.floor(intervalMs / names.length)));
  const perTick = Math.ceil((names.length * tickMs) / intervalMs);
  let next = 0;
  const timer = setInterval(() => {
    for (let i = 0; i < perTick; i++, next = (next + 1) % names.length) beat(names[next]);
  }, tickMs);
  timer.unref();
  return () => clearInterval(timer);
}

export async function startNodeAgent<P extends Plan>(opts: NodeAgentOptions<P>): Promise<NodeAgent> {
  const clock = opts.clock ?? Date.now;
  await registerNodes(opts.bus, opts.nodes);
  const names = new Set(opts.nodes.map((n) => n.metadata.name as string));
  const { store } = opts.projection;
  const podOf = (key: string) => {
    const [namespace, name] = key.split('/');
    return store.get({ group: '', resource: 'pods', namespace, name })?.object;
  };
  const nodeOf = (pod: KubeObject | undefined) => {
    const name = nodeNameOf(pod);
    return name !== undefined && names.has(name) ? store.get(nodeRef(name))?.object : undefined;
  };
  const quiet = { ...converged } as P;
  const reconciler: Reconciler<P> = {
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
      const node = nodeOf(pod);
      return pod && node ? opts.planPod(pod, node, nowMs) : quiet;
    },
    ...(opts.act ? { act: async (key: string, plan: P) => {
      const pod = podOf(key);
      return pod && opts.act ? opts.act(pod, plan) : [];
    } } : {}),
  };
  const controller = new Controller<P>(reconciler, opts.projection, opts.bus, { resyncMs: 30_000, clock, workers: opts.workers ?? 1 });
  controller.start();
  const stopHeartbeats = startHeartbeats(opts.log, [...names], opts.heartbeatIntervalMs ?? 10_000, clock);
  return {
    stop: () => {
      stopHeartbeats();
      controller.stop();
    },
    failed: controller.failed,
    poke: (pod) => controller.poke(`${pod.namespace}/${pod.name}`),
  };
}
