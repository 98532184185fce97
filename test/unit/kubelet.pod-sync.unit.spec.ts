import { ImagePullError as RuntimeImagePullError } from '../../runtime/containerd/errors';
import { neverPullMessage } from '../../runtime/image/pull-policy';
import type { StartError } from '../../runtime/kubelet/container-actions';
import { planPodSync } from '../../runtime/kubelet/pod-sync';
import type { ContainerSpec } from '../../runtime/kubelet/pod-view';
import { conditionsOf, eventsOf, kpod, Node, reasonsOf, statusPatchOf, T0, UID } from './kubelet.fixtures';

const S = 1000;
const app = (name: string, extra: Partial<ContainerSpec> = {}): ContainerSpec => ({ name, image: 'busybox:1.36', ...extra });
const starts = (node: Node) => node.log.filter((a) => a.kind === 'start').map((a) => (a.kind === 'start' ? `${a.container}#${a.attempt}` : ''));
const exec = { exec: { command: ['true'] } };

describe('kubelet pod sync: a new pod', () => {
  it('starts every app container, reports them creating, and says nothing yet', () => {
    const node = new Node(kpod({ containers: [app('web'), app('log')] }));
    const sync = node.sync();
    expect(sync.actions).toEqual([
      { kind: 'start', container: 'web', init: false, attempt: 0 },
      { kind: 'start', container: 'log', init: false, attempt: 0 },
    ]);
    expect(eventsOf(sync.plan)).toEqual([]);
    const status = statusPatchOf(sync.plan);
    expect(status).toMatchObject({ hostIP: '192.0.2.1', hostIPs: [{ ip: '192.0.2.1' }], startTime: '2026-04-01T10:00:00Z' });
    expect(status?.phase).toBeUndefined(); // Pending already, like the qosClass the API server set
    expect(status?.containerStatuses).toEqual([
      { name: 'log', state: { waiting: { reason: 'ContainerCreating' } }, lastState: {}, ready: false, restartCount: 0, image: 'busybox:1.36', imageID: '', started: false },
      { name: 'web', state: { waiting: { reason: 'ContainerCreating' } }, lastState: {}, ready: false, restartCount: 0, image: 'busybox:1.36', imageID: '', started: false },
    ]);
    expect(status?.conditions.map((c: { type: string; status: string; message?: string }) => [c.type, c.status, c.message])).toEqual([
      ['PodReadyToStartContainers', 'True', undefined],
      ['Initialized', 'True', undefined],
      ['Ready', 'False', 'containers with unready status: [web log]'],
      ['ContainersReady', 'False', 'containers with unready status: [web log]'],
      ['PodScheduled', 'True', undefined],
    ]);
  });

  it('once they run: Running, ready, and the kubelet\'s Pulled/Created/Started per container', () => {
    const node = new Node(kpod({ containers: [app('web'), app('log')] }));
    node.step();
    const sync = node.later(2 * S).step();
    expect(sync.actions).toEqual([]);
    expect(eventsOf(sync.plan)).toEqual([
      { type: 'Normal', reason: 'Pulled', message: 'Container image "busybox:1.36" already present on machine', fieldPath: 'spec.containers{web}' },
      { type: 'Normal', reason: 'Created', message: 'Created container: web', fieldPath: 'spec.containers{web}' },
      { type: 'Normal', reason: 'Started', message: 'Started container web', fieldPath: 'spec.containers{web}' },
      { type: 'Normal', reason: 'Pulled', message: 'Container image "busybox:1.36" already present on machine', fieldPath: 'spec.containers{log}' },
      { type: 'Normal', reason: 'Created', message: 'Created container: log', fieldPath: 'spec.containers{log}' },
      { type: 'Normal', reason: 'Started', message: 'Started container log', fieldPath: 'spec.containers{log}' },
    ]);
    expect(node.status.phase).toBe('Running');
    expect(node.containerStatus('web')).toEqual({
      name: 'web',
      state: { running: { startedAt: '2026-04-01T10:00:00Z' } },
      lastState: {},
      ready: true,
      restartCount: 0,
      image: 'docker.io/library/busybox:1.36',
      imageID: 'docker.io/library/busybox:1.36@sha256:feed',
      containerID: 'containerd://web-0',
      started: true,
    });
    expect(conditionsOf(node.status)).toEqual({ PodReadyToStartContainers: 'True', Initialized: 'True', Ready: 'True', ContainersReady: 'True', PodScheduled: 'True' });
    // The Events name themselves after the pass and what they say: same message, two containers, two events.
    expect(new Set(sync.plan.commands.map((c) => c.ref.name)).size).toBe(sync.plan.commands.length);
  });

  it('the pod\'s addresses, when the caller has them', () => {
    const status = statusPatchOf(new Node(kpod()).sync({ podIPs: ['10.244.1.7', 'fd00::7'] }).plan);
    expect(status).toMatchObject({ podIP: '10.244.1.7', podIPs: [{ ip: '10.244.1.7' }, { ip: 'fd00::7' }] });
  });
});

