import { planEndpoints, type Endpoints } from '../../actors/controllers/endpoints.plan';
import { MAX_ENDPOINTS_PER_SLICE, planEndpointSlices, type EndpointSlice, type SliceViews } from '../../actors/controllers/endpointslice.plan';
import type { EndpointPod, Service, ServicePort } from '../../actors/controllers/services';
import { rfc3339 } from '../../actors/ids';
import type { KubeObject } from '../../actors/kinds/types';
import type { Plan } from '../../actors/reconcile/plan';
import { T0 } from './controllers.fixtures';

type ServiceOptions = { ports?: ServicePort[]; clusterIP?: string; publishNotReadyAddresses?: boolean; selector?: Record<string, string>; type?: string; labels?: Record<string, string> };

function service(options: ServiceOptions = {}): Service {
  const { ports = [{ name: 'http', protocol: 'TCP', port: 80, targetPort: 8080 }], selector = { app: 'web' }, labels, ...rest } = options;
  return {
    apiVersion: 'v1', kind: 'Service',
    metadata: { name: 'web', namespace: 'default', uid: 'uid-svc-web', ...(labels ? { labels } : {}) },
    spec: { type: 'ClusterIP', clusterIP: '10.96.0.10', selector, ports, ...rest },
  };
}

type PodOptions = { ready?: boolean; terminating?: boolean; phase?: string; ip?: string | null; node?: string; containerPorts?: { name?: string; containerPort: number; protocol?: string }[] };

function pod(i: number, options: PodOptions = {}): EndpointPod {
  const { ready = true, terminating = false, phase = 'Running', ip = `198.18.0.${i}`, node = 'node-1', containerPorts } = options;
  const name = `web-${String(i).padStart(3, '0')}`;
  return {
    apiVersion: 'v1', kind: 'Pod',
    metadata: { name, namespace: 'default', uid: `uid-${name}`, labels: { app: 'web' }, ...(terminating ? { deletionTimestamp: rfc3339(T0) } : {}) },
    spec: { nodeName: node, containers: [{ name: 'web', image: 'nginx', ...(containerPorts ? { ports: containerPorts } : {}) }] },
    status: {
      phase: phase as 'Running',
      ...(ip ? { podIP: ip, podIPs: [{ ip }] } : {}),
      conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }],
    },
  };
}

const ref = (i: number) => {
  const name = `web-${String(i).padStart(3, '0')}`;
  return { kind: 'Pod', namespace: 'default', name, uid: `uid-${name}` };
};
const address = (i: number) => ({ ip: `198.18.0.${i}`, nodeName: 'node-1', targetRef: ref(i) });
const only = (plan: Plan) => {
  expect(plan.commands).toHaveLength(1);
  return plan.commands[0];
};
const written = (plan: Plan): KubeObject => {
  const payload = only(plan).payload;
  if (payload.op !== 'create' && payload.op !== 'replace') throw new Error(`expected a write, got ${payload.op}`);
  return payload.object;
};
/** What the API would store: the written object with a uid and resourceVersion. */
const stored = <T extends KubeObject>(o: KubeObject): T => ({ ...o, metadata: { ...o.metadata, uid: `uid-${o.metadata.name}`, resourceVersion: '7' } }) as T;

