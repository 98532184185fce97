import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { startTestCluster, until, type TestCluster } from '../harness/cluster';

const BIN = resolve(__dirname, '..', '..', 'bin', 'skiff');


describe('skiff node --hollow joins an existing cluster', () => {
  let c: TestCluster;
  beforeAll(async () => {
    c = await startTestCluster();
  });
  afterAll(async () => {
    await c.stop();
  });

  it('registers from its own process, runs the pods bound to it, and stops cleanly on SIGTERM', async () => {
    const child = spawn(process.execPath, [BIN, 'node', '--hollow', '--name', 'joiner', '--nats', c.nats.url, '--start-delay', '100'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((ok) => child.once('exit', (code) => ok(code)));
    try {
      await until(c, '/api/v1/nodes/joiner', (n) => n.status.conditions.some((x: any) => x.type === 'Ready' && x.status === 'True'));
      expect((await c.call('POST', '/api/v1/namespaces/default/pods', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'visitor' }, spec: { containers: [{ name: 'c', image: 'busybox:1.36' }] } })).status).toBe(201);
      const pod = await until(c, '/api/v1/namespaces/default/pods/visitor', (p) => p.status?.phase === 'Running');
      expect(pod.spec.nodeName).toBe('joiner');
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      expect(out).toContain('node joiner (hollow) joined the cluster');
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      await exited;
    }
  }, 90_000);

  it('says what is missing, in one line, with a non-zero exit', async () => {
    const child = spawn(process.execPath, [BIN, 'node', '--hollow', '--name', 'x'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const code = await new Promise<number | null>((ok) => child.once('exit', (c2) => ok(c2)));
    expect(code).not.toBe(0);
    expect(err.trim().split('\n')).toEqual(["error: skiff node needs --nats URL (the cluster's NATS server, printed by skiff up)"]);
  }, 30_000);
});
