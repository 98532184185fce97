import type { ObjectRef } from '../../eventlog/types';
import type { ObjectsProjection } from '../../projections/objects.projection';
import { scopeKey, type Change } from '../../projections/object-store';
import type { Reconciler } from '../reconcile/controller';
import { converged, type Plan } from '../reconcile/plan';
import { resourceTypes } from '../kinds/registry';
import type { KubeObject } from '../kinds/types';

/**
 * The namespace controller: a Namespace being deleted is emptied (every object in it deleted), then
 * finalized (its `kubernetes` finalizer removed), whereupon its actor deletes it.
 */

export const NAMESPACE_CONTROLLER = 'system:serviceaccount:kube-system:namespace-controller';
const FINALIZER = 'kubernetes';

export type NamespaceContent = Readonly<{ ref: ObjectRef; object: KubeObject }>;

/** Pure: what to do for one namespace, given it and the objects still in it. */
export function planNamespace(namespace: KubeObject | undefined, contents: readonly NamespaceContent[]): Plan {
  const finalizers = (namespace?.spec as { finalizers?: string[] } | undefined)?.finalizers ?? [];
  if (!namespace?.metadata.deletionTimestamp || !finalizers.includes(FINALIZER)) return converged;
  const name = namespace.metadata.name as string;
  const remaining = contents.filter((c) => !c.object.metadata.deletionTimestamp);
  const deletes = remaining.map((c) => ({
    ref: c.ref,
    payload: { op: 'delete' as const, options: { propagationPolicy: 'Background' as const } },
    reason: `namespace ${name} is being deleted`,
  }));
  if (contents.length > 0) return { commands: deletes };
  return {
    commands: [
      {
        ref: { group: '', resource: 'namespaces', namespace: '', name },
        payload: { op: 'patch', patchType: 'merge', patch: { spec: { finalizers: finalizers.filter((f) => f !== FINALIZER) } }, target: 'main', fieldManager: 'namespace-controller', force: false },
        reason: `namespace ${name} is empty`,
      },
    ],
  };
}

const namespacedTypes = resourceTypes.filter((t) => t.namespaced);
const namespacesScope = scopeKey({ group: '', resource: 'namespaces' });
const namespaceRef = (name: string): ObjectRef => ({ group: '', resource: 'namespaces', namespace: '', name });

export function namespaceReconciler(projection: ObjectsProjection): Reconciler {
  const { store } = projection;
  const terminating = (name: string) => store.get(namespaceRef(name))?.object.metadata.deletionTimestamp !== undefined;
  return {
    identity: NAMESPACE_CONTROLLER,
    keysFor: (change: Change) => {
      if (change.scope === namespacesScope) return [change.object.metadata.name as string];
      const ns = change.object.metadata.namespace;
      // The last object leaving a terminating namespace lets it be finalized.
      return change.type === 'DELETED' && ns && terminating(ns) ? [ns] : [];
    },
    allKeys: () => {
      const keys: string[] = [];
      store.scan({ group: '', resource: 'namespaces' }, '', undefined, (_k, e) => {
        if (e.object.metadata.deletionTimestamp) keys.push(e.object.metadata.name as string);
        return true;
      });
      return keys;
    },
    plan: (name) => {
      const contents: NamespaceContent[] = [];
      for (const type of namespacedTypes) {
        store.scan({ group: type.group, resource: type.plural }, name, undefined, (_k, e) => {
          contents.push({ ref: { group: type.group, resource: type.plural, namespace: name, name: e.object.metadata.name as string }, object: e.object });
          return true;
        });
      }
      return planNamespace(store.get(namespaceRef(name))?.object, contents);
    },
  };
}
