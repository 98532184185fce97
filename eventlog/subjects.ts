import type { ObjectRef } from './types';

/**
 * The only place that builds NATS subjects. An object's commands and events each live on one
 * subject, so JetStream's per-subject "expected last sequence" is per-object optimistic concurrency:
 *
 *   skiff.cmd.<group>.<resource>.<namespace>.<name>
 *   skiff.evt.<group>.<resource>.<namespace>.<name>
 *
 * Tokens are encoded reversibly: [a-z0-9-] pass through, every other byte (dots, colons, uppercase,
 * '_' itself, non-ASCII as UTF-8) becomes `_xx` (lowercase hex). The empty string — the core group, a
 * cluster-scoped object's namespace — is the lone token `_`, which no encoding of a non-empty string yields.
 */

export const SUBJECT_ROOT = 'skiff';
export type Tree = 'cmd' | 'evt';

const PLAIN = /^[a-z0-9-]$/;
const ALL_PLAIN = /^[a-z0-9-]+$/;

export function encodeToken(value: string): string {
  if (value === '') return '_';
  // Most Kubernetes names are already plain tokens: skip the byte-by-byte walk.
  if (ALL_PLAIN.test(value)) return value;
  let out = '';
  for (const byte of Buffer.from(value, 'utf8')) {
    const ch = String.fromCharCode(byte);
    out += byte < 0x80 && PLAIN.test(ch) ? ch : `_${byte.toString(16).padStart(2, '0')}`;
  }
  return out;
}

export function decodeToken(token: string): string {
  if (token === '_') return '';
  if (!token.includes('_')) return token;
  const bytes: number[] = [];
  for (let i = 0; i < token.length; i++) {
    if (token[i] === '_') {
      const hex = token.slice(i + 1, i + 3);
      if (!/^[0-9a-f]{2}$/.test(hex)) throw new Error(`malformed subject token "${token}"`);
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else {
      bytes.push(token.charCodeAt(i));
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

export function subjectOf(tree: Tree, ref: ObjectRef): string {
  return `${SUBJECT_ROOT}.${tree}.${encodeToken(ref.group)}.${encodeToken(ref.resource)}.${encodeToken(ref.namespace)}.${encodeToken(ref.name)}`;
}

export function refOf(subject: string): ObjectRef & { tree: Tree } {
  const parts = subject.split('.');
  if (parts.length !== 6 || parts[0] !== SUBJECT_ROOT || (parts[1] !== 'cmd' && parts[1] !== 'evt')) {
    throw new Error(`not an object subject: "${subject}"`);
  }
  return { tree: parts[1], group: decodeToken(parts[2]), resource: decodeToken(parts[3]), namespace: decodeToken(parts[4]), name: decodeToken(parts[5]) };
}

/** Wildcard filter over one tree, optionally narrowed to a resource type and a namespace. */
export function filterOf(tree: Tree, scope: Partial<Pick<ObjectRef, 'group' | 'resource' | 'namespace'>> = {}): string {
  if (scope.resource === undefined) return `${SUBJECT_ROOT}.${tree}.>`;
  const ns = scope.namespace === undefined ? '*' : encodeToken(scope.namespace);
  return `${SUBJECT_ROOT}.${tree}.${encodeToken(scope.group ?? '')}.${encodeToken(scope.resource)}.${ns}.*`;
}

/** Subjects for the actor kernel's own facts (supervisor decisions), outside the object trees. */
export function systemSubject(component: string, name: string): string {
  return `${SUBJECT_ROOT}.sys.${encodeToken(component)}.${encodeToken(name)}`;
}

/** What a node agent serves over core NATS besides the log: container logs and exec sessions. */
export type NodeStreamKind = 'log' | 'exec' | 'portforward';

/**
 * The subject a node agent listens on for one kind of stream request, `skiff.node.<node>.<kind>`.
 * Core NATS only (no JetStream stream captures `skiff.node.>`): these are conversations, not history.
 */
export function nodeStreamSubject(node: string, kind: NodeStreamKind): string {
  return `${SUBJECT_ROOT}.node.${encodeToken(node)}.${kind}`;
}
