import { execOfChild, execOfPty } from '../streams/exec-process';
import type { PodRef, StreamTarget, TargetError } from '../streams/types';
import type { ObservedContainer } from '../kubelet/types';
import type { ContainerdRuntime } from './containerd-runtime';

/**
 * `kubectl logs` and `kubectl exec` on containerd: a pod's container is its latest attempt (the
 * previous one for `--previous`), its log the file containerd writes for that attempt, exec a
 * `ctr tasks exec` in it.
 */
export function containerdStreamTarget(runtime: ContainerdRuntime, containersOf: (podUid: string) => readonly ObservedContainer[]): StreamTarget {
  const attempts = (pod: PodRef, container: string): ObservedContainer[] =>
    containersOf(pod.uid).filter((c) => c.name === container).sort((a, b) => b.attempt - a.attempt);
  return {
    logFile: async (pod, container, previous) => {
      const [current, before] = attempts(pod, container);
      const chosen = previous ? before : current;
      if (!chosen) {
        return previous
          ? refusal(400, 'BadRequest', `previous terminated container "${container}" in pod "${pod.name}" not found`)
          : refusal(400, 'BadRequest', `container "${container}" in pod "${pod.name}" is waiting to start: ContainerCreating`);
      }
      return { path: await runtime.logPath(chosen.id) };
    },
    running: async (pod, container) => attempts(pod, container)[0]?.state === 'running',
    exec: async (pod, container, argv, opts) => {
      const current = attempts(pod, container)[0];
      if (current?.state !== 'running') return refusal(400, 'BadRequest', `container not found ("${container}")`);
      if (opts.tty) {
        const run = runtime.exec(current.id, argv, { tty: true });
        return execOfPty(run.pty, run.exitCode);
      }
      const run = runtime.exec(current.id, argv);
      return execOfChild(run.process, run.exitCode);
    },
  };
}

function refusal(code: number, reason: string, message: string): TargetError {
  return { error: { code, reason, message } };
}
