/** `skiff delete KIND NAME… | KIND/NAME… | -f FILE`: delete, print `pod "x" deleted`, then wait until gone (as kubectl does). */
import { ApiError, isNotFound, type ApiResource, type DeleteOptions, type KubeClient } from '../../gateways/client';
import { waitUntilGone } from '../wait-until-gone';
import { helpFlag, parseArgs } from '../args';
import type { CliContext } from '../context';
import { CliError, formatError } from '../errors';
import { gracePeriodFlag } from '../grace-period';
import { readManifests } from '../manifests';
import { typeName } from '../print';
import { parseTargets, resolveTargets } from '../resources';

const flagSpecs = {
  filename: { kind: 'list', short: 'f' },
  cascade: { kind: 'string' },
  'grace-period': { kind: 'string' },
  force: { kind: 'boolean' },
  now: { kind: 'boolean' },
  wait: { kind: 'boolean' },
  'ignore-not-found': { kind: 'boolean' },
  help: helpFlag,
} as const;

const USAGE = `Usage: skiff delete KIND NAME… | KIND/NAME… | -f FILE|DIR|-  [flags]

      --cascade MODE        background (default) | foreground | orphan
      --grace-period SECS   seconds the object gets to terminate (default: the object's own);
                            0 only with --force, else it means 1
      --now                 the same as --grace-period=1: stop at once, but through the kubelet
      --force               with --grace-period=0 (implied): remove at once from the API, without
                            waiting for the node to confirm the containers have stopped
      --wait=false          return without waiting for the objects to be gone
      --ignore-not-found    treat "not found" as deleted
`;

/** One object to delete. */
type Doomed = Readonly<{ resource: ApiResource; name: string; namespace?: string }>;

export async function runDelete(argv: string[], ctx: CliContext): Promise<number> {
  const { flags, args } = parseArgs(argv, flagSpecs);
  if (flags.help) {
    ctx.stdout.write(USAGE);
    return 0;
  }
  const grace = gracePeriodOf(flags['grace-period'], Boolean(flags.now), Boolean(flags.force));
  if (grace === 0) ctx.stderr.write('Warning: Immediate deletion does not wait for confirmation that the running resource has been terminated. The resource may continue to run on the cluster indefinitely.\n');
  const options: DeleteOptions = { propagationPolicy: cascadeOf(flags.cascade), gracePeriodSeconds: grace };
  const files = flags.filename ?? [];
  if (files.length > 0 && args.length > 0) throw new CliError('give objects either with -f or as arguments, not both');
  if (files.length === 0 && args.length === 0) throw new CliError('you must provide one or more resources by argument or filename');

  const client = await ctx.client();
  const doomed = files.length > 0 ? await fromFiles(client, files, ctx) : await fromArgs(client, args);
  let failed = false;
  const deleted: { target: Doomed; uid?: string }[] = [];
  for (const target of doomed) {
    try {
      const answer = await client.delete(target.resource, target.name, { ...options, namespace: target.namespace });
      ctx.stdout.write(`${typeName(target.resource)} "${target.name}" ${grace === 0 ? 'force deleted' : 'deleted'}\n`);
      deleted.push({ target, uid: answer.kind === 'Status' ? undefined : answer.metadata?.uid });
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      if (isNotFound(err) && flags['ignore-not-found']) continue;
      ctx.stderr.write(`${formatError(err)}\n`);
      failed = true;
    }
  }
  if (flags.wait ?? true) {
    for (const { target, uid } of deleted) await waitUntilGone(client, target.resource, { name: target.name, namespace: target.namespace, uid }, ctx.signal);
  }
  return failed ? 1 : 0;
}

function cascadeOf(flag: string | undefined): DeleteOptions['propagationPolicy'] {
  switch (flag) {
    case undefined:
    case 'background':
    case 'true':
      return 'Background';
    case 'foreground':
      return 'Foreground';
    case 'orphan':
    case 'false':
      return 'Orphan';
    default:
      throw new CliError(`invalid cascade value (${flag}). Must be "background", "foreground", or "orphan".`);
  }
}

/**
 * kubectl's grace period: -1 (the default) sends none, so the object's own applies; --now is 1;
 * 0 without --force becomes 1 (so a pod still stops through its kubelet); --force alone means 0,
 * and with a period above 0 is an error. Only 0 removes at once.
 */
function gracePeriodOf(flag: string | undefined, now: boolean, force: boolean): number | undefined {
  let seconds = gracePeriodFlag(flag);
  if (now) {
    if (seconds !== -1) throw new CliError('--now and --grace-period cannot be specified together');
    seconds = 1;
  }
  if (seconds === 0 && !force) seconds = 1;
  if (force && seconds < 0) seconds = 0;
  if (force && seconds > 0) throw new CliError('--force and --grace-period greater than 0 cannot be specified together');
  return seconds < 0 ? undefined : seconds;
}

async function fromArgs(client: KubeClient, args: readonly string[]): Promise<Doomed[]> {
  const targets = resolveTargets(parseTargets(args, 'delete'), await client.discover());
  if (targets.some((t) => t.names.length === 0)) throw new CliError('resource(s) were provided, but no name was specified');
  return targets.flatMap(({ resource, names }) => names.map((name) => ({ resource, name })));
}

async function fromFiles(client: KubeClient, files: readonly string[], ctx: CliContext): Promise<Doomed[]> {
  const doomed: Doomed[] = [];
  for (const { source, object } of await readManifests(files, ctx.stdin)) {
    const resource = await client.findKind(object.apiVersion, object.kind);
    if (!resource) throw new CliError(`resource mapping not found in "${source}": no matches for kind "${object.kind}" in version "${object.apiVersion}"`);
    if (!object.metadata.name) throw new CliError(`error when deleting "${source}": ${object.kind} has no metadata.name`);
    doomed.push({ resource, name: object.metadata.name, namespace: resource.namespaced ? object.metadata.namespace : undefined });
  }
  return doomed;
}
