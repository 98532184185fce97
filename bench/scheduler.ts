/**
 * Scheduler throughput: pods/s bound by the pure scheduler (`planScheduling`, actors/scheduler) with
 * 1,000 and 5,000 nodes and 10,000 pending pods, in-process, no NATS, no API. kube-scheduler's CI
 * floor (scheduler_perf, SchedulingBasic 5000Nodes) is 680 pods/s at 5,000 nodes.
 *
 *   npx tsx bench/scheduler.ts [--nodes 1000,5000] [--pods 10000] [--batch 500] [--budget-s 120]
 *                              [--e2e-nodes 100] [--e2e-pods 2000]   (--e2e-pods 0 skips the end-to-end part)
 *
 * Per node count:
 *   a. one full pass: all pending pods in one `planScheduling` call (what the scheduler reconciler
 *      does when it sees them all pending at once). A pass is synchronous and cannot be stopped, so a
 *      probe pass of 100 pods runs first; if the full pass would exceed --budget-s, fewer pods are
 *      planned and the bench says so.
 *   b. passes of --batch pods, each seeing the pods bound by the passes before as bound pods (the
 *      controller's view when pods arrive in batches), until the pods or the budget run out.
 * Pods: one container requesting 100m CPU / 128Mi, owned by one ReplicaSet (so spreading scores
 * count); nodes: hollow nodes (8 CPU, 32Gi, 110 pods), as runtime/hollow registers them.
 *
 * End to end (optional): `skiff up --hollow-nodes N` as its own process with its own nats-server,
 * P pods created over the HTTPS API (200 in flight), time until all are bound (listed with
 * fieldSelector=spec.nodeName= returning none pending). Prints figures; asserts nothing.
 */
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { planScheduling } from '../actors/scheduler';
import type { KubeObject } from '../actors/kinds/types';
import { DEFAULT_HOLLOW_CAPACITY, hollowNode, hollowNodeIP } from '../runtime/hollow/hollow-node';
import { freePort } from '../eventlog/nats-server';
import {
  ApiClient, closedLoop, cpuMeter, fmtCpu, fmtRate, memoryOf, printErrors, printTable, runMain, sleep, spawnControlPlane, startBenchNats, summarize, tempDir,
} from './lib';

const KUBE_FLOOR = { nodes: 5_000, podsPerSecond: 680 } as const;
const RS_UID = '00000000-0000-4000-8000-0000000000aa';

function options() {
  const { values } = parseArgs({
    options: {
      nodes: { type: 'string' }, pods: { type: 'string' }, batch: { type: 'string' }, 'budget-s': { type: 'string' },
      'e2e-nodes': { type: 'string' }, 'e2e-pods': { type: 'string' },
    },
  });
  const num = (v: string | undefined, d: number): number => {
    const n = v === undefined ? d : Number(v);
    if (!Number.isInteger(n) || n < 0) throw new Error(`expected a whole number, got "${v}"`);
    return n;
  };
  return {
    nodes: (values.nodes ?? '1000,5000').split(',').map((s) => num(s.trim(), 0)),
    pods: num(values.pods, 10_000),
    batch: num(values.batch, 500),
    budgetS: num(values['budget-s'], 120),
    e2eNodes: num(values['e2e-nodes'], 100),
    e2ePods: num(values['e2e-pods'], 2_000),
  };
}

function makeNodes(n: number): KubeObject[] {
  const now = Date.now();
  return Array.from({ length: n }, (_, i) => hollowNode(`hollow-${i}`, now, DEFAULT_HOLLOW_CAPACITY, hollowNodeIP(i)));
}

const podSpec = { containers: [{ name: 'c', image: 'registry.k8s.io/pause:3.10', resources: { requests: { cpu: '100m', memory: '128Mi' } } }] };

function makePods(n: number): KubeObject[] {
  const t0 = Date.UTC(2026, 0, 1);
  return Array.from({ length: n }, (_, i) => ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: `pod-${String(i).padStart(6, '0')}`,
      namespace: 'default',
      uid: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
      resourceVersion: String(i + 1),
      creationTimestamp: new Date(t0 + i * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z'),
      labels: { app: 'bench' },
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'bench-rs', uid: RS_UID, controller: true }],
    },
    spec: podSpec,
    status: { phase: 'Pending' },
  }));
}

type PassResult = Readonly<{ pods: number; bound: number; ms: number; bindings: Map<string, string> }>;

