/**
 * What the API's WebSocket subresources (pods/exec: pod-exec.ts, pods/portforward:
 * pod-portforward.ts) share: the upgrade, output sent with back-pressure, and client frames
 * handled in order without reading a client that outruns the node.
 */
import type { IncomingMessage } from 'node:http';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { reject } from '../../actors/rejection';
import type { PodStreamRequest } from './pod-streams';
import { chooseSubprotocol, EXEC_SUBPROTOCOLS, PORT_FORWARD_SUBPROTOCOLS } from './remote-command';

/** The WebSocket side of the API server: upgrades only, no listening socket of its own. */
export function podWebSockets(): WebSocketServer {
  return new WebSocketServer({
    noServer: true, perMessageDeflate: false, clientTracking: false, maxPayload: 16 * 1024 * 1024,
    handleProtocols: (offered, req) => chooseSubprotocol(offered, isPortForwardPath(req.url ?? '') ? PORT_FORWARD_SUBPROTOCOLS : EXEC_SUBPROTOCOLS),
  });
}

function isPortForwardPath(url: string): boolean {
  return url.split('?')[0].endsWith('/portforward');
}

/**
 * Takes the request's socket over as a WebSocket: `undefined` when `ws` refused the handshake
 * itself (and answered it). A request that is no WebSocket upgrade is a 400 naming what skiff speaks.
 */
export async function upgradeToWebSocket(r: PodStreamRequest, sockets: WebSocketServer, subresource: string, protocols: readonly string[]): Promise<WebSocket | undefined> {
  if (!r.upgrade) throw reject.badRequest('Upgrade request required');
  if (!isWebSocketUpgrade(r.req)) {
    // kubectl tries SPDY (a POST) only after a WebSocket attempt failed, or when told to.
    throw reject.badRequest(`skiff serves pods/${subresource} over WebSocket only (${protocols.join(', ')}); "${r.req.headers.upgrade ?? ''}" is not supported`);
  }
  const { socket, head } = r.upgrade;
  return new Promise<WebSocket | undefined>((ok) => {
    socket.once('close', () => ok(undefined)); // a handshake `ws` refused itself
    sockets.handleUpgrade(r.req, socket, head, (upgraded) => ok(upgraded));
  });
}

function isWebSocketUpgrade(req: IncomingMessage): boolean {
  return req.method === 'GET' && (req.headers.upgrade ?? '').toLowerCase() === 'websocket';
}

/** Output buffered for a slow client before the next message waits for the socket. */
const MAX_BUFFERED_OUTPUT = 256 * 1024;
/** Client frames waiting for the node's credit before the WebSocket stops being read. */
const MAX_PENDING_INPUT = 8;

/** Sends a message; resolves at once while little is buffered, else once it is written. Nothing once the socket is closing. */
export function senderOf(ws: WebSocket): (message: Buffer) => Promise<void> {
  return (message) =>
    new Promise((ok) => {
      if (ws.readyState !== 1) return ok();
      if (ws.bufferedAmount < MAX_BUFFERED_OUTPUT) {
        ws.send(message);
        ok();
      } else {
        ws.send(message, () => ok());
      }
    });
}

/**
 * The client's messages, handed to `handle` in order, one at a time; a client that outruns the
 * node's credit is not read meanwhile. Messages that come before `start` wait for it.
 */
export function orderedInput(ws: WebSocket): { start(handle: (message: Buffer) => Promise<void>): void } {
  let handler: ((message: Buffer) => Promise<void>) | undefined;
  const early: Buffer[] = [];
  let inputs = Promise.resolve();
  let pending = 0;
  const enqueue = (message: Buffer, handle: (message: Buffer) => Promise<void>): void => {
    if (++pending > MAX_PENDING_INPUT) ws.pause();
    inputs = inputs.then(() => handle(message)).catch(() => undefined).finally(() => {
      if (--pending <= MAX_PENDING_INPUT / 2 && ws.isPaused) ws.resume();
    });
  };
  ws.on('message', (data: RawData) => {
    const message = bufferOf(data);
    if (handler) enqueue(message, handler);
    else early.push(message);
  });
  return {
    start: (handle) => {
      handler = handle;
      for (const message of early.splice(0)) enqueue(message, handle);
    },
  };
}

function bufferOf(data: RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.from(data);
}
