/** `skiff describe KIND [NAME…] | KIND/NAME…`: kubectl-like details of each object, then its Events. */
import { helpFlag, parseArgs } from '../args';
import type { CliContext } from '../context';
import { describeObject } from '../describe/describers';
import { eachName } from '../each-name';
import { CliError } from '../errors';
import { noResourcesFound } from '../print';
import { parseTargets, resolveTargets } from '../resources';

const flagSpecs = {
  selector: { kind: 'string', short: 'l' },
  help: helpFlag,
} as const;

const USAGE = `Usage: skiff describe KIND [NAME…] | KIND/NAME…  [-n NAMESPACE] [-l SELECTOR]

Without a name, describes every object of the kind (that matches -l).
`;

export async function runDescribe(argv: string[], ctx: CliContext): Promise<number> {
  const { flags, args } = parseArgs(argv, flagSpecs);
  if (flags.help) {
    ctx.stdout.write(USAGE);
    return 0;
  }
  const targets = parseTargets(args, 'describe');
  if (targets.length === 0) throw new CliError('you must specify the type of resource to describe (e.g. `skiff describe pod web-1`)');
  const client = await ctx.client();
  const deps = { client, nowMs: ctx.now() };
  let failed = false;
  const descriptions: string[] = [];
  const resolved = resolveTargets(targets, await client.discover());
  for (const { resource, names } of resolved) {
    const { found, failed: missing } =
      names.length === 0
        ? { found: (await client.list(resource, { labelSelector: flags.selector })).items, failed: false }
        : await eachName(names, (name) => client.get(resource, name), ctx.stderr);
    failed ||= missing;
    for (const object of found) descriptions.push(await describeObject(resource, object, deps));
  }
  if (descriptions.length > 0) ctx.stdout.write(descriptions.join('\n\n'));
  else if (!failed) ctx.stderr.write(noResourcesFound(resolved.some((t) => t.resource.namespaced) ? client.namespace : undefined));
  return failed ? 1 : 0;
}