function pass(pending: readonly KubeObject[], nodes: readonly KubeObject[], bound: readonly KubeObject[]): PassResult {
  const t0 = performance.now();
  const plan = planScheduling(pending, nodes, bound, Date.now());
  const ms = performance.now() - t0;
  const bindings = new Map<string, string>();
  for (const c of plan.commands) {
    const p = c.payload as { op: string; node?: string };
    if (p.op === 'bind' && p.node) bindings.set(c.ref.name, p.node);
  }
  return { pods: pending.length, bound: bindings.size, ms, bindings };
}

const withNode = (pod: KubeObject, node: string): KubeObject => ({ ...pod, spec: { ...podSpec, nodeName: node }, status: { phase: 'Running' } });

type Row = Readonly<{ nodes: number; mode: string; pods: number; bound: number; seconds: number; podsPerSecond: number; note: string }>;

function inProcess(nodeCount: number, podCount: number, batch: number, budgetS: number): Row[] {
  console.log(`\n== pure scheduler: ${nodeCount.toLocaleString('en-US')} nodes, ${podCount.toLocaleString('en-US')} pending pods ==`);
  const nodes = makeNodes(nodeCount);
  const pods = makePods(podCount);
  const rows: Row[] = [];

  // Probe, to size the full pass within the budget (a pass is one synchronous call).
  pass(pods.slice(0, 20), nodes, []); // warm-up (JIT)
  const probe = pass(pods.slice(0, 100), nodes, []);
  const perPodMs = probe.ms / probe.pods;
  console.log(`  probe: 100 pods in ${(probe.ms / 1000).toFixed(2)} s = ${fmtRate((probe.pods / probe.ms) * 1000)} pods/s (${perPodMs.toFixed(1)} ms/pod)`);
  const fullPods = Math.min(podCount, Math.max(100, Math.floor((budgetS * 1000) / perPodMs)));
  const note = fullPods < podCount ? `only ${fullPods} of ${podCount} pods: the full pass would take ~${((perPodMs * podCount) / 1000).toFixed(0)} s` : '';
  const memBefore = process.memoryUsage().rss;
  const full = pass(pods.slice(0, fullPods), nodes, []);
  const fullRate = (full.bound / full.ms) * 1000;
  console.log(`  full pass: ${full.bound}/${full.pods} bound in ${(full.ms / 1000).toFixed(2)} s = ${fmtRate(fullRate)} pods/s; bench RSS ${(memBefore / 2 ** 20).toFixed(0)} → ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MiB ${note}`);
  rows.push({ nodes: nodeCount, mode: 'one pass', pods: full.pods, bound: full.bound, seconds: full.ms / 1000, podsPerSecond: fullRate, note });

  // Batches of `batch`, each seeing the pods bound before as bound.
  const bound: KubeObject[] = [];
  let ms = 0;
  let done = 0;
  const perBatch: number[] = [];
  while (done < podCount && ms < budgetS * 1000) {
    const slice = pods.slice(done, done + batch);
    const r = pass(slice, nodes, bound);
    ms += r.ms;
    perBatch.push(r.ms);
    for (const p of slice) {
      const node = r.bindings.get(p.metadata.name as string);
      if (node) bound.push(withNode(p, node));
    }
    done += slice.length;
  }
  const batchRate = (bound.length / ms) * 1000;
  const bnote = done < podCount ? `stopped at the ${budgetS} s budget` : '';
  const first = perBatch[0] ?? NaN;
  const last = perBatch[perBatch.length - 1] ?? NaN;
  console.log(`  passes of ${batch}: ${bound.length}/${done} bound in ${(ms / 1000).toFixed(2)} s = ${fmtRate(batchRate)} pods/s (first pass ${(first / 1000).toFixed(2)} s, last ${(last / 1000).toFixed(2)} s) ${bnote}`);
  rows.push({ nodes: nodeCount, mode: `passes of ${batch}`, pods: done, bound: bound.length, seconds: ms / 1000, podsPerSecond: batchRate, note: `first pass ${(first / 1000).toFixed(2)} s, last ${(last / 1000).toFixed(2)} s ${bnote}`.trim() });
  return rows;
}

function podBody(i: number): string {
  return JSON.stringify({
    apiVersion: 'v1', kind: 'Pod',
    metadata: { name: `e2e-${String(i).padStart(6, '0')}`, namespace: 'default', labels: { app: 'bench-e2e' } },
    spec: { ...podSpec, terminationGracePeriodSeconds: 0 },
  });
}

