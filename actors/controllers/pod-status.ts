import { timeMs, type Pod, type PodCondition } from './workloads';

/** What the controllers ask of a pod (pkg/api/v1/pod and controller.IsPodActive), with `now` passed in. */

/** A pod that counts toward its ReplicaSet: not finished and not being deleted. */
export function isPodActive(pod: Pod): boolean {
  return !isPodTerminated(pod) && !pod.metadata.deletionTimestamp;
}

/** Succeeded or Failed: it will never run again. */
export function isPodTerminated(pod: Pod): boolean {
  const phase = pod.status?.phase;
  return phase === 'Succeeded' || phase === 'Failed';
}

export function readyCondition(pod: Pod): PodCondition | undefined {
  return pod.status?.conditions?.find((c) => c.type === 'Ready');
}

export function isPodReady(pod: Pod): boolean {
  return readyCondition(pod)?.status === 'True';
}

/**
 * When a ready pod becomes available: minReadySeconds after its Ready condition turned True.
 * Undefined when it is not ready, or is ready with no transition time (then, with a non-zero
 * minReadySeconds, upstream never counts it available).
 */
export function availableFromMs(pod: Pod, minReadySeconds: number): number | undefined {
  if (!isPodReady(pod)) return undefined;
  if (minReadySeconds === 0) return Number.NEGATIVE_INFINITY;
  const since = timeMs(readyCondition(pod)?.lastTransitionTime);
  return since === undefined ? undefined : since + minReadySeconds * 1000;
}

/** Ready for longer than minReadySeconds; upstream compares with a strict "before now". */
export function isPodAvailable(pod: Pod, minReadySeconds: number, nowMs: number): boolean {
  const from = availableFromMs(pod, minReadySeconds);
  return from !== undefined && (minReadySeconds === 0 || from < nowMs);
}
