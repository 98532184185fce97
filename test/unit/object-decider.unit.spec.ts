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
