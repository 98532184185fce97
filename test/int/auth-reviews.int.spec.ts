import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startTestCluster, type TestCluster } from '../harness/cluster';
import { createKubectl, type Kubectl, type KubectlResult } from '../harness/kubectl';

/**
 * `kubectl auth can-i`, `auth can-i --list`, `auth whoami` and the `kubectl create <kind>` generators,
 * run with the real kubectl (which POSTs protobuf) against a real cluster; and the same three review
 * endpoints over plain HTTPS with JSON and YAML. Two users: admin (system:masters) and bob (not).
 */
const ADMIN_TOKEN = randomBytes(16).toString('hex');
const BOB_TOKEN = randomBytes(16).toString('hex');
const NO_RBAC = 'skiff has no RBAC yet; only members of "system:masters" are authorized';
const SSAR = '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews';
const SSRR = '/apis/authorization.k8s.io/v1/selfsubjectrulesreviews';
const SSR = '/apis/authentication.k8s.io/v1/selfsubjectreviews';

let c: TestCluster;
let dataDir: string;

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'skiff-reviews-'));
  // kube-apiserver's token file, read once at start: admin may do everything, bob nothing.
  await writeFile(path.join(dataDir, 'tokens.csv'), `${ADMIN_TOKEN},admin,uid-admin,"system:masters"\n${BOB_TOKEN},bob,uid-bob,"dev,qa"\n`, { mode: 0o600 });
  c = await startTestCluster({ dataDir });
});

afterAll(async () => {
  await c?.stop();
  await rm(dataDir, { recursive: true, force: true });
});

/** Columns padded by kubectl's tabwriter, compared with runs of spaces squeezed to one. */
const lines = (text: string) => text.split('\n').filter((l) => l.trim() !== '').map((l) => l.replace(/\s+/g, ' ').trim());

