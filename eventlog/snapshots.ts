import { StorageType, type NatsConnection, type ObjectStore } from 'nats';
import type { Position } from './types';

/**
 * Snapshots of read models, kept in a JetStream object store next to the log, so start-up reads the
 * newest snapshot and replays only the events after its position. A snapshot is derived data:
 * losing it costs a longer start, never correctness.
 */
export const SNAPSHOT_BUCKET = 'skiff-snapshots';

export type Snapshot = Readonly<{ position: Position; body: Uint8Array }>;

export class SnapshotStore {
  private constructor(private readonly store: ObjectStore) {}

  static async open(nc: NatsConnection): Promise<SnapshotStore> {
    const store = await nc.jetstream().views.os(SNAPSHOT_BUCKET, { storage: StorageType.File });
    return new SnapshotStore(store);
  }

  async save(name: string, snapshot: Snapshot): Promise<void> {
    const framed = new Uint8Array(8 + snapshot.body.length);
    new DataView(framed.buffer).setFloat64(0, snapshot.position);
    framed.set(snapshot.body, 8);
    await this.store.putBlob({ name, description: `position ${snapshot.position}` }, framed);
  }

  async load(name: string): Promise<Snapshot | undefined> {
    const framed = await this.store.getBlob(name);
    if (!framed || framed.length < 8) return undefined;
    const position = new DataView(framed.buffer, framed.byteOffset, 8).getFloat64(0);
    return { position, body: framed.subarray(8) };
  }
}
