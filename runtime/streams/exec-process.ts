import type { ChildProcess } from 'node:child_process';
import type { IPty } from 'node-pty';
import type { ExecProcess } from './types';

/**
 * An exec'd process as node-streams.ts drives it, from what started it: a child with pipes, or a
 * pseudo-terminal (stdout and stderr one stream).
 */

/** Pipes; `exited` is `exitCode` once the output pipes have closed, so no output comes after it. */
export function execOfChild(child: ChildProcess, exitCode: Promise<number>): ExecProcess {
  child.stdin?.on('error', () => undefined);
  const drained = new Promise<void>((ok) => child.once('close', () => ok()));
  return {
    write: (data) => void child.stdin?.write(data),
    closeStdin: () => child.stdin?.end(),
    resize: () => undefined,
    onData: (stream, cb) => void child[stream]?.on('data', (d: Buffer) => cb(d)),
    exited: drained.then(() => exitCode),
    kill: () => void child.kill('SIGKILL'),
    pause: () => {
      child.stdout?.pause();
      child.stderr?.pause();
    },
    resume: () => {
      child.stdout?.resume();
      child.stderr?.resume();
    },
  };
}

/** A terminal; output that comes before onData is kept for it. Spawn it with `encoding: null` for bytes. */
export function execOfPty(term: IPty, exitCode: Promise<number>): ExecProcess {
  const early: Uint8Array[] = [];
  let deliver: ((d: Uint8Array) => void) | undefined;
  term.onData((d: string | Buffer) => {
    const bytes = typeof d === 'string' ? Buffer.from(d, 'utf8') : d;
    if (deliver) deliver(bytes);
    else early.push(bytes);
  });
  return {
    write: (data) => term.write(Buffer.from(data)),
    // End of input at a terminal is its EOF character.
    closeStdin: () => term.write('\x04'),
    resize: (cols, rows) => term.resize(cols, rows),
    onData: (stream, cb) => {
      if (stream !== 'stdout') return;
      deliver = cb;
      for (const d of early.splice(0)) cb(d);
    },
    // The last output can trail the exit notice by a moment.
    exited: exitCode.then((code) => new Promise<number>((ok) => setTimeout(() => ok(code), 20))),
    kill: () => {
      try {
        term.kill('SIGKILL');
      } catch {
        // already gone
      }
    },
    pause: () => term.pause(),
    resume: () => term.resume(),
  };
}
