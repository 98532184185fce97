/** Errors of image building and of containerd's image store. Each keeps its cause; `instanceof` works across the folder. */
export class ImageError extends Error {
  override name = 'ImageError';
}

/** The root filesystem, the name or the options cannot make an image. */
export class ImageBuildError extends ImageError {
  override name = 'ImageBuildError';
}

/** Not a valid image reference (docker/containerd grammar). */
export class ImageNameError extends ImageError {
  override name = 'ImageNameError';
}

/** `ctr` failed: `message` is ctr's own (its `ctr: ` prefix removed); the exit code and full stderr are kept. */
export class CtrError extends ImageError {
  override name = 'CtrError';
  constructor(
    message: string,
    readonly args: readonly string[],
    readonly exitCode: number | null,
    readonly stderr: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/**
 * A pull that failed, sorted the way the kubelet reports it: every kind is `ErrImagePull` on the
 * container, and `reason` says why (the registry could not be reached, it has no such image, it
 * refused us, or something else).
 */
export class ImagePullError extends ImageError {
  override name = 'ImagePullError';
  constructor(
    message: string,
    readonly image: string,
    readonly reason: PullFailure,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export const PullFailure = { unreachable: 'unreachable', notFound: 'notFound', unauthorized: 'unauthorized', other: 'other' } as const;
export type PullFailure = (typeof PullFailure)[keyof typeof PullFailure];

export const errors = { ImageError, ImageBuildError, ImageNameError, CtrError, ImagePullError } as const;
