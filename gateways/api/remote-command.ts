/**
 * Kubernetes' remote command protocol over WebSocket (kubectl-compat §12), for `pods/exec`: the
 * API server's side (pod-exec.ts) and the client's (gateways/client.ts). Pure: frames, statuses,
 * subprotocol choice.
 *
 * Every message is binary; its first byte is the channel: 0 stdin, 1 stdout, 2 stderr, 3 status
 * (the end: a metav1.Status as JSON from v4 on, the error text before), 4 terminal size
 * (`{"Width":80,"Height":24}`), and from v5 on 255 "close": one byte, the channel half-closed
 * (kubectl sends [255, 0] when its stdin ends).
 */
import type { StreamFailure } from '../../eventlog/streams/protocol';

export const RC_CHANNEL = { stdin: 0, stdout: 1, stderr: 2, status: 3, resize: 4, close: 255 } as const;

/** What skiff speaks, best first. kubectl 1.32 offers only v5; client-node offers v5 … v1. */
export const EXEC_SUBPROTOCOLS = ['v5.channel.k8s.io', 'v4.channel.k8s.io', 'channel.k8s.io'] as const;
export type ExecSubprotocol = (typeof EXEC_SUBPROTOCOLS)[number];

/**
 * pods/portforward's channel protocols, as the kubelet's handleWebSocketStreams negotiates them: the
 * same framing, a data and an error channel per port (2i, 2i+1), each opened with the port as a
 * little-endian uint16.
 */
export const PORT_FORWARD_SUBPROTOCOLS = ['v4.channel.k8s.io', 'channel.k8s.io'] as const;

/** The best protocol both sides speak; a client that names none of ours gets the oldest (no header, as kubectl expects). */
export function chooseSubprotocol(offered: ReadonlySet<string>, supported: readonly string[] = EXEC_SUBPROTOCOLS): string | false {
  return supported.find((p) => offered.has(p)) ?? false;
}

/** The first message on each of a forwarded port's channels: the port, little-endian. */
export function portPreamble(channel: number, port: number): Buffer {
  return encodeFrame(channel, Uint8Array.of(port & 0xff, port >> 8));
}

/** v4 and later send the status as JSON; v5 adds the close channel. */
export function speaks(protocol: string): Readonly<{ jsonStatus: boolean; closeChannel: boolean }> {
  return { jsonStatus: protocol === 'v5.channel.k8s.io' || protocol === 'v4.channel.k8s.io', closeChannel: protocol === 'v5.channel.k8s.io' };
}

export function encodeFrame(channel: number, data: Uint8Array | string = new Uint8Array(0)): Buffer {
  const body = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  const frame = Buffer.allocUnsafe(body.length + 1);
  frame[0] = channel;
  frame.set(body, 1);
  return frame;
}

export function decodeFrame(message: Uint8Array): Readonly<{ channel: number; data: Buffer }> | undefined {
  if (message.length === 0) return undefined;
  const bytes = Buffer.from(message.buffer, message.byteOffset, message.byteLength);
  return { channel: bytes[0], data: bytes.subarray(1) };
}

/** A resize message's size, if it is one (kubectl appends a newline; tolerated). */
export function parseResize(data: Uint8Array): Readonly<{ cols: number; rows: number }> | undefined {
  try {
    const size = JSON.parse(Buffer.from(data).toString('utf8')) as { Width?: unknown; Height?: unknown };
    const cols = Number(size.Width);
    const rows = Number(size.Height);
    return Number.isInteger(cols) && Number.isInteger(rows) && cols > 0 && rows > 0 && cols < 65536 && rows < 65536 ? { cols, rows } : undefined;
  } catch {
    return undefined;
  }
}

export function resizeMessage(cols: number, rows: number): Buffer {
  return encodeFrame(RC_CHANNEL.resize, JSON.stringify({ Width: cols, Height: rows }));
}

/** The status channel's body, metav1.Status without kind (as the kubelet writes it). */
export type ExecStatus = Readonly<{
  metadata: Record<string, never>;
  status: 'Success' | 'Failure';
  message?: string;
  reason?: string;
  details?: Readonly<{ causes?: readonly Readonly<{ reason?: string; message?: string }>[] }>;
  code?: number;
}>;

export function exitStatus(exitCode: number): ExecStatus {
  if (exitCode === 0) return { metadata: {}, status: 'Success' };
  return {
    metadata: {}, status: 'Failure',
    message: `command terminated with non-zero exit code: exit status ${exitCode}`,
    reason: 'NonZeroExitCode',
    details: { causes: [{ reason: 'ExitCode', message: String(exitCode) }] },
  };
}

export function failureStatus(failure: StreamFailure): ExecStatus {
  return { metadata: {}, status: 'Failure', message: failure.message, reason: failure.reason, code: failure.code };
}

/** What goes on the status channel in `protocol`: JSON from v4 on; before, only a failure's text. */
export function statusMessage(protocol: string, status: ExecStatus): Buffer | undefined {
  if (speaks(protocol).jsonStatus) return encodeFrame(RC_CHANNEL.status, JSON.stringify(status));
  return status.status === 'Success' ? undefined : encodeFrame(RC_CHANNEL.status, status.message ?? 'error');
}

/** The exit code a status reports: 0 for Success, N for NonZeroExitCode, undefined for any other failure. */
export function exitCodeOf(status: ExecStatus): number | undefined {
  if (status.status === 'Success') return 0;
  if (status.reason !== 'NonZeroExitCode') return undefined;
  const code = Number(status.details?.causes?.find((c) => c.reason === 'ExitCode')?.message);
  return Number.isInteger(code) ? code : undefined;
}
