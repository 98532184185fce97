/**
 * How long the stock kubectl 1.32 takes against skiff on the two operations users feel most:
 *   1. `kubectl get pods -A` with 10,000 pods stored (kubectl pages through them 500 at a time, the
 *      server renders each page as a Table);
 *   2. `kubectl apply -f` of one generated 500-object file (ConfigMaps, Deployments, Services mixed):
 *      the first run creates everything (GET 404 + POST per object), the second finds everything
 *      unchanged (one GET per object, no writes).
 * A `skiff up` process with its own nats-server, as in the other benches; kubectl is /usr/bin/kubectl
 * (the dispatcher, which runs kubectl 1.32.4 for skiff) with its own HOME and caches. The discovery
 * cache is warm for every timed run (an untimed warm-up run fills it), as on a user's machine.
 * Prints the figures; asserts nothing.
 *
 *   npx tsx bench/kubectl.ts [--pods N] [--objects M] [--runs R]
 *     --pods     pods stored before timing get (default 10000)
 *     --objects  objects in the applied file (default 500)
 *     --runs     timed runs of `get pods -A` (default 5)
 */
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import YAML from 'yaml';
import { freePort } from '../eventlog/nats-server';
import { createKubectl, describeResult, requireKubectl, type Kubectl, type KubectlResult } from '../test/harness/kubectl';
import {
  ApiClient, closedLoop, cpuMeter, cpuMsOf, expectStatus, fmtCpu, fmtMs, fmtRate, printErrors, printTable, register, runMain, sleep,
  spawnControlPlane, startBenchNats, summarize, tempDir, type CpuReading,
} from './lib';

type Options = Readonly<{ pods: number; objects: number; runs: number }>;

const FILL_IN_FLIGHT = 200;
/** Pods spread over this many namespaces, so that -A has something to gather. */
const POD_NAMESPACES = 10;
const APPLY_NAMESPACE = 'bench-apply';
/** Generous: a bench must end by itself, but a slow machine must not turn a figure into an error. */
const KUBECTL_LIMIT_MS = 600_000;

function options(): Options {
  const { values } = parseArgs({ options: { pods: { type: 'string' }, objects: { type: 'string' }, runs: { type: 'string' } } });
  const pods = Number(values.pods ?? 10_000);
  const objects = Number(values.objects ?? 500);
  const runs = Number(values.runs ?? 5);
  if (!Number.isInteger(pods) || pods < 1) throw new Error(`--pods must be a positive integer, got ${values.pods}`);
  if (!Number.isInteger(objects) || objects < 3) throw new Error(`--objects must be an integer ≥ 3, got ${values.objects}`);
  if (!Number.isInteger(runs) || runs < 1 || runs > 100) throw new Error(`--runs must be an integer in [1, 100], got ${values.runs}`);
  return { pods, objects, runs };
}

type Timed = Readonly<{ result: KubectlResult; cpu: CpuReading; kubectlCpuMs: number }>;

/**
 * One kubectl run, with the CPU of kubectl itself (read from /proc while it runs: Node gives no
 * rusage for children; the last reading misses at most one poll interval) and of skiff and
 * nats-server over the same wall time.
 */
async function timed(k: Kubectl, args: readonly string[], pids: Record<string, number>): Promise<Timed> {
  const meter = cpuMeter(pids);
  const run = k.start(args, { timeoutMs: KUBECTL_LIMIT_MS });
  let kubectlCpuMs = 0;
  while (run.running()) {
    kubectlCpuMs = cpuMsOf(run.pid) ?? kubectlCpuMs;
    await sleep(10);
  }
  const result = await run.exited;
  const cpu = meter.read();
  if (result.code !== 0) throw new Error(`kubectl failed during the bench:\n${describeResult(result)}`.slice(0, 4000));
  return { result, cpu, kubectlCpuMs };
}

function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/** kubectl's own CPU, then the meter's, with kubectl taken out of "other" (the rest of the machine). */
function fmtRunCpu(t: Timed): string {
  const kubectlPct = (t.kubectlCpuMs / t.result.ms) * 100;
  const rest = Object.entries(t.cpu).map(([name, pct]) => `${name} ${(name === 'other' ? Math.max(0, pct - kubectlPct) : pct).toFixed(0)}%`);
  return `CPU kubectl ${fmtMs(t.kubectlCpuMs)} ms (${kubectlPct.toFixed(0)}%), ${rest.join(', ')}`;
}

