import type { Json } from '../../actors/kinds/types';
import { applyStrategicMergePatch } from '../../actors/patch/strategic-merge-patch';
import { MERGE_STRATEGIES } from '../../actors/patch/merge-strategies';
import { frozen, rejectionOf } from './patch.fixtures';

type Obj = { [key: string]: Json };

const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

const nginx = { name: 'nginx', image: 'nginx:1.27', ports: [{ containerPort: 80 }], env: [{ name: 'A', value: '1' }] };
const sidecar = { name: 'sidecar', image: 'busybox', args: ['sleep', '3600'] };

const deployment = (containers: Json[] = [nginx, sidecar]): Obj => frozen({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', labels: { app: 'web' }, annotations: { [LAST_APPLIED]: '{}\n', team: 'a' }, finalizers: ['x'] },
  spec: {
    replicas: 2,
    strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } },
    template: {
      metadata: { labels: { app: 'web' } },
      spec: { containers, tolerations: [{ key: 'a', operator: 'Exists' }] },
    },
  },
  status: { conditions: [{ type: 'Available', status: 'True' }, { type: 'Progressing', status: 'True' }] },
});

const podSpecOf = (object: Json): Obj => ((object as Obj).spec as Obj).template as Obj;
const containersOf = (object: Json): Obj[] => (podSpecOf(object).spec as Obj).containers as Obj[];
const namesOf = (object: Json): Json[] => containersOf(object).map((c) => c.name);

describe('strategic merge patch: when kubectl apply sends its 3-way diff (kubectl-compat §7.1)', () => {
  const body = JSON.parse(
    '{"metadata":{"annotations":{"kubectl.kubernetes.io/last-applied-configuration":"…"}},"spec":{"replicas":3,"template":{"spec":'
    + '{"$setElementOrder/containers":[{"name":"nginx"}],"containers":[{"image":"nginx:1.28","name":"nginx"}]}}}}',
  ) as Json;

  it('the kubectl body → replicas and image change, the container keeps its other fields, no directive is stored', () => {
    const live = deployment([nginx]);
    const result = applyStrategicMergePatch(live, body, 'Deployment') as Obj;
    expect((result.spec as Obj).replicas).toBe(3);
    expect(containersOf(result)).toEqual([{ ...nginx, image: 'nginx:1.28' }]);
    expect((result.metadata as Obj).annotations).toEqual({ [LAST_APPLIED]: '…', team: 'a' });
    expect(JSON.stringify(result)).not.toContain('$setElementOrder');
    expect(live).toEqual(deployment([nginx]));
  });
});

