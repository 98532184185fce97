import { nodeStreamSubject } from '../subjects';
import { Handoff } from './handoff';
import { Link, type LinkClose, type Wire } from './link';
import {
  CHANNEL, DEFAULT_PACING, failures, STREAM_PROTOCOL_VERSION,
  type Channel, type ExecRequest, type InboundMessage, type LogRequest, type Pacing, type PortForwardRequest, type StreamEnd, type StreamFailure,
} from './protocol';

/** What the requester asks for: a request without the protocol's own fields. */
export type LogAsk = Omit<LogRequest, 'v' | 'pacing'>;
export type ExecAsk = Omit<ExecRequest, 'v' | 'pacing'>;
export type PortForwardAsk = Omit<PortForwardRequest, 'v' | 'pacing'>;

export type OutputChunk = Readonly<{ ch: Channel; data: Uint8Array }>;

/** The requester's side of an accepted stream. */
export type StreamSession = Readonly<{
  /**
   * What the node sends, in order. A chunk counts as consumed (and the node gets credit for more)
   * when the loop asks for the next one; leaving the loop early cancels the stream.
   */
  output: AsyncIterable<OutputChunk>;
  /** The stream is over: the command's exit code, a clean end, or a failure. Never rejects. */
  ended: Promise<StreamEnd>;
  /** Stdin bytes; resolves true once sent (within the node's credit), false if the stream is over. */
  write(data: Uint8Array): Promise<boolean>;
  closeStdin(): void;
  resize(cols: number, rows: number): void;
  /** This side is going away (the HTTP or WebSocket client left): the node stops. */
  cancel(why: string): void;
}>;

export type OpenResult = Readonly<{ ok: true; session: StreamSession }> | Readonly<{ ok: false; failure: StreamFailure }>;

/**
 * Asks the node agent of `node` for a log stream, an exec session or a port-forward connection, and resolves once it has
 * accepted (or refused, or is found missing: nobody listens → 503; no answer → 504). Aborting
 * `signal` (the client left) gives up, before or after the node accepted.
 */
export function openNodeStream(wire: Wire, node: string, ask: LogAsk | ExecAsk | PortForwardAsk, pacing: Pacing = DEFAULT_PACING, signal?: AbortSignal): Promise<OpenResult> {
  const subject = nodeStreamSubject(node, ask.kind);
  return new Promise((settleOpen) => {
    let opened = false;
    let finish!: (end: StreamEnd) => void;
    const ended = new Promise<StreamEnd>((ok) => (finish = ok));
    const output = new Handoff<OutputChunk>(() => link.close({ by: 'local', message: 'the reader stopped' }, 'the client went away'));
    const end = (result: StreamEnd): void => {
      output.end();
      finish(result);
    };
    const session: StreamSession = {
      output,
      ended,
      write: (data) => link.sendData(CHANNEL.stdin, data),
      closeStdin: () => link.send({ t: 'eof', ch: CHANNEL.stdin }),
      resize: (cols, rows) => link.send({ t: 'resize', cols, rows }),
      cancel: (why) => link.close({ by: 'local', message: why }, why),
    };
    const onMessage = async (m: InboundMessage): Promise<void> => {
      switch (m.t) {
        case 'accepted':
          link.connect(m.control);
          opened = true;
          settleOpen({ ok: true, session });
          return;
        case 'refused':
          settleOpen({ ok: false, failure: m.failure });
          link.close({ by: 'local', message: 'refused' });
          return;
        case 'data':
          if (opened) await output.put({ ch: m.ch, data: m.d });
          return;
        case 'end':
          end(m.failure ? { failure: m.failure } : m.exitCode === undefined ? {} : { exitCode: m.exitCode });
          link.close({ by: 'local', message: 'ended' });
          return;
        case 'eof':
        case 'resize':
          return; // the node does not send these
        default: {
          const never: never = m;
          throw new Error(`unexpected message ${JSON.stringify(never)}`);
        }
      }
    };
    const link = new Link(wire, pacing, { onMessage });
    const onAbort = () => link.close({ by: 'local', message: 'the client went away' }, 'the client went away');
    signal?.addEventListener('abort', onAbort, { once: true });
    void link.closed.then((why) => {
      signal?.removeEventListener('abort', onAbort);
      const failure = opened ? lostFailure(node, why) : openFailure(node, subject, why, pacing);
      settleOpen({ ok: false, failure });
      end(why.by === 'local' ? {} : { failure });
    });
    if (signal?.aborted) return onAbort();
    link.open(subject, { ...ask, v: STREAM_PROTOCOL_VERSION, pacing } as LogRequest | ExecRequest | PortForwardRequest);
  });
}

function openFailure(node: string, subject: string, why: LinkClose, pacing: Pacing): StreamFailure {
  switch (why.by) {
    case 'local':
      return failures.unavailable(`gave up on node "${node}": ${why.message}`);
    case 'no-responders':
      return failures.unavailable(`no node agent serves node "${node}" (nothing listens on ${subject})`);
    case 'timeout':
      return { code: 504, reason: 'Timeout', message: `the node agent of node "${node}" did not answer within ${pacing.timeoutMs} ms` };
    default:
      return failures.internal(`the node agent of node "${node}": ${why.message}`);
  }
}

function lostFailure(node: string, why: LinkClose): StreamFailure {
  return failures.internal(`lost the stream from node "${node}": ${why.message}`);
}
