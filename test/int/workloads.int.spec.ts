import { startTestCluster, type TestCluster } from '../harness/cluster';

const deployment = (name: string, replicas: number, image: string) => ({
  apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name },
  spec: { replicas, selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'web', image, resources: { requests: { cpu: '100m', memory: '64Mi' } } }] } } },
});

async function until(c: TestCluster, path: string, done: (o: any) => boolean, timeoutMs = 60_000): Promise<any> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const r = await c.call('GET', path);
    if (r.status === 200 && done(r.body)) return r.body;
    if (Date.now() > deadline) throw new Error(`timed out waiting on ${path}: ${JSON.stringify(r.body?.status ?? r.body).slice(0, 800)}`);
    await new Promise((res) => setTimeout(res, 200));
  }
}

describe('workloads on hollow nodes', () => {
  let c: TestCluster;
  beforeAll(async () => {
    c = await startTestCluster({ hollowNodes: 5, hollowStartDelayMs: 100 });
  });
  afterAll(async () => {
    await c.stop();
  });

  it('a Deployment of 30 replicas on 5 nodes converges: ReplicaSet, pods scheduled across nodes, Running, available', async () => {
    expect((await c.call('POST', '/apis/apps/v1/namespaces/default/deployments', deployment('web', 30, 'busybox:1.36'))).status).toBe(201);
    const d = await until(c, '/apis/apps/v1/namespaces/default/deployments/web', (o) => o.status?.availableReplicas === 30 && o.status?.observedGeneration === o.metadata.generation);
    expect(d.status).toMatchObject({ replicas: 30, updatedReplicas: 30, readyReplicas: 30, availableReplicas: 30 });
    expect(d.metadata.annotations['deployment.kubernetes.io/revision']).toBe('1');
    const rs = (await c.call('GET', '/apis/apps/v1/namespaces/default/replicasets?labelSelector=app%3Dweb')).body.items;
    expect(rs).toHaveLength(1);
    expect(rs[0].metadata.name).toMatch(/^web-[a-z0-9]+$/);
    expect(rs[0].metadata.ownerReferences[0]).toMatchObject({ kind: 'Deployment', name: 'web', controller: true });
    const pods = (await c.call('GET', '/api/v1/namespaces/default/pods?labelSelector=app%3Dweb')).body.items;
    expect(pods).toHaveLength(30);
    expect(pods.every((p: any) => p.status.phase === 'Running')).toBe(true);
    const perNode = new Map<string, number>();
    for (const p of pods) perNode.set(p.spec.nodeName, (perNode.get(p.spec.nodeName) ?? 0) + 1);
    expect(perNode.size).toBe(5);
    expect(Math.max(...perNode.values()) - Math.min(...perNode.values())).toBeLessThanOrEqual(2);
  }, 120_000);

  it('replaces a deleted pod (self-healing)', async () => {
    const pods = (await c.call('GET', '/api/v1/namespaces/default/pods?labelSelector=app%3Dweb')).body.items;
    const victim = pods[0];
    expect((await c.call('DELETE', `/api/v1/namespaces/default/pods/${victim.metadata.name}`)).status).toBe(200);
    // Pod names come from the ReplicaSet and a free slot, so the replacement may reuse the name: it is a new pod (new uid).
    await until(c, '/api/v1/namespaces/default/pods?labelSelector=app%3Dweb', (l) => l.items.length === 30 && l.items.every((p: any) => p.status.phase === 'Running') && !l.items.some((p: any) => p.metadata.uid === victim.metadata.uid));
  }, 60_000);

  it('keeps an impossible pod Pending with the scheduler\'s message', async () => {
    const r = await c.call('POST', '/api/v1/namespaces/default/pods', {
      apiVersion: 'v1', kind: 'Pod', metadata: { name: 'huge' }, spec: { containers: [{ name: 'c', image: 'busybox:1.36', resources: { requests: { cpu: '64' } } }] },
    });
    expect(r.status).toBe(201);
    const pod = await until(c, '/api/v1/namespaces/default/pods/huge', (o) => o.status?.conditions?.some((x: any) => x.type === 'PodScheduled' && x.status === 'False'));
    const cond = pod.status.conditions.find((x: any) => x.type === 'PodScheduled');
    expect(cond.reason).toBe('Unschedulable');
    expect(cond.message).toMatch(/^0\/5 nodes are available: 5 Insufficient cpu\./);
  }, 60_000);
});
