import { OrderedMap } from '@js-sdsl/ordered-map';
import type { ObjectRef, Position } from '../eventlog/types';
import type { KubeObject } from '../actors/kinds/types';

/**
 * The object read model: every live object, sorted by group/resource/namespace/name in an ordered
 * map (lists come out sorted and page with a start key), with a label index. It is a fold over the
 * event stream; `position` is the last sequence folded in.
 */

export type StoredEntry = Readonly<{
  object: KubeObject;
  /** The command behind the object's last event: lets a respawned actor recognise a re-delivery. */
  causationId: string;
}>;

export type ChangeType = 'ADDED' | 'MODIFIED' | 'DELETED';

/** One change to one object, as watch streams it. `previous` lets filtered watches turn "stopped matching" into DELETED. */
export type Change = Readonly<{
  seq: Position;
  /** Id of the event behind the change: the causation of whatever a controller does about it. */
  eventId: string;
  type: ChangeType;
  scope: string;
  object: KubeObject;
  previous?: KubeObject;
}>;

export type Scope = Readonly<{ group: string; resource: string }>;

const SEP = '\u0000';
const EMPTY: ReadonlySet<string> = new Set();

export function controllerUid(object: KubeObject): string | undefined {
  return object.metadata.ownerReferences?.find((o) => o.controller)?.uid;
}

export function scopeKey(scope: Scope): string {
  return `${scope.group}${SEP}${scope.resource}${SEP}`;
}

export function entryKey(ref: ObjectRef): string {
  return `${scopeKey(ref)}${ref.namespace}${SEP}${ref.name}`;
}

/** The store key of the object a change is about. */
export function keyOfChange(change: Change): string {
  return `${change.scope}${change.object.metadata.namespace ?? ''}${SEP}${change.object.metadata.name}`;
}

export function refOfKey(key: string): ObjectRef {
  const [group, resource, namespace, name] = key.split(SEP);
  return { group, resource, namespace, name };
}

export class ObjectStore {
  private readonly map = new OrderedMap<string, StoredEntry>();
  /** `scope + label=value` → keys of the objects carrying that label. */
  private readonly labels = new Map<string, Set<string>>();
  /** uid of a controller owner → keys of the objects it controls (ownerReferences with controller: true). */
  private readonly owned = new Map<string, Set<string>>();
  /** spec.nodeName of a Pod ('' while unscheduled) → keys of the pods assigned there: what a kubelet, the scheduler and the node lifecycle controller read. */
  private readonly podsByNode = new Map<string, Set<string>>();
  private readonly counts = new Map<string, number>();
  position: Position = 0;

  get size(): number {
    return this.map.size();
  }

  get(ref: ObjectRef): StoredEntry | undefined {
    return this.map.getElementByKey(entryKey(ref));
  }

  getByKey(key: string): StoredEntry | undefined {
    return this.map.getElementByKey(key);
  }

  countIn(scope: Scope): number {
    return this.counts.get(scopeKey(scope)) ?? 0;
  }

  put(ref: ObjectRef, entry: StoredEntry): StoredEntry | undefined {
    const key = entryKey(ref);
    const previous = this.map.getElementByKey(key);
    if (previous) this.unindex(key, ref, previous.object);
    else this.counts.set(scopeKey(ref), this.countIn(ref) + 1);
    this.map.setElement(key, entry);
    this.index(key, ref, entry.object);
    return previous;
  }

  delete(ref: ObjectRef): StoredEntry | undefined {
    const key = entryKey(ref);
    const previous = this.map.getElementByKey(key);
    if (!previous) return undefined;
    this.unindex(key, ref, previous.object);
    this.map.eraseElementByKey(key);
    this.counts.set(scopeKey(ref), this.countIn(ref) - 1);
    return previous;
  }

  /**
   * Keys in order from `startAfter` (exclusive) within a scope and optional namespace, stopping
   * when `visit` returns false.
   */
  scan(scope: Scope, namespace: string | undefined, startAfter: string | undefined, visit: (key: string, entry: StoredEntry) => boolean): void {
    const prefix = namespace === undefined ? scopeKey(scope) : `${scopeKey(scope)}${namespace}${SEP}`;
    const from = startAfter !== undefined && startAfter >= prefix ? startAfter : prefix;
    const it = this.map.lowerBound(from);
    for (const end = this.map.end(); !it.equals(end); it.next()) {
      const pair = it.pointer;
      const key = pair[0];
      if (!key.startsWith(prefix)) return;
      if (key === startAfter) continue;
      if (!visit(key, pair[1])) return;
    }
  }

  /** Keys of objects in `scope` with label k=v (unsorted), or undefined when no object has it. */
  keysWithLabel(scope: Scope, label: string, value: string): ReadonlySet<string> | undefined {
    return this.labels.get(`${scopeKey(scope)}${label}=${value}`);
  }

  /** Keys of the objects whose controller (owner reference with controller: true) has this uid. */
  keysOwnedBy(uid: string): ReadonlySet<string> {
    return this.owned.get(uid) ?? EMPTY;
  }

  /** Keys of the pods whose spec.nodeName is `node` ('' = pods not yet scheduled). */
  keysOfPodsOn(node: string): ReadonlySet<string> {
    return this.podsByNode.get(node) ?? EMPTY;
  }

  /** Keys of every object that has a controller owner (for a garbage collector's resync). */
  *keysWithOwners(): IterableIterator<string> {
    for (const keys of this.owned.values()) yield* keys;
  }

  /** Every entry in key order (for snapshots). */
  entries(): [string, StoredEntry][] {
    const out: [string, StoredEntry][] = [];
    this.map.forEach((pair) => {
      out.push([pair[0], pair[1]]);
    });
    return out;
  }

  private index(key: string, scope: Scope, object: KubeObject): void {
    const owner = controllerUid(object);
    if (owner) addTo(this.owned, owner, key);
    for (const [k, v] of Object.entries(object.metadata.labels ?? {})) addTo(this.labels, `${scopeKey(scope)}${k}=${v}`, key);
    if (isPodScope(scope)) addTo(this.podsByNode, nodeNameOf(object), key);
  }

  private unindex(key: string, scope: Scope, object: KubeObject): void {
    const owner = controllerUid(object);
    if (owner) removeFrom(this.owned, owner, key);
    for (const [k, v] of Object.entries(object.metadata.labels ?? {})) removeFrom(this.labels, `${scopeKey(scope)}${k}=${v}`, key);
    if (isPodScope(scope)) removeFrom(this.podsByNode, nodeNameOf(object), key);
  }
}

const isPodScope = (scope: Scope): boolean => scope.group === '' && scope.resource === 'pods';
const nodeNameOf = (pod: KubeObject): string => (pod.spec as { nodeName?: string } | undefined)?.nodeName ?? '';

function addTo(index: Map<string, Set<string>>, value: string, key: string): void {
  let keys = index.get(value);
  if (!keys) index.set(value, (keys = new Set()));
  keys.add(key);
}

function removeFrom(index: Map<string, Set<string>>, value: string, key: string): void {
  const keys = index.get(value);
  keys?.delete(key);
  if (keys?.size === 0) index.delete(value);
}
