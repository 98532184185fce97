import type { ObjectRef } from '../../eventlog/types';
import type { Json } from '../kinds/types';
import { field, isJsonObject, jsonEqual, presentEntries, type JsonObject } from '../patch/json';
import type { PlannedCommand } from '../reconcile/plan';

/**
 * The one status write a controller pass may end with: a merge patch of `/status` holding only
 * what changed, or nothing when the status is already right (so a converged pass is silent).
 */

export type StatusChange = Readonly<{
  ref: ObjectRef;
  before: object | undefined;
  after: object;
  /** Counts Kubernetes omits when zero (`omitempty`), so 0 and absent are the same value. */
  omittedWhenZero: readonly string[];
  fieldManager: string;
}>;

export function statusCommand(change: StatusChange): PlannedCommand | undefined {
  const before = withoutZeros(change.before ?? {}, change.omittedWhenZero);
  const after = withoutZeros(change.after, change.omittedWhenZero);
  const patch = mergeDiff(before, after);
  if (!isJsonObject(patch)) return undefined;
  return {
    ref: change.ref,
    payload: { op: 'patch', patchType: 'merge', patch: { status: patch }, target: 'status', fieldManager: change.fieldManager, force: false },
    reason: `status: ${Object.keys(patch).map((key) => describe(key, field(before, key), field(after, key), change.omittedWhenZero)).join(', ')}`,
  };
}

/** A JSON merge patch (RFC 7386) turning `before` into `after`; undefined when they are equal. */
export function mergeDiff(before: Json | undefined, after: Json): Json | undefined {
  if (!isJsonObject(before) || !isJsonObject(after)) return jsonEqual(before, after) ? undefined : after;
  const changed = presentEntries(after)
    .map(([key, value]) => [key, mergeDiff(field(before, key), value)] as const)
    .filter((entry): entry is readonly [string, Json] => entry[1] !== undefined);
  const removed = presentEntries(before)
    .filter(([key]) => field(after, key) === undefined)
    .map(([key]) => [key, null] as const);
  const entries = [...changed, ...removed];
  return entries.length > 0 ? Object.fromEntries(entries) : undefined;
}

/** Our typed shapes are JSON by construction; this is where they are seen as such. */
export function asJson(value: object): Json {
  return value as unknown as Json;
}

function withoutZeros(status: object, omitted: readonly string[]): JsonObject {
  return Object.fromEntries<Json>(Object.entries(status).filter(([key, value]) => value !== undefined && !(value === 0 && omitted.includes(key))));
}

function describe(key: string, before: Json | undefined, after: Json | undefined, omittedWhenZero: readonly string[]): string {
  if (key === 'conditions') return describeConditions(before, after);
  const show = (value: Json | undefined) => String(value ?? (omittedWhenZero.includes(key) ? 0 : 'unset'));
  return `${key} ${show(before)} → ${show(after)}`;
}

function describeConditions(before: Json | undefined, after: Json | undefined): string {
  const show = (c: Json | undefined) => (isJsonObject(c) ? `${String(c.status)} ${String(c.reason ?? '')}`.trim() : 'absent');
  const byType = (list: Json | undefined) => new Map((Array.isArray(list) ? list : []).filter(isJsonObject).map((c) => [String(c.type), c] as const));
  const [old, next] = [byType(before), byType(after)];
  const types = [...new Set([...old.keys(), ...next.keys()])];
  const changed = types.filter((t) => !jsonEqual(old.get(t), next.get(t)));
  const describeOne = (t: string) => (show(old.get(t)) === show(next.get(t)) ? `${t} ${show(next.get(t))} (refreshed)` : `${t} ${show(old.get(t))} → ${show(next.get(t))}`);
  return changed.map(describeOne).join(', ') || 'conditions reordered';
}
