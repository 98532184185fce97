import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { importBusyboxImage } from '../harness/busybox-image';
import { deleteAllPods, startTestCluster, until, type TestCluster } from '../harness/cluster';
import { netnsDirGuard, startTestContainerd, type TestContainerd } from '../harness/containerd';
import { get } from 'node:http';
import { runCli, SKIFF_BIN, spawnSkiff } from '../harness/process';
import { spawnInPty } from '../harness/pty';

/**
 * A real worker node: the control plane runs one beside it (as `skiff up` does), on a containerd
 * the test starts itself, with a busybox image built here. Pods go through real containers.
 */
const IMAGE = 'skiff.local/busybox:test';
const NODE = 'worker-1';
/** The test's own bridge (the pod network runs in the machine's network namespace). */
const BRIDGE = `skw${randomBytes(4).toString('hex')}`;

describe('worker node on containerd', () => {
  let containerd: TestContainerd;
  let c: TestCluster;
  let scratch: string;
  const releaseNetnsDir = netnsDirGuard();

  beforeAll(async () => {
    containerd = await startTestContainerd();
    await importBusyboxImage(containerd, IMAGE);
    scratch = await mkdtemp(join(tmpdir(), 'skiff-worker-'));
    c = await startTestCluster({ workerNode: { name: NODE, containerdAddress: containerd.address, containerdNamespace: containerd.namespace, bridgeName: BRIDGE } });
    await until(c, `/api/v1/nodes/${NODE}`, (n) => n.status?.conditions?.some((x: any) => x.type === 'Ready' && x.status === 'True'));
  }, 120_000);

  afterAll(async () => {
    // Pods first, so the node tears down their containers and namespaces itself.
    if (c) await deleteAllPods(c).catch(() => undefined);
    await c?.stop();
    await containerd?.cleanup();
    // Left after a failure: the bridge and the blackhole routes (a clean stop removes them).
    for (const args of [['link', 'delete', 'dev', BRIDGE], ['route', 'delete', 'blackhole', '10.244.0.0/16'], ['route', 'delete', 'blackhole', '10.96.0.0/12']]) {
      await new Promise<void>((ok) => execFile('ip', args, () => ok()));
    }
    await releaseNetnsDir();
    await rm(scratch, { recursive: true, force: true });
  }, 120_000);

  const pod = (name: string, spec: Record<string, unknown>) => ({
    apiVersion: 'v1', kind: 'Pod', metadata: { name },
    spec: { nodeName: NODE, terminationGracePeriodSeconds: 2, ...spec },
  });
  const create = async (body: unknown) => expect((await c.call('POST', '/api/v1/namespaces/default/pods', body)).status).toBe(201);
  const sh = (name: string, script: string, extra: Record<string, unknown> = {}) => ({ name, image: IMAGE, imagePullPolicy: 'Never', command: ['sh', '-c', script], ...extra });
  const podPath = (name: string) => `/api/v1/namespaces/default/pods/${name}`;
  const status = (p: any, name: string) => p.status?.containerStatuses?.find((s: any) => s.name === name);

  it('registers the machine as a Node with its real capacity', async () => {
    const node = (await c.call('GET', `/api/v1/nodes/${NODE}`)).body;
    expect(Number(node.status.capacity.cpu)).toBeGreaterThan(0);
    expect(node.status.capacity.memory).toMatch(/^\d+Ki$/);
    expect(node.status.nodeInfo.containerRuntimeVersion).toMatch(/^containerd:\/\/\d/);
  });

  it('runs a two-container pod whose second container reaches the first on localhost', async () => {
    await create(pod('pair', {
      containers: [
        sh('server', 'mkdir -p /www && echo hello-from-server > /www/index.html && exec httpd -f -p 8080 -h /www'),
        sh('client', 'until wget -q -O /tmp/got http://127.0.0.1:8080/; do sleep 0.2; done; exec sleep 3600', {
          readinessProbe: { exec: { command: ['grep', '-q', 'hello-from-server', '/tmp/got'] }, periodSeconds: 1 },
        }),
      ],
    }));
    const running = await until(c, podPath('pair'), (p) => p.status?.conditions?.some((x: any) => x.type === 'Ready' && x.status === 'True'), 60_000);
    expect(running.status.phase).toBe('Running');
    expect(status(running, 'server')).toMatchObject({ ready: true, started: true, restartCount: 0, state: { running: {} } });
    expect(status(running, 'client').containerID).toMatch(/^containerd:\/\//);
  }, 90_000);

  it('restarts a container that exits 1 with back-off: restartCount grows, CrashLoopBackOff shown', async () => {
    await create(pod('crasher', { containers: [sh('c', 'echo crashing; exit 1')] }));
    const looping = await until(c, podPath('crasher'), (p) => status(p, 'c')?.state?.waiting?.reason === 'CrashLoopBackOff', 60_000);
    const s = status(looping, 'c');
    expect(s.restartCount).toBeGreaterThanOrEqual(1);
    expect(s.lastState.terminated).toMatchObject({ exitCode: 1, reason: 'Error' });
    expect(s.state.waiting.message).toMatch(/^back-off \d+s restarting failed container=c pod=crasher_default\(/);
    const events = (await c.call('GET', '/api/v1/namespaces/default/events?fieldSelector=involvedObject.name%3Dcrasher')).body.items;
    expect(events.map((e: any) => e.reason)).toEqual(expect.arrayContaining(['Created', 'Started', 'BackOff']));
  }, 90_000);

  it('a failing liveness probe restarts the container; a failing readiness probe keeps the pod not Ready', async () => {
    await create(pod('probed', {
      containers: [
        sh('live', 'exec sleep 3600', { livenessProbe: { exec: { command: ['test', '-e', '/tmp/never'] }, periodSeconds: 1, failureThreshold: 1 } }),
        sh('unready', 'exec sleep 3600', { readinessProbe: { exec: { command: ['false'] }, periodSeconds: 1 } }),
      ],
    }));
    const restarted = await until(c, podPath('probed'), (p) => (status(p, 'live')?.restartCount ?? 0) >= 1, 60_000);
    expect(restarted.status.conditions.find((x: any) => x.type === 'Ready')).toMatchObject({ status: 'False', reason: 'ContainersNotReady' });
    expect(status(restarted, 'unready').ready).toBe(false);
    const events = (await c.call('GET', '/api/v1/namespaces/default/events?fieldSelector=involvedObject.name%3Dprobed')).body.items;
    expect(events.some((e: any) => e.reason === 'Unhealthy' && e.message.startsWith('Liveness probe failed'))).toBe(true);
    expect(events.some((e: any) => e.reason === 'Killing' && e.message === 'Container live failed liveness probe, will be restarted')).toBe(true);
  }, 90_000);

  it('a container past its memory limit is OOMKilled, shown in lastState', async () => {
    await create(pod('hog', { containers: [sh('hog', 'head -c 128m /dev/zero | tail', { resources: { limits: { memory: '16Mi' } } })] }));
    const killed = await until(c, podPath('hog'), (p) => status(p, 'hog')?.lastState?.terminated?.reason === 'OOMKilled', 60_000);
    expect(status(killed, 'hog').lastState.terminated.exitCode).toBe(137);
  }, 90_000);

  it('delete runs preStop, then SIGTERM, and honours the grace period for a container that ignores it', async () => {
    const record = join(scratch, 'lifecycle');
    await create(pod('polite', {
      terminationGracePeriodSeconds: 10,
      volumes: [{ name: 'out', hostPath: { path: scratch, type: 'Directory' } }],
      containers: [sh('c', "trap 'echo TERM >> /out/lifecycle; exit 0' TERM; while true; do sleep 0.1; done", {
        volumeMounts: [{ name: 'out', mountPath: '/out' }],
        lifecycle: { preStop: { exec: { command: ['sh', '-c', 'echo preStop >> /out/lifecycle'] } } },
      })],
    }));
    await create(pod('stubborn', { terminationGracePeriodSeconds: 3, containers: [sh('c', "trap '' TERM; while true; do sleep 0.1; done")] }));
    await until(c, podPath('polite'), (p) => status(p, 'c')?.state?.running);
    await until(c, podPath('stubborn'), (p) => status(p, 'c')?.state?.running);

    expect((await c.call('DELETE', podPath('polite'))).status).toBe(200);
    await until(c, '/api/v1/namespaces/default/pods', (l) => !l.items.some((p: any) => p.metadata.name === 'polite'), 30_000);
    expect((await readFile(record, 'utf8')).split('\n').filter(Boolean)).toEqual(['preStop', 'TERM']);

    const asked = Date.now();
    expect((await c.call('DELETE', podPath('stubborn'))).status).toBe(200);
    const terminating = (await c.call('GET', podPath('stubborn'))).body;
    expect(terminating.metadata.deletionGracePeriodSeconds).toBe(3);
    await until(c, '/api/v1/namespaces/default/pods', (l) => !l.items.some((p: any) => p.metadata.name === 'stubborn'), 30_000);
    expect(Date.now() - asked).toBeGreaterThanOrEqual(2_900);
  }, 90_000);

  it('env from a ConfigMap and a ConfigMap volume reach the container; a missing ConfigMap is CreateContainerConfigError', async () => {
    expect((await c.call('POST', '/api/v1/namespaces/default/configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings' }, data: { greeting: 'hi-there' } })).status).toBe(201);
    await create(pod('configured', {
      volumes: [{ name: 'cfg', configMap: { name: 'settings' } }],
      containers: [sh('c', 'exec sleep 3600', {
        env: [{ name: 'GREETING', valueFrom: { configMapKeyRef: { name: 'settings', key: 'greeting' } } }],
        volumeMounts: [{ name: 'cfg', mountPath: '/etc/cfg' }],
        readinessProbe: { exec: { command: ['sh', '-c', 'test "$GREETING" = hi-there && grep -q hi-there /etc/cfg/greeting'] }, periodSeconds: 1 },
      })],
    }));
    await until(c, podPath('configured'), (p) => status(p, 'c')?.ready === true, 60_000);

    await create(pod('misconfigured', { containers: [sh('c', 'exec sleep 3600', { env: [{ name: 'X', valueFrom: { configMapKeyRef: { name: 'absent', key: 'k' } } }] })] }));
    const waiting = await until(c, podPath('misconfigured'), (p) => status(p, 'c')?.state?.waiting?.reason === 'CreateContainerConfigError', 30_000);
    expect(status(waiting, 'c').state.waiting.message).toBe('configmap "absent" not found');
  }, 90_000);

  it('logs: the container\'s output, -f streams new lines; exec returns the command\'s exit code; exec -it is a terminal', async () => {
    await create(pod('talker', { containers: [sh('c', 'echo line-1; echo line-2; i=3; while true; do sleep 0.3; echo line-$i; i=$((i+1)); done')] }));
    await until(c, podPath('talker'), (p) => status(p, 'c')?.state?.running);
    const skiff = (...args: string[]) => runCli(c.cp.kubeconfigPath, args, 60_000);

    const log = await c.call('GET', `${podPath('talker')}/log?tailLines=100`, undefined, { accept: '*/*' });
    expect(log.status).toBe(200);
    expect(String(log.body)).toMatch(/^line-1\nline-2\n/);

    const follow = spawnInPty(process.execPath, [SKIFF_BIN, '--kubeconfig', c.cp.kubeconfigPath, 'logs', '-f', 'talker'], { env: process.env });
    try {
      await follow.waitForOutput((o) => /line-(\d+)/.test(o) && Math.max(...[...o.matchAll(/line-(\d+)/g)].map((m) => Number(m[1]))) >= 8, 30_000);
    } finally {
      await follow.stop();
    }

    const exec = await skiff('exec', 'talker', '--', 'sh', '-c', 'echo out; echo err >&2; exit 3');
    expect(exec).toMatchObject({ code: 3, stdout: 'out\n' });
    expect(exec.stderr).toContain('err\n');
    expect(exec.stderr).toContain('command terminated with exit code 3');

    const t = spawnInPty(process.execPath, [SKIFF_BIN, '--kubeconfig', c.cp.kubeconfigPath, 'exec', '-it', 'talker', '--', 'sh'], { env: process.env, cols: 90, rows: 20 });
    try {
      t.write('stty size; echo sum=$((40+2))\r');
      await t.waitForOutput((o) => o.includes('20 90') && o.includes('sum=42'), 30_000);
      t.write('exit 5\r');
      expect(await t.exited).toBe(5);
    } finally {
      await t.stop();
    }
  }, 120_000);

  it('init containers run first, in order; a Secret volume and an httpGet readiness probe inside the pod\'s namespace work', async () => {
    expect((await c.call('POST', '/api/v1/namespaces/default/secrets', { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'token' }, stringData: { value: 's3cret' } })).status).toBe(201);
    await create(pod('initialized', {
      volumes: [{ name: 'work', emptyDir: {} }, { name: 'token', secret: { secretName: 'token' } }],
      initContainers: [
        sh('first', 'echo first >> /work/order', { volumeMounts: [{ name: 'work', mountPath: '/work' }] }),
        sh('second', 'echo second >> /work/order', { volumeMounts: [{ name: 'work', mountPath: '/work' }] }),
      ],
      containers: [sh('web', 'mkdir -p /www && cp /work/order /www/order && cp /token/value /www/token && exec httpd -f -p 8080 -h /www', {
        volumeMounts: [{ name: 'work', mountPath: '/work' }, { name: 'token', mountPath: '/token' }],
        readinessProbe: { httpGet: { path: '/token', port: 8080 }, periodSeconds: 1 },
      })],
    }));
    const ready = await until(c, podPath('initialized'), (p) => status(p, 'web')?.ready === true, 60_000);
    expect(ready.status.initContainerStatuses.map((s: any) => [s.name, s.state.terminated?.reason])).toEqual([['first', 'Completed'], ['second', 'Completed']]);
    const exec = await runCli(c.cp.kubeconfigPath, ['exec', 'initialized', '--', 'sh', '-c', 'cat /www/order /www/token'], 60_000);
    expect(exec).toMatchObject({ code: 0, stdout: 'first\nsecond\ns3cret' });
  }, 90_000);

  it('an image that is not there with imagePullPolicy Never: ErrImageNeverPull, as the kubelet says it', async () => {
    await create(pod('imageless', { containers: [{ name: 'c', image: 'skiff.local/absent:1', imagePullPolicy: 'Never' }] }));
    const waiting = await until(c, podPath('imageless'), (p) => status(p, 'c')?.state?.waiting?.reason === 'ErrImageNeverPull', 30_000);
    expect(status(waiting, 'c').state.waiting.message).toBe('Container image "skiff.local/absent:1" is not present with pull policy of Never');
  }, 60_000);

  it('port-forward reaches a pod\'s web server (pods have loopback only: the node relays inside its namespace)', async () => {
    await create(pod('pf-web', { containers: [sh('httpd', 'mkdir -p /www && echo served-by-pod > /www/index.html && exec httpd -f -p 8080 -h /www')] }));
    await until(c, podPath('pf-web'), (p) => status(p, 'httpd')?.state?.running);
    const forward = spawnSkiff(['--kubeconfig', c.cp.kubeconfigPath, 'port-forward', 'pf-web', ':8080']);
    try {
      const deadline = Date.now() + 30_000;
      let port: number | undefined;
      while (!(port = Number(/Forwarding from 127\.0\.0\.1:(\d+) -> 8080/.exec(forward.output())?.[1]) || undefined)) {
        if (Date.now() > deadline || forward.child.exitCode !== null) throw new Error(`port-forward did not start:\n${forward.output()}`);
        await new Promise((r) => setTimeout(r, 100));
      }
      const body = await new Promise<string>((ok, fail) => {
        get({ host: '127.0.0.1', port, path: '/' }, (res) => {
          let text = '';
          res.on('data', (d: Buffer) => (text += d.toString()));
          res.on('end', () => ok(text));
        }).on('error', fail);
      });
      expect(body).toBe('served-by-pod\n');
    } finally {
      forward.child.kill('SIGTERM');
      await forward.exited;
    }
  }, 90_000);
});
