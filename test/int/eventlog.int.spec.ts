import { EventLog } from '../../eventlog/jetstream-log';
import { RevisionConflictError } from '../../eventlog/errors';
import { subjectOf } from '../../eventlog/subjects';
import { SnapshotStore } from '../../eventlog/snapshots';
import type { Event } from '../../eventlog/types';
import { startTestNats } from '../harness/nats';

const ref = { group: 'apps', resource: 'deployments', namespace: 'default', name: 'web.v1' };

function event(id: string, payload: unknown): Event {
  return { kind: 'event', id, type: 'object.changed', schema: 1, subject: subjectOf('evt', ref), time: 1, who: 'test', correlationId: id, causationId: id, payload };
}

describe('eventlog against a real nats-server', () => {
  let nats: Awaited<ReturnType<typeof startTestNats>>;
  let log: EventLog;
  beforeAll(async () => {
    nats = await startTestNats();
    log = await EventLog.open({ servers: nats.url });
  });
  afterAll(async () => {
    await log.close();
    await nats.cleanup();
  });

  it('guards appends with the expected last subject sequence', async () => {
    const [first] = await log.appendEvents([event('c1/0', { n: 1 })], 0);
    expect(first.seq).toBeGreaterThan(0);
    await expect(log.appendEvents([event('c2/0', { n: 2 })], 0)).rejects.toBeInstanceOf(RevisionConflictError);
    const [second] = await log.appendEvents([event('c2/0', { n: 2 })], first.seq);
    expect(second.seq).toBe(first.seq + 1);
  });

  it('drops a re-delivered append with the same message id', async () => {
    const last = (await log.lastOf(subjectOf('evt', ref)))!;
    const [again] = await log.appendEvents([event('c2/0', { n: 2 })], last.seq);
    expect(again.duplicate).toBe(true);
    expect(await log.lastSequence()).toBe(last.seq);
  });

  it('reads ranges and follows from a sequence', async () => {
    const start = (await log.lastSequence()) + 1;
    let prev = (await log.lastOf(subjectOf('evt', ref)))!.seq;
    for (let i = 0; i < 5; i++) prev = (await log.appendEvents([event(`r${i}/0`, { i })], prev))[0].seq;
    const read: number[] = [];
    for await (const r of log.read({ from: start })) read.push((r.envelope.payload as { i: number }).i);
    expect(read).toEqual([0, 1, 2, 3, 4]);
    const upTo: number[] = [];
    for await (const r of log.read({ from: start, to: start + 1 })) upTo.push(r.seq);
    expect(upTo).toEqual([start, start + 1]);
    const followed: number[] = [];
    for await (const r of log.follow(start + 3)) {
      followed.push(r.seq);
      if (followed.length === 2) break;
    }
    expect(followed).toEqual([start + 3, start + 4]);
  });

  it('keeps snapshots in the object store', async () => {
    const store = await SnapshotStore.open(log.nc);
    expect(await store.load('objects')).toBeUndefined();
    const body = new Uint8Array(300_000).map((_, i) => i % 251);
    await store.save('objects', { position: 42, body });
    const back = await store.load('objects');
    expect(back?.position).toBe(42);
    expect(Buffer.from(back!.body).equals(Buffer.from(body))).toBe(true);
  });
});
