/**
 * GET …/pods/NAME/portforward?ports=P as a WebSocket, the variant @kubernetes/client-node speaks
 * (kubectl-compat §13.3), as the kubelet's handleWebSocketStreams serves it: for the i-th port, data
 * on channel 2i and errors on channel 2i+1, each channel opened with the port as a little-endian
 * uint16. Each port is one TCP connection inside the pod: one NATS stream to the pod's node agent.
 * kubectl's own port-forward (SPDY inside the WebSocket, or SPDY) is not spoken: a 400 says so.
 */
import type { WebSocket, WebSocketServer } from 'ws';
import { reject } from '../../actors/rejection';
import { openNodeStream, type StreamSession } from '../../eventlog/streams/client';
import type { PodRef } from '../../eventlog/streams/protocol';
import { nodeNameOf } from './pod-stream-options';
import { podFor, podRefOf, type PodStreamDeps, type PodStreamRequest } from './pod-streams';
import { decodeFrame, encodeFrame, PORT_FORWARD_SUBPROTOCOLS, portPreamble } from './remote-command';
import { orderedInput, senderOf, upgradeToWebSocket } from './websocket';

export async function servePodPortForward(r: PodStreamRequest, deps: PodStreamDeps, sockets: WebSocketServer): Promise<void> {
  const pod = podFor(deps, r.namespace, r.name);
  const node = nodeNameOf(pod);
  if (!node) throw reject.badRequest(`pod ${r.name} does not have a host assigned`);
  const phase = (pod.status as { phase?: string } | undefined)?.phase;
  if (phase !== 'Running') throw reject.badRequest(`unable to forward port because pod is not running. Current status=${phase ?? 'Pending'}`);
  if (isSpdy(r)) {
    throw reject.badRequest('skiff serves pods/portforward as a WebSocket with channels per port (v4.channel.k8s.io, channel.k8s.io, '
      + 'as @kubernetes/client-node speaks it), not SPDY; kubectl port-forward is not supported yet: use `skiff port-forward`');
  }
  const ports = portsOf(r.url.searchParams);
  const ws = await upgradeToWebSocket(r, sockets, 'portforward', PORT_FORWARD_SUBPROTOCOLS);
  if (!ws) return;
  try {
    await forwardPorts(ws, node, podRefOf(pod), ports, deps);
  } catch (err) {
    ws.close(1011, String((err as Error).message).slice(0, 120));
  }
}

/** kubectl's requests: SPDY in a WebSocket (its subprotocol names SPDY) or a plain SPDY upgrade. */
function isSpdy(r: PodStreamRequest): boolean {
  const offered = `${r.req.headers['sec-websocket-protocol'] ?? ''} ${r.req.headers.upgrade ?? ''}`;
  return /spdy/i.test(offered);
}

/** The `ports` query (repeated, or comma-separated), as the kubelet reads its `port`. */
export function portsOf(query: URLSearchParams): number[] {
  const given = query.getAll('ports').flatMap((p) => p.split(','));
  if (given.length === 0) throw reject.badRequest('query parameter "ports" is required');
  return given.map((text) => {
    const port = /^\d+$/.test(text.trim()) ? Number(text.trim()) : NaN;
    if (!Number.isInteger(port) || port > 65535) throw reject.badRequest(`unable to parse "${text}" as a port`);
    if (port < 1) throw reject.badRequest(`port "${text}" must be > 0`);
    return port;
  });
}

async function forwardPorts(ws: WebSocket, node: string, pod: PodRef, ports: readonly number[], deps: PodStreamDeps): Promise<void> {
  const left = new AbortController();
  ws.on('close', () => left.abort());
  ws.on('error', () => undefined); // 'close' follows
  const send = senderOf(ws);
  const sessions = ports.map(() => deferred<StreamSession | undefined>());
  // The client writes raw bytes on a port's data channel; nothing else it sends means anything.
  orderedInput(ws).start(async (message) => {
    const frame = decodeFrame(message);
    if (!frame || frame.channel % 2 !== 0 || frame.data.length === 0) return;
    const session = await sessions[frame.channel / 2]?.promise;
    await session?.write(frame.data);
  });
  for (const [i, port] of ports.entries()) {
    await send(portPreamble(2 * i, port));
    await send(portPreamble(2 * i + 1, port));
  }
  await Promise.all(ports.map(async (port, i) => {
    const opened = await openNodeStream(deps.wire, node, { kind: 'portforward', pod, port }, deps.pacing, left.signal);
    if (!opened.ok) {
      sessions[i].resolve(undefined);
      return send(encodeFrame(2 * i + 1, opened.failure.message));
    }
    sessions[i].resolve(opened.session);
    for await (const { data } of opened.session.output) await send(encodeFrame(2 * i, data));
    const end = await opened.session.ended;
    if (end.failure && !left.signal.aborted) await send(encodeFrame(2 * i + 1, end.failure.message));
  }));
  if (ws.readyState === 1) ws.close(1000);
}

function deferred<T>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((ok) => (resolve = ok));
  return { promise, resolve };
}
