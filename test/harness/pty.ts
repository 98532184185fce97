/**
 * A program under a pseudo-terminal (node-pty), as a user at a terminal runs it: for `exec -it`.
 * Output is kept whole (terminal line endings and all); `stop` ends the process by its PID.
 */
import * as pty from 'node-pty';

export type PtyRun = Readonly<{
  pid: number;
  output: () => string;
  write: (text: string) => void;
  resize: (cols: number, rows: number) => void;
  /** Resolves once `check(output)` holds; rejects with the output so far if the program ends first or time runs out. */
  waitForOutput: (check: (output: string) => boolean, timeoutMs?: number) => Promise<void>;
  exited: Promise<number>;
  /** SIGKILL by PID if still running; resolves with the exit code. */
  stop: () => Promise<number>;
}>;

export function spawnInPty(file: string, args: readonly string[], opts: Readonly<{ env: NodeJS.ProcessEnv; cwd?: string; cols?: number; rows?: number }>): PtyRun {
  const term = pty.spawn(file, [...args], {
    name: 'xterm', cols: opts.cols ?? 80, rows: opts.rows ?? 24, cwd: opts.cwd ?? process.cwd(), env: { TERM: 'xterm', ...opts.env } as Record<string, string>,
  });
  let out = '';
  let done = false;
  term.onData((d) => (out += d));
  const exited = new Promise<number>((ok) => term.onExit(({ exitCode }) => {
    done = true;
    ok(exitCode);
  }));
  return {
    pid: term.pid,
    output: () => out,
    write: (text) => term.write(text),
    resize: (cols, rows) => term.resize(cols, rows),
    waitForOutput: async (check, timeoutMs = 15_000) => {
      const deadline = Date.now() + timeoutMs;
      while (!check(out)) {
        if (done) throw new Error(`${file} ${args.join(' ')} ended before its output showed what the test waits for:\n${out}`);
        if (Date.now() > deadline) throw new Error(`${file} ${args.join(' ')} did not print what the test waits for within ${timeoutMs} ms:\n${out}`);
        await new Promise((r) => setTimeout(r, 25));
      }
    },
    exited,
    stop: async () => {
      if (!done) {
        try {
          process.kill(term.pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
      return exited;
    },
  };
}
