import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, connect as tcpConnect } from 'node:net';
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { EventLogError } from './errors';

/** nats.conf at the repository root: the embedded default. */
export const DEFAULT_NATS_CONF = resolve(__dirname, '..', 'nats.conf');

export type NatsServer = Readonly<{ url: string; port: number; pid: number; storeDir: string; stop: () => Promise<void> }>;

export async function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const srv = createServer();
    srv.once('error', fail);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      srv.close(() => (typeof address === 'object' && address ? ok(address.port) : fail(new Error('no port'))));
    });
  });
}

/**
 * Starts nats-server from nats.conf with its store under `dataDir/nats`, on loopback. The process is
 * ours: stop() ends it by its PID (SIGTERM, then SIGKILL after a grace period).
 */
export async function startNatsServer(opts: { dataDir: string; port?: number; conf?: string; binary?: string }): Promise<NatsServer> {
  const storeDir = join(opts.dataDir, 'nats');
  await mkdir(storeDir, { recursive: true });
  const port = opts.port ?? (await freePort());
  const binary = opts.binary ?? 'nats-server';
  // Its own process group: a terminal's Ctrl-C reaches skiff, which then stops the server last, after
  // the control plane has written its snapshot — not the server first, under a control plane still
  // writing to it. Should this process die without stopping it, the exit hook still ends it.
  const child = spawn(binary, ['-c', opts.conf ?? DEFAULT_NATS_CONF, '-a', '127.0.0.1', '-p', String(port), '-sd', storeDir, '--js'], {
    stdio: ['ignore', 'ignore', 'pipe'],
    detached: true,
  });
  const endWithUs = () => child.kill('SIGKILL');
  process.once('exit', endWithUs);
  child.once('exit', () => process.removeListener('exit', endWithUs));
  let log = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    if (log.length < 64_000) log += chunk.toString();
  });
  const exited = new Promise<number | null>((ok) => child.once('exit', (code) => ok(code)));
  const spawnError = new Promise<Error>((ok) => child.once('error', ok));
  const ready = waitForPort(port, 15_000);
  const outcome = await Promise.race([
    ready.then(() => 'ready' as const),
    exited.then(() => 'exited' as const),
    spawnError.then((e) => e),
  ]);
  if (outcome instanceof Error) {
    throw new EventLogError(
      (outcome as NodeJS.ErrnoException).code === 'ENOENT'
        ? `nats-server is not installed (looked for "${binary}"); install it with: apt-get install nats-server`
        : `could not start nats-server: ${outcome.message}`,
    );
  }
  if (outcome === 'exited') throw new EventLogError(`nats-server exited at start-up:\n${log.trim()}`);
  return { url: `nats://127.0.0.1:${port}`, port, pid: child.pid as number, storeDir, stop: () => stopProcess(child, exited) };
}

async function stopProcess(child: ChildProcess, exited: Promise<unknown>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
}

async function waitForPort(port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const open = await new Promise<boolean>((ok) => {
      const sock = tcpConnect(port, '127.0.0.1');
      sock.once('connect', () => {
        sock.destroy();
        ok(true);
      });
      sock.once('error', () => ok(false));
    });
    if (open) return;
    if (Date.now() > deadline) throw new EventLogError(`nats-server did not listen on 127.0.0.1:${port} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
