/**
 * Helpers shared by the hand-run benchmarks (writes.ts, restart.ts): cleanup of what a bench
 * started, child processes by PID, a keep-alive HTTPS client with the admin token, a bounded
 * closed-loop load generator, CPU/RSS readings from /proc, and table printing.
 *
 * Benchmarks are not tests: nothing here asserts on time; it measures and prints.
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { Agent, request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { startNatsServer, type NatsServer } from '../eventlog/nats-server';
import { readKubeconfig } from '../gateways/api/kubeconfig';

export const REPO_ROOT = resolve(__dirname, '..');
const SKIFF_BIN = join(REPO_ROOT, 'bin', 'skiff');

// ---------------------------------------------------------------------------------------------
// Cleanup: every process and temp dir a bench creates is registered here, so it is removed on a
// normal end, on an error, and on Ctrl-C/SIGTERM. Processes are ended by their own PID only.

type Resource = Readonly<{ label: string; close: () => Promise<void>; closeSync: () => void }>;

const resources: Resource[] = [];
let handlersInstalled = false;
let cleaning: Promise<void> | undefined;

export function register(resource: Resource): () => void {
  installHandlers();
  resources.push(resource);
  return () => {
    const i = resources.indexOf(resource);
    if (i >= 0) resources.splice(i, 1);
  };
}

/** Closes everything still registered, newest first (a data dir outlives the server that uses it). */
export function cleanupAll(): Promise<void> {
  cleaning ??= (async () => {
    while (resources.length > 0) {
      const r = resources.pop() as Resource;
      try {
        await r.close();
      } catch (err) {
        process.stderr.write(`cleanup of ${r.label} failed: ${(err as Error).message}\n`);
        r.closeSync();
      }
    }
  })();
  return cleaning;
}

