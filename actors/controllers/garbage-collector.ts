import type { ObjectsProjection } from '../../projections/objects.projection';
import { entryKey, keyOfChange, refOfKey, type ObjectStore } from '../../projections/object-store';
import { FOREGROUND_FINALIZER, ORPHAN_FINALIZER } from '../object/decide';
import { findByKind } from '../kinds/registry';
import type { KubeObject, OwnerReference } from '../kinds/types';
import type { Reconciler } from '../reconcile/controller';
import { converged, type Plan } from '../reconcile/plan';

/**
 * The garbage collector. Background cascading deletion: an object whose owners are all gone is
 * deleted, so deleting a Deployment removes its ReplicaSets, and they their Pods. Foreground: an
 * owner being deleted with the `foregroundDeletion` finalizer has its dependents deleted (in
 * foreground too) and keeps the finalizer until they are gone. Orphan: an owner with the `orphan`
 * finalizer has its dependents detached (their owner reference removed), then lets go.
 * Keys are store keys of dependents, or `owner:` + the store key of an owner being deleted.
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

const OWNER = 'owner:';
const propagating = (o: KubeObject) => !!o.metadata.deletionTimestamp && (o.metadata.finalizers ?? []).some((f) => f === FOREGROUND_FINALIZER || f === ORPHAN_FINALIZER);

/** Pure: what an owner being deleted in foreground or orphan mode still needs, given its dependents. */
export function planOwner(store: ObjectStore, ownerKey: string): Plan {
  const owner = store.getByKey(ownerKey)?.object;
  if (!owner || !propagating(owner)) return converged;
  const uid = owner.metadata.uid ?? '';
  const finalizers = owner.metadata.finalizers ?? [];
  const dependents = [...store.keysOwnedBy(uid)].map((k) => ({ key: k, object: store.getByKey(k)?.object })).filter((d): d is { key: string; object: KubeObject } => !!d.object);
  const what = `${owner.kind.toLowerCase()}/${owner.metadata.name}`;
  if (dependents.length === 0) {
    const rest = finalizers.filter((f) => f !== FOREGROUND_FINALIZER && f !== ORPHAN_FINALIZER);
    return {
      commands: [{
        ref: refOfKey(ownerKey),
        payload: { op: 'patch', patchType: 'merge', patch: { metadata: { finalizers: rest.length ? rest : null } }, target: 'main', fieldManager: 'generic-garbage-collector', force: false },
        reason: `${what} has no dependents left`,
      }],
    };
  }
  if (finalizers.includes(ORPHAN_FINALIZER)) {
    return {
      commands: dependents.map(({ key, object }) => {
        const kept = (object.metadata.ownerReferences ?? []).filter((o) => o.uid !== uid);
        return {
          ref: refOfKey(key),
          payload: { op: 'patch' as const, patchType: 'merge' as const, patch: { metadata: { ownerReferences: kept.length ? kept : null } }, target: 'main' as const, fieldManager: 'generic-garbage-collector', force: false },
          reason: `${what} is deleted with its dependents orphaned`,
        };
      }),
    };
  }
  return {
    commands: dependents.filter((d) => !d.object.metadata.deletionTimestamp).map(({ key, object }) => ({
      ref: refOfKey(key),
      payload: { op: 'delete' as const, options: { propagationPolicy: 'Foreground' as const, preconditions: { uid: object.metadata.uid } } },
      reason: `${what} is deleted in the foreground: its dependents go first`,
    })),
  };
}

/** Store keys of the owners (in the same namespace or cluster-wide) a dependent names. */
function ownerKeysOf(object: KubeObject): string[] {
  return (object.metadata.ownerReferences ?? []).flatMap((o) => {
    const type = findByKind(o.apiVersion, o.kind);
    return type ? [OWNER + entryKey({ group: type.group, resource: type.plural, namespace: type.namespaced ? (object.metadata.namespace ?? '') : '', name: o.name })] : [];
  });
}

export function garbageCollectorReconciler(projection: ObjectsProjection): Reconciler {
  const { store } = projection;
  return {
    identity: GARBAGE_COLLECTOR,
    keysFor: (change) => {
      const uid = change.object.metadata.uid;
      const keys = change.type === 'DELETED' && uid ? [...store.keysOwnedBy(uid)] : [];
      if (change.type !== 'DELETED' && propagating(change.object)) keys.push(OWNER + keyOfChange(change));
      // A dependent leaving (or detached) may let its owner finish.
      if (change.type === 'DELETED' || change.previous?.metadata.ownerReferences) keys.push(...ownerKeysOf(change.previous ?? change.object));
      return keys;
    },
    allKeys: () => {
      const owners: string[] = [];
      for (const key of store.keysWithOwners()) {
        const dependent = store.getByKey(key)?.object;
        if (dependent) owners.push(...ownerKeysOf(dependent));
      }
      return [...new Set([...store.keysWithOwners(), ...owners])];
    },
    plan: (key) => (key.startsWith(OWNER) ? planOwner(store, key.slice(OWNER.length)) : planGarbage(store, key)),
  };
}
