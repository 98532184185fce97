import type { ObjectRef } from '../../eventlog/types';
import type { ObjectsProjection } from '../../projections/objects.projection';
import { scopeKey, type Change } from '../../projections/object-store';
import type { CommandBus } from '../kernel/command-bus';
import { resourceTypes } from '../kinds/registry';
import type { KubeObject } from '../kinds/types';

/**
 * The namespace controller: a Namespace being deleted is emptied (every object in it deleted), then
 * finalized (its `kubernetes` finalizer removed), whereupon its actor deletes it. Level-triggered:
 * each pass re-reads the projection, so repeating a pass is harmless.
 */

export const NAMESPACE_CONTROLLER = 'system:serviceaccount:kube-system:namespace-controller';
const FINALIZER = 'kubernetes';

export type NamespacePlan = Readonly<{ delete: readonly ObjectRef[]; finalize: boolean }>;

/** Pure: what to do for one namespace, given it and the objects still in it. */
export function planNamespace(namespace: KubeObject | undefined, contents: readonly { ref: ObjectRef; object: KubeObject }[]): NamespacePlan {
  const finalizers = (namespace?.spec as { finalizers?: string[] } | undefined)?.finalizers ?? [];
  if (!namespace?.metadata.deletionTimestamp || !finalizers.includes(FINALIZER)) return { delete: [], finalize: false };
  const remaining = contents.filter((c) => !c.object.metadata.deletionTimestamp);
  return { delete: remaining.map((c) => c.ref), finalize: contents.length === 0 };
}

const namespacedTypes = resourceTypes.filter((t) => t.namespaced);
const namespacesScope = scopeKey({ group: '', resource: 'namespaces' });

export class NamespaceController {
  /** Namespace name → id of the latest event that made it worth a look (the causation of what follows). */
  private readonly queue = new Map<string, string>();
  private running = false;
  private stopped = false;
  private unsubscribe?: () => void;
  private resync?: NodeJS.Timeout;
  private failWith!: (err: Error) => void;
  readonly failed: Promise<Error> = new Promise((ok) => (this.failWith = ok));

  constructor(private readonly projection: ObjectsProjection, private readonly bus: CommandBus, private readonly resyncMs = 30_000) {}

  start(): void {
    this.unsubscribe = this.projection.subscribe((change) => this.onChange(change));
    this.resync = setInterval(() => this.enqueueTerminating(), this.resyncMs);
    this.resync.unref();
    this.enqueueTerminating();
  }

  stop(): void {
    this.stopped = true;
    this.unsubscribe?.();
    if (this.resync) clearInterval(this.resync);
  }

  private onChange(change: Change): void {
    if (change.scope === namespacesScope) this.enqueue(change.object.metadata.name as string, change.eventId);
    else if (change.type === 'DELETED' && change.object.metadata.namespace) this.enqueueIfTerminating(change.object.metadata.namespace, change.eventId);
  }

  private enqueueTerminating(): void {
    this.projection.store.scan({ group: '', resource: 'namespaces' }, '', undefined, (_key, entry) => {
      if (entry.object.metadata.deletionTimestamp) this.enqueue(entry.object.metadata.name as string, '');
      return true;
    });
  }

  private enqueueIfTerminating(name: string, causationId: string): void {
    const ns = this.projection.store.get({ group: '', resource: 'namespaces', namespace: '', name });
    if (ns?.object.metadata.deletionTimestamp) this.enqueue(name, causationId);
  }

  private enqueue(name: string, causationId: string): void {
    this.queue.set(name, causationId || (this.queue.get(name) ?? ''));
    if (!this.running) void this.drain();
  }

  /** One reconcile at a time; a key queued while it runs is reconciled again afterwards. */
  private async drain(): Promise<void> {
    this.running = true;
    try {
      while (this.queue.size > 0 && !this.stopped) {
        const [[name, causationId]] = this.queue;
        this.queue.delete(name);
        await this.reconcile(name, causationId);
      }
    } catch (err) {
      this.failWith(err instanceof Error ? err : new Error(String(err)));
    } finally {
      this.running = false;
    }
  }

  private async reconcile(name: string, causationId: string): Promise<void> {
    const ref: ObjectRef = { group: '', resource: 'namespaces', namespace: '', name };
    const entry = this.projection.store.get(ref);
    const contents: { ref: ObjectRef; object: KubeObject }[] = [];
    for (const type of namespacedTypes) {
      this.projection.store.scan({ group: type.group, resource: type.plural }, name, undefined, (_key, e) => {
        contents.push({ ref: { group: type.group, resource: type.plural, namespace: name, name: e.object.metadata.name as string }, object: e.object });
        return true;
      });
    }
    const plan = planNamespace(entry?.object, contents);
    await Promise.all(plan.delete.map((r) => this.bus.send(r, { op: 'delete', options: { propagationPolicy: 'Background' } }, NAMESPACE_CONTROLLER, { causationId })));
    if (plan.finalize && entry) {
      const spec = entry.object.spec as { finalizers?: string[] };
      const finalizers = (spec.finalizers ?? []).filter((f) => f !== FINALIZER);
      await this.bus.send(ref, { op: 'patch', patchType: 'merge', patch: { spec: { finalizers } }, target: 'main', fieldManager: 'namespace-controller', force: false }, NAMESPACE_CONTROLLER, { causationId });
    }
  }
}
