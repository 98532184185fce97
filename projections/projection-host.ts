import { systemClock } from '../eventlog/clock';
import { decodeValue, encodeValue } from '../eventlog/codec';
import type { EventLog } from '../eventlog/jetstream-log';
import type { SnapshotStore } from '../eventlog/snapshots';
import type { Position } from '../eventlog/types';
import type { KubeObject } from '../actors/kinds/types';
import { refOfKey } from './object-store';
import type { ObjectsProjection } from './objects.projection';

export const OBJECTS_SNAPSHOT = 'objects.v1';

export type ProjectionHostOptions = Readonly<{
  /** Take a snapshot once this many records arrived since the last one … */
  snapshotEveryRecords: number;
  /** … but not more often than this. */
  snapshotMinIntervalMs: number;
  /**
   * Take one at least this often while anything changed (0 = no such bound). With age-based log
   * retention the snapshot is the only copy of objects whose last event aged out, so it must be
   * renewed well within the retention age.
   */
  snapshotMaxIntervalMs: number;
  /** For the snapshot cadence only; what the projection folds carries its own times. */
  clock?: () => number;
}>;

export type StartReport = Readonly<{ snapshotPosition: Position | undefined; objectsFromSnapshot: number; replayed: number; position: Position }>;

type SnapshotBody = { version: 1; chunks: Uint8Array[] };
type SnapshotRow = [key: string, object: KubeObject, causationId: string];

const CHUNK = 5_000;

/**
 * Drives the objects projection from the log: start = newest snapshot + the records after it,
 * then follow live. Snapshots are written in the background every so many records; encoding goes
 * chunk by chunk, yielding between chunks, so serving never stalls on a large store.
 */
export class ProjectionHost {
  private readonly stopping = new AbortController();
  private sinceSnapshot = 0;
  private lastSnapshotAt = 0;
  private snapshotting = false;
  private renewal?: NodeJS.Timeout;
  private followed: Promise<void> = Promise.resolve();
  private readonly now: () => number;

  constructor(
    private readonly log: EventLog,
    readonly projection: ObjectsProjection,
    private readonly snapshots: SnapshotStore,
    private readonly opts: ProjectionHostOptions = { snapshotEveryRecords: 20_000, snapshotMinIntervalMs: 30_000, snapshotMaxIntervalMs: 0 },
  ) {
    // The host is the projection's edge to time, as the actor host is the actors'.
    this.now = opts.clock ?? systemClock;
  }

  async start(): Promise<StartReport> {
    const snapshot = await this.snapshots.load(OBJECTS_SNAPSHOT);
    let fromSnapshot = 0;
    if (snapshot) {
      fromSnapshot = this.loadSnapshot(snapshot.body);
      this.projection.advance(snapshot.position);
      this.projection.markComplete(snapshot.position);
    }
    const base = this.projection.position;
    const first = await this.log.firstSequence();
    const last = await this.log.lastSequence();
    if (last > 0 && first > base + 1) {
      throw new Error(`the event log starts at ${first} but the newest snapshot ends at ${base}: retention removed records no snapshot covers`);
    }
    this.lastSnapshotAt = this.now();
    if (this.opts.snapshotMaxIntervalMs > 0) {
      this.renewal = setInterval(() => {
        if (this.sinceSnapshot > 0) void this.snapshot().catch(() => undefined);
      }, this.opts.snapshotMaxIntervalMs);
      this.renewal.unref();
    }
    this.followed = this.follow(base + 1);
    if (last > base) await this.projection.waitFor(last, 600_000);
    return { snapshotPosition: snapshot?.position, objectsFromSnapshot: fromSnapshot, replayed: Math.max(0, last - base), position: this.projection.position };
  }

  async stop(opts: { snapshot: boolean }): Promise<void> {
    if (this.renewal) clearInterval(this.renewal);
    if (opts.snapshot) {
      // Fold in whatever the log holds now (the last writes, the kernel's stop facts), so the
      // snapshot covers every record a later retention pass could remove.
      await this.projection.waitFor(await this.log.lastSequence(), 5_000);
    }
    this.stopping.abort();
    await this.followed;
    if (opts.snapshot) await this.snapshot();
  }

  /** Writes a snapshot of the store as it is now. */
  async snapshot(): Promise<void> {
    if (this.snapshotting) return;
    this.snapshotting = true;
    try {
      const position = this.projection.position;
      // Stored objects are never mutated in place, so the entries copied here stay a consistent view.
      const entries = this.projection.store.entries();
      const chunks: Uint8Array[] = [];
      for (let i = 0; i < entries.length; i += CHUNK) {
        const rows: SnapshotRow[] = entries.slice(i, i + CHUNK).map(([key, e]) => [key, e.object, e.causationId]);
        chunks.push(encodeValue(rows));
        await new Promise((r) => setImmediate(r));
      }
      const body: SnapshotBody = { version: 1, chunks };
      await this.snapshots.save(OBJECTS_SNAPSHOT, { position, body: encodeValue(body) });
      this.sinceSnapshot = 0;
      this.lastSnapshotAt = this.now();
    } finally {
      this.snapshotting = false;
    }
  }

  private loadSnapshot(bytes: Uint8Array): number {
    const body = decodeValue<SnapshotBody>(bytes);
    let n = 0;
    for (const chunk of body.chunks) {
      for (const [key, object, causationId] of decodeValue<SnapshotRow[]>(chunk)) {
        this.projection.store.put(refOfKey(key), { object, causationId });
        n++;
      }
    }
    return n;
  }

  private async follow(from: Position): Promise<void> {
    let next = from;
    const { signal } = this.stopping;
    while (!signal.aborted) {
      try {
        for await (const rec of this.log.follow(next, undefined, undefined, signal)) {
          this.projection.apply(rec);
          next = rec.seq + 1;
          if (++this.sinceSnapshot >= this.opts.snapshotEveryRecords && this.now() - this.lastSnapshotAt >= this.opts.snapshotMinIntervalMs) {
            void this.snapshot().catch(() => {
              // A failed snapshot only means a longer replay at the next start; the next one retries.
            });
          }
        }
      } catch {
        if (signal.aborted) return;
        // The connection dropped or the consumer was lost: resume after the last folded record.
        await new Promise((r) => setTimeout(r, 250));
      }
    }
  }
}
