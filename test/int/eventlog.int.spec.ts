import { EventLog, STREAMS } from '../../eventlog/jetstream-log';
import { RevisionConflictError } from '../../eventlog/errors';
import { subjectOf } from '../../eventlog/subjects';
import { SnapshotStore } from '../../eventlog/snapshots';
import type { Command, Event, JsonValue } from '../../eventlog/types';
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

  it('finds the newest command on a subject that carries a detail, reading back in growing windows', async () => {
    const pod = (name: string) => subjectOf('cmd', { group: '', resource: 'pods', namespace: 'default', name });
    const command = (id: string, subject: string, detail?: JsonValue): Command => ({
      kind: 'command', id, type: 'object.patch', schema: 1, subject, time: 1, who: 'test', correlationId: id, causationId: '', payload: {},
      ...(detail !== undefined ? { detail } : {}),
    });
    // On a: a record, then another, then 40 commands without one, interleaved with b's.
    await log.appendCommand(command('a0', pod('a'), { n: 0 }));
    await log.appendCommand(command('a1', pod('a'), { n: 1 }));
    for (let i = 0; i < 40; i++) {
      await log.appendCommand(command(`a-plain-${i}`, pod('a')));
      await log.appendCommand(command(`b-plain-${i}`, pod('b')));
    }
    const withDetail = (r: { envelope: unknown }) => (r.envelope as Command).detail !== undefined;
    const found = await log.findLast(pod('a'), withDetail, { stream: STREAMS.commands, firstWindow: 4 });
    expect(found?.envelope.id).toBe('a1');
    expect((found?.envelope as Command).detail).toEqual({ n: 1 });
    // The last command itself, by direct get.
    expect((await log.findLast(pod('a'), () => true, { stream: STREAMS.commands }))?.envelope.id).toBe('a-plain-39');
    expect(await log.findLast(pod('b'), withDetail, { stream: STREAMS.commands, firstWindow: 4 })).toBeUndefined();
    expect(await log.findLast(pod('nobody'), withDetail, { stream: STREAMS.commands })).toBeUndefined();
    // Bounded: two windows of 4 and 16 records do not reach back 80.
    expect(await log.findLast(pod('a'), withDetail, { stream: STREAMS.commands, firstWindow: 4, maxReads: 2 })).toBeUndefined();
  });
});
