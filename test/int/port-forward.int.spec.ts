/**
 * pods/portforward (the WebSocket channel protocol of @kubernetes/client-node, kubectl-compat §13.3)
 * and `skiff port-forward` (bin/skiff in its own process), against a control plane and a node
 * agent whose runtime is the host-process TEST DOUBLE: a pod's port is a port on this machine's
 * loopback, reached through the same relay process the containerd target starts in a pod's netns.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { WebSocket } from 'ws';
import { SKIFF_BIN, waitUntil } from '../harness/process';
import { startStreamsWorld, type StreamsWorld } from '../harness/streams';

let w: StreamsWorld;
let echo: Server;
let echoPort: number;
let closedPort: number;
const children: ChildProcess[] = [];

/** An echo server; `hello` answers "hi\n" first, so a client sees the server's bytes before its own. */
function startEcho(): Promise<Server> {
  const server = createServer((s) => {
    s.on('error', () => undefined);
    s.pipe(s);
  });
  return new Promise((ok) => server.listen(0, '127.0.0.1', () => ok(server)));
}

/** A port nobody listens on (taken, then released). */
async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((ok) => s.listen(0, '127.0.0.1', () => ok()));
  const { port } = s.address() as AddressInfo;
  await new Promise<void>((ok) => s.close(() => ok()));
  return port;
}

beforeAll(async () => {
  w = await startStreamsWorld({ pacing: { heartbeatMs: 500, timeoutMs: 5_000 } });
  echo = await startEcho();
  echoPort = (echo.address() as AddressInfo).port;
  closedPort = await freePort();
  await w.pod('web', { labels: { app: 'web' } });
  await w.pod('pending', { status: () => ({ phase: 'Pending' }) });
  await w.c.call('POST', '/apis/apps/v1/namespaces/default/deployments', {
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' },
    spec: { replicas: 1, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'main', image: 'busybox:1.36' }] } } },
  });
  await w.c.call('POST', '/api/v1/namespaces/default/services', {
    apiVersion: 'v1', kind: 'Service', metadata: { name: 'web' },
    spec: { selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort: echoPort }] },
  });
});

afterAll(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  await new Promise<void>((ok) => (echo ? echo.close(() => ok()) : ok()));
  await w?.stop();
});

type Forwarder = Readonly<{ child: ChildProcess; ports: number[]; out: () => string; err: () => string; exited: Promise<number | null> }>;

