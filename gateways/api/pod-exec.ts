import type { WebSocket, WebSocketServer } from 'ws';
import { reject } from '../../actors/rejection';
import { openNodeStream, type ExecAsk, type StreamSession } from '../../eventlog/streams/client';
import { containerOf, execUnavailable, nodeNameOf, podExecOptionsOf } from './pod-stream-options';
import { podFor, podRefOf, type PodStreamDeps, type PodStreamRequest } from './pod-streams';
import {
  decodeFrame, encodeFrame, EXEC_SUBPROTOCOLS, exitStatus, failureStatus, parseResize, RC_CHANNEL, speaks, statusMessage,
  type ExecStatus,
} from './remote-command';
import { orderedInput, senderOf, upgradeToWebSocket } from './websocket';

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
  const ws = await upgradeToWebSocket(r, sockets, 'exec', EXEC_SUBPROTOCOLS);
  if (!ws) return;
  try {
    await runExec(ws, node, { kind: 'exec', pod: podRefOf(pod), container, ...opts }, deps);
  } catch (err) {
    // The socket speaks WebSocket now: no HTTP answer can follow; say it the WebSocket's way.
    ws.close(1011, String((err as Error).message).slice(0, 120));
  }
}

async function runExec(ws: WebSocket, node: string, ask: ExecAsk, deps: PodStreamDeps): Promise<void> {
  const { closeChannel } = speaks(ws.protocol);
  let gone = false;
  const left = new AbortController();
  const input = orderedInput(ws);

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
  ws.on('close', () => {
    gone = true;
    left.abort();
  });
  ws.on('error', () => undefined); // 'close' follows

  const send = senderOf(ws);
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
  const session = opened.session;
  input.start((message) => onFrame(message, session));
  for await (const { ch, data } of session.output) await send(encodeFrame(ch, data));
  const end = await session.ended;
  finish(end.failure ? failureStatus(end.failure) : exitStatus(end.exitCode ?? 0));
}
