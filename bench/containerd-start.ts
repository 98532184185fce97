/**
 * Container start latency on containerd: skiff's runtime (image present, then start → running)
 * against a raw `ctr run -d` of the same image, and a pod start (its network namespace + one
 * container). Goal of the real-worker-node issue: pod start p99 ≤ 1 s and ≤ 1.5× raw `ctr run -d`.
 *
 *   npx tsx bench/containerd-start.ts [--runs 10]
 *
 * Starts its own containerd (temp dir, own socket), builds a busybox image on the spot, and removes
 * every container, netns and dir it made. Series are interleaved so drift hits them alike. Needs root.
 * Prints the figures; asserts nothing.
 */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { ContainerdRuntime } from '../runtime/containerd/containerd-runtime';
import { ensureSandbox, removeSandbox } from '../runtime/containerd/sandbox';
import { importArchive } from '../runtime/containerd/images';
import { buildBusyboxImage } from '../test/harness/busybox-image';
import { netnsDirGuard, startTestContainerd } from '../test/harness/containerd';
import { fmtMs, fmtRatio, percentile, printTable, register, runMain } from './lib';

const IMAGE = 'docker.io/skiff/bench-busybox:1';

runMain('containerd-start', async () => {
  const { values } = parseArgs({ options: { runs: { type: 'string', default: '10' } } });
  const runs = Number(values.runs);
  const releaseNetnsDir = netnsDirGuard();
  register({ label: '/run/netns', close: releaseNetnsDir, closeSync: () => undefined });
  const env = await startTestContainerd();
  register({ label: 'containerd', close: () => env.cleanup(), closeSync: () => undefined });
  await importArchive(env.ctr, (await buildBusyboxImage(env.dataDir, { name: IMAGE })).archive);
  const rt = await ContainerdRuntime.open({ address: env.address, namespace: env.namespace, logRoot: join(env.dataDir, 'logs') });
  register({ label: 'runtime', close: () => rt.close(), closeSync: () => undefined });

  const series = { skiff: [] as number[], raw: [] as number[], pod: [] as number[] };
  const container = { name: 'c', image: IMAGE, command: ['sleep', '300'] };
  for (let i = -2; i < runs; i++) {
    // skiff: ensureImage (present) + start, resolved when the task runs.
    const p = { uid: randomUUID(), namespace: 'bench', name: `p${i}` };
    let t0 = performance.now();
    await rt.ensureImage(IMAGE, 'IfNotPresent');
    const c = await rt.start({ pod: p, container, attempt: 0, init: false });
    const skiffMs = performance.now() - t0;

    // raw: the same image and process through ctr alone.
    const rawId = `raw-${i + 2}`;
    t0 = performance.now();
    await run(env.ctr.binary, env.ctr.argv(['run', '-d', IMAGE, rawId, 'sleep', '300']));
    const rawMs = performance.now() - t0;

    // pod: its network namespace (loopback up) + the container in it.
    const uid = randomUUID();
    t0 = performance.now();
    const sandbox = await ensureSandbox(uid, { prefix: 'skiff-bench-' });
    register({ label: `netns ${sandbox.name}`, close: () => removeSandbox(sandbox.name), closeSync: () => undefined });
    const pc = await rt.start({ pod: { uid, namespace: 'bench', name: `pod${i}`, netnsPath: sandbox.path }, container, attempt: 0, init: false });
    const podMs = performance.now() - t0;

    if (i >= 0) {
      series.skiff.push(skiffMs);
      series.raw.push(rawMs);
      series.pod.push(podMs);
    }
    // Clean up outside the measured parts.
    for (const id of [c.id, pc.id]) await rt.remove(id);
    await run(env.ctr.binary, env.ctr.argv(['tasks', 'delete', '--force', rawId]));
    await run(env.ctr.binary, env.ctr.argv(['containers', 'delete', rawId]));
    await removeSandbox(sandbox.name);
  }

  const stats = (xs: number[]) => {
    const sorted = Float64Array.from(xs).sort();
    return { p50: percentile(sorted, 50), p90: percentile(sorted, 90), p99: percentile(sorted, 99), max: sorted[sorted.length - 1] };
  };
  const raw = stats(series.raw);
  console.log(`\n${runs} runs each (after 2 warm-up runs), ms:`);
  printTable(
    ['series', 'p50', 'p90', 'p99', 'max', 'p50 / raw p50'],
    (Object.keys(series) as (keyof typeof series)[]).map((k) => {
      const s = stats(series[k]);
      return [k === 'skiff' ? 'skiff ensureImage + start' : k === 'raw' ? 'raw ctr run -d' : 'pod: netns + start', fmtMs(s.p50), fmtMs(s.p90), fmtMs(s.p99), fmtMs(s.max), fmtRatio(s.p50 / raw.p50)];
    }),
  );
});

function run(binary: string, args: readonly string[]): Promise<void> {
  return new Promise((ok, fail) => execFile(binary, args, (err, _o, stderr) => (err ? fail(new Error(stderr || err.message)) : ok())));
}
