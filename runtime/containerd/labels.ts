/**
 * The containerd labels skiff puts on its containers, and the pure fold that turns a container's
 * labels + its task row + what the event stream told us into an ObservedContainer. Labels are the
 * durable part: a new runtime instance (after an agent restart) rebuilds everything from them.
 */
import type { ObservedContainer } from '../kubelet/types';
import { TaskStatus, type TaskRow } from './ctr-output';
import type { StartSpec } from './container-spec';

export const LABEL = {
  podUid: 'io.skiff.pod.uid',
  podNamespace: 'io.skiff.pod.namespace',
  podName: 'io.skiff.pod.name',
  containerName: 'io.skiff.container.name',
  attempt: 'io.skiff.container.attempt',
  init: 'io.skiff.container.init',
  /** The image as the pod spec names it. */
  image: 'io.skiff.image',
  imageId: 'io.skiff.image.id',
  logPath: 'io.skiff.log.path',
  // Written by the runtime after the fact:
  startedAt: 'io.skiff.started-at',
  finishedAt: 'io.skiff.finished-at',
  exitCode: 'io.skiff.exit-code',
  oomKilled: 'io.skiff.oom-killed',
  message: 'io.skiff.message',
} as const;

/** ctr copies the image's STOPSIGNAL into this label (containerd's `WithImageStopSignal`). */
export const STOP_SIGNAL_LABEL = 'io.containerd.image.config.stop-signal';

export function containerLabels(spec: StartSpec, image: { imageId: string }, logPath: string): Record<string, string> {
  return {
    [LABEL.podUid]: spec.pod.uid,
    [LABEL.podNamespace]: spec.pod.namespace,
    [LABEL.podName]: spec.pod.name,
    [LABEL.containerName]: spec.container.name,
    [LABEL.attempt]: String(spec.attempt),
    [LABEL.init]: String(spec.init),
    [LABEL.image]: spec.container.image,
    [LABEL.imageId]: image.imageId,
    [LABEL.logPath]: logPath,
  };
}

/** How a container's process ended, as far as skiff knows. */
export type ExitRecord = Readonly<{ exitCode: number; finishedAtMs: number; oomKilled: boolean; message?: string }>;

export function exitLabels(exit: ExitRecord): Record<string, string> {
  return {
    [LABEL.exitCode]: String(exit.exitCode),
    [LABEL.finishedAt]: String(exit.finishedAtMs),
    [LABEL.oomKilled]: String(exit.oomKilled),
    ...(exit.message ? { [LABEL.message]: exit.message } : {}),
  };
}

export function exitFromLabels(labels: Readonly<Record<string, string>>): ExitRecord | undefined {
  const code = labels[LABEL.exitCode];
  if (code === undefined || !/^-?\d+$/.test(code)) return undefined;
  return {
    exitCode: Number(code),
    finishedAtMs: Number(labels[LABEL.finishedAt]) || 0,
    oomKilled: labels[LABEL.oomKilled] === 'true',
    ...(labels[LABEL.message] ? { message: labels[LABEL.message] } : {}),
  };
}

export function isSkiffContainer(labels: Readonly<Record<string, string>>): boolean {
  return labels[LABEL.podUid] !== undefined && labels[LABEL.containerName] !== undefined;
}

export type ObserveInput = Readonly<{
  id: string;
  labels: Readonly<Record<string, string>>;
  task?: TaskRow;
  /** What this runtime instance saw (events), newer than the labels. */
  startedAtMs?: number;
  exit?: ExitRecord;
  oomKilled?: boolean;
}>;

export function observe(input: ObserveInput): ObservedContainer {
  const l = input.labels;
  const labelled = exitFromLabels(l);
  const exit = input.exit ?? labelled;
  const startedAtMs = input.startedAtMs ?? (Number(l[LABEL.startedAt]) || undefined);
  const oomKilled = Boolean(input.oomKilled || exit?.oomKilled);
  const state = stateOf(input.task, exit !== undefined, startedAtMs !== undefined);
  const exited = state === 'exited' && exit !== undefined;
  return {
    id: input.id,
    podUid: l[LABEL.podUid] ?? '',
    name: l[LABEL.containerName] ?? '',
    attempt: Number(l[LABEL.attempt]) || 0,
    init: l[LABEL.init] === 'true',
    state,
    ...(startedAtMs !== undefined ? { startedAtMs } : {}),
    ...(exited ? { finishedAtMs: exit.finishedAtMs, exitCode: exit.exitCode, reason: oomKilled ? 'OOMKilled' : exit.exitCode === 0 ? 'Completed' : 'Error' } : {}),
    ...(exited && exit.message ? { message: exit.message } : {}),
    image: l[LABEL.image] ?? '',
    imageId: l[LABEL.imageId] ?? '',
  };
}

function stateOf(task: TaskRow | undefined, exitKnown: boolean, started: boolean): ObservedContainer['state'] {
  if (task) {
    switch (task.status) {
      case TaskStatus.Running:
      case TaskStatus.Paused:
      case TaskStatus.Pausing:
        return 'running';
      case TaskStatus.Created:
        return 'created';
      case TaskStatus.Stopped:
        return exitKnown ? 'exited' : 'unknown';
      default:
        return 'unknown';
    }
  }
  if (exitKnown) return 'exited';
  // No task and no exit: never started (a start that failed before its task existed), or lost.
  return started ? 'unknown' : 'created';
}
