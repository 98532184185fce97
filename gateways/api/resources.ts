import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ObjectRef } from '../../eventlog/types';
import { nameSuffixFrom } from '../../actors/ids';
import { candidateIPs, DEFAULT_SERVICE_CIDR, ipAddressObject, ipAddressRef, needsClusterIP, requestedIPProblem } from '../../actors/controllers/service-ip';
import { unknownFields, withoutUnknownFields } from '../../actors/kinds/fields';
import { apiVersionOf, findByPlural } from '../../actors/kinds/registry';
import type { Json, KubeObject, ResourceType } from '../../actors/kinds/types';
import type { Outcome } from '../../actors/kernel/actor-host';
import { decide, scaleOf } from '../../actors/object/decide';
import { evolve, initialState } from '../../actors/object/evolve';
import type { DeleteOptions, ObjectCommandPayload, ObjectEventPayload, PatchType, WriteTarget } from '../../actors/object/object';
import { Rejection, qualifiedResource, reject } from '../../actors/rejection';
import type { ObjectsProjection } from '../../projections/objects.projection';
import type { SecretBox } from '../secret-box';
import type { CommandBus } from '../../actors/kernel/command-bus';
import { mediaType, parseBody, readBody, sendJson, wantsTable } from './http';
import { listFilterOf, listPage } from './list-query';
import { buildTable } from './table';
import { serveWatch } from './watch';

export type ResourceDeps = Readonly<{
  bus: CommandBus;
  projection: ObjectsProjection;
  secrets: SecretBox;
  /** How long a write waits for the projection to show it before answering anyway. */
  readYourWritesMs: number;
  now: () => number;
}>;

export type ResourceRequest = Readonly<{
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  type: ResourceType;
  namespace?: string;
  name?: string;
  subresource?: string;
  user: string;
}>;

const PATCH_TYPES: Record<string, PatchType> = {
  'application/json-patch+json': 'json',
  'application/merge-patch+json': 'merge',
  'application/strategic-merge-patch+json': 'strategic',
  'application/apply-patch+yaml': 'apply',
};

/** CRUD, list and watch for every stored kind, at Kubernetes' paths and with its semantics. */
export async function serveResource(r: ResourceRequest, deps: ResourceDeps): Promise<void> {
  const method = r.req.method ?? 'GET';
  if (r.subresource === 'binding' && r.type.kind === 'Pod' && r.name !== undefined) {
    if (method !== 'POST') throw reject.methodNotAllowed(`${method} is not supported on pods/binding`);
    return serveBinding(r, deps);
  }
  const target = writeTarget(r);
  if (r.name === undefined) {
    if (method === 'GET') return r.url.searchParams.get('watch') === 'true' || r.url.searchParams.get('watch') === '1' ? serveWatch(r, deps) : serveList(r, deps);
    if (method === 'POST') return serveCreate(r, deps);
    if (method === 'DELETE') return serveDeleteCollection(r, deps);
    throw reject.methodNotAllowed(`${method} is not supported on a ${r.type.plural} collection`);
  }
  switch (method) {
    case 'GET':
      return serveGet(r, deps, target);
    case 'PUT':
      return serveWrite(r, deps, target, 'replace');
    case 'PATCH':
      return serveWrite(r, deps, target, 'patch');
    case 'DELETE':
      if (target !== 'main') throw reject.methodNotAllowed(`DELETE is not supported on ${r.type.plural}/${r.subresource}`);
      return serveDelete(r, deps);
    default:
      throw reject.methodNotAllowed(`${method} is not supported on ${r.type.plural}`);
  }
}

function writeTarget(r: ResourceRequest): WriteTarget {
  if (r.subresource === undefined) return 'main';
  if (r.subresource === 'status' && r.type.subresources.includes('status')) return 'status';
  if (r.subresource === 'scale' && r.type.subresources.includes('scale')) return 'scale';
  if (r.subresource === 'finalize' && r.type.kind === 'Namespace') return 'main';
  throw new Rejection({
    kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', code: 404, reason: 'NotFound',
    message: `the server could not find the requested resource (${r.type.plural}/${r.subresource})`,
  });
}

function refOf(r: ResourceRequest, name: string): ObjectRef {
  return { group: r.type.group, resource: r.type.plural, namespace: r.type.namespaced ? (r.namespace ?? 'default') : '', name };
}

