import type { ObjectRef } from '../../eventlog/types';
import type { KubeObject } from '../../actors/kinds/types';
import { eventCommand, type EventType } from '../../actors/controllers/controller-event';
import type { PlannedCommand } from '../../actors/reconcile/plan';

/**
 * The commands a kubelet sends about its pods (the status manager's and the event recorder's
 * writes), shared by the real kubelet's pod logic and the hollow one.
 */

export const KUBELET = 'kubelet';

export function podRef(pod: KubeObject): ObjectRef {
  return { group: '', resource: 'pods', namespace: pod.metadata.namespace ?? 'default', name: pod.metadata.name as string };
}

/** A merge patch of the pod's status subresource, written as the kubelet. */
export function statusPatch(pod: KubeObject, status: object, reason: string): PlannedCommand {
  return {
    ref: podRef(pod),
    payload: { op: 'patch', patchType: 'merge', patch: { status } as never, target: 'status', fieldManager: KUBELET, force: false },
    reason,
  };
}

/**
 * The status manager's last word on a pod whose containers have all stopped: DELETE with grace 0
 * and the pod's uid as a precondition, so it removes this pod and no namesake created since.
 * Finalizers may still hold it after that.
 */
export function finalDelete(pod: KubeObject, reason: string): PlannedCommand {
  return {
    ref: podRef(pod),
    payload: { op: 'delete', options: { gracePeriodSeconds: 0, preconditions: { uid: pod.metadata.uid } } },
    reason,
  };
}

/** An event as the kubelet records it: about the pod, or one of its containers when `fieldPath` is set. */
export type KubeletEvent = Readonly<{ type: EventType; reason: string; message: string; fieldPath?: string }>;

export function kubeletEvent(pod: KubeObject, event: KubeletEvent, nowMs: number): PlannedCommand {
  const host = (pod.spec as { nodeName?: string } | undefined)?.nodeName;
  return eventCommand(pod, { ...event, component: KUBELET, ...(host ? { host } : {}) }, nowMs);
}

/** A deleted pod's grace when the kubelet saw it: 0 means it was force-deleted and needs no final delete. */
export function deletionGraceSeconds(pod: KubeObject): number {
  return pod.metadata.deletionGracePeriodSeconds ?? 0;
}
