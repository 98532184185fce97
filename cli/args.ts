/**
 * A small pflag-like argument parser: `-n x`, `-nx`, `-n=x`, `--namespace x`, `--namespace=x`,
 * boolean clusters (`-Aw`), `--wait=false`, repeated list flags (`-f a -f b`), and `--`.
 */
import { CliError } from './errors';

export type FlagKind = 'string' | 'boolean' | 'list';
export type FlagSpec = Readonly<{ kind: FlagKind; short?: string }>;
export type FlagSpecs = Readonly<Record<string, FlagSpec>>;

type ValueOf<K extends FlagKind> = K extends 'boolean' ? boolean : K extends 'list' ? readonly string[] : string;
export type Flags<S extends FlagSpecs> = { readonly [N in keyof S]?: ValueOf<S[N]['kind']> };

export type Parsed<S extends FlagSpecs> = Readonly<{
  flags: Flags<S>;
  /** Positional arguments, in order; everything after `--` is positional. */
  args: readonly string[];
}>;

export type ParseOptions = Readonly<{
  /**
   * Leave unknown flags (and `--` with all that follows) in `args`, untouched and in order.
   * main.ts uses this to take the global flags out before a verb parses the rest.
   */
  passUnknown?: boolean;
}>;

export const helpFlag = { kind: 'boolean', short: 'h' } as const satisfies FlagSpec;

export function parseArgs<S extends FlagSpecs>(argv: readonly string[], specs: S, opts: ParseOptions = {}): Parsed<S> {
  const values: Record<string, string | boolean | string[]> = {};
  const args: string[] = [];
  const byShort = new Map(Object.entries(specs).flatMap(([name, spec]) => (spec.short ? [[spec.short, name] as const] : [])));

  const set = (name: string, value: string | boolean): void => {
    if (specs[name].kind === 'list') values[name] = [...((values[name] as string[] | undefined) ?? []), String(value)];
    else values[name] = value;
  };

  for (let i = 0; i < argv.length; i++) {
    const token = argv[i];
    const next = (flag: string): string => {
      if (i + 1 >= argv.length) throw new CliError(`flag needs an argument: ${flag}`);
      return argv[++i];
    };

    if (token === '--') {
      args.push(...argv.slice(opts.passUnknown ? i : i + 1));
      break;
    }
    if (token.startsWith('--')) {
      const eq = token.indexOf('=');
      const name = eq < 0 ? token.slice(2) : token.slice(2, eq);
      const inline = eq < 0 ? undefined : token.slice(eq + 1);
      const spec = specs[name];
      if (!spec) {
        if (opts.passUnknown) args.push(token);
        else throw new CliError(`unknown flag: --${name}`);
      } else if (spec.kind === 'boolean') set(name, parseBool(inline ?? 'true', `--${name}`));
      else set(name, inline ?? next(`--${name}`));
      continue;
    }
    if (!token.startsWith('-') || token === '-') {
      args.push(token);
      continue;
    }
    // A shorthand cluster: booleans may be grouped (-Aw); a value flag takes the rest (-nx, -n=x) or the next token.
    for (let j = 1; j < token.length; j++) {
      const short = token[j];
      const name = byShort.get(short);
      if (!name) {
        if (!opts.passUnknown) throw new CliError(`unknown shorthand flag: '${short}' in ${token}`);
        args.push(j === 1 ? token : `-${token.slice(j)}`);
        break;
      }
      const rest = token.slice(j + 1);
      if (specs[name].kind === 'boolean') {
        if (!rest.startsWith('=')) {
          set(name, true);
          continue;
        }
        set(name, parseBool(rest.slice(1), `-${short}`));
      } else {
        set(name, rest === '' ? next(`'${short}' in -${short}`) : rest.replace(/^=/, ''));
      }
      break;
    }
  }
  return { flags: values as Flags<S>, args };
}

// Go's strconv.ParseBool, which pflag uses.
const TRUE = new Set(['1', 't', 'T', 'true', 'TRUE', 'True']);
const FALSE = new Set(['0', 'f', 'F', 'false', 'FALSE', 'False']);

function parseBool(text: string, flag: string): boolean {
  if (TRUE.has(text)) return true;
  if (FALSE.has(text)) return false;
  throw new CliError(`invalid argument "${text}" for "${flag}" flag: expected true or false`);
}
