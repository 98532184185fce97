/**
 * Issue 3: the stock kubectl 1.32 (/usr/bin/kubectl, Google Cloud SDK's dispatcher) against a real
 * skiff control plane on a real nats-server. Every command of the issue that needs no node and no
 * controller; expectations are what kube-apiserver 1.32 makes kubectl print (kubectl-compat.md).
 *
 * Not here, on purpose: `rollout status|history|undo|restart` need the Deployment → ReplicaSet
 * controller, which does not exist yet (kubectl-compat.md §9.3–9.4); `logs` and `exec` need a node
 * agent (kubectl-streams.e2e.spec.ts); `port-forward` is not built.
 *
 * One cluster and one kubectl home for the whole file: a cluster start costs seconds, a kubectl run
 * ~100–300 ms, and a shared discovery cache keeps every run after the first off /api and /apis.
 * Objects are named per test (and get their own namespace where listings must be exact), so the
 * tests do not see each other's objects.
 */
import { readFile } from 'node:fs/promises';
import YAML from 'yaml';
import { ensurePki, issueClientCert } from '../../gateways/api/pki';
import { startTestCluster, type TestCluster } from '../harness/cluster';
import { createKubectl, describeResult, parseTable, parseTables, requireKubectl, type Kubectl, type KubectlResult } from '../harness/kubectl';

type Meta = {
  name: string;
  namespace?: string;
  uid?: string;
  generation?: number;
  resourceVersion?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  finalizers?: string[];
  deletionTimestamp?: string;
  managedFields?: { manager: string; operation: string; fieldsV1?: Record<string, unknown> }[];
};
type Container = { name: string; image: string; env?: { name: string; value?: string }[] };
type Obj = {
  apiVersion: string;
  kind: string;
  metadata: Meta;
  data?: Record<string, string>;
  spec?: { replicas?: number; template?: { spec: { containers: Container[] } } };
  status?: { phase?: string; observedGeneration?: number };
  [field: string]: unknown;
};

let c!: TestCluster;
let k!: Kubectl;

beforeAll(async () => {
  // Fail (never skip) first, before spending seconds on a cluster, when the binary is missing.
  requireKubectl();
  // API compatibility of kubectl, as against kube-apiserver alone; controllers and rollouts: test/int/workloads.int.spec.ts.
  c = await startTestCluster({ workloadControllers: false });
  k = await createKubectl(c.cp.kubeconfigPath);
});

afterAll(async () => {
  await k?.cleanup();
  await c?.stop();
});

/** Manifests as kubectl users write them: YAML, several documents separated by `---`. */
function yaml(...docs: object[]): string {
  return docs.map((d) => YAML.stringify(d)).join('---\n');
}

function namespace(name: string): object {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name } };
}

function configMap(name: string, data: Record<string, string>, metadata: Partial<Meta> = {}): object {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, ...metadata }, data };
}

function pod(name: string, metadata: Partial<Meta> = {}): object {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name, ...metadata }, spec: { containers: [{ name: 'main', image: 'busybox:1.36' }] } };
}

function deployment(name: string, opts: { replicas?: number; containers?: Container[]; labels?: Record<string, string> } = {}): object {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, labels: opts.labels ?? { app: name } },
    spec: {
      replicas: opts.replicas ?? 2,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: opts.containers ?? [{ name: 'main', image: 'nginx:1.27' }] } },
    },
  };
}

/** Writes the manifest and runs `kubectl create -f` on it; returns the file's path. */
async function created(file: string, ...docs: object[]): Promise<string> {
  const path = await k.file(file, yaml(...docs));
  await k.ok(['create', '-f', path]);
  return path;
}

async function getJson(...args: string[]): Promise<Obj> {
  return JSON.parse((await k.ok(['get', ...args, '-o', 'json'])).stdout) as Obj;
}

/** A kubectl run that must fail: exit 1, with the output shown if it did not. */
function expectFailure(r: KubectlResult): void {
  if (r.code !== 1) throw new Error(`expected kubectl to fail with exit 1:\n${describeResult(r)}`);
}

async function sleep(ms: number): Promise<void> {
  await new Promise((r) => setTimeout(r, ms));
}

