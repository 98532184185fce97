/** `skiff get`: the server's Table printed as kubectl prints it, or `-o name|yaml|json`, or `-w` as events arrive. */
import type { KubeObject } from '../../actors/kinds/types';
import { ApiError, type ApiResource, type KubeClient, type ListOptions, type Table, type WatchEvent } from '../../gateways/client';
import { helpFlag, parseArgs } from '../args';
import type { CliContext } from '../context';
import { eachName } from '../each-name';
import { CliError } from '../errors';
import { asList, formatObject, noResourcesFound, objectName, TablePrinter, typeName, withTypeMeta, type TableStyle } from '../print';
import { parseTargets, resolveTargets } from '../resources';

const flagSpecs = {
  'all-namespaces': { kind: 'boolean', short: 'A' },
  selector: { kind: 'string', short: 'l' },
  'field-selector': { kind: 'string' },
  output: { kind: 'string', short: 'o' },
  watch: { kind: 'boolean', short: 'w' },
  'no-headers': { kind: 'boolean' },
  help: helpFlag,
} as const;

const USAGE = `Usage: skiff get KIND[,KIND…] [NAME…] | KIND/NAME…  [flags]

  -n, --namespace NS        namespace (default: the kubeconfig's)
  -A, --all-namespaces      list across all namespaces
  -l, --selector SEL        label selector (app=web,tier!=db)
      --field-selector SEL  field selector (metadata.name=web)
  -o, --output FORMAT       wide | yaml | json | name
  -w, --watch               print changes as they happen
      --no-headers          omit the header row
`;

const OUTPUTS = ['wide', 'yaml', 'json', 'name'] as const;
type Output = 'table' | (typeof OUTPUTS)[number];

type Target = Readonly<{ resource: ApiResource; names: readonly string[] }>;

/** One `get` invocation, resolved. */
type Get = Readonly<{
  client: KubeClient;
  targets: readonly Target[];
  list: ListOptions;
  output: Output;
  headers: boolean;
}>;

export async function runGet(argv: string[], ctx: CliContext): Promise<number> {
  const { flags, args } = parseArgs(argv, flagSpecs);
  if (flags.help) {
    ctx.stdout.write(USAGE);
    return 0;
  }
  const output = outputOf(flags.output);
  const targets = parseTargets(args, 'get');
  if (targets.length === 0) throw new CliError('you must specify the type of resource to get (e.g. `skiff get pods`)');
  const hasNames = targets.some((t) => t.names.length > 0);
  if (hasNames && (flags.selector || flags['field-selector'])) throw new CliError('name cannot be provided when a selector is specified');

  const client = await ctx.client();
  const get: Get = {
    client,
    targets: resolveTargets(targets, await client.discover()),
    list: { allNamespaces: flags['all-namespaces'], labelSelector: flags.selector, fieldSelector: flags['field-selector'] },
    output,
    headers: !flags['no-headers'],
  };
  if (flags.watch) return watch(get, ctx);
  return output === 'table' || output === 'wide' ? printTables(get, ctx) : printObjects(get, output, ctx);
}

function outputOf(flag: string | undefined): Output {
  if (flag === undefined) return 'table';
  if ((OUTPUTS as readonly string[]).includes(flag)) return flag as Output;
  throw new CliError(`unable to match a printer suitable for the output format "${flag}", allowed formats are: ${OUTPUTS.join(',')}`);
}

function styleOf(get: Get, resource: ApiResource): TableStyle {
  return {
    wide: get.output === 'wide',
    namespaceColumn: Boolean(get.list.allNamespaces) && resource.namespaced,
    kindPrefix: get.targets.length > 1 ? typeName(resource) : undefined,
    headers: get.headers,
  };
}

async function printTables(get: Get, ctx: CliContext): Promise<number> {
  let failed = false;
  const blocks: string[] = [];
  for (const target of get.targets) {
    const { resource, names } = target;
    let table: Table | undefined;
    if (names.length === 0) table = await get.client.table(resource, get.list);
    else {
      const { found, failed: missing } = await eachName(names, (name) => get.client.table(resource, { name }), ctx.stderr);
      failed ||= missing;
      if (found.length > 0) table = { ...found[0], rows: found.flatMap((t) => t.rows) };
    }
    const text = table ? new TablePrinter(styleOf(get, resource)).format(table) : '';
    if (text) blocks.push(text);
  }
  // kubectl separates the tables of different kinds with a blank line.
  if (blocks.length > 0) ctx.stdout.write(blocks.join('\n'));
  else if (!failed) ctx.stderr.write(noResources(get));
  return failed ? 1 : 0;
}

