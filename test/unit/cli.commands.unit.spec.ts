/**
 * The verbs end to end through main(): a kubeconfig as `skiff up` writes it, and a small in-memory
 * fake of the Kubernetes API (discovery, CRUD, apply, Table, watch with replay) on 127.0.0.1.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { promisify } from 'node:util';
import type { KubeObject } from '../../actors/kinds/types';
import { writeKubeconfig } from '../../gateways/api/kubeconfig';
import { main } from '../../cli/main';
import { makeTls, sendJson, startServer, type Recorded, type TestServer, type TestTls } from './cli.test-server';

type Kind = Readonly<{ group: string; plural: string; kind: string; namespaced: boolean; shortNames: string[] }>;
const KINDS: readonly Kind[] = [
  { group: '', plural: 'pods', kind: 'Pod', namespaced: true, shortNames: ['po'] },
  { group: '', plural: 'configmaps', kind: 'ConfigMap', namespaced: true, shortNames: ['cm'] },
  { group: '', plural: 'secrets', kind: 'Secret', namespaced: true, shortNames: [] },
  { group: '', plural: 'namespaces', kind: 'Namespace', namespaced: false, shortNames: ['ns'] },
  { group: '', plural: 'events', kind: 'Event', namespaced: true, shortNames: ['ev'] },
  { group: '', plural: 'services', kind: 'Service', namespaced: true, shortNames: ['svc'] },
  { group: '', plural: 'endpoints', kind: 'Endpoints', namespaced: true, shortNames: ['ep'] },
  { group: '', plural: 'nodes', kind: 'Node', namespaced: false, shortNames: ['no'] },
  { group: 'apps', plural: 'deployments', kind: 'Deployment', namespaced: true, shortNames: ['deploy'] },
  { group: 'apps', plural: 'replicasets', kind: 'ReplicaSet', namespaced: true, shortNames: ['rs'] },
];

type Change = Readonly<{ rv: number; type: 'ADDED' | 'MODIFIED' | 'DELETED'; plural: string; object: KubeObject }>;
type Watcher = Readonly<{ plural: string; namespace?: string; name?: string; table: boolean; res: ServerResponse }>;

/** Just enough of an API server for the CLI: objects by plural/namespace/name, a change log for watch replay. */
class FakeApi {
  private readonly objects = new Map<string, KubeObject>();
  private readonly changes: Change[] = [];
  private readonly watchers = new Set<Watcher>();
  private rv = 100;
  private uid = 0;
  /** Pods are deleted gracefully: DELETE marks them, they disappear this much later. */
  podGraceMs = 30;

  put(plural: string, obj: KubeObject, type: Change['type'] = 'ADDED'): KubeObject {
    const stored = { ...obj, metadata: { ...obj.metadata, resourceVersion: String(++this.rv) } };
    stored.metadata.uid ??= `uid-${++this.uid}`;
    stored.metadata.creationTimestamp ??= '2026-01-01T00:00:00Z';
    this.objects.set(this.key(plural, stored.metadata.namespace, stored.metadata.name ?? ''), stored);
    this.emit({ rv: this.rv, type, plural, object: stored });
    return stored;
  }

  remove(plural: string, obj: KubeObject): void {
    this.objects.delete(this.key(plural, obj.metadata.namespace, obj.metadata.name ?? ''));
    this.emit({ rv: ++this.rv, type: 'DELETED', plural, object: { ...obj, metadata: { ...obj.metadata, resourceVersion: String(this.rv) } } });
  }

