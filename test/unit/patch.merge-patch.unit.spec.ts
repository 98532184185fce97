import type { Json } from '../../actors/kinds/types';
import { applyMergePatch } from '../../actors/patch/merge-patch';
import { frozen } from './patch.fixtures';

const configMap = (): Json => frozen({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name: 'cfg', labels: { app: 'web', tier: 'frontend' }, finalizers: ['a', 'b'] },
  data: { key: 'value' },
});

describe('merge patch: when kubectl label removes a label', () => {
  it('{"metadata":{"labels":{"tier":null}}} → the label is gone, the rest kept, the input untouched', () => {
    const doc = configMap();
    expect(applyMergePatch(doc, { metadata: { labels: { tier: null } } })).toEqual({
      apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cfg', labels: { app: 'web' }, finalizers: ['a', 'b'] }, data: { key: 'value' },
    });
    expect(doc).toEqual(configMap());
  });
});

describe('merge patch: when the patch holds lists, scalars and new maps', () => {
  it('a list → replaces the list whole (no merging by key)', () => {
    expect(applyMergePatch(configMap(), { metadata: { finalizers: ['c'] } })).toMatchObject({ metadata: { finalizers: ['c'] } });
  });

  it('kubectl scale\'s {"spec":{"replicas":4}} → only spec.replicas changes', () => {
    expect(applyMergePatch({ spec: { replicas: 2, paused: false } }, { spec: { replicas: 4 } })).toEqual({ spec: { replicas: 4, paused: false } });
  });

  it('a new map with nulls inside → the map without those keys', () => {
    expect(applyMergePatch({}, { spec: { a: 1, b: null } })).toEqual({ spec: { a: 1 } });
  });

  it('a map over a scalar → the map replaces it', () => {
    expect(applyMergePatch({ spec: 'x' }, { spec: { a: 1 } })).toEqual({ spec: { a: 1 } });
  });

  it('a patch that is not an object → it replaces the document (RFC 7386)', () => {
    expect(applyMergePatch(configMap(), ['x'])).toEqual(['x']);
  });
});
