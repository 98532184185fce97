import type { Json } from '../kinds/types';
import { reject, type Rejection } from '../rejection';
import { field, goJsonType, hasKey, isJsonObject, jsonEqual, presentEntries, withKey, withoutKey, type JsonObject } from './json';
import { childPath, itemKey, notAnItem, strategyAt, type KeyedList, type MergeMode } from './merge-strategies';

/**
 * Kubernetes strategic merge patch (`application/strategic-merge-patch+json`) for the built-in kinds, after
 * k8s.io/apimachinery/pkg/util/strategicpatch (server side: parallel lists merged, unmatched nulls dropped).
 * Like a merge patch, except that the lists named in MERGE_STRATEGIES merge item by item, and these directives:
 * - `$patch: replace` on a map or as a list item: take the patch's map/list instead of merging;
 * - `$patch: delete` on a map (the key goes away) or on a list item (items with that merge key go away);
 * - `$patch: merge`: the default, accepted and dropped;
 * - `$retainKeys: [...]` on a map: drop the keys of the original that are not listed;
 * - `$setElementOrder/<list>: [...]`: the order of the listed items; items only on the server keep their place;
 * - `$deleteFromPrimitiveList/<list>: [...]`: remove these scalars from a merged set.
 * Directives never reach the result. Errors are 400 BadRequest (kube-apiserver answers some of them with a 500).
 */
export function applyStrategicMergePatch(doc: Json, patch: Json, kind: string): Json {
  // Go decodes the body into a map: null decodes to an empty patch, anything else that is not an object fails.
  if (patch === null) return doc;
  if (!isJsonObject(patch)) throw reject.badRequest(`json: cannot unmarshal ${goJsonType(patch)} into Go value of type map[string]interface {}`);
  return mergeStrategically(isJsonObject(doc) ? doc : {}, patch, kind, 'strategic');
}

/** @internal Shared with server-side apply, which merges the applied configuration with the same tables. */
export function mergeStrategically(original: JsonObject, patch: JsonObject, kind: string, mode: MergeMode): JsonObject {
  return mergeMap(original, patch, '', { kind, mode }) ?? {};
}

const DIRECTIVE = '$patch';
const RETAIN_KEYS = '$retainKeys';
const SET_ELEMENT_ORDER = '$setElementOrder/';
const DELETE_FROM_PRIMITIVE_LIST = '$deleteFromPrimitiveList/';

type Context = Readonly<{ kind: string; mode: MergeMode }>;

/** A merged value, or undefined when the patch deletes it. */
type Merged = Json | undefined;

/** Handles a `$patch` directive on the map itself, then merges its fields. */
function mergeMap(original: JsonObject, patch: JsonObject, path: string, ctx: Context): JsonObject | undefined {
  if (!hasKey(patch, DIRECTIVE)) return mergeFields(original, patch, path, ctx);
  const rest = withoutKey(patch, DIRECTIVE);
  switch (patch[DIRECTIVE]) {
    case 'delete':
      return undefined;
    case 'replace':
      return mergeFields({}, rest, path, ctx);
    case 'merge':
      return mergeFields(original, rest, path, ctx);
    default:
      throw unknownDirective(patch);
  }
}

/** The patch's fields, with its `$`-prefixed directives taken apart. */
type MapPatch = Readonly<{
  fields: readonly (readonly [string, Json])[];
  retainKeys: Json | undefined;
  orders: ReadonlyMap<string, readonly Json[]>;
  deletions: ReadonlyMap<string, readonly Json[]>;
}>;

function splitDirectives(patch: JsonObject): MapPatch {
  const fields: [string, Json][] = [];
  const orders = new Map<string, readonly Json[]>();
  const deletions = new Map<string, readonly Json[]>();
  for (const [key, value] of presentEntries(patch)) {
    if (key.startsWith(SET_ELEMENT_ORDER)) orders.set(key.slice(SET_ELEMENT_ORDER.length), listOrFail(value, 'setElementOrder list'));
    else if (key.startsWith(DELETE_FROM_PRIMITIVE_LIST)) deletions.set(key.slice(DELETE_FROM_PRIMITIVE_LIST.length), listOrFail(value, 'primitive list'));
    else if (key !== RETAIN_KEYS) fields.push([key, value]);
  }
  return { fields, retainKeys: patch[RETAIN_KEYS], orders, deletions };
}

