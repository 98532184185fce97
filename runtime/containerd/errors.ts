/** Errors of the containerd runtime layer. Each keeps its cause; `instanceof` works across the package. */

/** What a failed `ctr` call most likely means, read from its message. */
export const CtrErrorKind = {
  NotFound: 'not-found',
  AlreadyExists: 'already-exists',
  /** No containerd answers at the address. */
  Unavailable: 'unavailable',
  /** The call ran past its timeout and was killed. */
  Timeout: 'timeout',
  Other: 'other',
} as const;
export type CtrErrorKind = (typeof CtrErrorKind)[keyof typeof CtrErrorKind];

/** A `ctr` invocation that exited non-zero (or could not run): its arguments, exit code and message. */
export class CtrError extends Error {
  override name = 'CtrError';
  readonly kind: CtrErrorKind;
  constructor(
    readonly args: readonly string[],
    /** null when the process could not be started or was killed. */
    readonly exitCode: number | null,
    readonly stderr: string,
    options?: { cause?: unknown; timedOut?: boolean },
  ) {
    super(`ctr ${args.join(' ')}: ${ctrMessage(stderr) || `exit code ${exitCode}`}`, options);
    this.kind = options?.timedOut ? CtrErrorKind.Timeout : classifyCtrMessage(stderr);
  }
}

/** The last `ctr: …` line of stderr (ctr prints its error there), else the last non-empty line. */
export function ctrMessage(stderr: string): string {
  const lines = stderr.split('\n').map((l) => l.trim()).filter(Boolean);
  const ctrLine = [...lines].reverse().find((l) => l.startsWith('ctr: '));
  return (ctrLine ? ctrLine.slice(5) : lines.at(-1)) ?? '';
}

export function classifyCtrMessage(stderr: string): CtrErrorKind {
  const m = ctrMessage(stderr);
  if (/failed to dial|error while dialing/.test(m)) return CtrErrorKind.Unavailable;
  if (/\bnot found\b/.test(m)) return CtrErrorKind.NotFound;
  if (/already exists/.test(m)) return CtrErrorKind.AlreadyExists;
  return CtrErrorKind.Other;
}

/** Kubernetes' image pull failure reasons (kubelet `images.ErrImagePull`, `images.ErrImageNeverPull`). */
export const ImagePullReason = { ErrImagePull: 'ErrImagePull', ErrImageNeverPull: 'ErrImageNeverPull' } as const;
export type ImagePullReason = (typeof ImagePullReason)[keyof typeof ImagePullReason];

/** The image could not be made present; `reason` and `message` go into the container's waiting state as the kubelet's do. */
export class ImagePullError extends Error {
  override name = 'ImagePullError';
  constructor(readonly reason: ImagePullReason, readonly image: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** containerd created the container but could not start its process (bad command, missing binary…): the container stays, reported exited with code 128. */
export class ContainerStartError extends Error {
  override name = 'ContainerStartError';
  constructor(readonly containerId: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** No containerd can be used or started (binary missing, not root, did not answer). */
export class ContainerdUnavailableError extends Error {
  override name = 'ContainerdUnavailableError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}
