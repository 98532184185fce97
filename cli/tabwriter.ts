/**
 * Go's text/tabwriter (left-aligned, space padding), as kubectl uses it, so columns line up
 * exactly as kubectl's do. Cells are separated by `\t`; a column is aligned over a block of
 * consecutive lines that all have a tab-terminated cell in it; a line's last cell is never padded.
 */
export type TabwriterOptions = Readonly<{
  minWidth: number;
  padding: number;
  /**
   * Widths only grow from one `format` call to the next (liggitt/tabwriter's RememberWidths,
   * which kubectl uses so that `get -w` rows stay aligned with the header printed earlier).
   */
  rememberWidths?: boolean;
}>;

/** kubectl get's table writer (cli-runtime printers.GetNewTabWriter). */
export const GET_TABLE: TabwriterOptions = { minWidth: 6, padding: 3, rememberWidths: true };
/** kubectl describe's writer (describe.go: tabwriter.NewWriter(out, 0, 8, 2, ' ', 0)). */
export const DESCRIBE: TabwriterOptions = { minWidth: 0, padding: 2 };

export class Tabwriter {
  private readonly remembered: number[] = [];

  constructor(private readonly opts: TabwriterOptions) {}

  /** Formats whole lines (no trailing newlines) into text; each output line ends with `\n`. */
  format(lines: readonly string[]): string {
    const cells = lines.map((line) => line.split('\t'));
    const out: string[] = [];
    const widths: number[] = [];

    const writeLines = (from: number, to: number): void => {
      for (let i = from; i < to; i++) {
        out.push(cells[i].map((cell, j) => (j < widths.length ? cell + ' '.repeat(Math.max(0, widths[j] - runeCount(cell))) : cell)).join(''));
      }
    };

    // Mirrors Writer.format in text/tabwriter: find each block of lines with a cell in this column,
    // size the column over the block, then recurse into the next column within the block.
    const formatColumns = (from: number, to: number): void => {
      const column = widths.length;
      let unwritten = from;
      for (let i = from; i < to; i++) {
        if (column >= cells[i].length - 1) continue;
        writeLines(unwritten, i);
        let width = this.opts.minWidth;
        let end = i;
        for (; end < to && column < cells[end].length - 1; end++) width = Math.max(width, runeCount(cells[end][column]) + this.opts.padding);
        width = this.remember(column, width);
        widths.push(width);
        formatColumns(i, end);
        widths.pop();
        unwritten = end;
        i = end;
      }
      writeLines(unwritten, to);
    };

    formatColumns(0, cells.length);
    return out.map((line) => `${line}\n`).join('');
  }

  private remember(column: number, width: number): number {
    if (!this.opts.rememberWidths) return width;
    const widest = Math.max(width, this.remembered[column] ?? 0);
    this.remembered[column] = widest;
    return widest;
  }
}

/** Go's tabwriter counts runes, not UTF-16 units. */
function runeCount(text: string): number {
  let count = 0;
  for (const _ of text) count++;
  return count;
}