describe('strategic merge patch: when a keyed list is patched', () => {
  it('$patch: delete on a container → that container is gone', () => {
    const result = applyStrategicMergePatch(deployment(), { spec: { template: { spec: { containers: [{ name: 'sidecar', $patch: 'delete' }] } } } }, 'Deployment');
    expect(containersOf(result)).toEqual([nginx]);
  });

  it('$patch: replace as a list item → the list is exactly the other items', () => {
    const patch: Json = { spec: { template: { spec: { containers: [{ name: 'solo', image: 'x' }, { $patch: 'replace' }] } } } };
    expect(containersOf(applyStrategicMergePatch(deployment(), patch, 'Deployment'))).toEqual([{ name: 'solo', image: 'x' }]);
  });

  it('nested keyed lists (env by name, ports by containerPort) → merged item by item', () => {
    const patch = { spec: { template: { spec: { containers: [{ name: 'nginx', env: [{ name: 'B', value: '2' }], ports: [{ containerPort: 80, name: 'http' }] }] } } } };
    const [first] = containersOf(applyStrategicMergePatch(deployment(), patch, 'Deployment'));
    expect(first.env).toEqual([{ name: 'B', value: '2' }, { name: 'A', value: '1' }]);
    expect(first.ports).toEqual([{ containerPort: 80, name: 'http' }]);
  });

  it('a list without a strategy (tolerations, args) → replaced whole', () => {
    const patch = { spec: { template: { spec: { tolerations: [{ key: 'b' }], containers: [{ name: 'sidecar', args: ['true'] }] } } } };
    const result = applyStrategicMergePatch(deployment(), patch, 'Deployment');
    expect((podSpecOf(result).spec as Obj).tolerations).toEqual([{ key: 'b' }]);
    expect(containersOf(result)[1].args).toEqual(['true']);
  });

  it('a new container without $setElementOrder → it goes first, as upstream orders patch items before server-only ones', () => {
    const patch = { spec: { template: { spec: { containers: [{ name: 'init', image: 'x' }] } } } };
    expect(namesOf(applyStrategicMergePatch(deployment(), patch, 'Deployment'))).toEqual(['init', 'nginx', 'sidecar']);
  });

  it('$setElementOrder → the listed order, whether or not the items are in the patch', () => {
    const reorder = { spec: { template: { spec: { '$setElementOrder/containers': [{ name: 'sidecar' }, { name: 'nginx' }] } } } };
    expect(namesOf(applyStrategicMergePatch(deployment(), reorder, 'Deployment'))).toEqual(['sidecar', 'nginx']);
    const append = {
      spec: { template: { spec: {
        '$setElementOrder/containers': [{ name: 'nginx' }, { name: 'sidecar' }, { name: 'log' }],
        containers: [{ name: 'log', image: 'fluent' }],
      } } },
    };
    expect(namesOf(applyStrategicMergePatch(deployment(), append, 'Deployment'))).toEqual(['nginx', 'sidecar', 'log']);
  });

  it('status conditions → merged by type wherever they are', () => {
    const patch = { status: { conditions: [{ type: 'Progressing', status: 'False', reason: 'Stuck' }] } };
    expect((applyStrategicMergePatch(deployment(), patch, 'Deployment') as Obj).status).toEqual({
      conditions: [{ type: 'Available', status: 'True' }, { type: 'Progressing', status: 'False', reason: 'Stuck' }],
    });
  });

  it('Service spec.ports → merged by port', () => {
    const service = frozen<Json>({ spec: { ports: [{ port: 80, targetPort: 8080 }, { port: 443 }] } });
    expect(applyStrategicMergePatch(service, { spec: { ports: [{ port: 80, targetPort: 9090 }] } }, 'Service')).toEqual({
      spec: { ports: [{ port: 80, targetPort: 9090 }, { port: 443 }] },
    });
  });

  it('metadata.ownerReferences → merged by uid, on any kind', () => {
    const pod = frozen<Json>({ metadata: { ownerReferences: [{ uid: 'u1', name: 'rs-1' }] } });
    const patch: Json = { metadata: { ownerReferences: [{ uid: 'u2', name: 'rs-2' }, { uid: 'u1', controller: true }] } };
    expect(applyStrategicMergePatch(pod, patch, 'Pod')).toEqual({
      metadata: { ownerReferences: [{ uid: 'u2', name: 'rs-2' }, { uid: 'u1', name: 'rs-1', controller: true }] },
    });
  });

  it('Node spec.taints (no upstream patch strategy) → replaced whole', () => {
    const node = frozen({ spec: { taints: [{ key: 'a', effect: 'NoSchedule' }] } });
    expect(applyStrategicMergePatch(node, { spec: { taints: [{ key: 'b', effect: 'NoExecute' }] } }, 'Node')).toEqual({
      spec: { taints: [{ key: 'b', effect: 'NoExecute' }] },
    });
  });
});

describe('strategic merge patch: when finalizers (a merged set of strings) are patched', () => {
  it('new finalizers → union, no duplicates', () => {
    const result = applyStrategicMergePatch(deployment(), { metadata: { finalizers: ['y', 'x'] } }, 'Deployment') as Obj;
    expect((result.metadata as Obj).finalizers).toEqual(['y', 'x']);
  });

  it('$deleteFromPrimitiveList/finalizers → those strings removed', () => {
    const result = applyStrategicMergePatch(deployment(), { metadata: { '$deleteFromPrimitiveList/finalizers': ['x'] } }, 'Deployment') as Obj;
    expect((result.metadata as Obj).finalizers).toEqual([]);
  });
});

