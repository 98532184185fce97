import { rfc3339 } from '../../actors/ids';
import type { Waiting } from './container-actions';
import type { ContainerState, ContainerStatus, PodContainer } from './pod-view';
import type { ProbeVerdict } from './probes';
import type { ObservedContainer } from './types';

/**
 * containerStatuses[] as the kubelet writes them (kubelet_pods.go convertToAPIContainerStatuses
 * and the prober's UpdatePodStatus): the newest attempt gives `state`, the one before it
 * `lastState`, `restartCount` is the newest attempt's number. A container the kubelet holds back
 * (crash-loop back-off, image trouble) shows `waiting` with the reason, its last run moving to
 * `lastState`. One never run waits as `ContainerCreating`, or `PodInitializing` in a pod with init
 * containers. `started` is true while it runs and its startup probe has passed; `ready` also needs
 * its readiness probe — a regular init container is ready once it exited 0.
 */

export const CONTAINER_CREATING = 'ContainerCreating';
export const POD_INITIALIZING = 'PodInitializing';
/** The kubelet's reason for a container it lost track of (kubecontainer.ContainerReasonStatusUnknown). */
export const CONTAINER_STATUS_UNKNOWN = 'ContainerStatusUnknown';

export type ContainerStatusInput = Readonly<{
  container: PodContainer;
  /** Newest first. */
  attempts: readonly ObservedContainer[];
  /** What the pod's status says now. */
  reported?: ContainerStatus;
  waiting?: Waiting;
  /** The probes' word on a running attempt. */
  verdict: (running: ObservedContainer) => ProbeVerdict;
  /** Whether the pod has init containers (which waiting reason a container never run shows). */
  podHasInit: boolean;
  deleting: boolean;
  /** containerID scheme: `containerd` gives `containerd://<id>`. */
  runtimeName: string;
}>;

export function containerStatus(input: ContainerStatusInput): ContainerStatus {
  const [latest, previous] = input.attempts;
  const status = latest ? fromAttempt(input, latest, previous) : fromReport(input);
  if (input.waiting && !status.state.running) {
    return {
      ...status,
      state: { waiting: { reason: input.waiting.reason, message: input.waiting.message } },
      lastState: status.state.terminated ? status.state : status.lastState,
      ready: false,
      started: false,
    };
  }
  return status;
}

function fromAttempt(input: ContainerStatusInput, latest: ObservedContainer, previous: ObservedContainer | undefined): ContainerStatus {
  const { container } = input;
  const state = stateOf(latest, input);
  const verdict = latest.state === 'running' ? input.verdict(latest) : { started: false, ready: false };
  const regularInit = container.init && !container.sidecar;
  return {
    name: container.spec.name,
    state,
    lastState: previous ? stateOf(previous, input) : {},
    ready: regularInit ? state.terminated?.exitCode === 0 : verdict.ready,
    restartCount: latest.attempt,
    image: latest.image,
    imageID: latest.imageId,
    containerID: containerID(latest, input.runtimeName),
    started: regularInit ? latest.state === 'running' : verdict.started,
  };
}

/**
 * No attempt in the runtime: a terminated report stands; otherwise the container waits, keeping
 * the reported restart count and last state. One reported running that has vanished ended
 * unseen: upstream records that as a last state of ContainerStatusUnknown (and a restart, unless
 * the pod is being deleted), so the pod does not fall back to Pending.
 */
function fromReport(input: ContainerStatusInput): ContainerStatus {
  const { reported, container } = input;
  if (reported?.state?.terminated) return reported;
  const vanished = Boolean(reported?.state?.running) && !reported?.lastState?.terminated;
  return {
    name: container.spec.name,
    state: { waiting: { reason: input.podHasInit ? POD_INITIALIZING : CONTAINER_CREATING } },
    lastState: vanished
      ? { terminated: { exitCode: 137, reason: CONTAINER_STATUS_UNKNOWN, message: 'The container could not be located when the pod was deleted.  The container used to be Running' } }
      : (reported?.lastState ?? {}),
    ready: false,
    restartCount: (reported?.restartCount ?? 0) + (vanished && !input.deleting ? 1 : 0),
    image: container.spec.image ?? '',
    imageID: '',
    started: false,
  };
}

function stateOf(o: ObservedContainer, input: ContainerStatusInput): ContainerState {
  switch (o.state) {
    case 'running':
      return { running: { ...(o.startedAtMs !== undefined ? { startedAt: rfc3339(o.startedAtMs) } : {}) } };
    case 'exited':
      return { terminated: terminatedOf(o, input.runtimeName) };
    case 'created':
      return { waiting: { reason: CONTAINER_CREATING } };
    case 'unknown':
      // Upstream: lost while reported running → terminated as unknown; otherwise an empty waiting.
      return input.reported?.state?.running && input.reported.containerID === containerID(o, input.runtimeName)
        ? { terminated: { exitCode: 137, reason: CONTAINER_STATUS_UNKNOWN, message: 'The container could not be located when the pod was terminated' } }
        : { waiting: {} };
    default: {
      const never: never = o.state;
      return never;
    }
  }
}

function terminatedOf(o: ObservedContainer, runtimeName: string): NonNullable<ContainerState['terminated']> {
  const exitCode = o.exitCode ?? 0;
  return {
    exitCode,
    reason: o.reason ?? (exitCode === 0 ? 'Completed' : 'Error'),
    ...(o.startedAtMs !== undefined ? { startedAt: rfc3339(o.startedAtMs) } : {}),
    ...(o.finishedAtMs !== undefined ? { finishedAt: rfc3339(o.finishedAtMs) } : {}),
    containerID: containerID(o, runtimeName),
  };
}

export function containerID(o: ObservedContainer, runtimeName: string): string {
  return `${runtimeName}://${o.id}`;
}

/**
 * What the status manager does to a pod that ends (TerminatePod): once the pod has initialized,
 * a container that never reached a terminated state is reported terminated as unknown, exit 137.
 */
export function terminatedForGood(status: ContainerStatus): ContainerStatus {
  if (status.state.terminated) return status;
  return {
    ...status,
    state: { terminated: { exitCode: 137, reason: CONTAINER_STATUS_UNKNOWN, message: 'The container could not be located when the pod was terminated' } },
    ready: false,
    started: false,
  };
}
