import type { KubeObject, ResourceType } from '../../actors/kinds/types';
import { reject } from '../../actors/rejection';
import type { ObjectStore, StoredEntry } from '../../projections/object-store';
import {
  equalityRequirements, exactFieldValue, matchesFields, matchesLabels, parseFieldSelector, parseLabelSelector,
  type FieldSelector, type LabelSelector,
} from '../../projections/selectors';

/** A list or watch request's filters, parsed once. */
export type ListFilter = Readonly<{
  type: ResourceType;
  namespace?: string;
  labels?: LabelSelector;
  fields?: FieldSelector;
}>;

export function listFilterOf(type: ResourceType, namespace: string | undefined, params: URLSearchParams): ListFilter {
  const label = params.get('labelSelector');
  const field = params.get('fieldSelector');
  return {
    type,
    namespace,
    ...(label ? { labels: parseLabelSelector(label) } : {}),
    ...(field ? { fields: parseFieldSelector(field, type.kind) } : {}),
  };
}

export function matches(filter: ListFilter, object: KubeObject): boolean {
  if (filter.namespace !== undefined && (object.metadata.namespace ?? '') !== filter.namespace) return false;
  if (filter.labels && !matchesLabels(filter.labels, object.metadata.labels)) return false;
  if (filter.fields && !matchesFields(filter.fields, object)) return false;
  return true;
}

type ContinueToken = { rv: number; start: string };

function encodeContinue(token: ContinueToken): string {
  return Buffer.from(JSON.stringify(token)).toString('base64url');
}

function decodeContinue(text: string): ContinueToken {
  try {
    const t = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as ContinueToken;
    if (typeof t.start !== 'string' || typeof t.rv !== 'number') throw new Error('shape');
    return t;
  } catch {
    throw reject.badRequest('continue key is not valid: could not decode the continue token');
  }
}

export type ListPage = Readonly<{ items: KubeObject[]; continueToken?: string; remaining?: number }>;

/**
 * One page of a list, in key order. A name or namespace in the field selector becomes a point or
 * range lookup, an equality label requirement goes through the label index; the rest is a scan.
 */
export function listPage(store: ObjectStore, filter: ListFilter, limit: number, continueText: string | null, position: number): ListPage {
  const { type } = filter;
  const scope = { group: type.group, resource: type.plural };
  const token = continueText ? decodeContinue(continueText) : undefined;
  const fieldNs = filter.fields ? exactFieldValue(filter.fields, 'metadata.namespace') : undefined;
  const namespace = filter.namespace ?? fieldNs;
  const name = filter.fields ? exactFieldValue(filter.fields, 'metadata.name') : undefined;
  if (name !== undefined && namespace !== undefined) {
    const entry = store.get({ ...scope, namespace: type.namespaced ? namespace : '', name });
    return { items: entry && matches(filter, entry.object) ? [entry.object] : [] };
  }
  const candidates = indexedKeys(store, filter);
  const items: KubeObject[] = [];
  let last: string | undefined;
  let more = false;
  const take = (key: string, entry: StoredEntry): boolean => {
    if (!matches(filter, entry.object)) return true;
    if (limit > 0 && items.length === limit) {
      more = true;
      return false;
    }
    items.push(entry.object);
    last = key;
    return true;
  };
  if (candidates) {
    for (const key of candidates) {
      if (token && key <= token.start) continue;
      const entry = store.getByKey(key);
      if (entry && !take(key, entry)) break;
    }
  } else {
    store.scan(scope, type.namespaced ? namespace : undefined, token?.start, take);
  }
  return more && last !== undefined ? { items, continueToken: encodeContinue({ rv: token?.rv ?? position, start: last }) } : { items };
}

/** Sorted keys of the smallest label-index set the selector pins down, or undefined to scan. */
function indexedKeys(store: ObjectStore, filter: ListFilter): string[] | undefined {
  if (!filter.labels) return undefined;
  const scope = { group: filter.type.group, resource: filter.type.plural };
  let best: ReadonlySet<string> | undefined;
  for (const [key, value] of equalityRequirements(filter.labels)) {
    const keys = store.keysWithLabel(scope, key, value) ?? new Set<string>();
    if (!best || keys.size < best.size) best = keys;
  }
  // An index set as large as a tenth of the scope is no cheaper than an ordered scan.
  if (!best || best.size > store.countIn(scope) / 10) return undefined;
  return [...best].sort();
}
