import { command, create, objectSpec } from '../harness/given';
import type { KubeObject } from '../../actors/kinds/types';

const cmRef = { group: '', resource: 'configmaps', namespace: 'default', name: 'cfg' };
const deployRef = { group: 'apps', resource: 'deployments', namespace: 'default', name: 'web' };
const cm = (data: Record<string, string>, meta: Partial<KubeObject['metadata']> = {}): KubeObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cfg', ...meta }, data });
const deploy = (replicas: number, image = 'busybox:1.36'): KubeObject => ({
  apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' },
  spec: { replicas, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image }] } } },
});

describe('object actor: when absent', () => {
  const spec = objectSpec(cmRef);

  it('create → created, with identity and time taken from the command', () => {
    const { events } = spec.given().when(create(cm({ a: '1' }), { id: 'c-1', time: Date.UTC(2026, 4, 2, 3, 4, 5, 678) }));
    expect(events).toHaveLength(1);
    expect(events[0].type).toBe('object.created');
    const meta = events[0].payload.object.metadata;
    expect(meta).toMatchObject({ name: 'cfg', namespace: 'default', creationTimestamp: '2026-05-02T03:04:05Z' });
    expect(meta.resourceVersion).toBeUndefined();
    expect(meta.generation).toBeUndefined();
  });

  it('create is deterministic: the same command gives the same event', () => {
    const a = spec.given().when(create(cm({ a: '1' }), { id: 'same' })).events;
    const b = spec.given().when(create(cm({ a: '1' }), { id: 'same' })).events;
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
    const other = spec.given().when(create(cm({ a: '1' }), { id: 'other' })).events;
    expect(other[0].payload.object.metadata.uid).not.toBe(a[0].payload.object.metadata.uid);
  });

  it('replace, patch and delete → NotFound', () => {
    expect(spec.given().when(command({ op: 'replace', object: cm({}), target: 'main', fieldManager: 't' })).rejection).toMatchObject({ code: 404, reason: 'NotFound', message: 'configmaps "cfg" not found' });
    expect(spec.given().when(command({ op: 'patch', patchType: 'merge', patch: { data: { a: '2' } }, target: 'main', fieldManager: 't', force: false })).rejection?.code).toBe(404);
    expect(spec.given().when(command({ op: 'delete', options: {} })).rejection?.code).toBe(404);
  });

  it('server-side apply creates', () => {
    const { events } = spec.given().when(command({ op: 'patch', patchType: 'apply', patch: cm({ a: '1' }) as never, target: 'main', fieldManager: 'kubectl', force: false }));
    expect(events[0].type).toBe('object.created');
    expect(events[0].payload.object.metadata.managedFields?.[0]).toMatchObject({ manager: 'kubectl', operation: 'Apply' });
  });

  it('an invalid object → 422 Invalid with causes', () => {
    const { rejection } = spec.given().when(create({ ...cm({ 'bad key!': 'x' }) }));
    expect(rejection).toMatchObject({ code: 422, reason: 'Invalid' });
    expect(rejection?.details?.causes?.[0].field).toBe('data[bad key!]');
  });
});

