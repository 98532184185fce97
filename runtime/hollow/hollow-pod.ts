import { createHash } from 'node:crypto';
import { rfc3339 } from '../../actors/ids';
import type { KubeObject } from '../../actors/kinds/types';
import { eventCommand } from '../../actors/controllers/controller-event';
import { converged, type Plan } from '../../actors/reconcile/plan';

/**
 * The hollow runtime (like kwok): pods bound to a hollow node go through the real phases with a
 * configurable delay and no containers. Pure: the plan for one pod from the pod and the time.
 */

export type HollowTimings = Readonly<{ startDelayMs: number }>;

type Container = { name: string; image?: string };
type PodView = {
  spec?: { nodeName?: string; containers?: Container[]; initContainers?: Container[] };
  status?: { phase?: string; startTime?: string; conditions?: { type: string; lastTransitionTime?: string }[] };
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

/** Pending → Running once the start delay has passed since the pod was scheduled; requeue until then. */
export function planHollowPod(pod: KubeObject, node: KubeObject, nowMs: number, timings: HollowTimings): Plan {
  const view = pod as unknown as PodView;
  if (view.spec?.nodeName !== node.metadata.name || pod.metadata.deletionTimestamp) return converged;
  if (view.status?.phase !== undefined && view.status.phase !== 'Pending') return converged;
  const due = scheduledAtMs(pod) + timings.startDelayMs;
  if (nowMs < due) return { commands: [], requeueAfterMs: due - nowMs };
  // What a kubelet tells about each container it starts (kubectl describe pod shows these).
  const told = (view.spec?.containers ?? []).flatMap((c) =>
    [
      { reason: 'Pulled', message: `Container image "${c.image ?? ''}" already present on machine` },
      { reason: 'Created', message: `Created container: ${c.name}` },
      { reason: 'Started', message: `Started container ${c.name}` },
    ].map((e) => eventCommand(pod, { type: 'Normal', component: 'kubelet', ...e }, nowMs)),
  );
  return {
    commands: [
      {
        ref: { group: '', resource: 'pods', namespace: pod.metadata.namespace ?? 'default', name: pod.metadata.name as string },
        payload: { op: 'patch', patchType: 'merge', patch: { status: runningStatus(pod, node, nowMs) } as never, target: 'status', fieldManager: 'kubelet', force: false },
        reason: `hollow node ${node.metadata.name} started the pod's containers`,
      },
      ...told,
    ],
  };
}