describe('strategic merge patch: when maps carry directives', () => {
  it('$retainKeys on strategy (kubectl switching to Recreate) → keys not listed are dropped', () => {
    const patch = { spec: { strategy: { $retainKeys: ['type'], rollingUpdate: null, type: 'Recreate' } } };
    expect(((applyStrategicMergePatch(deployment(), patch, 'Deployment') as Obj).spec as Obj).strategy).toEqual({ type: 'Recreate' });
  });

  it('$retainKeys that does not list a patched field → 400', () => {
    const patch = { spec: { strategy: { $retainKeys: ['rollingUpdate'], type: 'Recreate' } } };
    expect(rejectionOf(() => applyStrategicMergePatch(deployment(), patch, 'Deployment'))).toMatchObject({
      code: 400, reason: 'BadRequest', message: 'invalid patch format of retainKeys',
    });
  });

  it('$patch: replace on a map → the map is exactly the patch', () => {
    const patch = { metadata: { annotations: { $patch: 'replace', only: 'this' } } };
    expect(((applyStrategicMergePatch(deployment(), patch, 'Deployment') as Obj).metadata as Obj).annotations).toEqual({ only: 'this' });
  });

  it('$patch: delete on a map → the key is gone; $patch: merge → an ordinary merge', () => {
    const patch = { spec: { strategy: { $patch: 'delete' } }, metadata: { labels: { $patch: 'merge', tier: 'fe' } } };
    const result = applyStrategicMergePatch(deployment(), patch, 'Deployment') as Obj;
    expect(result.spec).not.toHaveProperty('strategy');
    expect((result.metadata as Obj).labels).toEqual({ app: 'web', tier: 'fe' });
  });

  it('null → the key is deleted, like a merge patch; rollout restart\'s annotation → added', () => {
    const patch = { spec: { replicas: null, template: { metadata: { annotations: { 'kubectl.kubernetes.io/restartedAt': '2026-01-01T00:00:00Z' } } } } };
    const spec = (applyStrategicMergePatch(deployment(), patch, 'Deployment') as Obj).spec as Obj;
    expect(spec).not.toHaveProperty('replicas');
    expect((spec.template as Obj).metadata).toEqual({ labels: { app: 'web' }, annotations: { 'kubectl.kubernetes.io/restartedAt': '2026-01-01T00:00:00Z' } });
  });

  it('directives inside a brand-new subtree → applied and stripped, never stored', () => {
    const patch: Json = { spec: { template: { spec: { containers: [{ name: 'new', env: [{ name: 'X', value: '1' }, { name: 'Y', $patch: 'delete' }], '$setElementOrder/env': [{ name: 'X' }] }] } } } };
    expect(containersOf(applyStrategicMergePatch(deployment(), patch, 'Deployment'))[0]).toEqual({ name: 'new', env: [{ name: 'X', value: '1' }] });
  });
});

describe('strategic merge patch: when the patch is malformed → 400 BadRequest', () => {
  it.each<[string, Json, string]>([
    ['a list item without its merge key', { spec: { template: { spec: { containers: [{ image: 'x' }] } } } },
      'map: {"image":"x"} does not contain declared merge key: name'],
    ['an unknown $patch directive', { spec: { $patch: 'frobnicate' } }, 'unknown patch type: "frobnicate" in map: {"$patch":"frobnicate"}'],
    ['$setElementOrder that is not a list', { spec: { '$setElementOrder/x': 1 } }, 'invalid patch format of setElementOrder list'],
    ['a body that is not an object', [1], 'json: cannot unmarshal array into Go value of type map[string]interface {}'],
  ])('%s → 400 with upstream\'s message', (_name, patch, message) => {
    expect(rejectionOf(() => applyStrategicMergePatch(deployment(), patch, 'Deployment'))).toMatchObject({ code: 400, reason: 'BadRequest', message });
  });
});

describe('strategic merge patch: the merge-key table', () => {
  it('is exported data: Deployment\'s pod template shares the Pod spec keys', () => {
    expect(MERGE_STRATEGIES.Deployment['spec.template.spec.containers']).toEqual({ type: 'map', mergeKey: 'name' });
    expect(MERGE_STRATEGIES.Pod['spec.containers[].volumeMounts']).toEqual({ type: 'map', mergeKey: 'mountPath' });
    expect(MERGE_STRATEGIES.Pod['spec.hostAliases']).toEqual({ type: 'map', mergeKey: 'ip' });
  });
});
