/**
 * imagePullPolicy as Kubernetes applies it, pure, and the one place of its rules: the API server's
 * default, the kubelet's decision (pkg/kubelet/images/image_manager.go shouldPullImage) given the
 * policy and whether the image is already in the store, and the container's waiting reason and
 * message, in the kubelet's words, when it cannot get the image. runtime/containerd/images.ts
 * `ensureImage` carries the decision out.
 */
import { ImageNameError } from './errors';
import { parseImageRef } from './image-name';

export const PullPolicy = { Always: 'Always', IfNotPresent: 'IfNotPresent', Never: 'Never' } as const;
export type PullPolicy = (typeof PullPolicy)[keyof typeof PullPolicy];

/** The API server's default (core/v1 defaults): `Always` for `:latest` or no tag, else `IfNotPresent`. */
export function defaultPullPolicy(image: string): PullPolicy {
  try {
    return parseImageRef(image).tag === 'latest' ? PullPolicy.Always : PullPolicy.IfNotPresent;
  } catch (err) {
    if (err instanceof ImageNameError) return PullPolicy.IfNotPresent;
    throw err;
  }
}

/** What to do about an image, from the policy and whether it is here (kubelet `shouldPullImage`): `refuse` is Never with no image. */
export function pullDecision(policy: PullPolicy, present: boolean): 'use' | 'pull' | 'refuse' {
  if (policy === PullPolicy.Always) return 'pull';
  if (present) return 'use';
  return policy === PullPolicy.Never ? 'refuse' : 'pull';
}

/** The kubelet's message for `ErrImageNeverPull`. */
export function neverPullMessage(image: string): string {
  return `Container image "${image}" is not present with pull policy of Never`;
}

/** A container's waiting state when its image cannot be had. */
export type ImageWaiting = Readonly<{ reason: 'ErrImagePull' | 'ImagePullBackOff' | 'ErrImageNeverPull' | 'InvalidImageName'; message: string }>;

export type PullStep =
  | Readonly<{ kind: 'use'; event: Readonly<{ reason: 'Pulled'; message: string }> }>
  | Readonly<{ kind: 'pull'; event: Readonly<{ reason: 'Pulling'; message: string }> }>
  | Readonly<{ kind: 'fail'; waiting: ImageWaiting; event: Readonly<{ reason: string; message: string }> }>;

/** What to do before starting a container whose image is `image` under `policy`, the store holding it or not. */
export function pullStep(image: string, policy: PullPolicy, present: boolean): PullStep {
  try {
    parseImageRef(image);
  } catch (err) {
    const message = `Failed to apply default image tag "${image}": ${err instanceof Error ? err.message : String(err)}`;
    return { kind: 'fail', waiting: { reason: 'InvalidImageName', message }, event: { reason: 'InspectFailed', message } };
  }
  switch (pullDecision(policy, present)) {
    case 'pull':
      return { kind: 'pull', event: { reason: 'Pulling', message: `Pulling image "${image}"` } };
    case 'use':
      return { kind: 'use', event: { reason: 'Pulled', message: `Container image "${image}" already present on machine` } };
    case 'refuse': {
      const message = neverPullMessage(image);
      return { kind: 'fail', waiting: { reason: 'ErrImageNeverPull', message }, event: { reason: 'ErrImageNeverPull', message } };
    }
  }
}

/** The first failure of a pull: `ErrImagePull`, with the puller's error. */
export function pullFailed(image: string, error: string): ImageWaiting {
  return { reason: 'ErrImagePull', message: `Failed to pull image "${image}": ${error}` };
}

/** While the pull backs off (10 s doubling to 300 s in the kubelet): `ImagePullBackOff`. */
export function pullBackOff(image: string): ImageWaiting {
  return { reason: 'ImagePullBackOff', message: `Back-off pulling image "${image}"` };
}

/** The kubelet's image pull back-off: 10 s, doubling, at most 300 s. */
export function pullBackOffMs(failures: number): number {
  return Math.min(300_000, 10_000 * 2 ** Math.max(0, failures - 1));
}