  handle = (req: Recorded, res: ServerResponse): void => {
    const url = new URL(req.url, 'https://fake');
    const q = url.searchParams;
    if (url.pathname === '/api') return sendJson(res, 200, { kind: 'APIVersions', versions: ['v1'] });
    if (url.pathname === '/apis') {
      return sendJson(res, 200, { kind: 'APIGroupList', groups: [{ name: 'apps', versions: [{ groupVersion: 'apps/v1', version: 'v1' }], preferredVersion: { version: 'v1' } }] });
    }
    if (url.pathname === '/api/v1' || url.pathname === '/apis/apps/v1') {
      const group = url.pathname === '/api/v1' ? '' : 'apps';
      const resources = KINDS.filter((k) => k.group === group).map((k) => ({ name: k.plural, singularName: k.kind.toLowerCase(), namespaced: k.namespaced, kind: k.kind, verbs: ['get'], shortNames: k.shortNames }));
      return sendJson(res, 200, { kind: 'APIResourceList', groupVersion: group ? 'apps/v1' : 'v1', resources });
    }
    const m = /^\/(?:api\/v1|apis\/apps\/v1)(?:\/namespaces\/([^/]+)(?=\/))?\/([^/]+)(?:\/([^/]+))?$/.exec(url.pathname);
    const kind = KINDS.find((k) => k.plural === m?.[2]);
    if (!m || !kind) return sendJson(res, 404, notFound('the server could not find the requested resource'));
    const [, namespace, , name] = m;
    const table = (req.headers.accept ?? '').includes('as=Table');
    const qualified = kind.group ? `${kind.plural}.${kind.group}` : kind.plural;

    if (req.method === 'GET' && name === undefined && q.get('watch') === 'true') {
      const watcher: Watcher = { plural: kind.plural, namespace, name: fieldValue(q.get('fieldSelector'), 'metadata.name'), table, res };
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.flushHeaders();
      this.watchers.add(watcher);
      res.on('close', () => this.watchers.delete(watcher));
      const from = Number(q.get('resourceVersion') ?? Number.MAX_SAFE_INTEGER);
      for (const change of this.changes.filter((c) => c.rv > from)) this.send(watcher, change);
      return;
    }
    if (req.method === 'GET' && name === undefined) {
      // Sorted by namespace/name, as the real server's ordered store lists them.
      const items = [...this.objects.entries()]
        .sort(([a], [b]) => a.localeCompare(b))
        .filter(([key]) => key.startsWith(`${kind.plural}/${namespace ?? ''}`))
        .map(([, obj]) => obj)
        .filter((obj) => matches(obj, q.get('labelSelector'), q.get('fieldSelector')));
      return sendJson(res, 200, table ? this.table(kind, items) : { kind: `${kind.kind}List`, apiVersion: 'v1', metadata: { resourceVersion: String(this.rv) }, items });
    }
    const existing = name === undefined ? undefined : this.objects.get(this.key(kind.plural, namespace, name));
    switch (req.method) {
      case 'GET':
        if (!existing) return sendJson(res, 404, notFound(`${qualified} "${name}" not found`));
        return sendJson(res, 200, table ? this.table(kind, [existing]) : existing);
      case 'POST': {
        const obj = JSON.parse(req.body) as KubeObject;
        if (this.objects.has(this.key(kind.plural, namespace, obj.metadata.name ?? ''))) return sendJson(res, 409, status(409, 'AlreadyExists', `${qualified} "${obj.metadata.name}" already exists`));
        return sendJson(res, 201, this.put(kind.plural, { ...obj, metadata: { ...obj.metadata, namespace } }));
      }
      case 'PATCH': {
        const applied = JSON.parse(req.body) as KubeObject;
        if (!existing) return sendJson(res, 201, this.put(kind.plural, applied));
        const { metadata: _liveMeta, ...liveRest } = existing;
        const { metadata: _appliedMeta, ...appliedRest } = applied;
        if (JSON.stringify(liveRest) === JSON.stringify({ ...liveRest, ...appliedRest })) return sendJson(res, 200, existing);
        return sendJson(res, 200, this.put(kind.plural, { ...existing, ...appliedRest, metadata: existing.metadata }, 'MODIFIED'));
      }
      case 'DELETE': {
        if (!existing) return sendJson(res, 404, notFound(`${qualified} "${name}" not found`));
        if (kind.plural !== 'pods') {
          this.remove(kind.plural, existing);
          return sendJson(res, 200, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success' });
        }
        const marked = this.put(kind.plural, { ...existing, metadata: { ...existing.metadata, deletionTimestamp: '2026-01-01T00:01:00Z' } }, 'MODIFIED');
        setTimeout(() => this.remove(kind.plural, marked), this.podGraceMs);
        return sendJson(res, 200, marked);
      }
      default:
        return sendJson(res, 405, status(405, 'MethodNotAllowed', 'no'));
    }
  };

  private emit(change: Change): void {
    this.changes.push(change);
    for (const w of this.watchers) this.send(w, change);
  }

  private send(w: Watcher, change: Change): void {
    const { object } = change;
    if (w.plural !== change.plural || (w.namespace && w.namespace !== object.metadata.namespace) || (w.name && w.name !== object.metadata.name)) return;
    const kind = KINDS.find((k) => k.plural === change.plural) as Kind;
    w.res.write(`${JSON.stringify({ type: change.type, object: w.table ? this.table(kind, [object]) : object })}\n`);
  }

  /** Name and Status columns, plus a wide Node column for pods. */
  private table(kind: Kind, items: readonly KubeObject[]): unknown {
    const pods = kind.plural === 'pods';
    return {
      kind: 'Table',
      apiVersion: 'meta.k8s.io/v1',
      metadata: { resourceVersion: String(this.rv) },
      columnDefinitions: [
        { name: 'Name', type: 'string', format: 'name', priority: 0 },
        { name: 'Status', type: 'string', format: '', priority: 0 },
        ...(pods ? [{ name: 'Node', type: 'string', format: '', priority: 1 }] : []),
      ],
      rows: items.map((obj) => ({
        cells: [obj.metadata.name, (obj.status as { phase?: string } | undefined)?.phase ?? 'Active', ...(pods ? [(obj.spec as { nodeName?: string } | undefined)?.nodeName ?? '<none>'] : [])],
        object: { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: { name: obj.metadata.name, namespace: obj.metadata.namespace } },
      })),
    };
  }

  private key(plural: string, namespace: string | undefined, name: string): string {
    return `${plural}/${namespace ?? ''}/${name}`;
  }
}

const status = (code: number, reason: string, message: string) => ({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code });
const notFound = (message: string) => status(404, 'NotFound', message);

function fieldValue(selector: string | null, field: string): string | undefined {
  return selector?.split(',').find((part) => part.startsWith(`${field}=`))?.slice(field.length + 1);
}

/** `k=v` labels; `a.b=v` and `a.b!=v` fields (what the CLI sends). */
function matches(obj: KubeObject, labelSelector: string | null, fieldSelector: string | null): boolean {
  const labels = labelSelector ? labelSelector.split(',').every((p) => obj.metadata.labels?.[p.split('=')[0]] === p.split('=')[1]) : true;
  const fields = fieldSelector
    ? fieldSelector.split(',').every((p) => {
        const [, fieldPath, not, value] = /^([^!=]+)(!?)=(.*)$/.exec(p) ?? [];
        const actual = fieldPath.split('.').reduce<unknown>((v, k) => (v as Record<string, unknown> | undefined)?.[k], obj);
        return (actual === value) !== (not === '!');
      })
    : true;
  return labels && fields;
}

// ---------------------------------------------------------------------------------------------

let tls: TestTls;
let api: FakeApi;
let server: TestServer;
let dir: string;
let kubeconfig: string;

beforeAll(() => {
  tls = makeTls();
});

beforeEach(async () => {
  api = new FakeApi();
  server = await startServer(tls, api.handle);
  dir = mkdtempSync(path.join(tmpdir(), 'skiff-cli-commands-'));
  kubeconfig = await writeKubeconfig(dir, { server: server.url, caCertPem: tls.server.cert, token: 'admin-token' });
});

afterEach(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

type Run = Readonly<{ code: number; stdout: string; stderr: string }>;

async function skiff(argv: readonly string[], opts: Readonly<{ stdin?: string; signal?: AbortSignal; onOutput?: (stdout: string) => void }> = {}): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const code = await main(['--kubeconfig', kubeconfig, ...argv], {
    stdin: Readable.from(opts.stdin === undefined ? [] : [Buffer.from(opts.stdin)]),
    stdout: {
      write: (text) => {
        stdout += text;
        opts.onOutput?.(stdout);
      },
    },
    stderr: { write: (text) => void (stderr += text) },
    env: {},
    signal: opts.signal ?? new AbortController().signal,
    now: () => Date.parse('2026-01-01T00:05:00Z'),
  });
  return { code, stdout, stderr };
}

function seedPods(): void {
  api.put('pods', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web-1', namespace: 'default', labels: { app: 'web' } }, spec: { nodeName: 'node-a', containers: [{ name: 'c', image: 'nginx' }] }, status: { phase: 'Running' } });
  api.put('pods', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'db-1', namespace: 'data', labels: { app: 'db' } }, status: { phase: 'Pending' } });
}

