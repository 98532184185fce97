import { startTestCluster, until, type TestCluster } from '../harness/cluster';

describe('node IPAM in the control plane', () => {
  let c: TestCluster;
  beforeAll(async () => {
    c = await startTestCluster({ hollowNodes: 3, hollowStartDelayMs: 100 });
  });
  afterAll(async () => {
    await c.stop();
  });

  it('gives each of 3 hollow nodes its own /24 of 10.244.0.0/16 and keeps it', async () => {
    const list = await until(c, '/api/v1/nodes', (l) => l.items.length === 3 && l.items.every((n: any) => n.spec?.podCIDR));
    // The nodes register concurrently, so which one is first is not fixed: the three lowest blocks, one each.
    const cidrs = list.items.map((n: any) => n.spec.podCIDRs);
    expect(cidrs.every((c: string[]) => c.length === 1)).toBe(true);
    expect(cidrs.map((c: string[]) => c[0]).sort()).toEqual(['10.244.0.0/24', '10.244.1.0/24', '10.244.2.0/24']);
    expect(list.items.every((n: any) => n.spec.podCIDR === n.spec.podCIDRs[0])).toBe(true);

    // Once set, it stays: the API refuses a change as Kubernetes does.
    const patched = await c.call('PATCH', '/api/v1/nodes/hollow-1', { spec: { podCIDR: '10.244.9.0/24', podCIDRs: ['10.244.9.0/24'] } }, { contentType: 'application/merge-patch+json' });
    expect(patched.status).toBe(422);
    expect(patched.body.message).toContain('node updates may not change podCIDR except from "" to valid');

    // A node registered later gets the next free block.
    const created = await c.call('POST', '/api/v1/nodes', { apiVersion: 'v1', kind: 'Node', metadata: { name: 'late' } });
    expect(created.status).toBe(201);
    const late = await until(c, '/api/v1/nodes/late', (n) => n.spec?.podCIDR);
    expect(late.spec.podCIDRs).toEqual(['10.244.3.0/24']);
  }, 60_000);
});
