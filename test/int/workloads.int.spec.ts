import { startTestCluster, until, type TestCluster } from '../harness/cluster';
import { createKubectl, requireKubectl, type Kubectl } from '../harness/kubectl';

const deployment = (name: string, replicas: number, image: string) => ({
  apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name },
  spec: { replicas, selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'web', image, resources: { requests: { cpu: '100m', memory: '64Mi' } } }] } } },
});


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

describe('rollouts with stock kubectl on hollow nodes', () => {
  let c: TestCluster;
  let k: Kubectl;
  beforeAll(async () => {
    requireKubectl();
    c = await startTestCluster({ hollowNodes: 3, hollowStartDelayMs: 300 });
    k = await createKubectl(c.cp.kubeconfigPath);
  });
  afterAll(async () => {
    await k?.cleanup();
    await c?.stop();
  });

  it('rolling update never drops below what maxUnavailable allows; rollout status/history/undo/restart work', async () => {
    expect((await c.call('POST', '/apis/apps/v1/namespaces/default/deployments', deployment('roll', 8, 'busybox:1.36'))).status).toBe(201);
    expect((await k.ok(['rollout', 'status', 'deployment/roll', '--timeout=60s'])).stdout).toContain('deployment "roll" successfully rolled out');

    // Watch the Deployment through the update: available replicas never below 8 - 2 (25% of 8, rounded down).
    const from = (await c.call('GET', '/apis/apps/v1/namespaces/default/deployments/roll')).body.metadata.resourceVersion;
    const watching = c.watch(`/apis/apps/v1/namespaces/default/deployments?watch=true&resourceVersion=${from}&fieldSelector=metadata.name%3Droll`, (e) => {
      const s = e.at(-1)?.object.status;
      return s?.updatedReplicas === 8 && s?.availableReplicas === 8 && s?.replicas === 8 && e.length > 2;
    }, { timeoutMs: 60_000 });
    await k.ok(['patch', 'deployment', 'roll', '-p', '{"spec":{"template":{"spec":{"containers":[{"name":"web","image":"busybox:1.37"}]}}}}']);
    const seen = await watching;
    const floor = Math.min(...seen.map((e) => e.object.status?.availableReplicas ?? 8));
    expect(floor).toBeGreaterThanOrEqual(6);
    expect(Math.max(...seen.map((e) => e.object.status?.replicas ?? 0))).toBeLessThanOrEqual(10);
    expect((await k.ok(['rollout', 'status', 'deployment/roll', '--timeout=60s'])).stdout).toContain('successfully rolled out');

    const history = (await k.ok(['rollout', 'history', 'deployment/roll'])).stdout;
    expect(history).toMatch(/REVISION\s+CHANGE-CAUSE\n1\s+<none>\n2\s+<none>/);

    expect((await k.ok(['rollout', 'undo', 'deployment/roll'])).stdout).toBe('deployment.apps/roll rolled back\n');
    await k.ok(['rollout', 'status', 'deployment/roll', '--timeout=60s']);
    const undone = (await c.call('GET', '/apis/apps/v1/namespaces/default/deployments/roll')).body;
    expect(undone.spec.template.spec.containers[0].image).toBe('busybox:1.36');
    expect(undone.metadata.annotations['deployment.kubernetes.io/revision']).toBe('3');

    expect((await k.ok(['rollout', 'restart', 'deployment/roll'])).stdout).toBe('deployment.apps/roll restarted\n');
    await k.ok(['rollout', 'status', 'deployment/roll', '--timeout=60s']);
    const rs = (await c.call('GET', '/apis/apps/v1/namespaces/default/replicasets?labelSelector=app%3Droll')).body.items;
    expect(rs.filter((r: any) => r.spec.replicas > 0)).toHaveLength(1);
    expect(rs.map((r: any) => r.metadata.annotations['deployment.kubernetes.io/revision']).sort()).toEqual(['2', '3', '4']);
  }, 180_000);

  it('kubectl scale, then delete with cascading: ReplicaSets and Pods go too', async () => {
    expect((await k.ok(['scale', 'deployment/roll', '--replicas=3'])).stdout).toBe('deployment.apps/roll scaled\n');
    await k.ok(['rollout', 'status', 'deployment/roll', '--timeout=60s']);
    expect((await c.call('GET', '/api/v1/namespaces/default/pods?labelSelector=app%3Droll')).body.items).toHaveLength(3);
    await k.ok(['delete', 'deployment', 'roll']);
    await until(c, '/api/v1/namespaces/default/pods?labelSelector=app%3Droll', (l) => l.items.length === 0);
    await until(c, '/apis/apps/v1/namespaces/default/replicasets?labelSelector=app%3Droll', (l) => l.items.length === 0);
  }, 120_000);
});

