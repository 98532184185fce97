/** `skiff cordon NODE…` / `skiff uncordon NODE…`. */
import { helpFlag, parseArgs } from '../args';
import type { CliContext } from '../context';
import { setUnschedulable } from '../cordon';
import { CliError } from '../errors';

export const runCordon = (argv: string[], ctx: CliContext): Promise<number> => mark(argv, ctx, true);
export const runUncordon = (argv: string[], ctx: CliContext): Promise<number> => mark(argv, ctx, false);

async function mark(argv: string[], ctx: CliContext, unschedulable: boolean): Promise<number> {
  const verb = unschedulable ? 'cordon' : 'uncordon';
  const { flags, args } = parseArgs(argv, { help: helpFlag });
  if (flags.help) {
    ctx.stdout.write(`Usage: skiff ${verb} NODE…\n`);
    return 0;
  }
  if (args.length === 0) throw new CliError(`USAGE: skiff ${verb} NODE`);
  const client = await ctx.client();
  for (const node of args) await setUnschedulable(client, node, unschedulable, ctx.stdout);
  return 0;
}
