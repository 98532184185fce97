/**
 * The node agent's half of `kubectl logs`, `kubectl exec` and port-forwarding: it answers the API
 * server's stream requests for this node (eventlog/streams/protocol.ts) from a StreamTarget — the
 * container runtime. Logs are read from the container's log file; exec runs the command through the
 * runtime and carries stdin, output, terminal size and the exit code; a port-forward is one TCP
 * connection inside the pod, carried the way an exec's stdin and stdout are.
 */
import type { NatsConnection } from 'nats';
import { natsWire, type Wire } from '../../eventlog/streams/link';
import { CHANNEL, failures, type Channel, type ExecRequest, type LogRequest, type PortForwardRequest, type StreamEnd } from '../../eventlog/streams/protocol';
import { serveStreams, type ServedStream } from '../../eventlog/streams/server';
import { nodeStreamSubject } from '../../eventlog/subjects';
import { readLogFile } from './log-file';
import { isTargetError, type ExecProcess, type StreamTarget } from './types';

export type NodeStreamsOptions = Readonly<{
  /** How often a log follow looks at its file without a change notice (and asks whether the container runs). Default 1 s. */
  followPollMs?: number;
  /** Output of one exec buffered beyond this is paused (when the process can pause). Default 1 MiB. */
  pauseAtBytes?: number;
  /** Output of one exec buffered beyond this, with no way to pause it, ends the session. Default 16 MiB. */
  maxBufferedBytes?: number;
  now?: () => number;
}>;

export type NodeStreams = Readonly<{ stop(): void }>;

/** Serves `skiff.node.<node>.log`, `.exec` and `.portforward` from `target` until stopped (stopping cancels the streams in progress). */
export function serveNodeStreams(nc: NatsConnection | Wire, nodeName: string, target: StreamTarget, opts: NodeStreamsOptions = {}): NodeStreams {
  const wire = 'newInbox' in nc ? nc : natsWire(nc);
  const servers = [
    serveStreams(wire, nodeStreamSubject(nodeName, 'log'), (s) => (s.request.kind === 'log' ? serveLog(s, s.request, target, opts) : wrongKind(s))),
    serveStreams(wire, nodeStreamSubject(nodeName, 'exec'), (s) => (s.request.kind === 'exec' ? serveExec(s, s.request, target, opts) : wrongKind(s))),
    serveStreams(wire, nodeStreamSubject(nodeName, 'portforward'), (s) => (s.request.kind === 'portforward' ? servePortForward(s, s.request, target, opts) : wrongKind(s))),
  ];
  return { stop: () => servers.forEach((s) => s.stop()) };
}

async function wrongKind(s: ServedStream): Promise<void> {
  s.refuse(failures.badRequest(`a ${s.request.kind} request on the wrong subject`));
}

async function serveLog(s: ServedStream, r: LogRequest, target: StreamTarget, opts: NodeStreamsOptions): Promise<void> {
  const file = await target.logFile(r.pod, r.container, r.previous);
  if (isTargetError(file)) return s.refuse(file.error);
  s.accept();
  // A previous attempt has ended for good: following it just reads it.
  const follow = r.follow && !r.previous;
  const running = follow && target.running ? () => (target.running as NonNullable<StreamTarget['running']>)(r.pod, r.container) : undefined;
  const chunks = readLogFile(file.path, {
    tailLines: r.tailLines, limitBytes: r.limitBytes, sinceMs: r.sinceMs, timestamps: r.timestamps, follow,
    chunkBytes: r.pacing.chunkBytes, pollMs: opts.followPollMs, running, now: opts.now,
  }, s.signal);
  for await (const chunk of chunks) if (!(await s.send(CHANNEL.stdout, chunk))) return;
}

async function serveExec(s: ServedStream, r: ExecRequest, target: StreamTarget, opts: NodeStreamsOptions): Promise<StreamEnd | void> {
  const proc = await target.exec(r.pod, r.container, r.command, { tty: r.tty, stdin: r.stdin });
  if (isTargetError(proc)) return s.refuse(proc.error);
  return runProcess(s, proc, r, opts);
}

