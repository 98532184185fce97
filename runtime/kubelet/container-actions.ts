import { DEFAULT_TERMINATION_GRACE_PERIOD_SECONDS } from '../../actors/kinds/defaults';
import { goDuration, KEPT_ATTEMPTS, restartBackOff } from './backoff';
import {
  attemptsOf,
  isTerminalPhase,
  podContainers,
  podFullName,
  restartPolicyOf,
  type ContainerStatus,
  type PodContainer,
  type PodView,
} from './pod-view';
import { containerProbes, probeVerdict, type ProbeTracker } from './probes';
import type { ObservedContainer, RuntimeAction } from './types';

/**
 * What the kubelet does with a pod's containers next (kuberuntime_manager.go computePodActions
 * and the back-off of SyncPod), from the pod, what the runtime has, and the probes:
 *
 * 1. A pod being deleted, or already Succeeded/Failed, only stops: regular containers first,
 *    sidecars once no regular container runs.
 * 2. Until an app container has run, init containers go one at a time in order: each must exit 0
 *    (a sidecar — `restartPolicy: Always` — must be running and started) before the next starts.
 *    A failed init container is retried with back-off, or fails the pod under `restartPolicy: Never`.
 * 3. Then every app container runs. One that exited restarts per the pod's restartPolicy (Always:
 *    always; OnFailure: on a non-zero exit; Never: no), after the crash-loop back-off (backoff.ts).
 *    A failed liveness or startup probe kills it (and it restarts like any exited container).
 * 4. When no app container runs or will run again the pod is done: sidecars are stopped and
 *    nothing restarts.
 *
 * A container the runtime shows `created` is being started: nothing is asked of it. An `unknown`
 * one is stopped, then replaced by the next attempt (upstream kills it before restarting). Stops
 * already under way (`stopRequestedAtMs`) are not asked again.
 */

/**
 * Why a container could not be started at its last try, before it had a process: its image could
 * not be had, its configuration names something missing (CreateContainerConfigError), or a volume
 * could not be set up (the container stays ContainerCreating; the caller records FailedMount).
 */
export type StartErrorReason = 'ErrImagePull' | 'ImagePullBackOff' | 'ErrImageNeverPull' | 'CreateContainerConfigError' | 'ContainerCreating';

export type StartError = Readonly<{
  reason: StartErrorReason;
  message: string;
  /** When to try again, when known: no start is asked before then. */
  retryAtMs?: number;
}>;

export type ActionsInput = Readonly<{
  pod: PodView;
  observed: readonly ObservedContainer[];
  probes: ProbeTracker;
  startErrors: Readonly<Record<string, StartError>>;
  nowMs: number;
}>;

/** What a held-back container's status shows instead of its last state. */
export type Waiting = Readonly<{ reason: string; message: string }>;

/** A stop asked in this pass: the kubelet records a `Killing` event for each. */
export type Kill = Readonly<{ container: PodContainer; observed: ObservedContainer; message: string }>;

export type PodActions = Readonly<{
  /** Stops and starts in the order to carry them out, then the removal of attempts no longer needed. */
  actions: readonly RuntimeAction[];
  kills: readonly Kill[];
  /** By container name. */
  waiting: ReadonlyMap<string, Waiting>;
  /** When a back-off holding a start ends (later than now). */
  wakeAtMs?: number;
  /** Nothing will start again: the pod is being deleted or has finished. */
  finished: boolean;
}>;

export const CRASH_LOOP_BACK_OFF = 'CrashLoopBackOff';

export function computePodActions(input: ActionsInput): PodActions {
  const d = new Decisions(input);
  const { pod } = input;
  const { init, app } = podContainers(pod);
  if (pod.metadata.deletionTimestamp || isTerminalPhase(pod.status?.phase)) return d.finish(init, app);
  const initialized = hasAnyAppContainerRun(input, app);
  if (!initialized) {
    const progress = d.initialize(init);
    if (progress === 'failed') return d.finish(init, app);
    if (progress === 'pending') return d.result(false, [...init, ...app]);
  }
  const outcomes = app.map((c) => d.syncContainer(c));
  if (!outcomes.includes('keep') && !outcomes.includes('start')) return d.finish(init, app);
  if (initialized) init.filter((c) => c.sidecar).forEach((c) => d.syncContainer(c));
  return d.result(false, [...init, ...app]);
}

