import { execOfChild, execOfPty } from '../streams/exec-process';
import { connectFailureText, startPortRelay } from '../streams/port-relay';
import type { PodRef, StreamTarget, TargetError } from '../streams/types';
import type { ObservedContainer } from '../kubelet/types';
import type { ContainerdRuntime } from './containerd-runtime';
import type { Sandbox } from './sandbox';

/**
 * `kubectl logs`, `kubectl exec` and port-forwarding on containerd: a pod's container is its latest
 * attempt (the previous one for `--previous`), its log the file containerd writes for that
 * attempt, exec a `ctr tasks exec` in it, a forwarded connection a relay process started inside
 * the pod's network namespace (`ip netns exec`), where the pod's loopback is.
 */
export function containerdStreamTarget(
  runtime: ContainerdRuntime,
  containersOf: (podUid: string) => readonly ObservedContainer[],
  sandboxOf: (podUid: string) => Sandbox | undefined = () => undefined,
): StreamTarget {
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
    portForward: async (pod, port) => {
      const sandbox = sandboxOf(pod.uid);
      // Upstream's words (kubelet's websocket handler around containerd's sandbox_portforward_linux.go).
      const prefix = `error forwarding port ${port} to pod ${sandbox?.name ?? pod.uid}, uid : `;
      if (!sandbox) return refusal(500, 'InternalError', `${prefix}failed to find the network namespace of pod "${pod.name}": its sandbox is not ready`);
      return startPortRelay(port, ['ip', 'netns', 'exec', sandbox.name], (why) =>
        refusal(500, 'InternalError', `${prefix}failed to execute portforward in network namespace ${JSON.stringify(sandbox.path)}: ${connectFailureText(port, pod.uid, why)}`));
    },
  };
}

function refusal(code: number, reason: string, message: string): TargetError {
  return { error: { code, reason, message } };
}
