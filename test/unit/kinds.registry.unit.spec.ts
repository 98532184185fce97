import { apiVersionOf, findByKind, findByPlural, resolveAlias, resourceTypes } from '../../actors/kinds/registry';

const byKind = (kind: string) => {
  const t = resourceTypes.find((r) => r.kind === kind);
  if (!t) throw new Error(`no ${kind}`);
  return t;
};

describe('kinds registry: the table', () => {
  it('holds exactly the twelve kinds skiff serves, each plural once', () => {
    expect(resourceTypes.map((t) => t.kind).sort()).toEqual(
      ['ConfigMap', 'Deployment', 'EndpointSlice', 'Endpoints', 'Event', 'IPAddress', 'Namespace', 'Node', 'Pod', 'ReplicaSet', 'Secret', 'Service'],
    );
    expect(new Set(resourceTypes.map((t) => `${t.group}/${t.plural}`)).size).toBe(resourceTypes.length);
  });

  it('describes EndpointSlice as discovery does (discovery.k8s.io/v1)', () => {
    expect(byKind('EndpointSlice')).toMatchObject({ group: 'discovery.k8s.io', version: 'v1', plural: 'endpointslices', singular: 'endpointslice', namespaced: true, shortNames: [], subresources: [] });
    expect(apiVersionOf(byKind('EndpointSlice'))).toBe('discovery.k8s.io/v1');
    expect(resolveAlias('ep')?.kind).toBe('Endpoints');
    expect(resolveAlias('endpointslices.discovery.k8s.io')?.kind).toBe('EndpointSlice');
  });

  it('describes Deployment as discovery does', () => {
    expect(byKind('Deployment')).toEqual({
      group: 'apps', version: 'v1', kind: 'Deployment', listKind: 'DeploymentList', plural: 'deployments', singular: 'deployment',
      shortNames: ['deploy'], namespaced: true, categories: ['all'], subresources: ['status', 'scale'],
      hasGeneration: true, hasStatus: true,
      verbs: ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'],
    });
  });

  it('makes IPAddress, Namespace and Node cluster-scoped and everything else namespaced', () => {
    const cluster = resourceTypes.filter((t) => !t.namespaced).map((t) => t.kind).sort();
    expect(cluster).toEqual(['IPAddress', 'Namespace', 'Node']);
  });

  it('uses Kubernetes short names', () => {
    const short = Object.fromEntries(resourceTypes.map((t) => [t.plural, t.shortNames]));
    expect(short).toEqual({
      namespaces: ['ns'], configmaps: ['cm'], secrets: [], pods: ['po'], deployments: ['deploy'],
      replicasets: ['rs'], services: ['svc'], endpoints: ['ep'], endpointslices: [], nodes: ['no'], events: ['ev'], ipaddresses: ['ip'],
    });
  });

  it('puts pods, deployments, replicasets and services (only) in the "all" category', () => {
    const all = resourceTypes.filter((t) => t.categories.includes('all')).map((t) => t.plural).sort();
    expect(all).toEqual(['deployments', 'pods', 'replicasets', 'services']);
  });

  it('lists the pod subresources kubectl uses', () => {
    expect([...byKind('Pod').subresources].sort()).toEqual(['attach', 'binding', 'eviction', 'exec', 'log', 'portforward', 'status']);
    expect(byKind('Namespace').subresources).toEqual(['status', 'finalize']);
    expect(byKind('ConfigMap').subresources).toEqual([]);
  });

  it('keeps metadata.generation only where the 1.32 strategies do (apps workloads)', () => {
    expect(resourceTypes.filter((t) => t.hasGeneration).map((t) => t.kind).sort()).toEqual(['Deployment', 'ReplicaSet']);
  });

  it('gives a status subresource to the kinds with a system-written status', () => {
    expect(resourceTypes.filter((t) => t.hasStatus).map((t) => t.kind).sort()).toEqual(
      ['Deployment', 'Namespace', 'Node', 'Pod', 'ReplicaSet', 'Service'],
    );
  });

  it('does not offer deletecollection on namespaces', () => {
    expect(byKind('Namespace').verbs).not.toContain('deletecollection');
    expect(byKind('Pod').verbs).toContain('deletecollection');
  });

  it('is frozen', () => {
    expect(Object.isFrozen(resourceTypes)).toBe(true);
    expect(Object.isFrozen(byKind('Pod'))).toBe(true);
    expect(Object.isFrozen(byKind('Pod').verbs)).toBe(true);
  });
});

describe('kinds registry: lookups', () => {
  it('apiVersionOf is "v1" for core and "apps/v1" for apps', () => {
    expect(apiVersionOf(byKind('Pod'))).toBe('v1');
    expect(apiVersionOf(byKind('ReplicaSet'))).toBe('apps/v1');
  });

  it('findByPlural needs the right group', () => {
    expect(findByPlural('apps', 'deployments')?.kind).toBe('Deployment');
    expect(findByPlural('', 'pods')?.kind).toBe('Pod');
    expect(findByPlural('', 'deployments')).toBeUndefined();
    expect(findByPlural('apps', 'pods')).toBeUndefined();
  });

  it('findByKind matches apiVersion and kind exactly', () => {
    expect(findByKind('apps/v1', 'Deployment')?.plural).toBe('deployments');
    expect(findByKind('v1', 'Event')?.plural).toBe('events');
    expect(findByKind('v1', 'Deployment')).toBeUndefined();
    expect(findByKind('apps/v1', 'deployment')).toBeUndefined();
    expect(findByKind('extensions/v1beta1', 'Deployment')).toBeUndefined();
  });

  it.each([
    ['pods', 'Pod'], ['pod', 'Pod'], ['po', 'Pod'], ['Pod', 'Pod'], ['PODS', 'Pod'],
    ['deployments', 'Deployment'], ['deploy', 'Deployment'], ['Deployment', 'Deployment'],
    ['deployments.apps', 'Deployment'], ['deployment.apps', 'Deployment'], ['deploy.apps', 'Deployment'],
    ['deployments.v1.apps', 'Deployment'], ['rs', 'ReplicaSet'], ['replicasets.apps', 'ReplicaSet'],
    ['svc', 'Service'], ['ns', 'Namespace'], ['no', 'Node'], ['nodes', 'Node'], ['cm', 'ConfigMap'],
    ['configmap', 'ConfigMap'], ['secret', 'Secret'], ['ev', 'Event'], [' events ', 'Event'], ['pods.v1.', 'Pod'], ['svc.', 'Service'],
  ])('resolveAlias(%j) is %s', (alias, kind) => {
    expect(resolveAlias(alias)?.kind).toBe(kind);
  });

  it.each(['', 'pods.apps', 'deployments.batch', 'deployments.v2.apps', 'ingresses', 'pods.v1'])('resolveAlias(%j) finds nothing', (alias) => {
    expect(resolveAlias(alias)).toBeUndefined();
  });
});