/** An app container has run (observed, or reported running or terminated): init containers are not run again. */
function hasAnyAppContainerRun(input: ActionsInput, app: readonly PodContainer[]): boolean {
  const reported = input.pod.status?.containerStatuses ?? [];
  return app.some((c) => attemptsOf(input.observed, c).length > 0 || reported.some((s) => s.name === c.spec.name && (s.state?.running || s.state?.terminated)));
}

type Outcome = 'keep' | 'start' | 'done';

class Decisions {
  private readonly actions: RuntimeAction[] = [];
  private readonly kills: Kill[] = [];
  private readonly waiting = new Map<string, Waiting>();
  private wakeAtMs: number | undefined;

  constructor(private readonly input: ActionsInput) {}

  /** Init containers in order; 'done' once all have completed (sidecars: running and started). */
  initialize(init: readonly PodContainer[]): 'done' | 'pending' | 'failed' {
    for (const c of init) {
      const latest = this.attempts(c)[0];
      if (c.sidecar) {
        const outcome = this.syncContainer(c);
        const started = latest?.state === 'running' && probeVerdict(containerProbes(c), this.input.probes, latest.id).started;
        if (outcome === 'keep' && started) continue;
        return 'pending';
      }
      if (latest?.state === 'exited' && latest.exitCode === 0) continue;
      if (latest?.state === 'exited' && restartPolicyOf(this.input.pod) === 'Never') return 'failed';
      this.syncContainer(c);
      return 'pending';
    }
    return 'done';
  }

  /** One container towards running: start, restart (after its back-off), or kill on a failed probe. */
  syncContainer(c: PodContainer): Outcome {
    const attempts = this.attempts(c);
    const latest = attempts[0];
    if (!latest) {
      this.start(c, this.firstAttempt(c));
      return 'start';
    }
    switch (latest.state) {
      case 'created':
        return 'keep';
      case 'unknown':
        this.stop(c, latest, `Container is in "unknown" state, try killing it before restart`, this.podGraceMs());
        this.start(c, latest.attempt + 1);
        return 'start';
      case 'running':
        return this.checkProbes(c, latest);
      case 'exited':
        if (!this.restarts(c, latest)) return 'done';
        this.restart(c, attempts);
        return 'start';
      default: {
        const never: never = latest.state;
        return never;
      }
    }
  }

  /** Stop whatever still runs: regular containers first, sidecars when no regular container is left. */
  finish(init: readonly PodContainer[], app: readonly PodContainer[]): PodActions {
    const graceMs = this.podGraceMs();
    const live = (c: PodContainer) => this.attempts(c).filter((o) => o.state !== 'exited');
    const regular = [...init.filter((c) => !c.sidecar), ...app];
    const regularLive = regular.flatMap((c) => live(c).map((o) => [c, o] as const));
    const stopping = regularLive.length > 0 ? regularLive : init.filter((c) => c.sidecar).flatMap((c) => live(c).map((o) => [c, o] as const));
    for (const [c, o] of stopping) this.stop(c, o, `Stopping container ${c.spec.name}`, graceMs);
    return this.result(true, [...init, ...app]);
  }

  result(finished: boolean, containers: readonly PodContainer[]): PodActions {
    const removals = containers.flatMap((c) => staleAttempts(this.attempts(c))).map((o): RuntimeAction => ({ kind: 'remove', id: o.id }));
    return {
      actions: [...this.actions, ...removals],
      kills: this.kills,
      waiting: this.waiting,
      ...(this.wakeAtMs !== undefined ? { wakeAtMs: this.wakeAtMs } : {}),
      finished,
    };
  }

