/**
 * The API ↔ node agent stream protocol (eventlog/streams/) over an in-memory wire: framing, the
 * open handshake, credit-based flow control, input, cancellation and liveness. The liveness cases
 * use real timers of a few tens of milliseconds (the link's heartbeat is wall-clock by design).
 */
import { openNodeStream, type ExecAsk, type LogAsk, type StreamSession } from '../../eventlog/streams/client';
import { Handoff } from '../../eventlog/streams/handoff';
import {
  ackEvery, chunksOf, decodeMessage, decodeRequest, encodeMessage, StreamProtocolError, type Pacing, type StreamMessage,
} from '../../eventlog/streams/protocol';
import { serveStreams, type ServedStream, type StreamInput } from '../../eventlog/streams/server';
import { nodeStreamSubject } from '../../eventlog/subjects';
import { memoryWire, type MemoryWire } from '../harness/memory-wire';

const PACING: Pacing = { window: 4, chunkBytes: 8, heartbeatMs: 1_000, timeoutMs: 5_000 };
const POD = { uid: 'u1', namespace: 'default', name: 'p' };
const LOG: LogAsk = { kind: 'log', pod: POD, container: 'c', previous: false, follow: false, timestamps: false };
const EXEC: ExecAsk = { kind: 'exec', pod: POD, container: 'c', command: ['sh'], tty: false, stdin: true, stdout: true, stderr: true };

const tick = () => new Promise((r) => setImmediate(r));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function drain(session: StreamSession): Promise<string> {
  let text = '';
  for await (const { data } of session.output) text += Buffer.from(data).toString();
  return text;
}

function opened<T extends { ok: boolean }>(r: T): Extract<T, { ok: true }> {
  if (!r.ok) throw new Error(`not opened: ${JSON.stringify(r)}`);
  return r as Extract<T, { ok: true }>;
}

describe('stream protocol: messages', () => {
  it('round-trips every message shape, bytes as bytes', () => {
    const messages: StreamMessage[] = [
      { t: 'accepted', control: '_INBOX.x' },
      { t: 'refused', failure: { code: 400, reason: 'BadRequest', message: 'no' } },
      { t: 'data', seq: 7, ch: 2, d: Buffer.from([0, 1, 255]) },
      { t: 'ack', seq: 7 },
      { t: 'eof', ch: 0 },
      { t: 'resize', cols: 120, rows: 40 },
      { t: 'end', exitCode: 3 },
      { t: 'cancel', why: 'gone' },
      { t: 'ping' },
    ];
    for (const m of messages) expect(decodeMessage(encodeMessage(m))).toEqual(m);
  });

  it('refuses what is not a message, data without bytes, and requests of another version', () => {
    expect(() => decodeMessage(encodeMessage({ t: 'nope' } as never))).toThrow(StreamProtocolError);
    expect(() => decodeMessage(encodeMessage({ t: 'data', seq: 1, ch: 1, d: 'text' } as never))).toThrow('a data message without bytes');
    expect(() => decodeRequest(encodeMessage({ ...LOG, v: 2, pacing: PACING } as never))).toThrow('stream protocol version 2 is not 1');
    expect(decodeRequest(encodeMessage({ ...LOG, v: 1, pacing: PACING }))).toMatchObject({ kind: 'log', container: 'c' });
  });

  it('splits bytes into chunks without copying, and acks every quarter window', () => {
    const bytes = Buffer.from('abcdefghij');
    expect(chunksOf(bytes, 4).map((c) => Buffer.from(c).toString())).toEqual(['abcd', 'efgh', 'ij']);
    expect(chunksOf(bytes, 10)).toEqual([bytes]);
    expect([1, 4, 32, 7].map(ackEvery)).toEqual([1, 1, 8, 1]);
  });

  it('node stream subjects encode the node name as a token', () => {
    expect(nodeStreamSubject('node-1', 'log')).toBe('skiff.node.node-1.log');
    expect(nodeStreamSubject('Node.A', 'exec')).toBe('skiff.node._4eode_2e_41.exec');
  });
});