function stripAnsi(text: string): string {
  // cluster-info colours its output when it thinks it may; the assertions are about the words.
  return text.replace(/\u001b\[[0-9;]*m/g, '');
}

describe('kubectl 1.32 against skiff', () => {
  describe('version, discovery, cluster-info', () => {
    it('version: prints the server version, and no version-skew warning', async () => {
      const server = (await c.call('GET', '/version')).body as { gitVersion: string };
      const r = await k.ok(['version']);
      expect(r.stdout).toMatch(/^Client Version: v1\.32\.\d+/m);
      expect(r.stdout).toContain(`Server Version: ${server.gitVersion}\n`);
      expect(r.stderr).not.toMatch(/WARNING|version difference/i);
    });

    it('the dispatcher runs kubectl 1.32 itself, because the server reports minor "32"', async () => {
      const r = await k.ok(['get', 'namespaces', '-v=8']);
      expect(r.stderr).toMatch(/User-Agent: kubectl\/v1\.32\.\d+ /);
    });

    it('api-resources: every kind with its short names, API version and scope', async () => {
      const rows = parseTable((await k.ok(['api-resources'])).stdout);
      expect(Object.keys(rows[0])).toEqual(['NAME', 'SHORTNAMES', 'APIVERSION', 'NAMESPACED', 'KIND']);
      expect(rows).toEqual(
        expect.arrayContaining([
          { NAME: 'configmaps', SHORTNAMES: 'cm', APIVERSION: 'v1', NAMESPACED: 'true', KIND: 'ConfigMap' },
          { NAME: 'events', SHORTNAMES: 'ev', APIVERSION: 'v1', NAMESPACED: 'true', KIND: 'Event' },
          { NAME: 'namespaces', SHORTNAMES: 'ns', APIVERSION: 'v1', NAMESPACED: 'false', KIND: 'Namespace' },
          { NAME: 'nodes', SHORTNAMES: 'no', APIVERSION: 'v1', NAMESPACED: 'false', KIND: 'Node' },
          { NAME: 'pods', SHORTNAMES: 'po', APIVERSION: 'v1', NAMESPACED: 'true', KIND: 'Pod' },
          { NAME: 'secrets', SHORTNAMES: '', APIVERSION: 'v1', NAMESPACED: 'true', KIND: 'Secret' },
          { NAME: 'services', SHORTNAMES: 'svc', APIVERSION: 'v1', NAMESPACED: 'true', KIND: 'Service' },
          { NAME: 'deployments', SHORTNAMES: 'deploy', APIVERSION: 'apps/v1', NAMESPACED: 'true', KIND: 'Deployment' },
          { NAME: 'replicasets', SHORTNAMES: 'rs', APIVERSION: 'apps/v1', NAMESPACED: 'true', KIND: 'ReplicaSet' },
        ]),
      );
      const wide = parseTable((await k.ok(['api-resources', '-o', 'wide'])).stdout);
      const row = (name: string) => wide.find((r) => r.NAME === name);
      expect(row('configmaps')?.VERBS).toBe('create,delete,deletecollection,get,list,patch,update,watch');
      expect(row('namespaces')?.VERBS).toBe('create,delete,get,list,patch,update,watch');
      // The "all" category decides what `kubectl get all` lists.
      expect(wide.filter((r) => r.CATEGORIES === 'all').map((r) => r.NAME).sort()).toEqual(['deployments', 'pods', 'replicasets', 'services']);
      const apps = (await k.ok(['api-resources', '--api-group=apps', '-o', 'name'])).stdout.split('\n');
      expect(apps).toEqual(expect.arrayContaining(['deployments.apps', 'replicasets.apps']));
    });

    it('cluster-info: names the control plane URL', async () => {
      const r = await k.ok(['cluster-info']);
      expect(stripAnsi(r.stdout)).toContain(`Kubernetes control plane is running at https://127.0.0.1:${c.cp.port}\n`);
    });
  });

  describe('create -f (validation on: skiff serves a minimal /openapi/v3)', () => {
    it('creates, with server-side strict validation asked for; a second create is AlreadyExists', async () => {
      const path = await k.file('create-cm.yaml', yaml(configMap('created', { greeting: 'hello' })));
      const r = await k.ok(['create', '-f', path, '-v=6']);
      expect(r.stdout).toBe('configmap/created created\n');
      // Validation stayed on: kubectl found the PATCH operation with fieldValidation in OpenAPI v3 and left the checking to the server.
      expect(r.stderr).toMatch(/GET https:\/\/127\.0\.0\.1:\d+\/openapi\/v3\?timeout=32s 200 OK/);
      expect(r.stderr).toMatch(/POST https:\/\/127\.0\.0\.1:\d+\/api\/v1\/namespaces\/default\/configmaps\?fieldManager=kubectl-create&fieldValidation=Strict 201 Created/);
      expect((await getJson('configmap', 'created')).data).toEqual({ greeting: 'hello' });

      const again = await k.run(['create', '-f', path]);
      expectFailure(again);
      expect(again.stderr).toBe(`Error from server (AlreadyExists): error when creating "${path}": configmaps "created" already exists\n`);
    });

    it('an invalid object is 422 Invalid with every field cause', async () => {
      const path = await k.file('invalid-pod.yaml', yaml({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'Bad_Name' }, spec: { containers: [] } }));
      const r = await k.run(['create', '-f', path]);
      expectFailure(r);
      expect(r.stderr).toContain('The Pod "Bad_Name" is invalid: \n');
      expect(r.stderr).toContain('* metadata.name: Invalid value: "Bad_Name": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters');
      expect(r.stderr).toContain('* spec.containers: Required value');
    });

    it('--validate=false (fieldValidation=Ignore): an unknown field is dropped, not stored', async () => {
      const path = await k.file('unknown-ignored.yaml', yaml({ ...configMap('unknown-ignored', { a: '1' }), foo: 'bar' }));
      const r = await k.ok(['create', '-f', path, '--validate=false']);
      expect(r.stdout).toBe('configmap/unknown-ignored created\n');
      // kube-apiserver decodes into the typed ConfigMap: fields it does not know never reach storage.
      expect((await getJson('configmap', 'unknown-ignored')).foo).toBeUndefined();
    });

    it('default validation (fieldValidation=Strict): an unknown field is a 400 strict decoding error', async () => {
      const path = await k.file('unknown-strict.yaml', yaml({ ...configMap('unknown-strict', { a: '1' }), foo: 'bar' }));
      const r = await k.run(['create', '-f', path]);
      expectFailure(r);
      expect(r.stderr).toContain(`Error from server (BadRequest): error when creating "${path}": `);
      expect(r.stderr).toContain('strict decoding error: unknown field "foo"');
      expect((await k.run(['get', 'configmap', 'unknown-strict'])).code).toBe(1);
    });
  });

  describe('get', () => {
    beforeAll(async () => {
      // Two namespaces whose order by namespace is the reverse of the order by name, to tell -A's
      // order from --sort-by's.
      await created(
        'get-fixtures.yaml',
        namespace('e2e-get-a'),
        namespace('e2e-get-z'),
        configMap('omega', { one: '1', two: '2' }, { namespace: 'e2e-get-a', labels: { e2e: 'get', tier: 'back' } }),
        configMap('alpha', { one: '1' }, { namespace: 'e2e-get-z', labels: { e2e: 'get', tier: 'front' } }),
        pod('runner', { namespace: 'e2e-get-a', labels: { e2e: 'get' } }),
      );
    });

    it('plain: the server-side Table columns', async () => {
      const cms = parseTable((await k.ok(['get', 'configmaps', '-n', 'e2e-get-a'])).stdout);
      expect(cms).toEqual([{ NAME: 'omega', DATA: '2', AGE: expect.stringMatching(/^\d+s$/) }]);
      const pods = parseTable((await k.ok(['get', 'pods', '-n', 'e2e-get-a'])).stdout);
      expect(pods).toEqual([{ NAME: 'runner', READY: '0/1', STATUS: 'Pending', RESTARTS: '0', AGE: expect.stringMatching(/^\d+s$/) }]);
    });

    it('-o wide: adds the priority-1 columns', async () => {
      const pods = parseTable((await k.ok(['get', 'pods', '-n', 'e2e-get-a', '-o', 'wide'])).stdout);
      expect(pods).toEqual([
        {
          NAME: 'runner', READY: '0/1', STATUS: 'Pending', RESTARTS: '0', AGE: expect.stringMatching(/^\d+s$/),
          IP: '<none>', NODE: '<none>', 'NOMINATED NODE': '<none>', 'READINESS GATES': '<none>',
        },
      ]);
    });

    it('-o yaml and -o json: the full object; a list becomes a v1 List', async () => {
      const one = YAML.parse((await k.ok(['get', 'configmap', 'omega', '-n', 'e2e-get-a', '-o', 'yaml'])).stdout) as Obj;
      expect(one).toMatchObject({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'omega', namespace: 'e2e-get-a', labels: { e2e: 'get', tier: 'back' } }, data: { one: '1', two: '2' } });
      expect(one.metadata.uid).toMatch(/^[0-9a-f-]{36}$/);
      expect(one.metadata.managedFields).toBeUndefined(); // kubectl hides them unless --show-managed-fields
      const list = JSON.parse((await k.ok(['get', 'configmaps', '-n', 'e2e-get-a', '-o', 'json'])).stdout) as { apiVersion: string; kind: string; items: Obj[] };
      expect(list).toMatchObject({ apiVersion: 'v1', kind: 'List' });
      expect(list.items.map((i) => [i.apiVersion, i.kind, i.metadata.name])).toEqual([['v1', 'ConfigMap', 'omega']]);
    });

    it('-o name, over several kinds', async () => {
      expect((await k.ok(['get', 'configmaps,pods', '-n', 'e2e-get-a', '-o', 'name'])).stdout).toBe('configmap/omega\npod/runner\n');
    });

    it('-l: equality and set-based selectors; nothing matching says so on stderr', async () => {
      const front = parseTable((await k.ok(['get', 'configmaps', '-A', '-l', 'tier=front'])).stdout);
      expect(front.map((r) => [r.NAMESPACE, r.NAME])).toEqual([['e2e-get-z', 'alpha']]);
      const both = parseTable((await k.ok(['get', 'configmaps', '-A', '-l', 'tier in (front,back),e2e'])).stdout);
      expect(both.map((r) => r.NAME)).toEqual(['omega', 'alpha']);
      const none = await k.ok(['get', 'configmaps', '-n', 'e2e-get-a', '-l', '!tier']);
      expect(none.stdout).toBe('');
      expect(none.stderr).toBe('No resources found in e2e-get-a namespace.\n');
    });

    it('-A: a NAMESPACE column, objects ordered by namespace', async () => {
      const rows = parseTable((await k.ok(['get', 'configmaps', '-A', '-l', 'e2e=get'])).stdout);
      expect(rows).toEqual([
        { NAMESPACE: 'e2e-get-a', NAME: 'omega', DATA: '2', AGE: expect.stringMatching(/^\d+s$/) },
        { NAMESPACE: 'e2e-get-z', NAME: 'alpha', DATA: '1', AGE: expect.stringMatching(/^\d+s$/) },
      ]);
    });

    it('--sort-by=.metadata.name: kubectl sorts the full objects the server put in the Table rows', async () => {
      const rows = parseTable((await k.ok(['get', 'configmaps', '-A', '-l', 'e2e=get', '--sort-by=.metadata.name'])).stdout);
      expect(rows.map((r) => [r.NAMESPACE, r.NAME])).toEqual([['e2e-get-z', 'alpha'], ['e2e-get-a', 'omega']]);
    });

    it('a missing object is NotFound', async () => {
      const r = await k.run(['get', 'configmap', 'missing']);
      expectFailure(r);
      expect(r.stderr).toBe('Error from server (NotFound): configmaps "missing" not found\n');
    });

    it('-w: the list, then one row per change, under a single header', async () => {
      await created('watch-fixtures.yaml', namespace('e2e-watch'), configMap('before', { a: '1' }, { namespace: 'e2e-watch' }));
      const plain = k.start(['get', 'configmaps', '-n', 'e2e-watch', '-w']);
      const events = k.start(['get', 'configmaps', '-n', 'e2e-watch', '-w', '--output-watch-events']);
      await Promise.all([plain.waitForStdout((s) => s.includes('before')), events.waitForStdout((s) => s.includes('before'))]);

      await created('watch-live.yaml', configMap('live', { a: '1' }, { namespace: 'e2e-watch' }));
      await k.ok(['patch', 'configmap', 'live', '-n', 'e2e-watch', '--type=merge', '-p', '{"data":{"b":"2"}}']);
      await k.ok(['delete', 'configmap', 'live', '-n', 'e2e-watch']);
      const rowsOf = (out: string) => out.trim().split('\n').map((line) => line.trim().split(/\s+/));
      await plain.waitForStdout((s) => rowsOf(s).length >= 5);
      await events.waitForStdout((s) => rowsOf(s).length >= 5);
      const [p, e] = await Promise.all([plain.stop(), events.stop()]);

      // Each event's row is printed on its own, so columns need not line up with the header: split on blanks.
      const rows = rowsOf(p.stdout);
      expect(rows[0]).toEqual(['NAME', 'DATA', 'AGE']);
      expect(rows.slice(1).map(([name, data]) => [name, data])).toEqual([['before', '1'], ['live', '1'], ['live', '2'], ['live', '2']]);
      expect(rows.filter((r) => r[0] === 'NAME')).toHaveLength(1); // a watch that returned plain objects would print a second NAME/AGE header
      expect(p.stderr).toBe('');

      const typed = rowsOf(e.stdout);
      expect(typed[0]).toEqual(['EVENT', 'NAME', 'DATA', 'AGE']);
      expect(typed.slice(1).map(([type, name, data]) => [type, name, data])).toEqual([
        ['ADDED', 'before', '1'], ['ADDED', 'live', '1'], ['MODIFIED', 'live', '2'], ['DELETED', 'live', '2'],
      ]);
    });
  });

  describe('describe', () => {
    beforeAll(async () => {
      await created(
        'describe-fixtures.yaml',
        deployment('described', { containers: [{ name: 'web', image: 'nginx:1.27' }] }),
        configMap('described', { greeting: 'hello' }, { labels: { app: 'described' } }),
      );
    });

    it('describe deployment', async () => {
      const out = (await k.ok(['describe', 'deployment', 'described'])).stdout;
      expect(out).toMatch(/^Name:\s+described$/m);
      expect(out).toMatch(/^Namespace:\s+default$/m);
      expect(out).toMatch(/^Labels:\s+app=described$/m);
      expect(out).toMatch(/^Selector:\s+app=described$/m);
      expect(out).toMatch(/^Replicas:\s+2 desired \| 0 updated \| 0 total \| 0 available \| 0 unavailable$/m);
      expect(out).toMatch(/^StrategyType:\s+RollingUpdate$/m);
      expect(out).toMatch(/^RollingUpdateStrategy:\s+25% max unavailable, 25% max surge$/m);
      expect(out).toMatch(/^ {3}web:\n {4}Image:\s+nginx:1\.27$/m);
      expect(out).toMatch(/^Events:\s+<none>$/m);
    });

    it('describe configmap', async () => {
      const out = (await k.ok(['describe', 'configmap', 'described'])).stdout;
      expect(out).toMatch(/^Name:\s+described$/m);
      expect(out).toMatch(/^Namespace:\s+default$/m);
      expect(out).toMatch(/^Labels:\s+app=described$/m);
      expect(out).toContain('Data\n====\ngreeting:\n----\nhello\n');
      expect(out).toMatch(/^Events:\s+<none>$/m);
    });

    it('describe namespace', async () => {
      const out = (await k.ok(['describe', 'namespace', 'kube-system'])).stdout;
      expect(out).toMatch(/^Name:\s+kube-system$/m);
      expect(out).toMatch(/^Labels:\s+kubernetes\.io\/metadata\.name=kube-system$/m);
      expect(out).toMatch(/^Status:\s+Active$/m);
    });
  });

  describe('apply (client-side)', () => {
    it('created → unchanged → configured by a 3-way strategic merge patch → unchanged', async () => {
      const v1 = await k.file('applied-v1.yaml', yaml(deployment('applied', {
        labels: { app: 'applied', tier: 'back' },
        containers: [
          { name: 'main', image: 'nginx:1.27', env: [{ name: 'A', value: '1' }, { name: 'B', value: '2' }] },
          { name: 'sidecar', image: 'busybox:1.36' },
        ],
      })));
      const v2 = await k.file('applied-v2.yaml', yaml(deployment('applied', {
        labels: { app: 'applied' },
        containers: [{ name: 'main', image: 'nginx:1.28', env: [{ name: 'B', value: '2' }, { name: 'C', value: '3' }] }],
      })));
      expect((await k.ok(['apply', '-f', v1])).stdout).toBe('deployment.apps/applied created\n');
      expect((await k.ok(['apply', '-f', v1])).stdout).toBe('deployment.apps/applied unchanged\n');
      // A label apply never set: the 3-way diff must leave it alone.
      await k.ok(['label', 'deployment', 'applied', 'extra=kept']);

      const r = await k.ok(['apply', '-f', v2, '-v=8']);
      expect(r.stdout).toBe('deployment.apps/applied configured\n');
      expect(r.stderr).toContain('Content-Type: application/strategic-merge-patch+json');
      expect(r.stderr).toContain('$setElementOrder/containers');
      expect(r.stderr).toContain('$setElementOrder/env');
      expect(r.stderr).toContain('\\"$patch\\":\\"delete\\"');

      const live = await getJson('deployment', 'applied');
      expect(live.metadata.labels).toEqual({ app: 'applied', extra: 'kept' });
      expect(live.metadata.generation).toBe(2);
      const containers = live.spec?.template?.spec.containers ?? [];
      expect(containers.map((x) => [x.name, x.image])).toEqual([['main', 'nginx:1.28']]);
      expect(containers[0].env).toEqual([{ name: 'B', value: '2' }, { name: 'C', value: '3' }]);
      const lastApplied = JSON.parse(live.metadata.annotations?.['kubectl.kubernetes.io/last-applied-configuration'] ?? '{}') as Obj;
      expect(lastApplied.spec?.template?.spec.containers[0].image).toBe('nginx:1.28');

      expect((await k.ok(['apply', '-f', v2])).stdout).toBe('deployment.apps/applied unchanged\n');
    });
  });

  describe('apply --server-side', () => {
    it('creates and re-applies; a conflicting manager is a 409 until --force-conflicts', async () => {
      const path = await k.file('ssa.yaml', yaml(configMap('ssa', { a: 'ours', b: 'b' })));
      expect((await k.ok(['apply', '--server-side', '-f', path])).stdout).toBe('configmap/ssa serverside-applied\n');
      expect((await k.ok(['apply', '--server-side', '-f', path])).stdout).toBe('configmap/ssa serverside-applied\n');
      const applied = await getJson('configmap', 'ssa', '--show-managed-fields');
      expect(applied.metadata.managedFields).toEqual([expect.objectContaining({ manager: 'kubectl', operation: 'Apply', fieldsV1: { 'f:data': { 'f:a': {}, 'f:b': {} } } })]);

      await k.ok(['patch', 'configmap', 'ssa', '--type=merge', '-p', '{"data":{"a":"theirs"}}', '--field-manager=intruder']);
      const conflict = await k.run(['apply', '--server-side', '-f', path]);
      expectFailure(conflict);
      expect(conflict.stderr).toContain('error: Apply failed with 1 conflict: conflict with "intruder" using v1: .data.a\n');
      expect(conflict.stderr).toContain('--force-conflicts');
      expect((await getJson('configmap', 'ssa')).data).toEqual({ a: 'theirs', b: 'b' });

      expect((await k.ok(['apply', '--server-side', '--force-conflicts', '-f', path])).stdout).toBe('configmap/ssa serverside-applied\n');
      const forced = await getJson('configmap', 'ssa', '--show-managed-fields');
      expect(forced.data).toEqual({ a: 'ours', b: 'b' });
      const owners = (forced.metadata.managedFields ?? []).filter((m) => JSON.stringify(m.fieldsV1 ?? {}).includes('"f:a"'));
      expect(owners.map((m) => m.manager)).toEqual(['kubectl']);
    });

    it('after a client-side apply, the first --server-side apply migrates ownership, so a later change does not conflict', async () => {
      // kubectl's documented CSA → SSA upgrade: after the apply PATCH it sends a JSON patch that replaces
      // metadata.managedFields, moving "kubectl-client-side-apply"'s fields to "kubectl" (csaupgrade).
      const v1 = await k.file('migrated-v1.yaml', yaml(configMap('migrated', { a: '1' })));
      const v2 = await k.file('migrated-v2.yaml', yaml(configMap('migrated', { a: '2' })));
      await k.ok(['apply', '-f', v1]);
      expect((await k.ok(['apply', '--server-side', '-f', v1])).stdout).toBe('configmap/migrated serverside-applied\n');
      // Upstream leaves "kubectl" (Apply) owning what the client-side applier owned, plus the
      // "kubectl-last-applied" (Apply) entry for the annotation; no "kubectl-client-side-apply" entry.
      const managers = (await getJson('configmap', 'migrated', '--show-managed-fields')).metadata.managedFields ?? [];
      expect(managers.map((m) => m.manager)).not.toContain('kubectl-client-side-apply');
      expect(managers.find((m) => m.manager === 'kubectl')).toMatchObject({ operation: 'Apply', fieldsV1: { 'f:data': { 'f:a': {} } } });

      const r = await k.run(['apply', '--server-side', '-f', v2]);
      if (r.code !== 0) throw new Error(describeResult(r));
      expect((await getJson('configmap', 'migrated')).data).toEqual({ a: '2' });
    });
  });

  describe('replace -f', () => {
    it('replaces the whole object; a stale resourceVersion is a 409 Conflict', async () => {
      await created('replaced-v1.yaml', configMap('replaced', { a: '1', b: '2' }));
      const v2 = await k.file('replaced-v2.yaml', yaml(configMap('replaced', { a: 'new' })));
      expect((await k.ok(['replace', '-f', v2])).stdout).toBe('configmap/replaced replaced\n');
      expect((await getJson('configmap', 'replaced')).data).toEqual({ a: 'new' });

      const stale = await k.file('replaced-stale.yaml', (await k.ok(['get', 'configmap', 'replaced', '-o', 'yaml'])).stdout);
      await k.ok(['label', 'configmap', 'replaced', 'bump=1']);
      const r = await k.run(['replace', '-f', stale]);
      expectFailure(r);
      expect(r.stderr).toBe(
        `Error from server (Conflict): error when replacing "${stale}": Operation cannot be fulfilled on configmaps "replaced": ` +
          'the object has been modified; please apply your changes to the latest version and try again\n',
      );
    });
  });

  describe('patch', () => {
    beforeAll(async () => {
      await created(
        'patch-fixtures.yaml',
        deployment('patched', { containers: [{ name: 'main', image: 'nginx:1.27' }, { name: 'sidecar', image: 'busybox:1.36' }] }),
        configMap('patched', { a: '1', b: '2' }),
      );
    });

    it('default (strategic merge): containers merge by name', async () => {
      const r = await k.ok(['patch', 'deployment', 'patched', '-p', '{"spec":{"template":{"spec":{"containers":[{"name":"sidecar","image":"busybox:1.37"}]}}}}']);
      expect(r.stdout).toBe('deployment.apps/patched patched\n');
      const live = await getJson('deployment', 'patched');
      expect((live.spec?.template?.spec.containers ?? []).map((x) => [x.name, x.image])).toEqual([['main', 'nginx:1.27'], ['sidecar', 'busybox:1.37']]);
      expect(live.metadata.generation).toBe(2);
    });

    it('--type=merge: null deletes a key; the same patch again is "(no change)"', async () => {
      const patch = '{"data":{"a":null,"c":"3"}}';
      expect((await k.ok(['patch', 'configmap', 'patched', '--type=merge', '-p', patch])).stdout).toBe('configmap/patched patched\n');
      expect((await getJson('configmap', 'patched')).data).toEqual({ b: '2', c: '3' });
      expect((await k.ok(['patch', 'configmap', 'patched', '--type=merge', '-p', patch])).stdout).toBe('configmap/patched patched (no change)\n');
    });

    it('--type=json: add, replace, remove; a failing test op is 422', async () => {
      const ops = '[{"op":"add","path":"/data/d","value":"4"},{"op":"replace","path":"/data/b","value":"two"},{"op":"remove","path":"/data/c"}]';
      expect((await k.ok(['patch', 'configmap', 'patched', '--type=json', '-p', ops])).stdout).toBe('configmap/patched patched\n');
      expect((await getJson('configmap', 'patched')).data).toEqual({ b: 'two', d: '4' });
      const r = await k.run(['patch', 'configmap', 'patched', '--type=json', '-p', '[{"op":"test","path":"/data/b","value":"nope"}]']);
      expectFailure(r);
      expect(r.stderr).toContain('The request is invalid');
      expect((await getJson('configmap', 'patched')).data).toEqual({ b: 'two', d: '4' });
    });
  });

  describe('label and annotate', () => {
    beforeAll(async () => {
      await created('labelled.yaml', configMap('labelled', { a: '1' }, { labels: { app: 'labelled' } }));
    });

    it('label: add, refuse to overwrite without --overwrite, overwrite, remove with key-', async () => {
      expect((await k.ok(['label', 'configmap', 'labelled', 'tier=x'])).stdout).toBe('configmap/labelled labeled\n');
      const refused = await k.run(['label', 'configmap', 'labelled', 'tier=y']);
      expectFailure(refused);
      expect(refused.stderr).toBe("error: 'tier' already has a value (x), and --overwrite is false\n");
      expect((await k.ok(['label', 'configmap', 'labelled', 'tier=y', '--overwrite'])).stdout).toBe('configmap/labelled labeled\n');
      expect((await getJson('configmap', 'labelled')).metadata.labels).toEqual({ app: 'labelled', tier: 'y' });
      expect((await k.ok(['label', 'configmap', 'labelled', 'tier-'])).stdout).toBe('configmap/labelled unlabeled\n');
      expect((await getJson('configmap', 'labelled')).metadata.labels).toEqual({ app: 'labelled' });
      const shown = parseTable((await k.ok(['get', 'configmap', 'labelled', '--show-labels'])).stdout);
      expect(shown[0].LABELS).toBe('app=labelled');
    });

    it('annotate: add, then remove with key-', async () => {
      expect((await k.ok(['annotate', 'configmap', 'labelled', 'note=hello', 'owner=team-a'])).stdout).toBe('configmap/labelled annotated\n');
      expect((await getJson('configmap', 'labelled')).metadata.annotations).toEqual({ note: 'hello', owner: 'team-a' });
      expect((await k.ok(['annotate', 'configmap', 'labelled', 'note-'])).stdout).toBe('configmap/labelled annotated\n');
      expect((await getJson('configmap', 'labelled')).metadata.annotations).toEqual({ owner: 'team-a' });
    });

    it('removing the last label and annotation leaves no empty map behind (as Go\'s omitempty does)', async () => {
      await k.ok(['annotate', 'configmap', 'labelled', 'owner-']);
      await k.ok(['label', 'configmap', 'labelled', 'app-']);
      const live = await getJson('configmap', 'labelled');
      expect(live.metadata.annotations).toBeUndefined();
      expect(live.metadata.labels).toBeUndefined();
    });
  });

  describe('delete', () => {
    it('deletes and waits for the object to be gone; a missing object is NotFound', async () => {
      await created('gone.yaml', configMap('gone', { a: '1' }));
      expect((await k.ok(['delete', 'configmap', 'gone'])).stdout).toBe('configmap "gone" deleted\n');
      const after = await k.run(['get', 'configmap', 'gone']);
      expectFailure(after);
      expect(after.stderr).toBe('Error from server (NotFound): configmaps "gone" not found\n');
      const missing = await k.run(['delete', 'configmap', 'gone']);
      expectFailure(missing);
      expect(missing.stderr).toBe('Error from server (NotFound): configmaps "gone" not found\n');
      expect(await k.ok(['delete', 'configmap', 'gone', '--ignore-not-found'])).toMatchObject({ stdout: '', stderr: '' });
    });

    it('with a finalizer: delete waits until a concurrent kubectl patch removes it', async () => {
      await created('held.yaml', configMap('held', { a: '1' }, { finalizers: ['example.com/hold'] }));
      const del = k.start(['delete', 'configmap', 'held', '--timeout=30s']);
      // The DELETE has happened once the object shows a deletionTimestamp; kubectl then waits for the DELETED event.
      for (let i = 0; !(await getJson('configmap', 'held')).metadata.deletionTimestamp; i++) {
        if (i > 100) throw new Error('the object never got a deletionTimestamp');
        await sleep(50);
      }
      await sleep(500);
      expect(del.running()).toBe(true);
      expect((await k.ok(['get', 'configmap', 'held', '-o', 'jsonpath={.metadata.finalizers}'])).stdout).toBe('["example.com/hold"]');

      await k.ok(['patch', 'configmap', 'held', '--type=json', '-p', '[{"op":"remove","path":"/metadata/finalizers"}]']);
      const done = await del.exited;
      if (done.code !== 0) throw new Error(describeResult(done));
      expect(done.stdout).toBe('configmap "held" deleted\n');
      expectFailure(await k.run(['get', 'configmap', 'held']));
    });

    it('a pod on a node stays Terminating without a kubelet to stop it; --force --grace-period=0 removes it at once', async () => {
      const bound = { ...pod('bound'), spec: { nodeName: 'gone-node', terminationGracePeriodSeconds: 45, containers: [{ name: 'main', image: 'busybox:1.36' }] } };
      await created('bound.yaml', bound);
      expect((await k.ok(['delete', 'pod', 'bound', '--wait=false'])).stdout).toBe('pod "bound" deleted\n');
      const live = await getJson('pod', 'bound');
      expect(live.metadata.deletionTimestamp).toBeDefined();
      expect(live.metadata).toMatchObject({ deletionGracePeriodSeconds: 45 });
      const [row] = parseTable((await k.ok(['get', 'pod', 'bound'])).stdout);
      expect(row.STATUS).toBe('Terminating');

      const forced = await k.ok(['delete', 'pod', 'bound', '--force', '--grace-period=0']);
      expect(forced.stdout).toBe('pod "bound" force deleted\n');
      expect(forced.stderr).toBe('Warning: Immediate deletion does not wait for confirmation that the running resource has been terminated. The resource may continue to run on the cluster indefinitely.\n');
      expectFailure(await k.run(['get', 'pod', 'bound']));
    });
  });

  describe('wait', () => {
    it('--for=delete: returns once the last finalizer is gone', async () => {
      await created('awaited.yaml', configMap('awaited', { a: '1' }, { finalizers: ['example.com/hold'] }));
      expect((await k.ok(['delete', 'configmap', 'awaited', '--wait=false'])).stdout).toBe('configmap "awaited" deleted\n');
      const wait = k.start(['wait', '--for=delete', 'configmap/awaited', '--timeout=30s']);
      await sleep(1_000);
      expect(wait.running()).toBe(true);
      await k.ok(['patch', 'configmap', 'awaited', '--type=merge', '-p', '{"metadata":{"finalizers":null}}']);
      const done = await wait.exited;
      if (done.code !== 0) throw new Error(describeResult(done));
      expect(done.stdout).toBe('configmap/awaited condition met\n');
    });

    it('--for=condition=Ready: met when the status (patched through /status) says so; then --for=jsonpath', async () => {
      await created('ready-pod.yaml', pod('ready-pod'));
      const wait = k.start(['wait', '--for=condition=Ready', 'pod/ready-pod', '--timeout=30s']);
      await sleep(1_000);
      expect(wait.running()).toBe(true);
      const status = '{"status":{"phase":"Running","conditions":[{"type":"Ready","status":"True"}]}}';
      expect((await k.ok(['patch', 'pod', 'ready-pod', '--subresource=status', '--type=merge', '-p', status])).stdout).toBe('pod/ready-pod patched\n');
      const done = await wait.exited;
      if (done.code !== 0) throw new Error(describeResult(done));
      expect(done.stdout).toBe('pod/ready-pod condition met\n');

      const byPath = await k.ok(['wait', '--for=jsonpath={.status.phase}=Running', 'pod/ready-pod', '--timeout=10s']);
      expect(byPath.stdout).toBe('pod/ready-pod condition met\n');
    });

    it('--for=condition on a Deployment counts only once status.observedGeneration has caught up', async () => {
      await created('gen.yaml', deployment('gen'));
      const generation = (await getJson('deployment', 'gen')).metadata.generation ?? 0;
      const available = '"conditions":[{"type":"Available","status":"True","reason":"MinimumReplicasAvailable"}]';
      await k.ok(['patch', 'deployment', 'gen', '--subresource=status', '--type=merge', '-p', `{"status":{"observedGeneration":${generation - 1},${available}}}`]);
      const early = await k.run(['wait', '--for=condition=Available', 'deployment/gen', '--timeout=1s']);
      expectFailure(early);
      expect(early.stderr).toBe('error: timed out waiting for the condition on deployments/gen\n');

      await k.ok(['patch', 'deployment', 'gen', '--subresource=status', '--type=merge', '-p', `{"status":{"observedGeneration":${generation}}}`]);
      expect((await k.ok(['wait', '--for=condition=Available', 'deployment/gen', '--timeout=10s'])).stdout).toBe('deployment.apps/gen condition met\n');
      // The status write did not touch the spec, so the generation did not move.
      expect((await getJson('deployment', 'gen')).metadata.generation).toBe(generation);
    });
  });

  describe('events', () => {
    beforeAll(async () => {
      await created('events-fixtures.yaml', namespace('e2e-events'), configMap('watched', { a: '1' }, { namespace: 'e2e-events' }));
      const uid = (await getJson('configmap', 'watched', '-n', 'e2e-events')).metadata.uid;
      const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
      await created('event.yaml', {
        apiVersion: 'v1', kind: 'Event',
        metadata: { name: 'watched.checked', namespace: 'e2e-events' },
        involvedObject: { apiVersion: 'v1', kind: 'ConfigMap', name: 'watched', namespace: 'e2e-events', uid },
        reason: 'Checked', message: 'configuration looked fine', type: 'Normal', count: 1,
        firstTimestamp: now, lastTimestamp: now, source: { component: 'skiff-e2e' },
      });
    });

    it('kubectl events, and --for the object', async () => {
      const row = { 'LAST SEEN': expect.stringMatching(/^\d+s$/), TYPE: 'Normal', REASON: 'Checked', OBJECT: 'ConfigMap/watched', MESSAGE: 'configuration looked fine' };
      expect(parseTable((await k.ok(['events', '-n', 'e2e-events'])).stdout)).toEqual([row]);
      expect(parseTable((await k.ok(['events', '-n', 'e2e-events', '--for', 'configmap/watched'])).stdout)).toEqual([row]);
      const other = await k.ok(['events', '-n', 'e2e-events', '--for', 'configmap/other']);
      expect(other.stdout).toBe('');
      expect(other.stderr).toBe('No events found in e2e-events namespace.\n');
    });

    it('get events and describe show it too', async () => {
      const rows = parseTable((await k.ok(['get', 'events', '-n', 'e2e-events'])).stdout);
      expect(rows).toEqual([{ 'LAST SEEN': expect.stringMatching(/^\d+s$/), TYPE: 'Normal', REASON: 'Checked', OBJECT: 'configmap/watched', MESSAGE: 'configuration looked fine' }]);
      const described = (await k.ok(['describe', 'configmap', 'watched', '-n', 'e2e-events'])).stdout;
      expect(described).toMatch(/^Events:\n\s+Type\s+Reason\s+Age\s+From\s+Message\n\s+----.*\n\s+Normal\s+Checked\s+\d+s\s+skiff-e2e\s+configuration looked fine$/m);
    });
  });

  describe('scale', () => {
    it('--replicas, and --current-replicas as a precondition', async () => {
      await created('scaled.yaml', deployment('scaled'));
      expect((await k.ok(['scale', 'deployment', 'scaled', '--replicas=4'])).stdout).toBe('deployment.apps/scaled scaled\n');
      expect((await getJson('deployment', 'scaled')).spec?.replicas).toBe(4);
      const refused = await k.run(['scale', 'deployment', 'scaled', '--current-replicas=3', '--replicas=5']);
      expectFailure(refused);
      expect(refused.stderr).toBe('error: Expected replicas to be 3, was 4\n');
      expect((await k.ok(['scale', 'deploy/scaled', '--current-replicas=4', '--replicas=5'])).stdout).toBe('deployment.apps/scaled scaled\n');
      expect((await getJson('deployment', 'scaled')).spec?.replicas).toBe(5);
    });
  });

  describe('a multi-document upstream manifest', () => {
    // The Deployment and Service examples from kubernetes.io, as one file, comments and all.
    const APP = `# nginx behind a Service, as in the Kubernetes docs
apiVersion: apps/v1
kind: Deployment
metadata:
  name: nginx-deployment
  labels:
    app: nginx
spec:
  replicas: 3
  selector:
    matchLabels:
      app: nginx
  template:
    metadata:
      labels:
        app: nginx
    spec:
      containers:
      - name: nginx
        image: nginx:1.14.2
        ports:
        - containerPort: 80
---
apiVersion: v1
kind: Service
metadata:
  name: my-service
spec:
  selector:
    app: nginx
  ports:
    - protocol: TCP
      port: 80
      targetPort: 80
`;

    it('create -f, get all, get -f, delete -f', async () => {
      await created('app-namespace.yaml', namespace('e2e-app'));
      const path = await k.file('app.yaml', APP);
      expect((await k.ok(['create', '-f', path, '-n', 'e2e-app'])).stdout).toBe('deployment.apps/nginx-deployment created\nservice/my-service created\n');

      const tables = parseTables((await k.ok(['get', 'all', '-n', 'e2e-app'])).stdout);
      const rows = tables.flat();
      expect(rows).toEqual(expect.arrayContaining([
        expect.objectContaining({ NAME: 'service/my-service', TYPE: 'ClusterIP', 'PORT(S)': '80/TCP' }),
        expect.objectContaining({ NAME: 'deployment.apps/nginx-deployment', READY: '0/3', 'UP-TO-DATE': '0', AVAILABLE: '0' }),
      ]));
      expect(rows).toHaveLength(2);
      expect((await k.ok(['get', '-f', path, '-n', 'e2e-app', '-o', 'name'])).stdout).toBe('deployment.apps/nginx-deployment\nservice/my-service\n');

      expect((await k.ok(['delete', '-f', path, '-n', 'e2e-app'])).stdout).toBe('deployment.apps "nginx-deployment" deleted\nservice "my-service" deleted\n');
      const empty = await k.ok(['get', 'all', '-n', 'e2e-app']);
      expect(empty.stdout).toBe('');
      expect(empty.stderr).toBe('No resources found in e2e-app namespace.\n');
    });
  });
});

