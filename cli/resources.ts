/** Resource arguments as kubectl reads them, resolved against the server's discovery (so new kinds just work). */
import type { ApiResource } from '../gateways/client';
import { CliError } from './errors';

/** One kind argument and the names asked for (none = all of that kind). */
export type Target = Readonly<{ kind: string; names: readonly string[] }>;

/** `KIND[,KIND] [NAME…]` or `KIND/NAME…`, grouped by kind in first-seen order. */
export function parseTargets(args: readonly string[], verb: string): Target[] {
  if (args.length === 0) return [];
  if (!args[0].includes('/')) {
    const [kinds, ...names] = args;
    if (names.some((n) => n.includes('/'))) throw mixedForms(verb);
    return kinds.split(',').filter((k) => k !== '').map((kind) => ({ kind, names }));
  }
  const byKind = new Map<string, string[]>();
  for (const arg of args) {
    const slash = arg.indexOf('/');
    if (slash < 0) throw mixedForms(verb);
    const kind = arg.slice(0, slash);
    const name = arg.slice(slash + 1);
    if (!kind || !name || name.includes('/')) throw new CliError(`arguments in resource/name form must have a single resource and name: "${arg}"`);
    byKind.set(kind, [...(byKind.get(kind) ?? []), name]);
  }
  return [...byKind].map(([kind, names]) => ({ kind, names }));
}

function mixedForms(verb: string): CliError {
  return new CliError(
    `there is no need to specify a resource type as a separate argument when passing arguments in resource/name form (e.g. 'skiff ${verb} resource/<resource_name>' instead of 'skiff ${verb} resource resource/<resource_name>')`,
  );
}

/**
 * The resource types a kind argument names, kubectl's way: plural, singular, short name or kind
 * (any case), optionally qualified as `plural.group` or `plural.version.group`; the first match in
 * discovery order wins (core first, preferred versions first). Failing that, a category
 * (`all`) names every type in it.
 */
export function resolveKind(arg: string, resources: readonly ApiResource[]): readonly ApiResource[] {
  const wanted = arg.toLowerCase();
  const dot = wanted.indexOf('.');
  const name = dot < 0 ? wanted : wanted.slice(0, dot);
  const qualifier = dot < 0 ? undefined : wanted.slice(dot + 1);
  const match = resources.find(
    (r) =>
      (r.plural === name || r.singular === name || r.kind.toLowerCase() === name || r.shortNames.includes(name)) &&
      (qualifier === undefined || qualifier === r.group || qualifier === `${r.version}.${r.group}`),
  );
  if (match) return [match];
  const inCategory = uniqueTypes(resources.filter((r) => r.categories.includes(wanted)));
  if (inCategory.length > 0) return inCategory;
  throw new CliError(`the server doesn't have a resource type "${arg}"`);
}

/** Resolves every target, merging those that name the same type (`pods,po`). */
export function resolveTargets(targets: readonly Target[], resources: readonly ApiResource[]): { resource: ApiResource; names: readonly string[] }[] {
  const resolved = new Map<string, { resource: ApiResource; names: string[] }>();
  for (const target of targets) {
    for (const resource of resolveKind(target.kind, resources)) {
      const key = `${resource.group}/${resource.plural}`;
      const entry = resolved.get(key) ?? { resource, names: [] };
      entry.names.push(...target.names.filter((n) => !entry.names.includes(n)));
      resolved.set(key, entry);
    }
  }
  return [...resolved.values()];
}

/** One entry per group/plural: the first (preferred) version. */
function uniqueTypes(resources: readonly ApiResource[]): ApiResource[] {
  const seen = new Set<string>();
  return resources.filter((r) => {
    const key = `${r.group}/${r.plural}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
