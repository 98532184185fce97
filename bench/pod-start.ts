/**
 * Pod start on a real worker node: seconds from a Pod's POST to its status.phase Running as a watch
 * sees it (image cached), 50 pods one after another and 20 at once, against raw `ctr run -d` of the
 * same image in the same run. Goal of the real-worker-node issue: pod p99 ≤ 1 s and ≤ 1.5× raw.
 *
 *   npx tsx bench/pod-start.ts [--sequential 50] [--parallel 20] [--pause-ms 200] [--timeout-s 60] [--verbose]
 *
 * Needs root, containerd, runc, iproute2 and /bin/busybox. Starts its own containerd (temp dir, own
 * socket; test/harness/containerd.ts), builds a busybox image on the spot and imports it into the
 * node's containerd namespace (`skiff`) and into a second one for the raw series; its own nats-server;
 * and `skiff up --node-name bench-node --containerd-address <ours>` as its own process, so the
 * control plane, its worker node and the bench (the client) compete for the cores as they would.
 * Pods leave spec.nodeName unset: the time includes scheduling, as a user's pod's would.
 * Removes every pod, container, netns, process and dir it made, also on errors and Ctrl-C, and
 * checks that the end state is clean. Prints the figures; asserts nothing about time.
 */
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { rmdir } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { freePort } from '../eventlog/nats-server';
import { createCtr, DEFAULT_CONTAINERD_NAMESPACE, type Ctr } from '../runtime/containerd/ctr';
import { parseIdLines, parseTaskList } from '../runtime/containerd/ctr-output';
import { isShimOf, shimPids } from '../runtime/containerd/daemon';
import { importArchive } from '../runtime/containerd/images';
import { parseNetnsList, removeSandbox, sandboxName } from '../runtime/containerd/sandbox';
import { buildBusyboxImage } from '../test/harness/busybox-image';
import { netnsDirGuard, RUNC_STATE_DIR, startTestContainerd } from '../test/harness/containerd';
import {
  ApiClient, cpuMeter, cpuMsOf, expectStatus, fmtCpu, fmtRatio, percentile, printTable, register, runMain, sleep, spawnControlPlane, startBenchNats, tempDir,
  type CpuReading, type WatchEvent,
} from './lib';

/** As containerd stores it; pods name it as a user would (`skiff/bench-busybox:1`, normalized by the node). */
const IMAGE = 'docker.io/skiff/bench-busybox:1';
const POD_IMAGE = 'skiff/bench-busybox:1';
const NODE = 'bench-node';
const PODS = '/api/v1/namespaces/default/pods';
const LABEL = 'bench=pod-start';

function options() {
  const { values } = parseArgs({
    options: { sequential: { type: 'string' }, parallel: { type: 'string' }, 'pause-ms': { type: 'string' }, 'timeout-s': { type: 'string' }, verbose: { type: 'boolean' } },
  });
  const num = (v: string | undefined, d: number, min: number): number => {
    const n = v === undefined ? d : Number(v);
    if (!Number.isInteger(n) || n < min) throw new Error(`expected a whole number ≥ ${min}, got "${v}"`);
    return n;
  };
  return {
    sequential: num(values.sequential, 50, 1),
    parallel: num(values.parallel, 20, 1),
    pauseMs: num(values['pause-ms'], 200, 0),
    timeoutMs: num(values['timeout-s'], 60, 1) * 1000,
    verbose: values.verbose === true,
  };
}

function podBody(name: string): string {
  return JSON.stringify({
    apiVersion: 'v1', kind: 'Pod',
    metadata: { name, labels: { bench: 'pod-start' } },
    spec: { containers: [{ name: 'c', image: POD_IMAGE, imagePullPolicy: 'IfNotPresent', command: ['sleep', '3600'] }] },
  });
}

/** When the bench saw each step of one pod, performance.now() ms. */
type Marks = { postAt: number; answeredAt?: number; boundAt?: number; statusAt?: number; runningAt?: number; uid?: string; phase?: string };

function exec(binary: string, args: readonly string[]): Promise<string> {
  return new Promise((ok, fail) => execFile(binary, args, { timeout: 60_000 }, (err, stdout, stderr) => (err ? fail(new Error(`${binary} ${args.slice(-4).join(' ')}: ${stderr.trim() || err.message}`)) : ok(stdout))));
}

