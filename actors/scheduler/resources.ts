import { parseQuantity } from '../kinds/defaults';
import type { KubeObject } from '../kinds/types';
import { nodeStatusOf, type Container, type PodSpec, type ResourceList } from './types';

/**
 * Resource accounting as kube-scheduler does it: cpu in millicores, memory in bytes, both as
 * integers rounded up like resource.Quantity's MilliValue() and Value(), so "0.1m" of cpu still
 * costs a millicore and "1.5" bytes cost two.
 */
export type Resources = Readonly<{ milliCpu: number; memory: number }>;
/** What a node offers: resources plus the number of pods it admits. */
export type Allocatable = Resources & Readonly<{ pods: number }>;

export const NO_RESOURCES: Resources = { milliCpu: 0, memory: 0 };

/**
 * pkg/scheduler/util DefaultMilliCPURequest and DefaultMemoryRequest: what a container without a
 * request counts for when scoring, so that nodes full of best-effort pods do not look empty.
 */
export const DEFAULT_MILLI_CPU_REQUEST = 100;
export const DEFAULT_MEMORY_REQUEST = 200 * 1024 * 1024;

const NANOS_PER_MILLI = 1_000_000n;
const NANOS_PER_UNIT = 1_000_000_000n;

/** Rounds towards +∞, as Quantity does for positive amounts (requests are never negative). */
function ceilDiv(a: bigint, b: bigint): number {
  return Number(a > 0n ? (a + b - 1n) / b : a / b);
}

/** A cpu quantity ("500m", "1", "0.5", 2) in millicores; 0 when absent or unparsable. */
export function milliCpuOf(quantity: unknown): number {
  const nanos = parseQuantity(quantity);
  return nanos === undefined ? 0 : ceilDiv(nanos, NANOS_PER_MILLI);
}

/** A memory or count quantity ("128Mi", "1G", "1e3", "110") in whole units; 0 when absent or unparsable. */
export function unitsOf(quantity: unknown): number {
  const nanos = parseQuantity(quantity);
  return nanos === undefined ? 0 : ceilDiv(nanos, NANOS_PER_UNIT);
}

export const addResources = (a: Resources, b: Resources): Resources => ({ milliCpu: a.milliCpu + b.milliCpu, memory: a.memory + b.memory });
const maxResources = (a: Resources, b: Resources): Resources => ({ milliCpu: Math.max(a.milliCpu, b.milliCpu), memory: Math.max(a.memory, b.memory) });

function listResources(list: ResourceList | undefined): Resources {
  return { milliCpu: milliCpuOf(list?.cpu), memory: unitsOf(list?.memory) };
}

/** A container's requests; with `nonZero`, a resource it does not name counts at the scoring default. */
function containerRequests(container: Container, nonZero: boolean): Resources {
  const requests = container.resources?.requests ?? {};
  const named = listResources(requests);
  if (!nonZero) return named;
  return {
    milliCpu: Object.hasOwn(requests, 'cpu') ? named.milliCpu : DEFAULT_MILLI_CPU_REQUEST,
    memory: Object.hasOwn(requests, 'memory') ? named.memory : DEFAULT_MEMORY_REQUEST,
  };
}

/**
 * What a pod asks of a node (component-helpers resource.PodRequests): the sum of its containers,
 * or more if an init container needs more while it runs, plus the pod overhead. Init containers run
 * one after the other, so only the largest counts — but sidecars (restartable init containers) keep
 * running, so each later init container runs beside the sidecars started before it, and the
 * sidecars also run beside the app containers.
 *
 * `nonZero` gives the requests used for scoring (missing requests count at the defaults above);
 * fitting uses the plain requests.
 */
export function podRequests(spec: PodSpec, nonZero = false): Resources {
  let sum = (spec.containers ?? []).reduce((acc, c) => addResources(acc, containerRequests(c, nonZero)), NO_RESOURCES);
  let sidecars = NO_RESOURCES;
  let initPeak = NO_RESOURCES;
  for (const c of spec.initContainers ?? []) {
    const own = containerRequests(c, nonZero);
    if (c.restartPolicy === 'Always') {
      sum = addResources(sum, own);
      sidecars = addResources(sidecars, own);
      initPeak = maxResources(initPeak, sidecars);
    } else {
      initPeak = maxResources(initPeak, addResources(own, sidecars));
    }
  }
  return addResources(maxResources(sum, initPeak), listResources(spec.overhead));
}

/**
 * A node's allocatable cpu, memory and pods. kube-scheduler reads status.allocatable only; a node
 * that reports only capacity (a hand-made or half-registered Node) is taken at its capacity rather
 * than at zero, resource by resource.
 */
export function nodeAllocatable(node: KubeObject): Allocatable {
  const { allocatable = {}, capacity = {} } = nodeStatusOf(node);
  const pick = (name: string): unknown => (Object.hasOwn(allocatable, name) ? allocatable[name] : capacity[name]);
  return { milliCpu: milliCpuOf(pick('cpu')), memory: unitsOf(pick('memory')), pods: unitsOf(pick('pods')) };
}
