import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type * as K from '@kubernetes/client-node';
import { startTestCluster, type TestCluster } from '../harness/cluster';
import {
  ClientNodeError, eventually, patchStrategy, setHeaderOptions, startClientNode,
  type ClientNode, type KubeObjectLike, type Remote,
} from '../harness/client-node';

/*
 * @kubernetes/client-node 2.x — the official JavaScript client — against a real skiff control plane.
 * The client runs in a child process (see test/harness/client-node.ts for why); each call below is
 * the client-node call a user would write, and each expectation is what kube-apiserver answers.
 */

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** What a client-node call threw, for asserting on (it must throw). */
async function failure(p: Promise<unknown>): Promise<ClientNodeError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof ClientNodeError) return err;
    throw err;
  }
  throw new Error('expected the call to fail');
}

/** The Status an ApiException carries: client-node hands the body over as the raw JSON text. */
const statusOf = (err: ClientNodeError): Record<string, unknown> => JSON.parse(String(err.body)) as Record<string, unknown>;

const b64 = (s: string): string => Buffer.from(s, 'utf8').toString('base64');

/** The typed client picks the patch Content-Type from the call options; this is how a user asks for a merge patch. */
const mergePatch = setHeaderOptions('Content-Type', patchStrategy('MergePatch'));

describe('@kubernetes/client-node 2.x against skiff', () => {
  let c: TestCluster;
  let cn: ClientNode;
  let core: Remote<K.CoreV1Api>;
  let apps: Remote<K.AppsV1Api>;
  let objects: Remote<K.KubernetesObjectApi>;

  beforeAll(async () => {
    // The API contract alone, as against kube-apiserver without controllers: controllers would write to the Deployments these tests compare.
    c = await startTestCluster({ workloadControllers: false });
    // What a user does: KubeConfig.loadFromFile(path), then makeApiClient (done in the child).
    cn = await startClientNode(c.cp.kubeconfigPath);
    core = cn.api('CoreV1Api');
    apps = cn.api('AppsV1Api');
    objects = cn.api('KubernetesObjectApi');
  });
  afterAll(async () => {
    await cn?.stop();
    await c?.stop();
  });

  it('CoreV1Api: Namespace create, read, list by label, JSON-patch (the default), replace and delete', async () => {
    const created = await core.createNamespace({ body: { metadata: { name: 'cn-ns', labels: { team: 'blue' } } } });
    expect(created.metadata?.uid).toEqual(expect.any(String));
    // client-node turns RFC 3339 timestamps into Dates: a malformed one would be an Invalid Date.
    expect(created.metadata?.creationTimestamp).toBeInstanceOf(Date);
    expect(Number.isNaN(created.metadata?.creationTimestamp?.getTime())).toBe(false);

    const read = await core.readNamespace({ name: 'cn-ns' });
    expect(read.status?.phase).toBe('Active');
    expect(read.spec?.finalizers).toEqual(['kubernetes']);

    const listed = await core.listNamespace({ labelSelector: 'team=blue' });
    expect(listed.items.map((n) => n.metadata?.name)).toEqual(['cn-ns']);
    expect(listed.metadata?.resourceVersion).toMatch(/^\d+$/);

    // No options: client-node sends application/json-patch+json, the first type it knows.
    const patched = await core.patchNamespace({ name: 'cn-ns', body: [{ op: 'add', path: '/metadata/labels/tier', value: 'gold' }] });
    expect(patched.metadata?.labels).toEqual({ team: 'blue', tier: 'gold', 'kubernetes.io/metadata.name': 'cn-ns' });

    const replaced = await core.replaceNamespace({ name: 'cn-ns', body: { ...patched, metadata: { ...patched.metadata, labels: { team: 'red' } } } });
    expect(replaced.metadata?.labels).toEqual({ team: 'red', 'kubernetes.io/metadata.name': 'cn-ns' });
    expect(Number(replaced.metadata?.resourceVersion)).toBeGreaterThan(Number(patched.metadata?.resourceVersion));

    await core.deleteNamespace({ name: 'cn-ns' });
    // The namespace controller empties and finalizes it; then it is gone.
    await eventually('the namespace to be gone', async () => {
      try {
        await core.readNamespace({ name: 'cn-ns' });
        return false;
      } catch (err) {
        return err instanceof ClientNodeError && err.code === 404;
      }
    });
  });

  describe('in a namespace', () => {
    const ns = 'cn-work';
    beforeAll(async () => {
      await core.createNamespace({ body: { metadata: { name: ns } } });
    });

    it('CoreV1Api: ConfigMap create, read, list, replace, merge patch and delete', async () => {
      await core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: 'settings', labels: { app: 'cfg' } }, data: { mode: 'fast', level: '1' } } });
      const read = await core.readNamespacedConfigMap({ name: 'settings', namespace: ns });
      expect(read).toMatchObject({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings', namespace: ns }, data: { mode: 'fast', level: '1' } });

      const replaced = await core.replaceNamespacedConfigMap({ name: 'settings', namespace: ns, body: { ...read, data: { mode: 'slow' } } });
      expect(replaced.data).toEqual({ mode: 'slow' });

      // A merge patch: null deletes a key.
      const merged = await core.patchNamespacedConfigMap({ name: 'settings', namespace: ns, body: { data: { mode: null, extra: 'yes' } } }, mergePatch);
      expect(merged.data).toEqual({ extra: 'yes' });

      const list = await core.listNamespacedConfigMap({ namespace: ns, labelSelector: 'app=cfg' });
      expect(list.items.map((i) => i.metadata?.name)).toEqual(['settings']);

      await core.deleteNamespacedConfigMap({ name: 'settings', namespace: ns });
      expect((await failure(core.readNamespacedConfigMap({ name: 'settings', namespace: ns }))).code).toBe(404);
    });

    it('CoreV1Api: a Secret written with stringData reads back as base64 data, and so does a patch with stringData', async () => {
      const created = await core.createNamespacedSecret({
        namespace: ns,
        body: { metadata: { name: 'creds' }, type: 'Opaque', stringData: { username: 'admin', 'config.yaml': 'apiUrl: "https://my.api.com/api/v1"\n' }, data: { token: b64('t0k3n') } },
      });
      expect(created.data).toEqual({ username: b64('admin'), 'config.yaml': b64('apiUrl: "https://my.api.com/api/v1"\n'), token: b64('t0k3n') });
      expect(created.stringData).toBeUndefined();

      const read = await core.readNamespacedSecret({ name: 'creds', namespace: ns });
      expect(read.data?.username).toBe(b64('admin'));
      expect(read.type).toBe('Opaque');

      const patched = await core.patchNamespacedSecret({ name: 'creds', namespace: ns, body: { stringData: { username: 'root' } } }, mergePatch);
      expect(patched.data?.username).toBe(b64('root'));
      expect(patched.stringData).toBeUndefined();
    });

    it('CoreV1Api: Pod and Service create, read, patch, delete; lists by labelSelector and fieldSelector', async () => {
      for (const [name, tier] of [['web-1', 'front'], ['web-2', 'front'], ['db-1', 'back']]) {
        await core.createNamespacedPod({ namespace: ns, body: { metadata: { name, labels: { app: 'shop', tier } }, spec: { containers: [{ name: 'main', image: 'busybox:1.36', command: ['sleep', '3600'] }] } } });
      }
      const pod = await core.readNamespacedPod({ name: 'web-1', namespace: ns });
      expect(pod.spec?.containers[0]).toMatchObject({ name: 'main', image: 'busybox:1.36', imagePullPolicy: 'IfNotPresent', terminationMessagePolicy: 'File' });
      expect(pod.spec?.restartPolicy).toBe('Always');
      expect(pod.status?.phase).toBe('Pending');

      const front = await core.listNamespacedPod({ namespace: ns, labelSelector: 'app=shop,tier in (front)' });
      expect(front.items.map((p) => p.metadata?.name).sort()).toEqual(['web-1', 'web-2']);
      const byName = await core.listNamespacedPod({ namespace: ns, fieldSelector: 'metadata.name=db-1' });
      expect(byName.items.map((p) => p.metadata?.name)).toEqual(['db-1']);
      const notBack = await core.listNamespacedPod({ namespace: ns, labelSelector: 'tier!=back', fieldSelector: 'status.phase=Pending' });
      expect(notBack.items.map((p) => p.metadata?.name).sort()).toEqual(['web-1', 'web-2']);
      const everywhere = await core.listPodForAllNamespaces({ fieldSelector: `metadata.namespace=${ns}` });
      expect(everywhere.items).toHaveLength(3);

      const relabelled = await core.patchNamespacedPod({ name: 'db-1', namespace: ns, body: [{ op: 'replace', path: '/metadata/labels/tier', value: 'front' }] });
      expect(relabelled.metadata?.labels?.tier).toBe('front');

      const svc = await core.createNamespacedService({ namespace: ns, body: { metadata: { name: 'shop' }, spec: { selector: { app: 'shop' }, ports: [{ name: 'http', port: 80, targetPort: 8080 }] } } });
      expect(svc.spec).toMatchObject({ type: 'ClusterIP', sessionAffinity: 'None', ports: [{ name: 'http', port: 80, protocol: 'TCP', targetPort: 8080 }] });
      const svcRead = await core.readNamespacedService({ name: 'shop', namespace: ns });
      expect(svcRead.spec?.selector).toEqual({ app: 'shop' });
      const svcPatched = await core.patchNamespacedService({ name: 'shop', namespace: ns, body: { spec: { selector: { app: 'shop', tier: 'front' } } } }, mergePatch);
      expect(svcPatched.spec?.selector).toEqual({ app: 'shop', tier: 'front' });
      const services = await core.listNamespacedService({ namespace: ns, fieldSelector: 'metadata.name=shop' });
      expect(services.items).toHaveLength(1);

      await core.deleteNamespacedService({ name: 'shop', namespace: ns });
      await core.deleteNamespacedPod({ name: 'web-2', namespace: ns });
      // No node ever ran it, so nothing waits on a kubelet: the pod goes at once.
      await eventually('web-2 to be gone', async () => (await core.listNamespacedPod({ namespace: ns, fieldSelector: 'metadata.name=web-2' })).items.length === 0);
      expect((await failure(core.readNamespacedService({ name: 'shop', namespace: ns }))).code).toBe(404);
    });

    const deployment = (name: string, replicas: number): K.V1Deployment => ({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name, labels: { app: name } },
      spec: {
        replicas,
        selector: { matchLabels: { app: name } },
        template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'web', image: 'nginx:1.14.2', ports: [{ containerPort: 80 }] }] } },
      },
    });

    it('AppsV1Api: Deployment create, read, merge patch (via setHeaderOptions) and JSON patch (the default)', async () => {
      const created = await apps.createNamespacedDeployment({ namespace: ns, body: deployment('api', 2) });
      expect(created.metadata?.generation).toBe(1);
      expect(created.spec?.strategy).toEqual({ type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } });

      const read = await apps.readNamespacedDeployment({ name: 'api', namespace: ns });
      expect(read.spec?.template.spec?.containers[0].ports).toEqual([{ containerPort: 80, protocol: 'TCP' }]);

      const merged = await apps.patchNamespacedDeployment({ name: 'api', namespace: ns, body: { spec: { replicas: 4 } } }, mergePatch);
      expect(merged.spec?.replicas).toBe(4);
      expect(merged.metadata?.generation).toBe(2);

      const jsonPatched = await apps.patchNamespacedDeployment({ name: 'api', namespace: ns, body: [{ op: 'replace', path: '/spec/template/spec/containers/0/image', value: 'nginx:1.16.1' }] });
      expect(jsonPatched.spec?.template.spec?.containers[0].image).toBe('nginx:1.16.1');
      expect(jsonPatched.spec?.replicas).toBe(4);

      const listed = await apps.listNamespacedDeployment({ namespace: ns, labelSelector: 'app=api' });
      expect(listed.items.map((d) => d.metadata?.name)).toEqual(['api']);
    });

    it('AppsV1Api: readNamespacedDeploymentScale and replaceNamespacedDeploymentScale', async () => {
      await apps.createNamespacedDeployment({ namespace: ns, body: deployment('scaled', 1) });
      const scale = await apps.readNamespacedDeploymentScale({ name: 'scaled', namespace: ns });
      expect(scale).toMatchObject({ apiVersion: 'autoscaling/v1', kind: 'Scale', metadata: { name: 'scaled', namespace: ns }, spec: { replicas: 1 } });
      expect(scale.metadata?.resourceVersion).toMatch(/^\d+$/);

      const replaced = await apps.replaceNamespacedDeploymentScale({ name: 'scaled', namespace: ns, body: { ...scale, spec: { replicas: 5 } } });
      expect(replaced.spec?.replicas).toBe(5);
      expect((await apps.readNamespacedDeployment({ name: 'scaled', namespace: ns })).spec?.replicas).toBe(5);

      // The Scale's resourceVersion is the Deployment's: an old one is a conflict.
      const stale = await failure(apps.replaceNamespacedDeploymentScale({ name: 'scaled', namespace: ns, body: { ...scale, spec: { replicas: 7 } } }));
      expect(stale.code).toBe(409);

      const patched = await apps.patchNamespacedDeploymentScale({ name: 'scaled', namespace: ns, body: { spec: { replicas: 3 } } }, mergePatch);
      expect(patched.spec?.replicas).toBe(3);
    });

    it('errors: a missing object is an ApiException with code 404 and the NotFound Status as its body', async () => {
      const err = await failure(core.readNamespacedConfigMap({ name: 'nope', namespace: ns }));
      expect(err.info.apiException).toBe(true);
      expect(err.code).toBe(404);
      expect(statusOf(err)).toMatchObject({
        kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', reason: 'NotFound', code: 404,
        message: 'configmaps "nope" not found', details: { name: 'nope', kind: 'configmaps' },
      });
      const missingNs = await failure(apps.readNamespacedDeployment({ name: 'x', namespace: 'no-such-namespace' }));
      expect(missingNs.code).toBe(404);
      expect(statusOf(missingNs)).toMatchObject({ reason: 'NotFound', message: 'deployments.apps "x" not found', details: { name: 'x', group: 'apps', kind: 'deployments' } });
    });

    it('errors: the Status of a core-group resource has no details.group (kube-apiserver omits it when empty)', async () => {
      // StatusDetails.Group is `json:"group,omitempty"` in apimachinery.
      const err = await failure(core.readNamespacedConfigMap({ name: 'nope', namespace: ns }));
      expect(statusOf(err).details).toEqual({ name: 'nope', kind: 'configmaps' });
    });

    it('errors: a stale resourceVersion on replace is 409 Conflict; creating twice is 409 AlreadyExists', async () => {
      const first = await core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: 'race' }, data: { v: '1' } } });
      await core.replaceNamespacedConfigMap({ name: 'race', namespace: ns, body: { ...first, data: { v: '2' } } });
      const stale = await failure(core.replaceNamespacedConfigMap({ name: 'race', namespace: ns, body: { ...first, data: { v: '3' } } }));
      expect(stale.code).toBe(409);
      expect(statusOf(stale)).toMatchObject({
        reason: 'Conflict', code: 409, details: { name: 'race', kind: 'configmaps' },
        message: 'Operation cannot be fulfilled on configmaps "race": the object has been modified; please apply your changes to the latest version and try again',
      });

      const again = await failure(core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: 'race' } } }));
      expect(again.code).toBe(409);
      expect(statusOf(again)).toMatchObject({ reason: 'AlreadyExists', message: 'configmaps "race" already exists' });

      const invalid = await failure(core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: 'Not_Valid' } } }));
      expect(invalid.code).toBe(422);
      expect(statusOf(invalid)).toMatchObject({ reason: 'Invalid', details: { causes: [expect.objectContaining({ field: 'metadata.name', reason: 'FieldValueInvalid' })] } });
    });

    it('KubernetesObjectApi: create, read, server-side apply (fieldManager, force, conflicts), plain patch, list and delete', async () => {
      const configMap = (name: string, data: Record<string, string>): K.V1ConfigMap => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: ns }, data });
      const created = await objects.create(configMap('generic', { a: '1' }));
      expect(created).toMatchObject({ kind: 'ConfigMap', metadata: { name: 'generic', namespace: ns }, data: { a: '1' } });

      const read = (await objects.read({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'generic', namespace: ns } })) as K.V1ConfigMap;
      expect(read.data).toEqual({ a: '1' });

      // Server-side apply as the `ops` manager: takes b; a stays (the creator owns it).
      const applied = (await objects.patch(
        configMap('generic', { b: '2' }),
        undefined, undefined, 'ops', true, patchStrategy('ServerSideApply'),
      )) as K.V1ConfigMap;
      expect(applied.data).toEqual({ a: '1', b: '2' });
      expect(applied.metadata?.managedFields).toEqual(expect.arrayContaining([expect.objectContaining({ manager: 'ops', operation: 'Apply', fieldsType: 'FieldsV1', fieldsV1: { 'f:data': { 'f:b': {} } } })]));

      // Another manager changing ops' field without force: 409 with the conflict named …
      const conflict = await failure(objects.patch(
        configMap('generic', { b: '3' }),
        undefined, undefined, 'other', false, patchStrategy('ServerSideApply'),
      ));
      expect(conflict.code).toBe(409);
      expect(statusOf(conflict)).toMatchObject({ reason: 'Conflict', details: { causes: [expect.objectContaining({ reason: 'FieldManagerConflict', field: '.data.b' })] } });
      // … and with force it takes the field over.
      const forced = (await objects.patch(
        configMap('generic', { b: '3' }),
        undefined, undefined, 'other', true, patchStrategy('ServerSideApply'),
      )) as K.V1ConfigMap;
      expect(forced.data).toEqual({ a: '1', b: '3' });

      // Apply also creates.
      const born = (await objects.patch(
        configMap('applied-new', { x: 'y' }),
        undefined, undefined, 'ops', true, patchStrategy('ServerSideApply'),
      )) as K.V1ConfigMap;
      expect(born.metadata?.uid).toEqual(expect.any(String));

      // A plain patch: KubernetesObjectApi's default is a strategic merge patch.
      const plain = (await objects.patch(configMap('generic', { c: '4' }))) as K.V1ConfigMap;
      expect(plain.data).toEqual({ a: '1', b: '3', c: '4' });

      const list = await objects.list('v1', 'ConfigMap', ns, undefined, undefined, undefined, undefined, 'kubernetes.io/metadata.name!=x');
      expect(list.items.map((i) => i.metadata?.name)).toEqual(expect.arrayContaining(['generic', 'applied-new']));

      // Deployments go through /apis/apps/v1 discovery.
      const dep = (await objects.patch(deployment('via-objects', 1), undefined, undefined, 'ops', true, patchStrategy('ServerSideApply'))) as K.V1Deployment;
      expect(dep.metadata?.namespace).toBe('default');
      expect(dep.spec?.replicas).toBe(1);

      await objects.delete({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'applied-new', namespace: ns } });
      expect((await failure(objects.read({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'applied-new', namespace: ns } }))).code).toBe(404);
    });

    it("Watch: list, then watch from the list's resourceVersion: ADDED, MODIFIED, DELETED arrive in order", async () => {
      await core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: 'before-watch', labels: { w: 'yes' } } } });
      const list = await core.listNamespacedConfigMap({ namespace: ns, labelSelector: 'w=yes' });
      const rv = list.metadata?.resourceVersion as string;
      const watch = await cn.watch(`/api/v1/namespaces/${ns}/configmaps`, { resourceVersion: rv, labelSelector: 'w=yes' });
      try {
        await core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: 'watched', labels: { w: 'yes' } }, data: { n: '1' } } });
        await core.patchNamespacedConfigMap({ name: 'watched', namespace: ns, body: { data: { n: '2' } } }, mergePatch);
        await core.deleteNamespacedConfigMap({ name: 'watched', namespace: ns });
        await eventually('three watch events', () => watch.events.length >= 3);
        // Nothing from before the list's resourceVersion is replayed.
        expect(watch.events.map((e) => [e.type, e.object.metadata?.name, (e.object.data as Record<string, string> | undefined)?.n])).toEqual([
          ['ADDED', 'watched', '1'],
          ['MODIFIED', 'watched', '2'],
          ['DELETED', 'watched', '2'],
        ]);
        const rvs = watch.events.map((e) => Number(e.object.metadata?.resourceVersion));
        expect(rvs[0]).toBeGreaterThan(Number(rv));
        expect([...rvs].sort((a, b) => a - b)).toEqual(rvs);
        expect(new Set(rvs).size).toBe(3);
        expect(watch.events[0].object).toMatchObject({ apiVersion: 'v1', kind: 'ConfigMap' });
      } finally {
        await watch.abort();
      }
    });

    it('makeInformer: add, update and delete callbacks fire and the cache follows', async () => {
      const informerNs = 'cn-informer';
      await core.createNamespace({ body: { metadata: { name: informerNs } } });
      await core.createNamespacedConfigMap({ namespace: informerNs, body: { metadata: { name: 'pre' } } });
      const informer = await cn.informer(`/api/v1/namespaces/${informerNs}/configmaps`, { api: 'CoreV1Api', method: 'listNamespacedConfigMap', args: [{ namespace: informerNs }] });
      try {
        await informer.start();
        await eventually('the listed object as an add', () => informer.events.some((e) => e.verb === 'add' && e.object?.metadata?.name === 'pre'));

        await core.createNamespacedConfigMap({ namespace: informerNs, body: { metadata: { name: 'live' }, data: { v: '1' } } });
        await eventually('add of live', () => informer.events.some((e) => e.verb === 'add' && e.object?.metadata?.name === 'live'));
        await core.patchNamespacedConfigMap({ name: 'live', namespace: informerNs, body: { data: { v: '2' } } }, mergePatch);
        await eventually('update of live', () => informer.events.some((e) => e.verb === 'update' && (e.object?.data as Record<string, string> | undefined)?.v === '2'));
        expect((await informer.cachedNames()).sort()).toEqual(['live', 'pre']);

        await core.deleteNamespacedConfigMap({ name: 'pre', namespace: informerNs });
        await eventually('delete of pre', () => informer.events.some((e) => e.verb === 'delete' && e.object?.metadata?.name === 'pre'));
        expect(await informer.cachedNames()).toEqual(['live']);
        expect(informer.events.filter((e) => e.verb === 'error')).toEqual([]);
        expect(informer.events.filter((e) => e.verb !== 'connect').map((e) => `${e.verb} ${e.object?.metadata?.name}`)).toEqual(['add pre', 'add live', 'update live', 'delete pre']);
      } finally {
        await informer.stop();
      }
    });
  });

  describe('upstream manifests, applied unchanged with KubernetesObjectApi (server-side apply)', () => {
    const dir = join(__dirname, '..', 'fixtures', 'upstream');
    const files = readdirSync(dir).filter((f) => f.endsWith('.yaml')).sort();

    it('has the fixtures', () => {
      expect(files).toEqual(expect.arrayContaining(['nginx-app.yaml', 'configmap.yaml', 'secret.yaml', 'namespaces.yaml']));
    });

    const apply = async (doc: KubeObjectLike): Promise<KubeObjectLike> =>
      (await objects.patch(doc as K.KubernetesObject, undefined, undefined, 'upstream-manifests', true, patchStrategy('ServerSideApply'))) as KubeObjectLike;
    const documents = async (file: string): Promise<KubeObjectLike[]> => cn.loadAllYaml(readFileSync(join(dir, file), 'utf8'));

    it.each(files)('%s: every document applies and reads back as written', async (file) => {
      const docs = await documents(file);
      expect(docs.length).toBeGreaterThan(0);
      for (const doc of docs) {
        const applied = await apply(doc);
        const key = { apiVersion: doc.apiVersion, kind: doc.kind, metadata: { name: doc.metadata?.name, ...(doc.metadata?.namespace ? { namespace: doc.metadata.namespace } : {}) } };
        const back = (await objects.read(key as Parameters<K.KubernetesObjectApi['read']>[0])) as KubeObjectLike;
        expect(back).toMatchObject(asStored(doc));
        expect(back.metadata?.resourceVersion).toBe(applied.metadata?.resourceVersion);
        expect(back.metadata?.managedFields).toEqual(expect.arrayContaining([expect.objectContaining({ manager: 'upstream-manifests', operation: 'Apply' })]));
      }
    });

    it.each(files)('%s: applying it again changes nothing (same resourceVersion)', async (file) => {
      // Kubernetes does not write an update that changes nothing: no new resourceVersion, no watch event.
      for (const doc of await documents(file)) {
        const first = await apply(doc);
        const again = await apply(doc);
        expect(`${doc.kind}/${doc.metadata?.name} ${again.metadata?.resourceVersion}`).toBe(`${doc.kind}/${doc.metadata?.name} ${first.metadata?.resourceVersion}`);
      }
    });
  });
});