describe('object actor: when live', () => {
  const spec = objectSpec(cmRef);
  const created = create(cm({ a: '1' }), { id: 'c-created' });

  it('create → AlreadyExists', () => {
    expect(spec.given(created).when(create(cm({ a: '2' }))).rejection).toMatchObject({ code: 409, reason: 'AlreadyExists', message: 'configmaps "cfg" already exists' });
  });

  it('a re-delivered command → nothing (it was applied already)', () => {
    expect(spec.given(created).when(created).events).toEqual([]);
  });

  it('replace with a stale resourceVersion → Conflict; with the current one → updated', () => {
    const g = spec.given(created);
    const stale = g.when(command({ op: 'replace', object: cm({ a: '2' }, { resourceVersion: '999' }), target: 'main', fieldManager: 't' }));
    expect(stale.rejection).toMatchObject({ code: 409, reason: 'Conflict' });
    const ok = g.when(command({ op: 'replace', object: cm({ a: '2' }, { resourceVersion: g.state.object?.metadata.resourceVersion }), target: 'main', fieldManager: 't' }));
    expect(ok.events.map((e) => e.type)).toEqual(['object.updated']);
    expect(ok.events[0].payload.changed).toEqual(['data']);
    expect(ok.after.object?.data).toEqual({ a: '2' });
  });

  it('a write that changes nothing → no event', () => {
    expect(spec.given(created).when(command({ op: 'patch', patchType: 'merge', patch: { data: { a: '1' } }, target: 'main', fieldManager: 't', force: false })).events).toEqual([]);
  });

  it('a write that only changes field ownership (managedFields) → updated', () => {
    const g = spec.given(created);
    const owners = [{ manager: 'kubectl', operation: 'Apply' as const, apiVersion: 'v1', time: '2026-01-01T00:00:00Z', fieldsType: 'FieldsV1' as const, fieldsV1: { 'f:data': { 'f:a': {} } } }];
    const r = g.when(command({ op: 'patch', patchType: 'json', patch: [{ op: 'replace', path: '/metadata/managedFields', value: owners }], target: 'main', fieldManager: 'kubectl', force: false }));
    expect(r.events.map((e) => e.type)).toEqual(['object.updated']);
    expect(r.after.object?.metadata.managedFields).toEqual(owners);
  });

  it('removing the last label leaves no labels map', () => {
    const g = spec.given(create(cm({ a: '1' }, { labels: { x: 'y' } }), { id: 'labelled' }));
    const r = g.when(command({ op: 'patch', patchType: 'merge', patch: { metadata: { labels: { x: null } } }, target: 'main', fieldManager: 't', force: false }));
    expect(r.after.object?.metadata.labels).toBeUndefined();
  });

  it('identity fields cannot be changed by a write', () => {
    const g = spec.given(created);
    const r = g.when(command({ op: 'patch', patchType: 'merge', patch: { metadata: { creationTimestamp: '2000-01-01T00:00:00Z', labels: { x: 'y' } } }, target: 'main', fieldManager: 't', force: false }));
    expect(r.after.object?.metadata.creationTimestamp).toBe(g.state.object?.metadata.creationTimestamp);
    expect(r.after.object?.metadata.labels).toEqual({ x: 'y' });
  });

  it('delete without finalizers → deleted; with finalizers → deletionRequested, then deleted when the last finalizer goes', () => {
    expect(spec.given(created).when(command({ op: 'delete', options: {} })).events.map((e) => e.type)).toEqual(['object.deleted']);
    const held = create(cm({ a: '1' }, { finalizers: ['example.com/keep'] }), { id: 'held' });
    const marked = spec.given(held).when(command({ op: 'delete', options: {} }, { time: Date.UTC(2026, 0, 2) }));
    expect(marked.events.map((e) => e.type)).toEqual(['object.deletionRequested']);
    expect(marked.after.object?.metadata.deletionTimestamp).toBe('2026-01-02T00:00:00Z');
    const del = command({ op: 'delete', options: {} });
    const g = spec.given(held, del);
    expect(g.when(command({ op: 'delete', options: {} })).events).toEqual([]);
    const released = g.when(command({ op: 'patch', patchType: 'merge', patch: { metadata: { finalizers: null } }, target: 'main', fieldManager: 't', force: false }));
    expect(released.events.map((e) => e.type)).toEqual(['object.deleted']);
    expect(released.after.object).toBeUndefined();
  });

  it('delete with a failing precondition → Conflict', () => {
    const r = spec.given(created).when(command({ op: 'delete', options: { preconditions: { uid: 'not-it' } } }));
    expect(r.rejection?.code).toBe(409);
    expect(r.rejection?.message).toContain('Precondition failed: UID in precondition: not-it');
  });
});

