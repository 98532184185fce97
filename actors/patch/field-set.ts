import type { Json } from '../kinds/types';
import { compareText, field, hasKey, isJsonObject, jsonEqual, presentEntries, withKey, withoutKey, type JsonObject } from './json';
import { childPath, findItemKey, strategyAt } from './merge-strategies';

/**
 * Field sets as sigs.k8s.io/structured-merge-diff has them, spelled the way managedFields stores them (FieldsV1):
 * a path is a list of elements `f:<field>`, `k:<JSON of the item's key fields>` (keyed list item) or
 * `v:<JSON value>` (set item). A set holds the paths a manager owns.
 */
export type FieldPath = readonly string[];

/** Paths keyed by pathKey(), so sets compare by value. */
export type FieldSet = ReadonlyMap<string, FieldPath>;

export function pathKey(path: FieldPath): string {
  // NUL never occurs in an element: field names are validated keys and k:/v: bodies are JSON, which escapes it.
  return path.join('\u0000');
}

export function fieldSet(paths: Iterable<FieldPath>): FieldSet {
  return new Map([...paths].map((path) => [pathKey(path), path]));
}

export function union(...sets: readonly FieldSet[]): FieldSet {
  return new Map(sets.flatMap((set) => [...set]));
}

export function difference(set: FieldSet, minus: FieldSet): FieldSet {
  return new Map([...set].filter(([key]) => !minus.has(key)));
}

export function sameSet(a: FieldSet, b: FieldSet): boolean {
  return a.size === b.size && [...a.keys()].every((key) => b.has(key));
}

/**
 * Every field of an object that can be owned, with the value used to tell whether it changed: scalars, nulls,
 * empty maps, atomic lists and maps, and set items are leaves with a value; keyed list items are members whose
 * content is compared through their own fields. Non-empty maps are not members themselves (upstream ToFieldSet).
 */
export type Fields = ReadonlyMap<string, Readonly<{ path: FieldPath; leaf: boolean; value: Json }>>;

/** Identity and bookkeeping fields nobody owns (the apiserver's stripMetaManager list). */
const UNOWNED = fieldSet([
  ['f:apiVersion'], ['f:kind'], ['f:metadata'],
  ...['name', 'namespace', 'creationTimestamp', 'selfLink', 'uid', 'clusterName', 'generation', 'managedFields', 'resourceVersion']
    .map((name) => ['f:metadata', `f:${name}`]),
]);

/**
 * A keyed list with an item that has no key is owned whole: bookkeeping never fails a write (upstream's
 * UpdateNoErrors); the merges reject such items where they must.
 */
export function fieldsOf(object: JsonObject, kind: string): Fields {
  const out = new Map<string, { path: FieldPath; leaf: boolean; value: Json }>();
  const add = (path: FieldPath, leaf: boolean, value: Json): void => {
    const key = pathKey(path);
    if (!UNOWNED.has(key)) out.set(key, { path, leaf, value });
  };
  const walkMap = (map: JsonObject, path: FieldPath, schema: string): void => {
    for (const [key, value] of presentEntries(map)) walkValue(value, [...path, `f:${key}`], childPath(schema, key));
  };
  const walkValue = (value: Json, path: FieldPath, schema: string): void => {
    const strategy = strategyAt(kind, schema);
    if (isJsonObject(value) && Object.keys(value).length > 0 && strategy?.type !== 'atomic') walkMap(value, path, schema);
    else if (Array.isArray(value) && strategy?.type === 'set') value.forEach((item) => add([...path, `v:${JSON.stringify(item)}`], true, item));
    else if (Array.isArray(value) && strategy?.type === 'map' && value.every((item) => findItemKey(item, strategy, 'apply'))) {
      for (const item of value) {
        const itemPath = [...path, `k:${JSON.stringify(findItemKey(item, strategy, 'apply'))}`];
        add(itemPath, false, null);
        walkMap(item as JsonObject, itemPath, `${schema}[]`); // findItemKey() accepts objects only
      }
    } else add(path, true, value);
  };
  walkMap(object, [], '');
  return out;
}

/** What a write did to the fields of an object: added or modified (changed), or gone (removed). */
export function compareFields(before: Fields, after: Fields): { changed: FieldSet; removed: FieldSet } {
  const changed = [...after.values()].filter(({ path, leaf, value }) => {
    const old = before.get(pathKey(path));
    return old === undefined || (leaf && (!old.leaf || !jsonEqual(old.value, value)));
  });
  const removed = [...before.values()].filter(({ path }) => !after.has(pathKey(path)));
  return { changed: fieldSet(changed.map((f) => f.path)), removed: fieldSet(removed.map((f) => f.path)) };
}