/** What clients see: Secret values opened, kind and apiVersion set. */
function present(object: KubeObject, deps: ResourceDeps): KubeObject {
  return object.kind === 'Secret' ? deps.secrets.openSecret(object as KubeObject & { data?: Record<string, string> }) : object;
}

function sendObject(r: ResourceRequest, deps: ResourceDeps, code: number, object: KubeObject): void {
  if (wantsTable(r.req)) {
    sendJson(r.res, code, buildTable([present(object, deps)], { kind: r.type.kind, nowMs: deps.now(), includeObject: includeObjectOf(r.url), resourceVersion: object.metadata.resourceVersion }));
    return;
  }
  sendJson(r.res, code, present(object, deps));
}

export function includeObjectOf(url: URL): 'None' | 'Object' | 'Metadata' {
  const v = url.searchParams.get('includeObject');
  return v === 'None' || v === 'Object' ? v : 'Metadata';
}

function serveGet(r: ResourceRequest, deps: ResourceDeps, target: WriteTarget): void {
  const ref = refOf(r, r.name as string);
  const entry = deps.projection.store.get(ref);
  if (!entry) throw reject.notFound(r.type.group, r.type.plural, ref.name);
  if (target === 'scale') {
    sendJson(r.res, 200, scaleOf(entry.object, { ref, type: r.type }));
    return;
  }
  sendObject(r, deps, 200, entry.object);
}

function serveList(r: ResourceRequest, deps: ResourceDeps): void {
  const filter = listFilterOf(r.type, r.namespace, r.url.searchParams);
  const limit = Number(r.url.searchParams.get('limit') ?? 0) || 0;
  const position = deps.projection.position;
  const page = listPage(deps.projection.store, filter, limit, r.url.searchParams.get('continue'), position);
  const items = page.items.map((o) => present(o, deps));
  if (wantsTable(r.req)) {
    sendJson(r.res, 200, buildTable(items, { kind: r.type.kind, nowMs: deps.now(), includeObject: includeObjectOf(r.url), resourceVersion: String(position), continueToken: page.continueToken }));
    return;
  }
  // List items carry no kind/apiVersion: the list's own apiVersion and kind say it (as kube-apiserver does).
  const bare = items.map(({ kind: _k, apiVersion: _a, ...rest }) => rest);
  sendJson(r.res, 200, {
    kind: r.type.listKind,
    apiVersion: apiVersionOf(r.type),
    metadata: { resourceVersion: String(position), ...(page.continueToken ? { continue: page.continueToken } : {}) },
    items: bare,
  });
}

async function bodyOf(r: ResourceRequest): Promise<unknown> {
  return parseBody(await readBody(r.req), mediaType(r.req));
}

function asObject(value: unknown, what: string): KubeObject {
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw reject.badRequest(`${what}: the request body must be a JSON or YAML object`);
  const o = value as KubeObject;
  return { ...o, metadata: (o.metadata && typeof o.metadata === 'object' ? o.metadata : {}) as KubeObject['metadata'] };
}

/** The request body must be the kind the URL names. */
function checkKind(r: ResourceRequest, object: KubeObject, target: WriteTarget): void {
  const expected = target === 'scale' ? { apiVersion: 'autoscaling/v1', kind: 'Scale' } : { apiVersion: apiVersionOf(r.type), kind: r.type.kind };
  if (object.kind !== undefined && object.kind !== expected.kind) throw reject.badRequest(`the kind of the body (${object.kind}) does not match the resource (${expected.kind})`);
  if (object.apiVersion !== undefined && object.apiVersion !== expected.apiVersion) {
    throw reject.badRequest(`the API version in the data (${object.apiVersion}) does not match the expected API version (${expected.apiVersion})`);
  }
}

function checkNamespace(r: ResourceRequest, object: KubeObject): void {
  const ns = object.metadata.namespace;
  if (r.type.namespaced && ns !== undefined && ns !== '' && r.namespace !== undefined && ns !== r.namespace) {
    throw reject.badRequest('the namespace of the provided object does not match the namespace sent on the request');
  }
}