describe('kubelet pod sync: converged → nothing', () => {
  it.each([
    ['running and ready', kpod({ containers: [app('web')] }), (n: Node) => n],
    ['Succeeded (restartPolicy Never, exited 0)', kpod({ restartPolicy: 'Never' }), (n: Node) => n.exit('app', 0)],
    ['Failed (restartPolicy Never, exited 3)', kpod({ restartPolicy: 'Never' }), (n: Node) => n.exit('app', 3)],
    ['Succeeded (restartPolicy OnFailure, exited 0)', kpod({ restartPolicy: 'OnFailure' }), (n: Node) => n.exit('app', 0)],
  ])('%s: a second pass with the same inputs sends nothing and asks nothing', (_what, pod, then) => {
    const node = new Node(pod);
    node.step();
    then(node.later(5 * S));
    node.step();
    node.step();
    const again = node.later(60 * S).sync();
    expect(again).toEqual({ actions: [], probes: [], plan: { commands: [] } });
  });

  it('with probes, only the next probe time: no commands, no actions', () => {
    const node = new Node(kpod({ containers: [app('web', { readinessProbe: { ...exec, periodSeconds: 5 } })] }));
    node.step();
    node.later(S);
    node.probe(node.step(), { readiness: 'success' });
    node.step();
    const again = node.later(S).sync();
    expect(again.actions).toEqual([]);
    expect(again.plan).toEqual({ commands: [], requeueAfterMs: 4 * S });
  });
});