function listOrFail(value: Json, what: string): readonly Json[] {
  if (!Array.isArray(value)) throw reject.badRequest(`invalid patch format of ${what}`);
  return value;
}

/** Order of work follows upstream: $retainKeys, then fields (ordered lists included), then leftover orders, then deletions. */
function mergeFields(original: JsonObject, patch: JsonObject, path: string, ctx: Context): JsonObject {
  const parts = splitDirectives(patch);
  const retained = hasKey(patch, RETAIN_KEYS) ? retainKeys(original, parts) : original;
  const merged = parts.fields.reduce(
    (result, [key, value]) => setOrDelete(result, key, mergeValue(field(result, key), value, childPath(path, key), ctx, parts.orders.get(key))),
    retained,
  );
  const ordered = [...parts.orders].reduce((result, [key, order]) => {
    const list = field(result, key);
    const untouched = !parts.fields.some(([name]) => name === key) && Array.isArray(list);
    return untouched ? withKey(result, key, mergeList(list, [], childPath(path, key), ctx, order)) : result;
  }, merged);
  return [...parts.deletions].reduce((result, [key, doomed]) => {
    const list = field(result, key);
    return Array.isArray(list) ? withKey(result, key, list.filter((item) => !doomed.some((d) => jsonEqual(d, item)))) : result;
  }, ordered);
}

/** `$retainKeys` lists every key the map keeps; a patch field missing from it is malformed. */
function retainKeys(original: JsonObject, parts: MapPatch): JsonObject {
  const keep = parts.retainKeys;
  const valid = Array.isArray(keep) && keep.every((k) => typeof k === 'string')
    && parts.fields.every(([key, value]) => value === null || keep.includes(key));
  if (!valid) throw reject.badRequest('invalid patch format of retainKeys');
  return Object.fromEntries(Object.entries(original).filter(([key]) => keep.includes(key)));
}

function setOrDelete(object: JsonObject, key: string, value: Merged): JsonObject {
  return value === undefined ? withoutKey(object, key) : withKey(object, key, value);
}

/** Merges one field; when the types differ (or nothing was there) the patch value is taken, minus its directives. */
function mergeValue(original: Merged, patch: Json, path: string, ctx: Context, order?: readonly Json[]): Merged {
  if (patch === null) return undefined;
  if (Array.isArray(patch)) return mergeList(Array.isArray(original) ? original : [], patch, path, ctx, order);
  if (!isJsonObject(patch)) return patch;
  const atomic = ctx.mode === 'apply' && strategyAt(ctx.kind, path)?.type === 'atomic';
  return mergeMap(isJsonObject(original) && !atomic ? original : {}, patch, path, ctx);
}

function mergeList(original: readonly Json[], patch: readonly Json[], path: string, ctx: Context, order?: readonly Json[]): Json[] {
  const strategy = strategyAt(ctx.kind, path);
  const itemPath = `${path}[]`;
  if (strategy?.type === 'map') return mergeKeyedList(original, patch, itemPath, ctx, strategy, order);
  if (strategy?.type === 'set') return mergeSet(original, patch, order);
  return definedOnly(patch.map((item) => mergeValue(undefined, item, itemPath, ctx)));
}

function definedOnly(items: readonly Merged[]): Json[] {
  return items.filter((item): item is Json => item !== undefined);
}

/** A list item's identity: its merge key fields (or the scalar itself), as a string for Map lookups. */
type Identity = (item: Json) => string;

