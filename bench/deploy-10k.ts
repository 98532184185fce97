/**
 * Seconds from creating one Deployment (default 10,000 replicas) to all its pods Running on hollow
 * nodes, and the peak RSS of the control plane process. kwok's CI gate: 120 s for 10,000 pods on
 * 1,000 nodes.
 *
 *   npx tsx bench/deploy-10k.ts [--replicas 10000] [--nodes 100] [--limit-s 300]
 *
 * `skiff up --hollow-nodes N` as its own process (hollow nodes: 8 CPU / 32Gi / 110 pods each, so 100
 * nodes hold 11,000 pods) with its own nats-server. After "up" (the nodes are registered before the
 * API listens), one POST of the Deployment (one container, 10m CPU / 16Mi requested); then the
 * Deployment's status is polled every second (cheap) and, once it reports all replicas ready, one
 * list with fieldSelector=status.phase=Running confirms the count. If not all are Running within
 * --limit-s, the Running count reached and the rate are printed instead. Peak RSS = VmHWM of the
 * `skiff up` process. Prints figures; asserts nothing.
 */
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { freePort } from '../eventlog/nats-server';
import { ApiClient, cpuMeter, fmtCpu, memoryOf, printTable, runMain, sleep, spawnControlPlane, startBenchNats, tempDir } from './lib';

const KWOK = { pods: 10_000, nodes: 1_000, seconds: 120 } as const;
const DEPLOY_PATH = '/apis/apps/v1/namespaces/default/deployments';

function options() {
  const { values } = parseArgs({ options: { replicas: { type: 'string' }, nodes: { type: 'string' }, 'limit-s': { type: 'string' } } });
  const num = (v: string | undefined, d: number): number => {
    const n = v === undefined ? d : Number(v);
    if (!Number.isInteger(n) || n < 1) throw new Error(`expected a positive whole number, got "${v}"`);
    return n;
  };
  return { replicas: num(values.replicas, 10_000), nodes: num(values.nodes, 100), limitS: num(values['limit-s'], 300) };
}

function deployment(replicas: number): string {
  return JSON.stringify({
    apiVersion: 'apps/v1', kind: 'Deployment',
    metadata: { name: 'bench', namespace: 'default' },
    spec: {
      replicas,
      selector: { matchLabels: { app: 'bench' } },
      template: {
        metadata: { labels: { app: 'bench' } },
        spec: { terminationGracePeriodSeconds: 0, containers: [{ name: 'c', image: 'registry.k8s.io/pause:3.10', resources: { requests: { cpu: '10m', memory: '16Mi' } } }] },
      },
    },
  });
}

type DeployStatus = { replicas?: number; readyReplicas?: number; availableReplicas?: number; updatedReplicas?: number };

async function countPods(client: ApiClient, fieldSelector?: string): Promise<number> {
  const q = `labelSelector=app%3Dbench${fieldSelector ? `&fieldSelector=${encodeURIComponent(fieldSelector)}` : ''}`;
  const r = await client.request('GET', `/api/v1/namespaces/default/pods?${q}`, undefined, undefined, 120_000);
  if (r.status !== 200) throw new Error(`list pods: HTTP ${r.status} ${r.body.slice(0, 200)}`);
  return ((JSON.parse(r.body) as { items?: unknown[] }).items ?? []).length;
}

