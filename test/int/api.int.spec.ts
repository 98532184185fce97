import { startTestCluster, type TestCluster } from '../harness/cluster';

const deployment = (name: string, labels: Record<string, string>, replicas = 2) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name, labels },
  spec: {
    replicas,
    selector: { matchLabels: { app: name } },
    template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'web', image: 'busybox:1.36' }] } },
  },
});

describe('HTTPS API against a real nats-server', () => {
  let c: TestCluster;
  beforeAll(async () => {
    // The API contract alone, as against kube-apiserver without controllers: controllers would write to the Deployments these tests compare.
    c = await startTestCluster({ workloadControllers: false });
  });
  afterAll(async () => {
    await c.stop();
  });

  it('refuses requests without a valid token with a 401 Status', async () => {
    const none = await c.call('GET', '/api/v1/namespaces', undefined, { token: null });
    expect(none.status).toBe(401);
    expect(none.body).toMatchObject({ kind: 'Status', reason: 'Unauthorized', code: 401 });
    const bad = await c.call('GET', '/api/v1/namespaces', undefined, { token: 'nope' });
    expect(bad.status).toBe(401);
  });

  it('serves /version and discovery', async () => {
    const v = await c.call('GET', '/version');
    expect(v.body).toMatchObject({ major: '1', minor: '32' });
    const apps = await c.call('GET', '/apis/apps/v1');
    expect(apps.body.resources.map((r: { name: string }) => r.name)).toEqual(expect.arrayContaining(['deployments', 'deployments/scale', 'replicasets']));
    const agg = await c.call('GET', '/apis', undefined, { accept: 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json' });
    expect(agg.headers['content-type']).toBe('application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList');
  });

  it('bootstraps the standard namespaces', async () => {
    const list = await c.call('GET', '/api/v1/namespaces');
    expect(list.body.items.map((n: { metadata: { name: string } }) => n.metadata.name)).toEqual(['default', 'kube-node-lease', 'kube-public', 'kube-system']);
    expect(list.body.items[0].status.phase).toBe('Active');
  });

  it('creates, gets, lists with selectors, patches, conflicts and deletes', async () => {
    const created = await c.call('POST', '/apis/apps/v1/namespaces/default/deployments', deployment('web', { app: 'web', tier: 'front' }));
    expect(created.status).toBe(201);
    expect(created.body.metadata).toMatchObject({ name: 'web', namespace: 'default', generation: 1 });
    expect(created.body.metadata.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(created.body.spec.strategy).toEqual({ type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } });
    const rv1 = created.body.metadata.resourceVersion;

    await c.call('POST', '/apis/apps/v1/namespaces/default/deployments', deployment('api', { app: 'api', tier: 'back' }));
    const again = await c.call('POST', '/apis/apps/v1/namespaces/default/deployments', deployment('web', { app: 'web' }));
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ reason: 'AlreadyExists', message: 'deployments.apps "web" already exists' });

    const got = await c.call('GET', '/apis/apps/v1/namespaces/default/deployments/web');
    expect(got.body.metadata.resourceVersion).toBe(rv1);

    const front = await c.call('GET', '/apis/apps/v1/namespaces/default/deployments?labelSelector=tier%3Dfront');
    expect(front.body.items.map((d: { metadata: { name: string } }) => d.metadata.name)).toEqual(['web']);
    expect(Number(front.body.metadata.resourceVersion)).toBeGreaterThanOrEqual(Number(rv1));
    const notFront = await c.call('GET', '/apis/apps/v1/deployments?labelSelector=tier!%3Dfront');
    expect(notFront.body.items.map((d: { metadata: { name: string } }) => d.metadata.name)).toEqual(['api']);
    const byName = await c.call('GET', '/apis/apps/v1/namespaces/default/deployments?fieldSelector=metadata.name%3Dapi');
    expect(byName.body.items).toHaveLength(1);
    const page1 = await c.call('GET', '/apis/apps/v1/namespaces/default/deployments?limit=1');
    expect(page1.body.items).toHaveLength(1);
    const page2 = await c.call('GET', `/apis/apps/v1/namespaces/default/deployments?limit=1&continue=${page1.body.metadata.continue}`);
    expect(page2.body.items[0].metadata.name).toBe('web');
    expect(page2.body.metadata.continue).toBeUndefined();

    const merged = await c.call('PATCH', '/apis/apps/v1/namespaces/default/deployments/web', { spec: { replicas: 5 } }, { contentType: 'application/merge-patch+json' });
    expect(merged.status).toBe(200);
    expect(merged.body.spec.replicas).toBe(5);
    expect(merged.body.metadata.generation).toBe(2);
    const smp = await c.call(
      'PATCH', '/apis/apps/v1/namespaces/default/deployments/web',
      { spec: { template: { spec: { $setElementOrder: undefined, containers: [{ name: 'web', image: 'busybox:1.37' }] } } } },
      { contentType: 'application/strategic-merge-patch+json' },
    );
    expect(smp.body.spec.template.spec.containers).toHaveLength(1);
    expect(smp.body.spec.template.spec.containers[0].image).toBe('busybox:1.37');

    const stale = { ...got.body, spec: { ...got.body.spec, replicas: 1 } };
    const conflict = await c.call('PUT', '/apis/apps/v1/namespaces/default/deployments/web', stale);
    expect(conflict.status).toBe(409);
    expect(conflict.body.reason).toBe('Conflict');
    expect(conflict.body.message).toContain('the object has been modified');

    const fresh = (await c.call('GET', '/apis/apps/v1/namespaces/default/deployments/web')).body;
    const replaced = await c.call('PUT', '/apis/apps/v1/namespaces/default/deployments/web', { ...fresh, spec: { ...fresh.spec, replicas: 1 } });
    expect(replaced.status).toBe(200);
    expect(replaced.body.spec.replicas).toBe(1);

    const scale = await c.call('GET', '/apis/apps/v1/namespaces/default/deployments/web/scale');
    expect(scale.body).toMatchObject({ kind: 'Scale', apiVersion: 'autoscaling/v1', spec: { replicas: 1 } });
    const scaled = await c.call('PATCH', '/apis/apps/v1/namespaces/default/deployments/web/scale', { spec: { replicas: 4 } }, { contentType: 'application/merge-patch+json' });
    expect(scaled.body.spec.replicas).toBe(4);

    const deleted = await c.call('DELETE', '/apis/apps/v1/namespaces/default/deployments/web', { propagationPolicy: 'Background' });
    expect(deleted.status).toBe(200);
    expect(deleted.body).toMatchObject({ kind: 'Status', status: 'Success' });
    const gone = await c.call('GET', '/apis/apps/v1/namespaces/default/deployments/web');
    expect(gone.status).toBe(404);
    expect(gone.body).toMatchObject({ reason: 'NotFound', message: 'deployments.apps "web" not found' });
    const recreated = await c.call('POST', '/apis/apps/v1/namespaces/default/deployments', deployment('web', { app: 'web' }));
    expect(recreated.status).toBe(201);
  });

  it('keeps finalizers: delete marks the object, removing the last finalizer removes it', async () => {
    await c.call('POST', '/api/v1/namespaces/default/configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'held', finalizers: ['example.com/hold'] }, data: { a: '1' } });
    const marked = await c.call('DELETE', '/api/v1/namespaces/default/configmaps/held');
    expect(marked.status).toBe(200);
    expect(marked.body.metadata.deletionTimestamp).toBeDefined();
    expect((await c.call('GET', '/api/v1/namespaces/default/configmaps/held')).status).toBe(200);
    const released = await c.call('PATCH', '/api/v1/namespaces/default/configmaps/held', { metadata: { finalizers: null } }, { contentType: 'application/merge-patch+json' });
    expect(released.status).toBe(200);
    expect((await c.call('GET', '/api/v1/namespaces/default/configmaps/held')).status).toBe(404);
  });

  it('answers invalid objects with 422 Invalid and field causes', async () => {
    const noName = await c.call('POST', '/api/v1/namespaces/default/configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: {} });
    expect(noName.status).toBe(422);
    expect(noName.body.details.causes[0]).toMatchObject({ reason: 'FieldValueRequired', field: 'metadata.name' });
    const badName = await c.call('POST', '/api/v1/namespaces/default/configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'Bad_Name' } });
    expect(badName.status).toBe(422);
    expect(badName.body.message).toContain('ConfigMap "Bad_Name" is invalid');
    const noContainers = await c.call('POST', '/api/v1/namespaces/default/pods', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers: [] } });
    expect(noContainers.status).toBe(422);
    expect(noContainers.body.details.causes.map((x: { field: string }) => x.field)).toContain('spec.containers');
    const wrongSelector = deployment('mismatch', { app: 'x' });
    wrongSelector.spec.selector.matchLabels.app = 'other';
    const mismatch = await c.call('POST', '/apis/apps/v1/namespaces/default/deployments', wrongSelector);
    expect(mismatch.status).toBe(422);
    const badJson = await c.call('POST', '/api/v1/namespaces/default/configmaps', '{"apiVersion":', {});
    expect(badJson.status).toBe(400);
    const unknown = await c.call('GET', '/api/v1/namespaces/default/widgets');
    expect(unknown.status).toBe(404);
    const noNs = await c.call('POST', '/api/v1/namespaces/nowhere/configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' } });
    expect(noNs.status).toBe(404);
    expect(noNs.body.message).toBe('namespaces "nowhere" not found');
  });

  it('accepts YAML bodies', async () => {
    const yaml = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: from-yaml\ndata:\n  key: value\n';
    const r = await c.call('POST', '/api/v1/namespaces/default/configmaps', yaml, { contentType: 'application/yaml' });
    expect(r.status).toBe(201);
    expect(r.body.data).toEqual({ key: 'value' });
  });

  it('replays exactly the missed events, in order, to a watch from an old resourceVersion', async () => {
    const base = await c.call('POST', '/api/v1/namespaces/default/configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'w0' }, data: { n: '0' } });
    const from = base.body.metadata.resourceVersion;
    const expected: string[] = [];
    for (let i = 1; i <= 5; i++) {
      const r = await c.call('PATCH', '/api/v1/namespaces/default/configmaps/w0', { data: { n: String(i) } }, { contentType: 'application/merge-patch+json' });
      expected.push(`MODIFIED:${r.body.metadata.resourceVersion}:${i}`);
    }
    const del = await c.call('DELETE', '/api/v1/namespaces/default/configmaps/w0');
    expect(del.status).toBe(200);
    const events = await c.watch(`/api/v1/namespaces/default/configmaps?watch=true&resourceVersion=${from}&fieldSelector=metadata.name%3Dw0`, (e) => e.length >= 6);
    expect(events.slice(0, 5).map((e) => `${e.type}:${e.object.metadata.resourceVersion}:${e.object.data.n}`)).toEqual(expected);
    expect(events[5].type).toBe('DELETED');
    expect(Number(events[5].object.metadata.resourceVersion)).toBeGreaterThan(Number(events[4].object.metadata.resourceVersion));
  });

  it('streams live changes and lists current objects as ADDED for a watch without resourceVersion', async () => {
    const live = c.watch('/api/v1/namespaces/default/configmaps?watch=true&labelSelector=live%3Dyes', (e) => e.some((x) => x.type === 'MODIFIED'));
    await new Promise((r) => setTimeout(r, 200));
    await c.call('POST', '/api/v1/namespaces/default/configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'live', labels: { live: 'yes' } } });
    await c.call('PATCH', '/api/v1/namespaces/default/configmaps/live', { data: { x: '1' } }, { contentType: 'application/merge-patch+json' });
    const events = await live;
    expect(events.map((e) => e.type)).toEqual(['ADDED', 'MODIFIED']);
  });

  it('serves Table output for kubectl', async () => {
    const t = await c.call('GET', '/api/v1/namespaces', undefined, { accept: 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json' });
    expect(t.body.kind).toBe('Table');
    expect(t.body.columnDefinitions.map((d: { name: string }) => d.name)).toEqual(['Name', 'Status', 'Age']);
    expect(t.body.rows[0].cells[0]).toBe('default');
  });
});

describe('namespace deletion', () => {
  let c: TestCluster;
  beforeAll(async () => {
    c = await startTestCluster();
  });
  afterAll(async () => {
    await c.stop();
  });

  it('empties a deleted namespace, then removes it', async () => {
    expect((await c.call('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'doomed' } })).status).toBe(201);
    for (const name of ['a', 'b']) {
      expect((await c.call('POST', '/api/v1/namespaces/doomed/configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name } })).status).toBe(201);
    }
    const rv = (await c.call('GET', '/api/v1/namespaces/doomed')).body.metadata.resourceVersion;
    const del = await c.call('DELETE', '/api/v1/namespaces/doomed');
    expect(del.status).toBe(200);
    expect(del.body.status.phase).toBe('Terminating');
    const refused = await c.call('POST', '/api/v1/namespaces/doomed/configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'late' } });
    expect(refused.status).toBe(403);
    expect(refused.body.message).toBe('configmaps "late" is forbidden: unable to create new content in namespace doomed because it is being terminated');
    const events = await c.watch(`/api/v1/namespaces?watch=true&resourceVersion=${rv}&fieldSelector=metadata.name%3Ddoomed`, (e) => e.some((x) => x.type === 'DELETED'));
    expect(events.at(-1).type).toBe('DELETED');
    expect((await c.call('GET', '/api/v1/namespaces/doomed/configmaps')).body.items).toEqual([]);
    expect((await c.call('GET', '/api/v1/namespaces/doomed')).status).toBe(404);
  });
});

describe('watch bookmarks and expiry', () => {
  it('sends bookmarks with the current resourceVersion when asked', async () => {
    const c = await startTestCluster();
    try {
      const rv = (await c.call('GET', '/api/v1/namespaces/default/configmaps')).body.metadata.resourceVersion;
      const events = await c.watch(`/api/v1/namespaces/default/configmaps?watch=true&allowWatchBookmarks=true&resourceVersion=${rv}`, (e) => e.length >= 2);
      expect(events[0]).toEqual({ type: 'BOOKMARK', object: { kind: 'ConfigMap', apiVersion: 'v1', metadata: { resourceVersion: rv } } });
    } finally {
      await c.stop();
    }
  });

  it('answers 410 Expired only for a resourceVersion older than the log keeps', async () => {
    const c = await startTestCluster({ retention: { eventsMaxAgeMs: 1_000 } });
    try {
      const first = await c.call('POST', '/api/v1/namespaces/default/configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'old' } });
      const rv = Number(first.body.metadata.resourceVersion);
      // Served from memory or the log while the log still has it …
      const replay = await c.watch(`/api/v1/namespaces/default/configmaps?watch=true&resourceVersion=${rv - 1}`, (e) => e.length >= 1);
      expect(replay[0]).toMatchObject({ type: 'ADDED', object: { metadata: { name: 'old' } } });
      // … and after a restart (empty change ring) once retention has dropped it: 410.
      await c.restart({ pauseMs: 2_500 });
      const expired = await c.watch(`/api/v1/namespaces/default/configmaps?watch=true&resourceVersion=${rv - 1}`, (e) => e.length >= 1);
      expect(expired[0]).toMatchObject({ type: 'ERROR', object: { kind: 'Status', code: 410, reason: 'Expired' } });
      expect(expired[0].object.message).toMatch(/^too old resource version: \d+ \(\d+\)$/);
      expect((await c.call('GET', '/api/v1/namespaces/default/configmaps/old')).status).toBe(200);
    } finally {
      await c.stop();
    }
  }, 60_000);
});

describe('TLS session resumption', () => {
  it('authenticates bearer-token requests on resumed TLS sessions', async () => {
    const c = await startTestCluster();
    const { Agent, request } = await import('node:https');
    // One agent with session caching: the second and later connections resume the first one's session.
    const agent = new Agent({ ca: c.cp.caCertPem, keepAlive: false, maxCachedSessions: 10 });
    const get = () =>
      new Promise<number>((ok, fail) => {
        const req = request({ host: '127.0.0.1', port: c.cp.port, path: '/api/v1/namespaces', agent, headers: { Authorization: `Bearer ${c.cp.adminToken}` } }, (res) => {
          res.resume();
          res.on('end', () => ok(res.statusCode ?? 0));
        });
        req.on('error', fail);
        req.end();
      });
    try {
      const codes = [await get(), ...(await Promise.all([get(), get(), get()]))];
      expect(codes).toEqual([200, 200, 200, 200]);
    } finally {
      agent.destroy();
      await c.stop();
    }
  });
});
