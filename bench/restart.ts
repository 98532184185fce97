/**
 * Restart time of a control plane holding N ConfigMaps: seconds from spawning `skiff up` to the first
 * served read, after a kill -9 (state = newest periodic snapshot, if any, + replay of the tail) and
 * after a clean SIGTERM stop (which writes a snapshot). Goal of the core issue: ≤ 2 s at 10,000.
 *
 *   npx tsx bench/restart.ts [--objects 10000,100000]
 *
 * Per N, one fill serves both measurements: fill → kill -9 → start (ii) → SIGTERM → start (i).
 * Killing first is what makes (ii) a crash restart: the fill's own process never stopped cleanly, so
 * only snapshots it took while running exist. Prints the figures; asserts nothing.
 */
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { connect, type NatsConnection } from 'nats';
import { freePort } from '../eventlog/nats-server';
import { STREAMS } from '../eventlog/jetstream-log';
import { SNAPSHOT_BUCKET } from '../eventlog/snapshots';
import { OBJECTS_SNAPSHOT } from '../projections/projection-host';
import {
  ApiClient, CONFIGMAPS_PATH, closedLoop, cpuMeter, createConfigMap, fmtCpu, fmtMs, fmtRate, memoryOf, printErrors, printTable, runMain, sleep,
  spawnControlPlane, startBenchNats, summarize, tempDir, type ControlPlaneProcess,
} from './lib';

const FILL_IN_FLIGHT = 200;
/** Upper bound on one start (a bench loop must end by itself even if skiff never serves). */
const START_LIMIT_MS = 600_000;
const GOAL = { objects: 10_000, seconds: 2 } as const;

type StartMeasure = Readonly<{
  label: string;
  firstReadS: number;
  upLineS: number;
  stateLine: string;
  rssMb: number | undefined;
  listed: number;
}>;

type Round = Readonly<{
  objects: number;
  /** spawn → "up" of the very first start, on an empty log: the fixed cost of a start (node, tsx, PKI, NATS). */
  emptyStartS: number;
  fillPerSecond: number;
  fillErrors: number;
  fillRssMb: number | undefined;
  killed: StartMeasure;
  clean: StartMeasure;
  /** The SIGTERM stop between the two starts, and the one at the end. */
  stop: StopMeasure;
  finalStop: StopMeasure;
}>;

type StopMeasure = Readonly<{ seconds: number; forced: boolean }>;

const STOP_GRACE_MS = 120_000;

/** SIGTERM, as Ctrl-C or a service manager would; `skiff up` should write a snapshot and exit. */
async function sigterm(label: string, cp: ControlPlaneProcess, nc: NatsConnection): Promise<StopMeasure> {
  const stopped = await cp.stop('SIGTERM', STOP_GRACE_MS);
  const how = stopped.forced ? `did NOT exit; killed after ${STOP_GRACE_MS / 1000} s` : `exit code ${stopped.code}`;
  console.log(`  ${label}: SIGTERM → exit in ${(stopped.ms / 1000).toFixed(2)} s (${how}); log: ${await describeLog(nc)}`);
  if (stopped.forced) {
    // What it printed shows how far its stop got ("stopping (terminated)…" is printed before the snapshot).
    const tail = cp.output().trim().split('\n').slice(-6).map((l) => `      | ${l}`).join('\n');
    console.log(`    last output of the process:\n${tail}`);
  }
  return { seconds: stopped.ms / 1000, forced: stopped.forced };
}

function objectCounts(): number[] {
  const { values } = parseArgs({ options: { objects: { type: 'string' } } });
  const counts = (values.objects ?? '10000,100000').split(',').map((s) => Number(s.trim()));
  for (const n of counts) if (!Number.isInteger(n) || n < 1 || n > 2_000_000) throw new Error(`--objects wants a comma-separated list of counts (1–2,000,000), got "${values.objects}"`);
  return counts;
}

