import { DEFAULT_MEMORY_REQUEST, milliCpuOf, nodeAllocatable, podRequests, unitsOf } from '../../actors/scheduler/resources';
import type { PodSpec } from '../../actors/scheduler/types';
import { node } from './scheduler.fixtures';

const Mi = 1024 * 1024;
const Gi = 1024 * Mi;

describe('scheduler resources: quantities', () => {
  it.each([
    ['500m', 500], ['1', 1000], ['0.5', 500], [2, 2000], ['1.5', 1500], ['100u', 1], ['0.1m', 1], ['1e-3', 1], ['', 0], ['abc', 0], [undefined, 0],
  ])('cpu %p → %p millicores (rounded up, like MilliValue)', (q, want) => {
    expect(milliCpuOf(q)).toBe(want);
  });

  it.each([
    ['128Mi', 128 * Mi], ['1Gi', Gi], ['1G', 1e9], ['1e3', 1000], ['1k', 1000], ['1Ki', 1024], ['512', 512], [1024, 1024], ['1.5', 2], ['100m', 1], ['110', 110], ['x', 0],
  ])('memory/count %p → %p (rounded up, like Value)', (q, want) => {
    expect(unitsOf(q)).toBe(want);
  });
});

describe('scheduler resources: pod requests', () => {
  const c = (cpu?: string, memory?: string, restartPolicy?: string) => ({
    name: 'c', resources: { requests: { ...(cpu ? { cpu } : {}), ...(memory ? { memory } : {}) } }, ...(restartPolicy ? { restartPolicy } : {}),
  });

  it.each<[string, PodSpec, number, number]>([
    ['sum of containers', { containers: [c('250m', '64Mi'), c('500m', '128Mi')] }, 750, 192 * Mi],
    // computePodResourceRequest's own example: max(sum of containers, each init container).
    ['init containers take the max', { initContainers: [c('2', '1G'), c('2', '3G')], containers: [c('2', '1G'), c('1', '1G')] }, 3000, 3e9],
    ['overhead is added', { containers: [c('1', '1Gi')], overhead: { cpu: '250m', memory: '120Mi' } }, 1250, Gi + 120 * Mi],
    // A sidecar runs beside the later init containers and beside the app containers.
    ['sidecar beside a later init container', { initContainers: [c('1', undefined, 'Always'), c('2')], containers: [c('1')] }, 3000, 0],
    ['sidecar beside the app containers', { initContainers: [c('1', undefined, 'Always'), c('2')], containers: [c('3')] }, 4000, 0],
    ['no requests', { containers: [{ name: 'c' }] }, 0, 0],
  ])('%s', (_name, spec, cpu, memory) => {
    expect(podRequests(spec)).toEqual({ milliCpu: cpu, memory });
  });

  it('for scoring, a resource a container does not name counts 100m / 200Mi; an explicit 0 stays 0', () => {
    expect(podRequests({ containers: [{ name: 'c' }] }, true)).toEqual({ milliCpu: 100, memory: DEFAULT_MEMORY_REQUEST });
    expect(podRequests({ containers: [c('0')] }, true)).toEqual({ milliCpu: 0, memory: 200 * Mi });
    expect(podRequests({ containers: [c('1', '1Gi')] }, true)).toEqual({ milliCpu: 1000, memory: Gi });
  });
});

describe('scheduler resources: node allocatable', () => {
  it('reads status.allocatable', () => {
    expect(nodeAllocatable(node('n', { cpu: '3500m', memory: '7Gi', pods: '58' }))).toEqual({ milliCpu: 3500, memory: 7 * Gi, pods: 58 });
  });

  it('falls back to capacity, resource by resource', () => {
    const n = { ...node('n'), status: { capacity: { cpu: '8', memory: '16Gi', pods: '110' }, allocatable: { cpu: '7' } } };
    expect(nodeAllocatable(n)).toEqual({ milliCpu: 7000, memory: 16 * Gi, pods: 110 });
  });

  it('a node reporting nothing offers nothing', () => {
    expect(nodeAllocatable({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'bare' } })).toEqual({ milliCpu: 0, memory: 0, pods: 0 });
  });
});
