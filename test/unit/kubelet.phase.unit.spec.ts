import { podConditions } from '../../runtime/kubelet/conditions';
import { podPhase } from '../../runtime/kubelet/phase';
import type { ContainerState, ContainerStatus, PodView, RestartPolicy } from '../../runtime/kubelet/pod-view';
import { kpod, T0 } from './kubelet.fixtures';

const terminated = (exitCode: number): ContainerState => ({ terminated: { exitCode, reason: exitCode === 0 ? 'Completed' : 'Error' } });
const RUNNING: ContainerState = { running: { startedAt: '2026-04-01T10:00:00Z' } };
const WAITING: ContainerState = { waiting: { reason: 'ContainerCreating' } };
const BACKOFF: ContainerState = { waiting: { reason: 'CrashLoopBackOff', message: 'back-off 10s' } };

type Shape = 'running' | 'waiting' | `exited ${number}` | `backoff ${number}`;

function status(name: string, shape: Shape, extra: Partial<ContainerStatus> = {}): ContainerStatus {
  const [kind, code] = shape.split(' ');
  const state = kind === 'running' ? RUNNING : kind === 'waiting' ? WAITING : kind === 'exited' ? terminated(Number(code)) : BACKOFF;
  return {
    name, state, lastState: kind === 'backoff' ? terminated(Number(code)) : {}, ready: kind === 'running', restartCount: 0,
    image: 'busybox', imageID: '', started: kind === 'running', ...extra,
  };
}

function pod(policy: RestartPolicy, apps: string[], inits: { name: string; sidecar?: boolean }[] = []): PodView {
  return kpod({
    restartPolicy: policy,
    containers: apps.map((name) => ({ name, image: 'busybox' })),
    initContainers: inits.map(({ name, sidecar }) => ({ name, image: 'busybox', ...(sidecar ? { restartPolicy: 'Always' } : {}) })),
  }) as PodView;
}

describe('kubelet phase: app containers by restartPolicy', () => {
  it.each<[RestartPolicy, Shape[], string, string]>([
    ['Always', ['waiting', 'waiting'], 'Pending', 'none started yet'],
    ['Always', ['running', 'waiting'], 'Pending', 'one still waiting to start'],
    ['Always', ['running', 'running'], 'Running', 'all running'],
    ['Always', ['running', 'exited 0'], 'Running', 'one running'],
    ['Always', ['exited 0', 'exited 1'], 'Running', 'all stopped, but they restart'],
    ['Always', ['backoff 1'], 'Running', 'crash looping'],
    ['OnFailure', ['exited 0', 'exited 0'], 'Succeeded', 'all exited 0'],
    ['OnFailure', ['exited 0', 'exited 1'], 'Running', 'one failed: it restarts'],
    ['OnFailure', ['backoff 1'], 'Running', 'crash looping'],
    ['Never', ['exited 0', 'exited 0'], 'Succeeded', 'all exited 0'],
    ['Never', ['exited 0', 'exited 2'], 'Failed', 'one failed'],
    ['Never', ['running', 'exited 2'], 'Running', 'one failed, one still running'],
  ])('%s, %j → %s (%s)', (policy, shapes, phase) => {
    const names = shapes.map((_, i) => `c${i}`);
    expect(podPhase(pod(policy, names), [], shapes.map((s, i) => status(names[i], s)), false)).toBe(phase);
  });

  it.each<[Shape[], string]>([
    [['exited 0', 'exited 0'], 'Succeeded'],
    [['exited 0', 'exited 137'], 'Failed'],
    [['exited 143'], 'Failed'],
  ])('a pod torn down (deleted): %j → %s, whatever the restartPolicy', (shapes, phase) => {
    const names = shapes.map((_, i) => `c${i}`);
    expect(podPhase(pod('Always', names), [], shapes.map((s, i) => status(names[i], s)), true)).toBe(phase);
  });
});

describe('kubelet phase: init containers', () => {
  const inits = [{ name: 'i0' }, { name: 'i1' }];
  it.each<[RestartPolicy, Shape[], string]>([
    ['Always', ['running', 'waiting'], 'Pending'],
    ['Always', ['exited 0', 'running'], 'Pending'],
    ['Always', ['exited 0', 'backoff 1'], 'Pending'],
    ['Never', ['exited 0', 'exited 1'], 'Failed'],
    ['OnFailure', ['exited 1', 'waiting'], 'Pending'],
    ['Always', ['exited 0', 'exited 0'], 'Pending'],
  ])('%s, init %j, app waiting → %s', (policy, shapes, phase) => {
    expect(podPhase(pod(policy, ['app'], inits), shapes.map((s, i) => status(`i${i}`, s)), [status('app', 'waiting')], false)).toBe(phase);
  });

  it('all init done, the app running → Running', () => {
    expect(podPhase(pod('Always', ['app'], inits), [status('i0', 'exited 0'), status('i1', 'exited 0')], [status('app', 'running')], false)).toBe('Running');
  });

  it('a sidecar running but not started keeps the pod Pending; started, Running', () => {
    const p = pod('Always', ['app'], [{ name: 'side', sidecar: true }]);
    expect(podPhase(p, [status('side', 'running', { started: false })], [status('app', 'waiting')], false)).toBe('Pending');
    expect(podPhase(p, [status('side', 'running')], [status('app', 'running')], false)).toBe('Running');
  });

  it('terminated sidecars do not count: a Never pod whose app exited 0 succeeds', () => {
    const p = pod('Never', ['app'], [{ name: 'side', sidecar: true }]);
    expect(podPhase(p, [status('side', 'exited 137')], [status('app', 'exited 0')], false)).toBe('Succeeded');
  });
});

