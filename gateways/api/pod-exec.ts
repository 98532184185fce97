import type { IncomingMessage } from 'node:http';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { reject } from '../../actors/rejection';
import { openNodeStream, type ExecAsk, type StreamSession } from '../../eventlog/streams/client';
import { containerOf, execUnavailable, nodeNameOf, podExecOptionsOf } from './pod-stream-options';
import { podFor, podRefOf, type PodStreamDeps, type PodStreamRequest } from './pod-streams';
import {
  chooseSubprotocol, decodeFrame, encodeFrame, EXEC_SUBPROTOCOLS, exitStatus, failureStatus, parseResize, RC_CHANNEL, speaks, statusMessage,
  type ExecStatus,
} from './remote-command';

/** The WebSocket side of the API server: upgrades only, no listening socket of its own. */
export function execWebSockets(): WebSocketServer {
  return new WebSocketServer({
    noServer: true, perMessageDeflate: false, clientTracking: false, maxPayload: 16 * 1024 * 1024,
    handleProtocols: (offered) => chooseSubprotocol(offered),
  });
}

/** Client frames waiting for stdin credit before the WebSocket stops being read. */
const MAX_PENDING_INPUT = 8;
/** Output buffered for a slow client before the next chunk waits for the socket. */
const MAX_BUFFERED_OUTPUT = 256 * 1024;

/**
 * GET …/pods/NAME/exec as a WebSocket (kubectl-compat §12): everything the API can check is
 * checked before the upgrade and answered as a Status; once upgraded, the command runs on the
 * pod's node, and how it ended (exit code, or the node's failure) is the status channel's message.
 */
export async function servePodExec(r: PodStreamRequest, deps: PodStreamDeps, sockets: WebSocketServer): Promise<void> {
  const opts = podExecOptionsOf(r.url.searchParams);
  const pod = podFor(deps, r.namespace, r.name);
  const container = containerOf(pod, opts.container, 'exec');
  const node = nodeNameOf(pod);
  if (!node) throw reject.badRequest(`pod ${r.name} does not have a host assigned`);
  const unavailable = execUnavailable(pod, container);
  if (unavailable) throw reject.badRequest(unavailable);
  if (!r.upgrade) throw reject.badRequest('Upgrade request required');
  if (!isWebSocketUpgrade(r.req)) {
    // kubectl tries SPDY (a POST) only after a WebSocket attempt failed, or when told to.
    throw reject.badRequest(`skiff serves pods/exec over WebSocket only (${EXEC_SUBPROTOCOLS.join(', ')}); "${r.req.headers.upgrade ?? ''}" is not supported`);
  }
  const { socket, head } = r.upgrade;
  const ws = await new Promise<WebSocket | undefined>((ok) => {
    socket.once('close', () => ok(undefined)); // a handshake `ws` refused itself
    sockets.handleUpgrade(r.req, socket, head, (upgraded) => ok(upgraded));
  });
  if (!ws) return;
  try {
    await runExec(ws, node, { kind: 'exec', pod: podRefOf(pod), container, ...opts }, deps);
  } catch (err) {
    // The socket speaks WebSocket now: no HTTP answer can follow; say it the WebSocket's way.
    ws.close(1011, String((err as Error).message).slice(0, 120));
  }
}

function isWebSocketUpgrade(req: IncomingMessage): boolean {
  return req.method === 'GET' && (req.headers.upgrade ?? '').toLowerCase() === 'websocket';
}

async function runExec(ws: WebSocket, node: string, ask: ExecAsk, deps: PodStreamDeps): Promise<void> {
  const { closeChannel } = speaks(ws.protocol);
  let session: StreamSession | undefined;
  let gone = false;
  const left = new AbortController();
  const early: Buffer[] = [];
  let inputs = Promise.resolve();
  let pending = 0;

  const onFrame = async (message: Buffer, to: StreamSession): Promise<void> => {
    const frame = decodeFrame(message);
    switch (frame?.channel) {
      case RC_CHANNEL.stdin:
        if (ask.stdin && frame.data.length > 0) await to.write(frame.data);
        return;
      case RC_CHANNEL.resize: {
        const size = parseResize(frame.data);
        if (size) to.resize(size.cols, size.rows);
        return;
      }
      case RC_CHANNEL.close:
        if (closeChannel && frame.data[0] === RC_CHANNEL.stdin) to.closeStdin();
        return;
      default:
        return;
    }
  };
  // In order, one at a time; a client that outruns the node's stdin credit is not read meanwhile.
  const enqueue = (message: Buffer, to: StreamSession): void => {
    if (++pending > MAX_PENDING_INPUT) ws.pause();
    inputs = inputs.then(() => onFrame(message, to)).catch(() => undefined).finally(() => {
      if (--pending <= MAX_PENDING_INPUT / 2 && ws.isPaused) ws.resume();
    });
  };
  ws.on('message', (data: RawData) => {
    const message = bufferOf(data);
    if (session) enqueue(message, session);
    else early.push(message);
  });
  ws.on('close', () => {
    gone = true;
    left.abort();
  });
  ws.on('error', () => undefined); // 'close' follows

  const send = (frame: Buffer): Promise<void> =>
    new Promise((ok) => {
      if (gone || ws.readyState !== 1) return ok();
      if (ws.bufferedAmount < MAX_BUFFERED_OUTPUT) {
        ws.send(frame);
        ok();
      } else {
        ws.send(frame, () => ok());
      }
    });
  const finish = (status: ExecStatus): void => {
    if (gone) return;
    const message = statusMessage(ws.protocol, status);
    if (message) ws.send(message);
    ws.close(1000);
  };

  // The kubelet's "connection established": an empty message on the first output channel.
  if (ask.stdout || ask.stderr) await send(encodeFrame(ask.stdout ? RC_CHANNEL.stdout : RC_CHANNEL.stderr));
  const opened = await openNodeStream(deps.wire, node, ask, deps.pacing, left.signal);
  if (!opened.ok) return finish(failureStatus(opened.failure));
  session = opened.session;
  for (const message of early.splice(0)) enqueue(message, session);
  for await (const { ch, data } of session.output) await send(encodeFrame(ch, data));
  const end = await session.ended;
  finish(end.failure ? failureStatus(end.failure) : exitStatus(end.exitCode ?? 0));
}

function bufferOf(data: RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.from(data);
}
