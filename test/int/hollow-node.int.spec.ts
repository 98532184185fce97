import { startTestCluster, type TestCluster } from '../harness/cluster';

describe('hollow nodes', () => {
  let c: TestCluster;
  beforeAll(async () => {
    // A stop delay keeps deleted pods Terminating long enough to look at them.
    c = await startTestCluster({ hollowNodes: 2, hollowStartDelayMs: 200, hollowStopDelayMs: 3_000 });
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

  it('stop a deleted pod as a kubelet does: Terminating for its grace, Killing per container, then gone', async () => {
    const created = await c.call('POST', '/api/v1/namespaces/default/pods', {
      apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p2' },
      spec: { nodeName: 'hollow-0', containers: [{ name: 'web', image: 'busybox:1.36' }, { name: 'sidecar', image: 'busybox:1.36' }] },
    });
    const from = created.body.metadata.resourceVersion;
    await c.watch(`/api/v1/namespaces/default/pods?watch=true&fieldSelector=metadata.name%3Dp2&resourceVersion=${from}`, (e) => e.some((x) => x.object.status?.phase === 'Running'));

    const deleted = await c.call('DELETE', '/api/v1/namespaces/default/pods/p2', { kind: 'DeleteOptions', apiVersion: 'v1' });
    expect(deleted.status).toBe(200);
    expect(deleted.body.metadata.deletionGracePeriodSeconds).toBe(30);
    const deadline = Date.parse(deleted.body.metadata.deletionTimestamp);
    expect(deadline - Date.now()).toBeGreaterThan(25_000);
    const row = await c.call('GET', '/api/v1/namespaces/default/pods/p2', undefined, { accept: 'application/json;as=Table;v=v1;g=meta.k8s.io' });
    expect(row.body.rows[0].cells.slice(0, 3)).toEqual(['p2', '2/2', 'Terminating']);
    // The same DELETE again changes nothing and answers with the pod.
    const again = await c.call('DELETE', '/api/v1/namespaces/default/pods/p2');
    expect(again.body.metadata).toMatchObject({ deletionTimestamp: deleted.body.metadata.deletionTimestamp, resourceVersion: deleted.body.metadata.resourceVersion });

    const events = await c.watch(`/api/v1/namespaces/default/pods?watch=true&fieldSelector=metadata.name%3Dp2&resourceVersion=${deleted.body.metadata.resourceVersion}`, (e) => e.some((x) => x.type === 'DELETED'), { timeoutMs: 20_000 });
    const stopped = events.find((x) => x.object.status?.phase === 'Succeeded')?.object;
    expect(stopped.metadata.deletionTimestamp).toBe(deleted.body.metadata.deletionTimestamp);
    expect(stopped.status.containerStatuses.map((s: { state: object }) => s.state)).toEqual([
      { terminated: expect.objectContaining({ exitCode: 0, reason: 'Completed' }) },
      { terminated: expect.objectContaining({ exitCode: 0, reason: 'Completed' }) },
    ]);
    expect((await c.call('GET', '/api/v1/namespaces/default/pods/p2')).status).toBe(404);

    const all = (await c.call('GET', '/api/v1/namespaces/default/events')).body.items as { involvedObject: { name: string; uid: string }; reason: string; message: string; source: { component: string } }[];
    const killing = all.filter((e) => e.involvedObject.name === 'p2' && e.reason === 'Killing');
    expect(killing.map((e) => [e.message, e.source.component, e.involvedObject.uid]).sort()).toEqual([
      ['Stopping container sidecar', 'kubelet', created.body.metadata.uid],
      ['Stopping container web', 'kubelet', created.body.metadata.uid],
    ]);
  });

  it('a shorter grace period moves the deletionTimestamp earlier; --force (grace 0) removes a running pod at once', async () => {
    const created = await c.call('POST', '/api/v1/namespaces/default/pods', {
      apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p3' }, spec: { nodeName: 'hollow-1', terminationGracePeriodSeconds: 600, containers: [{ name: 'c', image: 'busybox:1.36' }] },
    });
    await c.watch(`/api/v1/namespaces/default/pods?watch=true&fieldSelector=metadata.name%3Dp3&resourceVersion=${created.body.metadata.resourceVersion}`, (e) => e.some((x) => x.object.status?.phase === 'Running'));
    expect((await c.call('DELETE', '/api/v1/namespaces/default/pods/p3?gracePeriodSeconds=soon')).status).toBe(400);
    const first = await c.call('DELETE', '/api/v1/namespaces/default/pods/p3');
    expect(first.body.metadata.deletionGracePeriodSeconds).toBe(600);
    const shorter = await c.call('DELETE', '/api/v1/namespaces/default/pods/p3?gracePeriodSeconds=60');
    expect(shorter.body.metadata.deletionGracePeriodSeconds).toBe(60);
    expect(Date.parse(first.body.metadata.deletionTimestamp) - Date.parse(shorter.body.metadata.deletionTimestamp)).toBe(540_000);
    const forced = await c.call('DELETE', '/api/v1/namespaces/default/pods/p3', { kind: 'DeleteOptions', apiVersion: 'v1', gracePeriodSeconds: 0 });
    expect(forced.body).toMatchObject({ kind: 'Status', status: 'Success' });
    expect((await c.call('GET', '/api/v1/namespaces/default/pods/p3')).status).toBe(404);
  });
});
