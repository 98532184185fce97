/**
 * Kubernetes' `$(VAR)` expansion (third_party/forked/golang/expansion), used for env values,
 * command, args and subPathExpr:
 * - `$(NAME)` becomes the mapping's value for NAME;
 * - `$$` is an escaped `$`, so `$$(NAME)` gives `$(NAME)` as written;
 * - a `$` before any other character, an unclosed `$(` and a trailing `$` stay as written.
 */
export type Mapping = (name: string) => string;

/** Looks a name up in each context in turn; an unknown name stays `$(NAME)`, as written. */
export function mappingFor(...contexts: readonly ReadonlyMap<string, string>[]): Mapping {
  return (name) => {
    for (const vars of contexts) {
      const value = vars.get(name);
      if (value !== undefined) return value;
    }
    return `$(${name})`;
  };
}

export function expand(input: string, mapping: Mapping): string {
  let out = '';
  let checkpoint = 0;
  for (let cursor = 0; cursor < input.length; cursor++) {
    if (input[cursor] !== '$' || cursor + 1 >= input.length) continue;
    out += input.slice(checkpoint, cursor);
    const { read, isVar, advance } = readVariableName(input, cursor + 1);
    out += isVar ? mapping(read) : read;
    cursor += advance;
    checkpoint = cursor + 1;
  }
  return out + input.slice(checkpoint);
}

/** What follows a `$` at `at`: a variable name, an escaped `$`, or text to copy as it is. */
function readVariableName(input: string, at: number): { read: string; isVar: boolean; advance: number } {
  const next = input[at];
  if (next === '$') return { read: '$', isVar: false, advance: 1 };
  if (next !== '(') return { read: `$${next}`, isVar: false, advance: 1 };
  const close = input.indexOf(')', at + 1);
  if (close < 0) return { read: '$(', isVar: false, advance: 1 };
  return { read: input.slice(at + 1, close), isVar: true, advance: close - at + 1 };
}
