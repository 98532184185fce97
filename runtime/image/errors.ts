/**
 * Errors of image building and naming. Each keeps its cause; `instanceof` works across the folder.
 * The image store's errors (a failed `ctr` call, a failed pull) are runtime/containerd/errors.ts's
 * `CtrError` and `ImagePullError`.
 */
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

export const errors = { ImageError, ImageBuildError, ImageNameError } as const;
