/**
 * Image references as docker, containerd and the kubelet read them (distribution/reference's
 * grammar and its `ParseNormalizedNamed`): `busybox` → `docker.io/library/busybox:latest`,
 * `me/app:1` → `docker.io/me/app:1`, `index.docker.io/x` → `docker.io/library/x:latest`,
 * `skiff.local/busybox:1.35` and `localhost:5000/x@sha256:…` kept as they are. containerd stores
 * and looks up images by the full name only. Pure; the one normalizer of the project.
 */
import { ImageNameError } from './errors';

export type ImageRef = Readonly<{
  /** Registry host (and port): `docker.io`, `skiff.local`, `localhost:5000`. */
  domain: string;
  /** Repository path inside the registry: `library/busybox`. */
  path: string;
  tag?: string;
  digest?: string;
}>;

export const DEFAULT_DOMAIN = 'docker.io';
export const DEFAULT_TAG = 'latest';
/** Docker Hub's old name, read as `docker.io`. */
const LEGACY_DEFAULT_DOMAIN = 'index.docker.io';

const COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const DOMAIN = /^(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*(?::[0-9]+)?$/;
const TAG = /^[\w][\w.-]{0,127}$/;
/** algorithm:hex; the hex's length is left to the store and the registry to judge. */
const DIGEST = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-fA-F0-9]+$/;

/** Parses and fills in what docker fills in (domain, `library/`, `:latest` when neither tag nor digest). */
export function parseImageRef(text: string): ImageRef {
  const bad = (why: string): ImageNameError => new ImageNameError(`invalid image reference "${text}": ${why}`);
  if (text === '') throw bad('empty');
  let rest = text;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!DIGEST.test(digest)) throw bad(`"${digest}" is not a digest`);
  }
  let tag: string | undefined;
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!TAG.test(tag)) throw bad(`"${tag}" is not a tag`);
  }
  const slash = rest.indexOf('/');
  const first = slash < 0 ? '' : rest.slice(0, slash);
  const hasDomain = first !== '' && (first.includes('.') || first.includes(':') || first === 'localhost' || first !== first.toLowerCase());
  const domain = !hasDomain || first === LEGACY_DEFAULT_DOMAIN ? DEFAULT_DOMAIN : first;
  let path = hasDomain ? rest.slice(slash + 1) : rest;
  if (hasDomain && !DOMAIN.test(domain)) throw bad(`"${domain}" is not a registry host`);
  if (domain === DEFAULT_DOMAIN && !path.includes('/')) path = `library/${path}`;
  for (const component of path.split('/')) {
    if (!COMPONENT.test(component)) throw bad(component === '' ? 'empty path component' : `"${component}" must be lowercase letters, digits and separators (. _ __ -)`);
  }
  if (`${domain}/${path}`.length > 255) throw bad('name longer than 255 characters');
  return { domain, path, ...(tag === undefined && digest === undefined ? { tag: DEFAULT_TAG } : tag === undefined ? {} : { tag }), ...(digest === undefined ? {} : { digest }) };
}

export function formatImageRef(ref: ImageRef): string {
  return `${ref.domain}/${ref.path}${ref.tag === undefined ? '' : `:${ref.tag}`}${ref.digest === undefined ? '' : `@${ref.digest}`}`;
}

/** The full name containerd stores an image under: `busybox:1` → `docker.io/library/busybox:1`. */
export function normalizeImageName(text: string): string {
  return formatImageRef(parseImageRef(text));
}

/** containerStatuses[].imageID as containerd's CRI reports it, the repository digest: `busybox:1.36` + `sha256:…` → `docker.io/library/busybox@sha256:…`. */
export function repoDigest(image: string, digest: string): string {
  const ref = parseImageRef(image);
  return `${ref.domain}/${ref.path}@${digest}`;
}
