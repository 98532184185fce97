import { createHash } from 'node:crypto';
import { rfc3339 } from '../../actors/ids';
import type { KubeObject } from '../../actors/kinds/types';
import { converged, type Plan } from '../../actors/reconcile/plan';
import { deletionGraceSeconds, finalDelete, kubeletEvent, statusPatch } from '../kubelet/pod-commands';
import { containerFieldPath } from '../kubelet/pod-view';

/**
 * The hollow runtime (like kwok): pods bound to a hollow node go through the real phases with a
 * configurable delay and no containers, and stop when deleted as a kubelet stops them. Pure: the
 * plan for one pod from the pod and the time.
 */

export type HollowTimings = Readonly<{
  /** From binding to Running. */
  startDelayMs: number;
  /** From a deletion request to the containers stopped (at most the pod's grace period; default 0: hollow containers stop at once). */
  stopDelayMs?: number;
}>;

type Container = { name: string; image?: string };
type ContainerStatus = { name: string; state?: { running?: { startedAt?: string }; terminated?: unknown }; restartCount?: number; containerID?: string };
type Condition = { type: string; status?: string; lastTransitionTime?: string };
type PodView = {
  spec?: { nodeName?: string; containers?: Container[]; initContainers?: Container[] };
  status?: { phase?: string; startTime?: string; conditions?: Condition[]; containerStatuses?: ContainerStatus[] };
};

/**
 * A stable address per pod for status.podIP. Hollow pods have no network: the address comes from
 * 198.18.0.0/15 (RFC 2544, benchmarking), which no network routes, so nothing can reach anything by it.
 */
export function hollowPodIP(uid: string): string {
  const h = createHash('sha256').update(uid).digest();
  return `198.${18 + (h[0] & 1)}.${h[1]}.${(h[2] % 254) + 1}`;
}

function scheduledAtMs(pod: KubeObject): number {
  const view = pod as unknown as PodView;
  const scheduled = view.status?.conditions?.find((c) => c.type === 'PodScheduled')?.lastTransitionTime;
  return Date.parse(scheduled ?? pod.metadata.creationTimestamp ?? '') || 0;
}

export function runningStatus(pod: KubeObject, node: KubeObject, nowMs: number): Record<string, unknown> {
  const view = pod as unknown as PodView;
  const at = rfc3339(nowMs);
  const uid = pod.metadata.uid ?? '';
  const hostIP = ((node.status as { addresses?: { type: string; address: string }[] } | undefined)?.addresses ?? []).find((a) => a.type === 'InternalIP')?.address;
  const condition = (type: string) => ({ type, status: 'True', lastProbeTime: null, lastTransitionTime: at });
  const podIP = hollowPodIP(uid);
  return {
    phase: 'Running',
    conditions: [
      condition('PodReadyToStartContainers'),
      condition('Initialized'),
      condition('Ready'),
      condition('ContainersReady'),
      ...(view.status?.conditions?.filter((c) => c.type === 'PodScheduled') ?? [condition('PodScheduled')]),
    ],
    ...(hostIP ? { hostIP, hostIPs: [{ ip: hostIP }] } : {}),
    podIP,
    podIPs: [{ ip: podIP }],
    startTime: at,
    qosClass: (pod.status as { qosClass?: string } | undefined)?.qosClass ?? 'BestEffort',
    containerStatuses: (view.spec?.containers ?? []).map((c) => ({
      name: c.name,
      state: { running: { startedAt: at } },
      lastState: {},
      ready: true,
      restartCount: 0,
      image: c.image ?? '',
      imageID: `hollow://${c.image ?? ''}`,
      containerID: `hollow://${uid}/${c.name}`,
      started: true,
    })),
  };
}