function installHandlers(): void {
  if (handlersInstalled) return;
  handlersInstalled = true;
  const onSignal = (signal: NodeJS.Signals): void => {
    process.stderr.write(`\n${signal}: stopping the processes this bench started…\n`);
    // A second signal while cleaning falls through to the synchronous 'exit' handler below.
    process.once(signal, () => process.exit(130));
    void cleanupAll().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  // Last resort (process.exit from anywhere, a second Ctrl-C): SIGKILL and rmSync are synchronous.
  process.on('exit', () => {
    while (resources.length > 0) (resources.pop() as Resource).closeSync();
  });
}

/** Runs a bench's main, always cleaning up; exit code 1 on error. */
export function runMain(name: string, fn: () => Promise<void>): void {
  fn()
    .then(() => cleanupAll())
    .then(() => process.exit(0))
    .catch(async (err: unknown) => {
      process.stderr.write(`${name} failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      await cleanupAll();
      process.exit(1);
    });
}

export function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), `skiff-bench-${prefix}-`));
  const rmDir = (): void => rmSync(dir, { recursive: true, force: true });
  register({ label: `temp dir ${dir}`, close: async () => rmDir(), closeSync: rmDir });
  return dir;
}

// ---------------------------------------------------------------------------------------------
// Processes

export type Exit = Readonly<{ code: number | null; signal: NodeJS.Signals | null }>;

export type OwnedProcess = Readonly<{
  label: string;
  pid: number;
  child: ChildProcess;
  exited: Promise<Exit>;
  /** Sends `signal`, waits up to `graceMs` for the exit, then SIGKILL. Resolves with how it ended and how long it took. */
  stop: (signal?: NodeJS.Signals, graceMs?: number) => Promise<Exit & { ms: number; forced: boolean }>;
}>;

/** Spawns a process that this bench owns: it is registered for cleanup until it exits. */
export function spawnOwned(label: string, command: string, args: readonly string[]): OwnedProcess {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  if (child.pid === undefined) throw new Error(`could not spawn ${command}`);
  const pid = child.pid;
  const exited = new Promise<Exit>((ok) => child.once('exit', (code, signal) => ok({ code, signal })));
  const alive = (): boolean => child.exitCode === null && child.signalCode === null;
  const stop = async (signal: NodeJS.Signals = 'SIGTERM', graceMs = 10_000): Promise<Exit & { ms: number; forced: boolean }> => {
    const t0 = performance.now();
    let forced = false;
    if (alive()) {
      killQuietly(pid, signal);
      const timer = setTimeout(() => {
        forced = true;
        if (alive()) killQuietly(pid, 'SIGKILL');
      }, graceMs);
      await exited;
      clearTimeout(timer);
    }
    return { ...(await exited), ms: performance.now() - t0, forced };
  };
  const unregister = register({
    label: `${label} (pid ${pid})`,
    close: async () => void (await stop('SIGTERM', 5_000)),
    closeSync: () => {
      if (alive()) killQuietly(pid, 'SIGKILL');
    },
  });
  void exited.then(unregister);
  return { label, pid, child, exited, stop };
}

/** A bench-owned nats-server (the project's nats.conf, JetStream on loopback) in its own temp dir. */
export async function startBenchNats(prefix: string): Promise<NatsServer & { dataDir: string }> {
  const dataDir = tempDir(prefix);
  const server = await startNatsServer({ dataDir });
  const pid = server.pid;
  let stopped = false;
  const unregister = register({
    label: `nats-server (pid ${pid})`,
    close: () => server.stop(),
    // Only while it is ours and running: a PID is never signalled after we saw the process end.
    closeSync: () => (stopped ? undefined : killQuietly(pid, 'SIGKILL')),
  });
  return {
    ...server,
    dataDir,
    stop: async () => {
      await server.stop();
      stopped = true;
      unregister();
    },
  };
}

function killQuietly(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // already gone
  }
}

export type UpReport = Readonly<{ port: number; stateLine: string; msFromSpawn: number }>;

export type ControlPlaneProcess = OwnedProcess & Readonly<{
  dataDir: string;
  /** performance.now() just before the spawn. */
  spawnedAt: number;
  /** Resolves when `skiff up` printed its "control plane is up" block; rejects if it exited first. */
  up: Promise<UpReport>;
  /** What the process printed so far (stdout and stderr, capped). */
  output: () => string;
}>;

/**
 * `bin/skiff up --data-dir D --port P --nats URL` as a separate process, so the control plane and the
 * bench's load generator compete for the machine's cores as a real client and server would. With
 * `--no-node` (a control plane alone) unless `workerNode` is true: then `skiff up` runs its worker
 * node on this machine too (root, containerd; pass `--containerd-address`, `--node-name` in extraArgs).
 */
export function spawnControlPlane(opts: { dataDir: string; natsUrl: string; port: number; workerNode?: boolean; extraArgs?: readonly string[] }): ControlPlaneProcess {
  // Plain `node bin/skiff` (tsx's loader flags live in the bench's execArgv, which spawn does not pass on):
  // bin/skiff registers tsx itself, so the child starts exactly as it does for a user.
  const spawnedAt = performance.now();
  // SKIFF_BENCH_NODE_FLAGS (e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof") go to the control plane's node, for profiling.
  const nodeFlags = (process.env.SKIFF_BENCH_NODE_FLAGS ?? '').split(' ').filter(Boolean);
  const proc = spawnOwned('skiff up', process.execPath, [...nodeFlags, SKIFF_BIN, 'up', ...(opts.workerNode ? [] : ['--no-node']), '--data-dir', opts.dataDir, '--port', String(opts.port), '--nats', opts.natsUrl, ...(opts.extraArgs ?? [])]);
  let text = '';
  const append = (chunk: Buffer): void => {
    if (text.length < 256_000) text += chunk.toString('utf8');
  };
  proc.child.stderr?.on('data', append);
  const up = new Promise<UpReport>((ok, fail) => {
    proc.child.stdout?.on('data', (chunk: Buffer) => {
      append(chunk);
      const port = /control plane is up: https:\/\/127\.0\.0\.1:(\d+)/.exec(text);
      const state = /^\s*(state: .*)$/m.exec(text);
      if (port && state) ok({ port: Number(port[1]), stateLine: state[1], msFromSpawn: performance.now() - spawnedAt });
    });
    void proc.exited.then((e) => fail(new Error(`skiff up exited (code ${e.code}, signal ${e.signal}) before it was up:\n${text.trim()}`)));
  });
  up.catch(() => undefined); // the caller awaits it; this only keeps an early exit from being "unhandled"
  return { ...proc, dataDir: opts.dataDir, spawnedAt, up, output: () => text };
}

// ---------------------------------------------------------------------------------------------
// CPU and memory of processes, from /proc (Linux)

const CLK_TCK = ((): number => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/**
 * User + system CPU milliseconds of a process so far, or undefined if it is gone. With `children`,
 * plus that of its children it has waited for (cutime/cstime: short-lived `ctr`, `ip`, runc…).
 */
export function cpuMsOf(pid: number | 'self', opts: { children?: boolean } = {}): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses: count fields after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]) + (opts.children ? Number(fields[13]) + Number(fields[14]) : 0);
    return (ticks * 1000) / CLK_TCK;
  } catch {
    return undefined;
  }
}

/** Resident and peak-resident memory of a process in MiB. */
export function memoryOf(pid: number): { rssMb: number; peakMb: number } | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (key: string): number => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
    return { rssMb: kb('VmRSS') / 1024, peakMb: kb('VmHWM') / 1024 };
  } catch {
    return undefined;
  }
}

/** CPU milliseconds the whole machine spent busy (all cores; steal excluded), from /proc/stat. */
function machineBusyMs(): number {
  try {
    const [user, nice, system, , , irq, softirq] = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
    return ((user + nice + system + irq + softirq) * 1000) / CLK_TCK;
  } catch {
    return NaN;
  }
}

export type CpuReading = Readonly<Record<string, number>>;

export type CpuMeterOptions = Readonly<{
  /** Count the children each process (the bench too) has waited for: the `ctr`, `ip`… it runs. */
  children?: boolean;
  /** More named sources: each answers the CPU ms it used since the meter started (e.g. processes that come and go). */
  extra?: Readonly<Record<string, () => number>>;
}>;

/**
 * CPU used over a span of wall time, as % of one core, for this process ("bench"), named PIDs, and
 * "other": everything else on the machine. Other work (a CI run, a second session) competes for the
 * same 2 cores and skews every figure, so a bench shows it rather than leave it unseen.
 * Start it, run the phase, call `read()`.
 */
export function cpuMeter(pids: Readonly<Record<string, number>>, opts: CpuMeterOptions = {}): { read: () => CpuReading } {
  const t0 = performance.now();
  const self0 = process.cpuUsage();
  const selfChildren = () => (opts.children ? (cpuMsOf('self', { children: true }) ?? 0) - (cpuMsOf('self') ?? 0) : 0);
  const selfChildren0 = selfChildren();
  const busy0 = machineBusyMs();
  const cpuOf = (pid: number) => cpuMsOf(pid, { children: opts.children });
  const start = Object.fromEntries(Object.entries(pids).map(([name, pid]) => [name, cpuOf(pid) ?? 0]));
  return {
    read: () => {
      const wall = performance.now() - t0;
      const self = process.cpuUsage(self0);
      const out: Record<string, number> = { bench: (((self.user + self.system) / 1000 + selfChildren() - selfChildren0) / wall) * 100 };
      for (const [name, pid] of Object.entries(pids)) out[name] = (((cpuOf(pid) ?? start[name]) - start[name]) / wall) * 100;
      for (const [name, usedMs] of Object.entries(opts.extra ?? {})) out[name] = (usedMs() / wall) * 100;
      const ours = Object.values(out).reduce((a, b) => a + b, 0);
      out.other = Math.max(0, ((machineBusyMs() - busy0) / wall) * 100 - ours);
      return out;
    },
  };
}

// ---------------------------------------------------------------------------------------------
// HTTPS client for the skiff API (the admin token and CA from the kubeconfig `skiff up` wrote)

export type Reply = Readonly<{ status: number; body: string }>;

export class ApiClient {
  private readonly agent: Agent;
  private readonly watchAgent: Agent;

  private constructor(private readonly host: string, private readonly port: number, ca: string | undefined, private readonly token: string, maxSockets: number) {
    // keepAlive: each simulated client reuses its connection, as client-go does; no TLS handshake per request.
    // maxCachedSessions 0: no TLS session resumption, as client-go (no ClientSessionCache) — and because
    // skiff answers 500 on a resumed session without a client certificate (see bench/README.md).
    this.agent = new Agent({ ca, keepAlive: true, maxSockets, maxFreeSockets: maxSockets, maxCachedSessions: 0 });
    this.watchAgent = new Agent({ ca, maxCachedSessions: 0 });
  }

  static async fromKubeconfig(file: string, opts: { maxSockets: number; port?: number }): Promise<ApiClient> {
    const kc = await readKubeconfig(file);
    if (!kc.token) throw new Error(`${file} has no bearer token`);
    const url = new URL(kc.server);
    return new ApiClient(url.hostname, opts.port ?? Number(url.port), kc.caCertPem, kc.token, opts.maxSockets);
  }

  request(method: string, path: string, body?: string, contentType = 'application/json', timeoutMs = 60_000): Promise<Reply> {
    return new Promise<Reply>((ok, fail) => {
      const req = httpsRequest(
        {
          host: this.host, port: this.port, method, path, agent: this.agent,
          headers: {
            Authorization: `Bearer ${this.token}`,
            Accept: 'application/json',
            ...(body !== undefined ? { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(body) } : {}),
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => ok({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
          res.on('error', fail);
        },
      );
      req.setTimeout(timeoutMs, () => req.destroy(new Error(`${method} ${path}: no answer within ${timeoutMs} ms`)));
      req.on('error', fail);
      if (body !== undefined) req.write(body);
      req.end();
    });
  }

  /**
   * A watch (`…?watch=1&resourceVersion=…`): `onEvent` gets each JSON line as it arrives, parsed.
   * It holds a connection of its own (not one of the keep-alive agent's). `ended` resolves when the
   * server ends the stream and rejects on an error or a non-200 answer; `close()` ends it quietly.
   */
  watch(path: string, onEvent: (event: WatchEvent) => void): { ended: Promise<void>; close: () => void } {
    let closed = false;
    let req: ReturnType<typeof httpsRequest> | undefined;
    const ended = new Promise<void>((ok, fail) => {
      req = httpsRequest(
        {
          host: this.host, port: this.port, method: 'GET', path, agent: this.watchAgent,
          headers: { Authorization: `Bearer ${this.token}`, Accept: 'application/json' },
        },
        (res) => {
          if (res.statusCode !== 200) {
            let body = '';
            res.on('data', (c: Buffer) => (body += c.toString('utf8')));
            res.on('end', () => fail(new Error(`watch ${path}: HTTP ${res.statusCode} ${body.slice(0, 200)}`)));
            return;
          }
          let buffer = '';
          res.on('data', (c: Buffer) => {
            buffer += c.toString('utf8');
            let nl: number;
            while ((nl = buffer.indexOf('\n')) >= 0) {
              const line = buffer.slice(0, nl).trim();
              buffer = buffer.slice(nl + 1);
              if (line) onEvent(JSON.parse(line) as WatchEvent);
            }
          });
          res.on('end', () => ok());
          res.on('error', (err) => (closed ? ok() : fail(err)));
        },
      );
      req.on('error', (err) => (closed ? ok() : fail(err)));
      req.end();
    });
    ended.catch(() => undefined); // the caller may only close it; an error after close() is not one
    return {
      ended,
      close: () => {
        closed = true;
        req?.destroy();
      },
    };
  }

  close(): void {
    this.agent.destroy();
    this.watchAgent.destroy();
  }
}

/** What a bench reads of a watched object (an ERROR event's object is a Status: its message says why). */
export type WatchedObject = Readonly<{
  metadata?: Readonly<{ name?: string; uid?: string; resourceVersion?: string }>;
  spec?: Readonly<{ nodeName?: string }>;
  status?: Readonly<{ phase?: string; reason?: string; containerStatuses?: readonly Readonly<{ name?: string; state?: Readonly<Record<string, unknown>> }>[] }>;
  message?: string;
}>;

export type WatchEvent = Readonly<{ type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR'; object: WatchedObject }>;

/** A failed request, keyed for the error tally by status and reason rather than by object name. */
export class RequestFailed extends Error {
  constructor(readonly key: string) {
    super(key);
  }
}

/** Throws RequestFailed unless the reply has the expected status. */
export function expectStatus(reply: Reply, expected: number, what: string): void {
  if (reply.status === expected) return;
  let reason = '';
  try {
    const status = JSON.parse(reply.body) as { reason?: string; message?: string };
    reason = `${status.reason ?? ''}: ${(status.message ?? '').replace(/"[^"]*"/g, '"…"').slice(0, 120)}`;
  } catch {
    reason = reply.body.slice(0, 120);
  }
  throw new RequestFailed(`${what} → HTTP ${reply.status} ${reason}`);
}

// ---------------------------------------------------------------------------------------------
// Object bodies: ~200 B of ConfigMap data, the write size the issue's figures are about

export const VALUE_BYTES = 200;

/** A `VALUE_BYTES`-long printable value that differs per `seq`, so every update is a real change. */
export function valueOf(seq: number): string {
  const head = `v${seq}-`;
  return head + 'x'.repeat(Math.max(0, VALUE_BYTES - head.length));
}

export const CONFIGMAPS_PATH = '/api/v1/namespaces/default/configmaps';

export function configMapBody(name: string, seq: number): string {
  return JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: { payload: valueOf(seq) } });
}

export async function createConfigMap(client: ApiClient, name: string, seq: number): Promise<void> {
  expectStatus(await client.request('POST', CONFIGMAPS_PATH, configMapBody(name, seq)), 201, 'create');
}

// ---------------------------------------------------------------------------------------------
// Closed-loop load: `concurrency` workers, each a loop of sequential operations, bounded by time
// and/or count. With one request per worker in flight, concurrency = requests in flight.

export type LoadResult = Readonly<{
  ok: number;
  errors: number;
  /** error key → count */
  errorKinds: ReadonlyMap<string, number>;
  /** latencies of the successful operations, ms, sorted ascending */
  latenciesMs: Float64Array;
  wallMs: number;
}>;

export type LoadOptions = Readonly<{
  concurrency: number;
  /** Stop starting operations after this long (seconds). */
  seconds?: number;
  /** Stop after this many operations have been started. */
  total?: number;
  /** One operation; `seq` is unique across workers. Throws on failure. */
  op: (seq: number, worker: number) => Promise<void>;
}>;

export async function closedLoop(opts: LoadOptions): Promise<LoadResult> {
  if (opts.seconds === undefined && opts.total === undefined) throw new Error('closedLoop needs seconds or total: a bench loop must be bounded');
  const latencies: number[] = [];
  const errorKinds = new Map<string, number>();
  let next = 0;
  let errors = 0;
  const t0 = performance.now();
  const deadline = opts.seconds === undefined ? Infinity : t0 + opts.seconds * 1000;
  const worker = async (w: number): Promise<void> => {
    for (;;) {
      if (performance.now() >= deadline) return;
      const seq = next++;
      if (opts.total !== undefined && seq >= opts.total) return;
      const start = performance.now();
      try {
        await opts.op(seq, w);
        latencies.push(performance.now() - start);
      } catch (err) {
        errors++;
        const key = err instanceof RequestFailed ? err.key : (err as Error).message.slice(0, 160);
        errorKinds.set(key, (errorKinds.get(key) ?? 0) + 1);
      }
    }
  };
  await Promise.all(Array.from({ length: opts.concurrency }, (_, w) => worker(w)));
  const wallMs = performance.now() - t0;
  return { ok: latencies.length, errors, errorKinds, latenciesMs: Float64Array.from(latencies).sort(), wallMs };
}

export type Summary = Readonly<{ perSecond: number; p50: number; p99: number; ok: number; errors: number }>;

export function summarize(r: LoadResult): Summary {
  return { perSecond: (r.ok / r.wallMs) * 1000, p50: percentile(r.latenciesMs, 50), p99: percentile(r.latenciesMs, 99), ok: r.ok, errors: r.errors };
}

/** Nearest-rank percentile of an ascending array. */
export function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

/** Prints the error tally of a phase, if any (errors are results too: they go into the report). */
export function printErrors(label: string, r: LoadResult): void {
  if (r.errors === 0) return;
  console.log(`  !! ${label}: ${r.errors} failed operations`);
  for (const [key, n] of [...r.errorKinds].sort((a, b) => b[1] - a[1]).slice(0, 8)) console.log(`     ${n} × ${key}`);
}

// ---------------------------------------------------------------------------------------------
// Formatting

export function fmtRate(n: number): string {
  return Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : '–';
}

export function fmtMs(n: number): string {
  if (!Number.isFinite(n)) return '–';
  return n >= 100 ? n.toFixed(0) : n >= 10 ? n.toFixed(1) : n.toFixed(2);
}

export function fmtRatio(n: number): string {
  return Number.isFinite(n) ? `${n.toFixed(2)}×` : '–';
}

export function fmtCpu(r: CpuReading): string {
  return Object.entries(r)
    .map(([name, pct]) => `${name} ${pct.toFixed(0)}%`)
    .join(', ');
}

/** A Markdown table, columns padded so it also reads well in a terminal. */
export function printTable(headers: readonly string[], rows: readonly (readonly string[])[]): void {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string => `| ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join(' | ')} |`;
  console.log(line(headers));
  console.log(`|${widths.map((w, i) => (i === 0 ? ` ${'-'.repeat(w)} ` : ` ${'-'.repeat(w - 1)}: `)).join('|')}|`);
  for (const r of rows) console.log(line(r));
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
