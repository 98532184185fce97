/**
 * kube-scheduler's words for a pod no node can take (framework.FitError.Error()), so that users,
 * docs and tools that search for them find them here too.
 */

/** ErrNoNodesAvailable: with no nodes at all there is nothing to count. */
export const NO_NODES_AVAILABLE = 'no nodes available to schedule pods';

/**
 * "0/N nodes are available: <count> <reason>, …." then the PostFilter (preemption) message. Each
 * node counts once per reason; the "<count> <reason>" strings are sorted as Go's sort.Strings sorts
 * them — as text, so "1 node(s) …" comes before "2 Insufficient cpu" and "10 …" before "2 …".
 */
export function fitErrorMessage(numAllNodes: number, reasonsByNode: readonly (readonly string[])[], postFilter = ''): string {
  const histogram = new Map<string, number>();
  for (const reasons of reasonsByNode) for (const r of reasons) histogram.set(r, (histogram.get(r) ?? 0) + 1);
  const counted = [...histogram].map(([reason, n]) => `${n} ${reason}`).sort();
  let message = `0/${numAllNodes} nodes are available:`;
  if (counted.length > 0) message += ` ${counted.join(', ')}.`;
  if (postFilter !== '') message += ` ${postFilter}`;
  return message;
}
