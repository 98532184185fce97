import { refOf } from '../eventlog/subjects';
import type { Event, Position, Recorded } from '../eventlog/types';
import type { KubeObject } from '../actors/kinds/types';
import { ObjectEventType, type ObjectEventPayload } from '../actors/object/object';
import { ObjectStore, scopeKey, type Change, type ChangeType, type StoredEntry } from './object-store';

/**
 * Folds object events into the ObjectStore and fans changes out: a ring of recent changes (so a
 * watch resuming from a recent resourceVersion replays from memory) and live listeners.
 */

export type ChangeListener = (change: Change) => void;

const CHANGE_TYPE: Record<ObjectEventType, ChangeType> = {
  [ObjectEventType.created]: 'ADDED',
  [ObjectEventType.updated]: 'MODIFIED',
  [ObjectEventType.deletionRequested]: 'MODIFIED',
  [ObjectEventType.deleted]: 'DELETED',
};

/** The change an object event makes, or undefined for records that are not object events. */
export function changeOf(rec: Recorded): Omit<Change, 'previous'> | undefined {
  const type = CHANGE_TYPE[rec.envelope.type as ObjectEventType];
  if (!type || !rec.envelope.subject.startsWith('skiff.evt.')) return undefined;
  const ref = refOf(rec.envelope.subject);
  const payload = rec.envelope.payload as ObjectEventPayload;
  const object: KubeObject = { ...payload.object, metadata: { ...payload.object.metadata, resourceVersion: String(rec.seq) } };
  return { seq: rec.seq, eventId: rec.envelope.id, type, scope: scopeKey(ref), object };
}

export class ObjectsProjection {
  readonly store = new ObjectStore();
  private readonly ring: Change[] = [];
  private ringStart = 0;
  private readonly listeners = new Set<ChangeListener>();
  private readonly waiters: { position: Position; resolve: () => void }[] = [];
  /** The ring holds every object change after this position (raised by a snapshot load or by overflow). */
  private completeFrom = 0;

  /** Recent changes kept in memory for watch resumes; older ones are read from the log. */
  constructor(private readonly ringCapacity = 20_000) {}

  get position(): Position {
    return this.store.position;
  }

  apply(rec: Recorded): void {
    const change = changeOf(rec);
    if (change) {
      const ref = refOf(rec.envelope.subject);
      const entry: StoredEntry = { object: change.object, causationId: (rec.envelope as Event).causationId };
      const previous = change.type === 'DELETED' ? this.store.delete(ref) : this.store.put(ref, entry);
      const full: Change = previous ? { ...change, previous: previous.object } : change;
      this.remember(full);
      for (const listener of this.listeners) listener(full);
    }
    this.advance(rec.seq);
  }

  /** Moves the position without an object change (records of other kinds, or a loaded snapshot). */
  advance(position: Position): void {
    if (position <= this.store.position) return;
    this.store.position = position;
    for (let i = this.waiters.length - 1; i >= 0; i--) {
      if (this.waiters[i].position <= position) {
        this.waiters[i].resolve();
        this.waiters.splice(i, 1);
      }
    }
  }

  /** Resolves once the projection has folded in `position` (read-your-writes). */
  waitFor(position: Position, timeoutMs: number): Promise<boolean> {
    if (this.store.position >= position) return Promise.resolve(true);
    return new Promise((resolve) => {
      const waiter = { position, resolve: () => (clearTimeout(timer), resolve(true)) };
      const timer = setTimeout(() => {
        const i = this.waiters.indexOf(waiter);
        if (i >= 0) this.waiters.splice(i, 1);
        resolve(false);
      }, timeoutMs);
      this.waiters.push(waiter);
    });
  }

  /** Changes after `since` still held in memory, or undefined when the ring no longer reaches back that far. */
  changesSince(since: Position): Change[] | undefined {
    if (since < this.completeFrom) return undefined;
    const out: Change[] = [];
    for (let i = 0; i < this.ring.length; i++) {
      const c = this.ring[(this.ringStart + i) % this.ring.length];
      if (c.seq > since) out.push(c);
    }
    return out;
  }

  subscribe(listener: ChangeListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Called after a snapshot load: changes up to `position` are in the store but not in the ring. */
  markComplete(position: Position): void {
    this.completeFrom = position;
  }

  private remember(change: Change): void {
    if (this.ring.length < this.ringCapacity) {
      this.ring.push(change);
      return;
    }
    this.completeFrom = this.ring[this.ringStart].seq;
    this.ring[this.ringStart] = change;
    this.ringStart = (this.ringStart + 1) % this.ringCapacity;
  }
}
