import { randomUUID } from 'node:crypto';
import { nuid } from 'nats';
import { decodeValue } from '../../eventlog/codec';
import { EventLog } from '../../eventlog/jetstream-log';
import { subjectOf } from '../../eventlog/subjects';
import type { Command } from '../../eventlog/types';
import { ActorHost, defaultHostOptions, type ActorKind, type Outcome } from '../../actors/kernel/actor-host';
import type { Decider } from '../../actors/kernel/decider';
import { reject } from '../../actors/rejection';
import { startTestNats } from '../harness/nats';

/**
 * A counter actor: `add` appends `added`; `crash` throws (a failure, not a rejection); `refuse`
 * rejects. Like every skiff actor, each event carries the whole state (the total), so the actor
 * can be rebuilt from its last event.
 */
type Counter = { total: number; revision: number };
type Payload = { op: 'add' | 'crash' | 'refuse'; n: number };

const crashes = new Map<string, number>();

const counterDecider: Decider<Counter, { total: number }> = {
  initialState: () => ({ total: 0, revision: 0 }),
  decide: (state, command) => {
    const p = command.payload as Payload;
    if (p.op === 'refuse') throw reject.badRequest('refused');
    if (p.op === 'crash' && (crashes.get(command.id) ?? 0) < p.n) {
      crashes.set(command.id, (crashes.get(command.id) ?? 0) + 1);
      throw new Error(`crash ${crashes.get(command.id)}`);
    }
    return [{ type: 'counter.added', payload: { total: state.total + (p.op === 'add' ? p.n : 0) } }];
  },
  evolve: (_state, event, seq) => ({ total: event.payload.total, revision: seq }),
  revisionOf: (s) => s.revision,
  lifecycleOf: (s) => (s.revision === 0 ? 'absent' : 'live'),
};

const counterKind: ActorKind<Counter> = {
  resolve: (subject) => ({ decider: counterDecider as Decider<Counter>, eventSubject: subject.replace('skiff.cmd.', 'skiff.evt.') }),
  resultOf: (state) => state.total,
};

describe('actor host against a real nats-server', () => {
  let nats: Awaited<ReturnType<typeof startTestNats>>;
  let log: EventLog;
  let host: ActorHost<Counter>;
  const inbox = `_TEST.${nuid.next()}`;
  const outcomes = new Map<string, (o: Outcome) => void>();

  beforeAll(async () => {
    nats = await startTestNats();
    log = await EventLog.open({ servers: nats.url });
    log.nc.subscribe(`${inbox}.*`, { callback: (_e, m) => outcomes.get(m.subject.split('.').pop() as string)?.(decodeValue<Outcome>(m.data)) });
    host = new ActorHost(log, counterKind, { ...defaultHostOptions, durable: 'test-host', actorRestarts: { intensity: 2, periodMs: 10_000 }, hostRestarts: { intensity: 1, periodMs: 60_000 } });
    await host.start();
  });
  afterAll(async () => {
    await host.stop();
    await log.close();
    await nats.cleanup();
  });

  async function send(name: string, payload: Payload): Promise<Outcome> {
    const id = randomUUID();
    const token = id.replace(/-/g, '');
    const command: Command<Payload> = {
      kind: 'command', id, type: `counter.${payload.op}`, schema: 1, subject: subjectOf('cmd', { group: 'test', resource: 'counters', namespace: 'ns', name }),
      time: Date.now(), who: 'test', correlationId: id, causationId: '', payload, replyTo: `${inbox}.${token}`,
    };
    const outcome = new Promise<Outcome>((ok) => outcomes.set(token, ok));
    await log.appendCommand(command);
    return outcome;
  }

  async function supervisorFacts(): Promise<string[]> {
    const out: string[] = [];
    for await (const r of log.read({ from: 1, filter: 'skiff.sys.>' })) out.push(r.envelope.type);
    return out;
  }

  it('processes one command at a time per actor, in order, and many actors concurrently', async () => {
    const results = await Promise.all(Array.from({ length: 200 }, (_, i) => send(`c${i % 10}`, { op: 'add', n: 1 })));
    expect(results.every((r) => r.ok)).toBe(true);
    const finals = new Map<string, number>();
    results.forEach((r, i) => r.ok && finals.set(`c${i % 10}`, Math.max(finals.get(`c${i % 10}`) ?? 0, r.result as number)));
    expect([...finals.values()]).toEqual(Array(10).fill(20));
  });

  it('answers a rejection without crashing the actor', async () => {
    const r = await send('refusing', { op: 'refuse', n: 0 });
    expect(r).toMatchObject({ ok: false, status: { code: 400, message: 'refused' } });
    expect(await send('refusing', { op: 'add', n: 3 })).toMatchObject({ ok: true, result: 3 });
  });

  it('restarts a crashed actor from the log and retries the command, recording each restart', async () => {
    await send('phoenix', { op: 'add', n: 5 });
    const r = await send('phoenix', { op: 'crash', n: 2 });
    expect(r).toMatchObject({ ok: true, result: 5 });
    expect(await send('phoenix', { op: 'add', n: 1 })).toMatchObject({ ok: true, result: 6 });
    const facts = await supervisorFacts();
    expect(facts.filter((t) => t === 'supervisor.restarted')).toHaveLength(2);
  });

  it('gives up the head command past the restart intensity, and keeps serving the actor', async () => {
    const r = await send('doomed', { op: 'crash', n: 99 });
    expect(r).toMatchObject({ ok: false, status: { code: 500, reason: 'InternalError' } });
    expect(await send('doomed', { op: 'add', n: 2 })).toMatchObject({ ok: true, result: 2 });
    expect(await supervisorFacts()).toContain('supervisor.childGaveUp');
  });

  it('takes the log\'s word when a re-delivered command\'s events were already committed', async () => {
    // An earlier life of the actor committed command X (event X/0) and another command after it,
    // then died before acking X: X comes back, is decided again, and JetStream drops the append.
    const subject = subjectOf('evt', { group: 'test', resource: 'counters', namespace: 'ns', name: 'lazarus' });
    const event = (id: string, total: number) => ({ kind: 'event' as const, id: `${id}/0`, type: 'counter.added', schema: 1, subject, time: 1, who: 't', correlationId: id, causationId: id, payload: { total } });
    const [x] = await log.appendEvents([event('cmd-x', 1)], 0);
    await log.appendEvents([event('cmd-y', 11)], x.seq);
    const token = 'lazarus';
    const outcome = new Promise<Outcome>((ok) => outcomes.set(token, ok));
    await log.appendCommand({
      kind: 'command', id: 'cmd-x', type: 'counter.add', schema: 1, subject: subjectOf('cmd', { group: 'test', resource: 'counters', namespace: 'ns', name: 'lazarus' }),
      time: Date.now(), who: 'test', correlationId: 'cmd-x', causationId: '', payload: { op: 'add', n: 1 }, replyTo: `${inbox}.${token}`,
    });
    expect(await outcome).toMatchObject({ ok: true, unchanged: true, result: 11 });
    expect((await log.lastOf(subject))?.envelope.id).toBe('cmd-y/0');
  });

  it('escalates when too many actors give up', async () => {
    await send('doomed-2', { op: 'crash', n: 99 });
    const err = await host.failed;
    expect(err.message).toContain('actor host escalates');
    expect(await supervisorFacts()).toContain('supervisor.escalated');
  });
});
