/**
 * Write throughput and latency, in one run, three ways on the same machine:
 *   a. skiff's full write path over HTTPS (a `skiff up` process with its own nats-server, the load
 *      generator in this process): ConfigMap creates, then merge-PATCH updates, at 1/10/100 clients;
 *   b. raw acked JetStream publishes into a stream set up exactly as SKIFF_EVENTS (our AckedPublisher
 *      at windows 100/1000, nats.js js.publish at window 100 for reference);
 *   c. raw etcd puts at 1/10/100 in flight with the etcd3 gRPC client (the client the
 *      machine-limits reference used, so the comparison is like for like).
 * Each system runs alone while it is measured. Prints the figures; asserts nothing.
 *
 *   npx tsx bench/writes.ts [--seconds S] [--objects N]
 *     --seconds  length of each measured phase (default 10)
 *     --objects  how many existing ConfigMaps the update series spreads over (default 1000)
 */
import { execFileSync } from 'node:child_process';
import { closeSync, existsSync, fdatasyncSync, openSync, writeSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { request as httpRequest } from 'node:http';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Etcd3 } from 'etcd3';
import { connect } from 'nats';
import { EventLog } from '../eventlog/jetstream-log';
import { AckedPublisher } from '../eventlog/publisher';
import { freePort } from '../eventlog/nats-server';
import {
  ApiClient, CONFIGMAPS_PATH, closedLoop, cpuMeter, createConfigMap, expectStatus, fmtCpu, fmtMs, fmtRate, fmtRatio, memoryOf,
  percentile, printErrors, printTable, runMain, sleep, spawnControlPlane, spawnOwned, startBenchNats, summarize, tempDir, valueOf,
  type CpuReading, type LoadResult, type Summary,
} from './lib';

const CONCURRENCIES = [1, 10, 100] as const;
/** Debian's etcd-server, the build the machine-limits reference measured. */
const ETCD = '/usr/bin/etcd';

type Options = Readonly<{ seconds: number; objects: number; warmupSeconds: number }>;

type Phase = Readonly<{ label: string; summary: Summary; cpu: CpuReading; note?: string }>;

function options(): Options {
  const { values } = parseArgs({ options: { seconds: { type: 'string' }, objects: { type: 'string' } } });
  const seconds = Number(values.seconds ?? 10);
  const objects = Number(values.objects ?? 1000);
  if (!(seconds > 0 && seconds <= 600)) throw new Error(`--seconds must be in (0, 600], got ${values.seconds}`);
  if (!Number.isInteger(objects) || objects < Math.max(...CONCURRENCIES)) throw new Error(`--objects must be an integer ≥ ${Math.max(...CONCURRENCIES)}, got ${values.objects}`);
  return { seconds, objects, warmupSeconds: Math.min(2, seconds) };
}

/** Runs one measured phase and prints its line as soon as it is done (the run is long; show progress). */
async function phase(label: string, pids: Record<string, number>, run: () => Promise<LoadResult>, note?: () => string): Promise<Phase> {
  const meter = cpuMeter(pids);
  const result = await run();
  const cpu = meter.read();
  const summary = summarize(result);
  const extra = note?.();
  console.log(`  ${label}: ${fmtRate(summary.perSecond)}/s, p50 ${fmtMs(summary.p50)} ms, p99 ${fmtMs(summary.p99)} ms (${summary.ok} ok) — CPU ${fmtCpu(cpu)}${extra ? `; ${extra}` : ''}`);
  printErrors(label, result);
  return { label, summary, cpu, note: extra };
}

// ---------------------------------------------------------------------------------------------
// a. skiff over HTTPS

type SkiffResult = Readonly<{ creates: Map<number, Phase>; updates: Map<number, Phase> }>;

