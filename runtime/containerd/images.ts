/**
 * containerd's image store through ctr, for the runtime and `skiff image` alike: list it, find an
 * image (`images ls name==…`), import an archive (OCI layout or `docker save`), remove, pull (the
 * one pull path), make an image present per imagePullPolicy (`ensureImage`, the rules in
 * runtime/image/pull-policy.ts), and read an image's config (ENTRYPOINT, CMD, …) from the content
 * store. Names are normalized by runtime/image/image-name.ts. A failed pull is an ImagePullError
 * with the kubelet's reason and message.
 */
import { hostPlatform } from '../image/image-config';
import { normalizeImageName, repoDigest } from '../image/image-name';
import { neverPullMessage, pullDecision, PullPolicy } from '../image/pull-policy';
import { ctrCalls, quoteFilter, type Ctr } from './ctr';
import { manifestConfigDigest, parseImageConfig, parseImageList, parseImportedNames, pickManifest, type ImageProcessConfig, type ImageRow } from './ctr-output';
import { CtrError, CtrErrorKind, ImagePullError, ImagePullReason, pullFailure, PullFailure } from './errors';

/** An image in the store, as a pod names it. */
export type ResolvedImage = ImageRow &
  Readonly<{
    /** The pod spec's name for it (`ref` is the full name containerd knows it by, "docker.io/library/busybox:latest"; `digest` the manifest's or index's it points at). */
    image: string;
    /** containerStatuses[].imageID: "docker.io/library/busybox@sha256:…". */
    imageId: string;
  }>;

/** `ctr images ls [filters]`. */
export async function listImages(ctr: Ctr, filters: readonly string[] = []): Promise<ImageRow[]> {
  return parseImageList((await ctr.run(['images', 'ls', ...filters])).stdout);
}

/** The image stored under `image`'s full name, if any. */
export async function findImage(ctr: Ctr, image: string): Promise<ResolvedImage | undefined> {
  const ref = normalizeImageName(image);
  const row = (await listImages(ctr, [`name==${quoteFilter(ref)}`])).find((r) => r.ref === ref);
  return row ? { ...row, image, imageId: repoDigest(ref, row.digest) } : undefined;
}

export type ImportOptions = Readonly<{
  /** Import every platform's content of a multi-platform archive, not only this machine's. */
  allPlatforms?: boolean;
  /** Default 2 minutes. */
  timeoutMs?: number;
}>;

/** `ctr images import FILE`; answers the names it stored. */
export async function importImage(ctr: Ctr, archivePath: string, opts: ImportOptions = {}): Promise<string[]> {
  return importFrom(ctr, archivePath, undefined, opts);
}

/** The same, with the archive in memory (piped to `ctr images import -`). */
export async function importArchive(ctr: Ctr, archive: Buffer, opts: ImportOptions = {}): Promise<string[]> {
  return importFrom(ctr, '-', archive, opts);
}

async function importFrom(ctr: Ctr, file: string, input: Buffer | undefined, opts: ImportOptions): Promise<string[]> {
  const args = ['images', 'import', ...(opts.allPlatforms ? ['--all-platforms'] : []), file];
  const { stdout } = await ctr.run(args, { timeoutMs: opts.timeoutMs ?? 120_000, ...(input ? { input } : {}) });
  return parseImportedNames(stdout);
}

/** `ctr images rm` of the full name; answers it. */
export async function removeImage(ctr: Ctr, image: string): Promise<string> {
  const ref = normalizeImageName(image);
  await ctr.run(['images', 'rm', ref]);
  return ref;
}

export type PullOptions = Readonly<{
  /** Talk HTTP, not HTTPS, to the registry (a local `registry:2` on localhost:5000). */
  plainHttp?: boolean;
  /** `USER[:PASSWORD]` for the registry. */
  user?: string;
  /** More `ctr images pull` flags. */
  extraFlags?: readonly string[];
  /** Default 10 minutes. */
  timeoutMs?: number;
  signal?: AbortSignal;
}>;

/**
 * `ctr images pull` of the full name (fetch and unpack for this machine's platform); answers that
 * name. A pull that ran and failed (or timed out) is an ImagePullError `ErrImagePull` whose
 * `failure` tells an unreachable registry from a missing image; when ctr could not run at all (no
 * containerd at the address, no ctr) the CtrError itself is thrown, as for any other ctr call.
 */
export async function pullImage(ctr: Ctr, image: string, opts: PullOptions = {}): Promise<string> {
  const ref = normalizeImageName(image);
  const flags = [...(opts.plainHttp ? ['--plain-http'] : []), ...(opts.user ? ['--user', opts.user] : []), ...(opts.extraFlags ?? [])];
  try {
    await ctr.run(['images', 'pull', ...flags, ref], { timeoutMs: opts.timeoutMs ?? 10 * 60_000, ...(opts.signal ? { signal: opts.signal } : {}) });
    return ref;
  } catch (err) {
    if (!(err instanceof CtrError) || !pullRan(err)) throw err;
    throw pullError(image, ref, err.detail, pullFailure(err.detail), err);
  }
}

/** The pull itself failed (ctr ran and exited non-zero, or was killed after its timeout), as opposed to ctr not running at all. */
function pullRan(err: CtrError): boolean {
  return err.kind === CtrErrorKind.Timeout || (err.exitCode !== null && err.kind !== CtrErrorKind.Unavailable);
}

/** containerd's CRI's words for a failed pull; the kubelet puts `Failed to pull image "NAME": ` before them. */
function pullError(image: string, ref: string, detail: string, failure: PullFailure, cause?: unknown): ImagePullError {
  return new ImagePullError(ImagePullReason.ErrImagePull, image, `failed to pull and unpack image "${ref}": ${detail}`, { cause, ref, detail, failure });
}

/** Makes `image` present per `policy`: uses what the store has, pulls, or refuses (`ErrImageNeverPull`). */
export async function ensureImage(ctr: Ctr, image: string, policy: PullPolicy, opts: PullOptions = {}): Promise<ResolvedImage> {
  const present = policy === PullPolicy.Always ? undefined : await findImage(ctr, image);
  const decision = pullDecision(policy, present !== undefined);
  if (decision === 'use' && present) return present;
  if (decision === 'refuse') throw new ImagePullError(ImagePullReason.ErrImageNeverPull, image, neverPullMessage(image));
  const ref = await pullImage(ctr, image, opts);
  const pulled = await findImage(ctr, image);
  if (!pulled) throw pullError(image, ref, 'not in the image store after the pull', PullFailure.other);
  return pulled;
}

/** The image's process defaults, read from the content store: index → this platform's manifest → config. */
export async function readImageConfig(ctr: Ctr, digest: string, platform = hostPlatform()): Promise<ImageProcessConfig> {
  const top = await ctrCalls.content(ctr, digest);
  const manifestDigest = pickManifest(top, platform);
  const manifest = manifestDigest ? await ctrCalls.content(ctr, manifestDigest) : top;
  return parseImageConfig(await ctrCalls.content(ctr, manifestConfigDigest(manifest)));
}
