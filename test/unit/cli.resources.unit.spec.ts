import type { ApiResource } from '../../gateways/client';
import { parseTargets, resolveKind, resolveTargets } from '../../cli/resources';

const r = (group: string, version: string, plural: string, kind: string, shortNames: string[] = [], categories: string[] = [], namespaced = true): ApiResource => ({
  group,
  version,
  plural,
  kind,
  namespaced,
  singular: kind.toLowerCase(),
  shortNames,
  categories,
  verbs: ['get', 'list'],
  subresources: [],
});

// Discovery order: core first, then groups, preferred version first.
const discovery: readonly ApiResource[] = [
  r('', 'v1', 'pods', 'Pod', ['po'], ['all']),
  r('', 'v1', 'services', 'Service', ['svc'], ['all']),
  r('', 'v1', 'configmaps', 'ConfigMap', ['cm']),
  r('', 'v1', 'secrets', 'Secret'),
  r('', 'v1', 'namespaces', 'Namespace', ['ns'], [], false),
  r('', 'v1', 'nodes', 'Node', ['no'], [], false),
  r('', 'v1', 'events', 'Event', ['ev']),
  r('apps', 'v1', 'deployments', 'Deployment', ['deploy'], ['all']),
  r('apps', 'v1', 'replicasets', 'ReplicaSet', ['rs'], ['all']),
  r('events.k8s.io', 'v1', 'events', 'Event', ['ev']),
  r('example.dev', 'v2', 'widgets', 'Widget', ['wd'], ['all']),
  r('example.dev', 'v1', 'widgets', 'Widget', ['wd'], ['all']),
];

const key = (res: readonly ApiResource[]): string[] => res.map((x) => `${x.plural}.${x.version}.${x.group}`);

describe('cli resources: kind names as kubectl accepts them', () => {
  it.each([
    ['pods', 'pods.v1.'],
    ['pod', 'pods.v1.'],
    ['po', 'pods.v1.'],
    ['Pod', 'pods.v1.'],
    ['PODS', 'pods.v1.'],
    ['deployments', 'deployments.v1.apps'],
    ['deployment', 'deployments.v1.apps'],
    ['deploy', 'deployments.v1.apps'],
    ['deployments.apps', 'deployments.v1.apps'],
    ['deployment.v1.apps', 'deployments.v1.apps'],
    ['svc', 'services.v1.'],
    ['cm', 'configmaps.v1.'],
    ['ns', 'namespaces.v1.'],
    ['no', 'nodes.v1.'],
    ['rs', 'replicasets.v1.apps'],
    ['secrets', 'secrets.v1.'],
    ['ev', 'events.v1.'],
    ['events.events.k8s.io', 'events.v1.events.k8s.io'],
    ['widgets', 'widgets.v2.example.dev'],
    ['wd.v1.example.dev', 'widgets.v1.example.dev'],
  ])('%s → %s', (arg, expected) => {
    expect(key(resolveKind(arg, discovery))).toEqual([expected]);
  });

  it('a category names every type in it, once per type', () => {
    expect(key(resolveKind('all', discovery))).toEqual(['pods.v1.', 'services.v1.', 'deployments.v1.apps', 'replicasets.v1.apps', 'widgets.v2.example.dev']);
  });

  it.each(['foo', 'pods.apps', 'deploy.v2.apps'])('%s → kubectl\'s error', (arg) => {
    expect(() => resolveKind(arg, discovery)).toThrow(`the server doesn't have a resource type "${arg}"`);
  });
});

describe('cli resources: argument forms', () => {
  it('KIND[,KIND] NAME… → every kind with the same names', () => {
    expect(parseTargets(['pods,svc', 'a', 'b'], 'get')).toEqual([
      { kind: 'pods', names: ['a', 'b'] },
      { kind: 'svc', names: ['a', 'b'] },
    ]);
  });

  it('KIND/NAME… grouped by kind in first-seen order', () => {
    expect(parseTargets(['po/a', 'deploy/web', 'po/b'], 'get')).toEqual([
      { kind: 'po', names: ['a', 'b'] },
      { kind: 'deploy', names: ['web'] },
    ]);
  });

  it('mixing the forms is kubectl\'s error', () => {
    expect(() => parseTargets(['pods', 'po/a'], 'get')).toThrow('there is no need to specify a resource type as a separate argument');
    expect(() => parseTargets(['po/a', 'b'], 'delete')).toThrow("'skiff delete resource/<resource_name>'");
    expect(() => parseTargets(['po/'], 'get')).toThrow('must have a single resource and name');
  });

  it('resolution merges aliases of one type and keeps names unique', () => {
    const resolved = resolveTargets(parseTargets(['pods,po,pod', 'x'], 'get'), discovery);
    expect(resolved.map((t) => [t.resource.plural, t.names])).toEqual([['pods', ['x']]]);
  });
});
