import { Link, type Wire } from './link';
import {
  DEFAULT_PACING, decodeRequest, encodeMessage, failures,
  type Channel, type InboundMessage, type OpenRequest, type Pacing, type StreamEnd, type StreamFailure,
} from './protocol';

/** What the requester sends into an accepted stream (exec: stdin, its end, terminal size). */
export type StreamInput =
  | Readonly<{ t: 'data'; d: Uint8Array }>
  | Readonly<{ t: 'eof' }>
  | Readonly<{ t: 'resize'; cols: number; rows: number }>;

/** The serving side of one stream request. */
export type ServedStream = Readonly<{
  request: OpenRequest;
  /** Aborted once the stream is over for any reason: the requester cancelled, vanished or timed out, or the server stops. */
  signal: AbortSignal;
  /** Starts the stream; `onInput` gets what the requester sends, in order (the next waits for its promise). */
  accept(onInput?: (input: StreamInput) => void | Promise<void>): void;
  /** Turns the request down with a Status-style failure (only before accept). */
  refuse(failure: StreamFailure): void;
  /** Output on a channel; resolves once sent within the requester's credit, false if the stream is over. */
  send(ch: Channel, data: Uint8Array): Promise<boolean>;
}>;

/**
 * Serves one stream: accept or refuse, send, and return how it ended (the exit code of a command,
 * a failure, or nothing for a clean end). A throw becomes a 500 failure.
 */
export type StreamHandler = (stream: ServedStream) => Promise<StreamEnd | void>;

/** Answers stream requests on `subject` until stopped; stopping cancels the streams in progress. */
export function serveStreams(wire: Wire, subject: string, handler: StreamHandler): { stop(): void } {
  const live = new Set<Link>();
  const unsubscribe = wire.subscribe(subject, ({ data, reply }) => {
    if (!reply) return; // a request nobody could answer
    let request: OpenRequest;
    try {
      request = decodeRequest(data);
    } catch (err) {
      wire.publish(reply, encodeMessage({ t: 'refused', failure: failures.badRequest((err as Error).message) }));
      return;
    }
    const link = serve(wire, reply, request, handler);
    live.add(link);
    void link.closed.then(() => live.delete(link));
  });
  return {
    stop: () => {
      unsubscribe();
      for (const link of live) link.close({ by: 'local', message: 'stopping' }, 'the node agent is stopping');
    },
  };
}

function serve(wire: Wire, requester: string, request: OpenRequest, handler: StreamHandler): Link {
  const over = new AbortController();
  let state: 'new' | 'accepted' | 'refused' = 'new';
  let onInput: (input: StreamInput) => void | Promise<void> = () => undefined;
  const onMessage = (m: InboundMessage): void | Promise<void> => {
    switch (m.t) {
      case 'data':
        return onInput({ t: 'data', d: m.d });
      case 'eof':
        return onInput({ t: 'eof' });
      case 'resize':
        return onInput({ t: 'resize', cols: m.cols, rows: m.rows });
      case 'accepted':
      case 'refused':
      case 'end':
        return; // the requester does not send these
      default: {
        const never: never = m;
        throw new Error(`unexpected message ${JSON.stringify(never)}`);
      }
    }
  };
  const link = new Link(wire, saneOf(request.pacing), { onMessage });
  link.connect(requester);
  void link.closed.then(() => over.abort());
  const stream: ServedStream = {
    request,
    signal: over.signal,
    accept: (input) => {
      if (state !== 'new') return;
      state = 'accepted';
      if (input) onInput = input;
      link.send({ t: 'accepted', control: link.inbox });
    },
    refuse: (failure) => {
      if (state !== 'new') return;
      state = 'refused';
      link.send({ t: 'refused', failure });
      link.close({ by: 'local', message: 'refused' });
    },
    send: (ch, data) => (state === 'accepted' ? link.sendData(ch, data) : Promise.resolve(false)),
  };
  const finish = (end: StreamEnd): void => {
    if (state === 'new') stream.refuse(end.failure ?? failures.internal('the stream ended before it started'));
    if (state !== 'accepted') return;
    link.send({ t: 'end', ...end });
    link.close({ by: 'local', message: 'ended' });
  };
  handler(stream).then(
    (end) => finish(end ?? {}),
    (err: unknown) => finish({ failure: failures.internal(err instanceof Error ? err.message : String(err)) }),
  );
  return link;
}

/** The requester's pacing, within bounds a node can live with. */
function saneOf(p: Partial<Pacing> | undefined): Pacing {
  const within = (v: unknown, min: number, max: number, fallback: number) =>
    typeof v === 'number' && Number.isFinite(v) ? Math.min(max, Math.max(min, Math.floor(v))) : fallback;
  return {
    window: within(p?.window, 1, 1024, DEFAULT_PACING.window),
    chunkBytes: within(p?.chunkBytes, 1024, 1024 * 1024, DEFAULT_PACING.chunkBytes),
    heartbeatMs: within(p?.heartbeatMs, 50, 60_000, DEFAULT_PACING.heartbeatMs),
    timeoutMs: within(p?.timeoutMs, 200, 10 * 60_000, DEFAULT_PACING.timeoutMs),
  };
}