describe('kubelet pod sync: init containers', () => {
  const pod = () => kpod({ initContainers: [app('i0'), app('i1')], containers: [app('web')] });

  it('run one at a time, in order, each to exit 0, before any app container', () => {
    const node = new Node(pod());
    const first = node.step();
    expect(first.actions).toEqual([{ kind: 'start', container: 'i0', init: true, attempt: 0 }]);
    const status = statusPatchOf(first.plan);
    expect(status?.initContainerStatuses.map((s: { state: object }) => s.state)).toEqual([{ waiting: { reason: 'PodInitializing' } }, { waiting: { reason: 'PodInitializing' } }]);
    expect(status?.containerStatuses[0].state).toEqual({ waiting: { reason: 'PodInitializing' } });
    expect(status?.conditions[1]).toMatchObject({ type: 'Initialized', status: 'False', reason: 'ContainersNotInitialized', message: 'containers with incomplete status: [i0 i1]' });

    expect(node.later(S).step().actions).toEqual([]); // i0 runs: wait for it
    expect(node.containerStatus('i0')).toMatchObject({ started: true, ready: false, state: { running: {} } });
    node.exit('i0', 0);
    expect(node.later(S).step().actions).toEqual([{ kind: 'start', container: 'i1', init: true, attempt: 0 }]);
    expect(node.containerStatus('i0')).toMatchObject({ ready: true, started: false, state: { terminated: { exitCode: 0, reason: 'Completed' } } });
    node.later(S).step();
    node.exit('i1', 0);
    expect(node.later(S).step().actions).toEqual([{ kind: 'start', container: 'web', init: false, attempt: 0 }]);
    expect(node.status.phase).toBe('Pending');
    expect(conditionsOf(node.status).Initialized).toBe('True');
    node.later(S).step();
    expect(node.status.phase).toBe('Running');
    expect(starts(node)).toEqual(['i0#0', 'i1#0', 'web#0']);
  });

  it('a failing init container is retried with back-off, and the app waits', () => {
    const node = new Node(pod());
    node.step();
    node.later(S).step();
    node.exit('i0', 1);
    expect(node.later(S).step().actions).toEqual([{ kind: 'start', container: 'i0', init: true, attempt: 1 }]); // the first restart is immediate
    node.later(S).step();
    node.exit('i0', 1);
    const held = node.later(S).step();
    expect(held.actions).toEqual([]);
    expect(held.plan.requeueAfterMs).toBe(9 * S);
    expect(node.containerStatus('i0')?.state.waiting?.reason).toBe('CrashLoopBackOff');
    expect(node.status.phase).toBe('Pending');
    expect(node.at(node.nowMs + 9 * S).step().actions).toEqual([{ kind: 'start', container: 'i0', init: true, attempt: 2 }]);
    expect(starts(node)).toEqual(['i0#0', 'i0#1', 'i0#2']);
  });

  it('under restartPolicy Never a failed init container fails the pod; nothing else starts', () => {
    const node = new Node(kpod({ restartPolicy: 'Never', initContainers: [app('i0'), app('i1')], containers: [app('web')] }));
    node.step();
    node.later(S).step();
    node.exit('i0', 2);
    const sync = node.later(S).step();
    expect(sync.actions).toEqual([]);
    expect(node.status.phase).toBe('Failed');
    expect(node.containerStatus('i0')?.state.terminated).toMatchObject({ exitCode: 2, reason: 'Error' });
    expect(node.containerStatus('web')?.state).toEqual({ waiting: { reason: 'PodInitializing' } });
    expect(conditionsOf(node.status)).toMatchObject({ PodReadyToStartContainers: 'False', Initialized: 'False', Ready: 'False' });
    expect(node.later(S).sync()).toEqual({ actions: [], probes: [], plan: { commands: [] } });
  });

  it('a sidecar (restartPolicy Always) must be running and started before the next one starts, and keeps running', () => {
    const node = new Node(kpod({
      initContainers: [app('proxy', { restartPolicy: 'Always', startupProbe: exec }), app('migrate')],
      containers: [app('web')],
    }));
    expect(node.step().actions).toEqual([{ kind: 'start', container: 'proxy', init: true, attempt: 0 }]);
    const waiting = node.later(S).step();
    expect(waiting.actions).toEqual([]);
    node.probe(waiting, { startup: 'success' });
    expect(node.later(S).step().actions).toEqual([{ kind: 'start', container: 'migrate', init: true, attempt: 0 }]);
    node.later(S).step();
    node.exit('migrate', 0);
    expect(node.later(S).step().actions).toEqual([{ kind: 'start', container: 'web', init: false, attempt: 0 }]);
    node.later(S).step();
    expect(node.status.phase).toBe('Running');
    // The sidecar crashes later: it restarts, the app is left alone.
    node.exit('proxy', 1);
    expect(node.later(S).step().actions).toEqual([{ kind: 'start', container: 'proxy', init: true, attempt: 1 }]);
  });
});

describe('kubelet pod sync: a pod that finishes', () => {
  it('its sidecars are stopped once the app containers are done, and the pod succeeds', () => {
    const node = new Node(kpod({ restartPolicy: 'Never', initContainers: [app('proxy', { restartPolicy: 'Always' })], containers: [app('job')] }));
    node.step();
    node.later(S).step();
    node.later(S).step();
    node.later(S).exit('job', 0);
    const sync = node.step();
    expect(sync.actions).toEqual([{ kind: 'stop', id: 'proxy-0', graceMs: 30 * S, reason: 'Stopping container proxy' }]);
    expect(eventsOf(sync.plan)).toEqual([{ type: 'Normal', reason: 'Killing', message: 'Stopping container proxy', fieldPath: 'spec.initContainers{proxy}' }]);
    expect(node.status.phase).toBe('Running'); // the sidecar still runs
    node.later(S).step();
    expect(node.status.phase).toBe('Succeeded');
    expect(node.later(S).sync()).toEqual({ actions: [], probes: [], plan: { commands: [] } });
  });

  it('once reported Succeeded it stays so, even if the runtime loses its containers', () => {
    const node = new Node(kpod({ restartPolicy: 'OnFailure' }));
    node.step();
    node.later(S).step();
    node.exit('app', 0);
    node.step();
    expect(node.status.phase).toBe('Succeeded');
    node.containers = [];
    expect(node.later(S).sync()).toEqual({ actions: [], probes: [], plan: { commands: [] } });
  });
});