runMain('bench/deploy-10k', async () => {
  const o = options();
  console.log(`skiff deploy benchmark — ${new Date().toISOString()}; node ${process.version}; replicas ${o.replicas}; hollow nodes ${o.nodes}; limit ${o.limitS} s`);
  const nats = await startBenchNats('deploy-nats');
  const dataDir = tempDir('deploy-cp');
  const port = await freePort();
  const cp = spawnControlPlane({ dataDir, natsUrl: nats.url, port, extraArgs: ['--hollow-nodes', String(o.nodes)] });
  const up = await cp.up;
  console.log(`  skiff up with ${o.nodes} hollow nodes: up after ${(up.msFromSpawn / 1000).toFixed(2)} s; RSS ${memoryOf(cp.pid)?.rssMb.toFixed(0) ?? '?'} MiB`);
  const client = await ApiClient.fromKubeconfig(join(dataDir, 'kubeconfig'), { maxSockets: 4 });
  let peakMb = 0;
  const sampler = setInterval(() => {
    const m = memoryOf(cp.pid);
    if (m) peakMb = Math.max(peakMb, m.peakMb);
  }, 1_000);
  try {
    const meter = cpuMeter({ skiff: cp.pid, nats: nats.pid });
    const t0 = performance.now();
    const created = await client.request('POST', DEPLOY_PATH, deployment(o.replicas));
    if (created.status !== 201) throw new Error(`create Deployment: HTTP ${created.status} ${created.body.slice(0, 200)}`);
    let status: DeployStatus = {};
    let lastPrint = 0;
    let readyAtS: number | undefined;
    const progress: [number, number][] = [];
    while ((performance.now() - t0) / 1000 < o.limitS) {
      const r = await client.request('GET', `${DEPLOY_PATH}/bench`, undefined, undefined, 60_000).catch(() => undefined);
      if (r?.status === 200) status = ((JSON.parse(r.body) as { status?: DeployStatus }).status ?? {});
      const t = (performance.now() - t0) / 1000;
      progress.push([t, status.readyReplicas ?? 0]);
      if ((status.readyReplicas ?? 0) >= o.replicas) {
        readyAtS = t;
        break;
      }
      if (t - lastPrint >= 15) {
        lastPrint = t;
        const m = memoryOf(cp.pid);
        console.log(`  ${t.toFixed(0)} s: replicas ${status.replicas ?? 0}, updated ${status.updatedReplicas ?? 0}, ready ${status.readyReplicas ?? 0}; skiff RSS ${m?.rssMb.toFixed(0) ?? '?'} MiB`);
      }
      await sleep(1_000);
    }
    const cpu = meter.read();
    const elapsedS = (performance.now() - t0) / 1000;
    const running = await countPods(client, 'status.phase=Running');
    const all = await countPods(client);
    const m = memoryOf(cp.pid);
    peakMb = Math.max(peakMb, m?.peakMb ?? 0);
    // The largest count that was reached, and when: the bench's answer when the limit hit first.
    const rate = readyAtS !== undefined ? o.replicas / readyAtS : (status.readyReplicas ?? 0) / elapsedS;
    console.log(`  CPU over the run: ${fmtCpu(cpu)}`);
    console.log('\n== Results ==\n');
    printTable(['replicas', 'hollow nodes', 'all Running after', 'pods Running at the end', 'pods existing', 'pods/s', 'peak RSS of skiff up', `kwok gate (${KWOK.pods} on ${KWOK.nodes} nodes)`],
      [[o.replicas.toLocaleString('en-US'), String(o.nodes), readyAtS !== undefined ? `${readyAtS.toFixed(1)} s` : `NOT within ${o.limitS} s (ready ${status.readyReplicas ?? 0})`,
        running.toLocaleString('en-US'), all.toLocaleString('en-US'), rate.toFixed(1), `${peakMb.toFixed(0)} MiB`, `${KWOK.seconds} s`]]);
    const marks = [0.1, 0.25, 0.5, 0.75, 0.9].map((f) => {
      const hit = progress.find(([, n]) => n >= f * o.replicas);
      return `${Math.round(f * 100)}% at ${hit ? `${hit[0].toFixed(0)} s` : '–'}`;
    });
    console.log(`\nready replicas: ${marks.join(', ')}`);
  } finally {
    clearInterval(sampler);
    client.close();
    const stopped = await cp.stop('SIGTERM', 15_000);
    console.log(`skiff up stopped in ${(stopped.ms / 1000).toFixed(1)} s${stopped.forced ? ' (KILLED)' : ''}`);
    await nats.stop();
  }
});
