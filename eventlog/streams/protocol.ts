/**
 * The conversation between the API server and a node agent for container logs and exec sessions,
 * over core NATS (no JetStream: these are conversations, not history). Both sides import this
 * folder: it sits in eventlog/, the bottom layer, because gateways/ must not import runtime/ and
 * because eventlog/ already owns the NATS connection and every subject name (subjects.ts).
 *
 *   API                                              node agent (spec.nodeName)
 *    │ OpenRequest → skiff.node.<node>.<log|exec|portforward>, reply = the API's inbox
 *    │ ◄──── ping … (while the node prepares)          │
 *    │ ◄──── accepted {control: node inbox} | refused {failure}
 *    │ ◄──── data {seq, ch, d} …  (at most `window` chunks not yet acked)
 *    │ ────► ack {seq}  (every window/4 chunks consumed: handed to the HTTP or WebSocket client)
 *    │ ────► data {seq, ch: 0} (stdin, same credit rule) · eof · resize     (exec)
 *    │                                     (portforward: ch 1 = bytes from the pod's port, ch 0 = bytes to it, eof = half-close)
 *    │ ◄──── end {exitCode? | failure?}                 (in order, after the last data)
 *    │ ◄───► cancel {why}: the other side is going away; stop now
 *    │ ◄───► ping when nothing else was sent for heartbeatMs; silence for timeoutMs = the peer is gone
 *
 * Messages are msgpackr maps (bytes travel as binary, not base64). Core NATS keeps the order of
 * one connection's messages to one subscriber; a gap in `seq` still ends the stream with an error
 * rather than letting it lose bytes silently.
 */
import { decodeValue, encodeValue } from '../codec';
import { StreamProtocolError } from '../errors';

export const STREAM_PROTOCOL_VERSION = 1;

/** Channels, as in Kubernetes' remote command protocol: stdin, stdout, stderr. */
export const CHANNEL = { stdin: 0, stdout: 1, stderr: 2 } as const;
export type Channel = (typeof CHANNEL)[keyof typeof CHANNEL];

export type PodRef = Readonly<{ uid: string; namespace: string; name: string }>;

/** A Kubernetes Status failure, as the node reports it (code, reason, message). */
export type StreamFailure = Readonly<{ code: number; reason: string; message: string }>;

/** How the requester wants the conversation paced; the node follows the request's numbers. */
export type Pacing = Readonly<{
  /** Data chunks one side may have sent and not had acknowledged. */
  window: number;
  /** Largest data chunk, bytes. */
  chunkBytes: number;
  /** A side that sent nothing for this long sends a ping. */
  heartbeatMs: number;
  /** A side that heard nothing for this long takes the other for gone. */
  timeoutMs: number;
}>;

/** 32 × 32 KiB = 1 MiB in flight per stream: enough to fill a loopback link, small enough for many streams. */
export const DEFAULT_PACING: Pacing = { window: 32, chunkBytes: 32 * 1024, heartbeatMs: 5_000, timeoutMs: 30_000 };

export type LogRequest = Readonly<{
  v: typeof STREAM_PROTOCOL_VERSION;
  kind: 'log';
  pod: PodRef;
  container: string;
  previous: boolean;
  follow: boolean;
  tailLines?: number;
  limitBytes?: number;
  /** Only what was written at or after this time (ms since the epoch); best effort on the node. */
  sinceMs?: number;
  timestamps: boolean;
  pacing: Pacing;
}>;

export type ExecRequest = Readonly<{
  v: typeof STREAM_PROTOCOL_VERSION;
  kind: 'exec';
  pod: PodRef;
  container: string;
  command: readonly string[];
  tty: boolean;
  stdin: boolean;
  stdout: boolean;
  stderr: boolean;
  pacing: Pacing;
}>;

/** One TCP connection to `port` on the pod's loopback, as a byte pipe (`kubectl port-forward`). */
export type PortForwardRequest = Readonly<{
  v: typeof STREAM_PROTOCOL_VERSION;
  kind: 'portforward';
  pod: PodRef;
  port: number;
  pacing: Pacing;
}>;

export type OpenRequest = LogRequest | ExecRequest | PortForwardRequest;

const REQUEST_KINDS: ReadonlySet<string> = new Set<OpenRequest['kind']>(['log', 'exec', 'portforward']);

export type StreamMessage =
  | Readonly<{ t: 'accepted'; control: string }>
  | Readonly<{ t: 'refused'; failure: StreamFailure }>
  | Readonly<{ t: 'data'; seq: number; ch: Channel; d: Uint8Array }>
  | Readonly<{ t: 'ack'; seq: number }>
  | Readonly<{ t: 'eof'; ch: Channel }>
  | Readonly<{ t: 'resize'; cols: number; rows: number }>
  | Readonly<{ t: 'end'; exitCode?: number; failure?: StreamFailure }>
  | Readonly<{ t: 'cancel'; why: string }>
  | Readonly<{ t: 'ping' }>;

/** The messages a side's handler sees, in order; acks, pings and cancels are the link's own business. */
export type InboundMessage = Exclude<StreamMessage, { t: 'ack' } | { t: 'ping' } | { t: 'cancel' }>;

/** How a stream ended, in one shape for both sides: the exit code of a command, or a failure. */
export type StreamEnd = Readonly<{ exitCode?: number; failure?: StreamFailure }>;

export { StreamProtocolError };

export function encodeMessage(message: StreamMessage | OpenRequest): Uint8Array {
  return encodeValue(message);
}

const MESSAGE_TYPES = new Set(['accepted', 'refused', 'data', 'ack', 'eof', 'resize', 'end', 'cancel', 'ping']);

export function decodeMessage(bytes: Uint8Array): StreamMessage {
  const value = decodeValue<StreamMessage>(bytes);
  if (typeof value !== 'object' || value === null || !MESSAGE_TYPES.has((value as { t?: string }).t ?? '')) {
    throw new StreamProtocolError('not a stream message');
  }
  if (value.t === 'data' && !(value.d instanceof Uint8Array)) throw new StreamProtocolError('a data message without bytes');
  return value;
}

export function decodeRequest(bytes: Uint8Array): OpenRequest {
  const value = decodeValue<OpenRequest>(bytes);
  if (typeof value !== 'object' || value === null || !REQUEST_KINDS.has(value.kind)) {
    throw new StreamProtocolError('not a stream request');
  }
  if (value.v !== STREAM_PROTOCOL_VERSION) throw new StreamProtocolError(`stream protocol version ${String(value.v)} is not ${STREAM_PROTOCOL_VERSION}`);
  return value;
}

/** Splits bytes into pieces of at most `size` (views, no copies). */
export function chunksOf(bytes: Uint8Array, size: number): Uint8Array[] {
  if (bytes.length <= size) return [bytes];
  const out: Uint8Array[] = [];
  for (let at = 0; at < bytes.length; at += size) out.push(bytes.subarray(at, Math.min(bytes.length, at + size)));
  return out;
}

/** Acks go out every this many consumed chunks: a quarter of the window keeps the sender busy. */
export function ackEvery(window: number): number {
  return Math.max(1, Math.floor(window / 4));
}

export const failures = {
  unavailable: (message: string): StreamFailure => ({ code: 503, reason: 'ServiceUnavailable', message }),
  internal: (message: string): StreamFailure => ({ code: 500, reason: 'InternalError', message }),
  badRequest: (message: string): StreamFailure => ({ code: 400, reason: 'BadRequest', message }),
  notFound: (message: string): StreamFailure => ({ code: 404, reason: 'NotFound', message }),
};