describe('deployment actor: generation, status and scale', () => {
  const spec = objectSpec(deployRef);
  const created = create(deploy(2), { id: 'd-1' });

  it('starts at generation 1 with defaults and bumps generation only on spec changes', () => {
    const g = spec.given(created);
    expect(g.state.object?.metadata.generation).toBe(1);
    expect(g.state.object?.spec).toMatchObject({ revisionHistoryLimit: 10, progressDeadlineSeconds: 600 });
    const labels = g.when(command({ op: 'patch', patchType: 'merge', patch: { metadata: { labels: { a: 'b' } } }, target: 'main', fieldManager: 't', force: false }));
    expect(labels.after.object?.metadata.generation).toBe(1);
    const image = g.when(command({ op: 'patch', patchType: 'strategic', patch: { spec: { template: { spec: { containers: [{ name: 'web', image: 'busybox:1.37' }] } } } }, target: 'main', fieldManager: 't', force: false }));
    expect(image.after.object?.metadata.generation).toBe(2);
  });

  it('the main resource cannot write status; /status writes only status', () => {
    const g = spec.given(created);
    const main = g.when(command({ op: 'patch', patchType: 'merge', patch: { status: { replicas: 7 } }, target: 'main', fieldManager: 't', force: false }));
    expect(main.events).toEqual([]);
    const status = g.when(command({ op: 'patch', patchType: 'merge', patch: { status: { replicas: 7 }, spec: { replicas: 9 } }, target: 'status', fieldManager: 't', force: false }));
    expect(status.after.object?.status).toMatchObject({ replicas: 7 });
    expect((status.after.object?.spec as { replicas: number }).replicas).toBe(2);
    expect(status.events[0].payload.changed).toEqual(['status']);
  });

  it('/scale changes spec.replicas and keeps the RV precondition', () => {
    const g = spec.given(created);
    const scaled = g.when(command({ op: 'replace', object: { apiVersion: 'autoscaling/v1', kind: 'Scale', metadata: { name: 'web', resourceVersion: g.state.object?.metadata.resourceVersion }, spec: { replicas: 5 } }, target: 'scale', fieldManager: 't' }));
    expect((scaled.after.object?.spec as { replicas: number }).replicas).toBe(5);
    const stale = g.when(command({ op: 'replace', object: { apiVersion: 'autoscaling/v1', kind: 'Scale', metadata: { name: 'web', resourceVersion: '1' }, spec: { replicas: 5 } }, target: 'scale', fieldManager: 't' }));
    expect(stale.rejection?.reason).toBe('Conflict');
  });

  it('an immutable selector change → 422', () => {
    const r = spec.given(created).when(command({ op: 'patch', patchType: 'merge', patch: { spec: { selector: { matchLabels: { app: 'other' } }, template: { metadata: { labels: { app: 'other' } } } } }, target: 'main', fieldManager: 't', force: false }));
    expect(r.rejection).toMatchObject({ code: 422, reason: 'Invalid' });
    expect(r.rejection?.message).toContain('field is immutable');
  });
});

