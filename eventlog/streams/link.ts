import { createInbox, type NatsConnection } from 'nats';
import {
  ackEvery, chunksOf, decodeMessage, encodeMessage, StreamProtocolError,
  type Channel, type InboundMessage, type OpenRequest, type Pacing, type StreamMessage,
} from './protocol';

/** The little of NATS a link needs; tests give an in-memory one. */
export type Wire = Readonly<{
  newInbox(): string;
  publish(subject: string, data: Uint8Array, reply?: string): void;
  /** `noResponders`: the server's answer to a request nobody listens for. */
  subscribe(subject: string, onMessage: (m: Readonly<{ data: Uint8Array; reply?: string; noResponders: boolean }>) => void): () => void;
}>;

export function natsWire(nc: NatsConnection): Wire {
  return {
    newInbox: () => createInbox(),
    publish: (subject, data, reply) => nc.publish(subject, data, reply ? { reply } : undefined),
    subscribe: (subject, onMessage) => {
      const sub = nc.subscribe(subject, {
        callback: (err, msg) => {
          if (err) return;
          onMessage({ data: msg.data, reply: msg.reply || undefined, noResponders: msg.headers?.code === 503 && msg.data.length === 0 });
        },
      });
      return () => {
        try {
          sub.unsubscribe();
        } catch {
          // the connection is closed already: so is the subscription
        }
      };
    },
  };
}

/** Why a link ended. `peer`: the other side cancelled; `local`: this side closed it. */
export type LinkClose = Readonly<{
  by: 'local' | 'peer' | 'timeout' | 'no-responders' | 'error';
  message: string;
}>;

export type LinkHandlers = Readonly<{
  /**
   * The peer's messages in order, one at a time; a data message is acknowledged once the returned
   * promise settles, so a handler that waits for its consumer is the flow control.
   */
  onMessage: (message: InboundMessage) => void | Promise<void>;
}>;

/**
 * One side of a stream conversation: an inbox for what the peer sends, credit-limited data out,
 * acks for data in, heartbeats both ways. Closing is idempotent; `closed` resolves (never rejects)
 * with why.
 */
export class Link {
  readonly inbox: string;
  readonly closed: Promise<LinkClose>;
  private peer?: string;
  private readonly unconnected: Uint8Array[] = [];
  private readonly unsubscribe: () => void;
  private readonly timer: NodeJS.Timeout;
  private resolveClosed!: (why: LinkClose) => void;
  private ended?: LinkClose;
  // Out: data sent, data the peer has acknowledged, senders waiting for credit.
  private sentSeq = 0;
  private ackedSeq = 0;
  private readonly creditWaiters: (() => void)[] = [];
  // In: messages waiting for the handler, the newest data seq taken, the newest acknowledged.
  private readonly inbound: InboundMessage[] = [];
  private draining = false;
  /** The peer said its last word (end or refused): its inbox may go away now. */
  private peerFinished = false;
  private receivedSeq = 0;
  private ackSentSeq = 0;
  private lastHeardMs = Date.now();
  private lastSentMs = Date.now();

  constructor(
    private readonly wire: Wire,
    readonly pacing: Pacing,
    private readonly handlers: LinkHandlers,
  ) {
    this.inbox = wire.newInbox();
    this.closed = new Promise((ok) => (this.resolveClosed = ok));
    this.unsubscribe = wire.subscribe(this.inbox, (m) => this.receive(m.data, m.noResponders));
    this.timer = setInterval(() => this.tick(), Math.max(10, Math.min(pacing.heartbeatMs, pacing.timeoutMs) / 2));
    this.timer.unref();
  }

  get isClosed(): boolean {
    return this.ended !== undefined;
  }

  /** Where this side's messages go from now on; what was sent before is delivered first. */
  connect(peer: string): void {
    this.peer = peer;
    for (const data of this.unconnected.splice(0)) this.publish(data);
  }

  /** Sends the opening request to `subject`, with this link's inbox as the reply subject. */
  open(subject: string, request: OpenRequest): void {
    this.lastSentMs = Date.now();
    try {
      this.wire.publish(subject, encodeMessage(request), this.inbox);
    } catch (err) {
      this.close({ by: 'error', message: `cannot publish: ${(err as Error).message}` });
    }
  }

  /** A control message (anything but data, ack and ping). */
  send(message: Exclude<StreamMessage, { t: 'data' } | { t: 'ack' } | { t: 'ping' }>): void {
    if (!this.ended) this.publish(encodeMessage(message));
  }

