import { planGarbage } from '../../actors/controllers/garbage-collector';
import type { KubeObject } from '../../actors/kinds/types';
import { entryKey, ObjectStore } from '../../projections/object-store';

const rsRef = { group: 'apps', resource: 'replicasets', namespace: 'default', name: 'web-abc' };
const podRef = { group: '', resource: 'pods', namespace: 'default', name: 'web-abc-x' };
const rs: KubeObject = { apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'web-abc', namespace: 'default', uid: 'rs-1' } };
const pod = (ownerUid: string): KubeObject => ({
  apiVersion: 'v1', kind: 'Pod',
  metadata: { name: 'web-abc-x', namespace: 'default', uid: 'pod-1', ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web-abc', uid: ownerUid, controller: true }] },
});

describe('garbage collector plan', () => {
  it('leaves a dependent whose owner exists (converged)', () => {
    const store = new ObjectStore();
    store.put(rsRef, { object: rs, causationId: '' });
    store.put(podRef, { object: pod('rs-1'), causationId: '' });
    expect(planGarbage(store, entryKey(podRef)).commands).toEqual([]);
  });

  it('deletes a dependent whose owner is gone, guarded by its uid', () => {
    const store = new ObjectStore();
    store.put(podRef, { object: pod('rs-1'), causationId: '' });
    const { commands } = planGarbage(store, entryKey(podRef));
    expect(commands).toEqual([{ ref: podRef, payload: { op: 'delete', options: { propagationPolicy: 'Background', preconditions: { uid: 'pod-1' } } }, reason: 'its owner replicaset/web-abc is gone' }]);
  });

  it('treats a namesake owner with another uid as gone', () => {
    const store = new ObjectStore();
    store.put(rsRef, { object: { ...rs, metadata: { ...rs.metadata, uid: 'rs-2' } }, causationId: '' });
    store.put(podRef, { object: pod('rs-1'), causationId: '' });
    expect(planGarbage(store, entryKey(podRef)).commands).toHaveLength(1);
    expect([...store.keysOwnedBy('rs-1')]).toEqual([entryKey(podRef)]);
  });
});

describe('garbage collector: owners deleted in foreground or orphan mode', () => {
  const deleting = (finalizer: string): KubeObject => ({ ...rs, metadata: { ...rs.metadata, deletionTimestamp: 't', finalizers: [finalizer] } });

  it('foreground: deletes the dependents (in foreground too), then lifts the finalizer', async () => {
    const { planOwner } = await import('../../actors/controllers/garbage-collector');
    const store = new ObjectStore();
    store.put(rsRef, { object: deleting('foregroundDeletion'), causationId: '' });
    store.put(podRef, { object: pod('rs-1'), causationId: '' });
    expect(planOwner(store, entryKey(rsRef)).commands.map((c) => c.payload)).toEqual([{ op: 'delete', options: { propagationPolicy: 'Foreground', preconditions: { uid: 'pod-1' } } }]);
    store.delete(podRef);
    expect(planOwner(store, entryKey(rsRef)).commands.map((c) => c.payload)).toEqual([
      { op: 'patch', patchType: 'merge', patch: { metadata: { finalizers: null } }, target: 'main', fieldManager: 'generic-garbage-collector', force: false },
    ]);
  });

  it('orphan: detaches the dependents', async () => {
    const { planOwner } = await import('../../actors/controllers/garbage-collector');
    const store = new ObjectStore();
    store.put(rsRef, { object: deleting('orphan'), causationId: '' });
    store.put(podRef, { object: pod('rs-1'), causationId: '' });
    expect(planOwner(store, entryKey(rsRef)).commands.map((c) => [c.ref.name, c.payload])).toEqual([
      ['web-abc-x', { op: 'patch', patchType: 'merge', patch: { metadata: { ownerReferences: null } }, target: 'main', fieldManager: 'generic-garbage-collector', force: false }],
    ]);
  });

  it('an owner not being deleted needs nothing (converged)', async () => {
    const { planOwner } = await import('../../actors/controllers/garbage-collector');
    const store = new ObjectStore();
    store.put(rsRef, { object: rs, causationId: '' });
    expect(planOwner(store, entryKey(rsRef)).commands).toEqual([]);
  });
});