async function benchSkiff(o: Options): Promise<SkiffResult> {
  console.log('\n== a. skiff full write path (HTTPS → command → actor → event → projection → answer) ==');
  const nats = await startBenchNats('writes-skiff-nats');
  const dataDir = tempDir('writes-skiff-cp');
  const cp = spawnControlPlane({ dataDir, natsUrl: nats.url, port: 0 });
  const up = await cp.up;
  console.log(`  skiff up (pid ${cp.pid}) after ${(up.msFromSpawn / 1000).toFixed(2)} s on port ${up.port}; ${up.stateLine}`);
  const client = await ApiClient.fromKubeconfig(join(dataDir, 'kubeconfig'), { maxSockets: Math.max(...CONCURRENCIES) });
  try {
    await waitReady(client);
    const pids = { skiff: cp.pid, nats: nats.pid };
    const rss = (): string => {
      const m = memoryOf(cp.pid);
      return m ? `skiff RSS ${m.rssMb.toFixed(0)} MiB (peak ${m.peakMb.toFixed(0)})` : 'skiff process gone';
    };
    // Update targets come from the creates; every create that succeeded is a ConfigMap that exists.
    const created: string[] = [];
    const create = (prefix: string) => async (seq: number): Promise<void> => {
      const name = `${prefix}-${seq}`;
      await createConfigMap(client, name, seq);
      created.push(name);
    };

    // JIT, TLS sessions, the actor host's and projection's first allocations: not part of the figures.
    await phase('warm-up creates, 10 clients', pids, () => closedLoop({ concurrency: 10, seconds: o.warmupSeconds, op: create('warm') }));
    const creates = new Map<number, Phase>();
    for (const c of CONCURRENCIES) {
      creates.set(c, await phase(`creates, ${c} clients`, pids, () => closedLoop({ concurrency: c, seconds: o.seconds, op: create(`c${c}`) }), rss));
    }

    if (created.length < o.objects) {
      const missing = o.objects - created.length;
      const r = await closedLoop({ concurrency: 100, total: missing, op: create('extra') });
      printErrors('extra creates for the update targets', r);
    }
    const targets = created.slice(0, o.objects);
    // A version counter across all update phases, so no PATCH ever re-sends an object's current
    // value (an unchanged patch would be a cheaper no-op write).
    let version = 1_000_000;
    const update = (c: number) => {
      // Worker w patches targets w, w+c, w+2c, …: with targets a multiple of c, no two clients ever
      // write the same object, as independent clients would not.
      const cursor = new Array<number>(c).fill(0);
      return async (_seq: number, w: number): Promise<void> => {
        const name = targets[(w + c * cursor[w]++) % targets.length];
        const body = JSON.stringify({ data: { payload: valueOf(++version) } });
        expectStatus(await client.request('PATCH', `${CONFIGMAPS_PATH}/${name}`, body, 'application/merge-patch+json'), 200, 'merge patch');
      };
    };
    await phase('warm-up updates, 10 clients', pids, () => closedLoop({ concurrency: 10, seconds: o.warmupSeconds, op: update(10) }));
    const updates = new Map<number, Phase>();
    for (const c of CONCURRENCIES) {
      updates.set(c, await phase(`updates, ${c} clients`, pids, () => closedLoop({ concurrency: c, seconds: o.seconds, op: update(c) }), rss));
    }
    const stopped = await cp.stop('SIGTERM', 60_000);
    console.log(`  skiff stopped by SIGTERM in ${(stopped.ms / 1000).toFixed(2)} s (exit code ${stopped.code}${stopped.forced ? ', had to be killed' : ''})`);
    return { creates, updates };
  } catch (err) {
    process.stderr.write(`skiff output so far:\n${cp.output()}\n`);
    throw err;
  } finally {
    client.close();
    await cp.stop('SIGTERM', 10_000);
    await nats.stop();
  }
}

async function waitReady(client: ApiClient): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const reply = await client.request('GET', '/readyz').catch(() => undefined);
    if (reply?.status === 200) return;
    if (Date.now() > deadline) throw new Error(`GET /readyz did not answer 200 within 30 s (last: ${reply?.status ?? 'no answer'})`);
    await sleep(100);
  }
}

// ---------------------------------------------------------------------------------------------
// b. raw JetStream

async function benchJetStream(o: Options): Promise<Phase[]> {
  console.log('\n== b. raw acked JetStream publishes (stream set up by EventLog.open: SKIFF_EVENTS itself) ==');
  const nats = await startBenchNats('writes-js');
  // EventLog.open creates SKIFF_EVENTS with exactly skiff's settings; reuse it rather than restate them.
  const setup = await EventLog.open({ servers: nats.url, name: 'bench-setup' });
  await setup.close();
  const nc = await connect({ servers: nats.url, name: 'bench-raw-publisher' });
  const publisher = new AckedPublisher(nc);
  const js = nc.jetstream();
  // 210 B, the size of the reference's payloads; 1000 object subjects under skiff.evt.
  const payload = new Uint8Array(210).fill(0x78);
  const subject = (seq: number): string => `skiff.evt._.configmaps.default.bench-${seq % 1000}`;
  const pids = { nats: nats.pid };
  try {
    const phases: Phase[] = [];
    await closedLoop({ concurrency: 100, seconds: o.warmupSeconds, op: async (seq) => void (await publisher.publish(subject(seq), payload)) });
    for (const window of [100, 1000]) {
      phases.push(await phase(`AckedPublisher, window ${window}`, pids, () =>
        closedLoop({ concurrency: window, seconds: o.seconds, op: async (seq) => void (await publisher.publish(subject(seq), payload)) })));
    }
    phases.push(await phase('nats.js js.publish, window 100', pids, () =>
      closedLoop({ concurrency: 100, seconds: o.seconds, op: async (seq) => void (await js.publish(subject(seq), payload)) })));
    return phases;
  } finally {
    publisher.close();
    await nc.close();
    await nats.stop();
  }
}