const manifest = (replicas: number) => `apiVersion: v1
kind: ConfigMap
metadata:
  name: cfg
data:
  mode: fast
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: ${replicas}
`;

describe('skiff apply', () => {
  it('creates, then reports unchanged, then configured; server-side apply as field manager skiff, forced', async () => {
    const file = path.join(dir, 'app.yaml');
    writeFileSync(file, manifest(1));
    expect(await skiff(['apply', '-f', file])).toEqual({ code: 0, stdout: 'configmap/cfg created\ndeployment.apps/web created\n', stderr: '' });
    expect(await skiff(['apply', '-f', file])).toEqual({ code: 0, stdout: 'configmap/cfg unchanged\ndeployment.apps/web unchanged\n', stderr: '' });
    writeFileSync(file, manifest(3));
    expect(await skiff(['apply', '-f', file])).toEqual({ code: 0, stdout: 'configmap/cfg unchanged\ndeployment.apps/web configured\n', stderr: '' });

    const writes = server.requests.filter((r) => r.method !== 'GET');
    expect(writes.map((r) => `${r.method} ${r.url} ${r.headers['content-type']}`)).toEqual([
      'POST /api/v1/namespaces/default/configmaps?fieldManager=skiff application/json',
      'POST /apis/apps/v1/namespaces/default/deployments?fieldManager=skiff application/json',
      'PATCH /api/v1/namespaces/default/configmaps/cfg?fieldManager=skiff&force=true application/apply-patch+yaml',
      'PATCH /apis/apps/v1/namespaces/default/deployments/web?fieldManager=skiff&force=true application/apply-patch+yaml',
      'PATCH /api/v1/namespaces/default/configmaps/cfg?fieldManager=skiff&force=true application/apply-patch+yaml',
      'PATCH /apis/apps/v1/namespaces/default/deployments/web?fieldManager=skiff&force=true application/apply-patch+yaml',
    ]);
    expect(JSON.parse(writes[3].body)).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'default' }, spec: { replicas: 1 } });
  });

  it('reads stdin with -f -, honours -n, reports per-object errors and applies the rest', async () => {
    const stdin = `${manifest(1)}---\napiVersion: example.dev/v1\nkind: Widget\nmetadata: {name: w}\n`;
    const run = await skiff(['-n', 'team', 'apply', '-f', '-'], { stdin });
    expect(run.stdout).toBe('configmap/cfg created\ndeployment.apps/web created\n');
    expect(run.stderr).toBe('error: resource mapping not found for name: "w" namespace: "" from "STDIN": no matches for kind "Widget" in version "example.dev/v1" (is it installed?)\n');
    expect(run.code).toBe(1);
    expect(server.requests.some((r) => r.url.startsWith('/api/v1/namespaces/team/configmaps'))).toBe(true);
  });

  it('a manifest namespace that contradicts -n is refused', async () => {
    const stdin = 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, namespace: prod}\n';
    expect(await skiff(['apply', '-n', 'dev', '-f', '-'], { stdin })).toEqual({
      code: 1,
      stdout: '',
      stderr: `error: the namespace from the provided object "prod" does not match the namespace "dev". You must pass '--namespace=prod' to perform this operation.\n`,
    });
  });

  it('needs -f', async () => {
    expect(await skiff(['apply'])).toEqual({ code: 1, stdout: '', stderr: 'error: must specify -f FILE, a directory, or - for stdin\n' });
  });
});