/** Spawns `skiff up` and polls a one-item list until it returns the object: what a client waits for. */
async function startAndTime(label: string, dataDir: string, nats: { url: string; pid: number }, port: number): Promise<{ cp: ControlPlaneProcess; measure: StartMeasure }> {
  const cp = spawnControlPlane({ dataDir, natsUrl: nats.url, port });
  const meter = cpuMeter({ skiff: cp.pid, nats: nats.pid });
  let firstReadMs: number | undefined;
  // The kubeconfig of the first start carries the CA and the admin token; both persist in the data dir.
  const client = await ApiClient.fromKubeconfig(join(dataDir, 'kubeconfig'), { maxSockets: 4, port });
  try {
    let exited = false;
    void cp.exited.then(() => (exited = true));
    while (firstReadMs === undefined) {
      const elapsed = performance.now() - cp.spawnedAt;
      if (exited) throw new Error(`${label}: skiff up exited before serving:\n${cp.output()}`);
      if (elapsed > START_LIMIT_MS) throw new Error(`${label}: no served read within ${START_LIMIT_MS / 1000} s:\n${cp.output()}`);
      const reply = await client.request('GET', `${CONFIGMAPS_PATH}?limit=1`, undefined, undefined, 5_000).catch(() => undefined);
      if (reply?.status === 200 && (JSON.parse(reply.body) as { items?: unknown[] }).items?.length === 1) firstReadMs = performance.now() - cp.spawnedAt;
      // Refused until the API listens; a short pause keeps the poller from taking the CPU that start-up needs.
      else await sleep(reply ? 10 : 20);
    }
    const cpu = meter.read();
    const up = await cp.up;
    const listed = await countConfigMaps(client);
    const measure: StartMeasure = { label, firstReadS: firstReadMs / 1000, upLineS: up.msFromSpawn / 1000, stateLine: up.stateLine, rssMb: memoryOf(cp.pid)?.rssMb, listed };
    console.log(`  ${label}: first served read ${measure.firstReadS.toFixed(2)} s after spawn ("up" printed at ${measure.upLineS.toFixed(2)} s); RSS ${measure.rssMb?.toFixed(0) ?? '?'} MiB; lists ${listed} ConfigMaps; CPU until then: ${fmtCpu(cpu)}`);
    console.log(`    ${up.stateLine}`);
    return { cp, measure };
  } catch (err) {
    await cp.stop('SIGKILL');
    throw err;
  } finally {
    client.close();
  }
}

/** An untimed full list, to show that nothing was lost across the restart. */
async function countConfigMaps(client: ApiClient): Promise<number> {
  const reply = await client.request('GET', CONFIGMAPS_PATH, undefined, undefined, 120_000);
  if (reply.status !== 200) throw new Error(`full list: HTTP ${reply.status} ${reply.body.slice(0, 200)}`);
  return ((JSON.parse(reply.body) as { items?: unknown[] }).items ?? []).length;
}

/** Size of the log and of the newest snapshot, read from the bench's own connection. */
async function describeLog(nc: NatsConnection): Promise<string> {
  const jsm = await nc.jetstreamManager();
  const parts: string[] = [];
  for (const name of [STREAMS.events, STREAMS.commands]) {
    const s = (await jsm.streams.info(name)).state;
    parts.push(`${name} ${s.messages.toLocaleString('en-US')} msgs / ${(s.bytes / 2 ** 20).toFixed(1)} MiB`);
  }
  const os = await nc.jetstream().views.os(SNAPSHOT_BUCKET);
  const snap = await os.info(OBJECTS_SNAPSHOT);
  parts.push(snap ? `snapshot ${(snap.size / 2 ** 20).toFixed(1)} MiB (${snap.description ?? ''})` : 'no snapshot');
  return parts.join('; ');
}