function podBody(seq: number): { namespace: string; body: string } {
  const namespace = `bench-pods-${seq % POD_NAMESPACES}`;
  const body = JSON.stringify({
    apiVersion: 'v1', kind: 'Pod',
    metadata: { name: `pod-${String(seq).padStart(5, '0')}`, namespace, labels: { app: `app-${seq % 50}`, bench: 'kubectl' } },
    // Pods validate: at least one container with a name and an image.
    spec: { containers: [{ name: 'main', image: 'busybox:1.36', command: ['sleep', '3600'] }] },
  });
  return { namespace, body };
}

/** The applied file: a third each of ConfigMaps, Deployments and Services, as a real app's manifests mix them. */
function applyManifest(count: number): string {
  const docs: object[] = [];
  for (let i = 0; i < count; i++) {
    const name = `app-${String(Math.floor(i / 3)).padStart(4, '0')}`;
    const labels = { app: name, bench: 'kubectl' };
    switch (i % 3) {
      case 0:
        docs.push({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `${name}-config`, labels }, data: { 'app.properties': `name=${name}\nreplicas=2\n`, LOG_LEVEL: 'info' } });
        break;
      case 1:
        docs.push({
          apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name, labels },
          spec: {
            replicas: 2,
            selector: { matchLabels: { app: name } },
            template: {
              metadata: { labels },
              spec: {
                containers: [{
                  name: 'web', image: 'nginx:1.27', ports: [{ containerPort: 80 }],
                  env: [{ name: 'LOG_LEVEL', value: 'info' }],
                  resources: { requests: { cpu: '50m', memory: '64Mi' } },
                }],
              },
            },
          },
        });
        break;
      default:
        docs.push({ apiVersion: 'v1', kind: 'Service', metadata: { name, labels }, spec: { selector: { app: name }, ports: [{ port: 80, targetPort: 80, protocol: 'TCP' }] } });
    }
  }
  return docs.map((d) => YAML.stringify(d)).join('---\n');
}

function countLines(text: string, suffix: string): number {
  return text.split('\n').filter((l) => l.endsWith(suffix)).length;
}

