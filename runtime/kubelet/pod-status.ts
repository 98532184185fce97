import { rfc3339 } from '../../actors/ids';
import { qosClassOf } from '../../actors/kinds/defaults';
import { compareText } from '../../actors/patch/json';
import type { PodActions } from './container-actions';
import { containerStatus, terminatedForGood } from './container-status';
import { podConditions } from './conditions';
import { hasAnyAppContainerStarted, podPhase } from './phase';
import { attemptsOf, isTerminalPhase, podContainers, type ContainerStatus, type PodContainer, type PodStatusView, type PodView } from './pod-view';
import { containerProbes, probeVerdict, type ProbeTracker } from './probes';
import type { ObservedContainer } from './types';

/**
 * The status the kubelet reports for a pod (generateAPIPodStatus plus the status manager's
 * rules): container statuses, the phase, the kubelet's conditions, startTime (kept once set),
 * host and pod IPs when the caller knows them, qosClass. A reported Succeeded or Failed never
 * changes back. A pod torn down (deleted, or finished, and nothing left running) gets a terminal
 * phase: from its containers if they say so, else Failed, and — once initialized — its never-ended
 * app containers reported terminated as unknown (the status manager's TerminatePod).
 */

export type PodStatusInput = Readonly<{
  pod: PodView;
  observed: readonly ObservedContainer[];
  decided: PodActions;
  probes: ProbeTracker;
  nowMs: number;
  runtimeName: string;
  hostIPs?: readonly string[];
  podIPs?: readonly string[];
}>;

export type GeneratedStatus = Readonly<{
  status: PodStatusView;
  /** Per container, in spec order (init containers first): the reported and the new status. */
  containers: readonly Readonly<{ container: PodContainer; attempts: ObservedContainer[]; reported?: ContainerStatus; next: ContainerStatus }>[];
  /** Every container has stopped and none will start: the pod is torn down. */
  tornDown: boolean;
}>;

export function generatePodStatus(input: PodStatusInput): GeneratedStatus {
  const { pod, observed, decided, nowMs } = input;
  const before = pod.status ?? {};
  const { init, app } = podContainers(pod);
  const tornDown = decided.finished && observed.every((o) => o.state === 'exited');
  const deleting = Boolean(pod.metadata.deletionTimestamp);
  const statusFor = (container: PodContainer) => {
    const attempts = attemptsOf(observed, container);
    const reported = (container.init ? before.initContainerStatuses : before.containerStatuses)?.find((s) => s.name === container.spec.name);
    const next = containerStatus({
      container,
      attempts,
      reported,
      waiting: decided.waiting.get(container.spec.name),
      verdict: (running) => probeVerdict(containerProbes(container), input.probes, running.id),
      podHasInit: init.length > 0,
      deleting,
      runtimeName: input.runtimeName,
    });
    return { container, attempts, reported, next };
  };
  const initChanges = init.map(statusFor);
  let appChanges = app.map(statusFor);
  const initStatuses = initChanges.map((c) => c.next);
  let phase = podPhase(pod, initStatuses, appChanges.map((c) => c.next), tornDown);
  if (isTerminalPhase(before.phase)) phase = before.phase;
  else if (tornDown && !isTerminalPhase(phase)) {
    phase = 'Failed';
    if (hasAnyAppContainerStarted(appChanges.map((c) => c.next))) appChanges = appChanges.map((c) => ({ ...c, next: terminatedForGood(c.next) }));
  }
  const appStatuses = appChanges.map((c) => c.next);
  const conditions = podConditions({ pod, init: initStatuses, app: appStatuses, phase, readyToStart: !tornDown, nowMs });
  const status: PodStatusView = {
    phase,
    conditions,
    ...ips('hostIP', input.hostIPs),
    ...ips('podIP', input.podIPs),
    startTime: before.startTime ?? rfc3339(nowMs),
    ...(init.length > 0 ? { initContainerStatuses: initStatuses } : {}),
    containerStatuses: [...appStatuses].sort((a, b) => compareText(a.name, b.name)),
    qosClass: before.qosClass ?? qosClassOf((pod.spec ?? {}) as Record<string, unknown>),
  };
  return { status, containers: [...initChanges, ...appChanges], tornDown };
}

function ips(field: 'hostIP' | 'podIP', list: readonly string[] | undefined): Partial<PodStatusView> {
  if (!list || list.length === 0) return {};
  return { [field]: list[0], [`${field}s`]: list.map((ip) => ({ ip })) };
}
