import type { PodTemplateSpec } from './workloads';

/**
 * The `pod-template-hash` label: what names a Deployment's ReplicaSets (`<deployment>-<hash>`) and
 * keeps their selectors apart.
 *
 * Upstream (controller.ComputeHash) feeds FNV-32a with the template printed by go-spew (`%#v` of
 * the Go struct v1.PodTemplateSpec: every field of every nested type, zero values included, in Go
 * declaration order), then the collisionCount, and renders the decimal sum with
 * rand.SafeEncodeString. Reproducing the spew text would mean mirroring the full Go type tree of
 * one Kubernetes release, and upstream's own hashes change between releases. So the hash here is
 * FNV-32a over canonical JSON of the template (keys sorted, empty values dropped) plus the same
 * collisionCount bytes, encoded the same way: the same alphabet and shape (up to ten characters
 * from "bcdfghjklmnpqrstvwxz2456789"), but not the same value as a Kubernetes cluster would give.
 * Nothing depends on the value itself: the controller finds a Deployment's current ReplicaSet by
 * comparing templates with the label removed, as upstream does since hashes became unstable.
 */

export const POD_TEMPLATE_HASH_LABEL = 'pod-template-hash';

const SAFE_ALPHANUMS = 'bcdfghjklmnpqrstvwxz2456789';
const FNV32_OFFSET = 0x811c9dc5;
const FNV32_PRIME = 0x01000193;

export function fnv32a(bytes: Uint8Array): number {
  let hash = FNV32_OFFSET;
  for (const byte of bytes) hash = Math.imul(hash ^ byte, FNV32_PRIME) >>> 0;
  return hash >>> 0;
}

/** rand.SafeEncodeString: each character becomes one of the alphabet, chosen by its code point. */
export function safeEncodeString(text: string): string {
  let out = '';
  for (const ch of text) out += SAFE_ALPHANUMS[(ch.codePointAt(0) ?? 0) % SAFE_ALPHANUMS.length];
  return out;
}

/** The template's hash; `collisionCount` (status.collisionCount) is hashed in when set, even at 0, as upstream does. */
export function computeHash(template: PodTemplateSpec, collisionCount: number | undefined): string {
  const text = new TextEncoder().encode(canonicalJson(template));
  let bytes = text;
  if (collisionCount !== undefined) {
    // Upstream writes the count as a little-endian uint32 into an 8-byte buffer.
    bytes = new Uint8Array(text.length + 8);
    bytes.set(text);
    new DataView(bytes.buffer).setUint32(text.length, collisionCount >>> 0, true);
  }
  return safeEncodeString(String(fnv32a(bytes)));
}

/** apiequality.Semantic.DeepEqual of two templates once both lose their pod-template-hash label (deploymentutil.EqualIgnoreHash). */
export function equalIgnoringHash(a: PodTemplateSpec | undefined, b: PodTemplateSpec | undefined): boolean {
  return canonicalJson(withoutHashLabel(a)) === canonicalJson(withoutHashLabel(b));
}

function withoutHashLabel(template: PodTemplateSpec | undefined): PodTemplateSpec {
  const labels = { ...(template?.metadata?.labels ?? {}) };
  delete labels[POD_TEMPLATE_HASH_LABEL];
  return { ...template, metadata: { ...template?.metadata, labels } };
}

/**
 * JSON with sorted keys, where null, empty objects and empty arrays count as absent: Go's semantic
 * equality treats nil and empty maps and slices alike, and JSON cannot tell them apart anyway.
 */
function canonicalJson(value: unknown): string {
  return JSON.stringify(normalize(value) ?? null);
}

function normalize(value: unknown): unknown {
  if (value === null || value === undefined) return undefined;
  if (Array.isArray(value)) {
    const items = value.map((item) => normalize(item) ?? null);
    return items.length > 0 ? items : undefined;
  }
  if (typeof value === 'object') {
    const entries = Object.keys(value)
      .sort()
      .map((key) => [key, normalize((value as Record<string, unknown>)[key])] as const)
      .filter(([, v]) => v !== undefined);
    return entries.length > 0 ? Object.fromEntries(entries) : undefined;
  }
  return value;
}
