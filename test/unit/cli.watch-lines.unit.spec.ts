import { parseJsonLines } from '../../gateways/client';

async function collect(chunks: readonly (string | Uint8Array)[]): Promise<unknown[]> {
  const out: unknown[] = [];
  async function* source(): AsyncGenerator<string | Uint8Array> {
    yield* chunks;
  }
  for await (const value of parseJsonLines(source())) out.push(value);
  return out;
}

describe('client watch: newline-delimited JSON across chunk boundaries', () => {
  const events = [
    { type: 'ADDED', object: { metadata: { name: 'a', annotations: { note: 'héllo ☃ 😀' } } } },
    { type: 'MODIFIED', object: { metadata: { name: 'b' } } },
    { type: 'DELETED', object: { metadata: { name: 'c' } } },
  ];
  const text = events.map((e) => `${JSON.stringify(e)}\n`).join('');
  const bytes = Buffer.from(text, 'utf8');

  it('one chunk with every event', async () => {
    expect(await collect([bytes])).toEqual(events);
  });

  it('split at every byte offset (including inside multi-byte characters)', async () => {
    for (let cut = 1; cut < bytes.length; cut++) {
      expect(await collect([bytes.subarray(0, cut), bytes.subarray(cut)])).toEqual(events);
    }
  });

  it('one byte per chunk', async () => {
    expect(await collect([...bytes].map((b) => Uint8Array.of(b)))).toEqual(events);
  });

  it('blank lines and \\r\\n are ignored; a last line without newline still counts', async () => {
    expect(await collect(['\n{"a":1}\r\n\n{"b"', ':2}'])).toEqual([{ a: 1 }, { b: 2 }]);
  });

  it('a malformed line is a clear error', async () => {
    await expect(collect(['{"a":1}\n{nope}\n'])).rejects.toThrow('malformed watch event: {nope}');
  });
});
