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

/** How a CtrError came about, when ctr did not simply exit non-zero. */
export type CtrErrorOptions = Readonly<{
  cause?: unknown;
  /** ctr was killed after its timeout. */
  timedOut?: boolean;
  /** Why, when ctr's stderr does not say (it could not run, was killed, found no socket). */
  detail?: string;
  kind?: CtrErrorKind;
}>;

/** A `ctr` invocation that exited non-zero (or could not run): its arguments, exit code and message. */
export class CtrError extends Error {
  override name = 'CtrError';
  readonly kind: CtrErrorKind;
  /**
   * What went wrong as one sentence for a person, without the command line: ctr's own message
   * (its `ctr: ` line) when it printed one, else why it did not run or finish.
   */
  readonly detail: string;
  constructor(
    readonly args: readonly string[],
    /** null when the process could not be started or was killed. */
    readonly exitCode: number | null,
    readonly stderr: string,
    options: CtrErrorOptions = {},
  ) {
    const own = ctrMessage(stderr);
    super(`ctr ${args.join(' ')}: ${options.detail ?? own ?? `exit code ${exitCode}`}`, causeOf(options));
    this.detail = options.detail ?? own ?? `ctr ${args.slice(0, 2).join(' ')} exited with code ${exitCode}`;
    this.kind = options.kind ?? (options.timedOut ? CtrErrorKind.Timeout : classifyCtrMessage(stderr));
  }
}

/** The last `ctr: …` line of stderr (ctr prints its error there), else the last non-empty line; undefined when it printed nothing. */
export function ctrMessage(stderr: string): string | undefined {
  const lines = stderr.split('\n').map((l) => l.trim()).filter(Boolean);
  const ctrLine = [...lines].reverse().find((l) => l.startsWith('ctr: '));
  return ctrLine ? ctrLine.slice('ctr: '.length) : lines.at(-1);
}

export function classifyCtrMessage(stderr: string): CtrErrorKind {
  const m = ctrMessage(stderr) ?? '';
  if (/failed to dial|error while dialing/.test(m)) return CtrErrorKind.Unavailable;
  if (/\bnot found\b/.test(m)) return CtrErrorKind.NotFound;
  if (/already exists/.test(m)) return CtrErrorKind.AlreadyExists;
  return CtrErrorKind.Other;
}

/** Kubernetes' image pull failure reasons (kubelet `images.ErrImagePull`, `images.ErrImageNeverPull`). */
export const ImagePullReason = { ErrImagePull: 'ErrImagePull', ErrImageNeverPull: 'ErrImageNeverPull' } as const;
export type ImagePullReason = (typeof ImagePullReason)[keyof typeof ImagePullReason];

/** Why a pull failed, read from containerd's resolver: the registry could not be reached, has no such image, refused us, or something else. */
export const PullFailure = { unreachable: 'unreachable', notFound: 'notFound', unauthorized: 'unauthorized', other: 'other' } as const;
export type PullFailure = (typeof PullFailure)[keyof typeof PullFailure];

/** Sorts ctr's (containerd's resolver's) error text into the causes above. */
export function pullFailure(message: string): PullFailure {
  if (/dial tcp|no such host|connection refused|i\/o timeout|network is unreachable|server misbehaving|TLS handshake timeout|context deadline exceeded|temporary failure in name resolution/i.test(message)) return PullFailure.unreachable;
  if (/not found|manifest unknown|name unknown/i.test(message)) return PullFailure.notFound;
  if (/unauthorized|authorization failed|denied|forbidden|401|403/i.test(message)) return PullFailure.unauthorized;
  return PullFailure.other;
}

/**
 * The image could not be made present. `reason` and `message` go into the container's waiting
 * state as the kubelet's do (runtime/kubelet/container-actions.ts `ImagePullError` takes this
 * object as it is). A failed pull (`ErrImagePull`) also tells the normalized name it pulled
 * (`ref`), ctr's own words (`detail`) and why (`failure`).
 */
export class ImagePullError extends Error {
  override name = 'ImagePullError';
  readonly ref?: string;
  readonly detail?: string;
  readonly failure?: PullFailure;
  constructor(
    readonly reason: ImagePullReason,
    /** As the pod spec names it. */
    readonly image: string,
    message: string,
    options: Readonly<{ cause?: unknown; ref?: string; detail?: string; failure?: PullFailure }> = {},
  ) {
    super(message, causeOf(options));
    this.ref = options.ref;
    this.detail = options.detail;
    this.failure = options.failure;
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

/** Error's options with the cause only when there is one (an own `cause: undefined` would show in every dump). */
function causeOf(options: Readonly<{ cause?: unknown }>): ErrorOptions | undefined {
  return options.cause === undefined ? undefined : { cause: options.cause };
}
