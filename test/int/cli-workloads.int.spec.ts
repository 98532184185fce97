import { startTestCluster, until, type TestCluster } from '../harness/cluster';
import { runCli, type CliRun } from '../harness/process';

describe('skiff scale, rollout, cordon and drain on hollow nodes', () => {
  let c: TestCluster;
  const skiff = (...args: string[]): Promise<CliRun> => runCli(c.cp.kubeconfigPath, args);
  const ok = async (...args: string[]): Promise<string> => {
    const r = await skiff(...args);
    if (r.code !== 0) throw new Error(`skiff ${args.join(' ')} → ${r.code}\n${r.stdout}\n${r.stderr}`);
    return r.stdout;
  };

  beforeAll(async () => {
    c = await startTestCluster({ hollowNodes: 2, hollowStartDelayMs: 200 });
    const created = await c.call('POST', '/apis/apps/v1/namespaces/default/deployments', {
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' },
      spec: { replicas: 2, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'busybox:1.36' }] } } },
    });
    expect(created.status).toBe(201);
  });
  afterAll(async () => {
    await c.stop();
  });

  it('scale and rollout status', async () => {
    expect(await ok('scale', 'deployment/web', '--replicas=4')).toBe('deployment.apps/web scaled\n');
    expect(await ok('rollout', 'status', 'deployment/web', '--timeout=60s')).toContain('deployment "web" successfully rolled out');
    expect((await c.call('GET', '/apis/apps/v1/namespaces/default/deployments/web')).body.status.availableReplicas).toBe(4);
  }, 90_000);

  it('rollout history after an image change, undo, pause/resume, restart', async () => {
    await c.call('PATCH', '/apis/apps/v1/namespaces/default/deployments/web', { spec: { template: { spec: { containers: [{ name: 'web', image: 'busybox:1.37' }] } } } }, { contentType: 'application/strategic-merge-patch+json' });
    await ok('rollout', 'status', 'deployment/web', '--timeout=60s');
    expect(await ok('rollout', 'history', 'deployment/web')).toMatch(/REVISION\s+CHANGE-CAUSE\n1\s+<none>\n2\s+<none>/);
    expect(await ok('rollout', 'undo', 'deployment/web')).toBe('deployment.apps/web rolled back\n');
    await ok('rollout', 'status', 'deployment/web', '--timeout=60s');
    expect((await c.call('GET', '/apis/apps/v1/namespaces/default/deployments/web')).body.spec.template.spec.containers[0].image).toBe('busybox:1.36');
    expect(await ok('rollout', 'pause', 'deployment/web')).toBe('deployment.apps/web paused\n');
    const again = await skiff('rollout', 'pause', 'deployment/web');
    expect(again.code).not.toBe(0);
    expect(await ok('rollout', 'resume', 'deployment/web')).toBe('deployment.apps/web resumed\n');
    expect(await ok('rollout', 'restart', 'deployment/web')).toBe('deployment.apps/web restarted\n');
    await ok('rollout', 'status', 'deployment/web', '--timeout=60s');
  }, 120_000);

  it('cordon keeps new pods off a node; drain moves its pods; uncordon', async () => {
    expect(await ok('cordon', 'hollow-0')).toBe('node/hollow-0 cordoned\n');
    expect(await ok('cordon', 'hollow-0')).toBe('node/hollow-0 already cordoned\n');
    const drained = await ok('drain', 'hollow-0', '--timeout=60s');
    expect(drained).toContain('node/hollow-0 drained');
    const pods = await until(c, '/api/v1/namespaces/default/pods?labelSelector=app%3Dweb', (l) => l.items.length === 4 && l.items.every((p: any) => p.status.phase === 'Running'));
    expect(pods.items.every((p: any) => p.spec.nodeName === 'hollow-1')).toBe(true);
    expect((await c.call('GET', '/api/v1/nodes', undefined, { accept: 'application/json;as=Table;v=v1;g=meta.k8s.io' })).body.rows[0].cells[1]).toBe('Ready,SchedulingDisabled');
    expect(await ok('uncordon', 'hollow-0')).toBe('node/hollow-0 uncordoned\n');
  }, 120_000);

  it('bad input is one line and a non-zero exit', async () => {
    const r = await skiff('scale', 'deployment/web');
    expect(r.code).not.toBe(0);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  }, 30_000);
});
