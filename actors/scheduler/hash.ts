/**
 * FNV-1a over a string's UTF-16 code units: pure, fast and the same on every run, which is all a
 * tie-break or a generated name needs (kube-scheduler breaks ties at random and names events after
 * the clock; a replayable log can do neither). Not for security.
 */

const FNV32_OFFSET = 0x811c9dc5;
const FNV32_PRIME = 0x01000193;

/** `from` continues an earlier hash, so fnv1a32(b, fnv1a32(a)) === fnv1a32(a + b): a shared prefix is hashed once. */
export function fnv1a32(text: string, from = FNV32_OFFSET): number {
  let h = from;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, FNV32_PRIME);
  }
  return h >>> 0;
}

const FNV64_OFFSET = 0xcbf29ce484222325n;
const FNV64_PRIME = 0x100000001b3n;
const MASK64 = (1n << 64n) - 1n;

/** 64 bits as 16 lowercase hex digits, the width of the `%x` of a UnixNano in upstream event names. */
export function fnv1a64Hex(text: string): string {
  let h = FNV64_OFFSET;
  for (let i = 0; i < text.length; i++) {
    h ^= BigInt(text.charCodeAt(i));
    h = (h * FNV64_PRIME) & MASK64;
  }
  return h.toString(16).padStart(16, '0');
}
