import { startTestCluster, until, type TestCluster } from '../harness/cluster';

const deployment = (name: string, replicas: number) => ({
  apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name },
  spec: {
    replicas, selector: { matchLabels: { app: name } },
    template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'web', image: 'busybox:1.36', ports: [{ name: 'http', containerPort: 8080 }] }] } },
  },
});

const service = (name: string) => ({
  apiVersion: 'v1', kind: 'Service', metadata: { name, labels: { team: 'a' } },
  spec: { selector: { app: name }, ports: [{ name: 'web', port: 80, targetPort: 'http' }] },
});

const SLICES = '/apis/discovery.k8s.io/v1/namespaces/default/endpointslices?labelSelector=kubernetes.io%2Fservice-name%3Dweb';

describe('Endpoints and EndpointSlices on hollow nodes', () => {
  let c: TestCluster;
  beforeAll(async () => {
    c = await startTestCluster({ hollowNodes: 2, hollowStartDelayMs: 100 });
  });
  afterAll(async () => {
    await c?.stop();
  });

  it('a Deployment of 3 and a Service → Endpoints with 3 ready addresses and one EndpointSlice of 3 ready endpoints', async () => {
    expect((await c.call('POST', '/apis/apps/v1/namespaces/default/deployments', deployment('web', 3))).status).toBe(201);
    expect((await c.call('POST', '/api/v1/namespaces/default/services', service('web'))).status).toBe(201);
    const pods = (await until(c, '/api/v1/namespaces/default/pods?labelSelector=app%3Dweb', (l) => l.items.length === 3 && l.items.every((p: any) => p.status.podIP))).items;
    const ips = pods.map((p: any) => p.status.podIP).sort();

    const ep = await until(c, '/api/v1/namespaces/default/endpoints/web', (e) => e.subsets?.[0]?.addresses?.length === 3);
    expect(ep.metadata.labels).toEqual({ team: 'a' });
    expect(ep.subsets).toHaveLength(1);
    expect(ep.subsets[0].ports).toEqual([{ name: 'web', port: 8080, protocol: 'TCP' }]);
    expect(ep.subsets[0].addresses.map((a: any) => a.ip).sort()).toEqual(ips);
    expect(ep.subsets[0].addresses[0].targetRef).toMatchObject({ kind: 'Pod', namespace: 'default' });

    const slices = (await until(c, SLICES, (l) => l.items.length === 1 && l.items[0].endpoints?.filter((e: any) => e.conditions.ready).length === 3)).items;
    const slice = slices[0];
    expect(slice.metadata.name).toMatch(/^web-[a-z0-9]{5}$/);
    expect(slice.metadata.labels).toEqual({ team: 'a', 'kubernetes.io/service-name': 'web', 'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io' });
    expect(slice.metadata.ownerReferences).toEqual([expect.objectContaining({ apiVersion: 'v1', kind: 'Service', name: 'web', controller: true })]);
    expect(slice.addressType).toBe('IPv4');
    expect(slice.ports).toEqual([{ name: 'web', port: 8080, protocol: 'TCP' }]);
    expect(slice.endpoints.map((e: any) => e.addresses[0]).sort()).toEqual(ips);

    const table = await c.call('GET', '/api/v1/namespaces/default/endpoints/web', undefined, { accept: 'application/json;as=Table;g=meta.k8s.io;v=v1' });
    expect(table.body.columnDefinitions.map((col: any) => col.name)).toEqual(['Name', 'Endpoints', 'Age']);
    expect(table.body.rows[0].cells[1]).toBe(ips.map((ip: string) => `${ip}:8080`).join(','));
  }, 60_000);

  it('scaling to 0 empties them: Endpoints without subsets, one empty placeholder slice', async () => {
    expect((await c.call('PATCH', '/apis/apps/v1/namespaces/default/deployments/web', { spec: { replicas: 0 } }, { contentType: 'application/merge-patch+json' })).status).toBe(200);
    await until(c, '/api/v1/namespaces/default/endpoints/web', (e) => e.subsets === undefined);
    const slices = (await until(c, SLICES, (l) => l.items.length === 1 && (l.items[0].endpoints ?? []).length === 0)).items;
    expect(slices[0].ports ?? []).toEqual([]);
  }, 60_000);

  it('deleting the Service removes its Endpoints and, through ownerReferences, its slices', async () => {
    expect((await c.call('DELETE', '/api/v1/namespaces/default/services/web')).status).toBe(200);
    await until(c, SLICES, (l) => l.items.length === 0);
    await until(c, '/api/v1/namespaces/default/endpoints', (l) => !l.items.some((e: any) => e.metadata.name === 'web'));
  }, 60_000);
});