async function printObjects(get: Get, output: 'name' | 'yaml' | 'json', ctx: CliContext): Promise<number> {
  let failed = false;
  const found: { resource: ApiResource; object: KubeObject }[] = [];
  for (const { resource, names } of get.targets) {
    const fetched =
      names.length === 0
        ? { found: (await get.client.list(resource, get.list)).items, failed: false }
        : await eachName(names, (name) => get.client.get(resource, name), ctx.stderr);
    failed ||= fetched.failed;
    found.push(...fetched.found.map((object) => ({ resource, object: withTypeMeta(resource, object) })));
  }
  if (output === 'name') {
    if (found.length === 0 && !failed) ctx.stderr.write(noResources(get));
    ctx.stdout.write(found.map(({ resource, object }) => `${objectName(resource, object.metadata.name ?? '')}\n`).join(''));
  } else {
    // One named object prints as itself; anything else as a List (even of one), as kubectl does.
    const single = get.targets.length === 1 && get.targets[0].names.length === 1;
    if (!single) ctx.stdout.write(formatObject(asList(found.map((f) => f.object)), output));
    else if (found.length === 1) ctx.stdout.write(formatObject(found[0].object, output));
  }
  return failed ? 1 : 0;
}

/** Prints the current state, then each change until the server closes the watch or Ctrl-C. */
async function watch(get: Get, ctx: CliContext): Promise<number> {
  if (get.targets.length !== 1) throw new CliError('you may only specify a single resource type');
  const [{ resource, names }] = get.targets;
  if (names.length > 1) throw new CliError(`watch is only supported on individual resources and resource collections, but ${names.length} resources were found`);
  const name = names.at(0);
  const watchOptions = { ...get.list, name, signal: ctx.signal };
  const { output } = get;

  if (output === 'table' || output === 'wide') {
    const printer = new TablePrinter(styleOf(get, resource));
    const initial = await get.client.table(resource, { ...get.list, name });
    ctx.stdout.write(printer.format(initial));
    const resourceVersion = initial.metadata.resourceVersion || initial.rows.at(0)?.object?.metadata?.resourceVersion;
    return follow(get.client.watchTable(resource, { ...watchOptions, resourceVersion }), (table) => ctx.stdout.write(printer.format(table)));
  }

  const print = objectPrinter(output, resource, ctx);
  let resourceVersion: string | undefined;
  if (name) {
    const object = await get.client.get(resource, name);
    resourceVersion = object.metadata.resourceVersion;
    print(object);
  } else {
    const list = await get.client.list(resource, get.list);
    resourceVersion = list.metadata.resourceVersion;
    list.items.forEach(print);
  }
  return follow(get.client.watch(resource, { ...watchOptions, resourceVersion }), print);
}

/** Prints each change; an ERROR event (e.g. 410 Expired) ends the command as a server error. */
async function follow<T>(events: AsyncIterable<WatchEvent<T>>, print: (object: T) => void): Promise<number> {
  for await (const event of events) {
    if (event.type === 'ERROR') throw new ApiError(event.object);
    if (event.type !== 'BOOKMARK') print(event.object);
  }
  return 0;
}

/** Prints a stream of objects; YAML documents after the first are preceded by `---`, like kubectl's YAML printer. */
function objectPrinter(output: 'name' | 'yaml' | 'json', resource: ApiResource, ctx: CliContext): (object: KubeObject) => void {
  let printed = 0;
  return (object) => {
    if (output === 'name') ctx.stdout.write(`${objectName(resource, object.metadata.name ?? '')}\n`);
    else ctx.stdout.write(`${output === 'yaml' && printed > 0 ? '---\n' : ''}${formatObject(withTypeMeta(resource, object), output)}`);
    printed++;
  };
}

function noResources(get: Get): string {
  const namespaced = get.targets.some((t) => t.resource.namespaced);
  return noResourcesFound(namespaced && !get.list.allNamespaces ? get.client.namespace : undefined);
}
