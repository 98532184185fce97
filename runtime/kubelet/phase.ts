import { podContainers, restartPolicyOf, type ContainerStatus, type PodContainer, type PodPhase, type PodView } from './pod-view';

/**
 * The pod's phase from its container statuses, as the kubelet computes it (kubelet_pods.go
 * getPhase, without the ContainerRestartRules feature):
 *
 * - Failed when a regular init container failed and the pod's restartPolicy is Never;
 * - Pending while a regular init container has not completed, a sidecar has not started (before
 *   the pod initialized), or an app container is waiting without having run;
 * - Running when every app container has a state and at least one (or a sidecar) runs;
 * - when none runs and some stopped: Succeeded / Failed if the pod is terminal (being torn down)
 *   by whether every app container exited 0; otherwise Running under restartPolicy Always
 *   (they are restarting), Succeeded if all exited 0, Failed under Never, Running under OnFailure.
 */
export function podPhase(pod: PodView, init: readonly ContainerStatus[], app: readonly ContainerStatus[], podIsTerminal: boolean): PodPhase {
  const containers = podContainers(pod);
  const statusOf = (c: PodContainer) => (c.init ? init : app).find((s) => s.name === c.spec.name);
  const stoppedBefore = (s: ContainerStatus) => Boolean(s.lastState?.terminated);
  const counts = { pendingInit: 0, pendingSidecars: 0, failedInit: 0, unknown: 0, running: 0, waiting: 0, stopped: 0, succeeded: 0 };

  for (const c of containers.init.filter((i) => !i.sidecar)) {
    const s = statusOf(c);
    if (s?.state.terminated) {
      if (s.state.terminated.exitCode !== 0) counts.failedInit++;
    } else if (s?.state.waiting && stoppedBefore(s)) {
      if (s.lastState.terminated?.exitCode !== 0) counts.failedInit++;
    } else counts.pendingInit++;
  }
  for (const c of containers.init.filter((i) => i.sidecar)) {
    const s = statusOf(c);
    if (!s) counts.unknown++;
    else if (s.state.running) {
      if (!s.started) counts.pendingSidecars++;
      counts.running++;
    } else if (!s.state.terminated && !stoppedBefore(s)) {
      // Terminated sidecars do not count for the phase; waiting ones that never ran do.
      counts.pendingSidecars++;
      if (s.state.waiting) counts.waiting++;
      else counts.unknown++;
    }
  }
  for (const c of containers.app) {
    const s = statusOf(c);
    if (!s) counts.unknown++;
    else if (s.state.running) counts.running++;
    else if (s.state.terminated) {
      counts.stopped++;
      if (s.state.terminated.exitCode === 0) counts.succeeded++;
    } else if (s.state.waiting && stoppedBefore(s)) counts.stopped++;
    else if (s.state.waiting) counts.waiting++;
    else counts.unknown++;
  }

  const policy = restartPolicyOf(pod);
  if (counts.failedInit > 0 && policy === 'Never') return 'Failed';
  if (counts.pendingInit > 0 || (counts.pendingSidecars > 0 && !hasAnyAppContainerStarted(app)) || counts.waiting > 0) return 'Pending';
  if (counts.running > 0 && counts.unknown === 0) return 'Running';
  if (counts.running === 0 && counts.stopped > 0 && counts.unknown === 0) {
    if (podIsTerminal) return counts.stopped === counts.succeeded ? 'Succeeded' : 'Failed';
    if (policy === 'Always') return 'Running';
    if (counts.stopped === counts.succeeded) return 'Succeeded';
    return policy === 'Never' ? 'Failed' : 'Running';
  }
  return 'Pending';
}

/** kubecontainer.HasAnyRegularContainerStarted: an app container runs or has terminated. */
export function hasAnyAppContainerStarted(app: readonly ContainerStatus[]): boolean {
  return app.some((s) => Boolean(s.state.running || s.state.terminated));
}
