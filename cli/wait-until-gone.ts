/** Waiting for a deleted object to disappear, shared by `delete` and `drain`. */
import { setTimeout as sleep } from 'node:timers/promises';
import { ApiError, isNotFound, type KubeClient, type ResourceRef } from '../gateways/client';

/** The object waited for; `uid` tells a new object of the same name from the deleted one. */
export type Gone = Readonly<{ name: string; namespace?: string; uid?: string }>;

// After the server ends a wait's watch without a DELETED event, look again after this long.
const REWATCH_DELAY_MS = 1000;

/**
 * kubectl's wait after delete: GET (404 → gone), else watch that one name from the version seen
 * until DELETED; an object with another uid is a new one, so the old one is gone.
 */
export async function waitUntilGone(client: KubeClient, resource: ResourceRef, { name, namespace, uid }: Gone, signal: AbortSignal): Promise<void> {
  while (!signal.aborted) {
    let resourceVersion: string | undefined;
    try {
      const live = await client.get(resource, name, { namespace });
      if (uid && live.metadata.uid !== uid) return;
      resourceVersion = live.metadata.resourceVersion;
    } catch (err) {
      if (isNotFound(err)) return;
      throw err;
    }
    for await (const event of client.watch(resource, { namespace, name, resourceVersion, signal })) {
      if (event.type === 'DELETED') return;
      // 410: our version is too old; the next round re-reads and watches from a fresh one.
      if (event.type === 'ERROR' && event.object.code !== 410) throw new ApiError(event.object);
    }
    await sleep(REWATCH_DELAY_MS, undefined, { signal }).catch(() => undefined);
  }
}