describe('skiff get', () => {
  beforeEach(seedPods);

  it('prints the server Table like kubectl; -o wide adds priority-1 columns', async () => {
    expect(await skiff(['get', 'pods'])).toEqual({ code: 0, stdout: 'NAME    STATUS\nweb-1   Running\n', stderr: '' });
    expect((await skiff(['get', 'po', '-o', 'wide'])).stdout).toBe('NAME    STATUS    NODE\nweb-1   Running   node-a\n');
    expect(server.requests.at(-1)?.headers.accept).toContain('application/json;as=Table;v=v1;g=meta.k8s.io');
  });

  it('-A lists every namespace with a NAMESPACE column; -l filters', async () => {
    expect((await skiff(['get', 'pods', '-A'])).stdout).toBe('NAMESPACE   NAME    STATUS\ndata        db-1    Pending\ndefault     web-1   Running\n');
    expect((await skiff(['get', 'pods', '-A', '-l', 'app=db'])).stdout).toBe('NAMESPACE   NAME   STATUS\ndata        db-1   Pending\n');
  });

  it('several kinds: one table each, names prefixed kind.group/, separated by a blank line', async () => {
    await skiff(['apply', '-f', '-'], { stdin: manifest(1) });
    expect((await skiff(['get', 'pods,deploy'])).stdout).toBe(
      ['NAME        STATUS', 'pod/web-1   Running', '', 'NAME                  STATUS', 'deployment.apps/web   Active', ''].join('\n'),
    );
  });

  it('-o name, -o yaml of one object, -o json of a list', async () => {
    expect((await skiff(['get', 'pods', '-A', '-o', 'name'])).stdout).toBe('pod/db-1\npod/web-1\n');
    const yaml = (await skiff(['get', 'pod', 'web-1', '-o', 'yaml'])).stdout;
    expect(yaml).toMatch(/^apiVersion: v1\nkind: Pod\nmetadata:\n/);
    const list = JSON.parse((await skiff(['get', 'pods', '-o', 'json'])).stdout) as { kind: string; items: KubeObject[] };
    expect(list.kind).toBe('List');
    expect(list.items.map((i) => [i.kind, i.metadata.name])).toEqual([['Pod', 'web-1']]);
  });

  it('a missing name is kubectl\'s error line; the found ones still print', async () => {
    expect(await skiff(['get', 'pods', 'web-1', 'nope'])).toEqual({ code: 1, stdout: 'NAME    STATUS\nweb-1   Running\n', stderr: 'Error from server (NotFound): pods "nope" not found\n' });
  });

  it('nothing found says so on stderr; an unknown kind is one error line', async () => {
    expect(await skiff(['-n', 'empty', 'get', 'cm'])).toEqual({ code: 0, stdout: '', stderr: 'No resources found in empty namespace.\n' });
    expect(await skiff(['get', 'ns'])).toEqual({ code: 0, stdout: '', stderr: 'No resources found\n' });
    expect(await skiff(['get', 'foo'])).toEqual({ code: 1, stdout: '', stderr: 'error: the server doesn\'t have a resource type "foo"\n' });
    expect(await skiff(['get', 'pods', '-o', 'xml'])).toEqual({
      code: 1,
      stdout: '',
      stderr: 'error: unable to match a printer suitable for the output format "xml", allowed formats are: wide,yaml,json,name\n',
    });
  });

  it('-w prints the list, then a row per event, until interrupted', async () => {
    const interrupt = new AbortController();
    const done = skiff(['get', 'pods', '-w'], {
      signal: interrupt.signal,
      onOutput: (stdout) => {
        if (stdout === 'NAME    STATUS\nweb-1   Running\n') {
          api.put('pods', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web-2', namespace: 'default' }, status: { phase: 'Pending' } });
        }
        if (stdout.endsWith('web-2   Pending\n')) interrupt.abort();
      },
    });
    expect(await done).toEqual({ code: 0, stdout: 'NAME    STATUS\nweb-1   Running\nweb-2   Pending\n', stderr: '' });
    const watch = server.requests.find((r) => r.url.includes('watch=true'));
    expect(watch?.url).toBe('/api/v1/namespaces/default/pods?watch=true&resourceVersion=102');
    expect(watch?.headers.accept).toContain('as=Table');
  });
});

describe('skiff describe', () => {
  it('pod: header, kind section, events from the involvedObject selector', async () => {
    seedPods();
    const pod = api.put('pods', {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'web-1', namespace: 'default', labels: { app: 'web', tier: 'front' }, annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{}', note: 'hi' } },
      spec: { nodeName: 'node-a', containers: [{ name: 'c', image: 'nginx', ports: [{ containerPort: 80 }] }] },
      status: { phase: 'Running', podIP: '10.1.0.5', containerStatuses: [{ name: 'c', ready: true, restartCount: 0, state: { running: { startedAt: '2026-01-01T00:00:00Z' } } }] },
    });
    api.put('events', {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: 'e1', namespace: 'default' },
      involvedObject: { name: 'web-1', namespace: 'default', uid: pod.metadata.uid },
      type: 'Normal',
      reason: 'Scheduled',
      message: 'Successfully assigned default/web-1 to node-a',
      source: { component: 'scheduler' },
      firstTimestamp: '2026-01-01T00:04:00Z',
      lastTimestamp: '2026-01-01T00:04:00Z',
      count: 1,
    } as KubeObject);
    const { code, stdout } = await skiff(['describe', 'pod', 'web-1']);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^Name: {15}web-1\nNamespace: {10}default\nCreationTimestamp: {2}\w{3}, 01 Jan 2026 \d\d:\d\d:00 [+-]\d{4}\n/);
    expect(stdout).toContain(['Labels:             app=web', '                    tier=front', 'Annotations:        note: hi', 'Priority:           0'].join('\n'));
    expect(stdout).toContain('Node:               node-a\n');
    expect(stdout).toContain(['Containers:', '  c:', '    Container ID:   ', '    Image:          nginx'].join('\n'));
    expect(stdout).toMatch(/ {4}State: {10}Running\n {6}Started: {6}\w{3}, 01 Jan 2026/);
    expect(stdout).toContain(['Events:', '  Type    Reason     Age   From       Message', '  ----    ------     ----  ----       -------', '  Normal  Scheduled  60s   scheduler  Successfully assigned default/web-1 to node-a', ''].join('\n'));
    const events = server.requests.find((r) => r.url.includes('/events'));
    expect(new URL(events?.url ?? '', 'https://x').searchParams.get('fieldSelector')).toBe(`involvedObject.name=web-1,involvedObject.namespace=default,involvedObject.uid=${pod.metadata.uid}`);
  });

  it('pod being deleted: kubectl\'s Terminating line (the age of a deadline still ahead is <invalid>) and its grace period', async () => {
    const ahead = new Date(Date.now() + 30_000).toISOString().replace(/\.\d+Z$/, 'Z');
    api.put('pods', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'going', namespace: 'default', deletionTimestamp: ahead, deletionGracePeriodSeconds: 30 }, spec: { nodeName: 'node-a', containers: [{ name: 'c', image: 'nginx' }] }, status: { phase: 'Running' } } as KubeObject);
    const { stdout } = await skiff(['describe', 'pod', 'going']);
    expect(stdout).toContain('Status:                    Terminating (lasts <invalid>)\nTermination Grace Period:  30s\n');
  });

  it('secret: sizes only, never values; no events → Events: <none>', async () => {
    api.put('secrets', { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's', namespace: 'default' }, type: 'Opaque', data: { password: Buffer.from('hunter2').toString('base64') } } as KubeObject);
    const { stdout } = await skiff(['describe', 'secret/s']);
    expect(stdout).toContain('\nType:  Opaque\n\nData\n====\npassword:  7 bytes\n\nEvents:  <none>\n');
    expect(stdout).not.toContain('hunter2');
    expect(stdout).not.toContain(Buffer.from('hunter2').toString('base64'));
    expect(stdout.endsWith('Events:  <none>\n')).toBe(true);
  });

  it('deployment: replicas, strategy, template, conditions, old and new ReplicaSets', async () => {
    const d = api.put('deployments', {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web', namespace: 'default', annotations: { 'deployment.kubernetes.io/revision': '2' } },
      spec: {
        replicas: 2,
        selector: { matchLabels: { app: 'web' } },
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25%', maxSurge: 1 } },
        template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'nginx', image: 'nginx:1.27', env: [{ name: 'PASSWORD', valueFrom: { secretKeyRef: { name: 's', key: 'k' } } }] }] } },
      },
      status: { replicas: 3, updatedReplicas: 2, availableReplicas: 2, unavailableReplicas: 1, conditions: [{ type: 'Available', status: 'True', reason: 'MinimumReplicasAvailable' }] },
    });
    const owner = [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', uid: d.metadata.uid ?? '', controller: true }];
    for (const [name, revision, replicas] of [['web-1a', '1', 1], ['web-2b', '2', 2], ['web-0z', '0', 0]] as const) {
      api.put('replicasets', {
        apiVersion: 'apps/v1',
        kind: 'ReplicaSet',
        metadata: { name, namespace: 'default', labels: { app: 'web' }, annotations: { 'deployment.kubernetes.io/revision': revision }, ownerReferences: owner },
        spec: { replicas },
        status: { replicas },
      });
    }
    const { stdout } = await skiff(['describe', 'deploy', 'web']);
    expect(stdout).toContain(
      [
        'Selector:               app=web',
        'Replicas:               2 desired | 2 updated | 3 total | 2 available | 1 unavailable',
        'StrategyType:           RollingUpdate',
        'MinReadySeconds:        0',
        'RollingUpdateStrategy:  25% max unavailable, 1 max surge',
        'Pod Template:',
        '  Labels:  app=web',
        '  Containers:',
        '   nginx:',
        '    Image:      nginx:1.27',
        '    Port:       <none>',
        '    Host Port:  <none>',
        '    Environment:',
        "      PASSWORD:    <set to the key 'k' in secret 's'>  Optional: false",
        '    Mounts:        <none>',
        '  Volumes:         <none>',
      ].join('\n'),
    );
    expect(stdout).toContain(['OldReplicaSets:  web-1a (1/1 replicas created)', 'NewReplicaSet:   web-2b (2/2 replicas created)', 'Events:          <none>', ''].join('\n'));
    expect(server.requests.some((r) => r.url === '/apis/apps/v1/namespaces/default/replicasets?labelSelector=app%3Dweb&limit=500')).toBe(true);
  });

  it('service: ports with their endpoints; configmap: data; node: roles, conditions and its pods', async () => {
    api.put('services', { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'default' }, spec: { type: 'ClusterIP', selector: { app: 'web' }, clusterIP: '10.96.0.7', ports: [{ name: 'http', port: 80, targetPort: 8080, protocol: 'TCP' }] } });
    api.put('endpoints', { apiVersion: 'v1', kind: 'Endpoints', metadata: { name: 'web', namespace: 'default' }, subsets: [{ addresses: [{ ip: '10.1.0.5' }, { ip: '10.1.0.6' }], ports: [{ name: 'http', port: 8080 }] }] } as KubeObject);
    api.put('configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cfg', namespace: 'default' }, data: { 'a.conf': 'x=1\ny=2' } } as KubeObject);
    api.put('nodes', {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: { name: 'node-a', labels: { 'node-role.kubernetes.io/control-plane': '' } },
      status: { conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'ok' }], addresses: [{ type: 'InternalIP', address: '10.0.0.1' }], capacity: { cpu: '4', pods: '110' } },
    });
    seedPods();
    api.put('pods', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'done', namespace: 'default' }, spec: { nodeName: 'node-a' }, status: { phase: 'Succeeded' } });

    expect((await skiff(['describe', 'svc', 'web'])).stdout).toContain(
      ['Selector:           app=web', 'Type:               ClusterIP', 'IP Families:        <none>', 'IP:                 10.96.0.7', 'IPs:                <none>', 'Port:               http  80/TCP', 'TargetPort:         8080/TCP', 'Endpoints:          10.1.0.5:8080,10.1.0.6:8080', 'Session Affinity:   None'].join('\n'),
    );
    // kubectl's layout, blank lines included.
    expect((await skiff(['describe', 'cm', 'cfg'])).stdout).toContain('\n\nData\n====\na.conf:\n----\nx=1\ny=2\n\n\nBinaryData\n====\n\nEvents:  <none>\n');
    const node = (await skiff(['describe', 'no', 'node-a'])).stdout;
    expect(node).toContain('Roles:              control-plane\n');
    expect(node).not.toContain('Namespace:');
    // As in kubectl, consecutive lines with cells share one tabwriter block: Capacity lines align with the pod table.
    expect(node).toContain(['Addresses:', '  InternalIP:  10.0.0.1', 'Capacity:', '  cpu:                4', '  pods:               110', 'Non-terminated Pods:  (1 in total)', '  Namespace           Name   Age', '  ---------           ----   ---', '  default             web-1  5m'].join('\n'));
  });

  it('not found → kubectl error line', async () => {
    expect(await skiff(['describe', 'cm', 'nope'])).toEqual({ code: 1, stdout: '', stderr: 'Error from server (NotFound): configmaps "nope" not found\n' });
  });
});

