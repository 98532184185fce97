import type { ObjectsProjection } from '../../projections/objects.projection';
import { refOfKey, type ObjectStore } from '../../projections/object-store';
import { findByKind } from '../kinds/registry';
import type { KubeObject, OwnerReference } from '../kinds/types';
import type { Reconciler } from '../reconcile/controller';
import { converged, type Plan } from '../reconcile/plan';

/**
 * The garbage collector (background cascading deletion): an object whose owners are all gone is
 * deleted, so deleting a Deployment removes its ReplicaSets, and they their Pods. Keys are store
 * keys of dependents; an owner's deletion queues everything it controlled.
 */

export const GARBAGE_COLLECTOR = 'system:serviceaccount:kube-system:generic-garbage-collector';

/** Whether the owner a reference names still exists (same uid: a namesake created later is not it). */
function ownerExists(store: ObjectStore, dependent: KubeObject, owner: OwnerReference): boolean {
  const type = findByKind(owner.apiVersion, owner.kind);
  if (!type) return true; // an owner of a kind skiff does not serve: leave the dependent alone
  const namespace = type.namespaced ? (dependent.metadata.namespace ?? '') : '';
  return store.get({ group: type.group, resource: type.plural, namespace, name: owner.name })?.object.metadata.uid === owner.uid;
}

/** Pure: delete the dependent when it has owners and none of them exists any more. */
export function planGarbage(store: ObjectStore, key: string): Plan {
  const entry = store.getByKey(key);
  const owners = entry?.object.metadata.ownerReferences ?? [];
  if (!entry || owners.length === 0 || entry.object.metadata.deletionTimestamp) return converged;
  if (owners.some((o) => ownerExists(store, entry.object, o))) return converged;
  const gone = owners.map((o) => `${o.kind.toLowerCase()}/${o.name}`).join(', ');
  return {
    commands: [
      {
        ref: refOfKey(key),
        payload: { op: 'delete', options: { propagationPolicy: 'Background', preconditions: { uid: entry.object.metadata.uid } } },
        reason: `its owner ${gone} is gone`,
      },
    ],
  };
}

export function garbageCollectorReconciler(projection: ObjectsProjection): Reconciler {
  const { store } = projection;
  return {
    identity: GARBAGE_COLLECTOR,
    keysFor: (change) => {
      const uid = change.object.metadata.uid;
      return change.type === 'DELETED' && uid ? [...store.keysOwnedBy(uid)] : [];
    },
    allKeys: () => [...store.keysWithOwners()],
    plan: (key) => planGarbage(store, key),
  };
}
