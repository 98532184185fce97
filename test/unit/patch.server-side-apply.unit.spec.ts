import type { KubeObject, ManagedFieldsEntry } from '../../actors/kinds/types';
import { applyServerSide, recordUpdate, type ApplyOptions } from '../../actors/patch/server-side-apply';
import { frozen, rejectionOf } from './patch.fixtures';

const T0 = '2026-01-01T00:00:00Z';
const T1 = '2026-01-01T00:01:00Z';
const T2 = '2026-01-01T00:02:00Z';

type Container = { name: string; image: string; ports?: { containerPort: number }[] };

/** A manifest as kubectl sends it with --server-side. */
function manifest(opts: { replicas?: number; labels?: Record<string, string>; containers?: Container[] } = {}): KubeObject {
  const containers = opts.containers ?? [{ name: 'nginx', image: 'nginx:1.27', ports: [{ containerPort: 80 }] }];
  return frozen({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'default', labels: opts.labels ?? { app: 'web' } },
    spec: {
      replicas: opts.replicas ?? 2,
      selector: { matchLabels: { app: 'web' } },
      template: { metadata: { labels: { app: 'web' } }, spec: { containers } },
    },
  });
}

const kubectl = (time: string, force = false): ApplyOptions => ({ manager: 'kubectl', force, time, apiVersion: 'apps/v1' });

const entryOf = (object: KubeObject, manager: string): ManagedFieldsEntry | undefined =>
  object.metadata.managedFields?.find((e) => e.manager === manager);

const specOf = (object: KubeObject): { replicas?: number; template: { spec: { containers: Container[] } } } =>
  object.spec as { replicas?: number; template: { spec: { containers: Container[] } } };

/** What kubectl's client-side apply leaves behind: a create recorded as an Update by kubectl-client-side-apply. */
const createdByClientSideApply = (object: KubeObject): KubeObject =>
  frozen(recordUpdate(undefined, object, 'kubectl-client-side-apply', T0, 'apps/v1'));

describe('server-side apply: when the object does not exist yet', () => {
  it('apply → the manifest, owned by the applier in FieldsV1 (keys with API defaults, no identity fields)', () => {
    const applied = manifest();
    const created = applyServerSide(undefined, applied, kubectl(T0));
    expect({ ...created, metadata: { ...created.metadata, managedFields: undefined } }).toEqual({ ...applied, metadata: { ...applied.metadata, managedFields: undefined } });
    expect(created.metadata.managedFields).toEqual([{
      manager: 'kubectl', operation: 'Apply', apiVersion: 'apps/v1', time: T0, fieldsType: 'FieldsV1',
      fieldsV1: {
        'f:metadata': { 'f:labels': { 'f:app': {} } },
        'f:spec': {
          'f:replicas': {},
          'f:selector': {},
          'f:template': {
            'f:metadata': { 'f:labels': { 'f:app': {} } },
            'f:spec': {
              'f:containers': {
                'k:{"name":"nginx"}': {
                  '.': {}, 'f:image': {}, 'f:name': {},
                  'f:ports': { 'k:{"containerPort":80,"protocol":"TCP"}': { '.': {}, 'f:containerPort': {} } },
                },
              },
            },
          },
        },
      },
    }]);
  });
});

describe('server-side apply: when the applier applied before', () => {
  const first = frozen(applyServerSide(undefined, manifest({
    labels: { app: 'web', tier: 'fe' },
    containers: [{ name: 'nginx', image: 'nginx:1.27' }, { name: 'sidecar', image: 'busybox' }],
  }), kubectl(T0)));

  it('re-apply without a label and a container → both removed from the object and from its fields', () => {
    const second = applyServerSide(first, manifest({ containers: [{ name: 'nginx', image: 'nginx:1.27' }] }), kubectl(T1));
    expect(second.metadata.labels).toEqual({ app: 'web' });
    expect(specOf(second).template.spec.containers).toEqual([{ name: 'nginx', image: 'nginx:1.27' }]);
    const fields = JSON.stringify(entryOf(second, 'kubectl')?.fieldsV1);
    expect(fields).not.toContain('sidecar');
    expect(fields).not.toContain('f:tier');
    expect(entryOf(second, 'kubectl')?.time).toBe(T1);
  });

  it('re-apply without a label another manager also set → the label stays, owned by that manager', () => {
    const labelled = frozen(recordUpdate(first, { ...first, metadata: { ...first.metadata, labels: { app: 'web', tier: 'fe', team: 'x' } } }, 'kubectl-label', T1, 'apps/v1'));
    const second = applyServerSide(labelled, manifest({ containers: [{ name: 'nginx', image: 'nginx:1.27' }, { name: 'sidecar', image: 'busybox' }] }), kubectl(T2));
    expect(second.metadata.labels).toEqual({ app: 'web', team: 'x' });
    expect(entryOf(second, 'kubectl-label')).toMatchObject({ operation: 'Update', time: T1, fieldsV1: { 'f:metadata': { 'f:labels': { 'f:team': {} } } } });
  });

  it('re-apply over server defaults (protocol: TCP filled in) → the port is the same item, not a second one', () => {
    const created = applyServerSide(undefined, manifest(), kubectl(T0));
    const spec = specOf(created);
    const defaulted = frozen({ ...created, spec: { ...spec, template: { ...spec.template, spec: { containers: [{ name: 'nginx', image: 'nginx:1.27', ports: [{ containerPort: 80, protocol: 'TCP' }] }] } } } });
    const again = applyServerSide(defaulted, manifest(), kubectl(T1));
    expect(specOf(again).template.spec.containers[0].ports).toEqual([{ containerPort: 80, protocol: 'TCP' }]);
  });

  it('the same manifest again → the live object itself, unchanged', () => {
    const again = manifest({ labels: { app: 'web', tier: 'fe' }, containers: [{ name: 'nginx', image: 'nginx:1.27' }, { name: 'sidecar', image: 'busybox' }] });
    expect(applyServerSide(first, again, kubectl(T1))).toBe(first);
  });
});