function mergeKeyedList(
  original: readonly Json[], patch: readonly Json[], itemPath: string, ctx: Context, strategy: KeyedList, order?: readonly Json[],
): Json[] {
  const identity: Identity = (item) => JSON.stringify(itemKey(item, strategy, ctx.mode));
  const special = specialItems(patch, identity, strategy);
  if (special.replace) return definedOnly(special.plain.map((item) => mergeValue(undefined, item, itemPath, ctx)));
  const base = original.filter((item) => !special.deleted.has(identity(item)));
  const merged = special.plain.reduce<Json[]>((list, item) => upsert(list, item, identity, itemPath, ctx), base);
  return orderItems(merged, order ?? special.plain, base, identity);
}

/** Items carrying `$patch` act on the list: delete by key, replace the whole list, or (merge) nothing. */
function specialItems(
  patch: readonly Json[], identity: Identity, strategy: KeyedList,
): { plain: JsonObject[]; deleted: Set<string>; replace: boolean } {
  const result = { plain: [] as JsonObject[], deleted: new Set<string>(), replace: false };
  for (const item of patch) {
    if (!isJsonObject(item)) throw notAnItem(strategy);
    if (!hasKey(item, DIRECTIVE)) result.plain.push(item);
    else if (item[DIRECTIVE] === 'delete') result.deleted.add(identity(item));
    else if (item[DIRECTIVE] === 'replace') result.replace = true;
    else if (item[DIRECTIVE] !== 'merge') throw unknownDirective(item);
  }
  return result;
}

function upsert(list: readonly Json[], item: JsonObject, identity: Identity, itemPath: string, ctx: Context): Json[] {
  const id = identity(item);
  const at = list.findIndex((existing) => identity(existing) === id);
  if (at < 0) return [...list, mergeFields({}, item, itemPath, ctx)];
  // identity() accepted `existing`, so it is an object.
  return list.map((existing, i) => (i === at ? mergeFields(existing as JsonObject, item, itemPath, ctx) : existing));
}

function mergeSet(original: readonly Json[], patch: readonly Json[], order?: readonly Json[]): Json[] {
  const identity: Identity = (item) => {
    if (isJsonObject(item) || Array.isArray(item)) throw reject.badRequest('cannot merge lists without merge key for type map');
    return JSON.stringify(item);
  };
  const merged = [...new Map([...original, ...patch].map((item) => [identity(item), item])).values()];
  return orderItems(merged, order ?? patch, original, identity);
}

/**
 * Upstream's ordering rule: items named by the patch (or its $setElementOrder) follow that order; items only on
 * the server keep their relative order and are slotted in before the first patch item they preceded on the server.
 */
function orderItems(merged: readonly Json[], order: readonly Json[], server: readonly Json[], identity: Identity): Json[] {
  const wanted = positions(order, identity);
  const serverAt = positions(server, identity);
  const fromPatch = merged.filter((item) => wanted.has(identity(item)))
    .sort((a, b) => (wanted.get(identity(a)) ?? 0) - (wanted.get(identity(b)) ?? 0));
  const serverOnly = merged.filter((item) => !wanted.has(identity(item)));
  const precedes = (serverItem: Json, patchItem: Json): boolean => {
    const s = serverAt.get(identity(serverItem));
    const p = serverAt.get(identity(patchItem));
    return s !== undefined && p !== undefined && s < p;
  };
  const result: Json[] = [];
  let i = 0;
  let j = 0;
  while (i < serverOnly.length || j < fromPatch.length) {
    const takeServer = j >= fromPatch.length || (i < serverOnly.length && precedes(serverOnly[i], fromPatch[j]));
    result.push(takeServer ? serverOnly[i++] : fromPatch[j++]);
  }
  return result;
}

/** First position of each identity in `items`. */
function positions(items: readonly Json[], identity: Identity): Map<string, number> {
  const at = new Map<string, number>();
  items.forEach((item, i) => {
    const id = identity(item);
    if (!at.has(id)) at.set(id, i);
  });
  return at;
}

function unknownDirective(map: JsonObject): Rejection {
  return reject.badRequest(`unknown patch type: ${JSON.stringify(map[DIRECTIVE])} in map: ${JSON.stringify(map)}`);
}