describe('skiff delete', () => {
  it('prints kubectl\'s line, then waits until the graceful delete is done (DELETED on the watch)', async () => {
    seedPods();
    api.podGraceMs = 50;
    const run = await skiff(['delete', 'pod', 'web-1']);
    expect(run).toEqual({ code: 0, stdout: 'pod "web-1" deleted\n', stderr: '' });
    const calls = server.requests.filter((r) => !r.url.startsWith('/api?') && r.url !== '/api' && r.url !== '/apis' && r.url !== '/api/v1' && r.url !== '/apis/apps/v1');
    expect(calls.map((r) => `${r.method} ${r.url.split('&resourceVersion')[0]}`)).toEqual([
      'DELETE /api/v1/namespaces/default/pods/web-1',
      'GET /api/v1/namespaces/default/pods/web-1',
      'GET /api/v1/namespaces/default/pods?watch=true',
    ]);
    expect(JSON.parse(calls[0].body)).toMatchObject({ propagationPolicy: 'Background' });
    expect(calls[2].url).toContain('fieldSelector=metadata.name%3Dweb-1');
  });

  it('-f deletes what the file names; --cascade and --grace-period reach the body; a Status answer needs no watch', async () => {
    await skiff(['apply', '-f', '-'], { stdin: manifest(1) });
    const run = await skiff(['delete', '-f', '-', '--cascade=orphan', '--grace-period', '5'], { stdin: manifest(1) });
    expect(run).toEqual({ code: 0, stdout: 'configmap "cfg" deleted\ndeployment.apps "web" deleted\n', stderr: '' });
    const deletes = server.requests.filter((r) => r.method === 'DELETE');
    expect(deletes.map((r) => JSON.parse(r.body))).toEqual([
      { kind: 'DeleteOptions', apiVersion: 'v1', propagationPolicy: 'Orphan', gracePeriodSeconds: 5 },
      { kind: 'DeleteOptions', apiVersion: 'v1', propagationPolicy: 'Orphan', gracePeriodSeconds: 5 },
    ]);
    expect(server.requests.some((r) => r.url.includes('watch=true'))).toBe(false);
  });

  it('--force (with --grace-period=0, implied): grace 0, kubectl\'s warning on stderr, "force deleted"', async () => {
    seedPods();
    const warning = 'Warning: Immediate deletion does not wait for confirmation that the running resource has been terminated. The resource may continue to run on the cluster indefinitely.\n';
    expect(await skiff(['delete', 'pod', 'web-1', '--force', '--grace-period=0', '--wait=false'])).toEqual({ code: 0, stdout: 'pod "web-1" force deleted\n', stderr: warning });
    expect(await skiff(['delete', 'pod', 'db-1', '-n', 'data', '--force', '--wait=false'])).toEqual({ code: 0, stdout: 'pod "db-1" force deleted\n', stderr: warning });
    expect(server.requests.filter((r) => r.method === 'DELETE').map((r) => JSON.parse(r.body).gracePeriodSeconds)).toEqual([0, 0]);
  });

  it('--grace-period=0 without --force means 1 s, as does --now; a period with --force or with --now is refused', async () => {
    seedPods();
    expect(await skiff(['delete', 'pod', 'web-1', '--grace-period=0', '--wait=false'])).toEqual({ code: 0, stdout: 'pod "web-1" deleted\n', stderr: '' });
    expect((await skiff(['delete', 'pod', 'db-1', '-n', 'data', '--now', '--wait=false'])).stdout).toBe('pod "db-1" deleted\n');
    expect(server.requests.filter((r) => r.method === 'DELETE').map((r) => JSON.parse(r.body).gracePeriodSeconds)).toEqual([1, 1]);
    expect((await skiff(['delete', 'pod', 'web-1', '--force', '--grace-period=5'])).stderr).toBe('error: --force and --grace-period greater than 0 cannot be specified together\n');
    expect((await skiff(['delete', 'pod', 'web-1', '--now', '--grace-period=5'])).stderr).toBe('error: --now and --grace-period cannot be specified together\n');
  });

  it('not found is an error unless --ignore-not-found; --wait=false does not look again', async () => {
    expect(await skiff(['delete', 'cm', 'nope'])).toEqual({ code: 1, stdout: '', stderr: 'Error from server (NotFound): configmaps "nope" not found\n' });
    expect(await skiff(['delete', 'cm', 'nope', '--ignore-not-found'])).toEqual({ code: 0, stdout: '', stderr: '' });
    seedPods();
    const before = server.requests.length;
    expect((await skiff(['delete', 'po/web-1', '--wait=false'])).stdout).toBe('pod "web-1" deleted\n');
    expect(server.requests.slice(before).filter((r) => r.url.includes('/pods')).map((r) => r.method)).toEqual(['DELETE']);
  });

  it('bad flags and missing names are one error line each', async () => {
    expect((await skiff(['delete', 'pods'])).stderr).toBe('error: resource(s) were provided, but no name was specified\n');
    expect((await skiff(['delete', 'pod', 'x', '--cascade=sideways'])).stderr).toBe('error: invalid cascade value (sideways). Must be "background", "foreground", or "orphan".\n');
  });
});