async function main(): Promise<void> {
  const opts = options();
  requireKubectl();
  console.log(`kubectl bench: ${opts.pods.toLocaleString('en-US')} pods for get -A (${opts.runs} runs), ${opts.objects} objects for apply -f`);

  const nats = await startBenchNats('kubectl-nats');
  const dataDir = tempDir('kubectl-cp');
  const cp = spawnControlPlane({ dataDir, natsUrl: nats.url, port: await freePort() });
  const up = await cp.up;
  const pids = { skiff: cp.pid, nats: nats.pid };
  console.log(`skiff up on :${up.port} after ${(up.msFromSpawn / 1000).toFixed(1)} s (${up.stateLine})`);
  const kubeconfig = join(dataDir, 'kubeconfig');
  const client = await ApiClient.fromKubeconfig(kubeconfig, { maxSockets: FILL_IN_FLIGHT });
  register({ label: 'API client', close: async () => client.close(), closeSync: () => client.close() });
  const k = await createKubectl(kubeconfig);
  register({ label: `kubectl home ${k.dir}`, close: () => k.cleanup(), closeSync: () => undefined });

  // ---- fill: namespaces, then the pods through the HTTPS API with many requests in flight
  const namespaces = [...Array.from({ length: POD_NAMESPACES }, (_, i) => `bench-pods-${i}`), APPLY_NAMESPACE];
  for (const name of namespaces) {
    expectStatus(await client.request('POST', '/api/v1/namespaces', JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } })), 201, 'create namespace');
  }
  const fillMeter = cpuMeter(pids);
  const fill = await closedLoop({
    concurrency: FILL_IN_FLIGHT,
    total: opts.pods,
    op: async (seq) => {
      const { namespace, body } = podBody(seq);
      expectStatus(await client.request('POST', `/api/v1/namespaces/${namespace}/pods`, body), 201, 'create pod');
    },
  });
  const fillSummary = summarize(fill);
  console.log(
    `fill: ${fill.ok.toLocaleString('en-US')} pods in ${(fill.wallMs / 1000).toFixed(1)} s = ${fmtRate(fillSummary.perSecond)}/s ` +
      `(${FILL_IN_FLIGHT} in flight, p50 ${fmtMs(fillSummary.p50)} ms, p99 ${fmtMs(fillSummary.p99)} ms) — CPU ${fmtCpu(fillMeter.read())}`,
  );
  printErrors('fill', fill);
  if (fill.errors > 0) throw new Error('the fill failed; figures over a partial fill would mislead');

  // ---- get pods -A
  const getArgs = ['get', 'pods', '-A'];
  const warm = await timed(k, [...getArgs, '-v=6'], pids); // untimed: fills the discovery cache, counts the pages
  const rows = warm.result.stdout.trim().split('\n').length - 1;
  const pages = [...warm.result.stderr.matchAll(/GET https:\/\/\S+\/api\/v1\/pods\?\S+ 200 OK in (\d+) milliseconds/g)].map((m) => Number(m[1]));
  // client-go's default rate limiter (5 requests/s, burst 10) logs every wait it imposes at -v=6.
  const throttled = [...warm.result.stderr.matchAll(/Waited for ([\d.]+)(ms|s) due to client-side throttling/g)].map((m) => Number(m[1]) * (m[2] === 's' ? 1000 : 1));
  if (rows !== opts.pods) throw new Error(`kubectl get pods -A printed ${rows} rows, expected ${opts.pods}`);
  const sum = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0);
  console.log(`\nkubectl get pods -A: ${rows.toLocaleString('en-US')} rows, ${(warm.result.stdout.length / 1024 / 1024).toFixed(1)} MiB of output, ${pages.length} list requests (pages of 500)`);
  console.log(
    `  where the time goes (untimed -v=6 run, ${fmtMs(warm.result.ms)} ms): the server answered the ${pages.length} pages in ${sum(pages)} ms in all; ` +
      `kubectl's client-side rate limiter held ${throttled.length} of them back for ${fmtMs(sum(throttled))} ms in all`,
  );
  const gets: Timed[] = [];
  for (let i = 0; i < opts.runs; i++) {
    const t = await timed(k, getArgs, pids);
    gets.push(t);
    console.log(`  run ${i + 1}: ${fmtMs(t.result.ms)} ms — ${fmtRunCpu(t)}`);
  }
  const getMs = gets.map((t) => t.result.ms);

  // ---- apply -f of a generated multi-kind file
  const file = await k.file('bench-apply.yaml', applyManifest(opts.objects));
  const applyArgs = ['apply', '-n', APPLY_NAMESPACE, '-f', file];
  const first = await timed(k, applyArgs, pids);
  const created = countLines(first.result.stdout, ' created');
  const second = await timed(k, applyArgs, pids);
  const unchanged = countLines(second.result.stdout, ' unchanged');
  if (created !== opts.objects) throw new Error(`first apply: ${created} of ${opts.objects} objects created\n${first.result.stdout.slice(0, 2000)}`);
  if (unchanged !== opts.objects) throw new Error(`second apply: ${unchanged} of ${opts.objects} objects unchanged\n${second.result.stdout.slice(0, 2000)}`);
  console.log(`\nkubectl apply -f (${opts.objects} objects: ConfigMaps, Deployments, Services)`);
  console.log(`  first run (all created):    ${fmtMs(first.result.ms)} ms — ${fmtRunCpu(first)}`);
  console.log(`  second run (all unchanged): ${fmtMs(second.result.ms)} ms — ${fmtRunCpu(second)}`);

  // ---- summary, in the README's format
  console.log('\n### kubectl\n');
  printTable(
    ['command', 'objects', 'min s', 'median s', 'runs'],
    [
      [`get pods -A`, opts.pods.toLocaleString('en-US'), (Math.min(...getMs) / 1000).toFixed(2), (median(getMs) / 1000).toFixed(2), String(opts.runs)],
      [`apply -f, first run (created)`, String(opts.objects), (first.result.ms / 1000).toFixed(2), '', '1'],
      [`apply -f, second run (unchanged)`, String(opts.objects), (second.result.ms / 1000).toFixed(2), '', '1'],
    ],
  );
  console.log(`\nper object: apply create ${fmtMs(first.result.ms / opts.objects)} ms, apply unchanged ${fmtMs(second.result.ms / opts.objects)} ms; get -A ${fmtMs((median(getMs) * 1000) / opts.pods)} µs per pod`);
  await cp.stop('SIGTERM', 60_000);
}

runMain('kubectl bench', main);