/** Creates go only into a namespace that exists and is not being deleted. */
function checkNamespaceOpen(r: ResourceRequest, deps: ResourceDeps, name: string): void {
  if (!r.type.namespaced) return;
  const ns = r.namespace ?? 'default';
  const entry = deps.projection.store.get({ group: '', resource: 'namespaces', namespace: '', name: ns });
  if (!entry) throw reject.notFound('', 'namespaces', ns);
  if (entry.object.metadata.deletionTimestamp) {
    throw reject.forbidden(`${qualifiedResource(r.type.group, r.type.plural)} "${name}" is forbidden: unable to create new content in namespace ${ns} because it is being terminated`);
  }
}

/**
 * Unknown fields are never stored; `fieldValidation` (Strict, Warn — the default — or Ignore) says
 * whether saying so is an error, a Warning header, or nothing.
 */
function knownFieldsOnly<T extends Record<string, unknown>>(r: ResourceRequest, body: T, kind: string, version: string): T {
  const unknown = unknownFields(kind, body);
  if (unknown.length === 0) return body;
  const mode = r.url.searchParams.get('fieldValidation') ?? 'Warn';
  const problems = unknown.map((f) => `unknown field "${f}"`);
  switch (mode) {
    case 'Strict':
      throw reject.badRequest(`${kind} in version "${version}" cannot be handled as a ${kind}: strict decoding error: ${problems.join(', ')}`);
    case 'Warn':
      r.res.setHeader('Warning', problems.map((p) => `299 - ${JSON.stringify(p)}`));
      break;
    case 'Ignore':
      break;
    default:
      throw reject.badRequest(`fieldValidation must be one of Strict, Warn or Ignore, got "${mode}"`);
  }
  return withoutUnknownFields(kind, body);
}

/** The sealed `data` of the Secret as stored now, so unchanged values keep their ciphertext. */
function storedSecretData(r: ResourceRequest, deps: ResourceDeps, name: string): Readonly<Record<string, string>> | undefined {
  return deps.projection.store.get(refOf(r, name))?.object.data as Readonly<Record<string, string>> | undefined;
}

function sealed(r: ResourceRequest, deps: ResourceDeps, object: KubeObject): KubeObject {
  if (r.type.kind !== 'Secret') return object;
  const stored = storedSecretData(r, deps, object.metadata.name ?? r.name ?? '');
  return deps.secrets.sealSecret(object as KubeObject & { data?: Record<string, string> }, stored) as KubeObject;
}

async function serveCreate(r: ResourceRequest, deps: ResourceDeps): Promise<void> {
  const commandId = randomUUID();
  let object = asObject(await bodyOf(r), 'create');
  checkKind(r, object, 'main');
  object = knownFieldsOnly(r, object, r.type.kind, r.type.version);
  checkNamespace(r, object);
  let name = object.metadata.name;
  if (!name && object.metadata.generateName) name = `${object.metadata.generateName}${nameSuffixFrom(commandId)}`;
  if (!name) {
    throw reject.invalid(r.type.group, r.type.kind, '', [{ reason: 'FieldValueRequired', message: 'Required value: name or generateName is required', field: 'metadata.name' }]);
  }
  checkNamespaceOpen(r, deps, name);
  object = sealed(r, deps, { ...object, metadata: { ...object.metadata, name } });
  const fieldManager = r.url.searchParams.get('fieldManager') ?? defaultManager(r.req);
  // dryRun allocates nothing: the answer shows no clusterIP (upstream shows one it does not keep).
  const claim = r.type.kind === 'Service' && r.url.searchParams.get('dryRun') !== 'All' ? await claimClusterIP(r, deps, object, name) : undefined;
  if (!claim) return execute(r, deps, refOf(r, name), { op: 'create', object, fieldManager }, 201, commandId);
  try {
    await execute(r, deps, refOf(r, name), { op: 'create', object: claim.object, fieldManager }, 201, commandId);
  } catch (err) {
    await deps.bus.send(ipAddressRef(claim.ip), { op: 'delete', options: { preconditions: { uid: claim.uid } } }, API_SERVER).catch(() => undefined);
    throw err;
  }
}

/** Who claims and releases Service ClusterIPs (the API server itself, as upstream). */
const API_SERVER = 'system:apiserver';

/**
 * A new Service's ClusterIP: the one it asks for, or a free one from the service CIDR, claimed by
 * creating its IPAddress object (an actor's create is the compare-and-set: AlreadyExists = taken).
 * Undefined when the Service gets none (headless, ExternalName).
 */
