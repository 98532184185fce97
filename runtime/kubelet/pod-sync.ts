import type { KubeObject } from '../../actors/kinds/types';
import { asJson, mergeDiff } from '../../actors/controllers/status-change';
import type { Plan, PlannedCommand } from '../../actors/reconcile/plan';
import { computePodActions, type StartError } from './container-actions';
import { containerEvents, type ImagePulled } from './container-events';
import { deletionGraceSeconds, finalDelete, kubeletEvent, statusPatch } from './pod-commands';
import { generatePodStatus } from './pod-status';
import { isTerminalPhase, type ContainerStatus, type PodView } from './pod-view';
import { emptyProbeTracker, probesDue, type DueProbe, type ProbeTracker } from './probes';
import type { ObservedContainer, RuntimeAction } from './types';

/**
 * One pass of the kubelet over one pod (its syncPod / SyncPod / status manager, without the I/O):
 * from the stored pod, the containers the runtime has for it, the probe results so far and the
 * time, what to ask of the runtime, which probes to run now, and the commands to send — the
 * status patch (only what changed), the events of what changed, and at the end of a deleted pod
 * the final delete. A pass whose inputs show nothing new sends nothing and asks nothing
 * (converged); `requeueAfterMs` says when time alone will change that (a back-off ends, a probe
 * falls due).
 *
 * Plan a pod again once the previous pass's actions have been carried out (as the kubelet's pod
 * worker does): a `created` container is then one the runtime is still starting.
 */

export type PodSyncInput = Readonly<{
  /** The pod as stored: its spec, and the status last reported. Bound to this node. */
  pod: KubeObject;
  /** What the runtime has for this pod: every attempt of every container it still keeps. */
  containers: readonly ObservedContainer[];
  nowMs: number;
  /** Probe bookkeeping kept by the caller (probes.ts `recordProbeResult`). */
  probes?: ProbeTracker;
  /** By container name: why its image could not be had at its last start. Clear an entry once the container starts. */
  startErrors?: Readonly<Record<string, StartError>>;
  /** By container id: the image was pulled for that start (otherwise it was already present). */
  imagePulls?: Readonly<Record<string, ImagePulled>>;
  hostIPs?: readonly string[];
  /** The pod's addresses once its network is set up; left as reported when absent. */
  podIPs?: readonly string[];
  /** The runtime's name in container ids (`containerd://…`). */
  runtimeName?: string;
}>;

export type PodSync = Readonly<{
  /** For the runtime, in order. */
  actions: readonly RuntimeAction[];
  /** Probes to run now; fold each result in with `recordProbeResult`, then plan again. */
  probes: readonly DueProbe[];
  plan: Plan;
}>;

export function planPodSync(input: PodSyncInput): PodSync {
  const pod = input.pod as PodView;
  const { nowMs } = input;
  const runtimeName = input.runtimeName ?? 'containerd';
  const tracker = input.probes ?? emptyProbeTracker;
  const observed = input.containers.filter((c) => c.podUid === pod.metadata.uid);
  const decided = computePodActions({ pod, observed, probes: tracker, startErrors: input.startErrors ?? {}, nowMs });
  const generated = generatePodStatus({ pod, observed, decided, probes: tracker, nowMs, runtimeName, hostIPs: input.hostIPs, podIPs: input.podIPs });

  const before = pod.status ?? {};
  const patch = mergeDiff(asJson(before), asJson({ ...before, ...generated.status }));
  const events = containerEvents(pod, generated.containers, decided.kills, input.imagePulls ?? {}, runtimeName);
  const commands: PlannedCommand[] = [
    ...(patch !== undefined ? [statusPatch(pod, patch as object, statusReason(pod, generated.status.phase ?? 'Pending', generated.containers))] : []),
    ...events.map((e) => kubeletEvent(pod, e, nowMs)),
  ];
  let actions = decided.actions;

  // The end of a deleted pod: once the terminal status is reported, the runtime forgets its
  // containers and the pod goes (unless it was force-deleted, when it is already going).
  const deleted = Boolean(pod.metadata.deletionTimestamp) && generated.tornDown && patch === undefined && isTerminalPhase(before.phase);
  if (deleted) {
    actions = observed.map((o): RuntimeAction => ({ kind: 'remove', id: o.id }));
    if (deletionGraceSeconds(pod) > 0) {
      commands.push(finalDelete(pod, `kubelet on ${nodeOf(pod)} has stopped every container of the pod: it can go`));
    }
  }

  const schedule = generated.tornDown ? { due: [] } : probesDue(pod, observed, tracker, nowMs);
  const wakeAtMs = Math.min(decided.wakeAtMs ?? Infinity, schedule.nextDueMs ?? Infinity);
  return {
    actions,
    probes: schedule.due,
    plan: { commands, ...(Number.isFinite(wakeAtMs) ? { requeueAfterMs: wakeAtMs - nowMs } : {}) },
  };
}

function nodeOf(pod: PodView): string {
  return pod.spec?.nodeName ?? '';
}

/** Why the status changed, readable in `skiff why`: the phase and each container's state. */
function statusReason(pod: PodView, phase: string, containers: readonly Readonly<{ next: ContainerStatus }>[]): string {
  const describe = ({ next }: { next: ContainerStatus }) => {
    const { waiting, running, terminated } = next.state;
    if (running) return `${next.name} running${next.ready ? ', ready' : ''}`;
    if (terminated) return `${next.name} terminated (${terminated.reason ?? 'Error'}, exit ${terminated.exitCode})`;
    return `${next.name} waiting${waiting?.reason ? ` (${waiting.reason})` : ''}`;
  };
  return `kubelet on ${nodeOf(pod)} reports the pod ${phase}: ${containers.map(describe).join('; ')}`;
}
