import type { KubeObject, ManagedFieldsEntry } from '../kinds/types';
import { failure, Rejection } from '../rejection';
import {
  compareFields, difference, fieldSet, fieldsOf, formatPath, fromFieldsV1, removeFields, sameSet, toFieldsV1, union,
  type FieldPath, type FieldSet,
} from './field-set';
import { compareText, isJsonObject, jsonEqual, withKey, withoutKey, type JsonObject } from './json';
import { mergeStrategically } from './strategic-merge-patch';

/**
 * Server-side apply and field ownership (metadata.managedFields), after kube-apiserver's fieldmanager and
 * sigs.k8s.io/structured-merge-diff, simplified: no OpenAPI schema (MERGE_STRATEGIES stands in for it), no
 * version conversion, no subresource managers of our own.
 *
 * A manager is identified like upstream: Apply entries by name, Update entries by name and apiVersion.
 * - Apply merges the configuration into the live object, makes the applier own exactly the fields it applied,
 *   and removes the fields it owned before but no longer applies, unless someone else owns them. Changing a field
 *   another manager owns is a 409 conflict; with force the field changes hands instead.
 * - recordUpdate (any other write) gives the writer the fields it changed and takes them from everyone else.
 */
export type ApplyOptions = Readonly<{ manager: string; force: boolean; time: string; apiVersion: string }>;

export function applyServerSide(live: KubeObject | undefined, applied: KubeObject, opts: ApplyOptions): KubeObject {
  const kind = live?.kind ?? applied.kind;
  const before = live ? body(live) : {};
  const managers = readManagers(live?.metadata.managedFields);
  const me = managerId({ manager: opts.manager, operation: 'Apply', apiVersion: opts.apiVersion });
  const previous = managers.get(me)?.fields ?? fieldSet([]);
  const others = [...managers].filter(([id]) => id !== me);
  const config = body(applied);
  const owned = fieldSet([...fieldsOf(config, kind).values()].map((f) => f.path));

  const merged = mergeStrategically(before, config, kind, 'apply');
  const stillOwned = union(owned, ...others.map(([, other]) => other.fields));
  const after = removeFields(merged, difference(previous, owned), stillOwned, kind);
  const change = compareFields(fieldsOf(before, kind), fieldsOf(after, kind));

  const conflicts = conflictsWith(others, change.changed);
  if (conflicts.length > 0 && !opts.force) throw conflictRejection(conflicts);
  if (live && jsonEqual(before, after) && managers.has(me) && sameSet(previous, owned)) return live;
  const mine: Manager = { entry: { manager: opts.manager, operation: 'Apply', apiVersion: opts.apiVersion, time: opts.time, fieldsType: 'FieldsV1' }, fields: owned };
  return withManagedFields(after, [...giveUp(others, change), [me, mine]]);
}

export function recordUpdate(before: KubeObject | undefined, after: KubeObject, manager: string, time: string, apiVersion: string): KubeObject {
  // Like upstream, a write that carries managedFields replaces them; one that leaves them out keeps the stored ones.
  const managers = readManagers(after.metadata.managedFields ?? before?.metadata.managedFields);
  const me = managerId({ manager, operation: 'Update', apiVersion });
  const previous = managers.get(me);
  const others = [...managers].filter(([id]) => id !== me);
  const next = body(after);
  const change = compareFields(fieldsOf(before ? body(before) : {}, after.kind), fieldsOf(next, after.kind));

  const fields = union(difference(previous?.fields ?? fieldSet([]), change.removed), change.changed);
  const touched = change.changed.size > 0 || previous === undefined;
  const entry = { manager, operation: 'Update', apiVersion, time: touched ? time : previous.entry.time, fieldsType: 'FieldsV1' } as const;
  const mine: Manager = previous && !touched && fields.size === previous.fields.size ? { ...previous, entry } : { entry, fields };
  return withManagedFields(next, [...giveUp(others, change), [me, mine]]);
}

/** A managedFields entry with its fields decoded, and as stored while they are unchanged (re-encoding is costly). */
type Manager = Readonly<{ entry: Omit<ManagedFieldsEntry, 'fieldsV1'>; fields: FieldSet; stored?: ManagedFieldsEntry['fieldsV1'] }>;

type Identified = Pick<ManagedFieldsEntry, 'manager' | 'operation' | 'apiVersion' | 'subresource'>;

/** Upstream's manager key: never the time, and for appliers not the apiVersion either. */
function managerId(entry: Identified): string {
  return JSON.stringify([entry.manager, entry.operation, entry.operation === 'Update' ? entry.apiVersion : '', entry.subresource ?? '']);
}