/** How Kubernetes stores what a manifest says: a Secret's stringData is folded into base64 data. */
function asStored(doc: KubeObjectLike): KubeObjectLike {
  if (doc.kind !== 'Secret' || !doc.stringData) return doc;
  const { stringData, ...rest } = doc as KubeObjectLike & { stringData: Record<string, string>; data?: Record<string, string> };
  const folded = Object.fromEntries(Object.entries(stringData).map(([k, v]) => [k, b64(v)]));
  return { ...rest, data: { ...(rest.data ?? {}), ...folded } };
}

describe('with a log that keeps events for 1 s', () => {
  const retention = { eventsMaxAgeMs: 1_000 };

  it('makeInformer survives a 410: re-lists, reports what changed while it was away, and keeps working', async () => {
    const c = await startTestCluster({ retention });
    let cn: ClientNode | undefined;
    try {
      cn = await startClientNode(c.cp.kubeconfigPath);
      const core = cn.api('CoreV1Api');
      const ns = 'expiry';
      await core.createNamespace({ body: { metadata: { name: ns } } });
      await core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: 'kept' }, data: { v: '1' } } });
      await core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: 'doomed' } } });
      const informer = await cn.informer(`/api/v1/namespaces/${ns}/configmaps`, { api: 'CoreV1Api', method: 'listNamespacedConfigMap', args: [{ namespace: ns }] });
      await informer.start();
      await eventually('both listed objects as adds', () => informer.events.filter((e) => e.verb === 'add').length === 2);
      const informerRv = await informer.resourceVersion();

      // While it is away: one object changes, one goes, one comes.
      await informer.stop();
      await core.patchNamespacedConfigMap({ name: 'kept', namespace: ns, body: { data: { v: '2' } } }, mergePatch);
      await core.deleteNamespacedConfigMap({ name: 'doomed', namespace: ns });
      await core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: 'newcomer' } } });

      // A restart empties the in-memory change ring, and retention drops those changes from the log
      // (within a second or so: nats-server expires by age on a timer) …
      await c.restart();
      // … after which a watch from the informer's resourceVersion is 410 Expired (asked directly, to be sure of the premise).
      let first: { type?: string; object?: unknown } | undefined;
      for (const deadline = Date.now() + 15_000; first?.type !== 'ERROR' && Date.now() < deadline; await sleep(200)) {
        const path = `/api/v1/namespaces/${ns}/configmaps?watch=true&resourceVersion=${informerRv}`;
        [first] = await c.watch(path, (e) => e.length >= 1, { timeoutMs: 2_000 }).catch((err: Error) => [{ type: 'no event', object: err.message }]);
      }
      expect(first).toMatchObject({ type: 'ERROR', object: { kind: 'Status', code: 410, reason: 'Expired' } });

      // start() resumes from its resourceVersion, gets the 410, drops the version and re-lists;
      // the re-list is diffed against its cache into callbacks.
      const seen = informer.events.length;
      const since = (): string[] => informer.events.slice(seen).filter((e) => e.verb !== 'connect').map((e) => `${e.verb} ${e.object?.metadata?.name}`);
      await informer.start();
      await eventually('the re-list to report what changed', () => since().length >= 3);
      expect(since().sort()).toEqual(['add newcomer', 'delete doomed', 'update kept']);
      expect((await informer.cachedNames()).sort()).toEqual(['kept', 'newcomer']);
      expect(Number(await informer.resourceVersion())).toBeGreaterThan(Number(informerRv));

      // … and it keeps watching.
      await core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: 'after' } } });
      await eventually('add of after', () => since().includes('add after'));
      expect(since().filter((e) => e.startsWith('error'))).toEqual([]);
      await informer.stop();
    } finally {
      await cn?.stop();
      await c.stop();
    }
  }, 60_000);

  it('an object whose events have aged out of the log is still there to patch, to refuse a second create, and to delete', async () => {
    // Retention bounds watch history (as etcd compaction does), never the objects themselves.
    const c = await startTestCluster({ retention });
    const cn = await startClientNode(c.cp.kubeconfigPath);
    try {
      const core = cn.api('CoreV1Api');
      const created = await core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'old' }, data: { v: '1' } } });
      await sleep(2_500);
      expect((await core.readNamespacedConfigMap({ name: 'old', namespace: 'default' })).metadata?.uid).toBe(created.metadata?.uid);
      const patched = await core.patchNamespacedConfigMap({ name: 'old', namespace: 'default', body: { data: { v: '2' } } }, mergePatch);
      expect(patched.data).toEqual({ v: '2' });
      expect((await failure(core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'old' } } }))).code).toBe(409);
      await core.deleteNamespacedConfigMap({ name: 'old', namespace: 'default' });
    } finally {
      await cn.stop();
      await c.stop();
    }
  }, 30_000);
});