/**
 * CPU ms the shims of this containerd used since the call, each with the runc runs it waited for and
 * its container's process (whose figure includes `runc init` before it exec'd the command): a shim is
 * not containerd's child, so containerd's own figure leaves them out. Counts the shims alive when
 * read: the bench reads before it removes a phase's containers.
 */
function shimCpu(address: string): () => number {
  const ours = (): number[] => {
    const parents = new Map<number, number>();
    const shims = new Set<number>();
    for (const d of readdirSync('/proc')) {
      if (!/^\d+$/.test(d)) continue;
      const pid = Number(d);
      try {
        const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
        parents.set(pid, Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
        if (isShimOf(readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0'), address)) shims.add(pid);
      } catch {
        // gone meanwhile
      }
    }
    return [...parents].filter(([pid, ppid]) => shims.has(pid) || shims.has(ppid)).map(([pid]) => pid);
  };
  const start = new Map(ours().map((pid) => [pid, cpuMsOf(pid, { children: true }) ?? 0]));
  return () => ours().reduce((sum, pid) => sum + (cpuMsOf(pid, { children: true }) ?? 0) - (start.get(pid) ?? 0), 0);
}

const ids = async (ctr: Ctr, what: 'containers' | 'tasks'): Promise<string[]> =>
  what === 'containers' ? parseIdLines((await ctr.run(['containers', 'ls', '-q'])).stdout) : parseTaskList((await ctr.run(['tasks', 'ls'])).stdout).map((t) => t.id);

runMain('pod-start', async () => {
  const o = options();
  const load = () => loadavg().map((x) => x.toFixed(2)).join(' ');
  console.log(`skiff pod-start benchmark — ${new Date().toISOString()}; node ${process.version}; load average ${load()}`);

  // containerd of our own; the image in the node's namespace and in the raw series' namespace.
  const releaseNetnsDir = netnsDirGuard();
  register({ label: '/run/netns', close: releaseNetnsDir, closeSync: () => undefined });
  // The runc state dir of the node's namespace, left empty when its containers are gone: ours to remove if we made it.
  const nodeRuncDir = join(RUNC_STATE_DIR, DEFAULT_CONTAINERD_NAMESPACE);
  if (!existsSync(nodeRuncDir)) register({ label: nodeRuncDir, close: () => rmdir(nodeRuncDir).catch(() => undefined), closeSync: () => undefined });
  const env = await startTestContainerd();
  register({ label: 'containerd', close: () => env.cleanup(), closeSync: () => undefined });
  const nodeCtr = createCtr({ address: env.address, namespace: DEFAULT_CONTAINERD_NAMESPACE });
  const { archive } = await buildBusyboxImage(env.dataDir, { name: IMAGE });
  await importArchive(env.ctr, archive);
  await importArchive(nodeCtr, archive);
  // The pods' network namespaces, by uid: the node removes them; this is for an interrupted run.
  const podUids = new Set<string>();
  register({
    label: 'pod netns',
    close: async () => {
      for (const uid of podUids) await removeSandbox(sandboxName(uid)).catch(() => undefined);
    },
    closeSync: () => undefined,
  });
  const rawIds = new Set<string>();
  const removeRaw = async (list: readonly string[]): Promise<void> => {
    for (const id of list) {
      await env.ctr.run(['tasks', 'delete', '--force', id]).catch(() => undefined);
      await env.ctr.run(['containers', 'delete', id]).catch(() => undefined);
      rawIds.delete(id);
    }
  };
  register({ label: 'raw containers', close: () => removeRaw([...rawIds]), closeSync: () => undefined });

  const nats = await startBenchNats('podstart-nats');
  const dataDir = tempDir('podstart-cp');
  const port = await freePort();
  const cp = spawnControlPlane({ dataDir, natsUrl: nats.url, port, workerNode: true, extraArgs: ['--node-name', NODE, '--containerd-address', env.address] });
  const up = await cp.up;
  console.log(`  skiff up (pid ${cp.pid}) with worker node ${NODE} on containerd ${env.address} (pid ${env.pid}): up after ${(up.msFromSpawn / 1000).toFixed(2)} s`);
  const client = await ApiClient.fromKubeconfig(join(dataDir, 'kubeconfig'), { maxSockets: Math.max(8, o.parallel + 4) });
  register({ label: 'API client', close: async () => client.close(), closeSync: () => client.close() });
  const pids = { skiff: cp.pid, nats: nats.pid, containerd: env.pid };

  // The node Ready (it registers after "up").
  const readyBy = performance.now() + 60_000;
  for (;;) {
    const r = await client.request('GET', `/api/v1/nodes/${NODE}`);
    const conditions = r.status === 200 ? ((JSON.parse(r.body) as { status?: { conditions?: { type: string; status: string }[] } }).status?.conditions ?? []) : [];
    if (conditions.some((c) => c.type === 'Ready' && c.status === 'True')) break;
    if (performance.now() > readyBy) throw new Error(`node ${NODE} not Ready within 60 s: ${r.status} ${r.body.slice(0, 300)}\n${cp.output().slice(-2000)}`);
    await sleep(100);
  }

  // One watch on the bench's pods, from the list's resourceVersion: it timestamps every step.
  const marks = new Map<string, Marks>();
  const waiters = new Map<string, () => void>();
  const list = await client.request('GET', `${PODS}?labelSelector=${encodeURIComponent(LABEL)}`);
  expectStatus(list, 200, 'list pods');
  const rv = (JSON.parse(list.body) as { metadata: { resourceVersion: string } }).metadata.resourceVersion;
  let watchError: Error | undefined;
  const onEvent = (e: WatchEvent): void => {
    const now = performance.now();
    if (e.type === 'ERROR') {
      watchError = new Error(`watch ERROR: ${e.object.message ?? JSON.stringify(e.object)}`);
      for (const w of waiters.values()) w();
      return;
    }
    if (e.type !== 'ADDED' && e.type !== 'MODIFIED') return;
    const m = marks.get(e.object.metadata?.name ?? '');
    if (!m) return;
    // Known here too: a POST whose answer never came (Ctrl-C) still created a pod, and the node its netns.
    if (e.object.metadata?.uid) podUids.add(e.object.metadata.uid);
    m.phase = e.object.status?.phase;
    if (m.boundAt === undefined && e.object.spec?.nodeName) m.boundAt = now;
    // The node's first status of the pod (its containers waiting): written at the end of the pass that started them.
    if (m.statusAt === undefined && (e.object.status?.containerStatuses?.length ?? 0) > 0) m.statusAt = now;
    if (m.runningAt === undefined && (m.phase === 'Running' || m.phase === 'Failed' || m.phase === 'Succeeded')) {
      if (m.phase === 'Running') m.runningAt = now;
      waiters.get(e.object.metadata?.name ?? '')?.();
    }
  };
  const watch = client.watch(`${PODS}?watch=1&resourceVersion=${rv}&labelSelector=${encodeURIComponent(LABEL)}`, onEvent);
  register({ label: 'watch', close: async () => watch.close(), closeSync: () => watch.close() });
  void watch.ended.then(
    () => (watchError ??= new Error('the watch ended')),
    (err: Error) => (watchError ??= err),
  ).finally(() => {
    for (const w of waiters.values()) w();
  });

  const untilRunning = (name: string, m: Marks): Promise<void> =>
    new Promise<void>((ok, fail) => {
      const check = (): boolean => {
        if (m.runningAt !== undefined) ok();
        else if (m.phase === 'Failed' || m.phase === 'Succeeded') fail(new Error(`pod ${name} ended ${m.phase} instead of Running`));
        else if (watchError) fail(watchError);
        else return false;
        return true;
      };
      if (check()) return;
      const timer = setTimeout(() => {
        waiters.delete(name);
        void client.request('GET', `${PODS}/${name}`).then(
          (r) => fail(new Error(`pod ${name} not Running within ${o.timeoutMs / 1000} s: ${r.body.slice(0, 1500)}`)),
          (err: Error) => fail(err),
        );
      }, o.timeoutMs);
      waiters.set(name, () => {
        if (!check()) return;
        clearTimeout(timer);
        waiters.delete(name);
      });
    });

  /** POST, then wait for Running on the watch: the marks of one pod. */
  const startPod = async (name: string): Promise<Marks> => {
    const m: Marks = { postAt: performance.now() };
    marks.set(name, m);
    const r = await client.request('POST', PODS, podBody(name));
    m.answeredAt = performance.now();
    expectStatus(r, 201, `create pod ${name}`);
    m.uid = (JSON.parse(r.body) as { metadata: { uid: string } }).metadata.uid;
    podUids.add(m.uid);
    await untilRunning(name, m);
    return m;
  };

  /** Raw floor: the `ctr run -d` command's own duration (it returns once the task has started). */
  const startRaw = async (id: string): Promise<number> => {
    rawIds.add(id);
    const t0 = performance.now();
    await exec(env.ctr.binary, env.ctr.argv(['run', '-d', IMAGE, id, 'sleep', '3600']));
    return performance.now() - t0;
  };
  const checkRawRunning = async (list: readonly string[]): Promise<number> => {
    const tasks = parseTaskList((await env.ctr.run(['tasks', 'ls'])).stdout);
    return list.filter((id) => tasks.some((t) => t.id === id && t.status === 'RUNNING')).length;
  };

  /** DELETE with gracePeriodSeconds=0, then until the API, containerd and the netns list show none of them. */
  const deletePods = async (names: readonly string[]): Promise<number> => {
    const t0 = performance.now();
    await Promise.all(names.map(async (name) => {
      const r = await client.request('DELETE', `${PODS}/${name}?gracePeriodSeconds=0`);
      if (r.status !== 200 && r.status !== 202 && r.status !== 404) expectStatus(r, 200, `delete pod ${name}`);
    }));
    const uids = names.map((n) => marks.get(n)?.uid).filter((u): u is string => Boolean(u));
    const deadline = t0 + 60_000;
    for (;;) {
      const left = await leftovers(names, uids);
      if (left.length === 0) break;
      if (performance.now() > deadline) throw new Error(`pods not gone 60 s after their delete: ${left.join('; ')}`);
      await sleep(200);
    }
    for (const n of names) marks.delete(n);
    return performance.now() - t0;
  };
  const leftovers = async (names: readonly string[], uids: readonly string[]): Promise<string[]> => {
    const out: string[] = [];
    const r = await client.request('GET', `${PODS}?labelSelector=${encodeURIComponent(LABEL)}`);
    expectStatus(r, 200, 'list pods');
    const inApi = (JSON.parse(r.body) as { items: { metadata: { name: string } }[] }).items.map((p) => p.metadata.name).filter((n) => names.includes(n));
    if (inApi.length) out.push(`${inApi.length} pods in the API`);
    const containers = await ids(nodeCtr, 'containers');
    if (containers.length) out.push(`${containers.length} containers in containerd namespace ${nodeCtr.namespace}`);
    const netns = new Set(parseNetnsList(await exec('ip', ['netns', 'list'])));
    const ns = uids.filter((u) => netns.has(sandboxName(u)));
    if (ns.length) out.push(`${ns.length} pod network namespaces`);
    return out;
  };

  // The machine before anything is measured: "other" is everyone else's work on the 2 cores.
  const meter = () => cpuMeter(pids, { children: true, extra: { shims: shimCpu(env.address) } });
  const idle = meter();
  await sleep(3_000);
  const idleCpu = idle.read();
  console.log(`  idle for 3 s before the series: ${fmtCpu(idleCpu)}`);

  // Warm-up, not counted: the first starts after containerd and the node came up.
  for (let i = 0; i < 2; i++) {
    await startPod(`warm-${i}`);
    await startRaw(`raw-warm-${i}`);
  }
  await deletePods(['warm-0', 'warm-1']);
  await removeRaw(['raw-warm-0', 'raw-warm-1']);

  // 1. Sequential, interleaved (pod i, then raw i) so that drift in the machine's load hits both alike.
  const seq: Marks[] = [];
  const rawSeq: number[] = [];
  const seqNames: string[] = [];
  const seqRaw: string[] = [];
  const seqMeter = meter();
  const seqT0 = performance.now();
  for (let i = 0; i < o.sequential; i++) {
    const name = `seq-${String(i).padStart(3, '0')}`;
    seqNames.push(name);
    seq.push(await startPod(name));
    await sleep(o.pauseMs);
    const id = `raw-seq-${i}`;
    seqRaw.push(id);
    rawSeq.push(await startRaw(id));
    await sleep(o.pauseMs);
  }
  const seqCpu = seqMeter.read();
  const seqWallS = (performance.now() - seqT0) / 1000;
  const rawSeqRunning = await checkRawRunning(seqRaw);
  const seqDeleteMs = await deletePods(seqNames);
  await removeRaw(seqRaw);
  console.log(`  sequential: ${o.sequential} pods and ${o.sequential} raw in ${seqWallS.toFixed(1)} s; CPU ${fmtCpu(seqCpu)}; raw tasks RUNNING afterwards: ${rawSeqRunning}/${seqRaw.length}; pods gone ${(seqDeleteMs / 1000).toFixed(1)} s after their delete`);

  // 2. Parallel: all POSTed together, each timed from its own POST; then as many raw `ctr run -d` at once.
  await sleep(1_000);
  const parNames = Array.from({ length: o.parallel }, (_, i) => `par-${String(i).padStart(3, '0')}`);
  const parMeter = meter();
  const parT0 = performance.now();
  const par = await Promise.all(parNames.map((n) => startPod(n)));
  const parWallS = (performance.now() - parT0) / 1000;
  const parCpu = parMeter.read();
  await sleep(1_000);
  const parRaw = Array.from({ length: o.parallel }, (_, i) => `raw-par-${i}`);
  const rawParMeter = meter();
  const rawParT0 = performance.now();
  const rawPar = await Promise.all(parRaw.map((id) => startRaw(id)));
  const rawParWallS = (performance.now() - rawParT0) / 1000;
  const rawParCpu = rawParMeter.read();
  const rawParRunning = await checkRawRunning(parRaw);
  // The slowest pod's events (and the status fields that say why it waited), while it still exists.
  const slowestEvents: string[] = [];
  if (o.verbose) {
    const slowest = parNames[par.reduce((best, m, i) => ((m.runningAt as number) - m.postAt > (par[best].runningAt as number) - par[best].postAt ? i : best), 0)];
    const r = await client.request('GET', `/api/v1/namespaces/default/events?fieldSelector=${encodeURIComponent(`involvedObject.name=${slowest}`)}`);
    type Ev = { reason?: string; message?: string; count?: number; firstTimestamp?: string; lastTimestamp?: string; eventTime?: string };
    const items = r.status === 200 ? ((JSON.parse(r.body) as { items: Ev[] }).items ?? []) : [];
    slowestEvents.push(`slowest of the ${o.parallel} at once: ${slowest}; its events:`);
    for (const e of items) slowestEvents.push(`  ${e.lastTimestamp ?? e.eventTime ?? ''} ${e.reason} ×${e.count ?? 1}: ${e.message}`);
  }
  const parDeleteMs = await deletePods(parNames);
  await removeRaw(parRaw);
  console.log(`  parallel: ${o.parallel} pods all Running after ${parWallS.toFixed(2)} s, CPU ${fmtCpu(parCpu)}; pods gone ${(parDeleteMs / 1000).toFixed(1)} s after their delete`);
  console.log(`  parallel raw: ${o.parallel} \`ctr run -d\` done after ${rawParWallS.toFixed(2)} s, CPU ${fmtCpu(rawParCpu)}; RUNNING afterwards: ${rawParRunning}/${parRaw.length}`);

  // Results.
  type Stats = { n: number; p50: number; p90: number; p99: number; max: number };
  const stats = (ms: readonly number[]): Stats => {
    const s = Float64Array.from(ms).sort();
    return { n: s.length, p50: percentile(s, 50), p90: percentile(s, 90), p99: percentile(s, 99), max: s[s.length - 1] };
  };
  const sec = (ms: number): string => (ms / 1000).toFixed(3);
  const total = (ms: Marks[]) => ms.map((m) => (m.runningAt as number) - m.postAt);
  const sSeq = stats(total(seq));
  const sPar = stats(total(par));
  const sRawSeq = stats(rawSeq);
  const sRawPar = stats(rawPar);
  const goal = (s: Stats, raw: Stats) => `${s.p99 <= 1000 ? 'yes' : 'NO'} / ${s.p99 <= 1.5 * raw.p99 ? 'yes' : 'NO'}`;
  console.log(`\n== Results (s; nearest-rank percentiles, so p99 of ${o.sequential} or ${o.parallel} runs is the slowest) ==\n`);
  printTable(
    ['series', 'runs', 'p50', 'p90', 'p99', 'p50 ÷ raw p50', 'p99 ÷ raw p99', 'p99 ≤ 1 s / ≤ 1.5× raw'],
    [
      [`pods, sequential (POST → Running on the watch)`, String(sSeq.n), sec(sSeq.p50), sec(sSeq.p90), sec(sSeq.p99), fmtRatio(sSeq.p50 / sRawSeq.p50), fmtRatio(sSeq.p99 / sRawSeq.p99), goal(sSeq, sRawSeq)],
      ['raw `ctr run -d`, sequential', String(sRawSeq.n), sec(sRawSeq.p50), sec(sRawSeq.p90), sec(sRawSeq.p99), '', '', ''],
      [`pods, ${o.parallel} at once`, String(sPar.n), sec(sPar.p50), sec(sPar.p90), sec(sPar.p99), fmtRatio(sPar.p50 / sRawPar.p50), fmtRatio(sPar.p99 / sRawPar.p99), goal(sPar, sRawPar)],
      [`raw \`ctr run -d\`, ${o.parallel} at once`, String(sRawPar.n), sec(sRawPar.p50), sec(sRawPar.p90), sec(sRawPar.p99), '', '', ''],
      [`pods, ${o.parallel} at once ÷ sequential raw`, '', '', '', '', fmtRatio(sPar.p50 / sRawSeq.p50), fmtRatio(sPar.p99 / sRawSeq.p99), goal(sPar, sRawSeq)],
    ],
  );
  // Where a pod's time goes, as the bench sees it.
  console.log('\nPod steps, p50 / p99 (s): POST answered; bound to the node seen on the watch (from POST); bound → the node\'s first status\n(written after the pass that started the container); that → Running (the next pass)');
  const step = (ms: Marks[], f: (m: Marks) => number): string => {
    const s = stats(ms.map(f));
    return `${sec(s.p50)} / ${sec(s.p99)}`;
  };
  printTable(
    ['series', 'POST answered', 'bound seen', 'bound → first status', 'first status → Running'],
    [['sequential', seq] as const, [`${o.parallel} at once`, par] as const].map(([label, ms]) => [
      label,
      step(ms, (m) => (m.answeredAt as number) - m.postAt),
      step(ms, (m) => (m.boundAt ?? NaN) - m.postAt),
      step(ms, (m) => (m.statusAt ?? NaN) - (m.boundAt ?? NaN)),
      step(ms, (m) => (m.runningAt as number) - (m.statusAt ?? NaN)),
    ]),
  );
  const cpuRow = (label: string, r: CpuReading) => [label, ...['bench', 'skiff', 'nats', 'containerd', 'shims', 'other'].map((k) => `${(r[k] ?? 0).toFixed(0)}%`)];
  console.log('\nCPU (% of one core, each with the children it waited for; "other" = the rest of the machine: other sessions\' work):');
  printTable(['phase', 'bench (+ its ctr)', 'skiff up (+ its ctr, ip)', 'nats-server', 'containerd', 'shims (+ runc, containers)', 'other'], [
    cpuRow('idle, 3 s before', idleCpu), cpuRow('sequential pods + raw', seqCpu), cpuRow(`${o.parallel} pods at once`, parCpu), cpuRow(`${o.parallel} raw at once`, rawParCpu),
  ]);

  if (o.verbose) {
    console.log(`\nEach of the ${o.parallel} pods at once (s from its POST): bound seen, first node status seen, Running seen`);
    for (const [i, m] of par.entries()) console.log(`  ${parNames[i]}: ${sec((m.boundAt ?? NaN) - m.postAt)} ${sec((m.statusAt ?? NaN) - m.postAt)} ${sec((m.runningAt as number) - m.postAt)}`);
    for (const line of slowestEvents) console.log(line);
    console.log(`\nskiff up's output:\n${cp.output().trim()}\n`);
  }

  // End state: nothing of the bench's left in the API, containerd or the netns list.
  watch.close();
  const shimsBy = performance.now() + 10_000;
  let shims = await shimPids(env.address);
  while (shims.length > 0 && performance.now() < shimsBy) {
    await sleep(200);
    shims = await shimPids(env.address);
  }
  const left = [
    ...(await leftovers([...seqNames, ...parNames, 'warm-0', 'warm-1'], [...podUids])),
    ...(await ids(nodeCtr, 'tasks')).map((id) => `task ${id} in ${nodeCtr.namespace}`),
    ...(await ids(env.ctr, 'containers')).map((id) => `raw container ${id}`),
    ...(shims.length ? [`${shims.length} containerd shims`] : []),
    ...(existsSync(join(dataDir, 'pods')) && readdirSync(join(dataDir, 'pods')).length ? [`${readdirSync(join(dataDir, 'pods')).length} pod dirs`] : []),
  ];
  const stopped = await cp.stop('SIGTERM', 15_000);
  console.log(`\nskiff up stopped in ${(stopped.ms / 1000).toFixed(1)} s${stopped.forced ? ' (KILLED)' : ''}; load average ${load()}`);
  if (left.length > 0) throw new Error(`end state NOT clean: ${left.join('; ')}`);
  console.log('end state: clean (no pods in the API, no containers, tasks or shims in containerd, no pod netns, no pod dirs)');
});