/** Encodes a set as FieldsV1: a member with children gets a "." entry; elements sort fields, keys, values. */
export function toFieldsV1(set: FieldSet): JsonObject {
  type Node = { member: boolean; children: Map<string, Node> };
  const root: Node = { member: false, children: new Map() };
  for (const path of set.values()) {
    const node = path.reduce((parent, element) => {
      const child = parent.children.get(element) ?? { member: false, children: new Map() };
      parent.children.set(element, child);
      return child;
    }, root);
    node.member = true;
  }
  const encode = (node: Node): JsonObject => {
    const children = [...node.children].sort(([a], [b]) => compareElements(a, b)).map(([element, child]) => [element, encode(child)]);
    return Object.fromEntries(node.member && children.length > 0 ? [['.', {}], ...children] : children);
  };
  return encode(root);
}

const ELEMENT_RANK: Readonly<Record<string, number>> = { f: 0, k: 1, v: 2, i: 3 };

function compareElements(a: string, b: string): number {
  const rank = (ELEMENT_RANK[a[0]] ?? 4) - (ELEMENT_RANK[b[0]] ?? 4);
  return rank !== 0 ? rank : compareText(a, b);
}

export function fromFieldsV1(fields: unknown): FieldSet {
  const out: FieldPath[] = [];
  const decode = (node: unknown, path: FieldPath): void => {
    if (!isJsonObject(node as Json)) return;
    const entries = Object.entries(node as JsonObject).filter(([element]) => element !== '.');
    if (path.length > 0 && (entries.length === 0 || hasKey(node as JsonObject, '.'))) out.push(path);
    entries.forEach(([element, child]) => decode(child, [...path, element]));
  };
  decode(fields, []);
  return fieldSet(out);
}

/** structured-merge-diff's Path.String(): `.spec.containers[name="nginx"].image`, `.metadata.finalizers[="x"]`. */
export function formatPath(path: FieldPath): string {
  return path.map((element) => {
    const body = element.slice(2);
    switch (element[0]) {
      case 'f':
        return `.${body}`;
      case 'k':
        return `[${Object.entries(parseElement(body) ?? {}).map(([name, value]) => `${name}=${JSON.stringify(value)}`).join(',')}]`;
      case 'v':
        return `[=${body}]`;
      default:
        return `[${body}]`;
    }
  }).join('');
}

/** The JSON inside a `k:`/`v:` element, or undefined if a stored element is malformed. */
function parseElement(body: string): JsonObject | undefined {
  try {
    const parsed = JSON.parse(body) as Json;
    return isJsonObject(parsed) ? parsed : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Removes the fields at `paths` from an object, except those in `kept` or above a kept field, and the key fields
 * of a surviving list item. Maps emptied by the removal go too unless they are kept (as Go's omitempty would).
 */
export function removeFields(object: JsonObject, paths: FieldSet, kept: FieldSet, kind: string): JsonObject {
  const protectedPaths = new Set([...kept.values()].flatMap((path) => path.map((_, i) => pathKey(path.slice(0, i + 1)))));
  const removable = [...paths.values()].filter((path) => !protectedPaths.has(pathKey(path)) && !isItemKeyField(path));
  return removable.reduce((result, path) => removeMapField(result, path, [], '', kind, kept), object);
}

function isItemKeyField(path: FieldPath): boolean {
  const item = path[path.length - 2];
  const last = path[path.length - 1];
  return item?.startsWith('k:') === true && last.startsWith('f:') && hasKey(parseElement(item.slice(2)) ?? {}, last.slice(2));
}

function removeMapField(map: JsonObject, path: FieldPath, at: FieldPath, schema: string, kind: string, kept: FieldSet): JsonObject {
  const [element, ...rest] = path;
  const key = element.slice(2);
  const value = field(map, key);
  if (!element.startsWith('f:') || value === undefined) return map;
  if (rest.length === 0) return withoutKey(map, key);
  const here = [...at, element];
  const next = removeNested(value, rest, here, childPath(schema, key), kind, kept);
  const emptied = next !== value && isJsonObject(next) && Object.keys(next).length === 0 && !kept.has(pathKey(here));
  return emptied ? withoutKey(map, key) : withKey(map, key, next);
}

function removeNested(value: Json, path: FieldPath, at: FieldPath, schema: string, kind: string, kept: FieldSet): Json {
  if (isJsonObject(value)) return removeMapField(value, path, at, schema, kind, kept);
  const strategy = strategyAt(kind, schema);
  if (!Array.isArray(value) || strategy === undefined || strategy.type === 'atomic') return value;
  const [element, ...rest] = path;
  const matches = (item: Json): boolean => element === (strategy.type === 'set'
    ? `v:${JSON.stringify(item)}`
    : `k:${JSON.stringify(findItemKey(item, strategy, 'apply'))}`);
  if (rest.length === 0) return value.filter((item) => !matches(item));
  return value.map((item) => (matches(item) && isJsonObject(item)
    ? removeMapField(item, rest, [...at, element], `${schema}[]`, kind, kept)
    : item));
}