describe('kubelet pod sync: restarts by restartPolicy', () => {
  it.each([
    ['Always', 0, true, 'Running'],
    ['Always', 1, true, 'Running'],
    ['OnFailure', 0, false, 'Succeeded'],
    ['OnFailure', 1, true, 'Running'],
    ['Never', 0, false, 'Succeeded'],
    ['Never', 1, false, 'Failed'],
  ] as const)('%s, exit %i → restarted: %s; phase %s', (policy, code, restarted, phase) => {
    const node = new Node(kpod({ restartPolicy: policy }));
    node.step();
    node.later(S).step();
    node.exit('app', code);
    const sync = node.later(S).step();
    expect(sync.actions).toEqual(restarted ? [{ kind: 'start', container: 'app', init: false, attempt: 1 }] : []);
    expect(node.status.phase).toBe(phase);
  });

  it('OOMKilled: the next attempt runs, the kill stays in lastState', () => {
    const node = new Node(kpod());
    node.step();
    node.later(S).step();
    node.later(30 * S).exit('app', 137, 'OOMKilled');
    node.step();
    node.later(S).step();
    expect(node.containerStatus('app')).toMatchObject({
      restartCount: 1,
      state: { running: { startedAt: '2026-04-01T10:00:31Z' } },
      lastState: { terminated: { exitCode: 137, reason: 'OOMKilled', startedAt: '2026-04-01T10:00:00Z', finishedAt: '2026-04-01T10:00:31Z', containerID: 'containerd://app-0' } },
      containerID: 'containerd://app-1',
    });
  });
});

describe('kubelet pod sync: crash loop back-off', () => {
  /** Crash the container `times` times, one second into each run; returns the delay before each restart. */
  function crashLoop(node: Node, times: number): number[] {
    const delays: number[] = [];
    node.step();
    for (let i = 0; i < times; i++) {
      node.later(S).step();
      node.later(S).exit('app', 1);
      const crashedAt = node.nowMs;
      let sync = node.step();
      while (!sync.actions.some((a) => a.kind === 'start')) {
        expect(sync.plan.requeueAfterMs).toBeGreaterThan(0);
        node.later(sync.plan.requeueAfterMs ?? 0);
        sync = node.step();
      }
      delays.push(node.nowMs - crashedAt);
    }
    return delays;
  }

  it('restarts at once, then after 10 s doubling up to 300 s', () => {
    expect(crashLoop(new Node(kpod()), 9)).toEqual([0, 10, 20, 40, 80, 160, 300, 300, 300].map((s) => s * S));
  });

  it('while it backs off: waiting CrashLoopBackOff with kubelet\'s message, the crash in lastState, one BackOff event', () => {
    const node = new Node(kpod());
    crashLoop(node, 2);
    node.later(S).step();
    node.later(S).exit('app', 1);
    const sync = node.step();
    expect(node.containerStatus('app')).toMatchObject({
      state: { waiting: { reason: 'CrashLoopBackOff', message: `back-off 20s restarting failed container=app pod=web_default(${UID})` } },
      lastState: { terminated: { exitCode: 1, reason: 'Error' } },
      restartCount: 2,
      ready: false,
      started: false,
      containerID: 'containerd://app-2',
    });
    expect(node.status.phase).toBe('Running');
    expect(eventsOf(sync.plan)).toContainEqual({ type: 'Warning', reason: 'BackOff', message: `Back-off restarting failed container app in pod web_default(${UID})`, fieldPath: 'spec.containers{app}' });
    expect(node.later(5 * S).sync().plan).toEqual({ commands: [], requeueAfterMs: 15 * S });
  });

  it('a run of more than 10 minutes resets it', () => {
    const node = new Node(kpod());
    crashLoop(node, 4);
    node.later(11 * 60 * S).step();
    node.exit('app', 1);
    expect(node.step().actions).toEqual([{ kind: 'start', container: 'app', init: false, attempt: 5 }]);
    node.later(S).step();
    node.later(S).exit('app', 1);
    expect(node.step().plan.requeueAfterMs).toBe(10 * S);
  });

  it('keeps the last six attempts (enough to know the back-off) and removes older ones', () => {
    const node = new Node(kpod());
    crashLoop(node, 8);
    node.later(S).step();
    expect(node.log.filter((a) => a.kind === 'remove')).toEqual([
      { kind: 'remove', id: 'app-0' },
      { kind: 'remove', id: 'app-1' },
      { kind: 'remove', id: 'app-2' },
    ]);
    expect(node.containers.map((c) => c.attempt)).toEqual([3, 4, 5, 6, 7, 8]);
  });
});

