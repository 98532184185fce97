/**
 * Seconds until N hollow nodes are Ready (registered Node objects with condition Ready=True), for
 * N = 1,000 and 10,000 by default. kwok's CI gate: 180 s for 10,000.
 *
 *   npx tsx bench/nodes-10k.ts [--nodes 1000,10000] [--limit-s 300]
 *
 * Per N: a fresh nats-server and `skiff up --hollow-nodes N` as its own process (skiff registers
 * every hollow node before its API listens, so "up" comes after registration). Time = seconds from
 * spawning the process to the first `GET /api/v1/nodes` that lists N nodes with Ready=True (polled
 * every 500 ms once the API answers). If that does not happen within --limit-s, the process is
 * stopped and the count reached (if the API answered at all) is printed. Also printed: when "up"
 * was printed, RSS and peak RSS. Prints figures; asserts nothing.
 */
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { freePort } from '../eventlog/nats-server';
import { ApiClient, cpuMeter, fmtCpu, memoryOf, printTable, runMain, sleep, spawnControlPlane, startBenchNats, tempDir } from './lib';

const KWOK = { nodes: 10_000, seconds: 180 } as const;

type NodeList = { items?: { status?: { conditions?: { type: string; status: string }[] } }[] };

type Row = Readonly<{ nodes: number; readyS?: number; upS?: number; readyAtEnd: number; rssMb?: number; peakMb?: number; cpu: string; note: string }>;

async function readyNodes(client: ApiClient): Promise<number | undefined> {
  const r = await client.request('GET', '/api/v1/nodes', undefined, undefined, 60_000).catch(() => undefined);
  if (r?.status !== 200) return undefined;
  return ((JSON.parse(r.body) as NodeList).items ?? []).filter((n) => n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')).length;
}

async function round(n: number, limitS: number): Promise<Row> {
  console.log(`\n== ${n.toLocaleString('en-US')} hollow nodes ==`);
  const nats = await startBenchNats(`nodes-${n}-nats`);
  const dataDir = tempDir(`nodes-${n}-cp`);
  const port = await freePort();
  const cp = spawnControlPlane({ dataDir, natsUrl: nats.url, port, extraArgs: ['--hollow-nodes', String(n)] });
  const meter = cpuMeter({ skiff: cp.pid, nats: nats.pid });
  let upS: number | undefined;
  void cp.up.then((u) => (upS = u.msFromSpawn / 1000)).catch(() => undefined);
  let exited = false;
  void cp.exited.then(() => (exited = true));
  let peakMb = 0;
  let client: ApiClient | undefined;
  let ready = 0;
  let readyS: number | undefined;
  let lastPrint = 0;
  try {
    while (!exited) {
      const t = (performance.now() - cp.spawnedAt) / 1000;
      if (t > limitS) break;
      peakMb = Math.max(peakMb, memoryOf(cp.pid)?.peakMb ?? 0);
      // The kubeconfig is written at start-up, before the nodes register; read it once it exists.
      client ??= await ApiClient.fromKubeconfig(join(dataDir, 'kubeconfig'), { maxSockets: 2, port }).catch(() => undefined);
      const count = client ? await readyNodes(client) : undefined;
      if (count !== undefined) ready = count;
      if (ready >= n) {
        readyS = (performance.now() - cp.spawnedAt) / 1000;
        break;
      }
      if (t - lastPrint >= 15) {
        lastPrint = t;
        console.log(`  ${t.toFixed(0)} s: ${count === undefined ? 'API not answering yet' : `${count} Ready`}; skiff RSS ${memoryOf(cp.pid)?.rssMb.toFixed(0) ?? '?'} MiB, CPU so far ${fmtCpu(meter.read())}`);
      }
      await sleep(500);
    }
    const cpu = fmtCpu(meter.read());
    const m = memoryOf(cp.pid);
    const note = exited ? `skiff up EXITED:\n${cp.output().trim().split('\n').slice(-8).join('\n')}` : readyS === undefined ? `not all Ready within ${limitS} s` : '';
    const row: Row = { nodes: n, readyS, upS, readyAtEnd: ready, rssMb: m?.rssMb, peakMb: Math.max(peakMb, m?.peakMb ?? 0), cpu, note };
    console.log(`  ${readyS !== undefined ? `all ${n} Ready ${readyS.toFixed(2)} s after spawn` : `${ready} of ${n} Ready when stopped`} ("up" printed at ${upS?.toFixed(2) ?? '–'} s); RSS ${row.rssMb?.toFixed(0) ?? '?'} MiB, peak ${row.peakMb?.toFixed(0) ?? '?'} MiB; CPU ${cpu} ${note}`);
    return row;
  } finally {
    client?.close();
    const stopped = await cp.stop('SIGTERM', 15_000);
    console.log(`  skiff up stopped in ${(stopped.ms / 1000).toFixed(1)} s${stopped.forced ? ' (KILLED)' : ''}`);
    await nats.stop();
  }
}

runMain('bench/nodes-10k', async () => {
  const { values } = parseArgs({ options: { nodes: { type: 'string' }, 'limit-s': { type: 'string' } } });
  const counts = (values.nodes ?? '1000,10000').split(',').map((s) => Number(s.trim()));
  const limitS = Number(values['limit-s'] ?? 300);
  for (const c of [...counts, limitS]) if (!Number.isInteger(c) || c < 1) throw new Error(`expected positive whole numbers, got "${c}"`);
  console.log(`skiff hollow-node registration benchmark — ${new Date().toISOString()}; node ${process.version}; nodes ${counts.join(', ')}; limit ${limitS} s each`);
  const rows: Row[] = [];
  for (const n of counts) rows.push(await round(n, limitS));
  console.log('\n== Results: seconds from spawning `skiff up --hollow-nodes N` to N nodes Ready=True ==\n');
  printTable(['nodes', 'all Ready after', '"up" printed at', 'Ready at the end', 'RSS', 'peak RSS', 'CPU', `kwok gate (${KWOK.nodes})`],
    rows.map((r) => [r.nodes.toLocaleString('en-US'), r.readyS !== undefined ? `${r.readyS.toFixed(2)} s` : `NOT within ${limitS} s`, r.upS !== undefined ? `${r.upS.toFixed(2)} s` : '–',
      r.readyAtEnd.toLocaleString('en-US'), `${r.rssMb?.toFixed(0) ?? '?'} MiB`, `${r.peakMb?.toFixed(0) ?? '?'} MiB`, r.cpu, `${KWOK.seconds} s`]));
});