describe('endpoints plan', () => {
  it('ready pods → addresses, not-ready → notReadyAddresses, one subset for the shared port; terminal, address-less and terminating pods left out', () => {
    const pods = [pod(1), pod(2, { ready: false }), pod(3, { phase: 'Succeeded' }), pod(4, { ip: null }), pod(5, { terminating: true }), pod(6)];
    const ep = written(planEndpoints(service(), undefined, pods));
    expect(ep).toEqual({
      apiVersion: 'v1', kind: 'Endpoints', metadata: { name: 'web', namespace: 'default' },
      subsets: [{ addresses: [address(1), address(6)], notReadyAddresses: [address(2)], ports: [{ name: 'http', port: 8080, protocol: 'TCP' }] }],
    });
  });

  it('a named targetPort resolves per pod; a pod without that port is left out of that port\'s subset (RepackSubsets groups by address set)', () => {
    const svc = service({ ports: [{ name: 'http', protocol: 'TCP', port: 80, targetPort: 'web' }, { name: 'metrics', protocol: 'TCP', port: 9000, targetPort: 9090 }] });
    const pods = [pod(1, { containerPorts: [{ name: 'web', containerPort: 8080 }] }), pod(2, { containerPorts: [{ name: 'web', containerPort: 8081 }] }), pod(3)];
    const ep = written(planEndpoints(svc, undefined, pods)) as Endpoints;
    expect(ep.subsets).toEqual([
      { addresses: [address(1)], ports: [{ name: 'http', port: 8080, protocol: 'TCP' }] },
      { addresses: [address(2)], ports: [{ name: 'http', port: 8081, protocol: 'TCP' }] },
      { addresses: [address(1), address(2), address(3)], ports: [{ name: 'metrics', port: 9090, protocol: 'TCP' }] },
    ]);
  });

  it('several ports offered by the same pods share one subset', () => {
    const svc = service({ ports: [{ name: 'http', protocol: 'TCP', port: 80, targetPort: 8080 }, { name: 'dns', protocol: 'UDP', port: 53, targetPort: 5353 }] });
    const ep = written(planEndpoints(svc, undefined, [pod(1), pod(2)])) as Endpoints;
    expect(ep.subsets).toEqual([{ addresses: [address(1), address(2)], ports: [{ name: 'dns', port: 5353, protocol: 'UDP' }, { name: 'http', port: 8080, protocol: 'TCP' }] }]);
  });

  it('publishNotReadyAddresses: every pod, terminating ones too, is a ready address', () => {
    const ep = written(planEndpoints(service({ publishNotReadyAddresses: true }), undefined, [pod(1, { ready: false }), pod(2, { terminating: true })])) as Endpoints;
    expect(ep.subsets).toEqual([{ addresses: [address(1), address(2)], ports: [{ name: 'http', port: 8080, protocol: 'TCP' }] }]);
  });

  it('a headless service without ports gets its addresses without ports, and the headless label beside the service\'s own', () => {
    const ep = written(planEndpoints(service({ clusterIP: 'None', ports: [], labels: { tier: 'front' } }), undefined, [pod(1)])) as Endpoints;
    expect(ep.metadata.labels).toEqual({ tier: 'front', 'service.kubernetes.io/headless': '' });
    expect(ep.subsets).toEqual([{ addresses: [address(1)] }]);
  });

  it('no pods → an Endpoints without subsets; ExternalName and selector-less services → nothing', () => {
    expect(written(planEndpoints(service(), undefined, []))).toEqual({ apiVersion: 'v1', kind: 'Endpoints', metadata: { name: 'web', namespace: 'default' } });
    expect(planEndpoints(service({ type: 'ExternalName' }), undefined, [pod(1)]).commands).toEqual([]);
    expect(planEndpoints(service({ selector: {} }), undefined, [pod(1)]).commands).toEqual([]);
  });

  it('converged → no commands; a change → one replace carrying the resourceVersion read', () => {
    const existing = stored<Endpoints>(written(planEndpoints(service(), undefined, [pod(1)])));
    expect(planEndpoints(service(), existing, [pod(1)]).commands).toEqual([]);
    const next = only(planEndpoints(service(), existing, [pod(1), pod(2, { ready: false })]));
    expect(next.payload).toMatchObject({ op: 'replace', target: 'main', object: { metadata: { resourceVersion: '7', uid: 'uid-web' } } });
    expect(next.reason).toBe('the pods Service web selects changed: its Endpoints now hold 1 ready and 1 not-ready addresses');
  });

  it('the Service deleted → its Endpoints deleted (uid precondition); nothing left → nothing to do', () => {
    const existing = stored<Endpoints>(written(planEndpoints(service(), undefined, [pod(1)])));
    expect(only(planEndpoints(undefined, existing, [])).payload).toEqual({ op: 'delete', options: { preconditions: { uid: 'uid-web' } } });
    expect(planEndpoints(undefined, undefined, []).commands).toEqual([]);
  });
});