describe('kubelet pod sync: probes', () => {
  it('a failed liveness probe stops the container (Killing), then it restarts', () => {
    const node = new Node(kpod({ containers: [app('web', { livenessProbe: { ...exec, failureThreshold: 1 } })] }));
    node.step();
    node.later(S);
    expect(node.probe(node.step(), { liveness: 'failure' })).toHaveLength(1);
    const kill = node.sync();
    expect(kill.actions).toEqual([{ kind: 'stop', id: 'web-0', graceMs: 30 * S, reason: 'Container web failed liveness probe, will be restarted' }]);
    expect(eventsOf(kill.plan)).toEqual([{ type: 'Normal', reason: 'Killing', message: 'Container web failed liveness probe, will be restarted', fieldPath: 'spec.containers{web}' }]);
    expect(kill.probes).toEqual([]); // held: no more probing of this container

    // While the runtime stops it, a second pass asks nothing and says nothing again.
    node.update('web-0', { stopRequestedAtMs: node.nowMs });
    expect(node.sync().plan.commands).toEqual([]);
    expect(node.sync().actions).toEqual([]);

    node.apply(kill);
    node.later(S);
    const restart = node.step();
    expect(restart.actions).toEqual([{ kind: 'start', container: 'web', init: false, attempt: 1 }]);
    expect(node.later(S).step().probes.map((p) => p.containerId)).toEqual(['web-1']);
    expect(node.containerStatus('web')).toMatchObject({ restartCount: 1, lastState: { terminated: { exitCode: 137 } } });
  });

  it('under restartPolicy Never the killed container stays down and the pod fails', () => {
    const node = new Node(kpod({ restartPolicy: 'Never', containers: [app('web', { livenessProbe: { ...exec, failureThreshold: 1, terminationGracePeriodSeconds: 5 } })] }));
    node.step();
    node.later(S);
    node.probe(node.step(), { liveness: 'failure' });
    const kill = node.step();
    expect(kill.actions).toEqual([{ kind: 'stop', id: 'web-0', graceMs: 5 * S, reason: 'Container web failed liveness probe' }]);
    node.later(S).step();
    expect(node.status.phase).toBe('Failed');
  });

  it('readiness failing: the container runs but is not ready, and neither is the pod', () => {
    const node = new Node(kpod({ containers: [app('web', { readinessProbe: exec }), app('log')] }));
    node.step();
    node.later(S);
    node.probe(node.step(), { readiness: 'success' });
    node.step();
    expect(conditionsOf(node.status).Ready).toBe('True');
    for (let i = 0; i < 3; i++) node.probe(node.later(10 * S).step(), { readiness: 'failure' });
    node.step();
    expect(node.status.phase).toBe('Running');
    expect(node.containerStatus('web')).toMatchObject({ ready: false, started: true, state: { running: {} } });
    expect(node.status.conditions?.find((c) => c.type === 'Ready')).toMatchObject({ status: 'False', reason: 'ContainersNotReady', message: 'containers with unready status: [web]' });
  });

  it('a startup probe gates started, ready and the other probes', () => {
    const node = new Node(kpod({ containers: [app('web', { startupProbe: { ...exec, periodSeconds: 2 }, livenessProbe: exec, readinessProbe: exec })] }));
    node.step();
    const first = node.later(S).step();
    expect(first.probes.map((p) => p.spec.kind)).toEqual(['startup']);
    expect(node.containerStatus('web')).toMatchObject({ started: false, ready: false });
    node.probe(first, { startup: 'failure' });
    const second = node.later(2 * S).step();
    expect(second.probes.map((p) => p.spec.kind)).toEqual(['startup']);
    node.probe(second, { startup: 'success' });
    const third = node.step();
    expect(node.containerStatus('web')).toMatchObject({ started: true, ready: false });
    expect(third.probes.map((p) => p.spec.kind)).toEqual(['liveness', 'readiness']);
    node.probe(third, { liveness: 'success', readiness: 'success' });
    node.step();
    expect(node.containerStatus('web')).toMatchObject({ started: true, ready: true });
  });

  it('a startup probe that fails its threshold kills the container', () => {
    const node = new Node(kpod({ containers: [app('web', { startupProbe: { ...exec, failureThreshold: 1 } })] }));
    node.step();
    node.probe(node.later(S).step(), { startup: 'failure' });
    expect(node.sync().actions).toEqual([{ kind: 'stop', id: 'web-0', graceMs: 30 * S, reason: 'Container web failed startup probe, will be restarted' }]);
  });
});