describe('deletion propagation on hollow nodes', () => {
  let c: TestCluster;
  beforeAll(async () => {
    c = await startTestCluster({ hollowNodes: 2, hollowStartDelayMs: 100 });
  });
  afterAll(async () => {
    await c.stop();
  });

  const running = async (name: string) => {
    expect((await c.call('POST', '/apis/apps/v1/namespaces/default/deployments', deployment(name, 3, 'busybox:1.36'))).status).toBe(201);
    await until(c, `/apis/apps/v1/namespaces/default/deployments/${name}`, (o) => o.status?.availableReplicas === 3);
  };

  it('foreground: the Deployment waits, with foregroundDeletion, until its ReplicaSet and Pods are gone', async () => {
    await running('fg');
    const del = await c.call('DELETE', '/apis/apps/v1/namespaces/default/deployments/fg', { propagationPolicy: 'Foreground' });
    expect(del.status).toBe(200);
    expect(del.body.metadata.finalizers).toContain('foregroundDeletion');
    expect(del.body.metadata.deletionTimestamp).toBeDefined();
    await until(c, '/api/v1/namespaces/default/pods?labelSelector=app%3Dfg', (l) => l.items.length === 0);
    await until(c, '/apis/apps/v1/namespaces/default/replicasets?labelSelector=app%3Dfg', (l) => l.items.length === 0);
    await until(c, '/apis/apps/v1/namespaces/default/deployments?fieldSelector=metadata.name%3Dfg', (l) => l.items.length === 0);
  }, 60_000);

  it('orphan: the Deployment goes, its ReplicaSet and Pods stay, detached', async () => {
    await running('orph');
    const del = await c.call('DELETE', '/apis/apps/v1/namespaces/default/deployments/orph', { propagationPolicy: 'Orphan' });
    expect(del.status).toBe(200);
    await until(c, '/apis/apps/v1/namespaces/default/deployments?fieldSelector=metadata.name%3Dorph', (l) => l.items.length === 0);
    const rs = await until(c, '/apis/apps/v1/namespaces/default/replicasets?labelSelector=app%3Dorph', (l) => l.items.length === 1 && !l.items[0].metadata.ownerReferences);
    expect(rs.items[0].spec.replicas).toBe(3);
    await new Promise((r) => setTimeout(r, 500));
    expect((await c.call('GET', '/api/v1/namespaces/default/pods?labelSelector=app%3Dorph')).body.items).toHaveLength(3);
  }, 60_000);
});

describe('pod anti-affinity on hollow nodes', () => {
  let c: TestCluster;
  beforeAll(async () => {
    c = await startTestCluster({ hollowNodes: 3, hollowStartDelayMs: 100 });
  });
  afterAll(async () => {
    await c.stop();
  });

  it('spreads replicas one per node, and a fourth waits with the scheduler\'s reason', async () => {
    const spec = deployment('spread', 4, 'busybox:1.36');
    (spec.spec.template.spec as Record<string, unknown>).affinity = {
      podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { app: 'spread' } }, topologyKey: 'kubernetes.io/hostname' }] },
    };
    expect((await c.call('POST', '/apis/apps/v1/namespaces/default/deployments', spec)).status).toBe(201);
    const pods = await until(c, '/api/v1/namespaces/default/pods?labelSelector=app%3Dspread', (l) =>
      l.items.length === 4 && l.items.filter((p: any) => p.status.phase === 'Running').length === 3 &&
      l.items.some((p: any) => p.status.conditions?.some((x: any) => x.type === 'PodScheduled' && x.status === 'False')));
    const placed = pods.items.filter((p: any) => p.spec.nodeName).map((p: any) => p.spec.nodeName).sort();
    expect(placed).toEqual(['hollow-0', 'hollow-1', 'hollow-2']);
    const waiting = pods.items.find((p: any) => !p.spec.nodeName);
    expect(waiting.status.conditions.find((x: any) => x.type === 'PodScheduled').message).toMatch(/^0\/3 nodes are available: 3 node\(s\) didn't match pod anti-affinity rules\./);
  }, 60_000);
});