describe('kubelet conditions', () => {
  const conditions = (p: PodView, init: ContainerStatus[], app: ContainerStatus[], phase: Parameters<typeof podConditions>[0]['phase'], readyToStart = true) =>
    podConditions({ pod: p, init, app, phase, readyToStart, nowMs: T0 + 60_000 });
  const table = (list: ReturnType<typeof conditions>) => list.map((c) => [c.type, c.status, c.reason, c.message].filter((x) => x !== undefined).join(' '));

  it('unready containers, by name in spec order, as Go prints a list', () => {
    const p = pod('Always', ['b', 'a', 'c']);
    expect(table(conditions(p, [], [status('b', 'waiting'), status('a', 'running', { ready: false }), status('c', 'running')], 'Pending'))).toEqual([
      'PodReadyToStartContainers True',
      'Initialized True',
      'Ready False ContainersNotReady containers with unready status: [b a]',
      'ContainersReady False ContainersNotReady containers with unready status: [b a]',
      'PodScheduled True',
    ]);
  });

  it('all ready → Ready; the scheduler\'s PodScheduled is kept as it was', () => {
    const list = conditions(pod('Always', ['a']), [], [status('a', 'running')], 'Running');
    expect(table(list)).toEqual(['PodReadyToStartContainers True', 'Initialized True', 'Ready True', 'ContainersReady True', 'PodScheduled True']);
    expect(list[4]).toEqual({ type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: '2026-04-01T09:59:56Z' });
    expect(list[2]).toEqual({ type: 'Ready', status: 'True', lastProbeTime: null, lastTransitionTime: '2026-04-01T10:01:00Z' });
  });

  it('init containers not done → Initialized False with the incomplete ones', () => {
    const p = pod('Always', ['app'], [{ name: 'i0' }, { name: 'i1' }]);
    const list = conditions(p, [status('i0', 'exited 0', { ready: true }), status('i1', 'running', { ready: false })], [status('app', 'waiting')], 'Pending');
    expect(table(list)[1]).toBe('Initialized False ContainersNotInitialized containers with incomplete status: [i1]');
  });

  it('terminal phases: PodCompleted / PodFailed, and the sandbox gone', () => {
    const p = pod('Never', ['a']);
    expect(table(conditions(p, [], [status('a', 'exited 0')], 'Succeeded', false))).toEqual([
      'PodReadyToStartContainers False', 'Initialized True PodCompleted', 'Ready False PodCompleted', 'ContainersReady False PodCompleted', 'PodScheduled True',
    ]);
    expect(table(conditions(p, [], [status('a', 'exited 1')], 'Failed', false)).slice(2, 4)).toEqual(['Ready False PodFailed', 'ContainersReady False PodFailed']);
  });

  it('readiness gates: Ready waits for their conditions, which stay first as others own them', () => {
    const base = pod('Always', ['a']);
    const gated: PodView = { ...base, spec: { ...base.spec, readinessGates: [{ conditionType: 'example.com/lb' }] } };
    expect(table(conditions(gated, [], [status('a', 'running')], 'Running'))[2]).toBe(
      'Ready False ReadinessGatesNotReady corresponding condition of pod readiness gate "example.com/lb" does not exist.',
    );
    const withGate: PodView = { ...gated, status: { ...gated.status, conditions: [...(gated.status?.conditions ?? []), { type: 'example.com/lb', status: 'True' }] } };
    const list = conditions(withGate, [], [status('a', 'running')], 'Running');
    expect(table(list)[0]).toBe('example.com/lb True');
    expect(table(list)[3]).toBe('Ready True');
  });

  it('a condition keeps its transition time while its status stays', () => {
    const p = pod('Always', ['a']);
    const first = conditions(p, [], [status('a', 'running')], 'Running');
    const again = podConditions({ pod: { ...p, status: { ...p.status, conditions: first } }, init: [], app: [status('a', 'running')], phase: 'Running', readyToStart: true, nowMs: T0 + 120_000 });
    expect(again).toEqual(first);
    const flipped = podConditions({ pod: { ...p, status: { ...p.status, conditions: first } }, init: [], app: [status('a', 'running', { ready: false })], phase: 'Running', readyToStart: true, nowMs: T0 + 120_000 });
    expect(flipped.find((c) => c.type === 'Ready')?.lastTransitionTime).toBe('2026-04-01T10:02:00Z');
    expect(flipped.find((c) => c.type === 'Initialized')?.lastTransitionTime).toBe('2026-04-01T10:01:00Z');
  });
});