describe('kubelet pod sync: deletion', () => {
  const running = (containers: ContainerSpec[] = [app('web', { lifecycle: { preStop: { exec: { command: ['nginx', '-s', 'quit'] } } } }), app('log')]) => {
    const node = new Node(kpod({ containers }));
    node.step();
    node.later(S).step();
    return node.later(60 * S);
  };

  it('stops every running container with the deletion\'s grace, running preStop first, one Killing each', () => {
    const node = running().deleteWith(20);
    const sync = node.sync();
    expect(sync.actions).toEqual([
      { kind: 'stop', id: 'web-0', graceMs: 20 * S, reason: 'Stopping container web', preStop: ['nginx', '-s', 'quit'] },
      { kind: 'stop', id: 'log-0', graceMs: 20 * S, reason: 'Stopping container log' },
    ]);
    expect(eventsOf(sync.plan)).toEqual([
      { type: 'Normal', reason: 'Killing', message: 'Stopping container web', fieldPath: 'spec.containers{web}' },
      { type: 'Normal', reason: 'Killing', message: 'Stopping container log', fieldPath: 'spec.containers{log}' },
    ]);
    expect(statusPatchOf(sync.plan)).toBeUndefined(); // still Running while they stop
    // While they stop (the runtime marks them), nothing more is asked or said.
    for (const c of node.containers) node.update(c.id, { stopRequestedAtMs: node.nowMs });
    expect(node.sync()).toEqual({ actions: [], probes: [], plan: { commands: [] } });
  });

  it('once they have exited: the terminal status, then the final delete (grace 0, uid precondition) and the containers removed', () => {
    const node = running().deleteWith(30);
    node.step();
    const stopped = node.later(2 * S).step();
    expect(stopped.actions).toEqual([]);
    expect(reasonsOf(stopped.plan)).toEqual([]);
    expect(statusPatchOf(stopped.plan)).toMatchObject({ phase: 'Failed' });
    expect(node.containerStatus('web')).toMatchObject({ ready: false, started: false, state: { terminated: { exitCode: 137, reason: 'Error', finishedAt: '2026-04-01T10:01:01Z' } } });
    expect(conditionsOf(node.status)).toEqual({ PodReadyToStartContainers: 'False', Initialized: 'True', Ready: 'False', ContainersReady: 'False', PodScheduled: 'True' });
    expect(node.status.conditions?.find((c) => c.type === 'Ready')?.reason).toBe('PodFailed');

    const last = node.later(S).step();
    expect(last.actions).toEqual([{ kind: 'remove', id: 'web-0' }, { kind: 'remove', id: 'log-0' }]);
    expect(last.plan.commands).toEqual([
      expect.objectContaining({ ref: { group: '', resource: 'pods', namespace: 'default', name: 'web' }, payload: { op: 'delete', options: { gracePeriodSeconds: 0, preconditions: { uid: UID } } } }),
    ]);
    // The containers gone, the status stays what it was: only the delete is repeated.
    expect(node.later(S).sync().plan.commands.map((c) => c.payload.op)).toEqual(['delete']);
  });

  it('containers that exit 0 on SIGTERM make the pod Succeeded', () => {
    const node = running().deleteWith(30);
    node.sync();
    node.exit('web', 0).exit('log', 0);
    node.step();
    expect(node.status.phase).toBe('Succeeded');
    expect(node.status.conditions?.find((c) => c.type === 'Ready')).toMatchObject({ status: 'False', reason: 'PodCompleted' });
  });

  it('force-deleted (grace 0) while finalizers hold it: stopped and reported, but no final delete of its own', () => {
    const node = running().deleteWith(0);
    expect(node.step().actions.map((a) => a.kind === 'stop' && a.graceMs)).toEqual([0, 0]);
    node.step();
    expect(node.step().plan.commands).toEqual([]);
  });

  it('a pod deleted before it started: Failed, then the final delete', () => {
    const node = new Node(kpod()).deleteWith(30);
    const first = node.step();
    expect(first.actions).toEqual([]);
    expect(statusPatchOf(first.plan)).toMatchObject({ phase: 'Failed' });
    expect(node.step().plan.commands.map((c) => c.payload.op)).toEqual(['delete']);
  });

  it('a crash-looping container is not restarted once the pod is being deleted', () => {
    const node = running([app('web')]);
    node.exit('web', 1);
    node.step(); // restart at once
    node.later(S).exit('web', 1);
    node.step(); // back-off
    node.deleteWith(30);
    const sync = node.later(S).step();
    expect(sync.actions).toEqual([]);
    expect(node.containerStatus('web')?.state.terminated).toMatchObject({ exitCode: 1 });
    expect(node.status.phase).toBe('Failed');
  });

  it('sidecars stop after the app containers', () => {
    const node = new Node(kpod({ initContainers: [app('proxy', { restartPolicy: 'Always' })], containers: [app('web')] }));
    node.step();
    node.later(S).step();
    node.later(S).step();
    node.deleteWith(30);
    expect(node.step().actions).toEqual([{ kind: 'stop', id: 'web-0', graceMs: 30 * S, reason: 'Stopping container web' }]);
    expect(node.step().actions).toEqual([{ kind: 'stop', id: 'proxy-0', graceMs: 30 * S, reason: 'Stopping container proxy' }]);
  });
});

