import type { Json } from '../kinds/types';

/** Small JSON helpers shared by the patch algorithms. Values are treated as immutable: results may share unchanged subtrees with inputs. */

export type JsonObject = { [key: string]: Json };

export function isJsonObject(value: Json | undefined): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function hasKey(object: JsonObject, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(object, key);
}

/** The value of an own property, so a key such as "__proto__" never reads Object.prototype. */
export function field(object: JsonObject, key: string): Json | undefined {
  return hasKey(object, key) ? object[key] : undefined;
}

/** A copy of `object` without `key`. Object.fromEntries defines own properties, so a "__proto__" key stays data. */
export function withoutKey(object: JsonObject, key: string): JsonObject {
  return Object.fromEntries(Object.entries(object).filter(([k]) => k !== key));
}

/** A copy of `object` with `key` set. Computed keys define own properties, so a "__proto__" key stays data. */
export function withKey(object: JsonObject, key: string, value: Json): JsonObject {
  return { ...object, [key]: value };
}

/** The members JSON would serialize: objects built in TypeScript may carry `undefined` members, which mean "absent". */
export function presentEntries(object: JsonObject): [string, Json][] {
  return Object.entries(object).filter(([, value]) => value !== undefined);
}

/** Structural equality: object key order does not matter, array order does. */
export function jsonEqual(a: Json | undefined, b: Json | undefined): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((item, i) => jsonEqual(item, b[i]));
  if (isJsonObject(a)) {
    if (!isJsonObject(b)) return false;
    const entries = presentEntries(a);
    return entries.length === presentEntries(b).length && entries.every(([k, v]) => jsonEqual(v, field(b, k)));
  }
  return false;
}

/** The JSON type name Go's encoding/json uses in "cannot unmarshal X into Go value" errors. */
export function goJsonType(value: unknown): string {
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'boolean') return 'bool';
  return typeof value; // 'object' | 'string' | 'number'
}

/** Code-unit order, independent of locale, so sorted output is the same everywhere. */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
