/**
 * Image references as Docker and the kubelet read them: "busybox" means
 * "docker.io/library/busybox:latest". containerd stores and looks up images by the full name only.
 */

export type ImageRefParts = Readonly<{ domain: string; path: string; tag?: string; digest?: string }>;

const DEFAULT_DOMAIN = 'docker.io';

export function parseImageRef(image: string): ImageRefParts {
  const ref = image.trim();
  if (ref === '' || /\s/.test(ref)) throw new Error(`invalid image reference ${JSON.stringify(image)}`);
  const at = ref.indexOf('@');
  const named = at >= 0 ? ref.slice(0, at) : ref;
  const digest = at >= 0 ? ref.slice(at + 1) : undefined;
  const slash = named.indexOf('/');
  const first = slash >= 0 ? named.slice(0, slash) : '';
  const hasDomain = slash >= 0 && (first.includes('.') || first.includes(':') || first === 'localhost');
  let domain = hasDomain ? first : DEFAULT_DOMAIN;
  let rest = hasDomain ? named.slice(slash + 1) : named;
  if (domain === 'index.docker.io') domain = DEFAULT_DOMAIN;
  const lastSlash = rest.lastIndexOf('/');
  const colon = rest.indexOf(':', lastSlash + 1);
  const tag = colon >= 0 ? rest.slice(colon + 1) : undefined;
  if (colon >= 0) rest = rest.slice(0, colon);
  if (domain === DEFAULT_DOMAIN && !rest.includes('/')) rest = `library/${rest}`;
  if (rest === '' || tag === '' || digest === '') throw new Error(`invalid image reference ${JSON.stringify(image)}`);
  return { domain, path: rest, ...(tag !== undefined ? { tag } : {}), ...(digest !== undefined ? { digest } : {}) };
}

/** The fully qualified name containerd keeps: domain/path[:tag][@digest], ":latest" when neither is given. */
export function normalizeImageRef(image: string): string {
  const p = parseImageRef(image);
  const tag = p.tag ?? (p.digest ? undefined : 'latest');
  return `${p.domain}/${p.path}${tag !== undefined ? `:${tag}` : ''}${p.digest ? `@${p.digest}` : ''}`;
}

/** containerStatuses[].imageID as containerd's CRI reports it: the repository digest, "docker.io/library/busybox@sha256:…". */
export function repoDigest(image: string, digest: string): string {
  const p = parseImageRef(image);
  return `${p.domain}/${p.path}@${digest}`;
}
