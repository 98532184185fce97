import { compactMetadata, unknownFields, withoutUnknownFields } from '../../actors/kinds/fields';
import type { KubeObject } from '../../actors/kinds/types';

describe('kinds: unknown fields', () => {
  const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x', colour: 'red' }, data: { a: '1' }, foo: 'bar' };

  it('names top-level and metadata fields the kind does not have, in document order', () => {
    expect(unknownFields('ConfigMap', cm)).toEqual(['foo', 'metadata.colour']);
    expect(unknownFields('Deployment', { apiVersion: 'apps/v1', kind: 'Deployment', metadata: {}, spec: {}, status: {} })).toEqual([]);
  });

  it('ignores strategic-merge-patch directives', () => {
    expect(unknownFields('Pod', { spec: {}, $patch: 'replace' })).toEqual([]);
  });

  it('drops unknown fields without touching the input', () => {
    expect(withoutUnknownFields('ConfigMap', cm)).toEqual({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' }, data: { a: '1' } });
    expect(cm.foo).toBe('bar');
  });
});

describe('kinds: compact metadata', () => {
  it('omits empty maps and lists, as Kubernetes (omitempty) does', () => {
    const o: KubeObject = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x', labels: {}, annotations: { a: 'b' }, finalizers: [] } };
    expect(compactMetadata(o).metadata).toEqual({ name: 'x', annotations: { a: 'b' } });
    const full: KubeObject = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x', labels: { a: 'b' } } };
    expect(compactMetadata(full)).toBe(full);
  });
});
