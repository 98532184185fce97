/** `skiff scale KIND/NAME --replicas=N [--current-replicas=M]` through the /scale subresource, as kubectl does. */
import type { KubeObject } from '../../actors/kinds/types';
import { helpFlag, parseArgs } from '../args';
import type { CliContext } from '../context';
import { CliError } from '../errors';
import { objectName } from '../print';
import { resolveWorkload } from '../workload-target';

const flagSpecs = {
  replicas: { kind: 'string' },
  'current-replicas': { kind: 'string' },
  help: helpFlag,
} as const;

const USAGE = `Usage: skiff scale deployment|replicaset NAME | KIND/NAME --replicas=N [--current-replicas=M]

      --replicas N           the new desired number of replicas
      --current-replicas M   only scale if the object has M replicas now
`;

type Scale = KubeObject & { spec?: { replicas?: number } };

export async function runScale(argv: string[], ctx: CliContext): Promise<number> {
  const { flags, args } = parseArgs(argv, flagSpecs);
  if (flags.help) {
    ctx.stdout.write(USAGE);
    return 0;
  }
  const replicas = count(flags.replicas);
  if (replicas === undefined) throw new CliError('The --replicas=COUNT flag is required, and COUNT must be greater than or equal to 0');
  const current = count(flags['current-replicas']);
  if (flags['current-replicas'] !== undefined && current === undefined) throw new CliError(`invalid argument "${flags['current-replicas']}" for "--current-replicas" flag`);

  const client = await ctx.client();
  const { resource, name } = await resolveWorkload(client, args, 'scale', ['Deployment', 'ReplicaSet']);
  // kubectl GETs the object first: a missing one fails with its NotFound, not the subresource's.
  await client.get(resource, name);
  if (current === undefined) {
    await client.patch(resource, name, 'merge', { spec: { replicas } }, { subresource: 'scale' });
  } else {
    // The precondition is checked here and guarded by resourceVersion: a change in between is a 409.
    const scale = await client.get<Scale>(resource, name, { subresource: 'scale' });
    const actual = scale.spec?.replicas ?? 0;
    if (actual !== current) throw new CliError(`Expected replicas to be ${current}, was ${actual}`);
    await client.replace(resource, { ...scale, spec: { ...scale.spec, replicas } }, { subresource: 'scale' });
  }
  ctx.stdout.write(`${objectName(resource, name)} scaled\n`);
  return 0;
}

function count(text: string | undefined): number | undefined {
  return text !== undefined && /^\d+$/.test(text) ? Number(text) : undefined;
}
