import type { PodCondition } from '../../actors/controllers/workloads';
import type { KubeObject } from '../../actors/kinds/types';
import type { ObservedContainer } from './types';

/**
 * The parts of a stored core/v1 Pod the kubelet's pod logic reads and writes, with Kubernetes'
 * own field names. Stored objects are untyped; validation and defaulting already shaped them.
 */

export type ContainerSpec = Readonly<{
  name: string;
  image?: string;
  /** Only on init containers: `Always` makes it a sidecar (a restartable init container). */
  restartPolicy?: string;
  ports?: readonly Readonly<{ name?: string; containerPort?: number }>[];
  startupProbe?: unknown;
  livenessProbe?: unknown;
  readinessProbe?: unknown;
  lifecycle?: Readonly<{ preStop?: Readonly<{ exec?: Readonly<{ command?: readonly string[] }> }> }>;
}>;

export type RestartPolicy = 'Always' | 'OnFailure' | 'Never';

export type PodSpecView = Readonly<{
  nodeName?: string;
  restartPolicy?: RestartPolicy;
  terminationGracePeriodSeconds?: number;
  initContainers?: readonly ContainerSpec[];
  containers?: readonly ContainerSpec[];
  readinessGates?: readonly Readonly<{ conditionType: string }>[];
}>;

export type ContainerStateWaiting = { reason?: string; message?: string };
export type ContainerStateRunning = { startedAt?: string };
export type ContainerStateTerminated = {
  exitCode: number;
  reason?: string;
  message?: string;
  startedAt?: string;
  finishedAt?: string;
  containerID?: string;
};
/** At most one member is set; `{}` is the empty lastState. */
export type ContainerState = { waiting?: ContainerStateWaiting; running?: ContainerStateRunning; terminated?: ContainerStateTerminated };

/** containerStatuses[] / initContainerStatuses[], keys in the order Kubernetes writes them. */
export type ContainerStatus = {
  name: string;
  state: ContainerState;
  lastState: ContainerState;
  ready: boolean;
  restartCount: number;
  image: string;
  imageID: string;
  containerID?: string;
  started?: boolean;
};

export type PodPhase = 'Pending' | 'Running' | 'Succeeded' | 'Failed' | 'Unknown';

export type { PodCondition };

export type PodStatusView = {
  phase?: PodPhase;
  reason?: string;
  message?: string;
  conditions?: PodCondition[];
  hostIP?: string;
  hostIPs?: { ip: string }[];
  podIP?: string;
  podIPs?: { ip: string }[];
  startTime?: string;
  initContainerStatuses?: ContainerStatus[];
  containerStatuses?: ContainerStatus[];
  qosClass?: string;
};

export type PodView = KubeObject & { spec?: PodSpecView; status?: PodStatusView };

/** A spec container with what the kubelet needs to place it: which list it is in, and whether it is a sidecar. */
export type PodContainer = Readonly<{ spec: ContainerSpec; init: boolean; sidecar: boolean }>;

export function podContainers(pod: PodView): { init: PodContainer[]; app: PodContainer[] } {
  return {
    init: (pod.spec?.initContainers ?? []).map((spec) => ({ spec, init: true, sidecar: spec.restartPolicy === 'Always' })),
    app: (pod.spec?.containers ?? []).map((spec) => ({ spec, init: false, sidecar: false })),
  };
}

export function restartPolicyOf(pod: PodView): RestartPolicy {
  return pod.spec?.restartPolicy ?? 'Always';
}

/** kubelet's format.Pod: `name_namespace(uid)`, as its messages name a pod. */
export function podFullName(pod: PodView): string {
  return `${pod.metadata.name ?? ''}_${pod.metadata.namespace ?? ''}(${pod.metadata.uid ?? ''})`;
}

/** The field path an event about a container carries (kubelet's container reference). */
export function containerFieldPath(name: string, init: boolean): string {
  return `${init ? 'spec.initContainers' : 'spec.containers'}{${name}}`;
}

export function isTerminalPhase(phase: string | undefined): phase is 'Succeeded' | 'Failed' {
  return phase === 'Succeeded' || phase === 'Failed';
}

/** Observed attempts of one container, newest first. */
export function attemptsOf(observed: readonly ObservedContainer[], c: PodContainer): ObservedContainer[] {
  return observed.filter((o) => o.name === c.spec.name && o.init === c.init).sort((a, b) => b.attempt - a.attempt);
}