describe('Handoff: a producer paced by its consumer', () => {
  it('put resolves only once the consumer asks for the next value', async () => {
    const h = new Handoff<number>();
    let taken = false;
    const put = h.put(1).then(() => (taken = true));
    const first = await h.next();
    expect(first).toEqual({ value: 1, done: false });
    await tick();
    expect(taken).toBe(false); // still in the consumer's hands
    const second = h.next();
    await put;
    expect(taken).toBe(true);
    h.end();
    expect(await second).toEqual({ value: undefined, done: true });
  });

  it('an early return tells the producer to stop and releases it', async () => {
    let stopped = false;
    const h = new Handoff<number>(() => (stopped = true));
    const put = h.put(1);
    await h.next();
    await h.return();
    await put;
    expect(stopped).toBe(true);
    await h.put(2); // after the end: resolves at once
  });
});

describe('stream protocol: requester ↔ server over a wire', () => {
  let wire: MemoryWire;
  let stops: (() => void)[];
  const serve = (node: string, kind: 'log' | 'exec', handler: Parameters<typeof serveStreams>[2]) => {
    const s = serveStreams(wire, nodeStreamSubject(node, kind), handler);
    stops.push(s.stop);
  };
  beforeEach(() => {
    wire = memoryWire();
    stops = [];
  });
  afterEach(() => stops.forEach((s) => s()));

  it('when nothing serves the node: 503 with the subject in the message', async () => {
    const r = await openNodeStream(wire, 'ghost', LOG, PACING);
    expect(r).toEqual({ ok: false, failure: { code: 503, reason: 'ServiceUnavailable', message: 'no node agent serves node "ghost" (nothing listens on skiff.node.ghost.log)' } });
  });

  it('a refusal reaches the requester as it was given', async () => {
    serve('n1', 'log', async (s) => s.refuse({ code: 400, reason: 'BadRequest', message: 'previous terminated container "c" in pod "p" not found' }));
    expect(await openNodeStream(wire, 'n1', LOG, PACING)).toEqual({ ok: false, failure: { code: 400, reason: 'BadRequest', message: 'previous terminated container "c" in pod "p" not found' } });
  });

  it('a handler that throws before accepting is a 500 refusal', async () => {
    serve('n1', 'log', async () => {
      throw new Error('disk on fire');
    });
    expect(await openNodeStream(wire, 'n1', LOG, PACING)).toEqual({ ok: false, failure: { code: 500, reason: 'InternalError', message: 'disk on fire' } });
  });

  it('data arrives whole and in order, chunked (the server keeps chunks of at least 1 KiB), and the stream ends cleanly', async () => {
    const text = 'the quick brown fox jumps over the lazy dog\n'.repeat(60);
    serve('n1', 'log', async (s) => {
      s.accept();
      await s.send(1, Buffer.from(text));
    });
    const { session } = opened(await openNodeStream(wire, 'n1', LOG, PACING));
    expect(await drain(session)).toBe(text);
    expect(await session.ended).toEqual({});
    const chunks = wire.published.filter((p) => p.message?.t === 'data');
    expect(chunks).toHaveLength(Math.ceil(text.length / 1024));
  });

  it('flow control: never more than `window` chunks out ahead of the consumer, however slow it is', async () => {
    let sent = 0;
    let consumed = 0;
    let most = 0;
    serve('n1', 'log', async (s) => {
      s.accept();
      for (let i = 0; i < 40; i++) {
        if (!(await s.send(1, Buffer.from(`chunk${i}`)))) return;
        sent++;
        most = Math.max(most, sent - consumed);
      }
    });
    const { session } = opened(await openNodeStream(wire, 'n1', LOG, PACING));
    for await (const _chunk of session.output) {
      await sleep(2);
      consumed++;
    }
    expect(consumed).toBe(40);
    expect(most).toBeLessThanOrEqual(PACING.window + 1);
    const acks = wire.published.filter((p) => p.message?.t === 'ack');
    expect(acks.length).toBe(40 / ackEvery(PACING.window));
  });

  it('exec: stdin, its end and resizes reach the server in order; the exit code comes back', async () => {
    const inputs: StreamInput[] = [];
    let stdinEnded!: () => void;
    const ended = new Promise<void>((ok) => (stdinEnded = ok));
    serve('n1', 'exec', async (s: ServedStream) => {
      s.accept((input) => {
        inputs.push(input);
        if (input.t === 'eof') stdinEnded();
      });
      await ended;
      await s.send(2, Buffer.from('bye'));
      return { exitCode: 3 };
    });
    const { session } = opened(await openNodeStream(wire, 'n1', EXEC, PACING));
    session.resize(100, 30);
    expect(await session.write(Buffer.from('hello, world'))).toBe(true);
    session.closeStdin();
    const out: { ch: number; text: string }[] = [];
    for await (const { ch, data } of session.output) out.push({ ch, text: Buffer.from(data).toString() });
    expect(out).toEqual([{ ch: 2, text: 'bye' }]);
    expect(await session.ended).toEqual({ exitCode: 3 });
    expect(inputs.map((i) => (i.t === 'data' ? Buffer.from(i.d).toString() : i.t === 'resize' ? `${i.cols}x${i.rows}` : 'eof'))).toEqual(['100x30', 'hello, w', 'orld', 'eof']);
  });

  it('a consumer that stops early cancels the stream on the server', async () => {
    let aborted!: () => void;
    const serverSawCancel = new Promise<void>((ok) => (aborted = ok));
    serve('n1', 'log', async (s) => {
      s.signal.addEventListener('abort', aborted);
      s.accept();
      for (let i = 0; ; i++) if (!(await s.send(1, Buffer.from(`line ${i}\n`)))) return;
    });
    const { session } = opened(await openNodeStream(wire, 'n1', LOG, PACING));
    for await (const _chunk of session.output) break;
    await serverSawCancel;
    expect(wire.published.some((p) => p.message?.t === 'cancel')).toBe(true);
  });

  /** The requester's inbox: where the server's `accepted` went. */
  const requesterInbox = () => wire.published.find((p) => p.message?.t === 'accepted')?.subject as string;

  it('a server that goes silent mid-stream is noticed within the timeout', async () => {
    const fast: Pacing = { ...PACING, heartbeatMs: 10, timeoutMs: 80 };
    serve('n1', 'log', async (s) => {
      s.accept();
      await s.send(1, Buffer.from('first'));
      const inbox = requesterInbox();
      wire.blackhole((subject) => subject === inbox); // nothing more from the server gets there
      await new Promise((r) => s.signal.addEventListener('abort', r));
    });
    const { session } = opened(await openNodeStream(wire, 'n1', LOG, fast));
    expect(await drain(session)).toBe('first');
    expect((await session.ended).failure).toMatchObject({ code: 500, message: expect.stringContaining('nothing heard for 80 ms') });
  });

  it('a requester that dies is noticed by the server at its next message (no responders), not after the timeout', async () => {
    const fast: Pacing = { ...PACING, heartbeatMs: 10, timeoutMs: 60_000 };
    const aborted = new Promise<void>((ok) =>
      serve('n1', 'log', async (s) => {
        s.accept();
        s.signal.addEventListener('abort', () => ok());
        for (;;) if (!(await s.send(1, Buffer.from('x')))) return;
      }),
    );
    opened(await openNodeStream(wire, 'n1', LOG, fast));
    wire.vanish(requesterInbox());
    await aborted;
  });

  it('a requester that gives up before the server answered: the server\'s stream is over at its next message', async () => {
    const fast: Pacing = { ...PACING, heartbeatMs: 10, timeoutMs: 60_000 };
    let serverDone!: () => void;
    const aborted = new Promise<void>((ok) => (serverDone = ok));
    serve('n1', 'exec', async (s) => {
      // Still preparing (an image pull, a slow runtime) when the client leaves.
      await new Promise((r) => s.signal.addEventListener('abort', r));
      serverDone();
    });
    const leave = new AbortController();
    const opening = openNodeStream(wire, 'n1', EXEC, fast, leave.signal);
    await sleep(30);
    leave.abort();
    expect(await opening).toMatchObject({ ok: false, failure: { code: 503 } });
    await aborted;
  });
});
