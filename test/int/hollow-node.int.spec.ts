import { startTestCluster, type TestCluster } from '../harness/cluster';

describe('hollow nodes', () => {
  let c: TestCluster;
  beforeAll(async () => {
    c = await startTestCluster({ hollowNodes: 2, hollowStartDelayMs: 200 });
  });
  afterAll(async () => {
    await c.stop();
  });

  it('register their Nodes, Ready, with capacity and addresses', async () => {
    const nodes = (await c.call('GET', '/api/v1/nodes')).body.items;
    expect(nodes.map((n: { metadata: { name: string } }) => n.metadata.name)).toEqual(['hollow-0', 'hollow-1']);
    expect(nodes[0].status.capacity).toEqual({ cpu: '8', memory: '32Gi', pods: '110' });
    expect(nodes[0].status.conditions.find((x: { type: string }) => x.type === 'Ready').status).toBe('True');
    const table = await c.call('GET', '/api/v1/nodes', undefined, { accept: 'application/json;as=Table;v=v1;g=meta.k8s.io' });
    expect(table.body.rows[0].cells.slice(0, 2)).toEqual(['hollow-0', 'Ready']);
  });

  it('run a pod bound to them: Pending → Running, with container statuses', async () => {
    const created = await c.call('POST', '/api/v1/namespaces/default/pods', {
      apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p1' }, spec: { nodeName: 'hollow-1', containers: [{ name: 'c', image: 'busybox:1.36' }] },
    });
    expect(created.status).toBe(201);
    expect(created.body.status.phase).toBe('Pending');
    const events = await c.watch(`/api/v1/namespaces/default/pods?watch=true&resourceVersion=${created.body.metadata.resourceVersion}`, (e) => e.some((x) => x.object.status?.phase === 'Running'));
    const running = events.find((x) => x.object.status?.phase === 'Running').object;
    expect(running.status.containerStatuses[0]).toMatchObject({ name: 'c', ready: true, started: true });
    expect(running.status.hostIP).toBe('192.0.2.2');
    const row = await c.call('GET', '/api/v1/namespaces/default/pods/p1', undefined, { accept: 'application/json;as=Table;v=v1;g=meta.k8s.io' });
    expect(row.body.rows[0].cells.slice(0, 3)).toEqual(['p1', '1/1', 'Running']);
  });
});