/** Pending → Running once the start delay has passed since the pod was scheduled; requeue until then. Deleted → stopped, then gone. */
export function planHollowPod(pod: KubeObject, node: KubeObject, nowMs: number, timings: HollowTimings): Plan {
  const view = pod as unknown as PodView;
  if (view.spec?.nodeName !== node.metadata.name) return converged;
  if (pod.metadata.deletionTimestamp) return planTermination(pod, node, nowMs, timings);
  if (view.status?.phase !== undefined && view.status.phase !== 'Pending') return converged;
  const due = scheduledAtMs(pod) + timings.startDelayMs;
  if (nowMs < due) return { commands: [], requeueAfterMs: due - nowMs };
  // What a kubelet tells about each container it starts (kubectl describe pod shows these).
  const told = (view.spec?.containers ?? []).flatMap((c) =>
    [
      { reason: 'Pulled', message: `Container image "${c.image ?? ''}" already present on machine` },
      { reason: 'Created', message: `Created container: ${c.name}` },
      { reason: 'Started', message: `Started container ${c.name}` },
    ].map((e) => kubeletEvent(pod, { type: 'Normal', fieldPath: containerFieldPath(c.name, false), ...e }, nowMs)),
  );
  return { commands: [statusPatch(pod, runningStatus(pod, node, nowMs), `hollow node ${node.metadata.name} started the pod's containers`), ...told] };
}

/**
 * A pod being deleted, as the kubelet ends it: a `Killing` event per running container and their
 * terminated statuses in one plan (so a second look finds nothing running and says nothing twice),
 * then, once the status shows them stopped, the final DELETE with grace 0 and the pod's uid as a
 * precondition (the status manager's), which removes the pod unless finalizers still hold it. With
 * no grace left (deleted with grace 0 while finalizers hold it) there is nothing more to say.
 */
function planTermination(pod: KubeObject, node: KubeObject, nowMs: number, timings: HollowTimings): Plan {
  const view = pod as unknown as PodView;
  const running = (view.status?.containerStatuses ?? []).filter((c) => c.state?.running);
  const graceSeconds = deletionGraceSeconds(pod);
  if (running.length > 0) {
    const askedAtMs = (Date.parse(pod.metadata.deletionTimestamp ?? '') || nowMs) - graceSeconds * 1000;
    const due = askedAtMs + Math.min(timings.stopDelayMs ?? 0, graceSeconds * 1000);
    if (nowMs < due) return { commands: [], requeueAfterMs: due - nowMs };
    const killing = running.map((c) =>
      kubeletEvent(pod, { type: 'Normal', reason: 'Killing', message: `Stopping container ${c.name}`, fieldPath: containerFieldPath(c.name, false) }, nowMs),
    );
    return { commands: [statusPatch(pod, stoppedStatus(pod, nowMs), `hollow node ${node.metadata.name} stopped the pod's containers: the pod is being deleted`), ...killing] };
  }
  if (graceSeconds === 0) return converged;
  return { commands: [finalDelete(pod, `hollow node ${node.metadata.name} has stopped every container of the pod: it can go`)] };
}

/** Pod conditions of a pod whose containers all completed (kubelet's status generators for the terminal phase). */
const STOPPED_CONDITIONS: Readonly<Record<string, { status: string; reason?: string }>> = {
  PodReadyToStartContainers: { status: 'False' },
  Initialized: { status: 'True', reason: 'PodCompleted' },
  Ready: { status: 'False', reason: 'PodCompleted' },
  ContainersReady: { status: 'False', reason: 'PodCompleted' },
};

/**
 * The status a kubelet reports once a deleted pod's containers have stopped. Hollow containers
 * exit at once and cleanly on the stop signal (exit code 0, Completed), and since Kubernetes 1.27
 * the kubelet moves a deleted pod to a terminal phase: Succeeded when every container exited 0.
 */
export function stoppedStatus(pod: KubeObject, nowMs: number): Record<string, unknown> {
  const view = pod as unknown as PodView;
  const at = rfc3339(nowMs);
  const conditions = (view.status?.conditions ?? []).map((c): Condition => {
    const after = STOPPED_CONDITIONS[c.type];
    return after ? { ...c, ...after, lastTransitionTime: c.status === after.status ? c.lastTransitionTime : at } : c;
  });
  return {
    phase: 'Succeeded',
    conditions,
    containerStatuses: (view.status?.containerStatuses ?? []).map((c) => {
      if (!c.state?.running) return c;
      const { startedAt } = c.state.running;
      return {
        ...c,
        state: { terminated: { exitCode: 0, reason: 'Completed', ...(startedAt ? { startedAt } : {}), finishedAt: at, ...(c.containerID ? { containerID: c.containerID } : {}) } },
        ready: false,
        started: false,
      };
    }),
  };
}
