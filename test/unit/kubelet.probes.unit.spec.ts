import type { KubeObject } from '../../actors/kinds/types';
import type { PodView } from '../../runtime/kubelet/pod-view';
import {
  containerProbes,
  forgetProbes,
  parseProbe,
  probesDue,
  probeVerdict,
  recordProbeResult,
  type DueProbe,
  type ProbeResult,
  type ProbeTracker,
} from '../../runtime/kubelet/probes';
import type { ObservedContainer } from '../../runtime/kubelet/types';
import { kpod, T0, UID } from './kubelet.fixtures';

const container = { name: 'app', image: 'nginx:1', ports: [{ name: 'http', containerPort: 8080 }] };

describe('kubelet probes: specs from the pod', () => {
  it.each([
    ['exec', { exec: { command: ['cat', '/ready'] } }, { type: 'exec', command: ['cat', '/ready'] }],
    ['httpGet with defaults and a named port', { httpGet: { port: 'http' } }, { type: 'httpGet', scheme: 'HTTP', port: 8080, path: '/', httpHeaders: [] }],
    [
      'httpGet in full',
      { httpGet: { scheme: 'HTTPS', host: '10.0.0.1', port: 443, path: '/healthz', httpHeaders: [{ name: 'X', value: 'y' }] } },
      { type: 'httpGet', scheme: 'HTTPS', host: '10.0.0.1', port: 443, path: '/healthz', httpHeaders: [{ name: 'X', value: 'y' }] },
    ],
    ['tcpSocket', { tcpSocket: { port: 5432 } }, { type: 'tcpSocket', port: 5432 }],
    ['grpc', { grpc: { port: 9000, service: 'health' } }, { type: 'grpc', port: 9000, service: 'health' }],
  ])('%s', (_what, raw, action) => {
    expect(parseProbe('liveness', raw, container)?.action).toEqual(action);
  });

  it('takes Kubernetes\' timing defaults 0/10/1/1/3, also for zeros', () => {
    const defaults = { initialDelayMs: 0, periodMs: 10_000, timeoutMs: 1_000, successThreshold: 1, failureThreshold: 3 };
    expect(parseProbe('readiness', { exec: { command: ['true'] } }, container)).toEqual({ kind: 'readiness', action: { type: 'exec', command: ['true'] }, ...defaults });
    expect(parseProbe('readiness', { exec: { command: ['true'] }, periodSeconds: 0, failureThreshold: 0 }, container)).toMatchObject(defaults);
    expect(
      parseProbe('liveness', { tcpSocket: { port: 1 }, initialDelaySeconds: 5, periodSeconds: 2, timeoutSeconds: 3, successThreshold: 1, failureThreshold: 4, terminationGracePeriodSeconds: 7 }, container),
    ).toMatchObject({ initialDelayMs: 5_000, periodMs: 2_000, timeoutMs: 3_000, failureThreshold: 4, terminationGraceMs: 7_000 });
  });

  it('no handler, no probe; regular init containers have none', () => {
    expect(parseProbe('liveness', { periodSeconds: 3 }, container)).toBeUndefined();
    expect(parseProbe('liveness', undefined, container)).toBeUndefined();
    const probed = { ...container, livenessProbe: { exec: { command: ['true'] } } };
    expect(Object.keys(containerProbes({ spec: probed, init: true, sidecar: false }))).toEqual([]);
    expect(Object.keys(containerProbes({ spec: probed, init: true, sidecar: true }))).toEqual(['liveness']);
  });
});

const probedPod = (probes: Record<string, unknown>, deleting = false): PodView => {
  const p = kpod({ containers: [{ ...container, ...probes }] }) as PodView;
  return deleting ? { ...p, metadata: { ...p.metadata, deletionTimestamp: '2026-04-01T10:10:00Z', deletionGracePeriodSeconds: 30 } } : p;
};
const running = (startedAtMs = T0): ObservedContainer => ({
  id: 'c1', podUid: UID, name: 'app', attempt: 0, init: false, state: 'running', startedAtMs, image: 'nginx:1', imageId: 'sha256:1',
});
const exec = { exec: { command: ['true'] } };

/** Folds results in, one period apart, starting when the first probe of `kind` is due. */
function fold(pod: PodView, results: readonly (ProbeResult | 'error')[], kind: DueProbe['spec']['kind'], tracker: ProbeTracker = {}) {
  let t = tracker;
  let now = T0;
  const events: (string | undefined)[] = [];
  const dueNow = () => probesDue(pod as KubeObject, [running()], t, now);
  for (const result of results) {
    if (!dueNow().due.some((p) => p.spec.kind === kind)) now = dueNow().nextDueMs ?? now;
    const probe = dueNow().due.find((p) => p.spec.kind === kind);
    if (!probe) throw new Error(`no ${kind} probe due`);
    const folded = recordProbeResult(t, probe, { result, output: 'HTTP probe failed with statuscode: 500' }, now);
    t = folded.tracker;
    events.push(folded.event?.message);
  }
  return { tracker: t, events, now };
}

