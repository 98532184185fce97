import type { EventLog } from '../../eventlog/jetstream-log';
import type { CommandBus } from '../../actors/kernel/command-bus';
import type { ObjectsProjection } from '../../projections/objects.projection';
import { startNodeAgent, type NodeAgent } from '../agent';
import { DEFAULT_HOLLOW_CAPACITY, hollowNode, hollowNodeIP, type HollowCapacity } from './hollow-node';
import { planHollowPod, type HollowTimings } from './hollow-pod';

export type HollowNodesOptions = Readonly<{
  /** The nodes to run; `index` picks each one's (documentation-range) address. */
  nodes: readonly Readonly<{ name: string; index: number }>[];
  log: EventLog;
  heartbeatIntervalMs?: number;
  projection: ObjectsProjection;
  bus: CommandBus;
  timings: HollowTimings;
  capacity?: HollowCapacity;
  clock?: () => number;
}>;

/** Pods whose status the hollow agent reports at once; each waits for its own writes to be visible. */
const POD_WORKERS = 64;

/** Hollow nodes (like kwok): the node agent with the hollow runtime — phases and events, no containers. */
export function startHollowNodes(opts: HollowNodesOptions): Promise<NodeAgent> {
  const clock = opts.clock ?? Date.now;
  const capacity = opts.capacity ?? DEFAULT_HOLLOW_CAPACITY;
  return startNodeAgent({
    nodes: opts.nodes.map(({ name, index }) => hollowNode(name, clock(), capacity, hollowNodeIP(index))),
    log: opts.log,
    projection: opts.projection,
    bus: opts.bus,
    planPod: (pod, node, nowMs) => planHollowPod(pod, node, nowMs, opts.timings),
    heartbeatIntervalMs: opts.heartbeatIntervalMs,
    workers: POD_WORKERS,
    clock,
  });
}
