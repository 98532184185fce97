import type { KubeObject } from '../../actors/kinds/types';
import { ObjectStore, refOfKey } from '../../projections/object-store';

const pod = (name: string, nodeName?: string): KubeObject => ({
  apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'ns' }, spec: { ...(nodeName ? { nodeName } : {}), containers: [] },
});
const ref = (name: string) => ({ group: '', resource: 'pods', namespace: 'ns', name });
const names = (keys: ReadonlySet<string>) => [...keys].map((k) => refOfKey(k).name).sort();

describe('object store: pods by node', () => {
  it('indexes pods by spec.nodeName, unscheduled ones under "", and follows binds and deletes', () => {
    const store = new ObjectStore();
    store.put(ref('a'), { object: pod('a'), causationId: 'c' });
    store.put(ref('b'), { object: pod('b', 'n1'), causationId: 'c' });
    expect(names(store.keysOfPodsOn(''))).toEqual(['a']);
    expect(names(store.keysOfPodsOn('n1'))).toEqual(['b']);
    store.put(ref('a'), { object: pod('a', 'n1'), causationId: 'c' });
    expect(names(store.keysOfPodsOn(''))).toEqual([]);
    expect(names(store.keysOfPodsOn('n1'))).toEqual(['a', 'b']);
    store.delete(ref('b'));
    expect(names(store.keysOfPodsOn('n1'))).toEqual(['a']);
    expect(names(store.keysOfPodsOn('n2'))).toEqual([]);
  });

  it('does not index other kinds that happen to have spec.nodeName', () => {
    const store = new ObjectStore();
    store.put({ group: '', resource: 'configmaps', namespace: 'ns', name: 'x' }, { object: { ...pod('x', 'n1'), kind: 'ConfigMap' }, causationId: 'c' });
    expect(store.keysOfPodsOn('n1').size).toBe(0);
  });
});
