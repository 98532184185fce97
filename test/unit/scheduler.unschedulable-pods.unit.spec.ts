import type { KubeObject } from '../../actors/kinds/types';
import { UnschedulablePods } from '../../actors/scheduler/unschedulable-pods';
import type { Change, ChangeType } from '../../projections/object-store';

const pod = (name: string, over: { nodeName?: string; phase?: string; cpu?: string } = {}): KubeObject => ({
  apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default' },
  spec: { ...(over.nodeName ? { nodeName: over.nodeName } : {}), containers: [{ name: 'c', resources: { requests: { cpu: over.cpu ?? '1' } } }] },
  status: { phase: over.phase ?? 'Pending' },
});
const node: KubeObject = { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1' } };
const change = (type: ChangeType, object: KubeObject, previous?: KubeObject): Change => ({ seq: 1, eventId: 'e', type, scope: 'x', object, ...(previous ? { previous } : {}) });

describe('unschedulable pods: parked until something could let them fit', () => {
  const t0 = 1_000_000;

  it('a pod never tried is ready; once parked it is not, until a node changes', () => {
    const q = new UnschedulablePods();
    expect(q.ready('default/a', t0)).toBe(true);
    q.park('default/a', false, t0);
    expect(q.ready('default/a', t0 + 1)).toBe(false);
    expect(q.observe(change('ADDED', node), true)).toBe(true);
    expect(q.ready('default/a', t0 + 2)).toBe(true);
    expect(q.size).toBe(0);
  });

  it.each<[string, Change, boolean]>([
    ['a placed pod deleted frees room', change('DELETED', pod('x', { nodeName: 'n1', phase: 'Running' })), true],
    ['a placed pod finishing frees room', change('MODIFIED', pod('x', { nodeName: 'n1', phase: 'Succeeded' }), pod('x', { nodeName: 'n1', phase: 'Running' })), true],
    ['a placed pod going Running does not', change('MODIFIED', pod('x', { nodeName: 'n1', phase: 'Running' }), pod('x', { nodeName: 'n1' })), false],
    ['an unplaced pod deleted does not', change('DELETED', pod('x')), false],
    ['another pod placed does not (no pod waits for pods)', change('MODIFIED', pod('x', { nodeName: 'n1' }), pod('x')), false],
  ])('%s', (_name, c, retried) => {
    const q = new UnschedulablePods();
    q.park('default/a', false, t0);
    q.observe(c, false);
    expect(q.ready('default/a', t0 + 1)).toBe(retried);
  });

  it('a pod with required pod affinity is retried when another pod is placed', () => {
    const q = new UnschedulablePods();
    q.park('default/a', true, t0);
    expect(q.observe(change('MODIFIED', pod('x', { nodeName: 'n1' }), pod('x')), false)).toBe(true);
    expect(q.ready('default/a', t0 + 1)).toBe(true);
  });

  it('a parked pod whose own spec changes is tried again; a status-only change of it is not', () => {
    const q = new UnschedulablePods();
    q.park('default/a', false, t0);
    const status = { ...pod('a'), status: { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False' }] } };
    expect(q.observe(change('MODIFIED', status, pod('a')), false)).toBe(true);
    expect(q.ready('default/a', t0 + 1)).toBe(false);
    q.observe(change('MODIFIED', pod('a', { cpu: '100m' }), pod('a')), false);
    expect(q.ready('default/a', t0 + 2)).toBe(true);
  });

  it('a deleted pod leaves the queue', () => {
    const q = new UnschedulablePods();
    q.park('default/a', true, t0);
    q.observe(change('DELETED', pod('a')), false);
    expect(q.size).toBe(0);
    expect(q.nextRetryInMs(t0)).toBeUndefined();
  });

  it('after the longest wait every parked pod is tried again anyway', () => {
    const q = new UnschedulablePods(60_000);
    q.park('default/a', false, t0);
    q.park('default/b', false, t0 + 10_000);
    expect(q.nextRetryInMs(t0 + 30_000)).toBe(30_000);
    expect(q.ready('default/a', t0 + 59_999)).toBe(false);
    expect(q.ready('default/a', t0 + 60_000)).toBe(true);
    expect(q.ready('default/b', t0 + 60_000)).toBe(false);
    expect(q.nextRetryInMs(t0 + 60_000)).toBe(10_000);
  });
});