describe('kubelet pod sync: images', () => {
  it('ErrImagePull: waiting with the error, the kubelet\'s events once, and the start asked again', () => {
    const node = new Node(kpod({ containers: [app('web', { image: 'nope:1' })] }));
    node.startErrors = { web: { reason: 'ErrImagePull', message: 'failed to pull and unpack image "docker.io/library/nope:1": not found' } };
    const sync = node.step();
    expect(sync.actions).toEqual([{ kind: 'start', container: 'web', init: false, attempt: 0 }]);
    expect(node.containerStatus('web')?.state).toEqual({ waiting: { reason: 'ErrImagePull', message: 'failed to pull and unpack image "docker.io/library/nope:1": not found' } });
    expect(eventsOf(sync.plan)).toEqual([
      { type: 'Normal', reason: 'Pulling', message: 'Pulling image "nope:1"', fieldPath: 'spec.containers{web}' },
      { type: 'Warning', reason: 'Failed', message: 'Failed to pull image "nope:1": failed to pull and unpack image "docker.io/library/nope:1": not found', fieldPath: 'spec.containers{web}' },
      { type: 'Warning', reason: 'Failed', message: 'Error: ErrImagePull', fieldPath: 'spec.containers{web}' },
    ]);
    expect(node.status.phase).toBe('Pending');
    expect(eventsOf(node.step().plan)).toEqual([]);
  });

  it('ImagePullBackOff: no start before the image back-off ends, then one', () => {
    const node = new Node(kpod({ containers: [app('web', { image: 'nope:1' })] }));
    node.startErrors = { web: { reason: 'ImagePullBackOff', message: 'Back-off pulling image "nope:1"', retryAtMs: node.nowMs + 20 * S } };
    const sync = node.step();
    expect(sync.actions).toEqual([]);
    expect(sync.plan.requeueAfterMs).toBe(20 * S);
    expect(reasonsOf(sync.plan)).toEqual(['BackOff', 'Failed']);
    expect(eventsOf(sync.plan).map((e) => e.message)).toEqual(['Back-off pulling image "nope:1"', 'Error: ImagePullBackOff']);
    expect(node.later(20 * S).step().actions).toEqual([{ kind: 'start', container: 'web', init: false, attempt: 0 }]);
  });

  it('ErrImageNeverPull', () => {
    const node = new Node(kpod({ containers: [app('web', { image: 'local:dev' })] }));
    node.startErrors = { web: { reason: 'ErrImageNeverPull', message: 'Container image "local:dev" is not present with pull policy of Never' } };
    expect(eventsOf(node.step().plan).map((e) => `${e.type} ${e.reason}: ${e.message}`)).toEqual([
      'Warning ErrImageNeverPull: Container image "local:dev" is not present with pull policy of Never',
      'Warning Failed: Error: ErrImageNeverPull',
    ]);
  });

  it('takes the runtime\'s ImagePullError as it is (runtime/containerd ensureImage throws it)', () => {
    const node = new Node(kpod({ containers: [app('web', { image: 'local:dev' })] }));
    const never: StartError = new RuntimeImagePullError('ErrImageNeverPull', 'local:dev', neverPullMessage('local:dev'));
    node.startErrors = { web: never };
    node.step();
    expect(node.containerStatus('web')?.state).toEqual({ waiting: { reason: 'ErrImageNeverPull', message: 'Container image "local:dev" is not present with pull policy of Never' } });
  });

  it('a pulled image: Pulling and "Successfully pulled … in …" instead of "already present"', () => {
    const node = new Node(kpod({ containers: [app('web')] }));
    node.step();
    const sync = node.later(3 * S).step({ imagePulls: { 'web-0': { durationMs: 1_500, waitedMs: 2_000, sizeBytes: 2_231_050 } } });
    expect(eventsOf(sync.plan).slice(0, 2).map((e) => e.message)).toEqual([
      'Pulling image "busybox:1.36"',
      'Successfully pulled image "busybox:1.36" in 1.5s (2s including waiting). Image size: 2231050 bytes.',
    ]);
  });
});

