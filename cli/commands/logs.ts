/** `skiff logs POD [-c C] [-f] [-p] [--tail N] [--timestamps] [--limit-bytes N] [--since D]`: a container's output, as kubectl logs prints it. */
import type { KubeObject } from '../../actors/kinds/types';
import type { ResourceRef } from '../../gateways/client';
import { helpFlag, parseArgs } from '../args';
import type { CliContext } from '../context';
import { parseDuration } from '../duration';
import { CliError } from '../errors';
import { chooseContainer } from '../pod-container';

const flagSpecs = {
  container: { kind: 'string', short: 'c' },
  follow: { kind: 'boolean', short: 'f' },
  previous: { kind: 'boolean', short: 'p' },
  tail: { kind: 'string' },
  timestamps: { kind: 'boolean' },
  'limit-bytes': { kind: 'string' },
  since: { kind: 'string' },
  help: helpFlag,
} as const;

const USAGE = `Usage: skiff logs [pod/]NAME [-c CONTAINER] [-f] [-p] [--tail N] [--timestamps] [--limit-bytes N] [--since DURATION] [-n NAMESPACE]

  -c, --container NAME   the container (default: the pod's only one, its default-container annotation, or its first)
  -f, --follow           keep streaming until the container ends (Ctrl-C stops)
  -p, --previous         the previous run of the container (after a restart)
      --tail N           only the last N lines (-1, the default: all)
      --timestamps       prefix each line with its time (the time the node read it)
      --limit-bytes N    stop after N bytes
      --since DURATION   only what was written in the last DURATION (e.g. 5m; best effort)
`;

export const PODS: ResourceRef = { group: '', version: 'v1', plural: 'pods', namespaced: true };

export async function runLogs(argv: string[], ctx: CliContext): Promise<number> {
  const { flags, args } = parseArgs(argv, flagSpecs);
  if (flags.help) {
    ctx.stdout.write(USAGE);
    return 0;
  }
  const name = podArgument(args, 'logs');
  const tail = integerFlag(flags.tail, 'tail', -1);
  const limitBytes = integerFlag(flags['limit-bytes'], 'limit-bytes', 0);
  const sinceMs = parseDuration(flags.since, 'since');
  const client = await ctx.client();
  // As kubectl: the pod first, to choose the container (and fail on a missing pod with its NotFound).
  const pod = await client.get<KubeObject>(PODS, name);
  const container = chooseContainer(pod, flags.container, ctx.stderr);
  const chunks = client.logs(name, {
    container,
    follow: flags.follow,
    previous: flags.previous,
    timestamps: flags.timestamps,
    ...(tail >= 0 ? { tailLines: tail } : {}),
    ...(limitBytes > 0 ? { limitBytes } : {}),
    ...(sinceMs ? { sinceSeconds: Math.ceil(sinceMs / 1000) } : {}),
    signal: ctx.signal,
  });
  for await (const chunk of chunks) ctx.stdout.write(chunk);
  return 0;
}

/** `NAME` or `pod/NAME` (also `pods/`, `po/`): these verbs talk to one pod. */
export function podArgument(args: readonly string[], verb: string): string {
  if (args.length !== 1) throw new CliError(args.length === 0 ? `skiff ${verb} needs a pod name` : `skiff ${verb} takes one pod, got: ${args.join(' ')}`);
  const [kind, name] = args[0].includes('/') ? args[0].split('/', 2) : ['pod', args[0]];
  if (!['pod', 'pods', 'po'].includes(kind.toLowerCase()) || !name) throw new CliError(`skiff ${verb} works on pods only, not "${args[0]}"`);
  return name;
}

function integerFlag(text: string | undefined, flag: string, fallback: number): number {
  if (text === undefined) return fallback;
  if (!/^-?\d+$/.test(text)) throw new CliError(`invalid argument "${text}" for "--${flag}" flag: strconv.ParseInt: parsing "${text}": invalid syntax`);
  return Number(text);
}
