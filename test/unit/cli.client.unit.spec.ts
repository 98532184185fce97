import { mkdtempSync, rmSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { writeKubeconfig } from '../../gateways/api/kubeconfig';
import { ApiError, ClientError, ConnectionError, KubeClient, KubeconfigError, kubeconfigPath, type ResourceRef, type WatchEvent } from '../../gateways/client';
import { makeTls, sendJson, startServer, type Recorded, type TestServer, type TestTls } from './cli.test-server';

const TABLE_ACCEPT = 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json';
const PODS: ResourceRef = { group: '', version: 'v1', plural: 'pods', namespaced: true };
const DEPLOYMENTS: ResourceRef = { group: 'apps', version: 'v1', plural: 'deployments', namespaced: true };
const NODES: ResourceRef = { group: '', version: 'v1', plural: 'nodes', namespaced: false };

const status = (code: number, reason: string, message: string) => ({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code });
const pod = (name: string, rv = '1') => ({ metadata: { name, namespace: 'default', resourceVersion: rv } });

let tls: TestTls;
beforeAll(() => {
  tls = makeTls();
});

/** Routes by `METHOD path` (query stripped); a route may stream. */
type Routes = Record<string, (req: Recorded, res: ServerResponse) => void>;

describe('client: against a local HTTPS server', () => {
  let server: TestServer;
  let routes: Routes;
  let client: KubeClient;

  beforeEach(async () => {
    routes = {};
    server = await startServer(tls, (req, res) => {
      const route = routes[`${req.method} ${req.url.split('?')[0]}`];
      if (route) route(req, res);
      else sendJson(res, 404, status(404, 'NotFound', `no route ${req.method} ${req.url}`));
    });
    client = new KubeClient({ server: server.url, caCertPem: tls.server.cert, token: 'sekret', insecureSkipTlsVerify: false, namespace: 'team-a' });
  });
  afterEach(async () => {
    client.close();
    await server.close();
  });

  const query = (req: Recorded): Record<string, string> => Object.fromEntries(new URL(req.url, 'https://x').searchParams);

  it('sends the bearer token, a user agent, JSON accept; verifies the server with the kubeconfig CA', async () => {
    routes['GET /api/v1/namespaces/team-a/pods/web'] = (_req, res) => sendJson(res, 200, { kind: 'Pod', apiVersion: 'v1', ...pod('web') });
    const got = await client.get(PODS, 'web');
    expect(got.metadata.name).toBe('web');
    const [req] = server.requests;
    expect(req.headers.authorization).toBe('Bearer sekret');
    expect(req.headers.accept).toBe('application/json');
    expect(req.headers['user-agent']).toMatch(/^skiff\//);
  });

  it('keeps the connection alive between requests', async () => {
    routes['GET /api/v1/namespaces/team-a/pods/web'] = (_req, res) => sendJson(res, 200, pod('web'));
    for (let i = 0; i < 3; i++) await client.get(PODS, 'web');
    // Three requests, one TLS connection: the server saw the same client port each time.
    expect(server.requests).toHaveLength(3);
    expect(new Set(server.requests.map((r) => r.remotePort)).size).toBe(1);
  });

  it('discovery: legacy lists, preferred version first, subresources folded, cached', async () => {
    routes['GET /api'] = (_req, res) => sendJson(res, 200, { kind: 'APIVersions', versions: ['v1'] });
    routes['GET /apis'] = (_req, res) =>
      sendJson(res, 200, {
        kind: 'APIGroupList',
        groups: [
          { name: 'apps', versions: [{ groupVersion: 'apps/v1', version: 'v1' }], preferredVersion: { groupVersion: 'apps/v1', version: 'v1' } },
          { name: 'example.dev', versions: [{ groupVersion: 'example.dev/v1', version: 'v1' }, { groupVersion: 'example.dev/v2', version: 'v2' }], preferredVersion: { version: 'v2' } },
        ],
      });
    routes['GET /api/v1'] = (_req, res) =>
      sendJson(res, 200, {
        kind: 'APIResourceList',
        groupVersion: 'v1',
        resources: [
          { name: 'pods', singularName: 'pod', namespaced: true, kind: 'Pod', verbs: ['get', 'list'], shortNames: ['po'], categories: ['all'] },
          { name: 'pods/log', singularName: '', namespaced: true, kind: 'Pod', verbs: ['get'] },
          { name: 'nodes', singularName: '', namespaced: false, kind: 'Node', verbs: ['get'] },
        ],
      });
    routes['GET /apis/apps/v1'] = (_req, res) =>
      sendJson(res, 200, {
        kind: 'APIResourceList',
        groupVersion: 'apps/v1',
        resources: [
          { name: 'deployments', singularName: 'deployment', namespaced: true, kind: 'Deployment', verbs: ['get'], shortNames: ['deploy'] },
          { name: 'deployments/scale', singularName: '', namespaced: true, kind: 'Scale', group: 'autoscaling', version: 'v1', verbs: ['get'] },
          { name: 'deployments/status', singularName: '', namespaced: true, kind: 'Deployment', verbs: ['get'] },
        ],
      });
    routes['GET /apis/example.dev/v1'] = (_req, res) => sendJson(res, 200, { resources: [{ name: 'widgets', namespaced: true, kind: 'Widget' }] });
    routes['GET /apis/example.dev/v2'] = (_req, res) => sendJson(res, 200, { resources: [{ name: 'widgets', namespaced: true, kind: 'Widget' }] });

    const resources = await client.discover();
    expect(resources.map((r) => `${r.plural}.${r.version}.${r.group}`)).toEqual(['pods.v1.', 'nodes.v1.', 'deployments.v1.apps', 'widgets.v2.example.dev', 'widgets.v1.example.dev']);
    expect(resources[0]).toMatchObject({ singular: 'pod', shortNames: ['po'], categories: ['all'], subresources: ['log'] });
    expect(resources[1]).toMatchObject({ singular: 'node', namespaced: false });
    expect(resources[2].subresources).toEqual(['scale', 'status']);
    const before = server.requests.length;
    expect(await client.findKind('apps/v1', 'Deployment')).toMatchObject({ plural: 'deployments' });
    expect(await client.findKind('example.dev/v1', 'Widget')).toMatchObject({ version: 'v1' });
    expect(await client.findKind('v1', 'Nope')).toBeUndefined();
    expect(server.requests.length).toBe(before);
  });

  it('list: selectors, limit=500, follows continue, keeps the first page\'s resourceVersion', async () => {
    routes['GET /api/v1/namespaces/team-a/pods'] = (req, res) => {
      const q = query(req);
      if (!q.continue) sendJson(res, 200, { kind: 'PodList', apiVersion: 'v1', metadata: { resourceVersion: '7', continue: 'p2' }, items: [pod('a')] });
      else if (q.continue === 'p2') sendJson(res, 200, { kind: 'PodList', apiVersion: 'v1', metadata: { resourceVersion: '7', continue: 'p3' }, items: [pod('b')] });
      else sendJson(res, 200, { kind: 'PodList', apiVersion: 'v1', metadata: { resourceVersion: '7' }, items: [pod('c')] });
    };
    const list = await client.list(PODS, { labelSelector: 'app=web', fieldSelector: 'status.phase!=Failed' });
    expect(list.items.map((i) => i.metadata.name)).toEqual(['a', 'b', 'c']);
    expect(list.metadata).toEqual({ resourceVersion: '7' });
    expect(server.requests.map(query)).toEqual([
      { labelSelector: 'app=web', fieldSelector: 'status.phase!=Failed', limit: '500' },
      { labelSelector: 'app=web', fieldSelector: 'status.phase!=Failed', limit: '500', continue: 'p2' },
      { labelSelector: 'app=web', fieldSelector: 'status.phase!=Failed', limit: '500', continue: 'p3' },
    ]);
  });

  it('list paths: -n, -A, cluster-scoped', async () => {
    const empty = (_req: Recorded, res: ServerResponse) => sendJson(res, 200, { metadata: {}, items: [] });
    routes['GET /api/v1/namespaces/other/pods'] = empty;
    routes['GET /api/v1/pods'] = empty;
    routes['GET /api/v1/nodes'] = empty;
    routes['GET /apis/apps/v1/namespaces/team-a/deployments'] = empty;
    await client.list(PODS, { namespace: 'other' });
    await client.list(PODS, { allNamespaces: true });
    await client.list(NODES, { namespace: 'ignored' });
    await client.list(DEPLOYMENTS);
    expect(server.requests.map((r) => r.url.split('?')[0])).toEqual([
      '/api/v1/namespaces/other/pods',
      '/api/v1/pods',
      '/api/v1/nodes',
      '/apis/apps/v1/namespaces/team-a/deployments',
    ]);
  });

  it('table: kubectl\'s Table Accept header; rows of all pages; a non-Table answer is an error', async () => {
    const columns = [{ name: 'Name', type: 'string', format: 'name', priority: 0 }];
    routes['GET /api/v1/namespaces/team-a/pods'] = (req, res) =>
      query(req).continue
        ? sendJson(res, 200, { kind: 'Table', apiVersion: 'meta.k8s.io/v1', metadata: { resourceVersion: '9' }, rows: [{ cells: ['b'] }] })
        : sendJson(res, 200, { kind: 'Table', apiVersion: 'meta.k8s.io/v1', metadata: { resourceVersion: '9', continue: 'x' }, columnDefinitions: columns, rows: [{ cells: ['a'] }] });
    routes['GET /api/v1/namespaces/team-a/pods/a'] = (_req, res) => sendJson(res, 200, { kind: 'Pod', ...pod('a') });
    const table = await client.table(PODS);
    expect(table.columnDefinitions).toEqual(columns);
    expect(table.rows.map((r) => r.cells[0])).toEqual(['a', 'b']);
    expect(server.requests[0].headers.accept).toBe(TABLE_ACCEPT);
    await expect(client.table(PODS, { name: 'a' })).rejects.toThrow('the server answered a Table request with kind "Pod"');
  });

  it('create, replace, patch (each type), delete: methods, content types, query, body', async () => {
    const echo = (code: number) => (req: Recorded, res: ServerResponse) => sendJson(res, code, req.body.startsWith('{') ? JSON.parse(req.body) : { metadata: {} });
    routes['POST /apis/apps/v1/namespaces/team-a/deployments'] = echo(201);
    routes['PUT /apis/apps/v1/namespaces/prod/deployments/web'] = echo(200);
    routes['PATCH /apis/apps/v1/namespaces/team-a/deployments/web'] = echo(200);
    routes['PATCH /apis/apps/v1/namespaces/team-a/deployments/web/scale'] = echo(200);
    routes['DELETE /apis/apps/v1/namespaces/team-a/deployments/web'] = (_req, res) => sendJson(res, 200, { kind: 'Status', apiVersion: 'v1', status: 'Success', metadata: {} });
    const web = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' }, spec: { replicas: 2 } };

    expect(await client.create(DEPLOYMENTS, web, { fieldManager: 'skiff' })).toEqual(web);
    await client.replace(DEPLOYMENTS, { ...web, metadata: { name: 'web', namespace: 'prod' } });
    await client.patch(DEPLOYMENTS, 'web', 'apply', web, { fieldManager: 'skiff', force: true });
    await client.patch(DEPLOYMENTS, 'web', 'merge', { spec: { replicas: 3 } }, { subresource: 'scale' });
    await client.patch(DEPLOYMENTS, 'web', 'strategic', { spec: {} });
    await client.patch(DEPLOYMENTS, 'web', 'json', [{ op: 'replace', path: '/spec/replicas', value: 1 }]);
    await client.delete(DEPLOYMENTS, 'web', { propagationPolicy: 'Foreground', gracePeriodSeconds: 0 });

    expect(server.requests.map((r) => [r.method, r.url, r.headers['content-type']])).toEqual([
      ['POST', '/apis/apps/v1/namespaces/team-a/deployments?fieldManager=skiff', 'application/json'],
      ['PUT', '/apis/apps/v1/namespaces/prod/deployments/web', 'application/json'],
      ['PATCH', '/apis/apps/v1/namespaces/team-a/deployments/web?fieldManager=skiff&force=true', 'application/apply-patch+yaml'],
      ['PATCH', '/apis/apps/v1/namespaces/team-a/deployments/web/scale', 'application/merge-patch+json'],
      ['PATCH', '/apis/apps/v1/namespaces/team-a/deployments/web', 'application/strategic-merge-patch+json'],
      ['PATCH', '/apis/apps/v1/namespaces/team-a/deployments/web', 'application/json-patch+json'],
      ['DELETE', '/apis/apps/v1/namespaces/team-a/deployments/web', 'application/json'],
    ]);
    expect(JSON.parse(server.requests[2].body)).toEqual(web);
    expect(JSON.parse(server.requests[6].body)).toEqual({ kind: 'DeleteOptions', apiVersion: 'v1', propagationPolicy: 'Foreground', gracePeriodSeconds: 0 });
  });

  describe('errors', () => {
    it('a Status body becomes an ApiError with its code, reason and message', async () => {
      routes['GET /api/v1/namespaces/team-a/pods/x'] = (_req, res) => sendJson(res, 404, status(404, 'NotFound', 'pods "x" not found'));
      const err = await client.get(PODS, 'x').catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ApiError);
      expect(err).toMatchObject({ code: 404, reason: 'NotFound', message: 'pods "x" not found', name: 'ApiError' });
    });

    it('a non-Status body gets client-go\'s generic wording', async () => {
      routes['GET /api/v1/namespaces/team-a/pods/a'] = (_req, res) => {
        res.writeHead(404, { 'Content-Type': 'text/plain' });
        res.end('404 page not found');
      };
      routes['GET /api/v1/namespaces/team-a/pods/b'] = (_req, res) => {
        res.writeHead(500);
        res.end('boom');
      };
      await expect(client.get(PODS, 'a')).rejects.toMatchObject({ code: 404, reason: 'NotFound', message: 'the server could not find the requested resource' });
      await expect(client.get(PODS, 'b')).rejects.toMatchObject({
        code: 500,
        reason: 'InternalError',
        message: 'an error on the server ("boom") has prevented the request from succeeding',
      });
    });

    it('invalid JSON in a 2xx answer is a ClientError', async () => {
      routes['GET /api/v1/namespaces/team-a/pods/a'] = (_req, res) => {
        res.writeHead(200);
        res.end('<html>');
      };
      const err = await client.get(PODS, 'a').catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ClientError);
      expect((err as Error).message).toBe('GET /api/v1/namespaces/team-a/pods/a: the server answered with invalid JSON');
    });
  });

  describe('watch', () => {
    const line = (e: unknown): string => `${JSON.stringify(e)}\n`;

    it('streams events as they arrive, split across chunks; break closes the connection', async () => {
      let closed!: () => void;
      const connectionClosed = new Promise<void>((resolve) => (closed = resolve));
      routes['GET /api/v1/namespaces/team-a/pods'] = (_req, res) => {
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.flushHeaders();
        res.on('close', closed);
        const text = line({ type: 'ADDED', object: pod('a', '5') }) + line({ type: 'MODIFIED', object: pod('a', '6') });
        res.write(text.slice(0, 17));
        setTimeout(() => res.write(text.slice(17)), 20);
        setTimeout(() => res.write(line({ type: 'DELETED', object: pod('a', '7') })), 40);
      };
      const seen: WatchEvent<unknown>[] = [];
      for await (const event of client.watch(PODS, { resourceVersion: '4', labelSelector: 'app=web', name: 'a' })) {
        seen.push(event);
        if (event.type === 'DELETED') break;
      }
      expect(seen.map((e) => e.type)).toEqual(['ADDED', 'MODIFIED', 'DELETED']);
      await connectionClosed;
      expect(query(server.requests[0])).toEqual({ watch: 'true', resourceVersion: '4', labelSelector: 'app=web', fieldSelector: 'metadata.name=a' });
      expect(server.requests[0].headers.accept).toBe('application/json');
    });

    it('watchTable asks for Tables; an AbortSignal ends the iteration quietly', async () => {
      routes['GET /api/v1/pods'] = (_req, res) => {
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.write(line({ type: 'ADDED', object: { kind: 'Table', apiVersion: 'meta.k8s.io/v1', metadata: {}, rows: [{ cells: ['a'] }] } }));
      };
      const abort = new AbortController();
      const seen: string[] = [];
      for await (const event of client.watchTable(PODS, { allNamespaces: true, signal: abort.signal })) {
        if (event.type !== 'ERROR') seen.push(String(event.object.rows[0].cells[0]));
        abort.abort();
      }
      expect(seen).toEqual(['a']);
      expect(server.requests[0].headers.accept).toBe(TABLE_ACCEPT);
    });

    it('a refused watch throws the ApiError on the first next(); ERROR events are yielded', async () => {
      routes['GET /api/v1/namespaces/team-a/pods'] = (_req, res) => sendJson(res, 403, status(403, 'Forbidden', 'pods is forbidden'));
      routes['GET /api/v1/nodes'] = (_req, res) => {
        res.writeHead(200);
        res.end(line({ type: 'ERROR', object: status(410, 'Expired', 'too old resource version: 1 (5)') }));
      };
      await expect(client.watch(PODS).next()).rejects.toMatchObject({ code: 403, reason: 'Forbidden' });
      const events: WatchEvent<unknown>[] = [];
      for await (const e of client.watch(NODES, { resourceVersion: '1' })) events.push(e);
      expect(events).toEqual([{ type: 'ERROR', object: status(410, 'Expired', 'too old resource version: 1 (5)') }]);
    });
  });

  it('a client certificate from the kubeconfig is presented', async () => {
    routes['GET /version'] = (req, res) => sendJson(res, 200, { cn: req.clientCn ?? null });
    const withCert = new KubeClient({ server: server.url, caCertPem: tls.server.cert, clientCertPem: tls.client.cert, clientKeyPem: tls.client.key, insecureSkipTlsVerify: false, namespace: '' });
    try {
      expect(JSON.parse((await withCert.request('GET', '/version')).body)).toEqual({ cn: 'alice' });
      expect(withCert.namespace).toBe('default');
      expect(server.requests[0].headers.authorization).toBeUndefined();
    } finally {
      withCert.close();
    }
  });

  it('a server the CA does not vouch for is refused unless insecure-skip-tls-verify', async () => {
    routes['GET /version'] = (_req, res) => sendJson(res, 200, { ok: true });
    const noCa = new KubeClient({ server: server.url, insecureSkipTlsVerify: false, namespace: 'default' });
    const insecure = new KubeClient({ server: server.url, insecureSkipTlsVerify: true, namespace: 'default' });
    try {
      const err = await noCa.request('GET', '/version').catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ConnectionError);
      expect((err as Error).message).toContain(`cannot verify the API server at ${server.url}`);
      expect((await insecure.request('GET', '/version')).statusCode).toBe(200);
    } finally {
      noCa.close();
      insecure.close();
    }
  });
});