describe('pod actor: graceful deletion', () => {
  const podRef = { group: '', resource: 'pods', namespace: 'default', name: 'web-1' };
  const spec = objectSpec(podRef);
  const t0 = Date.UTC(2026, 0, 1, 10, 0, 0);
  const pod = (over: { nodeName?: string; terminationGracePeriodSeconds?: number; finalizers?: string[] } = {}): KubeObject => ({
    apiVersion: 'v1', kind: 'Pod',
    metadata: { name: 'web-1', ...(over.finalizers ? { finalizers: over.finalizers } : {}) },
    spec: {
      ...(over.nodeName === undefined ? { nodeName: 'n1' } : over.nodeName ? { nodeName: over.nodeName } : {}),
      ...(over.terminationGracePeriodSeconds !== undefined ? { terminationGracePeriodSeconds: over.terminationGracePeriodSeconds } : {}),
      containers: [{ name: 'web', image: 'busybox:1.36' }],
    },
  });
  const del = (gracePeriodSeconds?: number, time = t0, uid?: string) =>
    command({ op: 'delete', options: { ...(gracePeriodSeconds !== undefined ? { gracePeriodSeconds } : {}), ...(uid ? { preconditions: { uid } } : {}) } }, { time });
  const phase = (value: string) => command({ op: 'patch', patchType: 'merge', patch: { status: { phase: value } }, target: 'status', fieldManager: 'kubelet', force: false });
  const typesOf = (events: readonly { type: string }[]) => events.map((e) => e.type);

  it('delete of a bound pod → deletionRequested, deletionTimestamp the pod\'s own 30 s (the default) ahead', () => {
    const r = spec.given(create(pod())).when(del(undefined, t0 + 400));
    expect(typesOf(r.events)).toEqual(['object.deletionRequested']);
    expect(r.after.object?.metadata).toMatchObject({ deletionTimestamp: '2026-01-01T10:00:30Z', deletionGracePeriodSeconds: 30 });
  });

  it('the grace period comes from DeleteOptions before the pod\'s terminationGracePeriodSeconds; a negative one means 1 s', () => {
    const g = spec.given(create(pod({ terminationGracePeriodSeconds: 120 })));
    expect(g.when(del()).after.object?.metadata).toMatchObject({ deletionTimestamp: '2026-01-01T10:02:00Z', deletionGracePeriodSeconds: 120 });
    expect(g.when(del(5)).after.object?.metadata).toMatchObject({ deletionTimestamp: '2026-01-01T10:00:05Z', deletionGracePeriodSeconds: 5 });
    expect(g.when(del(-3)).after.object?.metadata).toMatchObject({ deletionTimestamp: '2026-01-01T10:00:01Z', deletionGracePeriodSeconds: 1 });
  });

  it('grace 0 → deleted at once; with finalizers → deletionRequested with grace 0', () => {
    expect(typesOf(spec.given(create(pod())).when(del(0)).events)).toEqual(['object.deleted']);
    const held = spec.given(create(pod({ finalizers: ['example.com/keep'] }))).when(del(0));
    expect(typesOf(held.events)).toEqual(['object.deletionRequested']);
    expect(held.after.object?.metadata).toMatchObject({ deletionTimestamp: '2026-01-01T10:00:00Z', deletionGracePeriodSeconds: 0 });
  });

  it('a pod no node runs (unbound) → deleted at once, whatever the grace period asked', () => {
    expect(typesOf(spec.given(create(pod({ nodeName: '' }))).when(del(60)).events)).toEqual(['object.deleted']);
  });

  it.each(['Succeeded', 'Failed'])('a pod that has finished (%s) → deleted at once', (finished) => {
    expect(typesOf(spec.given(create(pod()), phase(finished)).when(del()).events)).toEqual(['object.deleted']);
  });

  it('a second delete with a shorter grace period moves the deletionTimestamp earlier, from the first request\'s time', () => {
    const g = spec.given(create(pod()), del(undefined, t0));
    const r = g.when(del(10, t0 + 2_000));
    expect(typesOf(r.events)).toEqual(['object.deletionRequested']);
    expect(r.after.object?.metadata).toMatchObject({ deletionTimestamp: '2026-01-01T10:00:10Z', deletionGracePeriodSeconds: 10 });
  });

  it('shortening into the past ends now, with 1 s left so the kubelet still finishes the pod', () => {
    const r = spec.given(create(pod()), del(undefined, t0)).when(del(3, t0 + 5_000));
    expect(r.after.object?.metadata).toMatchObject({ deletionTimestamp: '2026-01-01T10:00:05Z', deletionGracePeriodSeconds: 1 });
  });

  it('a repeated delete with the same, a longer or no grace period → nothing (the API answers with the object)', () => {
    const g = spec.given(create(pod()), del(undefined, t0));
    for (const again of [del(undefined, t0 + 1_000), del(30, t0 + 1_000), del(60, t0 + 1_000)]) expect(g.when(again).events).toEqual([]);
  });

  it('the kubelet\'s final delete (grace 0, uid precondition) removes the pod; a stale uid → Conflict', () => {
    const g = spec.given(create(pod()), del(undefined, t0));
    const uid = g.state.object?.metadata.uid;
    expect(typesOf(g.when(del(0, t0 + 1_000, uid)).events)).toEqual(['object.deleted']);
    expect(g.when(del(0, t0 + 1_000, 'someone-else')).rejection?.code).toBe(409);
  });

  it('status writes while the grace period runs keep the pod, even without finalizers', () => {
    const r = spec.given(create(pod()), del(undefined, t0)).when(phase('Succeeded'));
    expect(typesOf(r.events)).toEqual(['object.updated']);
    expect(r.after.object?.metadata.deletionTimestamp).toBe('2026-01-01T10:00:30Z');
  });

  it('finalizers: removal needs both the grace period over and the last finalizer gone, in either order', () => {
    const release = command({ op: 'patch', patchType: 'merge', patch: { metadata: { finalizers: null } }, target: 'main', fieldManager: 't', force: false });
    const held = spec.given(create(pod({ finalizers: ['example.com/keep'] })), del(undefined, t0));
    // Finalizer first: the pod stays until the kubelet's grace-0 delete.
    const released = held.when(release);
    expect(typesOf(released.events)).toEqual(['object.updated']);
    expect(typesOf(spec.given(create(pod({ finalizers: ['example.com/keep'] })), del(undefined, t0), release).when(del(0, t0 + 1_000)).events)).toEqual(['object.deleted']);
    // Grace first: the kubelet's delete leaves the pod with grace 0, and the last finalizer going removes it.
    const finished = held.when(del(0, t0 + 1_000));
    expect(typesOf(finished.events)).toEqual(['object.deletionRequested']);
    expect(finished.after.object?.metadata).toMatchObject({ deletionGracePeriodSeconds: 0, deletionTimestamp: '2026-01-01T10:00:01Z' });
    expect(typesOf(spec.given(create(pod({ finalizers: ['example.com/keep'] })), del(undefined, t0), del(0, t0 + 1_000)).when(release).events)).toEqual(['object.deleted']);
  });

  it('other kinds are not graceful: a grace period asked for a ConfigMap is ignored', () => {
    expect(typesOf(objectSpec(cmRef).given(create(cm({ a: '1' }))).when(del(30)).events)).toEqual(['object.deleted']);
  });
});
