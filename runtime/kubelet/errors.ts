/** Errors of the kubelet's pod logic. Each sets `name` to its class; `instanceof` works across the folder. */
export class KubeletError extends Error {
  override name = 'KubeletError';
}

/**
 * Something about the pod that keeps a container from being configured or a volume from being set
 * up (a missing ConfigMap key, a bad subPath …). `message` is the kubelet's own wording: it becomes
 * a container's waiting message or an event, never a crash.
 */
export class PodConfigError extends KubeletError {
  override name = 'PodConfigError';
}

export const errors = { KubeletError, PodConfigError } as const;
