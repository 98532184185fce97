import { request as httpsRequest, Agent } from 'node:https';
import { startControlPlane, type ControlPlane, type ControlPlaneOptions } from '../../gateways/control-plane';
import { startTestNats } from './nats';

export type Reply = Readonly<{ status: number; body: any; headers: Record<string, string | string[] | undefined> }>;

export type TestCluster = Readonly<{
  cp: ControlPlane;
  nats: Awaited<ReturnType<typeof startTestNats>>;
  /** One HTTPS request with the admin token (or `token`), JSON in and out. */
  call: (method: string, path: string, body?: unknown, opts?: { token?: string | null; contentType?: string; accept?: string }) => Promise<Reply>;
  /** Opens a watch and collects its lines until `until` says stop. */
  watch: (path: string, until: (events: any[]) => boolean, opts?: { timeoutMs?: number; accept?: string }) => Promise<any[]>;
  /**
   * Stops the control plane (snapshot written), waits `pauseMs`, and starts a new one on the same
   * store, port and credentials: `cp` is the new one from then on, and `stop` stops it.
   */
  restart: (opts?: { pauseMs?: number }) => Promise<void>;
  stop: () => Promise<void>;
}>;

/** A real control plane on a real nats-server, on free loopback ports, in a temp data dir. */
export async function startTestCluster(options: Partial<ControlPlaneOptions> = {}): Promise<TestCluster> {
  const nats = await startTestNats();
  const config: ControlPlaneOptions = { dataDir: nats.dataDir, natsUrl: nats.url, port: 0, bookmarkIntervalMs: 200, ...options };
  let cp = await startControlPlane(config);
  const agent = new Agent({ ca: cp.caCertPem, keepAlive: true, maxSockets: 64 });
  const call: TestCluster['call'] = (method, path, body, opts = {}) =>
    new Promise((ok, fail) => {
      const text = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
      const token = opts.token === undefined ? cp.adminToken : opts.token;
      const req = httpsRequest(
        {
          host: '127.0.0.1', port: cp.port, method, path, agent,
          headers: {
            ...(token ? { Authorization: `Bearer ${token}` } : {}),
            ...(text !== undefined ? { 'Content-Type': opts.contentType ?? 'application/json', 'Content-Length': Buffer.byteLength(text) } : {}),
            Accept: opts.accept ?? 'application/json',
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const raw = Buffer.concat(chunks).toString('utf8');
            let parsed: unknown = raw;
            try {
              parsed = raw ? JSON.parse(raw) : undefined;
            } catch {
              // not JSON: keep the text
            }
            ok({ status: res.statusCode ?? 0, body: parsed, headers: res.headers });
          });
        },
      );
      req.on('error', fail);
      if (text !== undefined) req.write(text);
      req.end();
    });
  const watch: TestCluster['watch'] = (path, until, opts = {}) =>
    new Promise((ok, fail) => {
      const events: any[] = [];
      let buffer = '';
      const req = httpsRequest(
        { host: '127.0.0.1', port: cp.port, method: 'GET', path, agent: new Agent({ ca: cp.caCertPem }), headers: { Authorization: `Bearer ${cp.adminToken}`, Accept: opts.accept ?? 'application/json' } },
        (res) => {
          res.on('data', (c: Buffer) => {
            buffer += c.toString('utf8');
            let nl: number;
            while ((nl = buffer.indexOf('\n')) >= 0) {
              events.push(JSON.parse(buffer.slice(0, nl)));
              buffer = buffer.slice(nl + 1);
            }
            if (until(events)) {
              clearTimeout(timer);
              req.destroy();
              ok(events);
            }
          });
          res.on('end', () => {
            clearTimeout(timer);
            ok(events);
          });
        },
      );
      const timer = setTimeout(() => {
        req.destroy();
        fail(new Error(`watch ${path} timed out with ${events.length} events: ${JSON.stringify(events.map((e) => e.type))}`));
      }, opts.timeoutMs ?? 10_000);
      req.on('error', (err) => (events.length && until(events) ? undefined : fail(err)));
      req.end();
    });
  return {
    get cp() {
      return cp;
    },
    nats, call, watch,
    restart: async ({ pauseMs = 0 } = {}) => {
      await cp.stop({ snapshot: true });
      await new Promise((r) => setTimeout(r, pauseMs));
      cp = await startControlPlane({ ...config, port: cp.port });
    },
    stop: async () => {
      agent.destroy();
      await cp.stop({ snapshot: false });
      await nats.cleanup();
    },
  };
}

/** Polls a GET until `done` holds for its body (the cluster converging); the error shows the last body. */
export async function until(c: TestCluster, path: string, done: (body: any) => boolean, timeoutMs = 60_000): Promise<any> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const r = await c.call('GET', path);
    if (r.status === 200 && done(r.body)) return r.body;
    if (Date.now() > deadline) throw new Error(`timed out waiting on ${path}: ${JSON.stringify(r.body?.status ?? r.body).slice(0, 800)}`);
    await new Promise((res) => setTimeout(res, 200));
  }
}

/** Deletes every pod of `default` (with its grace period, so nodes tear them down) and waits until none is left. */
export async function deleteAllPods(c: TestCluster, timeoutMs = 60_000): Promise<void> {
  await c.call('DELETE', '/api/v1/namespaces/default/pods');
  await until(c, '/api/v1/namespaces/default/pods', (l) => l.items.length === 0, timeoutMs);
}