// ---------------------------------------------------------------------------------------------
// c. raw etcd

async function benchEtcd(o: Options): Promise<Map<number, Phase>> {
  console.log('\n== c. raw etcd puts (etcd3 gRPC client, unique keys, ~200 B values) ==');
  if (!existsSync(ETCD)) throw new Error(`${ETCD} is missing: install Debian's etcd server with \`apt-get install -y etcd-server\``);
  const dir = tempDir('writes-etcd');
  const [client, peer] = [await freePort(), await freePort()];
  const etcd = spawnOwned('etcd', ETCD, [
    '--name', 'bench', '--data-dir', join(dir, 'data'),
    '--listen-client-urls', `http://127.0.0.1:${client}`, '--advertise-client-urls', `http://127.0.0.1:${client}`,
    '--listen-peer-urls', `http://127.0.0.1:${peer}`, '--initial-advertise-peer-urls', `http://127.0.0.1:${peer}`,
    '--initial-cluster', `bench=http://127.0.0.1:${peer}`, '--initial-cluster-state', 'new',
    '--quota-backend-bytes', String(8 * 1024 ** 3), '--logger', 'zap', '--log-outputs', 'stderr', '--log-level', 'warn',
  ]);
  let log = '';
  etcd.child.stderr?.on('data', (c: Buffer) => void (log.length < 64_000 ? (log += c.toString()) : undefined));
  etcd.child.stdout?.resume();
  const kv = new Etcd3({ hosts: `http://127.0.0.1:${client}` });
  try {
    await waitEtcdHealthy(client, etcd.exited, () => log);
    const pids = { etcd: etcd.pid };
    const put = (prefix: string) => async (seq: number): Promise<void> => void (await kv.put(`/registry/configmaps/default/${prefix}-${seq}`).value(valueOf(seq)).exec());
    const rss = (): string => `etcd RSS ${memoryOf(etcd.pid)?.rssMb.toFixed(0) ?? '?'} MiB`;
    await closedLoop({ concurrency: 10, seconds: o.warmupSeconds, op: put('warm') });
    const puts = new Map<number, Phase>();
    for (const c of CONCURRENCIES) puts.set(c, await phase(`puts, ${c} in flight`, pids, () => closedLoop({ concurrency: c, seconds: o.seconds, op: put(`c${c}`) }), rss));
    return puts;
  } finally {
    kv.close();
    await etcd.stop('SIGTERM', 10_000);
  }
}

async function waitEtcdHealthy(port: number, exited: Promise<unknown>, log: () => string): Promise<void> {
  let gone = false;
  void exited.then(() => (gone = true));
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (gone) throw new Error(`etcd exited at start-up:\n${log()}`);
    const body = await new Promise<string>((ok) => {
      const req = httpRequest({ host: '127.0.0.1', port, path: '/health', timeout: 1_000 }, (res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString()));
        res.on('end', () => ok(text));
      });
      req.on('error', () => ok(''));
      req.on('timeout', () => req.destroy());
      req.end();
    });
    if (/"health":\s*"true"/.test(body)) return;
    if (Date.now() > deadline) throw new Error(`etcd was not healthy within 30 s:\n${log()}`);
    await sleep(100);
  }
}

// ---------------------------------------------------------------------------------------------

/**
 * The fsync floor of the disk this run wrote to (4 KiB write + fdatasync, like `dd oflag=dsync`):
 * etcd acks after its WAL fsync, so its figures move with this number and runs on different
 * machines compare only alongside it.
 */
function fsyncProbe(): { p50: number; mean: number } {
  const file = join(tempDir('fsync'), 'probe');
  const fd = openSync(file, 'w');
  const block = Buffer.alloc(4096, 1);
  const times: number[] = [];
  try {
    for (let i = 0; i < 200; i++) {
      const t0 = performance.now();
      writeSync(fd, block, 0, block.length, i * block.length);
      fdatasyncSync(fd);
      times.push(performance.now() - t0);
    }
  } finally {
    closeSync(fd);
  }
  const sorted = Float64Array.from(times).sort();
  return { p50: percentile(sorted, 50), mean: times.reduce((a, b) => a + b, 0) / times.length };
}

function versionOf(binary: string, args: string[]): string {
  try {
    return execFileSync(binary, args, { encoding: 'utf8' }).split('\n')[0].trim();
  } catch {
    return `${binary}: not found`;
  }
}

