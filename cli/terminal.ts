/** The local terminal, for `skiff exec -t`: raw mode, its size, and size changes (SIGWINCH). */

export type TerminalSize = Readonly<{ cols: number; rows: number }>;

export type Terminal = Readonly<{
  /** Whether stdin is a terminal (what -t needs). */
  isTTY: boolean;
  /** The output terminal's size, if stdout is one. */
  size(): TerminalSize | undefined;
  /** Puts stdin in raw mode (keys go through as typed, Ctrl-C included); the returned function puts it back. */
  raw(): () => void;
  /** Calls back on each size change of the output terminal; returns the unsubscribe. */
  onResize(cb: (size: TerminalSize) => void): () => void;
}>;

/** The terminal of this process. */
export function processTerminal(): Terminal {
  const size = (): TerminalSize | undefined => (process.stdout.isTTY ? { cols: process.stdout.columns, rows: process.stdout.rows } : undefined);
  return {
    isTTY: Boolean(process.stdin.isTTY),
    size,
    raw: () => {
      if (!process.stdin.isTTY) return () => undefined;
      const was = process.stdin.isRaw;
      process.stdin.setRawMode(true);
      return () => process.stdin.setRawMode(was);
    },
    onResize: (cb) => {
      // Node emits 'resize' on a TTY stdout when the process gets SIGWINCH.
      const changed = () => {
        const now = size();
        if (now) cb(now);
      };
      process.stdout.on('resize', changed);
      return () => process.stdout.off('resize', changed);
    },
  };
}

/** No terminal at all (tests, pipes). */
export const noTerminal: Terminal = {
  isTTY: false,
  size: () => undefined,
  raw: () => () => undefined,
  onResize: () => () => undefined,
};
