/** The single `KIND/NAME` or `KIND NAME` object that `scale` and `rollout` act on. */
import type { ApiResource, KubeClient } from '../gateways/client';
import { CliError } from './errors';
import { parseTargets, resolveKind } from './resources';

export type WorkloadTarget = Readonly<{ resource: ApiResource; name: string }>;

/** Resolves exactly one named object whose kind is one of `kinds` (e.g. Deployment, ReplicaSet). */
export async function resolveWorkload(client: KubeClient, args: readonly string[], verb: string, kinds: readonly string[]): Promise<WorkloadTarget> {
  const targets = parseTargets(args, verb);
  if (targets.length === 0) throw new CliError(`required resource not specified (e.g. \`skiff ${verb} deployment/web\`)`);
  const names = targets.flatMap((t) => t.names);
  if (names.length === 0) throw new CliError('resource(s) were provided, but no name was specified');
  if (targets.length > 1 || names.length > 1) throw new CliError(`skiff ${verb} takes exactly one object`);
  const [resource] = resolveKind(targets[0].kind, await client.discover());
  if (!kinds.includes(resource.kind)) throw new CliError(`skiff ${verb} does not support ${resource.kind} (only ${kinds.join(', ')})`);
  return { resource, name: names[0] };
}
