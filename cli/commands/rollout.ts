/** `skiff rollout status|history|undo|pause|resume|restart deployment/NAME`, with kubectl's requests and output. */
import type { Deployment, ReplicaSet } from '../../actors/controllers/workloads';
import { ApiError, type ApiResource, type KubeClient } from '../../gateways/client';
import { helpFlag, parseArgs } from '../args';
import type { CliContext } from '../context';
import { formatSelector } from '../describe/common';
import { parseDuration, withTimeout } from '../duration';
import { CliError } from '../errors';
import { objectName } from '../print';
import { resolveKind } from '../resources';
import { formatHistory, formatRevision, revisionsOf } from '../rollout/history';
import { deploymentRolloutStatus } from '../rollout/status';
import { undoPatch, undoTarget } from '../rollout/undo';
import { resolveWorkload } from '../workload-target';

const flagSpecs = {
  revision: { kind: 'string' },
  'to-revision': { kind: 'string' },
  timeout: { kind: 'string' },
  watch: { kind: 'boolean', short: 'w' },
  help: helpFlag,
} as const;

const USAGE = `Usage: skiff rollout SUBCOMMAND deployment/NAME [flags]

  status   [--timeout=DURATION] [--watch=false]   wait until the rollout completes
  history  [--revision=N]                         list revisions, or show one's pod template
  undo     [--to-revision=N]                      roll back to the previous (or given) revision
  pause | resume                                  stop / continue rolling out template changes
  restart                                         roll out new pods with an unchanged template
`;

type Rollout = Readonly<{ client: KubeClient; resource: ApiResource; name: string; flags: ReturnType<typeof parseArgs<typeof flagSpecs>>['flags']; ctx: CliContext }>;

const subcommands: Readonly<Record<string, (r: Rollout) => Promise<number>>> = { status, history, undo, pause, resume, restart };

export async function runRollout(argv: string[], ctx: CliContext): Promise<number> {
  const { flags, args } = parseArgs(argv, flagSpecs);
  const [sub, ...rest] = args;
  if (flags.help || sub === undefined) {
    ctx.stdout.write(USAGE);
    return flags.help ? 0 : 1;
  }
  const run = Object.hasOwn(subcommands, sub) ? subcommands[sub] : undefined;
  if (!run) throw new CliError(`unknown command "${sub}" for "skiff rollout" (status, history, undo, pause, resume, restart)`);
  const client = await ctx.client();
  const { resource, name } = await resolveWorkload(client, rest, `rollout ${sub}`, ['Deployment']);
  return run({ client, resource, name, flags, ctx });
}

/** kubectl: GET, then list+watch the one Deployment (fieldSelector metadata.name) printing each state until done. */
async function status({ client, resource, name, flags, ctx }: Rollout): Promise<number> {
  const timeout = withTimeout(ctx.signal, parseDuration(flags.timeout, 'timeout'));
  try {
    await client.get(resource, name);
    const list = await client.list<Deployment>(resource, { fieldSelector: `metadata.name=${name}` });
    const [initial] = list.items;
    if (initial && print(initial)) return 0;
    if (flags.watch === false) return 0;
    for await (const event of client.watch<Deployment>(resource, { name, resourceVersion: list.metadata.resourceVersion, signal: timeout.signal })) {
      if (event.type === 'ERROR') throw new ApiError(event.object);
      if (event.type === 'DELETED') throw new CliError(`object has been deleted`);
      if ((event.type === 'ADDED' || event.type === 'MODIFIED') && print(event.object)) return 0;
    }
    if (timeout.timedOut()) throw new CliError('timed out waiting for the condition');
    return 1;
  } finally {
    timeout.clear();
  }

  function print(d: Deployment): boolean {
    const { message, done } = deploymentRolloutStatus(d);
    ctx.stdout.write(message);
    return done;
  }
}

