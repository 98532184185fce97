/**
 * Images through ctr: is it present (`images ls name==…`), pull it per imagePullPolicy, and read
 * its config (ENTRYPOINT, CMD, …) from the content store. Failures are ImagePullErrors with the
 * kubelet's reasons and messages.
 */
import { ctrCalls, quoteFilter, type Ctr } from './ctr';
import { goArch, manifestConfigDigest, parseImageConfig, pickManifest, type ImageProcessConfig } from './ctr-output';
import { CtrError, ImagePullError, ImagePullReason, ctrMessage } from './errors';
import { normalizeImageRef, repoDigest } from './image-ref';

export const ImagePullPolicy = { Always: 'Always', IfNotPresent: 'IfNotPresent', Never: 'Never' } as const;
export type ImagePullPolicy = (typeof ImagePullPolicy)[keyof typeof ImagePullPolicy];

export type ResolvedImage = Readonly<{
  /** The pod spec's name for it. */
  image: string;
  /** The full name containerd knows it by ("docker.io/library/busybox:latest"). */
  ref: string;
  /** The digest the name points at (manifest or index). */
  digest: string;
  /** containerStatuses[].imageID: "docker.io/library/busybox@sha256:…". */
  imageId: string;
}>;

/** What to do about an image, from the policy and whether it is here (kubelet `shouldPullImage`). */
export function pullDecision(policy: ImagePullPolicy, present: boolean): 'use' | 'pull' | 'refuse' {
  if (policy === ImagePullPolicy.Always) return 'pull';
  if (present) return 'use';
  return policy === ImagePullPolicy.Never ? 'refuse' : 'pull';
}

export async function findImage(ctr: Ctr, image: string): Promise<ResolvedImage | undefined> {
  const ref = normalizeImageRef(image);
  const row = (await ctrCalls.images(ctr, [`name==${quoteFilter(ref)}`])).find((r) => r.ref === ref);
  return row ? { image, ref, digest: row.digest, imageId: repoDigest(ref, row.digest) } : undefined;
}

export type PullOptions = Readonly<{ extraFlags?: readonly string[]; timeoutMs?: number }>;

export async function ensureImage(ctr: Ctr, image: string, policy: ImagePullPolicy, opts: PullOptions = {}): Promise<ResolvedImage> {
  const ref = normalizeImageRef(image);
  const present = policy === ImagePullPolicy.Always ? undefined : await findImage(ctr, image);
  const decision = pullDecision(policy, present !== undefined);
  if (decision === 'use' && present) return present;
  if (decision === 'refuse') {
    throw new ImagePullError(ImagePullReason.ErrImageNeverPull, image, `Container image "${image}" is not present with pull policy of Never`);
  }
  try {
    await ctr.run(['images', 'pull', ...(opts.extraFlags ?? []), ref], { timeoutMs: opts.timeoutMs ?? 10 * 60_000 });
  } catch (err) {
    const why = err instanceof CtrError ? ctrMessage(err.stderr) || err.message : String(err);
    throw new ImagePullError(ImagePullReason.ErrImagePull, image, `failed to pull and unpack image "${ref}": ${why}`, { cause: err });
  }
  const pulled = await findImage(ctr, image);
  if (!pulled) throw new ImagePullError(ImagePullReason.ErrImagePull, image, `failed to pull and unpack image "${ref}": not in the image store after the pull`);
  return pulled;
}

/** The image's process defaults, read from the content store: index → this platform's manifest → config. */
export async function readImageConfig(ctr: Ctr, digest: string, platform = { os: 'linux', architecture: goArch(process.arch) }): Promise<ImageProcessConfig> {
  const top = await ctrCalls.content(ctr, digest);
  const manifestDigest = pickManifest(top, platform);
  const manifest = manifestDigest ? await ctrCalls.content(ctr, manifestDigest) : top;
  return parseImageConfig(await ctrCalls.content(ctr, manifestConfigDigest(manifest)));
}
