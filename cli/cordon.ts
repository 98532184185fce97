/** Marking a Node (un)schedulable, shared by `cordon`, `uncordon` and `drain`. */
import type { KubeObject } from '../actors/kinds/types';
import type { KubeClient } from '../gateways/client';
import type { Output } from './context';
import { resolveKind } from './resources';

/** Patches spec.unschedulable unless already so; prints `node/x cordoned` or `node/x already cordoned`, as kubectl. */
export async function setUnschedulable(client: KubeClient, node: string, unschedulable: boolean, out: Output): Promise<void> {
  const [nodes] = resolveKind('nodes', await client.discover());
  const live = await client.get<KubeObject & { spec?: { unschedulable?: boolean } }>(nodes, node);
  const verb = unschedulable ? 'cordoned' : 'uncordoned';
  if (Boolean(live.spec?.unschedulable) === unschedulable) {
    out.write(`node/${node} already ${verb}\n`);
    return;
  }
  await client.patch(nodes, node, 'strategic', { spec: { unschedulable } });
  out.write(`node/${node} ${verb}\n`);
}
