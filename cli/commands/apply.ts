/** `skiff apply -f FILE|DIR|-`: create what is missing, server-side apply the rest. */
import type { KubeObject } from '../../actors/kinds/types';
import { ApiError, isNotFound, type KubeClient } from '../../gateways/client';
import { helpFlag, parseArgs } from '../args';
import type { CliContext } from '../context';
import { CliError, formatError } from '../errors';
import { readManifests, type Manifest } from '../manifests';
import { objectName } from '../print';

const FIELD_MANAGER = 'skiff';

const flagSpecs = {
  filename: { kind: 'list', short: 'f' },
  help: helpFlag,
} as const;

const USAGE = `Usage: skiff apply -f FILE|DIR|- [-f …] [-n NAMESPACE]

Creates each object that does not exist and server-side applies the others
(field manager "skiff", conflicts forced). Prints created, configured or unchanged.
`;

export async function runApply(argv: string[], ctx: CliContext): Promise<number> {
  const { flags, args } = parseArgs(argv, flagSpecs);
  if (flags.help) {
    ctx.stdout.write(USAGE);
    return 0;
  }
  if (args.length > 0) throw new CliError(`unexpected arguments: ${args.join(' ')} (files are given with -f)`);
  const files = flags.filename ?? [];
  if (files.length === 0) throw new CliError('must specify -f FILE, a directory, or - for stdin');
  const manifests = await readManifests(files, ctx.stdin);
  if (manifests.length === 0) throw new CliError('no objects passed to apply');

  const client = await ctx.client();
  let failed = 0;
  for (const manifest of manifests) {
    try {
      ctx.stdout.write(`${await applyOne(client, manifest, ctx.globals.namespace)}\n`);
    } catch (err) {
      // Per-object problems are reported and the rest still applied; anything else (unreachable server) stops here.
      if (!(err instanceof ApiError || err instanceof CliError)) throw err;
      ctx.stderr.write(`${formatError(err, `error when applying "${manifest.source}"`)}\n`);
      failed++;
    }
  }
  return failed > 0 ? 1 : 0;
}

async function applyOne(client: KubeClient, { source, object }: Manifest, namespaceFlag: string | undefined): Promise<string> {
  const name = object.metadata.name;
  const resource = await client.findKind(object.apiVersion, object.kind);
  if (!resource) {
    throw new CliError(
      `resource mapping not found for name: "${name ?? ''}" namespace: "${object.metadata.namespace ?? ''}" from "${source}": no matches for kind "${object.kind}" in version "${object.apiVersion}" (is it installed?)`,
    );
  }
  if (!name) throw new CliError(`error when applying "${source}": ${object.kind} has no metadata.name`);

  const namespace = resource.namespaced ? namespaceOf(object, namespaceFlag, client.namespace) : undefined;
  const body: KubeObject = namespace ? { ...object, metadata: { ...object.metadata, namespace } } : object;
  const label = objectName(resource, name);

  let live: KubeObject | undefined;
  try {
    live = await client.get(resource, name, { namespace });
  } catch (err) {
    if (!isNotFound(err)) throw err;
  }
  if (!live) {
    try {
      await client.create(resource, body, { namespace, fieldManager: FIELD_MANAGER });
      return `${label} created`;
    } catch (err) {
      // Someone created it since our GET: fall through and apply over it.
      if (!(err instanceof ApiError && err.reason === 'AlreadyExists')) throw err;
    }
  }
  const applied = await client.patch(resource, name, 'apply', body, { namespace, fieldManager: FIELD_MANAGER, force: true });
  // The server keeps resourceVersion when an apply changes nothing.
  const unchanged = live !== undefined && applied.metadata.resourceVersion === live.metadata.resourceVersion;
  return `${label} ${unchanged ? 'unchanged' : 'configured'}`;
}

/** The manifest's namespace, else `-n`, else the kubeconfig's; a manifest and `-n` that disagree is an error, as in kubectl. */
function namespaceOf(object: KubeObject, flag: string | undefined, fallback: string): string {
  const fromFile = object.metadata.namespace;
  if (fromFile && flag && fromFile !== flag) {
    throw new CliError(
      `the namespace from the provided object "${fromFile}" does not match the namespace "${flag}". You must pass '--namespace=${fromFile}' to perform this operation.`,
    );
  }
  return fromFile || fallback;
}
