import type { Json } from '../kinds/types';
import { failure, reject, Rejection } from '../rejection';
import { goJsonType, hasKey, isJsonObject, jsonEqual, withKey, withoutKey, type JsonObject } from './json';

/**
 * RFC 6902 JSON Patch (`application/json-patch+json`), answering errors the way kube-apiserver does:
 * - a body that does not decode as a list of operation objects → 400 BadRequest with Go's decode error;
 * - more than 10000 operations → 413;
 * - any operation that cannot be applied (unknown op, missing path, failed `test`, bad pointer) → 422 Invalid
 *   with the fixed message below and empty details. kube-apiserver drops the underlying reason, and kubectl
 *   prints "The request is invalid: the server rejected our request due to an error in our request".
 */

/** kube-apiserver's cap on operations per JSON patch (maxJSONPatchOperations). */
export const MAX_JSON_PATCH_OPERATIONS = 10000;

export function applyJsonPatch(doc: Json, ops: unknown): Json {
  return decodeOperations(ops).reduce<Json>(applyOperation, doc);
}

/** Mirrors Go's json.Unmarshal into []map[string]*json.RawMessage: null decodes to an empty patch, null items to empty ops. */
function decodeOperations(ops: unknown): readonly Json[] {
  if (ops === null) return [];
  if (!Array.isArray(ops)) throw reject.badRequest(`json: cannot unmarshal ${goJsonType(ops)} into Go value of type jsonpatch.Patch`);
  const bad = ops.find((op) => op !== null && !isJsonObject(op as Json));
  if (bad !== undefined) throw reject.badRequest(`json: cannot unmarshal ${goJsonType(bad)} into Go value of type jsonpatch.Operation`);
  if (ops.length > MAX_JSON_PATCH_OPERATIONS) {
    throw new Rejection(failure(413, 'RequestEntityTooLarge',
      `Request entity too large: The allowed maximum operations in a JSON patch is ${MAX_JSON_PATCH_OPERATIONS}, got ${ops.length}`));
  }
  return ops as Json[];
}

function notApplicable(): Rejection {
  return new Rejection(failure(422, 'Invalid', 'the server rejected our request due to an error in our request', {}));
}

function applyOperation(doc: Json, op: Json): Json {
  const operation: JsonObject = isJsonObject(op) ? op : {};
  const path = pointer(operation, 'path');
  switch (operation.op) {
    case 'add':
      return add(doc, path, value(operation));
    case 'remove':
      return remove(doc, path);
    case 'replace':
      return replace(doc, path, value(operation));
    case 'move':
      return move(doc, pointer(operation, 'from'), path);
    case 'copy':
      return add(doc, path, get(doc, pointer(operation, 'from')));
    case 'test':
      if (!jsonEqual(get(doc, path), value(operation))) throw notApplicable();
      return doc;
    default:
      throw notApplicable();
  }
}

function value(operation: JsonObject): Json {
  if (!hasKey(operation, 'value')) throw notApplicable();
  return operation.value;
}

/** RFC 6901: "" is the whole document; otherwise "/"-separated tokens with ~1 → "/" and then ~0 → "~". */
function pointer(operation: JsonObject, field: 'path' | 'from'): readonly string[] {
  const text = operation[field];
  if (typeof text !== 'string' || (text !== '' && !text.startsWith('/'))) throw notApplicable();
  if (text === '') return [];
  return text.slice(1).split('/').map((token) => token.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function get(doc: Json, path: readonly string[]): Json {
  return path.reduce<Json>((node, token) => child(node, token), doc);
}

function add(doc: Json, path: readonly string[], item: Json): Json {
  if (path.length === 0) return item;
  return editParent(doc, path, (parent, token) => {
    if (isJsonObject(parent)) return withKey(parent, token, item);
    if (!Array.isArray(parent)) throw notApplicable();
    const at = token === '-' ? parent.length : arrayIndex(token, parent.length + 1);
    return [...parent.slice(0, at), item, ...parent.slice(at)];
  });
}

function remove(doc: Json, path: readonly string[]): Json {
  if (path.length === 0) throw notApplicable();
  return editParent(doc, path, (parent, token) => {
    if (isJsonObject(parent)) {
      child(parent, token); // the member must exist
      return withoutKey(parent, token);
    }
    if (!Array.isArray(parent)) throw notApplicable();
    const at = arrayIndex(token, parent.length);
    return parent.filter((_, i) => i !== at);
  });
}

function replace(doc: Json, path: readonly string[], item: Json): Json {
  if (path.length === 0) return item;
  return editParent(doc, path, (parent, token) => {
    child(parent, token); // the target must exist
    return withChild(parent, token, item);
  });
}

function move(doc: Json, from: readonly string[], path: readonly string[]): Json {
  const intoItself = path.length > from.length && from.every((token, i) => path[i] === token);
  if (intoItself) throw notApplicable();
  const item = get(doc, from);
  return add(remove(doc, from), path, item);
}

/** Copies the containers along `path` and lets `edit` rebuild the last one, so the input is never mutated. */
function editParent(doc: Json, path: readonly string[], edit: (parent: Json, token: string) => Json): Json {
  const [token, ...rest] = path;
  if (rest.length === 0) return edit(doc, token);
  return withChild(doc, token, editParent(child(doc, token), rest, edit));
}

function child(node: Json, token: string): Json {
  if (isJsonObject(node)) {
    if (!hasKey(node, token)) throw notApplicable();
    return node[token];
  }
  if (Array.isArray(node)) return node[arrayIndex(token, node.length)];
  throw notApplicable();
}

function withChild(node: Json, token: string, item: Json): Json {
  if (isJsonObject(node)) return withKey(node, token, item);
  if (!Array.isArray(node)) throw notApplicable();
  const at = arrayIndex(token, node.length);
  return node.map((old, i) => (i === at ? item : old));
}

/** A decimal index without leading zeros, below `limit`. */
function arrayIndex(token: string, limit: number): number {
  if (!/^(0|[1-9][0-9]*)$/.test(token)) throw notApplicable();
  const index = Number(token);
  if (index >= limit) throw notApplicable();
  return index;
}
