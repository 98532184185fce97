/**
 * Who is calling (authentication) and may they (authorization), for the HTTPS API.
 *
 * Authentication follows kube-apiserver: a client certificate signed by the cluster CA
 * (CN = user, O = groups) or a bearer token from a static token file, `<dataDir>/tokens.csv`,
 * in Kubernetes' format `token,user,uid,"group1,group2"`. Like kube-apiserver, the file is
 * read once at start.
 */
import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import path from 'node:path';
import { TLSSocket } from 'node:tls';
import { Rejection, failure, qualifiedResource } from '../../actors/rejection';
import { createFileOnce } from './pki';

export type UserInfo = { username: string; uid: string; groups: string[] };

export type Authenticator = Readonly<{
  /** The caller, or undefined when no credential is valid (→ 401 Unauthorized). */
  authenticate(req: IncomingMessage): UserInfo | undefined;
  /** The token of user `admin`, for the kubeconfig written at start. */
  adminToken(): string;
}>;

const MASTERS_GROUP = 'system:masters';
const AUTHENTICATED_GROUP = 'system:authenticated';
const ADMIN_USER = 'admin';

export async function loadAuthenticator(dataDir: string): Promise<Authenticator> {
  const file = path.join(dataDir, 'tokens.csv');
  const text = (await createFileOnce(file, initialTokenFile(), 0o600)).toString('utf8');
  return authenticator(parseTokenFile(text, file));
}

function initialTokenFile(): string {
  return `${randomBytes(32).toString('hex')},${ADMIN_USER},${randomUUID()},"${MASTERS_GROUP}"\n`;
}

export type TokenEntry = Readonly<{ token: string; user: UserInfo }>;

function authenticator(entries: readonly TokenEntry[]): Authenticator {
  return {
    authenticate: (req) => {
      // Certificate first, then token: the order of kube-apiserver's union authenticator.
      const user = fromClientCert(req) ?? fromBearerToken(req, entries);
      return user && { ...user, groups: [...new Set([...user.groups, AUTHENTICATED_GROUP])] };
    },
    adminToken: () => {
      const admin = entries.find((e) => e.user.username === ADMIN_USER);
      if (!admin) throw new Error(`tokens.csv has no row for user "${ADMIN_USER}": add one, or delete the file to have a new one created`);
      return admin.token;
    },
  };
}

/** Trusted only when the TLS layer verified the chain against the cluster CA (`authorized`). */
function fromClientCert(req: IncomingMessage): UserInfo | undefined {
  const socket = req.socket;
  if (!(socket instanceof TLSSocket) || !socket.authorized) return undefined;
  // A resumed TLS session of a client without a certificate reports `authorized` with an empty
  // peer certificate: no subject, no identity. Node gives a string for one attribute value and an
  // array for several (O=a, O=b).
  const subject = socket.getPeerCertificate()?.subject as unknown as Record<string, string | string[] | undefined> | undefined;
  if (!subject) return undefined;
  const [username] = valuesOf(subject['CN']);
  return username ? { username, uid: '', groups: valuesOf(subject['O']) } : undefined;
}

function valuesOf(v: string | string[] | undefined): string[] {
  return v === undefined ? [] : [v].flat();
}

/** Every entry is compared, so timing says nothing about which token, or how much of one, matched. */
function fromBearerToken(req: IncomingMessage, entries: readonly TokenEntry[]): UserInfo | undefined {
  const token = /^\s*bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '')?.[1];
  if (token === undefined) return undefined;
  let match: UserInfo | undefined;
  for (const entry of entries) if (constantTimeEqual(entry.token, token)) match = entry.user; // last row wins, as in kube-apiserver
  return match;
}

/** Hashing first gives equal-length inputs, which timingSafeEqual needs, without leaking the length. */
export function constantTimeEqual(a: string, b: string): boolean {
  return timingSafeEqual(sha256(a), sha256(b));
}

function sha256(s: string): Buffer {
  return createHash('sha256').update(s, 'utf8').digest();
}

// ---- token file ---------------------------------------------------------------------------------

/** kube-apiserver's --token-auth-file format; rows with an empty token are skipped, as there. */
export function parseTokenFile(text: string, file: string): TokenEntry[] {
  return text.split(/\r?\n/).flatMap((line, i) => {
    if (line.trim() === '') return [];
    const fields = parseCsvLine(line, `${file}:${i + 1}`);
    const [token = '', username = '', uid = '', groups] = fields;
    if (fields.length < 3 || !username) throw new Error(`${file}:${i + 1}: want token,user,uid[,"group1,group2"]`);
    if (!token) return [];
    return [{ token, user: { username, uid, groups: splitGroups(groups) } }];
  });
}

