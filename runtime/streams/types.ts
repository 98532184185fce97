/**
 * What a container runtime gives the node agent so it can serve `kubectl logs`, `kubectl exec` and port-forwarding
 * (runtime/streams/node-streams.ts). runtime/containerd implements it for real containers; the
 * tests use a double that runs host processes (test/harness/host-stream-target.ts).
 */
import type { PodRef, StreamFailure } from '../../eventlog/streams/protocol';

export type { PodRef, StreamFailure };

/** A Status-style refusal: the API passes code, reason and message on to the client. */
export type TargetError = Readonly<{ error: StreamFailure }>;

export type StreamTarget = Readonly<{
  /**
   * The log file of a pod's container: the current attempt, or the previous one. A plain file of
   * the container's output as containerd's `--log-uri file://` writes it (raw bytes, no
   * timestamps). A file that does not exist yet reads as empty (and is waited for when following).
   */
  logFile(pod: PodRef, container: string, previous: boolean): Promise<Readonly<{ path: string }> | TargetError>;
  /** Starts argv in the container; with `tty`, under a pseudo-terminal (stdout and stderr merged). */
  exec(pod: PodRef, container: string, argv: readonly string[], opts: Readonly<{ tty: boolean; stdin: boolean }>): Promise<ExecProcess | TargetError>;
  /**
   * Whether the container (its current attempt) still runs: `logs -f` ends once it does not and
   * its file is read to the end. Without it, a follow lasts until the client goes away.
   */
  running?(pod: PodRef, container: string): Promise<boolean>;
  /**
   * One TCP connection to `port` on the pod's loopback (`kubectl port-forward`), resolved once it
   * is connected: stdout is what the pod's port sends, `write` what it gets, `closeStdin` a
   * half-close, `exited` the connection's end. A port nobody listens on is a TargetError with the
   * runtime's words. Without it, the node refuses port-forwarding.
   */
  portForward?(pod: PodRef, port: number): Promise<ExecProcess | TargetError>;
}>;

export type ExecProcess = Readonly<{
  write(data: Uint8Array): void;
  closeStdin(): void;
  /** Terminal size (tty only; ignored otherwise). */
  resize(cols: number, rows: number): void;
  onData(stream: 'stdout' | 'stderr', cb: (data: Uint8Array) => void): void;
  /** The exit code, once the process has ended and its output has been delivered to onData. */
  exited: Promise<number>;
  kill(): void;
  /** Optional flow control: stop and restart reading the process's output while the client is behind. */
  pause?(): void;
  resume?(): void;
}>;

export function isTargetError(value: object): value is TargetError {
  return 'error' in value && typeof (value as TargetError).error === 'object';
}
