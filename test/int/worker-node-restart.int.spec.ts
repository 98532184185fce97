import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { importBusyboxImage } from '../harness/busybox-image';
import { deleteAllPods, startTestCluster, until, type TestCluster } from '../harness/cluster';
import { netnsDirGuard, startTestContainerd, type TestContainerd } from '../harness/containerd';
import { spawnSkiff, type ControlPlaneProcess } from '../harness/process';

/** The node agent as its own process (`skiff node`), killed with SIGKILL while its pods run. */
const IMAGE = 'skiff.local/busybox:test';
const NODE = 'restarted-1';
/** The test's own bridge (the pod network runs in the machine's network namespace). */
const BRIDGE = `skr${randomBytes(4).toString('hex')}`;

describe('worker node agent killed -9 and restarted', () => {
  let containerd: TestContainerd;
  let c: TestCluster;
  let dataDir: string;
  let agent: ControlPlaneProcess | undefined;
  const releaseNetnsDir = netnsDirGuard();

  const startAgent = async (): Promise<ControlPlaneProcess> => {
    const p = spawnSkiff(['node', '--name', NODE, '--nats', c.nats.url, '--data-dir', dataDir,
      '--containerd-address', containerd.address, '--containerd-namespace', containerd.namespace, '--bridge', BRIDGE]);
    const deadline = Date.now() + 60_000;
    while (!p.output().includes('joined the cluster')) {
      if (p.child.exitCode !== null || Date.now() > deadline) throw new Error(`skiff node did not start:\n${p.output()}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    return p;
  };

  beforeAll(async () => {
    containerd = await startTestContainerd();
    await importBusyboxImage(containerd, IMAGE);
    dataDir = await mkdtemp(join(tmpdir(), 'skiff-node-'));
    c = await startTestCluster({ nodeGracePeriodMs: 60_000 });
    agent = await startAgent();
  }, 120_000);

  afterAll(async () => {
    if (c) await deleteAllPods(c).catch(() => undefined);
    if (agent && agent.child.exitCode === null) {
      agent.child.kill('SIGTERM');
      await agent.exited;
    }
    await c?.stop();
    await containerd?.cleanup();
    // Left after a failure: the bridge and the blackhole routes (a clean stop removes them).
    for (const args of [['link', 'delete', 'dev', BRIDGE], ['route', 'delete', 'blackhole', '10.244.0.0/16'], ['route', 'delete', 'blackhole', '10.96.0.0/12']]) {
      await new Promise<void>((ok) => execFile('ip', args, () => ok()));
    }
    await releaseNetnsDir();
    await rm(dataDir, { recursive: true, force: true });
  }, 120_000);

  it('adopts the same containers: no duplicates, no restarts, statuses right', async () => {
    const created = await c.call('POST', '/api/v1/namespaces/default/pods', {
      apiVersion: 'v1', kind: 'Pod', metadata: { name: 'survivor' },
      spec: { nodeName: NODE, containers: [
        { name: 'a', image: IMAGE, imagePullPolicy: 'Never', command: ['sleep', '3600'] },
        { name: 'b', image: IMAGE, imagePullPolicy: 'Never', command: ['sh', '-c', 'exit 0'] },
      ], restartPolicy: 'OnFailure' },
    });
    expect(created.status).toBe(201);
    const before = await until(c, '/api/v1/namespaces/default/pods/survivor', (p) =>
      p.status?.containerStatuses?.find((s: any) => s.name === 'a')?.state?.running && p.status.containerStatuses.find((s: any) => s.name === 'b')?.state?.terminated, 60_000);
    const idsBefore = before.status.containerStatuses.map((s: any) => s.containerID).sort();

    (agent as ControlPlaneProcess).child.kill('SIGKILL');
    await (agent as ControlPlaneProcess).exited;
    agent = await startAgent();

    // The new agent has looked at the pod (its resync runs at start) and reported nothing new.
    await new Promise((r) => setTimeout(r, 3_000));
    const after = (await c.call('GET', '/api/v1/namespaces/default/pods/survivor')).body;
    expect(after.status.containerStatuses.map((s: any) => s.containerID).sort()).toEqual(idsBefore);
    expect(after.status.containerStatuses.find((s: any) => s.name === 'a')).toMatchObject({ restartCount: 0, ready: true, state: { running: {} } });
    expect(after.status.containerStatuses.find((s: any) => s.name === 'b')).toMatchObject({ restartCount: 0, state: { terminated: { exitCode: 0, reason: 'Completed' } } });
    // Its pod IP (saved IPAM state, same owner) stays the same.
    expect(before.status.podIP).toMatch(/^10\.244\./);
    expect(after.status.podIP).toBe(before.status.podIP);
    const listed = await containerd.ctr.run(['containers', 'ls', '-q']);
    expect(listed.stdout.split('\n').filter(Boolean)).toHaveLength(2);
  }, 120_000);
});