const views = (pods: EndpointPod[], slices: EndpointSlice[] = []): SliceViews => ({ pods, slices, taken: new Set(slices.map((s) => s.metadata.name ?? '')) });
const slicesOf = (plan: Plan) => plan.commands.flatMap((c) => (c.payload.op === 'create' || c.payload.op === 'replace' ? [c.payload.object as EndpointSlice] : []));
/** Runs passes, applying writes the way the store would, until nothing is planned; returns the slices. */
function converge(svc: Service, pods: EndpointPod[], start: EndpointSlice[] = []): EndpointSlice[] {
  let slices = start;
  for (let pass = 0; pass < 5; pass++) {
    const plan = planEndpointSlices(svc, views(pods, slices));
    if (plan.commands.length === 0) return slices;
    const byName = new Map(slices.map((s) => [s.metadata.name ?? '', s]));
    for (const c of plan.commands) {
      if (c.payload.op === 'delete') byName.delete(c.ref.name);
      else if (c.payload.op === 'create' || c.payload.op === 'replace') byName.set(c.ref.name, stored<EndpointSlice>(c.payload.object));
    }
    slices = [...byName.values()];
  }
  throw new Error('did not converge');
}

describe('endpointslice plan', () => {
  it('one slice named <service>-<5 chars>, owned by the Service, with the managed-by and service-name labels and an endpoint per pod', () => {
    const plan = planEndpointSlices(service(), views([pod(1), pod(2, { ready: false }), pod(3, { terminating: true }), pod(4, { phase: 'Failed' })]));
    const [slice] = slicesOf(plan);
    expect(plan.commands).toHaveLength(1);
    expect(slice.metadata).toEqual({
      name: expect.stringMatching(/^web-[bcdfghjklmnpqrstvwxz2456789]{5}$/), generateName: 'web-', namespace: 'default',
      labels: { 'kubernetes.io/service-name': 'web', 'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io' },
      ownerReferences: [{ apiVersion: 'v1', kind: 'Service', name: 'web', uid: 'uid-svc-web', controller: true, blockOwnerDeletion: true }],
    });
    expect(slice.addressType).toBe('IPv4');
    expect(slice.ports).toEqual([{ name: 'http', protocol: 'TCP', port: 8080 }]);
    expect(slice.endpoints).toEqual([
      { addresses: ['198.18.0.1'], conditions: { ready: true, serving: true, terminating: false }, targetRef: ref(1), nodeName: 'node-1' },
      { addresses: ['198.18.0.2'], conditions: { ready: false, serving: false, terminating: false }, targetRef: ref(2), nodeName: 'node-1' },
      { addresses: ['198.18.0.3'], conditions: { ready: false, serving: true, terminating: true }, targetRef: ref(3), nodeName: 'node-1' },
    ]);
    expect(planEndpointSlices(service(), views([pod(1)]))).toEqual(planEndpointSlices(service(), views([pod(1)])));
  });

  it('publishNotReadyAddresses: ready even when not Ready or terminating; serving still says Ready', () => {
    const [slice] = slicesOf(planEndpointSlices(service({ publishNotReadyAddresses: true }), views([pod(1, { ready: false }), pod(2, { terminating: true })])));
    expect(slice.endpoints?.map((e) => e.conditions)).toEqual([{ ready: true, serving: false, terminating: false }, { ready: true, serving: true, terminating: true }]);
  });

  it('pods resolving a named port differently get one slice per port set', () => {
    const svc = service({ ports: [{ name: 'http', protocol: 'TCP', port: 80, targetPort: 'web' }] });
    const pods = [pod(1, { containerPorts: [{ name: 'web', containerPort: 8080 }] }), pod(2, { containerPorts: [{ name: 'web', containerPort: 8081 }] }), pod(3)];
    const slices = slicesOf(planEndpointSlices(svc, views(pods)));
    expect(slices.map((s) => [s.ports, s.endpoints?.map((e) => e.targetRef.name)])).toEqual([
      [[{ name: 'http', protocol: 'TCP', port: 8080 }], ['web-001']],
      [[{ name: 'http', protocol: 'TCP', port: 8081 }], ['web-002']],
      [[], ['web-003']],
    ]);
    expect(new Set(slices.map((s) => s.metadata.name)).size).toBe(3);
  });

  it('headless without ports: endpoints with no ports, and the headless label', () => {
    const [slice] = slicesOf(planEndpointSlices(service({ clusterIP: 'None', ports: [] }), views([pod(1)])));
    expect(slice.ports).toEqual([]);
    expect(slice.metadata.labels?.['service.kubernetes.io/headless']).toBe('');
    expect(slice.endpoints).toHaveLength(1);
  });

  it(`more than ${MAX_ENDPOINTS_PER_SLICE} endpoints → several slices of at most ${MAX_ENDPOINTS_PER_SLICE}, then converged`, () => {
    const pods = Array.from({ length: 250 }, (_, i) => pod(i + 1, { ip: `198.18.${Math.floor((i + 1) / 256)}.${(i + 1) % 256}` }));
    const slices = converge(service(), pods);
    expect(slices.map((s) => s.endpoints?.length)).toEqual([100, 100, 50]);
    expect(new Set(slices.flatMap((s) => s.endpoints?.map((e) => e.targetRef.uid))).size).toBe(250);
    expect(planEndpointSlices(service(), views(pods, slices)).commands).toEqual([]);
  });

  it('scaling down keeps endpoints where they are and deletes slices left empty; to zero keeps one empty placeholder', () => {
    const pods = Array.from({ length: 150 }, (_, i) => pod(i + 1, { ip: `198.18.1.${i + 1}` }));
    const two = converge(service(), pods);
    expect(two.map((s) => s.endpoints?.length)).toEqual([100, 50]);
    const fewer = pods.filter((p) => two[0].endpoints?.some((e) => e.targetRef.uid === p.metadata.uid)).slice(0, 10);
    const plan = planEndpointSlices(service(), views(fewer, two));
    expect(plan.commands.map((c) => c.payload.op).sort()).toEqual(['delete', 'replace']);
    const none = converge(service(), [], two);
    expect(none).toHaveLength(1);
    expect(none[0].endpoints).toEqual([]);
    expect(none[0].ports).toEqual([]);
  });

  it('a readiness change rewrites just that endpoint; converged → no commands', () => {
    const slices = converge(service(), [pod(1), pod(2)]);
    expect(planEndpointSlices(service(), views([pod(1), pod(2)], slices)).commands).toEqual([]);
    const [next] = slicesOf(planEndpointSlices(service(), views([pod(1), pod(2, { ready: false })], slices)));
    expect(next.metadata.name).toBe(slices[0].metadata.name);
    expect(next.metadata.resourceVersion).toBe('7');
    expect(next.endpoints?.map((e) => e.conditions.ready)).toEqual([true, false]);
  });

  it('new names avoid taken ones', () => {
    const first = slicesOf(planEndpointSlices(service(), views([pod(1)])))[0].metadata.name ?? '';
    const plan = planEndpointSlices(service(), { pods: [pod(1)], slices: [], taken: new Set([first]) });
    expect(slicesOf(plan)[0].metadata.name).not.toBe(first);
  });

  it('the Service deleted, ExternalName or without a selector → nothing (the garbage collector removes owned slices)', () => {
    const slices = converge(service(), [pod(1)]);
    expect(planEndpointSlices(undefined, views([pod(1)], slices)).commands).toEqual([]);
    expect(planEndpointSlices(service({ type: 'ExternalName' }), views([pod(1)])).commands).toEqual([]);
    expect(planEndpointSlices(service({ selector: {} }), views([pod(1)])).commands).toEqual([]);
  });
});