describe('client: connection failures and kubeconfig', () => {
  it('an unreachable server says which one and suggests skiff up', async () => {
    const gone = await startServer(tls, () => undefined);
    await gone.close();
    const client = new KubeClient({ server: gone.url, caCertPem: tls.server.cert, insecureSkipTlsVerify: false, namespace: 'default' });
    const err = await client.discover().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConnectionError);
    expect((err as Error).message).toMatch(new RegExp(`^cannot reach the API server at ${gone.url} \\(connect ECONNREFUSED .*\\); is the cluster running\\? Start one with \`skiff up\`$`));
    client.close();
  });

  it('http:// is refused up front: credentials only travel over TLS', () => {
    expect(() => new KubeClient({ server: 'http://127.0.0.1:1', insecureSkipTlsVerify: false, namespace: 'x' })).toThrow(KubeconfigError);
  });

  it('kubeconfig path: --kubeconfig, then $KUBECONFIG (first entry), then $SKIFF_DATA_DIR or ~/.skiff', () => {
    expect(kubeconfigPath('/flag', { KUBECONFIG: '/env' })).toBe('/flag');
    expect(kubeconfigPath(undefined, { KUBECONFIG: `:/a${path.delimiter}/b`, SKIFF_DATA_DIR: '/d' })).toBe('/a');
    expect(kubeconfigPath(undefined, { SKIFF_DATA_DIR: '/d' })).toBe(path.join('/d', 'kubeconfig'));
    expect(kubeconfigPath(undefined, {})).toMatch(/\.skiff\/kubeconfig$/);
  });

  it('fromKubeconfig: reads the file skiff up writes; -n overrides its namespace; a missing file suggests skiff up', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'skiff-cli-kubeconfig-'));
    const server = await startServer(tls, (req, res) => sendJson(res, 200, { auth: req.headers.authorization }));
    try {
      await writeKubeconfig(dir, { server: server.url, caCertPem: tls.server.cert, token: 't0k' });
      const client = await KubeClient.fromKubeconfig({ env: { SKIFF_DATA_DIR: dir } });
      expect(client.namespace).toBe('default');
      expect(JSON.parse((await client.request('GET', '/version')).body)).toEqual({ auth: 'Bearer t0k' });
      client.close();
      const other = await KubeClient.fromKubeconfig({ path: path.join(dir, 'kubeconfig'), namespace: 'ops', env: {} });
      expect(other.namespace).toBe('ops');
      other.close();
      await expect(KubeClient.fromKubeconfig({ path: path.join(dir, 'nope') })).rejects.toThrow(
        `no kubeconfig at ${path.join(dir, 'nope')}; start a cluster with \`skiff up\` or pass --kubeconfig`,
      );
    } finally {
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