describe('kubelet pod sync: what the runtime cannot tell', () => {
  it('a container in an unknown state is stopped, then replaced by the next attempt', () => {
    const node = new Node(kpod());
    node.step();
    node.later(S).step();
    node.update('app-0', { state: 'unknown' });
    expect(node.sync().actions).toEqual([
      { kind: 'stop', id: 'app-0', graceMs: 30 * S, reason: 'Container is in "unknown" state, try killing it before restart' },
      { kind: 'start', container: 'app', init: false, attempt: 1 },
    ]);
  });

  it('a container being created is left to the runtime', () => {
    const node = new Node(kpod());
    node.step();
    node.update('app-0', { state: 'created', startedAtMs: undefined });
    const sync = node.later(S).step();
    expect(sync.actions).toEqual([]);
    expect(node.containerStatus('app')?.state).toEqual({ waiting: { reason: 'ContainerCreating' } });
  });

  it('the runtime lost every attempt (a node restart): the count goes on from the status', () => {
    const node = new Node(kpod());
    node.step();
    node.later(S).step();
    node.containers = [];
    expect(node.later(S).sync().actions).toEqual([{ kind: 'start', container: 'app', init: false, attempt: 1 }]);
  });

  it('containers of another pod (an older one of the same name) are not this pod\'s', () => {
    const pod = kpod();
    const stranger = { id: 'x', podUid: 'someone-else', name: 'app', attempt: 4, init: false, state: 'running' as const, image: 'i', imageId: 'i' };
    expect(planPodSync({ pod, containers: [stranger], nowMs: T0 }).actions).toEqual([{ kind: 'start', container: 'app', init: false, attempt: 0 }]);
  });
});
