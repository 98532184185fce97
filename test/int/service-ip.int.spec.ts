import { contains, parseCidr, parseIPv4 } from '../../netd/cidr';
import { startTestCluster, until, type TestCluster } from '../harness/cluster';

const service = (name: string, spec: Record<string, unknown> = {}) => ({
  apiVersion: 'v1', kind: 'Service', metadata: { name },
  spec: { selector: { app: name }, ports: [{ port: 80 }], ...spec },
});

const SERVICES = '/api/v1/namespaces/default/services';
const IPS = '/apis/networking.k8s.io/v1/ipaddresses';
const serviceCidr = parseCidr('10.96.0.0/12');

describe('Service ClusterIPs, claimed as IPAddress objects', () => {
  let c: TestCluster;
  beforeAll(async () => {
    c = await startTestCluster({ workloadControllers: false });
  });
  afterAll(async () => {
    await c?.stop();
  });

  it('a ClusterIP Service gets an address from 10.96.0.0/12, held by an IPAddress naming it', async () => {
    const r = await c.call('POST', SERVICES, service('alpha'));
    expect(r.status).toBe(201);
    const ip = r.body.spec.clusterIP as string;
    expect(contains(serviceCidr, parseIPv4(ip))).toBe(true);
    expect(ip).not.toBe('10.96.0.1');
    expect(r.body.spec.clusterIPs).toEqual([ip]);
    expect((await c.call('GET', `${SERVICES}/alpha`)).body.spec.clusterIP).toBe(ip);
    const addr = await c.call('GET', `${IPS}/${ip}`);
    expect(addr.status).toBe(200);
    expect(addr.body.spec.parentRef).toEqual({ group: '', resource: 'services', namespace: 'default', name: 'alpha' });
  });

  it('two Services get different addresses', async () => {
    const a = await c.call('POST', SERVICES, service('beta'));
    const b = await c.call('POST', SERVICES, service('gamma'));
    expect([a.status, b.status]).toEqual([201, 201]);
    expect(a.body.spec.clusterIP).not.toBe(b.body.spec.clusterIP);
  });

  it('a requested clusterIP is honoured; a second Service asking for it gets 422', async () => {
    const a = await c.call('POST', SERVICES, service('fixed', { clusterIP: '10.96.0.5' }));
    expect(a.status).toBe(201);
    expect(a.body.spec.clusterIP).toBe('10.96.0.5');
    expect((await c.call('GET', `${IPS}/10.96.0.5`)).body.spec.parentRef.name).toBe('fixed');
    const b = await c.call('POST', SERVICES, service('fixed2', { clusterIP: '10.96.0.5' }));
    expect(b.status).toBe(422);
    expect(b.body.message).toContain('spec.clusterIPs: Invalid value: []string{"10.96.0.5"}: failed to allocate IP 10.96.0.5: provided IP is already allocated');
    expect((await c.call('GET', `${SERVICES}/fixed2`)).status).toBe(404);
  });

  it('a headless Service gets none, and a failed create gives its address back', async () => {
    const before = (await c.call('GET', IPS)).body.items.length;
    const h = await c.call('POST', SERVICES, service('headless', { clusterIP: 'None' }));
    expect(h.status).toBe(201);
    expect(h.body.spec.clusterIP).toBe('None');
    const bad = await c.call('POST', SERVICES, { apiVersion: 'v1', kind: 'Service', metadata: { name: 'noports' }, spec: {} });
    expect(bad.status).toBe(422);
    expect((await c.call('GET', IPS)).body.items.length).toBe(before);
  });

  it('deleting the Service releases its IPAddress', async () => {
    const ip = (await c.call('GET', `${SERVICES}/alpha`)).body.spec.clusterIP;
    expect((await c.call('DELETE', `${SERVICES}/alpha`)).status).toBe(200);
    await until(c, IPS, (l) => !l.items.some((i: any) => i.metadata.name === ip), 30_000);
    expect((await c.call('GET', `${IPS}/${ip}`)).status).toBe(404);
  }, 40_000);
});