  /**
   * Data on a channel, split into chunks, each sent once the peer has room for it. Resolves true
   * once everything was sent, false if the link closed first.
   */
  async sendData(ch: Channel, bytes: Uint8Array): Promise<boolean> {
    for (const d of chunksOf(bytes, this.pacing.chunkBytes)) {
      while (!this.ended && this.sentSeq - this.ackedSeq >= this.pacing.window) {
        await new Promise<void>((ok) => this.creditWaiters.push(ok));
      }
      if (this.ended) return false;
      this.publish(encodeMessage({ t: 'data', seq: ++this.sentSeq, ch, d }));
    }
    return !this.ended;
  }

  /** Ends the link; `cancelPeer` tells the other side to stop too (with this reason). */
  close(why: LinkClose, cancelPeer?: string): void {
    if (this.ended) return;
    this.ended = why;
    if (cancelPeer !== undefined && this.peer !== undefined) this.publish(encodeMessage({ t: 'cancel', why: cancelPeer }));
    clearInterval(this.timer);
    this.unsubscribe();
    this.inbound.length = 0;
    for (const wake of this.creditWaiters.splice(0)) wake();
    this.resolveClosed(why);
  }

  private publish(data: Uint8Array): void {
    if (this.peer === undefined) {
      this.unconnected.push(data);
      return;
    }
    this.lastSentMs = Date.now();
    try {
      // Our inbox as the reply subject: if the peer's inbox is gone, the server says so at once
      // (no responders), instead of this side waiting out the timeout.
      this.wire.publish(this.peer, data, this.inbox);
    } catch (err) {
      // The connection is closed or draining: nothing more can be said on this link.
      this.close({ by: 'error', message: `cannot publish: ${(err as Error).message}` });
    }
  }

  private receive(bytes: Uint8Array, noResponders: boolean): void {
    if (this.ended) return;
    if (noResponders) {
      // After its last word the peer may be gone before our last ack reaches it: that is no failure.
      if (!this.peerFinished) this.close({ by: 'no-responders', message: 'nobody is listening on the other side' });
      return;
    }
    this.lastHeardMs = Date.now();
    let message: StreamMessage;
    try {
      message = decodeMessage(bytes);
    } catch (err) {
      this.close({ by: 'error', message: (err as Error).message }, 'undecodable message');
      return;
    }
    switch (message.t) {
      case 'ping':
        return;
      case 'ack':
        this.ackedSeq = Math.max(this.ackedSeq, message.seq);
        for (const wake of this.creditWaiters.splice(0)) wake();
        return;
      case 'cancel':
        this.close({ by: 'peer', message: message.why });
        return;
      case 'data':
        if (message.seq !== ++this.receivedSeq) {
          this.close({ by: 'error', message: `stream data lost: chunk ${message.seq} came where ${this.receivedSeq} was due` }, 'stream data lost');
          return;
        }
        if (this.receivedSeq - this.ackSentSeq > this.pacing.window) {
          this.close({ by: 'error', message: 'the peer sent past its window' }, 'window exceeded');
          return;
        }
        break;
      case 'refused':
      case 'end':
        this.peerFinished = true;
        break;
      case 'accepted':
      case 'eof':
      case 'resize':
        break;
      default: {
        const never: never = message;
        throw new StreamProtocolError(`unhandled message ${JSON.stringify(never)}`);
      }
    }
    this.inbound.push(message);
    void this.drain();
  }

  /** Hands inbound messages to the handler one at a time; acknowledges data as it is consumed. */
  private async drain(): Promise<void> {
    if (this.draining) return;
    this.draining = true;
    try {
      for (let message = this.inbound.shift(); message && !this.ended; message = this.inbound.shift()) {
        await this.handlers.onMessage(message);
        if (message.t === 'data' && !this.ended && message.seq - this.ackSentSeq >= ackEvery(this.pacing.window)) {
          this.ackSentSeq = message.seq;
          this.publish(encodeMessage({ t: 'ack', seq: message.seq }));
        }
      }
    } catch (err) {
      this.close({ by: 'error', message: (err as Error).message }, `the other side failed: ${(err as Error).message}`);
    } finally {
      this.draining = false;
    }
  }

  private tick(): void {
    const now = Date.now();
    if (now - this.lastHeardMs > this.pacing.timeoutMs) {
      this.close({ by: 'timeout', message: `nothing heard for ${this.pacing.timeoutMs} ms` }, 'timed out');
      return;
    }
    if (this.peer !== undefined && now - this.lastSentMs >= this.pacing.heartbeatMs) this.publish(encodeMessage({ t: 'ping' }));
  }
}
