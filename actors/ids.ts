import { createHash } from 'node:crypto';

/**
 * Ids derived from a command, never from a random source: replaying the same commands must yield
 * the same uids and names. A hash is pure, so this is allowed inside decide.
 */
export function uidFrom(seed: string): string {
  const h = createHash('sha256').update(seed).digest('hex');
  // Shaped like a version-4 UUID so clients that parse uids accept it.
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${((parseInt(h[16], 16) & 0x3) | 0x8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

const ALPHANUMS = 'bcdfghjklmnpqrstvwxz2456789';

/** Kubernetes' generateName suffix alphabet (no vowels, no confusable digits), 5 characters. */
export function nameSuffixFrom(seed: string): string {
  const h = createHash('sha256').update(seed).digest();
  let out = '';
  for (let i = 0; i < 5; i++) out += ALPHANUMS[h[i] % ALPHANUMS.length];
  return out;
}

/** RFC 3339 with second precision, as Kubernetes writes metadata timestamps. */
export function rfc3339(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}
