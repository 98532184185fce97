/**
 * `skiff drain NODE`: cordon, then delete the node's pods and wait until they are gone. skiff has
 * no Eviction API yet, so pods are DELETEd (no PodDisruptionBudget check); the output is kubectl's.
 * Each pod gets its own grace period (or --grace-period's) and is gone once its kubelet has
 * stopped it: a node without a running agent keeps its pods Terminating until --timeout.
 */
import type { Pod } from '../../actors/controllers/workloads';
import { isNotFound } from '../../gateways/client';
import { helpFlag, parseArgs } from '../args';
import type { CliContext } from '../context';
import { setUnschedulable } from '../cordon';
import { planDrain } from '../drain-filter';
import { parseDuration, withTimeout } from '../duration';
import { CliError } from '../errors';
import { gracePeriodFlag } from '../grace-period';
import { resolveKind } from '../resources';
import { waitUntilGone } from '../wait-until-gone';

const flagSpecs = {
  'ignore-daemonsets': { kind: 'boolean' },
  'delete-emptydir-data': { kind: 'boolean' },
  force: { kind: 'boolean' },
  timeout: { kind: 'string' },
  'grace-period': { kind: 'string' },
  help: helpFlag,
} as const;

const USAGE = `Usage: skiff drain NODE [--ignore-daemonsets] [--delete-emptydir-data] [--force] [--timeout=DURATION] [--grace-period=SECS]

      --grace-period SECS   seconds each pod gets to terminate; negative (the default): the pod's own
`;

export async function runDrain(argv: string[], ctx: CliContext): Promise<number> {
  const { flags, args } = parseArgs(argv, flagSpecs);
  if (flags.help) {
    ctx.stdout.write(USAGE);
    return 0;
  }
  if (args.length !== 1) throw new CliError('USAGE: skiff drain NODE [flags]');
  const [node] = args;
  const timeoutMs = parseDuration(flags.timeout, 'timeout');
  // Negative (the default) leaves each pod its own grace period.
  const seconds = gracePeriodFlag(flags['grace-period']);
  const grace = seconds < 0 ? undefined : seconds;
  const client = await ctx.client();
  await setUnschedulable(client, node, true, ctx.stdout);

  const [pods] = resolveKind('pods', await client.discover());
  const onNode = await client.list<Pod>(pods, { allNamespaces: true, fieldSelector: `spec.nodeName=${node}` });
  // Filtered here too: a server that ignored the field selector must not get every pod deleted.
  const plan = planDrain(onNode.items.filter((p) => p.spec?.nodeName === node), { force: Boolean(flags.force), ignoreDaemonSets: Boolean(flags['ignore-daemonsets']), deleteEmptyDirData: Boolean(flags['delete-emptydir-data']) });
  if (plan.errors.length > 0) throw new CliError(`unable to drain node "${node}" due to error: ${plan.errors.join(', ')}, continuing command...`);
  for (const warning of plan.warnings) ctx.stderr.write(`${warning}\n`);

  const timeout = withTimeout(ctx.signal, timeoutMs);
  try {
    await Promise.all(
      plan.deletable.map(async (pod) => {
        const name = pod.metadata.name ?? '';
        const namespace = pod.metadata.namespace;
        ctx.stdout.write(`evicting pod ${namespace ?? ''}/${name}\n`);
        // Already gone (its controller or someone else was quicker) is as good as deleted.
        await client.delete(pods, name, { namespace, gracePeriodSeconds: grace }).catch((err: unknown) => {
          if (!isNotFound(err)) throw err;
        });
        await waitUntilGone(client, pods, { name, namespace, uid: pod.metadata.uid }, timeout.signal);
        if (!timeout.signal.aborted) ctx.stdout.write(`pod/${name} evicted\n`);
      }),
    );
    if (timeout.timedOut()) throw new CliError(`drain did not complete within ${flags.timeout}`);
  } finally {
    timeout.clear();
  }
  if (ctx.signal.aborted) return 1;
  ctx.stdout.write(`node/${node} drained\n`);
  return 0;
}
