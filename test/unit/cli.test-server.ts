/** Test support for the cli specs: throwaway TLS material and a local HTTPS server on 127.0.0.1. */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import * as https from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { TLSSocket } from 'node:tls';

export type Pem = Readonly<{ cert: string; key: string }>;
export type TestTls = Readonly<{ server: Pem; client: Pem }>;

/** A self-signed server cert for 127.0.0.1 and a self-signed client cert (CN=alice), made with openssl. */
export function makeTls(): TestTls {
  const dir = mkdtempSync(path.join(tmpdir(), 'skiff-cli-tls-'));
  try {
    const make = (name: string, cn: string, extra: string[]): Pem => {
      const key = path.join(dir, `${name}.key`);
      const cert = path.join(dir, `${name}.crt`);
      execFileSync('openssl', [
        'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '1',
        '-subj', `/CN=${cn}`, ...extra, '-keyout', key, '-out', cert,
      ], { stdio: 'ignore' });
      return { cert: readFileSync(cert, 'utf8'), key: readFileSync(key, 'utf8') };
    };
    return {
      server: make('server', 'localhost', ['-addext', 'subjectAltName=IP:127.0.0.1']),
      client: make('client', 'alice', []),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export type Recorded = Readonly<{
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
  /** The client's port: equal ports mean one kept-alive connection. */
  remotePort?: number;
  /** CN of a client certificate the server's CA (tls.client) vouches for. */
  clientCn?: string;
}>;
export type Handler = (req: Recorded, res: ServerResponse) => void | Promise<void>;

export type TestServer = Readonly<{
  url: string;
  requests: Recorded[];
  close(): Promise<void>;
}>;

/** HTTPS on 127.0.0.1:<free port>; client certs signed by `tls.client` are accepted but not required. */
export async function startServer(tls: TestTls, handler: Handler): Promise<TestServer> {
  const requests: Recorded[] = [];
  const server = https.createServer(
    { cert: tls.server.cert, key: tls.server.key, ca: tls.client.cert, requestCert: true, rejectUnauthorized: false },
    (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const socket = req.socket as TLSSocket;
        const recorded: Recorded = {
          method: req.method ?? '',
          url: req.url ?? '',
          headers: req.headers,
          body: Buffer.concat(chunks).toString('utf8'),
          remotePort: socket.remotePort,
          clientCn: socket.authorized ? String(socket.getPeerCertificate().subject?.CN) : undefined,
        };
        requests.push(recorded);
        void Promise.resolve(handler(recorded, res)).catch((err: unknown) => {
          res.statusCode = 500;
          res.end(String(err));
        });
      });
    },
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `https://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export function sendJson(res: ServerResponse, code: number, body: unknown): void {
  res.writeHead(code, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify(body));
}
