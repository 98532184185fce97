/**
 * The self-reviews behind `kubectl auth can-i`, `kubectl auth can-i --list` and `kubectl auth whoami`.
 *
 * Reviews are questions, not objects: nothing is stored, each POST is answered (201) about the caller
 * from the Authenticator's UserInfo and the Authorizer, in kube-apiserver's shapes
 * (pkg/registry/authorization/selfsubject*review, pkg/registry/authentication/selfsubjectreview).
 * As upstream, asking needs only an authenticated user: anyone may ask what they themselves may do.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { reject } from '../../actors/rejection';
import type { Json } from '../../actors/kinds/types';
import type { Authorizer, Decision, RequestAttributes, UserInfo } from './auth';
import { mediaType, parseBody, readBody, sendJson } from './http';

type ReviewKind = 'SelfSubjectAccessReview' | 'SelfSubjectRulesReview' | 'SelfSubjectReview';

/** A review resource: it has a URL and a discovery entry, but is never stored. */
export type ReviewType = Readonly<{ group: string; version: string; kind: ReviewKind; plural: string; singular: string }>;

export const REVIEW_TYPES: readonly ReviewType[] = [
  { group: 'authorization.k8s.io', version: 'v1', kind: 'SelfSubjectAccessReview', plural: 'selfsubjectaccessreviews', singular: 'selfsubjectaccessreview' },
  { group: 'authorization.k8s.io', version: 'v1', kind: 'SelfSubjectRulesReview', plural: 'selfsubjectrulesreviews', singular: 'selfsubjectrulesreview' },
  { group: 'authentication.k8s.io', version: 'v1', kind: 'SelfSubjectReview', plural: 'selfsubjectreviews', singular: 'selfsubjectreview' },
];

export function findReview(group: string, version: string, plural: string): ReviewType | undefined {
  return REVIEW_TYPES.find((t) => t.group === group && t.version === version && t.plural === plural);
}

export type ReviewRequest = Readonly<{
  req: IncomingMessage;
  res: ServerResponse;
  type: ReviewType;
  user: UserInfo;
  authorizer: Authorizer;
  nowMs: number;
}>;

type JsonObject = { [key: string]: Json };

/** POST only; the body may be JSON, YAML or protobuf (what kubectl sends), the answer is JSON. */
export async function serveReview(r: ReviewRequest): Promise<void> {
  if (r.req.method !== 'POST') throw reject.methodNotAllowed(`${r.req.method} is not supported on ${r.type.plural}: a review can only be created`);
  const body = objectAt(parseBody(await readBody(r.req), mediaType(r.req)) as Json | undefined, 'the request body');
  const apiVersion = `${r.type.group}/${r.type.version}`;
  if ((body.kind !== undefined && body.kind !== r.type.kind) || (body.apiVersion !== undefined && body.apiVersion !== apiVersion)) {
    throw reject.badRequest(`not a ${apiVersion} ${r.type.kind}: the body is ${String(body.apiVersion)} ${String(body.kind)}`);
  }
  sendJson(r.res, 201, { kind: r.type.kind, apiVersion, ...answer(r, body) });
}

function answer(r: ReviewRequest, body: JsonObject): Record<string, unknown> {
  switch (r.type.kind) {
    case 'SelfSubjectAccessReview':
      return accessReview(body, r.user, r.authorizer);
    case 'SelfSubjectRulesReview':
      return rulesReview(body, r.user, r.authorizer);
    case 'SelfSubjectReview':
      return selfReview(r.user, r.nowMs);
    default: {
      const never: never = r.type.kind;
      return never;
    }
  }
}

/** The request comes back with status filled in; `kubectl auth can-i` prints "yes", or "no - <reason>". */
function accessReview(body: JsonObject, user: UserInfo, authorizer: Authorizer): Record<string, unknown> {
  const spec = objectAt(body.spec, 'spec');
  const decision = authorizer.authorize(user, attributesOf(spec));
  return { metadata: echoedMetadata(body), spec, status: accessStatus(decision) };
}