describe('across a control-plane restart', () => {
  it('Watch: resuming from a resourceVersion older than the restart replays ADDED, MODIFIED, DELETED from the log', async () => {
    const c = await startTestCluster();
    let cn: ClientNode | undefined;
    try {
      cn = await startClientNode(c.cp.kubeconfigPath);
      const core = cn.api('CoreV1Api');
      const rv = (await core.listNamespacedConfigMap({ namespace: 'default' })).metadata?.resourceVersion as string;
      await core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'resumed' }, data: { n: '1' } } });
      await core.patchNamespacedConfigMap({ name: 'resumed', namespace: 'default', body: { data: { n: '2' } } }, mergePatch);
      await core.deleteNamespacedConfigMap({ name: 'resumed', namespace: 'default' });
      // After a restart from a snapshot the in-memory ring starts empty, so these come from the log.
      await c.restart();
      const watch = await cn.watch('/api/v1/namespaces/default/configmaps', { resourceVersion: rv });
      try {
        await eventually('three watch events', () => watch.events.length >= 3);
        expect(watch.events.map((e) => [e.type, e.object.metadata?.name, (e.object.data as Record<string, string> | undefined)?.n])).toEqual([
          ['ADDED', 'resumed', '1'],
          ['MODIFIED', 'resumed', '2'],
          ['DELETED', 'resumed', '2'],
        ]);
      } finally {
        await watch.abort();
      }
    } finally {
      await cn?.stop();
      await c.stop();
    }
  }, 30_000);
});