async function round(objects: number): Promise<Round> {
  console.log(`\n== ${objects.toLocaleString('en-US')} ConfigMaps ==`);
  const nats = await startBenchNats(`restart-${objects}-nats`);
  const dataDir = tempDir(`restart-${objects}-cp`);
  const port = await freePort();
  const nc = await connect({ servers: nats.url, name: 'bench-restart-observer' });
  try {
    // Fill.
    const first = spawnControlPlane({ dataDir, natsUrl: nats.url, port });
    const up = await first.up;
    console.log(`  first start: up after ${(up.msFromSpawn / 1000).toFixed(2)} s; ${up.stateLine}`);
    const client = await ApiClient.fromKubeconfig(join(dataDir, 'kubeconfig'), { maxSockets: FILL_IN_FLIGHT });
    const fillMeter = cpuMeter({ skiff: first.pid, nats: nats.pid });
    const fill = await closedLoop({ concurrency: FILL_IN_FLIGHT, total: objects, op: (seq) => createConfigMap(client, `obj-${seq}`, seq) });
    client.close();
    const f = summarize(fill);
    const fillRssMb = memoryOf(first.pid)?.rssMb;
    console.log(`  fill: ${f.ok.toLocaleString('en-US')} creates in ${(fill.wallMs / 1000).toFixed(1)} s = ${fmtRate(f.perSecond)}/s at ${FILL_IN_FLIGHT} in flight (p50 ${fmtMs(f.p50)} ms, p99 ${fmtMs(f.p99)} ms); skiff RSS ${fillRssMb?.toFixed(0) ?? '?'} MiB; CPU ${fmtCpu(fillMeter.read())}`);
    printErrors('fill', fill);
    console.log(`  log: ${await describeLog(nc)}`);

    // (ii) crash: the filling process never stops cleanly.
    await first.stop('SIGKILL');
    const afterKill = await startAndTime('(ii) after kill -9', dataDir, nats, port);

    // (i) clean: SIGTERM makes `skiff up` write a snapshot before it exits.
    const stop = await sigterm('stop after (ii)', afterKill.cp, nc);
    const afterClean = await startAndTime('(i) after clean stop', dataDir, nats, port);
    const finalStop = await sigterm('final stop', afterClean.cp, nc);
    return { objects, emptyStartS: up.msFromSpawn / 1000, fillPerSecond: f.perSecond, fillErrors: fill.errors, fillRssMb, killed: afterKill.measure, clean: afterClean.measure, stop, finalStop };
  } finally {
    await nc.close();
    await nats.stop();
  }
}

function report(rounds: readonly Round[]): void {
  console.log('\n== Results: seconds from spawning `skiff up` to the first served read ==\n');
  printTable(
    ['objects', 'fill/s', 'RSS after fill', 'empty-log start', 'after clean stop', 'after kill -9', 'SIGTERM stops', 'state line after clean stop', 'state line after kill -9'],
    rounds.map((r) => [r.objects.toLocaleString('en-US'), fmtRate(r.fillPerSecond), `${r.fillRssMb?.toFixed(0) ?? '?'} MiB`, `${r.emptyStartS.toFixed(2)} s`,
      // A forced stop wrote no snapshot: the "clean" start then measured a crash restart, and says so.
      `${r.clean.firstReadS.toFixed(2)} s${r.stop.forced ? ' (stop was NOT clean)' : ''}`, `${r.killed.firstReadS.toFixed(2)} s`,
      [r.stop, r.finalStop].map((m) => `${m.seconds.toFixed(2)} s${m.forced ? ' KILLED' : ''}`).join(', '), r.clean.stateLine, r.killed.stateLine]),
  );
  const at = rounds.find((r) => r.objects === GOAL.objects);
  if (at) {
    const verdict = (s: number): string => (s <= GOAL.seconds ? 'HOLDS' : 'does NOT hold');
    console.log(`\nGoal: ≤ ${GOAL.seconds} s at ${GOAL.objects.toLocaleString('en-US')}: after clean stop ${verdict(at.clean.firstReadS)} (${at.clean.firstReadS.toFixed(2)} s), after kill -9 ${verdict(at.killed.firstReadS)} (${at.killed.firstReadS.toFixed(2)} s)`);
  }
  for (const r of rounds) {
    for (const m of [r.killed, r.clean]) {
      // Failed creates may still have been applied (a timeout means "outcome unknown"): flag any difference.
      if (m.listed !== r.objects - r.fillErrors) console.log(`!! ${r.objects}: ${m.label} lists ${m.listed} ConfigMaps, ${r.objects - r.fillErrors} creates succeeded`);
    }
  }
}

runMain('bench/restart', async () => {
  const counts = objectCounts();
  console.log(`skiff restart benchmark — ${new Date().toISOString()}; node ${process.version}; objects ${counts.join(', ')}`);
  const rounds: Round[] = [];
  for (const n of counts) rounds.push(await round(n));
  report(rounds);
});