describe('server-side apply: when kubectl-client-side-apply owns the fields', () => {
  const live = createdByClientSideApply(manifest({ replicas: 2 }));

  it('apply with a different replicas → 409 Conflict with exactly kube-apiserver\'s Status', () => {
    expect(rejectionOf(() => applyServerSide(live, manifest({ replicas: 3 }), kubectl(T1)))).toEqual({
      kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', reason: 'Conflict', code: 409,
      message: 'Apply failed with 1 conflict: conflict with "kubectl-client-side-apply" using apps/v1: .spec.replicas',
      details: { causes: [{ reason: 'FieldManagerConflict', message: 'conflict with "kubectl-client-side-apply" using apps/v1', field: '.spec.replicas' }] },
    });
  });

  it('apply changing two owned fields → both conflicts, grouped by manager', () => {
    const changed = manifest({ replicas: 3, containers: [{ name: 'nginx', image: 'nginx:1.28', ports: [{ containerPort: 80 }] }] });
    const status = rejectionOf(() => applyServerSide(live, changed, kubectl(T1)));
    expect(status.message).toBe(
      'Apply failed with 2 conflicts: conflicts with "kubectl-client-side-apply" using apps/v1:\n'
      + '- .spec.replicas\n- .spec.template.spec.containers[name="nginx"].image',
    );
    expect(status.details?.causes?.map((c) => c.field)).toEqual(['.spec.replicas', '.spec.template.spec.containers[name="nginx"].image']);
  });

  it('apply with the same values → no conflict, the fields are shared', () => {
    const shared = applyServerSide(live, manifest({ replicas: 2 }), kubectl(T1));
    expect(entryOf(shared, 'kubectl')?.fieldsV1).toMatchObject({ 'f:spec': { 'f:replicas': {} } });
    expect(entryOf(shared, 'kubectl-client-side-apply')?.fieldsV1).toMatchObject({ 'f:spec': { 'f:replicas': {} } });
  });

  it('apply --force-conflicts → the new value, and .spec.replicas moves to the applier', () => {
    const forced = applyServerSide(live, manifest({ replicas: 3 }), kubectl(T1, true));
    expect(specOf(forced).replicas).toBe(3);
    expect(entryOf(forced, 'kubectl')?.fieldsV1).toMatchObject({ 'f:spec': { 'f:replicas': {} } });
    expect(entryOf(forced, 'kubectl-client-side-apply')?.fieldsV1['f:spec']).not.toHaveProperty('f:replicas');
    expect(forced.metadata.managedFields?.map((e) => e.operation)).toEqual(['Apply', 'Update']);
  });
});

describe('server-side apply: when another writer updates fields the applier owns', () => {
  const applied = frozen(applyServerSide(undefined, manifest({ replicas: 2 }), kubectl(T0)));
  const scaled = frozen(recordUpdate(applied, { ...applied, spec: { ...specOf(applied), replicas: 5 } }, 'kubectl-scale', T1, 'apps/v1'));

  it('the update → the writer owns what it changed, and the applier no longer does', () => {
    expect(entryOf(scaled, 'kubectl-scale')).toEqual({
      manager: 'kubectl-scale', operation: 'Update', apiVersion: 'apps/v1', time: T1, fieldsType: 'FieldsV1', fieldsV1: { 'f:spec': { 'f:replicas': {} } },
    });
    expect(entryOf(scaled, 'kubectl')?.fieldsV1['f:spec']).not.toHaveProperty('f:replicas');
  });

  it('re-applying the old replicas → 409 conflict with the updater', () => {
    expect(rejectionOf(() => applyServerSide(scaled, manifest({ replicas: 2 }), kubectl(T2))).message)
      .toBe('Apply failed with 1 conflict: conflict with "kubectl-scale" using apps/v1: .spec.replicas');
  });

  it('an update that changes nothing → the updater\'s entry keeps its time', () => {
    const again = recordUpdate(scaled, scaled, 'kubectl-scale', T2, 'apps/v1');
    expect(entryOf(again, 'kubectl-scale')?.time).toBe(T1);
  });
});