function report(o: Options, skiff: SkiffResult, jetstream: Phase[], etcd: Map<number, Phase>): void {
  console.log(`\n== Results (${o.seconds} s per phase; writes/s, latency ms) ==\n`);
  printTable(
    ['clients', 'skiff creates/s', 'p50', 'p99', 'skiff updates/s', 'p50', 'p99', 'etcd puts/s', 'p50', 'p99', 'creates ÷ etcd', 'updates ÷ etcd'],
    CONCURRENCIES.map((c) => {
      const cr = (skiff.creates.get(c) as Phase).summary;
      const up = (skiff.updates.get(c) as Phase).summary;
      const et = (etcd.get(c) as Phase).summary;
      return [String(c), fmtRate(cr.perSecond), fmtMs(cr.p50), fmtMs(cr.p99), fmtRate(up.perSecond), fmtMs(up.p50), fmtMs(up.p99),
        fmtRate(et.perSecond), fmtMs(et.p50), fmtMs(et.p99), fmtRatio(cr.perSecond / et.perSecond), fmtRatio(up.perSecond / et.perSecond)];
    }),
  );
  console.log('\nGoal: skiff\'s full write path ≥ raw etcd puts');
  for (const c of CONCURRENCIES) {
    const et = (etcd.get(c) as Phase).summary.perSecond;
    const verdict = (s: number): string => (s >= et ? 'HOLDS' : 'does NOT hold');
    console.log(`  ${String(c).padStart(3)} clients: creates ${verdict((skiff.creates.get(c) as Phase).summary.perSecond)}, updates ${verdict((skiff.updates.get(c) as Phase).summary.perSecond)}`);
  }

  console.log('\nRaw JetStream (one Node process, loopback) and skiff at 100 clients as a fraction of it');
  console.log('(each skiff write is two acked publishes — command and event — plus a consumer delivery, a reply and a projection update):\n');
  const cr100 = (skiff.creates.get(100) as Phase).summary.perSecond;
  const up100 = (skiff.updates.get(100) as Phase).summary.perSecond;
  printTable(
    ['raw JetStream', 'msgs/s', 'p50', 'p99', 'skiff creates@100 ÷ raw', 'skiff updates@100 ÷ raw'],
    jetstream.map((p) => [p.label, fmtRate(p.summary.perSecond), fmtMs(p.summary.p50), fmtMs(p.summary.p99), fmtRatio(cr100 / p.summary.perSecond), fmtRatio(up100 / p.summary.perSecond)]),
  );

  console.log('\nCPU per phase (% of one core; the machine has 2; "other processes" = everything this bench did not start) and memory:\n');
  const all: Phase[] = [
    ...CONCURRENCIES.map((c) => skiff.creates.get(c) as Phase),
    ...CONCURRENCIES.map((c) => skiff.updates.get(c) as Phase),
    ...jetstream,
    ...CONCURRENCIES.map((c) => etcd.get(c) as Phase),
  ];
  const pct = (v: number | undefined): string => (v === undefined ? '' : `${v.toFixed(0)}%`);
  printTable(
    ['phase', 'bench (client)', 'skiff', 'nats-server', 'etcd', 'other processes', 'note'],
    all.map((p) => [prefixOf(p, skiff, jetstream) + p.label, pct(p.cpu.bench), pct(p.cpu.skiff), pct(p.cpu.nats), pct(p.cpu.etcd), pct(p.cpu.other), p.note ?? '']),
  );
}

function prefixOf(p: Phase, skiff: SkiffResult, jetstream: Phase[]): string {
  if ([...skiff.creates.values(), ...skiff.updates.values()].includes(p)) return 'skiff ';
  if (jetstream.includes(p)) return 'JetStream ';
  return 'etcd ';
}

runMain('bench/writes', async () => {
  const o = options();
  console.log(`skiff write benchmark — ${new Date().toISOString()}`);
  console.log(`node ${process.version}; ${versionOf('nats-server', ['--version'])}; ${versionOf(ETCD, ['--version'])}`);
  const disk = fsyncProbe();
  console.log(`disk: 4 KiB write+fdatasync p50 ${fmtMs(disk.p50)} ms, mean ${fmtMs(disk.mean)} ms (machine-limits reference: 0.14–0.19 ms)`);
  console.log(`phases of ${o.seconds} s (warm-ups ${o.warmupSeconds} s); updates spread over ${o.objects} ConfigMaps; values ${valueOf(0).length} B`);
  const skiff = await benchSkiff(o);
  const jetstream = await benchJetStream(o);
  const etcd = await benchEtcd(o);
  report(o, skiff, jetstream, etcd);
});