async function claimClusterIP(r: ResourceRequest, deps: ResourceDeps, object: KubeObject, name: string): Promise<{ ip: string; uid: string; object: KubeObject } | undefined> {
  const spec = (object.spec && typeof object.spec === 'object' && !Array.isArray(object.spec) ? object.spec : {}) as Record<string, unknown>;
  const namespace = r.namespace ?? 'default';
  const requested = typeof spec.clusterIP === 'string' && spec.clusterIP !== '' && spec.clusterIP !== 'None' ? spec.clusterIP : undefined;
  if (requested === undefined && !needsClusterIP(spec)) return undefined;
  if (requested !== undefined && spec.type === 'ExternalName') return undefined;
  const claim = async (ip: string) => deps.bus.send(ipAddressRef(ip), { op: 'create', object: ipAddressObject(ip, namespace, name), fieldManager: 'kube-apiserver' }, API_SERVER);
  const withIP = (ip: string, uid: string) => ({ ip, uid, object: { ...object, spec: { ...spec, clusterIP: ip, clusterIPs: [ip] } } as KubeObject });
  if (requested !== undefined) {
    const problem = requestedIPProblem(DEFAULT_SERVICE_CIDR, requested);
    if (problem) throw reject.invalid('', 'Service', name, [{ reason: 'FieldValueInvalid', field: 'spec.clusterIPs[0]', message: `Invalid value: ${JSON.stringify(requested)}: ${problem}` }]);
    const outcome = await claim(requested);
    if (outcome.ok) return withIP(requested, (outcome.result as KubeObject).metadata.uid ?? '');
    if (outcome.status.reason !== 'AlreadyExists') throw new Rejection(outcome.status);
    throw reject.invalid('', 'Service', name, [{
      reason: 'FieldValueInvalid', field: 'spec.clusterIPs',
      message: `Invalid value: []string{${JSON.stringify(requested)}}: failed to allocate IP ${requested}: provided IP is already allocated`,
    }]);
  }
  for (const ip of candidateIPs(DEFAULT_SERVICE_CIDR, namespace, name)) {
    if (deps.projection.store.get(ipAddressRef(ip))) continue; // known taken: skip the round trip
    const outcome = await claim(ip);
    if (outcome.ok) return withIP(ip, (outcome.result as KubeObject).metadata.uid ?? '');
    if (outcome.status.reason !== 'AlreadyExists') throw new Rejection(outcome.status);
  }
  throw reject.internal('failed to allocate a serviceIP: range is full');
}

async function serveWrite(r: ResourceRequest, deps: ResourceDeps, target: WriteTarget, op: 'replace' | 'patch'): Promise<void> {
  const name = r.name as string;
  const body = await bodyOf(r);
  const fieldManager = r.url.searchParams.get('fieldManager') ?? defaultManager(r.req);
  let payload: ObjectCommandPayload;
  if (op === 'replace') {
    const object = knownFieldsOnly(r, asObject(body, 'update'), target === 'scale' ? 'Scale' : r.type.kind, target === 'scale' ? 'v1' : r.type.version);
    checkKind(r, object, target);
    checkNamespace(r, object);
    payload = { op: 'replace', object: target === 'main' ? sealed(r, deps, object) : object, target, fieldManager };
  } else {
    const patchType = PATCH_TYPES[mediaType(r.req)];
    if (!patchType) throw reject.unsupportedMediaType(mediaType(r.req) || '(none)');
    if (patchType === 'apply' && !r.url.searchParams.get('fieldManager')) throw reject.badRequest('PATCH with apply requires a fieldManager query parameter');
    if (body === undefined) throw reject.badRequest('the PATCH body is empty');
    let patch = body as Json;
    if (patchType !== 'json' && patch && typeof patch === 'object' && !Array.isArray(patch)) {
      patch = knownFieldsOnly(r, patch, target === 'scale' ? 'Scale' : r.type.kind, target === 'scale' ? 'v1' : r.type.version);
    }
    if (patchType === 'apply') {
      const object = asObject(body, 'apply');
      checkKind(r, object, target);
      checkNamespace(r, object);
      if (object.metadata.name !== undefined && object.metadata.name !== name) throw reject.badRequest(`the name of the object (${object.metadata.name}) does not match the name on the URL (${name})`);
      patch = sealed(r, deps, object) as unknown as Json;
      if (!deps.projection.store.get(refOf(r, name))) checkNamespaceOpen(r, deps, name);
    } else if (r.type.kind === 'Secret') {
      patch = sealPatch(patch, patchType, deps.secrets, storedSecretData(r, deps, name) ?? {});
    }
    payload = { op: 'patch', patchType, patch, target, fieldManager, force: r.url.searchParams.get('force') === 'true' };
  }
  const created = op === 'patch' && !deps.projection.store.get(refOf(r, name));
  await execute(r, deps, refOf(r, name), payload, created ? 201 : 200);
}