/** A port-forward connection is a process whose stdin and stdout are the connection's two directions. */
async function servePortForward(s: ServedStream, r: PortForwardRequest, target: StreamTarget, opts: NodeStreamsOptions): Promise<StreamEnd | void> {
  if (!target.portForward) return s.refuse(failures.badRequest('the container runtime of this node cannot forward ports'));
  const pipe = await target.portForward(r.pod, r.port);
  if (isTargetError(pipe)) return s.refuse(pipe.error);
  return runProcess(s, pipe, { tty: false, stdin: true, stdout: true, stderr: false }, opts);
}

type ProcessIo = Readonly<{ tty: boolean; stdin: boolean; stdout: boolean; stderr: boolean }>;

/** Accepts the stream and carries a started process's input, output and end until it exits or the requester leaves. */
async function runProcess(s: ServedStream, proc: ExecProcess, r: ProcessIo, opts: NodeStreamsOptions): Promise<StreamEnd | void> {
  if (s.signal.aborted) {
    proc.kill(); // the requester left while the command was starting
    return;
  }
  const pump = new OutputPump(s, proc, opts.pauseAtBytes ?? 1024 * 1024, opts.maxBufferedBytes ?? 16 * 1024 * 1024);
  s.accept((input) => {
    switch (input.t) {
      case 'data':
        if (r.stdin) proc.write(input.d);
        return;
      case 'eof':
        if (r.stdin) proc.closeStdin();
        return;
      case 'resize':
        if (r.tty) proc.resize(input.cols, input.rows);
        return;
      default: {
        const never: never = input;
        return never;
      }
    }
  });
  // With a terminal there is one stream (stderr goes to it too); without, each as asked.
  proc.onData('stdout', (d) => (r.stdout || r.tty ? pump.push(CHANNEL.stdout, d) : undefined));
  proc.onData('stderr', (d) => (r.tty ? pump.push(CHANNEL.stdout, d) : r.stderr ? pump.push(CHANNEL.stderr, d) : undefined));
  const kill = () => proc.kill();
  s.signal.addEventListener('abort', kill, { once: true });
  try {
    const exitCode = await Promise.race([proc.exited, pump.overflowed]);
    if (exitCode === 'overflow') {
      proc.kill();
      return { failure: failures.internal(`the command wrote more than ${opts.maxBufferedBytes ?? 16 * 1024 * 1024} bytes the client had not read yet`) };
    }
    await pump.drained();
    return { exitCode };
  } finally {
    s.signal.removeEventListener('abort', kill);
  }
}

/**
 * A command's output on its way to the requester: sent in arrival order within the requester's
 * credit; the process is paused while too much waits, where it can be.
 */
class OutputPump {
  private readonly queue: { ch: Channel; d: Uint8Array }[] = [];
  private bytes = 0;
  private paused = false;
  private sending = false;
  private readonly idle: (() => void)[] = [];
  private overflow!: (v: 'overflow') => void;
  readonly overflowed = new Promise<'overflow'>((ok) => (this.overflow = ok));

  constructor(
    private readonly s: ServedStream,
    private readonly proc: ExecProcess,
    private readonly pauseAtBytes: number,
    private readonly maxBytes: number,
  ) {}

  push(ch: Channel, d: Uint8Array): void {
    this.queue.push({ ch, d });
    this.bytes += d.length;
    if (this.bytes > this.pauseAtBytes && !this.paused && this.proc.pause) {
      this.paused = true;
      this.proc.pause();
    } else if (this.bytes > this.maxBytes && !this.proc.pause) {
      this.overflow('overflow');
    }
    void this.send();
  }

  drained(): Promise<void> {
    return this.sending || this.queue.length > 0 ? new Promise((ok) => this.idle.push(ok)) : Promise.resolve();
  }

  private async send(): Promise<void> {
    if (this.sending) return;
    this.sending = true;
    for (let next = this.queue.shift(); next; next = this.queue.shift()) {
      const sent = await this.s.send(next.ch, next.d);
      this.bytes -= next.d.length;
      if (!sent) {
        this.queue.length = 0;
        this.bytes = 0;
      }
      if (this.paused && this.bytes <= this.pauseAtBytes / 2) {
        this.paused = false;
        this.proc.resume?.();
      }
    }
    this.sending = false;
    for (const wake of this.idle.splice(0)) wake();
  }
}
