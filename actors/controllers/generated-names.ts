import { nameSuffixFrom } from '../ids';

/** Generated names keep at most 63 characters: a prefix of at most 58, then the 5-character suffix (names.SimpleNameGenerator). */
const MAX_GENERATED_PREFIX = 58;

/** A generateName prefix cut to the length the name generator keeps. */
export function generatedPrefix(prefix: string): string {
  return prefix.slice(0, MAX_GENERATED_PREFIX);
}

/**
 * The first `count` names among `<prefix><suffix(seed, slot)>` for slots 0, 1, 2 … not in `taken`
 * (which gains them). Deterministic where upstream's generateName is random: a pass replayed, or
 * repeated on a view that has not caught up with its own creates, asks for the same names and the
 * duplicates are refused.
 */
export function freeNames(prefix: string, seed: string, taken: Set<string>, count: number): string[] {
  const names: string[] = [];
  for (let slot = 0; names.length < count; slot++) {
    const name = prefix + nameSuffixFrom(`${seed}/${slot}`);
    if (taken.has(name)) continue;
    taken.add(name);
    names.push(name);
  }
  return names;
}