describe('skiff main', () => {
  it('unknown verbs and flags: one line, exit 1, no stack', async () => {
    expect(await skiff(['frobnicate'])).toEqual({ code: 1, stdout: '', stderr: 'error: unknown command "frobnicate" for "skiff" (run `skiff --help`)\n' });
    expect(await skiff(['get', 'pods', '--bogus'])).toEqual({ code: 1, stdout: '', stderr: 'error: unknown flag: --bogus\n' });
  });

  it('an unreachable server is one line that names it and suggests skiff up', async () => {
    await server.close();
    const run = await skiff(['get', 'pods']);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(new RegExp(`^error: cannot reach the API server at ${server.url} \\(.*\\); is the cluster running\\? Start one with \`skiff up\`\\n$`));
  });

  it('--help lists the verbs', async () => {
    const run = await skiff(['--help']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/Verbs:\n {2}up .*\n {2}node .*\n {2}apply .*\n {2}get .*\n {2}describe .*\n {2}delete /);
  });
});

describe('bin/skiff', () => {
  const bin = path.join(__dirname, '..', '..', 'bin', 'skiff');
  const launch = (args: string[]) =>
    promisify(execFile)(bin, args, { cwd: tmpdir(), env: { ...process.env, SKIFF_DATA_DIR: dir, KUBECONFIG: '' } }).then(
      ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
      (err: { code: number; stdout: string; stderr: string }) => ({ code: err.code, stdout: err.stdout, stderr: err.stderr }),
    );

  it('runs the TypeScript CLI from any cwd, finds <SKIFF_DATA_DIR>/kubeconfig, and passes the exit code on', async () => {
    seedPods();
    expect(await launch(['get', 'pods'])).toEqual({ code: 0, stdout: 'NAME    STATUS\nweb-1   Running\n', stderr: '' });
    expect(await launch(['get', 'pods', 'nope'])).toEqual({ code: 1, stdout: '', stderr: 'Error from server (NotFound): pods "nope" not found\n' });
  });
});
