/** Reading a container log file (runtime/streams/log-file.ts): tail, byte limit, since, timestamps, follow. */
import { mkdtemp, rm, truncate, utimes, writeFile, appendFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lineStamper, readLogFile, rfc3339Nano, tailOffset, type LogReadOptions } from '../../runtime/streams/log-file';

const readerOf = (bytes: Buffer) => async (position: number, length: number) => bytes.subarray(position, position + length);

describe('tailOffset: where the last N lines start', () => {
  const cases: [string, number, string][] = [
    ['a\nb\nc\n', 1, 'c\n'],
    ['a\nb\nc\n', 2, 'b\nc\n'],
    ['a\nb\nc\n', 3, 'a\nb\nc\n'],
    ['a\nb\nc\n', 10, 'a\nb\nc\n'],
    ['a\nb\nc', 1, 'c'], // a last line without its newline is a line
    ['a\nb\nc', 2, 'b\nc'],
    ['a\n\n\nb\n', 2, '\nb\n'], // empty lines count
    ['', 3, ''],
    ['a\nb\n', 0, ''],
  ];
  it.each(cases)('%j, last %d → %j', async (text, lines, expected) => {
    const bytes = Buffer.from(text);
    for (const block of [1, 2, 3, 64 * 1024]) {
      const offset = await tailOffset(readerOf(bytes), bytes.length, lines, block);
      expect(bytes.subarray(offset).toString()).toBe(expected);
    }
  });
});

describe('timestamps', () => {
  it('rfc3339Nano: nine fractional digits, UTC, as the kubelet writes them', () => {
    expect(rfc3339Nano(Date.UTC(2026, 10, 27, 18, 5, 9, 42))).toBe('2026-11-27T18:05:09.042000000Z');
  });

  it('lineStamper prefixes line starts only, across chunk boundaries', () => {
    let t = Date.UTC(2026, 0, 1, 0, 0, 0, 0);
    const stamp = lineStamper(() => t);
    const out = [Buffer.from('one\ntw'), Buffer.from('o\n'), Buffer.from('\nthree')].map((c) => {
      const s = Buffer.from(stamp(c)).toString();
      t += 1000;
      return s;
    });
    expect(out.join('')).toBe(
      '2026-01-01T00:00:00.000000000Z one\n2026-01-01T00:00:00.000000000Z two\n' +
        '2026-01-01T00:00:02.000000000Z \n2026-01-01T00:00:02.000000000Z three',
    );
  });
});

describe('readLogFile', () => {
  let dir: string;
  let file: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'skiff-logfile-'));
    file = join(dir, '0.log');
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const base: LogReadOptions = { timestamps: false, follow: false, chunkBytes: 4, pollMs: 20 };
  async function read(opts: Partial<LogReadOptions>, signal = new AbortController().signal): Promise<string> {
    let text = '';
    for await (const chunk of readLogFile(file, { ...base, ...opts }, signal)) text += Buffer.from(chunk).toString();
    return text;
  }

  it('the whole file in chunks of at most chunkBytes', async () => {
    await writeFile(file, 'alpha\nbeta\ngamma\n');
    const sizes: number[] = [];
    for await (const chunk of readLogFile(file, base, new AbortController().signal)) sizes.push(chunk.length);
    expect(sizes.every((n) => n <= 4)).toBe(true);
    expect(await read({})).toBe('alpha\nbeta\ngamma\n');
  });

  it('tail and limitBytes together: the last lines, cut at the byte limit', async () => {
    await writeFile(file, 'alpha\nbeta\ngamma\n');
    expect(await read({ tailLines: 2 })).toBe('beta\ngamma\n');
    expect(await read({ tailLines: 2, limitBytes: 7 })).toBe('beta\nga');
    expect(await read({ limitBytes: 3 })).toBe('alp');
  });

  it('since: a file last written before that time has nothing to show', async () => {
    await writeFile(file, 'old\n');
    const hourAgo = new Date(Date.now() - 3_600_000);
    await utimes(file, hourAgo, hourAgo);
    expect(await read({ sinceMs: Date.now() - 60_000 })).toBe('');
    expect(await read({ sinceMs: Date.now() - 7_200_000 })).toBe('old\n');
  });

  it('a file that does not exist reads as empty', async () => {
    expect(await read({})).toBe('');
  });

  it('timestamps: each line prefixed with the time it was read', async () => {
    await writeFile(file, 'a\nb\n');
    expect(await read({ timestamps: true, now: () => Date.UTC(2026, 0, 1) })).toBe('2026-01-01T00:00:00.000000000Z a\n2026-01-01T00:00:00.000000000Z b\n');
  });

  it('follow: what is appended comes; the stream ends once the container no longer runs and the file is read', async () => {
    await writeFile(file, 'first\n');
    let running = true;
    const seen: string[] = [];
    const done = (async () => {
      for await (const chunk of readLogFile(file, { ...base, chunkBytes: 1024, follow: true, running: async () => running }, new AbortController().signal)) {
        seen.push(Buffer.from(chunk).toString());
      }
    })();
    await waitFor(() => seen.join('') === 'first\n');
    await appendFile(file, 'second\n');
    await waitFor(() => seen.join('') === 'first\nsecond\n');
    await appendFile(file, 'last words\n');
    running = false;
    await done;
    expect(seen.join('')).toBe('first\nsecond\nlast words\n');
  });

  it('follow: a file that appears later is read; a truncated one is read again from the start; abort ends it', async () => {
    const stop = new AbortController();
    const seen: string[] = [];
    const done = (async () => {
      for await (const chunk of readLogFile(file, { ...base, chunkBytes: 1024, follow: true }, stop.signal)) seen.push(Buffer.from(chunk).toString());
    })();
    await new Promise((r) => setTimeout(r, 50));
    await writeFile(file, 'born\n');
    await waitFor(() => seen.join('') === 'born\n');
    await truncate(file, 0);
    await new Promise((r) => setTimeout(r, 60));
    await appendFile(file, 'again\n');
    await waitFor(() => seen.join('') === 'born\nagain\n');
    stop.abort();
    await done;
  });
});

async function waitFor(check: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
}
