/**
 * The part of the `ws` package (8.x) skiff uses, typed here because @types/ws is not installed.
 * Replace this file with @types/ws (devDependency) when dependencies can be added; the shapes
 * below are a subset of it, so no code needs to change.
 */
declare module 'ws' {
  import type { EventEmitter } from 'node:events';
  import type { Agent, ClientRequest, IncomingMessage, OutgoingHttpHeaders } from 'node:http';
  import type { Duplex } from 'node:stream';

  type RawData = Buffer | ArrayBuffer | Buffer[];

  interface ClientOptions {
    agent?: Agent;
    headers?: OutgoingHttpHeaders;
    ca?: string | Buffer | (string | Buffer)[];
    cert?: string | Buffer;
    key?: string | Buffer;
    rejectUnauthorized?: boolean;
    perMessageDeflate?: boolean;
    handshakeTimeout?: number;
    maxPayload?: number;
  }

  class WebSocket extends EventEmitter {
    static readonly CONNECTING: 0;
    static readonly OPEN: 1;
    static readonly CLOSING: 2;
    static readonly CLOSED: 3;
    constructor(address: string | URL, protocols?: string | string[], options?: ClientOptions);
    readonly protocol: string;
    readonly readyState: 0 | 1 | 2 | 3;
    readonly bufferedAmount: number;
    readonly isPaused: boolean;
    send(data: Buffer | Uint8Array | string, cb?: (err?: Error) => void): void;
    send(data: Buffer | Uint8Array | string, options: { binary?: boolean; compress?: boolean; fin?: boolean }, cb?: (err?: Error) => void): void;
    close(code?: number, reason?: string | Buffer): void;
    terminate(): void;
    ping(data?: unknown, mask?: boolean, cb?: (err: Error) => void): void;
    pause(): void;
    resume(): void;
    on(event: 'message', listener: (data: RawData, isBinary: boolean) => void): this;
    on(event: 'close', listener: (code: number, reason: Buffer) => void): this;
    on(event: 'error', listener: (err: Error) => void): this;
    on(event: 'open', listener: () => void): this;
    on(event: 'unexpected-response', listener: (req: ClientRequest, res: IncomingMessage) => void): this;
    on(event: string | symbol, listener: (...args: any[]) => void): this;
    once(event: 'close', listener: (code: number, reason: Buffer) => void): this;
    once(event: 'open', listener: () => void): this;
    once(event: string | symbol, listener: (...args: any[]) => void): this;
  }

  interface ServerOptions {
    noServer?: boolean;
    perMessageDeflate?: boolean;
    maxPayload?: number;
    clientTracking?: boolean;
    handleProtocols?: (protocols: Set<string>, request: IncomingMessage) => string | false;
  }

  class WebSocketServer extends EventEmitter {
    constructor(options: ServerOptions);
    handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer, callback: (ws: WebSocket, request: IncomingMessage) => void): void;
    close(cb?: (err?: Error) => void): void;
  }

  export { WebSocket, WebSocketServer, type RawData, type ClientOptions, type ServerOptions };
  export default WebSocket;
}