  private checkProbes(c: PodContainer, running: ObservedContainer): Outcome {
    const probes = containerProbes(c);
    const { failed } = probeVerdict(probes, this.input.probes, running.id);
    if (!failed) return 'keep';
    const restart = c.sidecar || restartPolicyOf(this.input.pod) !== 'Never';
    const message = `Container ${c.spec.name} failed ${failed} probe${restart ? ', will be restarted' : ''}`;
    this.stop(c, running, message, probes[failed]?.terminationGraceMs ?? this.podGraceMs());
    return restart ? 'start' : 'done';
  }

  private restarts(c: PodContainer, exited: ObservedContainer): boolean {
    if (c.sidecar) return true;
    const policy = restartPolicyOf(this.input.pod);
    return policy === 'Always' || (policy === 'OnFailure' && exited.exitCode !== 0);
  }

  /** The next attempt of an exited container, once its back-off is over; CrashLoopBackOff while it lasts. */
  private restart(c: PodContainer, attempts: readonly ObservedContainer[]): void {
    const { delayMs, untilMs } = restartBackOff(attempts);
    if (delayMs > 0) {
      const message = `back-off ${goDuration(delayMs)} restarting failed container=${c.spec.name} pod=${podFullName(this.input.pod)}`;
      this.waiting.set(c.spec.name, { reason: CRASH_LOOP_BACK_OFF, message });
    }
    if (untilMs > this.input.nowMs) this.wake(untilMs);
    else this.start(c, attempts[0].attempt + 1);
  }

  private start(c: PodContainer, attempt: number): void {
    const failed = this.input.startErrors[c.spec.name];
    if (failed) {
      this.waiting.set(c.spec.name, { reason: failed.reason, message: failed.message });
      if (failed.retryAtMs !== undefined && failed.retryAtMs > this.input.nowMs) {
        this.wake(failed.retryAtMs);
        return;
      }
    }
    this.actions.push({ kind: 'start', container: c.spec.name, init: c.init, attempt });
  }

  private stop(c: PodContainer, o: ObservedContainer, message: string, graceMs: number): void {
    if (o.stopRequestedAtMs !== undefined || this.kills.some((k) => k.observed.id === o.id)) return;
    const preStop = c.spec.lifecycle?.preStop?.exec?.command;
    this.actions.push({ kind: 'stop', id: o.id, graceMs, reason: message, ...(preStop ? { preStop } : {}) });
    this.kills.push({ container: c, observed: o, message });
  }

  /** With no attempt left in the runtime, the count goes on from the one the pod's status reports. */
  private firstAttempt(c: PodContainer): number {
    const status = this.input.pod.status;
    const reported: ContainerStatus | undefined = (c.init ? status?.initContainerStatuses : status?.containerStatuses)?.find((s) => s.name === c.spec.name);
    return reported?.containerID ? reported.restartCount + 1 : 0;
  }

  /** The grace the pod gives its containers: the deletion's, else terminationGracePeriodSeconds. */
  private podGraceMs(): number {
    const { pod } = this.input;
    return (pod.metadata.deletionGracePeriodSeconds ?? pod.spec?.terminationGracePeriodSeconds ?? DEFAULT_TERMINATION_GRACE_PERIOD_SECONDS) * 1000;
  }

  private attempts(c: PodContainer): ObservedContainer[] {
    return attemptsOf(this.input.observed, c);
  }

  private wake(atMs: number): void {
    this.wakeAtMs = Math.min(this.wakeAtMs ?? atMs, atMs);
  }
}

/**
 * Attempts the runtime can forget: those beyond the last KEPT_ATTEMPTS (the back-off needs no
 * more) and any `created` one a newer attempt replaced. The newest is always kept: its state is
 * the container's status, its logs `kubectl logs --previous`.
 */
function staleAttempts(attempts: readonly ObservedContainer[]): ObservedContainer[] {
  const latest = attempts[0];
  if (!latest) return [];
  return attempts.slice(1).filter((o) => (o.state === 'exited' && o.attempt <= latest.attempt - KEPT_ATTEMPTS) || o.state === 'created');
}
