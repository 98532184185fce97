import { planNamespace } from '../../actors/controllers/namespace.controller';
import type { KubeObject } from '../../actors/kinds/types';

const ns = (terminating: boolean, finalizers = ['kubernetes']): KubeObject => ({
  apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'x', ...(terminating ? { deletionTimestamp: '2026-01-01T00:00:00Z' } : {}) }, spec: { finalizers },
});
const cm = (name: string, terminating = false) => ({
  ref: { group: '', resource: 'configmaps', namespace: 'x', name },
  object: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'x', ...(terminating ? { deletionTimestamp: 't' } : {}) } } as KubeObject,
});

describe('namespace controller plan', () => {
  it('does nothing for a live namespace (converged)', () => {
    expect(planNamespace(ns(false), [cm('a')])).toEqual({ delete: [], finalize: false });
  });
  it('does nothing for a namespace that is gone or already finalized (converged)', () => {
    expect(planNamespace(undefined, [])).toEqual({ delete: [], finalize: false });
    expect(planNamespace(ns(true, []), [])).toEqual({ delete: [], finalize: false });
  });
  it('deletes what is in a terminating namespace, skipping objects already being deleted', () => {
    expect(planNamespace(ns(true), [cm('a'), cm('b', true)])).toEqual({ delete: [cm('a').ref], finalize: false });
  });
  it('finalizes an empty terminating namespace', () => {
    expect(planNamespace(ns(true), [])).toEqual({ delete: [], finalize: true });
  });
});
