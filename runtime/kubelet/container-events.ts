import { goDuration } from './backoff';
import { CRASH_LOOP_BACK_OFF, type Kill } from './container-actions';
import { containerID } from './container-status';
import { containerFieldPath, podFullName, type ContainerStatus, type PodContainer, type PodView } from './pod-view';
import type { KubeletEvent } from './pod-commands';
import type { ObservedContainer } from './types';

/**
 * The events the kubelet records about containers, derived from what changes between the status
 * the pod shows and the one about to be reported — so a pass that reports nothing new records
 * nothing new, and a replayed pass records the same thing again under the same names:
 *
 * - an attempt the report did not know that has started: Pulled ("already present", or Pulling
 *   and "Successfully pulled … in 1.2s" when the caller says it was pulled), Created, Started;
 * - a container newly held in CrashLoopBackOff: Warning BackOff "Back-off restarting failed
 *   container …";
 * - new image trouble: Pulling + Failed "Failed to pull image …" + Failed "Error: ErrImagePull";
 *   BackOff "Back-off pulling image …" + Failed "Error: ImagePullBackOff"; ErrImageNeverPull +
 *   Failed "Error: ErrImageNeverPull";
 * - each stop asked in the pass: Killing, with the stop's reason.
 */

/** How the runtime got the image of one start, when it pulled it (keyed by container id). */
export type ImagePulled = Readonly<{
  /** The pull itself. */
  durationMs: number;
  /** Including the wait for a pull slot; defaults to `durationMs`. */
  waitedMs?: number;
  sizeBytes?: number;
}>;

export type ContainerChange = Readonly<{
  container: PodContainer;
  /** Newest first. */
  attempts: readonly ObservedContainer[];
  reported?: ContainerStatus;
  next: ContainerStatus;
}>;

export function containerEvents(
  pod: PodView,
  changes: readonly ContainerChange[],
  kills: readonly Kill[],
  imagePulls: Readonly<Record<string, ImagePulled>>,
  runtimeName: string,
): KubeletEvent[] {
  const events = changes.flatMap((change) => [
    ...startedAttempts(change, runtimeName).flatMap((o) => startEvents(change.container, o, imagePulls[o.id])),
    ...waitingEvents(pod, change),
  ]);
  const killing = kills.map((k): KubeletEvent => ({ type: 'Normal', reason: 'Killing', message: k.message, fieldPath: fieldPathOf(k.container) }));
  return [...events, ...killing];
}

function fieldPathOf(c: PodContainer): string {
  return containerFieldPath(c.spec.name, c.init);
}

/** Attempts the new status shows (as state or lastState) that have started and that the reported status did not know, oldest first. */
function startedAttempts({ attempts, reported, next }: ContainerChange, runtimeName: string): ObservedContainer[] {
  const known = new Set([reported?.containerID, reported?.state?.terminated?.containerID, reported?.lastState?.terminated?.containerID]);
  const shown = new Set([next.containerID, next.state.terminated?.containerID, next.lastState.terminated?.containerID]);
  return attempts
    .filter((o) => o.startedAtMs !== undefined && shown.has(containerID(o, runtimeName)) && !known.has(containerID(o, runtimeName)))
    .reverse();
}

function startEvents(c: PodContainer, o: ObservedContainer, pulled: ImagePulled | undefined): KubeletEvent[] {
  const fieldPath = fieldPathOf(c);
  const image = c.spec.image ?? o.image;
  const normal = (reason: string, message: string): KubeletEvent => ({ type: 'Normal', reason, message, fieldPath });
  const pull = pulled
    ? [
        normal('Pulling', `Pulling image "${image}"`),
        normal(
          'Pulled',
          `Successfully pulled image "${image}" in ${goDuration(pulled.durationMs)} (${goDuration(pulled.waitedMs ?? pulled.durationMs)} including waiting).` +
            (pulled.sizeBytes !== undefined ? ` Image size: ${pulled.sizeBytes} bytes.` : ''),
        ),
      ]
    : [normal('Pulled', `Container image "${image}" already present on machine`)];
  return [...pull, normal('Created', `Created container: ${c.spec.name}`), normal('Started', `Started container ${c.spec.name}`)];
}

function waitingEvents(pod: PodView, { container, reported, next }: ContainerChange): KubeletEvent[] {
  const waiting = next.state.waiting;
  if (!waiting?.reason) return [];
  const before = reported?.state?.waiting;
  if (before?.reason === waiting.reason && before.message === waiting.message && reported?.containerID === next.containerID) return [];
  const fieldPath = fieldPathOf(container);
  const image = container.spec.image ?? '';
  const event = (type: KubeletEvent['type'], reason: string, message: string): KubeletEvent => ({ type, reason, message, fieldPath });
  switch (waiting.reason) {
    case CRASH_LOOP_BACK_OFF:
      return [event('Warning', 'BackOff', `Back-off restarting failed container ${container.spec.name} in pod ${podFullName(pod)}`)];
    case 'ErrImagePull':
      return [
        event('Normal', 'Pulling', `Pulling image "${image}"`),
        event('Warning', 'Failed', `Failed to pull image "${image}": ${waiting.message ?? ''}`),
        event('Warning', 'Failed', 'Error: ErrImagePull'),
      ];
    case 'ImagePullBackOff':
      return [event('Normal', 'BackOff', `Back-off pulling image "${image}"`), event('Warning', 'Failed', 'Error: ImagePullBackOff')];
    case 'ErrImageNeverPull':
      return [
        event('Warning', 'ErrImageNeverPull', `Container image "${image}" is not present with pull policy of Never`),
        event('Warning', 'Failed', 'Error: ErrImageNeverPull'),
      ];
    case 'CreateContainerConfigError':
      return [event('Warning', 'Failed', `Error: ${waiting.message ?? ''}`)];
    default:
      return [];
  }
}