describe('kubelet probes: when they are due', () => {
  it('first at initialDelaySeconds after the start, then every periodSeconds after the last result', () => {
    const pod = probedPod({ readinessProbe: { ...exec, initialDelaySeconds: 5, periodSeconds: 3 } });
    expect(probesDue(pod, [running()], {}, T0 + 1_000)).toEqual({ due: [], nextDueMs: T0 + 5_000 });
    const { due } = probesDue(pod, [running()], {}, T0 + 5_000);
    expect(due.map((p) => [p.containerId, p.container, p.spec.kind])).toEqual([['c1', 'app', 'readiness']]);
    const { tracker } = recordProbeResult({}, due[0], { result: 'success' }, T0 + 5_200);
    expect(probesDue(pod, [running()], tracker, T0 + 6_000)).toEqual({ due: [], nextDueMs: T0 + 8_200 });
    expect(probesDue(pod, [running()], tracker, T0 + 8_200).due).toHaveLength(1);
  });

  it('only running containers are probed', () => {
    const pod = probedPod({ readinessProbe: exec });
    expect(probesDue(pod, [{ ...running(), state: 'exited', exitCode: 1 }], {}, T0)).toEqual({ due: [] });
  });

  it('startup gates liveness and readiness: only startup runs until it has passed', () => {
    const pod = probedPod({ startupProbe: { ...exec, periodSeconds: 1 }, livenessProbe: exec, readinessProbe: exec });
    const kinds = (t: ProbeTracker, now: number) => probesDue(pod, [running()], t, now).due.map((p) => p.spec.kind);
    expect(kinds({}, T0)).toEqual(['startup']);
    expect(probeVerdict(containerProbes({ spec: pod.spec!.containers![0], init: false, sidecar: false }), {}, 'c1')).toEqual({ started: false, ready: false });
    const startup = probesDue(pod, [running()], {}, T0).due[0];
    const { tracker } = recordProbeResult({}, startup, { result: 'success' }, T0);
    expect(kinds(tracker, T0 + 1)).toEqual(['liveness', 'readiness']);
  });

  it('while the pod is being deleted only readiness runs', () => {
    const pod = probedPod({ livenessProbe: exec, readinessProbe: exec }, true);
    expect(probesDue(pod, [running()], {}, T0).due.map((p) => p.spec.kind)).toEqual(['readiness']);
  });
});

describe('kubelet probes: folding results', () => {
  const spec = (probes: Record<string, unknown>) => containerProbes({ spec: { ...container, ...probes }, init: false, sidecar: false });

  it.each([
    ['readiness, threshold 1: one success makes it ready', { readinessProbe: exec }, ['success'], 'readiness', { started: true, ready: true }],
    ['readiness: not ready before any result', { readinessProbe: exec }, [], 'readiness', { started: true, ready: false }],
    ['readiness, successThreshold 2: one is not enough', { readinessProbe: { ...exec, successThreshold: 2 } }, ['success'], 'readiness', { started: true, ready: false }],
    ['readiness, successThreshold 2: two are', { readinessProbe: { ...exec, successThreshold: 2 } }, ['success', 'success'], 'readiness', { started: true, ready: true }],
    ['readiness: 3 failures after ready → not ready', { readinessProbe: exec }, ['success', 'failure', 'failure', 'failure'], 'readiness', { started: true, ready: false }],
    ['readiness: 2 failures after ready → still ready', { readinessProbe: exec }, ['success', 'failure', 'failure'], 'readiness', { started: true, ready: true }],
    ['liveness: 2 failures → alive', { livenessProbe: exec }, ['failure', 'failure'], 'liveness', { started: true, ready: true }],
    ['liveness: 3 failures → kill', { livenessProbe: exec }, ['failure', 'failure', 'failure'], 'liveness', { started: true, ready: true, failed: 'liveness' }],
    ['liveness: a success breaks the run', { livenessProbe: exec }, ['failure', 'failure', 'success', 'failure', 'failure'], 'liveness', { started: true, ready: true }],
    ['liveness: errors are thrown away', { livenessProbe: exec }, ['failure', 'error', 'failure', 'error', 'failure'], 'liveness', { started: true, ready: true, failed: 'liveness' }],
    ['startup: passes → started', { startupProbe: exec }, ['success'], 'startup', { started: true, ready: true }],
    ['startup: failureThreshold failures → kill', { startupProbe: { ...exec, failureThreshold: 2 } }, ['failure', 'failure'], 'startup', { started: false, ready: false, failed: 'startup' }],
  ] as const)('%s', (_what, probes, results, kind, verdict) => {
    const { tracker } = fold(probedPod(probes), results, kind);
    expect(probeVerdict(spec(probes), tracker, 'c1')).toEqual(verdict);
  });

  it('a failed liveness probe holds the container: no more probing it', () => {
    const pod = probedPod({ livenessProbe: exec });
    const { tracker, now } = fold(pod, ['failure', 'failure', 'failure'], 'liveness');
    expect(probesDue(pod, [running()], tracker, now + 60_000)).toEqual({ due: [] });
    // A restarted container has a new id: probing starts afresh.
    expect(probesDue(pod, [{ ...running(now), id: 'c2', attempt: 1 }], tracker, now + 60_000).due).toHaveLength(1);
  });

  it('every failure or error is an Unhealthy event, named after the probe', () => {
    expect(fold(probedPod({ livenessProbe: exec }), ['failure', 'success', 'error'], 'liveness').events).toEqual([
      'Liveness probe failed: HTTP probe failed with statuscode: 500',
      undefined,
      'Liveness probe errored: HTTP probe failed with statuscode: 500',
    ]);
    const pod = probedPod({ readinessProbe: exec });
    const due = probesDue(pod, [running()], {}, T0).due[0];
    expect(recordProbeResult({}, due, { result: 'failure', output: 'exit 1' }, T0).event).toEqual({
      type: 'Warning', reason: 'Unhealthy', message: 'Readiness probe failed: exit 1', fieldPath: 'spec.containers{app}',
    });
  });

  it('forgets containers the runtime no longer has', () => {
    const pod = probedPod({ readinessProbe: exec });
    const due = probesDue(pod, [running()], {}, T0).due[0];
    const { tracker } = recordProbeResult({}, due, { result: 'success' }, T0);
    expect(Object.keys(forgetProbes(tracker, [running()]))).toEqual(['c1']);
    expect(forgetProbes(tracker, [])).toEqual({});
  });
});
