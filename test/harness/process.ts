import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { request, Agent } from 'node:https';

const BIN = resolve(__dirname, '..', '..', 'bin', 'skiff');

export type ControlPlaneProcess = Readonly<{ child: ChildProcess; output: () => string; exited: Promise<number | null> }>;

/** `skiff up` as its own process (so a test can kill -9 it), against an existing NATS server. */
export function spawnControlPlane(opts: { dataDir: string; natsUrl: string; port: number }): ControlPlaneProcess {
  return spawnSkiff(['up', '--no-node', '--data-dir', opts.dataDir, '--nats', opts.natsUrl, '--port', String(opts.port)]);
}

/** `skiff ARGS…` as its own long-running process (a node agent a test can kill -9), its output kept. */
export function spawnSkiff(args: readonly string[]): ControlPlaneProcess {
  const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout?.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (out += c.toString()));
  const exited = new Promise<number | null>((ok) => child.once('exit', (code) => ok(code)));
  return { child, output: () => out, exited };
}

export type CliRun = Readonly<{ code: number; stdout: string; stderr: string }>;

/** One `skiff ARGS…` with the given kubeconfig, as a user would run it; never rejects. `stdin`: what is piped in (then closed). */
export function runCli(kubeconfigPath: string, args: readonly string[], timeoutMs = 90_000, stdin?: string): Promise<CliRun> {
  return new Promise((ok) => {
    const child = execFile(process.execPath, [BIN, '--kubeconfig', kubeconfigPath, ...args], { timeout: timeoutMs }, (err, stdout, stderr) => {
      ok({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
    if (stdin !== undefined) child.stdin?.end(stdin);
  });
}

/** The path of bin/skiff, for running it some other way (under a terminal). */
export const SKIFF_BIN = BIN;

export type HttpsClient = Readonly<{
  call: (method: string, path: string, body?: unknown, contentType?: string) => Promise<{ status: number; body: any }>;
  close: () => void;
}>;

/** A keep-alive HTTPS client with the admin token; network errors come back as status 0. */
export function httpsClient(port: number, caPem: string, token: string, maxSockets = 256): HttpsClient {
  const agent = new Agent({ ca: caPem, keepAlive: true, maxSockets });
  return {
    call: (method, path, body, contentType = 'application/json') =>
      new Promise((ok) => {
        const text = body === undefined ? undefined : JSON.stringify(body);
        const req = request(
          { host: '127.0.0.1', port, method, path, agent, timeout: 60_000, headers: { Authorization: `Bearer ${token}`, Accept: 'application/json', ...(text ? { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(text) } : {}) } },
          (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (c: Buffer) => chunks.push(c));
            res.on('end', () => {
              const raw = Buffer.concat(chunks).toString();
              let parsed: unknown = raw;
              try {
                parsed = raw ? JSON.parse(raw) : undefined;
              } catch {
                // keep text
              }
              ok({ status: res.statusCode ?? 0, body: parsed });
            });
            res.on('error', () => ok({ status: 0, body: undefined }));
          },
        );
        req.on('error', () => ok({ status: 0, body: undefined }));
        req.on('timeout', () => req.destroy());
        if (text) req.write(text);
        req.end();
      }),
    close: () => agent.destroy(),
  };
}

export async function waitUntil(what: string, check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