describe('kubectl auth against skiff (protobuf request bodies)', () => {
  let kubectl: Kubectl;
  // createKubectl throws when /usr/bin/kubectl is missing, which fails every test here instead of skipping them.
  beforeAll(async () => {
    kubectl = await createKubectl(c.cp.kubeconfigPath);
  });
  afterAll(async () => {
    await kubectl?.cleanup();
  });

  const asBob = (args: string[]) => kubectl.run([`--token=${BOB_TOKEN}`, ...args]);
  const expectResult = (r: KubectlResult, code: number, stdout: string) => expect({ code: r.code, stdout: r.stdout }).toEqual({ code, stdout });

  it('can-i create pods → yes', async () => {
    expectResult(await kubectl.run(['auth', 'can-i', 'create', 'pods']), 0, 'yes\n');
  });

  it('can-i get deployments.apps -n kube-system → yes (kubectl resolves the resource through /apis/apps/v1)', async () => {
    expectResult(await kubectl.run(['auth', 'can-i', 'get', 'deployments.apps', '-n', 'kube-system']), 0, 'yes\n');
  });

  it('can-i get /healthz (a non-resource URL) → yes', async () => {
    expectResult(await kubectl.run(['auth', 'can-i', 'get', '/healthz']), 0, 'yes\n');
  });

  it('can-i --list → everything, as a table', async () => {
    const r = await kubectl.ok(['auth', 'can-i', '--list']);
    expect(lines(r.stdout)).toEqual(['Resources Non-Resource URLs Resource Names Verbs', '*.* [] [] [*]', '[*] [] [*]']);
    expect(r.stderr).toBe('');
  });

  it('whoami → the token\'s user, uid and groups', async () => {
    const r = await kubectl.ok(['auth', 'whoami']);
    expect(lines(r.stdout)).toEqual(['ATTRIBUTE VALUE', 'Username admin', 'UID uid-admin', 'Groups [system:masters system:authenticated]']);
  });

  it('a user outside system:masters gets "no - <reason>" and exit code 1', async () => {
    expectResult(await asBob(['auth', 'can-i', 'create', 'pods']), 1, `no - ${NO_RBAC}\n`);
    expectResult(await asBob(['auth', 'can-i', 'get', '/healthz']), 1, `no - ${NO_RBAC}\n`);
  });

  it('a user outside system:masters lists no rules, and kubectl shows why', async () => {
    const r = await asBob(['auth', 'can-i', '--list']);
    expect(r.code).toBe(0);
    expect(lines(r.stdout)).toEqual(['Resources Non-Resource URLs Resource Names Verbs']);
    expect(r.stderr).toBe(`Warning: the list may be incomplete: ${NO_RBAC}\n`);
  });

  it('whoami works for any authenticated user', async () => {
    const r = await asBob(['auth', 'whoami']);
    expect(lines(r.stdout)).toEqual(['ATTRIBUTE VALUE', 'Username bob', 'UID uid-bob', 'Groups [dev qa system:authenticated]']);
  });

  it('create configmap / namespace / secret / deployment: the generators\' protobuf bodies are stored as their JSON', async () => {
    expect((await kubectl.ok(['create', 'configmap', 'pb-cm', '--from-literal=a=b', '--from-literal=c=d'])).stdout).toBe('configmap/pb-cm created\n');
    expect((await kubectl.ok(['create', 'namespace', 'pb-ns'])).stdout).toBe('namespace/pb-ns created\n');
    expect((await kubectl.ok(['create', 'secret', 'generic', 'pb-secret', '--from-literal=password=hunter2', '-n', 'pb-ns'])).stdout).toBe('secret/pb-secret created\n');
    expect((await kubectl.ok(['create', 'deployment', 'pb-web', '--image=busybox:1.36', '--replicas=2', '--port=8080', '--', 'sleep', '3600'])).stdout).toBe('deployment.apps/pb-web created\n');

    expect((await c.call('GET', '/api/v1/namespaces/default/configmaps/pb-cm')).body.data).toEqual({ a: 'b', c: 'd' });
    expect((await c.call('GET', '/api/v1/namespaces/pb-ns')).body.status.phase).toBe('Active');
    expect((await c.call('GET', '/api/v1/namespaces/pb-ns/secrets/pb-secret')).body.data).toEqual({ password: Buffer.from('hunter2').toString('base64') });
    const deploy = (await c.call('GET', '/apis/apps/v1/namespaces/default/deployments/pb-web')).body;
    expect(deploy.spec).toMatchObject({ replicas: 2, selector: { matchLabels: { app: 'pb-web' } }, strategy: { type: 'RollingUpdate' } });
    expect(deploy.spec.template.spec.containers).toEqual([
      expect.objectContaining({ name: 'busybox', image: 'busybox:1.36', command: ['sleep', '3600'], ports: [{ containerPort: 8080, protocol: 'TCP' }] }),
    ]);
  });

  it('create of a kind skiff cannot decode from protobuf fails with a message that says to send JSON', async () => {
    const r = await kubectl.run(['create', 'service', 'clusterip', 'pb-svc', '--tcp=80:8080']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('skiff cannot decode protobuf bodies of kind "Service" (apiVersion "v1"); send it as JSON or YAML instead');
  });
});

describe('review endpoints over HTTPS (JSON and YAML bodies)', () => {
  it('SelfSubjectAccessReview echoes the request and adds status', async () => {
    const r = await c.call('POST', SSAR, { apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectAccessReview', spec: { resourceAttributes: { verb: 'get', resource: 'pods', namespace: 'default' } } });
    expect(r.status).toBe(201);
    expect(r.body).toEqual({
      kind: 'SelfSubjectAccessReview', apiVersion: 'authorization.k8s.io/v1', metadata: { creationTimestamp: null },
      spec: { resourceAttributes: { verb: 'get', resource: 'pods', namespace: 'default' } }, status: { allowed: true },
    });
  });

  it('a denial is allowed:false, denied:true with the authorizer\'s reason (YAML body)', async () => {
    const yaml = 'apiVersion: authorization.k8s.io/v1\nkind: SelfSubjectAccessReview\nspec:\n  nonResourceAttributes: {verb: get, path: /healthz}\n';
    const r = await c.call('POST', SSAR, yaml, { token: BOB_TOKEN, contentType: 'application/yaml' });
    expect(r.status).toBe(201);
    expect(r.body.status).toEqual({ allowed: false, denied: true, reason: NO_RBAC });
  });

  it('SelfSubjectAccessReview needs exactly one of the attribute sets (422, as upstream validation)', async () => {
    const none = await c.call('POST', SSAR, { spec: {} });
    expect(none.status).toBe(422);
    expect(none.body.message).toBe('SelfSubjectAccessReview.authorization.k8s.io "" is invalid: spec.resourceAttributes: Invalid value: "null": exactly one of nonResourceAttributes or resourceAttributes must be specified');
    const both = await c.call('POST', SSAR, { spec: { resourceAttributes: { verb: 'get' }, nonResourceAttributes: { verb: 'get', path: '/' } } });
    expect(both.status).toBe(422);
    expect(both.body.details.causes[0].field).toBe('spec.nonResourceAttributes');
  });

  it('SelfSubjectRulesReview answers rules in a new object, and needs a namespace', async () => {
    const r = await c.call('POST', SSRR, { spec: { namespace: 'default' } });
    expect(r.status).toBe(201);
    expect(r.body).toEqual({
      kind: 'SelfSubjectRulesReview', apiVersion: 'authorization.k8s.io/v1', metadata: { creationTimestamp: null }, spec: {},
      status: { resourceRules: [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }], nonResourceRules: [{ verbs: ['*'], nonResourceURLs: ['*'] }], incomplete: false },
    });
    const bob = await c.call('POST', SSRR, { spec: { namespace: 'default' } }, { token: BOB_TOKEN });
    expect(bob.body.status).toEqual({ resourceRules: [], nonResourceRules: [], incomplete: true, evaluationError: NO_RBAC });
    const noNamespace = await c.call('POST', SSRR, { spec: {} });
    expect(noNamespace.status).toBe(400);
    expect(noNamespace.body.message).toBe('no namespace on request');
  });

  it('SelfSubjectReview returns the caller\'s UserInfo, with an empty body too', async () => {
    const r = await c.call('POST', SSR, '', { token: BOB_TOKEN });
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({ kind: 'SelfSubjectReview', apiVersion: 'authentication.k8s.io/v1', status: { userInfo: { username: 'bob', uid: 'uid-bob', groups: ['dev', 'qa', 'system:authenticated'] } } });
    expect(r.body.metadata.creationTimestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  });

  it('reviews need an authenticated user, are POST only, and refuse bodies of another kind or bad protobuf', async () => {
    expect((await c.call('POST', SSR, {}, { token: null })).status).toBe(401);
    expect((await c.call('GET', SSR)).status).toBe(405);
    expect((await c.call('POST', `/apis/authorization.k8s.io/v1/namespaces/default/selfsubjectaccessreviews`, {})).status).toBe(404);
    const wrongKind = await c.call('POST', SSR, { apiVersion: 'v1', kind: 'ConfigMap' });
    expect(wrongKind.status).toBe(400);
    expect(wrongKind.body.message).toBe('not a authentication.k8s.io/v1 SelfSubjectReview: the body is v1 ConfigMap');
    const garbage = await c.call('POST', SSAR, 'not protobuf', { contentType: 'application/vnd.kubernetes.protobuf' });
    expect(garbage.status).toBe(400);
    expect(garbage.body.message).toBe('error decoding protobuf body: missing the "k8s\\x00" prefix');
  });

  it('discovery lists the reviews (cluster-scoped, create only); OpenAPI does not', async () => {
    const authz = await c.call('GET', '/apis/authorization.k8s.io/v1');
    expect(authz.body.resources).toEqual([
      { name: 'selfsubjectaccessreviews', singularName: 'selfsubjectaccessreview', namespaced: false, kind: 'SelfSubjectAccessReview', verbs: ['create'] },
      { name: 'selfsubjectrulesreviews', singularName: 'selfsubjectrulesreview', namespaced: false, kind: 'SelfSubjectRulesReview', verbs: ['create'] },
    ]);
    const aggregated = await c.call('GET', '/apis', undefined, { accept: 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList' });
    const authn = aggregated.body.items.find((g: { metadata: { name: string } }) => g.metadata.name === 'authentication.k8s.io');
    expect(authn.versions[0].resources).toEqual([
      expect.objectContaining({ resource: 'selfsubjectreviews', responseKind: { group: 'authentication.k8s.io', version: 'v1', kind: 'SelfSubjectReview' }, scope: 'Cluster', verbs: ['create'] }),
    ]);
    const openapi = await c.call('GET', '/openapi/v3');
    expect(Object.keys(openapi.body.paths)).not.toContain('apis/authorization.k8s.io/v1');
  });
});