async function countPending(client: ApiClient): Promise<number> {
  const r = await client.request('GET', '/api/v1/namespaces/default/pods?labelSelector=app%3Dbench-e2e&fieldSelector=spec.nodeName%3D', undefined, undefined, 60_000);
  if (r.status !== 200) throw new Error(`list pending: HTTP ${r.status} ${r.body.slice(0, 200)}`);
  return ((JSON.parse(r.body) as { items?: unknown[] }).items ?? []).length;
}

async function endToEnd(nodeCount: number, podCount: number): Promise<string> {
  console.log(`\n== end to end: skiff up --hollow-nodes ${nodeCount}, ${podCount} pods over HTTPS ==`);
  const nats = await startBenchNats('sched-e2e-nats');
  const dataDir = tempDir('sched-e2e-cp');
  const port = await freePort();
  const cp = spawnControlPlane({ dataDir, natsUrl: nats.url, port, extraArgs: ['--hollow-nodes', String(nodeCount)] });
  const up = await cp.up;
  console.log(`  up after ${(up.msFromSpawn / 1000).toFixed(2)} s (hollow nodes registered before the API listens)`);
  const client = await ApiClient.fromKubeconfig(join(dataDir, 'kubeconfig'), { maxSockets: 200 });
  try {
    const meter = cpuMeter({ skiff: cp.pid, nats: nats.pid });
    const t0 = performance.now();
    const create = await closedLoop({
      concurrency: 200, total: podCount,
      op: async (seq) => {
        const r = await client.request('POST', '/api/v1/namespaces/default/pods', podBody(seq), undefined, 60_000);
        if (r.status !== 201) throw new Error(`create pod: HTTP ${r.status} ${r.body.slice(0, 120)}`);
      },
    });
    const createdS = (performance.now() - t0) / 1000;
    printErrors('create', create);
    const s = summarize(create);
    console.log(`  created ${s.ok} pods in ${createdS.toFixed(1)} s = ${fmtRate(s.perSecond)}/s`);
    let pending = await countPending(client);
    const limitMs = 300_000;
    while (pending > 0 && performance.now() - t0 < limitMs) {
      await sleep(250);
      pending = await countPending(client);
    }
    const allS = (performance.now() - t0) / 1000;
    const cpu = meter.read();
    const mem = memoryOf(cp.pid);
    const line = pending === 0
      ? `${s.ok} pods bound on ${nodeCount} hollow nodes ${allS.toFixed(1)} s after the first create (creates took ${createdS.toFixed(1)} s) = ${fmtRate(s.ok / allS)} pods/s end to end`
      : `NOT all bound after ${(limitMs / 1000).toFixed(0)} s: ${pending} of ${s.ok} still pending`;
    console.log(`  ${line}; skiff RSS ${mem?.rssMb.toFixed(0) ?? '?'} MiB (peak ${mem?.peakMb.toFixed(0) ?? '?'}); CPU ${fmtCpu(cpu)}`);
    return line;
  } finally {
    client.close();
    await cp.stop('SIGTERM', 15_000);
    await nats.stop();
  }
}

runMain('bench/scheduler', async () => {
  const o = options();
  console.log(`skiff scheduler benchmark — ${new Date().toISOString()}; node ${process.version}; nodes ${o.nodes.join(', ')}; pods ${o.pods}; batch ${o.batch}; budget ${o.budgetS} s per mode`);
  const meter = cpuMeter({});
  const rows: Row[] = [];
  for (const n of o.nodes) rows.push(...inProcess(n, o.pods, o.batch, o.budgetS));
  console.log(`\n  CPU during the in-process part: ${fmtCpu(meter.read())}`);
  console.log('\n== Results: pure scheduler (planScheduling), one thread ==\n');
  printTable(['nodes', 'mode', 'pods planned', 'bound', 'seconds', 'pods/s', `vs kube-scheduler floor ${KUBE_FLOOR.podsPerSecond}/s @ ${KUBE_FLOOR.nodes}`, 'note'],
    rows.map((r) => [r.nodes.toLocaleString('en-US'), r.mode, r.pods.toLocaleString('en-US'), r.bound.toLocaleString('en-US'), r.seconds.toFixed(2), fmtRate(r.podsPerSecond),
      r.nodes === KUBE_FLOOR.nodes ? `${(r.podsPerSecond / KUBE_FLOOR.podsPerSecond).toFixed(2)}×` : '', r.note]));
  if (o.e2ePods > 0) {
    const line = await endToEnd(o.e2eNodes, o.e2ePods);
    console.log(`\nEnd to end: ${line}`);
  }
});