function readManagers(entries: readonly ManagedFieldsEntry[] | undefined): Map<string, Manager> {
  const managers = new Map<string, Manager>();
  for (const { fieldsV1, ...entry } of entries ?? []) {
    const id = managerId(entry);
    const twin = managers.get(id);
    managers.set(id, twin ? { entry, fields: union(twin.fields, fromFieldsV1(fieldsV1)) } : { entry, fields: fromFieldsV1(fieldsV1), stored: fieldsV1 });
  }
  return managers;
}

/** Fields another write changed or removed are no longer the other managers' (the write forced them). */
function giveUp(others: readonly (readonly [string, Manager])[], change: { changed: FieldSet; removed: FieldSet }): [string, Manager][] {
  const lost = union(change.changed, change.removed);
  return others.map(([id, other]) => {
    const fields = difference(other.fields, lost);
    return [id, fields.size === other.fields.size ? other : { entry: other.entry, fields }];
  });
}

/** The object's JSON without managedFields, which are bookkeeping rather than content. */
function body(object: KubeObject): JsonObject {
  // KubeObjects are decoded JSON documents; the index signature only hides that from the type checker.
  const json = object as unknown as JsonObject;
  return withKey(json, 'metadata', isJsonObject(json.metadata) ? withoutKey(json.metadata, 'managedFields') : {});
}

/** Writes the managers back in upstream's order (Apply before Update, then by time, name, version); empty ones go. */
function withManagedFields(object: JsonObject, managers: readonly (readonly [string, Manager])[]): KubeObject {
  const managedFields: ManagedFieldsEntry[] = managers
    .filter(([, m]) => m.fields.size > 0)
    .map(([, m]) => ({ ...m.entry, fieldsV1: m.stored ?? toFieldsV1(m.fields) }))
    .sort(byUpstreamOrder);
  const kube = object as unknown as KubeObject; // body() built it from a KubeObject
  return { ...kube, metadata: { ...kube.metadata, ...(managedFields.length > 0 ? { managedFields } : {}) } };
}

function byUpstreamOrder(a: ManagedFieldsEntry, b: ManagedFieldsEntry): number {
  const keys = (e: ManagedFieldsEntry): string[] => [e.operation, e.time, e.manager, e.apiVersion, e.subresource ?? ''];
  const [ka, kb] = [keys(a), keys(b)];
  const i = ka.findIndex((value, n) => value !== kb[n]);
  return i < 0 ? 0 : compareText(ka[i], kb[i]);
}

type Conflict = Readonly<{ manager: Identified; path: FieldPath }>;

function conflictsWith(others: readonly (readonly [string, Manager])[], changed: FieldSet): Conflict[] {
  return others
    .flatMap(([, other]) => [...other.fields].filter(([key]) => changed.has(key)).map(([, path]) => ({ manager: other.entry, path })))
    .sort((a, b) => compareText(describe(a.manager), describe(b.manager)) || compareText(formatPath(a.path), formatPath(b.path)));
}

/** Upstream's printManager: `"kubectl"` for appliers, `"kubectl-edit" using apps/v1` for updaters. */
function describe(manager: Identified): string {
  const subresource = manager.subresource ? ` with subresource ${JSON.stringify(manager.subresource)}` : '';
  const version = manager.operation === 'Update' ? ` using ${manager.apiVersion}` : '';
  return `${JSON.stringify(manager.manager)}${subresource}${version}`;
}

/** The Status kube-apiserver answers (NewApplyConflict); kubectl recognises it and suggests --force-conflicts. */
function conflictRejection(conflicts: readonly Conflict[]): Rejection {
  const causes = conflicts.map((c) => ({ reason: 'FieldManagerConflict', message: `conflict with ${describe(c.manager)}`, field: formatPath(c.path) }));
  return new Rejection(failure(409, 'Conflict', conflictMessage(conflicts), { causes }));
}

function conflictMessage(conflicts: readonly Conflict[]): string {
  if (conflicts.length === 1) return `Apply failed with 1 conflict: conflict with ${describe(conflicts[0].manager)}: ${formatPath(conflicts[0].path)}`;
  const byManager = new Map<string, string[]>();
  for (const c of conflicts) byManager.set(describe(c.manager), [...(byManager.get(describe(c.manager)) ?? []), formatPath(c.path)]);
  const lines = [...byManager].flatMap(([who, paths]) => [`conflicts with ${who}:`, ...paths.map((p) => `- ${p}`)]);
  return `Apply failed with ${conflicts.length} conflicts: ${lines.join('\n')}`;
}
