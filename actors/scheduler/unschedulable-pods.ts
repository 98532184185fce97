import type { Change } from '../../projections/object-store';
import type { KubeObject } from '../kinds/types';
import { podSpecOf, podStatusOf } from './types';

/**
 * kube-scheduler's unschedulable pods: a pod no node could take is parked until something happens
 * that could let it fit — a node added or changed, a placed pod going away or finishing, or, for a
 * pod that needs other pods near it (required pod affinity), another pod being placed — or until
 * it has waited `maxParkedMs` (upstream's podMaxInUnschedulablePodsDuration, 5 minutes). Without
 * this, every pod change would re-run the filters for every pod that cannot fit.
 */

export const MAX_PARKED_MS = 5 * 60_000;

type Parked = Readonly<{ freed: number; placed: number; atMs: number; waitsForPods: boolean }>;

const nodeNameOf = (pod: KubeObject | undefined): string | undefined => (pod ? podSpecOf(pod).nodeName : undefined);
const terminal = (pod: KubeObject | undefined): boolean => pod !== undefined && ['Succeeded', 'Failed'].includes(podStatusOf(pod).phase ?? '');
const keyOf = (pod: KubeObject): string => `${pod.metadata.namespace ?? ''}/${pod.metadata.name}`;

export class UnschedulablePods {
  /** Counts of events that may free room (node changes, pods gone) and of pods placed. */
  private freed = 0;
  private placed = 0;
  private readonly parked = new Map<string, Parked>();
  /** How many parked pods wait for other pods to be placed. */
  private waitingForPods = 0;

  constructor(private readonly maxParkedMs = MAX_PARKED_MS) {}

  get size(): number {
    return this.parked.size;
  }

  /** Takes note of a change of a pod or node; true when a scheduling pass is worth running. */
  observe(change: Change, isNode: boolean): boolean {
    if (isNode) {
      this.freed++;
      return true;
    }
    const { object, previous } = change;
    const bound = nodeNameOf(object) !== undefined;
    if (change.type === 'DELETED') {
      this.unpark(keyOf(object));
      if (!bound || terminal(object)) return false;
      this.freed++;
      return true;
    }
    if (!bound) {
      // A new pending pod, or one whose spec changed (gates lifted, tolerations added): try it now.
      if (previous === undefined || JSON.stringify(previous.spec) !== JSON.stringify(object.spec)) this.unpark(keyOf(object));
      return true;
    }
    if (nodeNameOf(previous) === undefined) {
      this.placed++;
      return this.waitingForPods > 0;
    }
    if (terminal(object) && !terminal(previous)) {
      this.freed++;
      return true;
    }
    return false;
  }

  park(key: string, waitsForPods: boolean, nowMs: number): void {
    this.unpark(key);
    this.parked.set(key, { freed: this.freed, placed: this.placed, atMs: nowMs, waitsForPods });
    if (waitsForPods) this.waitingForPods++;
  }

  private unpark(key: string): void {
    if (this.parked.get(key)?.waitsForPods) this.waitingForPods--;
    this.parked.delete(key);
  }

  /** Whether a pending pod should be tried now: never parked, or something it waits for has happened since. */
  ready(key: string, nowMs: number): boolean {
    const p = this.parked.get(key);
    if (!p) return true;
    const due = this.freed > p.freed || (p.waitsForPods && this.placed > p.placed) || nowMs - p.atMs >= this.maxParkedMs;
    if (due) this.unpark(key);
    return due;
  }

  /** Milliseconds until the longest-parked pod is tried again anyway, or undefined when none waits. */
  nextRetryInMs(nowMs: number): number | undefined {
    let oldest = Infinity;
    for (const p of this.parked.values()) oldest = Math.min(oldest, p.atMs);
    return oldest === Infinity ? undefined : Math.max(1, oldest + this.maxParkedMs - nowMs);
  }
}