function splitGroups(groups: string | undefined): string[] {
  return (groups ?? '').split(',').map((g) => g.trim()).filter(Boolean);
}

/** One CSV record: fields split on commas, `"…"` quotes commas, `""` is a quote inside quotes. */
function parseCsvLine(line: string, where: string): string[] {
  const fields: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quoted && c === '"' && line[i + 1] === '"') { field += '"'; i++; }
    else if (c === '"') quoted = !quoted;
    else if (c === ',' && !quoted) { fields.push(field.trim()); field = ''; }
    else field += c;
  }
  if (quoted) throw new Error(`${where}: unterminated quoted field`);
  return [...fields, field.trim()];
}

// ---- authorization --------------------------------------------------------------------------------

export type ResourceAttributes = Readonly<{
  verb: string;
  group: string;
  resource: string;
  subresource?: string;
  namespace?: string;
  name?: string;
}>;

/** A request for a path outside the resource tree (/healthz, /version), as SelfSubjectAccessReview can ask about. */
export type NonResourceAttributes = Readonly<{ verb: string; path: string }>;

export type RequestAttributes = ResourceAttributes | NonResourceAttributes;

/** `reason` is the authorizer's own explanation; kube-apiserver appends it to the Forbidden message. */
export type Decision = Readonly<{ allowed: boolean; reason?: string }>;

/** authorization.k8s.io/v1 SubjectRulesReviewStatus: what a user may do, as `kubectl auth can-i --list` shows it. */
export type RuleSet = Readonly<{
  resourceRules: readonly Readonly<{ verbs: readonly string[]; apiGroups: readonly string[]; resources: readonly string[]; resourceNames?: readonly string[] }>[];
  nonResourceRules: readonly Readonly<{ verbs: readonly string[]; nonResourceURLs: readonly string[] }>[];
  incomplete: boolean;
  evaluationError?: string;
}>;

/** The seam for RBAC: a role-based authorizer implements both over Role/Binding projections. */
export type Authorizer = Readonly<{
  authorize(user: UserInfo, attrs: RequestAttributes): Decision;
  /** The rules `user` has in `namespace` (cluster-wide ones included), for SelfSubjectRulesReview. */
  rulesFor(user: UserInfo, namespace: string): RuleSet;
}>;

const NO_RBAC = `skiff has no RBAC yet; only members of "${MASTERS_GROUP}" are authorized`;

const EVERYTHING: RuleSet = {
  resourceRules: [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }],
  nonResourceRules: [{ verbs: ['*'], nonResourceURLs: ['*'] }],
  incomplete: false,
};

/** Until RBAC exists: members of system:masters may do everything, everyone else nothing. */
export const mastersOnly: Authorizer = {
  authorize: (user) => user.groups.includes(MASTERS_GROUP) ? { allowed: true } : { allowed: false, reason: NO_RBAC },
  // Upstream pairs evaluationError with incomplete: true, and kubectl shows the error only then ("warning: the list may be incomplete: …").
  rulesFor: (user) => user.groups.includes(MASTERS_GROUP)
    ? EVERYTHING
    : { resourceRules: [], nonResourceRules: [], incomplete: true, evaluationError: NO_RBAC },
};

/**
 * The 403 kube-apiserver sends for a denied request (responsewriters.Forbidden + NewForbidden), e.g.
 * `pods "web" is forbidden: User "bob" cannot get resource "pods/log" in API group "" in the namespace "default"`.
 */
export function forbidden(user: UserInfo, attrs: ResourceAttributes, decision: Decision): Rejection {
  const resource = attrs.subresource ? `${attrs.resource}/${attrs.subresource}` : attrs.resource;
  const scope = attrs.namespace ? `in the namespace ${q(attrs.namespace)}` : 'at the cluster scope';
  const denial = `User ${q(user.username)} cannot ${attrs.verb} resource ${q(resource)} in API group ${q(attrs.group)} ${scope}`;
  const why = decision.reason ? `${denial}: ${decision.reason}` : denial;
  const target = qualifiedResource(attrs.group, attrs.resource);
  const message = attrs.name ? `${target} ${q(attrs.name)} is forbidden: ${why}` : `${target} is forbidden: ${why}`;
  return new Rejection(failure(403, 'Forbidden', message, { group: attrs.group, kind: attrs.resource, ...(attrs.name ? { name: attrs.name } : {}) }));
}

/** Go's %q, which kube-apiserver uses for these names; JSON quoting matches it for real names. */
function q(s: string): string {
  return JSON.stringify(s);
}