async function history({ client, resource, name, flags, ctx }: Rollout): Promise<number> {
  const { deployment, revisions } = await revisionsFor(client, resource, name);
  const title = objectName(resource, deployment.metadata.name ?? name);
  const wanted = revisionFlag(flags.revision, 'revision');
  ctx.stdout.write(wanted > 0 ? formatRevision(title, revisions, wanted) : formatHistory(title, revisions));
  return 0;
}

async function undo({ client, resource, name, flags, ctx }: Rollout): Promise<number> {
  const { deployment, revisions } = await revisionsFor(client, resource, name);
  if (deployment.spec.paused) {
    throw new CliError(`you cannot rollback a paused deployment; resume it first with 'skiff rollout resume deployment/${name}' and try again`);
  }
  const target = undoTarget(deployment, revisions, revisionFlag(flags['to-revision'], 'to-revision'));
  const patch = undoPatch(deployment, target);
  if (!patch) {
    ctx.stdout.write(`${objectName(resource, name)} skipped rollback (current template already matches revision ${target.revision})\n`);
    return 0;
  }
  await client.patch(resource, name, 'json', patch);
  ctx.stdout.write(`${objectName(resource, name)} rolled back\n`);
  return 0;
}

function pause(r: Rollout): Promise<number> {
  return setPaused(r, true);
}

function resume(r: Rollout): Promise<number> {
  return setPaused(r, false);
}

/** kubectl's Pauser/Resumer refuse a no-op with `deployments.apps "web" is already paused` / `is not paused`. */
async function setPaused({ client, resource, name, ctx }: Rollout, paused: boolean): Promise<number> {
  const deployment = await client.get<Deployment>(resource, name);
  if (Boolean(deployment.spec.paused) === paused) throw new CliError(`${qualified(resource)} "${name}" ${paused ? 'is already paused' : 'is not paused'}`);
  await client.patch(resource, name, 'strategic', { spec: { paused } });
  ctx.stdout.write(`${objectName(resource, name)} ${paused ? 'paused' : 'resumed'}\n`);
  return 0;
}

/** A template annotation with the time: a new template hash, so a new ReplicaSet and fresh pods. */
async function restart({ client, resource, name, ctx }: Rollout): Promise<number> {
  const deployment = await client.get<Deployment>(resource, name);
  if (deployment.spec.paused) throw new CliError(`${qualified(resource)} "${name}" can't restart paused deployment (run rollout resume first)`);
  const restartedAt = new Date(ctx.now()).toISOString().replace(/\.\d{3}Z$/, 'Z');
  const body = { spec: { template: { metadata: { annotations: { 'kubectl.kubernetes.io/restartedAt': restartedAt } } } } };
  await client.patch(resource, name, 'strategic', body, { fieldManager: 'kubectl-rollout' });
  ctx.stdout.write(`${objectName(resource, name)} restarted\n`);
  return 0;
}

/** GET the Deployment, list ReplicaSets by its selector, keep those it controls (§9.4). */
async function revisionsFor(client: KubeClient, resource: ApiResource, name: string): Promise<{ deployment: Deployment; revisions: ReturnType<typeof revisionsOf> }> {
  const deployment = await client.get<Deployment>(resource, name);
  const [replicaSets] = resolveKind('replicasets.apps', await client.discover());
  const list = await client.list<ReplicaSet>(replicaSets, { labelSelector: formatSelector(deployment.spec.selector) });
  return { deployment, revisions: revisionsOf(deployment, list.items) };
}

function revisionFlag(text: string | undefined, flag: string): number {
  if (text === undefined) return 0;
  if (!/^\d+$/.test(text)) throw new CliError(`invalid argument "${text}" for "--${flag}" flag: strconv.ParseInt: parsing "${text}": invalid syntax`);
  return Number(text);
}

/** `deployments.apps`: how kubectl names the resource in these errors. */
function qualified(resource: ApiResource): string {
  return resource.group ? `${resource.plural}.${resource.group}` : resource.plural;
}