// auth can-i / auth whoami go to the review endpoints (gateways/api/reviews.ts), which must decode
// kubectl's protobuf request bodies (kubectl-compat.md §10); kept apart from the commands above.
describe('kubectl auth against skiff', () => {
  let bob = '';

  beforeAll(async () => {
    // An unprivileged user: a client certificate from the cluster CA with no groups (CN = user).
    const pki = await ensurePki(c.nats.dataDir);
    const cert = await issueClientCert(pki, { user: 'bob', groups: [] });
    const admin = YAML.parse(await readFile(c.cp.kubeconfigPath, 'utf8')) as {
      clusters: { cluster: { server: string; 'certificate-authority-data': string } }[];
    };
    const b64 = (pem: string) => Buffer.from(pem).toString('base64');
    bob = await k.file('bob.kubeconfig', YAML.stringify({
      apiVersion: 'v1', kind: 'Config',
      clusters: [{ name: 'skiff', cluster: admin.clusters[0].cluster }],
      users: [{ name: 'bob', user: { 'client-certificate-data': b64(cert.certPem), 'client-key-data': b64(cert.keyPem) } }],
      contexts: [{ name: 'bob', context: { cluster: 'skiff', user: 'bob', namespace: 'default' } }],
      'current-context': 'bob',
    }));
  });

  it('auth whoami: the admin from the kubeconfig token', async () => {
    const rows = parseTable((await k.ok(['auth', 'whoami'])).stdout);
    expect(rows).toEqual([
      { ATTRIBUTE: 'Username', VALUE: 'admin' },
      { ATTRIBUTE: 'UID', VALUE: expect.stringMatching(/^[0-9a-f-]{36}$/) },
      { ATTRIBUTE: 'Groups', VALUE: '[system:masters system:authenticated]' },
    ]);
    const review = JSON.parse((await k.ok(['auth', 'whoami', '-o', 'json'])).stdout) as { apiVersion: string; kind: string; status: { userInfo: { username: string; groups: string[] } } };
    expect(review).toMatchObject({ apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview', status: { userInfo: { username: 'admin' } } });
    expect(review.status.userInfo.groups).toEqual(['system:masters', 'system:authenticated']);
  });

  it('auth whoami: a client-certificate user', async () => {
    const rows = parseTable((await k.ok(['auth', 'whoami'], { kubeconfig: bob })).stdout);
    expect(rows).toEqual([
      { ATTRIBUTE: 'Username', VALUE: 'bob' },
      { ATTRIBUTE: 'Groups', VALUE: '[system:authenticated]' },
    ]);
  });

  it('auth can-i: yes for the admin (resource, named resource in another namespace, non-resource URL)', async () => {
    expect(await k.run(['auth', 'can-i', 'create', 'pods'])).toMatchObject({ code: 0, stdout: 'yes\n' });
    expect(await k.run(['auth', 'can-i', 'get', 'deployments.apps/web', '-n', 'kube-system'])).toMatchObject({ code: 0, stdout: 'yes\n' });
    expect(await k.run(['auth', 'can-i', 'get', '/healthz'])).toMatchObject({ code: 0, stdout: 'yes\n' });
  });

  it('auth can-i: no (exit 1) for a user without rights, who is also refused for real', async () => {
    const r = await k.run(['auth', 'can-i', 'create', 'pods'], { kubeconfig: bob });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^no(\n| - )/);
    const refused = await k.run(['get', 'pods'], { kubeconfig: bob });
    expectFailure(refused);
    expect(refused.stderr).toContain('Error from server (Forbidden): pods is forbidden: User "bob" cannot list resource "pods" in API group "" in the namespace "default"');
  });

  it('auth can-i --list: everything for the admin', async () => {
    const rows = parseTable((await k.ok(['auth', 'can-i', '--list'])).stdout);
    expect(rows).toEqual(expect.arrayContaining([
      { Resources: '*.*', 'Non-Resource URLs': '[]', 'Resource Names': '[]', Verbs: '[*]' },
      { Resources: '', 'Non-Resource URLs': '[*]', 'Resource Names': '[]', Verbs: '[*]' },
    ]));
  });
});
