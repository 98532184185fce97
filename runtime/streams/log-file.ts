/**
 * Reading a container's log file the way the kubelet serves `containerLogs`: the last N lines,
 * a byte limit, "since" a time, timestamps, and following the file as it grows.
 *
 * The file is raw output (containerd's `--log-uri file://`), without the CRI log format's
 * per-line times, so two options are approximations, both documented in docs/logs-exec.md:
 * `timestamps` prefixes each line with the time the node reads it, and `since` keeps an existing
 * file whole unless it was last written before that time (then only what comes next is sent).
 */
import { watch, type FSWatcher } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';

export type LogReadOptions = Readonly<{
  /** The last N lines only (0: none of what is there, only what comes next when following). */
  tailLines?: number;
  /** Stop after this many bytes of output (timestamps included). */
  limitBytes?: number;
  /** Only what was written at or after this time, ms since the epoch (best effort, see above). */
  sinceMs?: number;
  timestamps: boolean;
  follow: boolean;
  /** Largest chunk yielded. */
  chunkBytes: number;
  /** How often a follow looks at the file when no change notice came, and asks `running`. Default 1 s. */
  pollMs?: number;
  /** Whether the container still runs; a follow ends once it does not and the file is read. */
  running?: () => Promise<boolean>;
  now?: () => number;
}>;

/** The log's bytes, as chunks; ends at the end of the file, or when following, when the container ended or `signal` aborts. */
export async function* readLogFile(path: string, opts: LogReadOptions, signal: AbortSignal): AsyncGenerator<Uint8Array> {
  const now = opts.now ?? Date.now;
  const stamp = opts.timestamps ? lineStamper(now) : (chunk: Uint8Array) => chunk;
  const waker = new Waker();
  let file = await openIfExists(path);
  let offset = file ? await startOffset(file, opts) : 0;
  let remaining = opts.limitBytes ?? Infinity;
  let lastPass = false;
  try {
    for (;;) {
      if (signal.aborted) return;
      if (!file && opts.follow) file = await openIfExists(path);
      if (file) {
        waker.watch(path);
        const { size } = await file.stat();
        if (size < offset) offset = 0; // truncated: start again
        while (offset < size && remaining > 0 && !signal.aborted) {
          const want = Math.min(opts.chunkBytes, size - offset);
          const { bytesRead, buffer } = await file.read(Buffer.alloc(want), 0, want, offset);
          if (bytesRead === 0) break;
          offset += bytesRead;
          const out = stamp(buffer.subarray(0, bytesRead));
          const kept = out.length > remaining ? out.subarray(0, remaining) : out;
          remaining -= kept.length;
          yield kept;
        }
        if (remaining <= 0) return;
      }
      if (!opts.follow || lastPass) return;
      const woke = await waker.wait(opts.pollMs ?? 1_000, signal);
      if (woke === 'aborted') return;
      // The runtime is asked on the slow beat only; a change notice just means "read on".
      if (woke === 'timer' && opts.running && !(await opts.running())) lastPass = true;
    }
  } finally {
    waker.close();
    await file?.close();
  }
}

async function openIfExists(path: string): Promise<FileHandle | undefined> {
  try {
    return await open(path, 'r');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

async function startOffset(file: FileHandle, opts: LogReadOptions): Promise<number> {
  const { size, mtimeMs } = await file.stat();
  const since = opts.sinceMs !== undefined && mtimeMs < opts.sinceMs ? size : 0;
  if (opts.tailLines === undefined) return since;
  const read = async (position: number, length: number): Promise<Uint8Array> => {
    const { buffer, bytesRead } = await file.read(Buffer.alloc(length), 0, length, position);
    return buffer.subarray(0, bytesRead);
  };
  return Math.max(since, await tailOffset(read, size, opts.tailLines));
}

/**
 * Where the last `lines` lines of a file of `size` bytes start, reading it backwards in blocks.
 * A final line without a newline counts as a line; the newline that ends the file does not start one.
 */
export async function tailOffset(read: (position: number, length: number) => Promise<Uint8Array>, size: number, lines: number, blockBytes = 64 * 1024): Promise<number> {
  if (lines <= 0) return size;
  let seen = 0;
  for (let end = size; end > 0; ) {
    const start = Math.max(0, end - blockBytes);
    const block = await read(start, end - start);
    for (let i = block.length - 1; i >= 0; i--) {
      if (block[i] !== 0x0a || start + i === size - 1) continue;
      if (++seen === lines) return start + i + 1;
    }
    end = start;
  }
  return 0;
}

/** The kubelet's timestamp format (RFC 3339 with nine fixed fractional digits, UTC). */
export function rfc3339Nano(ms: number): string {
  const iso = new Date(ms).toISOString();
  return `${iso.slice(0, 19)}.${iso.slice(20, 23)}000000Z`;
}

/** Prefixes every line start with `<time> `, keeping track of line starts across chunks. */
export function lineStamper(now: () => number): (chunk: Uint8Array) => Uint8Array {
  let atLineStart = true;
  return (chunk) => {
    const parts: Uint8Array[] = [];
    for (let from = 0; from < chunk.length; ) {
      if (atLineStart) parts.push(Buffer.from(`${rfc3339Nano(now())} `));
      const newline = chunk.indexOf(0x0a, from);
      const to = newline < 0 ? chunk.length : newline + 1;
      parts.push(chunk.subarray(from, to));
      atLineStart = newline >= 0;
      from = to;
    }
    return Buffer.concat(parts);
  };
}

/** fs.watch where it works, a timer always: a follow never depends on change notices alone. */
class Waker {
  private watcher?: FSWatcher;
  private watched = false;
  private poked = false;
  private wake?: () => void;

  watch(path: string): void {
    if (this.watched) return;
    this.watched = true;
    try {
      this.watcher = watch(path, { persistent: false }, () => {
        this.poked = true;
        this.wake?.();
      });
      this.watcher.on('error', () => this.watcher?.close());
    } catch {
      // No notices here (some filesystems): the timer does the work.
    }
  }

  wait(ms: number, signal: AbortSignal): Promise<'changed' | 'timer' | 'aborted'> {
    if (signal.aborted) return Promise.resolve('aborted');
    if (this.poked) {
      this.poked = false;
      return Promise.resolve('changed');
    }
    return new Promise((ok) => {
      const done = (why: 'changed' | 'timer' | 'aborted') => {
        clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
        this.wake = undefined;
        this.poked = false;
        ok(why);
      };
      const onAbort = () => done('aborted');
      const timer = setTimeout(() => done('timer'), ms);
      signal.addEventListener('abort', onAbort, { once: true });
      this.wake = () => done('changed');
    });
  }

  close(): void {
    this.watcher?.close();
  }
}