/** Secret values in a patch are sealed before they reach the log, like whole Secrets. */
function sealPatch(patch: Json, patchType: PatchType, secrets: SecretBox, stored: Readonly<Record<string, string>>): Json {
  if (patchType === 'json') {
    if (!Array.isArray(patch)) return patch;
    return patch.map((op) => {
      if (!op || typeof op !== 'object' || Array.isArray(op)) return op;
      const path = typeof op.path === 'string' ? op.path : '';
      if (/^\/data\/[^/]+$/.test(path) && typeof op.value === 'string') return { ...op, value: secrets.seal(op.value, stored[unescapePointer(path.slice(6))]) };
      if (path === '/data' && op.value && typeof op.value === 'object' && !Array.isArray(op.value)) {
        return { ...op, value: secrets.sealSecret({ data: op.value as Record<string, string> }, stored).data as Json };
      }
      return op;
    });
  }
  if (!patch || typeof patch !== 'object' || Array.isArray(patch)) return patch;
  const p = patch as { data?: Record<string, string | null>; stringData?: Record<string, string> };
  if (!p.data && !p.stringData) return patch;
  const deletions = Object.fromEntries(Object.entries(p.data ?? {}).filter(([, v]) => v === null));
  const values = Object.fromEntries(Object.entries(p.data ?? {}).filter(([, v]) => v !== null)) as Record<string, string>;
  const { stringData: _s, ...rest } = p;
  const sealedData = secrets.sealSecret({ data: values, ...(p.stringData ? { stringData: p.stringData } : {}) }, stored).data ?? {};
  return { ...rest, data: { ...sealedData, ...deletions } } as Json;
}

/** A JSON Pointer token (RFC 6901): `~1` is `/`, `~0` is `~`. */
function unescapePointer(token: string): string {
  return token.replace(/~1/g, '/').replace(/~0/g, '~');
}

/** pods/binding: the scheduler's (or anyone's) assignment of a pod to a node; 201 with a Success Status, as upstream. */
async function serveBinding(r: ResourceRequest, deps: ResourceDeps): Promise<void> {
  const body = asObject(await bodyOf(r), 'binding') as KubeObject & { target?: { kind?: string; name?: string } };
  if (body.kind !== undefined && body.kind !== 'Binding') throw reject.badRequest(`the body of pods/binding must be a Binding, not ${body.kind}`);
  if (body.metadata.name !== undefined && body.metadata.name !== r.name) throw reject.badRequest(`the name of the Binding (${body.metadata.name}) does not match the pod (${r.name})`);
  if (body.target?.kind !== undefined && body.target.kind !== 'Node') throw reject.badRequest(`a pod can only be bound to a Node, not a ${body.target.kind}`);
  const outcome = await deps.bus.send(refOf(r, r.name as string), { op: 'bind', node: body.target?.name ?? '', ...(body.metadata.uid ? { expectedUid: body.metadata.uid } : {}) }, r.user);
  if (!outcome.ok) throw new Rejection(outcome.status);
  await deps.projection.waitFor(outcome.seq, deps.readYourWritesMs);
  sendJson(r.res, 201, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 });
}

async function serveDelete(r: ResourceRequest, deps: ResourceDeps): Promise<void> {
  await execute(r, deps, refOf(r, r.name as string), { op: 'delete', options: await deleteOptionsOf(r) }, 200);
}

async function serveDeleteCollection(r: ResourceRequest, deps: ResourceDeps): Promise<void> {
  const options = await deleteOptionsOf(r);
  const filter = listFilterOf(r.type, r.namespace, r.url.searchParams);
  const page = listPage(deps.projection.store, filter, 0, null, deps.projection.position);
  const deleted: KubeObject[] = [];
  for (const object of page.items) {
    const outcome = await deps.bus.send(refOf(r, object.metadata.name as string), { op: 'delete', options }, r.user);
    if (outcome.ok) deleted.push(object);
  }
  const bare = deleted.map(({ kind: _k, apiVersion: _a, ...rest }) => rest);
  sendJson(r.res, 200, { kind: r.type.listKind, apiVersion: apiVersionOf(r.type), metadata: { resourceVersion: String(deps.projection.position) }, items: bare });
}