/** Exactly one of the two attribute sets, as upstream's ValidateSelfSubjectAccessReviewSpec requires. */
function attributesOf(spec: JsonObject): RequestAttributes {
  const resource = spec.resourceAttributes ?? undefined;
  const nonResource = spec.nonResourceAttributes ?? undefined;
  if (resource !== undefined && nonResource !== undefined) {
    throw invalidSpec('nonResourceAttributes', nonResource, 'cannot be specified in combination with resourceAttributes');
  }
  if (resource !== undefined) {
    const text = stringsAt(objectAt(resource, 'spec.resourceAttributes'), 'spec.resourceAttributes');
    return {
      verb: text('verb'), group: text('group'), resource: text('resource'),
      ...ifSet('subresource', text('subresource')), ...ifSet('namespace', text('namespace')), ...ifSet('name', text('name')),
    };
  }
  if (nonResource !== undefined) {
    const text = stringsAt(objectAt(nonResource, 'spec.nonResourceAttributes'), 'spec.nonResourceAttributes');
    return { verb: text('verb'), path: text('path') };
  }
  throw invalidSpec('resourceAttributes', null, 'exactly one of nonResourceAttributes or resourceAttributes must be specified');
}

function invalidSpec(field: string, value: Json, detail: string) {
  const shown = value === null ? '"null"' : JSON.stringify(value);
  return reject.invalid('authorization.k8s.io', 'SelfSubjectAccessReview', '', [
    { reason: 'FieldValueInvalid', field: `spec.${field}`, message: `Invalid value: ${shown}: ${detail}` },
  ]);
}

/** `denied` marks an explicit no, which is what the authorizer's "not allowed" is until RBAC can have no opinion. */
function accessStatus(decision: Decision): Record<string, unknown> {
  const reason = decision.reason ? { reason: decision.reason } : {};
  return decision.allowed ? { allowed: true, ...reason } : { allowed: false, denied: true, ...reason };
}

/** Upstream answers with a new object: metadata and spec empty, status the rules (kubectl prints them as a table). */
function rulesReview(body: JsonObject, user: UserInfo, authorizer: Authorizer): Record<string, unknown> {
  const namespace = stringsAt(objectAt(body.spec, 'spec'), 'spec')('namespace');
  if (!namespace) throw reject.badRequest('no namespace on request');
  return { metadata: { creationTimestamp: null }, spec: {}, status: authorizer.rulesFor(user, namespace) };
}

/** `kubectl auth whoami`; empty fields are left out, as Go's omitempty does. */
function selfReview(user: UserInfo, nowMs: number): Record<string, unknown> {
  const userInfo = { username: user.username, ...ifSet('uid', user.uid), ...(user.groups.length ? { groups: user.groups } : {}) };
  return { metadata: { creationTimestamp: new Date(nowMs).toISOString().replace(/\.\d{3}Z$/, 'Z') }, status: { userInfo } };
}

/** An unset metav1.Time is JSON null, and kube-apiserver 1.32 writes it so. */
function echoedMetadata(body: JsonObject): JsonObject {
  return { creationTimestamp: null, ...objectAt(body.metadata, 'metadata') };
}

// ---- reading untyped bodies ------------------------------------------------------------------------

function objectAt(value: Json | undefined, where: string): JsonObject {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) throw reject.badRequest(`${where} must be an object`);
  return value;
}

/** A reader of optional string fields of `object`; absent is "", anything but a string is a 400. */
function stringsAt(object: JsonObject, where: string): (key: string) => string {
  return (key) => {
    const value = object[key];
    if (value === undefined || value === null) return '';
    if (typeof value !== 'string') throw reject.badRequest(`${where}.${key} must be a string`);
    return value;
  };
}

function ifSet<K extends string>(key: K, value: string): { [P in K]?: string } {
  return (value ? { [key]: value } : {}) as { [P in K]?: string };
}
