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
    expect(planNamespace(ns(false), [cm('a')]).commands).toEqual([]);
  });
  it('does nothing for a namespace that is gone or already finalized (converged)', () => {
    expect(planNamespace(undefined, []).commands).toEqual([]);
    expect(planNamespace(ns(true, []), []).commands).toEqual([]);
  });
  it('deletes what is in a terminating namespace, skipping objects already being deleted', () => {
    const plan = planNamespace(ns(true), [cm('a'), cm('b', true)]);
    expect(plan.commands.map((c) => [c.ref.name, c.payload.op, c.reason])).toEqual([['a', 'delete', 'namespace x is being deleted']]);
  });
  it('finalizes an empty terminating namespace, keeping other finalizers', () => {
    const plan = planNamespace(ns(true, ['kubernetes', 'example.com/keep']), []);
    expect(plan.commands).toHaveLength(1);
    expect(plan.commands[0].payload).toMatchObject({ op: 'patch', patchType: 'merge', patch: { spec: { finalizers: ['example.com/keep'] } } });
  });
});