/** `skiff port-forward ARGS…`, once it has printed one `Forwarding from` line per port. */
async function portForward(args: string[], lines = 1): Promise<Forwarder> {
  const child = spawn(process.execPath, [SKIFF_BIN, '--kubeconfig', w.c.cp.kubeconfigPath, 'port-forward', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let out = '';
  let err = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((ok) => child.once('close', ok));
  await waitUntil(`skiff port-forward listening (${err})`, async () => (out.match(/^Forwarding from /gm) ?? []).length >= lines || child.exitCode !== null, 30_000);
  const ports = [...out.matchAll(/^Forwarding from 127\.0\.0\.1:(\d+) -> /gm)].map((m) => Number(m[1]));
  return { child, ports, out: () => out, err: () => err, exited };
}

/** Connects, sends `payload`, reads until `expect` bytes came (or the connection ended). */
function roundTrip(port: number, payload: Buffer, expect = payload.length): Promise<{ data: Buffer; closed: boolean }> {
  return new Promise((ok, fail) => {
    const socket: Socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    let got = 0;
    const done = (closed: boolean) => {
      socket.destroy();
      ok({ data: Buffer.concat(chunks), closed });
    };
    socket.on('data', (d: Buffer) => {
      chunks.push(d);
      got += d.length;
      if (got >= expect) done(false);
    });
    socket.on('close', () => done(true));
    socket.on('error', fail);
    socket.write(payload);
  });
}

async function stop(f: Forwarder): Promise<number | null> {
  f.child.kill('SIGTERM');
  return f.exited;
}

describe('skiff port-forward', () => {
  it('prints kubectl\'s lines, carries bytes both ways (2 MiB too), and two connections at once; SIGTERM stops it', async () => {
    const f = await portForward(['pod/web', `:${echoPort}`]);
    expect(f.out()).toMatch(new RegExp(`^Forwarding from 127\\.0\\.0\\.1:\\d+ -> ${echoPort}\\n`));
    const [local] = f.ports;
    expect((await roundTrip(local, Buffer.from('hello\n'))).data.toString()).toBe('hello\n');
    const big = randomBytes(2 * 1024 * 1024);
    const [a, b] = await Promise.all([roundTrip(local, big), roundTrip(local, Buffer.from('second'))]);
    expect(a.data.equals(big)).toBe(true);
    expect(b.data.toString()).toBe('second');
    expect(f.out().match(new RegExp(`^Handling connection for ${local}$`, 'gm'))).toHaveLength(3);
    expect(await stop(f)).toBe(0);
    expect(f.err()).toBe('');
  }, 60_000);

  it('a port nobody listens on: the connection is closed and the error says why; the forwarder goes on', async () => {
    const f = await portForward(['web', `:${closedPort}`]);
    const r = await roundTrip(f.ports[0], Buffer.from('x'));
    expect(r).toEqual({ data: Buffer.alloc(0), closed: true });
    await waitUntil('the error line', async () => f.err().includes('connection refused'), 10_000);
    expect(f.err()).toMatch(new RegExp(`^error: an error occurred forwarding ${f.ports[0]} -> ${closedPort}: error forwarding port ${closedPort} to pod [\\w-]+, uid : `
      + `failed to connect to localhost:${closedPort} inside namespace "[\\w-]+", IPv4: dial tcp4 127\\.0\\.0\\.1:${closedPort}: connect: connection refused IPv6 `));
    expect(f.child.exitCode).toBeNull();
    expect(await stop(f)).toBe(0);
  }, 60_000);

  it('deployment/NAME and service/NAME pick a running pod through the selector; a service port maps to its targetPort', async () => {
    const d = await portForward(['deployment/web', `:${echoPort}`]);
    expect((await roundTrip(d.ports[0], Buffer.from('via deployment'))).data.toString()).toBe('via deployment');
    await stop(d);
    const s = await portForward(['svc/web', ':80']);
    expect(s.out()).toMatch(new RegExp(`Forwarding from 127\\.0\\.0\\.1:\\d+ -> ${echoPort}\\n`));
    expect((await roundTrip(s.ports[0], Buffer.from('via service'))).data.toString()).toBe('via service');
    await stop(s);
  }, 60_000);

  it('refusals before listening', async () => {
    const notRunning = await portForward(['pending', '80']);
    expect(await notRunning.exited).toBe(1);
    expect(notRunning.err()).toBe('error: unable to forward port because pod is not running. Current status=Pending\n');
    const missing = await portForward(['nope', '80']);
    expect(await missing.exited).toBe(1);
    expect(missing.err()).toBe('Error from server (NotFound): pods "nope" not found\n');
  }, 60_000);
});

describe('pods/portforward over WebSocket', () => {
  const path = (query: string) => `wss://127.0.0.1:${w.c.cp.port}/api/v1/namespaces/default/pods/web/portforward${query}`;
  const options = () => ({ ca: w.c.cp.caCertPem, headers: { Authorization: `Bearer ${w.c.cp.adminToken}` } });

  it('v4.channel.k8s.io: each channel opens with the port (LE uint16), data on 2i, errors on 2i+1, one port per pair', async () => {
    const ws = new WebSocket(path(`?ports=${echoPort}&ports=${closedPort}`), ['v5.channel.k8s.io', 'v4.channel.k8s.io', 'channel.k8s.io'], options());
    const frames: Buffer[] = [];
    ws.on('message', (d: Buffer) => frames.push(d));
    await new Promise<void>((ok, fail) => {
      ws.once('open', () => ok());
      ws.once('error', fail);
    });
    expect(ws.protocol).toBe('v4.channel.k8s.io');
    await waitUntil('the preambles and the refusal', async () => frames.some((f) => f[0] === 3 && f.length > 3), 10_000);
    const le = (p: number) => [p & 0xff, p >> 8];
    expect(frames.slice(0, 4).map((f) => [...f])).toEqual([[0, ...le(echoPort)], [1, ...le(echoPort)], [2, ...le(closedPort)], [3, ...le(closedPort)]]);
    expect(frames.find((f) => f[0] === 3 && f.length > 3)?.subarray(1).toString()).toMatch(/connect: connection refused/);
    ws.send(Buffer.concat([Buffer.of(0), Buffer.from('ping')]));
    await waitUntil('the echo', async () => Buffer.concat(frames.filter((f) => f[0] === 0).map((f) => f.subarray(1))).toString().endsWith('ping'), 10_000);
    ws.close();
  }, 30_000);

  it('kubectl\'s SPDY and bad ports: a 400 before any upgrade', async () => {
    const refused = (url: string, protocols: string[]) => new Promise<{ status: number; body: string }>((ok, fail) => {
      // The ws client will not offer SPDY's subprotocol itself ('/' is not a token character): kubectl's header, by hand.
      const ws = new WebSocket(url, [], { ...options(), headers: { ...options().headers, 'Sec-WebSocket-Protocol': protocols.join(', ') } });
      ws.on('unexpected-response', (_req, res) => {
        let body = '';
        res.on('data', (d: Buffer) => (body += d.toString()));
        res.on('end', () => ok({ status: res.statusCode ?? 0, body }));
      });
      ws.on('open', () => fail(new Error('upgraded')));
      ws.on('error', () => undefined);
    });
    const spdy = await refused(path(''), ['SPDY/3.1+portforward.k8s.io']);
    expect(spdy.status).toBe(400);
    expect(JSON.parse(spdy.body).message).toMatch(/not SPDY; kubectl port-forward is not supported yet/);
    const none = await refused(path(''), ['v4.channel.k8s.io']);
    expect(JSON.parse(none.body).message).toBe('query parameter "ports" is required');
    const bad = await refused(path('?ports=99999'), ['v4.channel.k8s.io']);
    expect(JSON.parse(bad.body).message).toBe('unable to parse "99999" as a port');
  }, 30_000);
});