/** DeleteOptions from the body, or from the query (`?gracePeriodSeconds=0&propagationPolicy=…`, as kubectl and client-go may send them). */
async function deleteOptionsOf(r: ResourceRequest): Promise<DeleteOptions> {
  const body = (await bodyOf(r)) as (DeleteOptions & { kind?: string; gracePeriodSeconds?: number | null }) | undefined;
  const q = r.url.searchParams;
  const policy = body?.propagationPolicy ?? q.get('propagationPolicy') ?? undefined;
  const grace = body?.gracePeriodSeconds ?? q.get('gracePeriodSeconds') ?? undefined;
  const seconds = grace === undefined ? undefined : Number(grace);
  if (seconds !== undefined && (grace === '' || !Number.isSafeInteger(seconds))) {
    throw reject.badRequest(`gracePeriodSeconds must be a whole number of seconds, not ${JSON.stringify(grace)}`);
  }
  return {
    ...(body?.preconditions ? { preconditions: body.preconditions } : {}),
    ...(policy ? { propagationPolicy: policy as DeleteOptions['propagationPolicy'] } : {}),
    ...(seconds !== undefined ? { gracePeriodSeconds: seconds } : {}),
  };
}

/**
 * The write path: command on the log → the object's actor decides → events committed → the
 * projection folds them in → the answer. dryRun=All runs the same pure decide locally instead.
 */
async function execute(r: ResourceRequest, deps: ResourceDeps, ref: ObjectRef, payload: ObjectCommandPayload, successCode: number, commandId?: string): Promise<void> {
  const outcome = r.url.searchParams.get('dryRun') === 'All' ? dryRun(r, deps, ref, payload) : await deps.bus.send(ref, payload, r.user, { id: commandId });
  if (!outcome.ok) throw new Rejection(outcome.status);
  await deps.projection.waitFor(outcome.seq, deps.readYourWritesMs);
  const object = outcome.result as KubeObject;
  if (payload.op === 'delete') {
    if (object.metadata.deletionTimestamp && deps.projection.store.get(ref)) {
      sendObject(r, deps, 200, object);
      return;
    }
    sendJson(r.res, 200, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', details: { name: ref.name, group: r.type.group, kind: r.type.plural, uid: object.metadata.uid } });
    return;
  }
  if ((payload.op === 'replace' || payload.op === 'patch') && payload.target === 'scale') {
    sendJson(r.res, successCode, scaleOf(object, { ref, type: r.type }));
    return;
  }
  sendObject(r, deps, outcome.unchanged && successCode === 201 ? 200 : successCode, object);
}

function dryRun(r: ResourceRequest, deps: ResourceDeps, ref: ObjectRef, payload: ObjectCommandPayload): Outcome {
  const entry = deps.projection.store.get(ref);
  const state = entry ? { object: entry.object, revision: Number(entry.object.metadata.resourceVersion), recentCommands: [] } : initialState();
  const command = { kind: 'command' as const, id: randomUUID(), type: `object.${payload.op}`, schema: 1, subject: '', time: deps.now(), who: r.user, correlationId: '', causationId: '', payload };
  try {
    const drafts = decide(state, command, { ref, type: findByPlural(r.type.group, r.type.plural) as ResourceType });
    let next = state;
    drafts.forEach((d) => (next = evolve(next, { ...command, kind: 'event', type: d.type, payload: d.payload as ObjectEventPayload }, state.revision)));
    const last = drafts[drafts.length - 1];
    const object = next.object ?? (last?.payload as ObjectEventPayload | undefined)?.object ?? entry?.object;
    return { ok: true, seq: 0, result: object, unchanged: drafts.length === 0 };
  } catch (err) {
    if (err instanceof Rejection) return { ok: false, status: err.status };
    throw err;
  }
}

/** kube-apiserver names the manager after the client when the request does not (e.g. "kubectl-edit"). */
function defaultManager(req: IncomingMessage): string {
  const agent = req.headers['user-agent'] ?? 'unknown';
  return agent.split('/')[0] || 'unknown';
}
