/** kubectl describe's PrefixWriter: indented lines whose `\t`-separated cells tabwriter aligns. */
import { DESCRIBE, Tabwriter } from '../tabwriter';

export type Scalar = string | number | boolean | null | undefined;

export class DescribeWriter {
  private readonly lines: string[] = [];

  /** A line at an indent level (two spaces per level). */
  line(level: number, text: string): void {
    this.lines.push(`${'  '.repeat(level)}${text}`);
  }

  /** `Label:  value`, `<none>` when empty; booleans as kubectl prints them (True/False). */
  field(level: number, label: string, value: Scalar): void {
    this.line(level, `${label}:\t${shown(value)}`);
  }

  /** `Title:  first`, then one aligned continuation line per further item; `<none>` when empty (kubectl's *Multiline printers). */
  items(level: number, title: string, items: readonly string[]): void {
    this.line(level, `${title}:\t${items.at(0) ?? '<none>'}`);
    for (const item of items.slice(1)) this.line(level, `\t${item}`);
  }

  /** A map as `key=value` items, sorted by key. */
  map(level: number, title: string, map: Readonly<Record<string, string>> | undefined, separator = '='): void {
    this.items(level, title, Object.keys(map ?? {}).sort().map((key) => `${key}${separator}${map?.[key]}`));
  }

  text(): string {
    return new Tabwriter(DESCRIBE).format(this.lines);
  }
}

function shown(value: Scalar): string {
  if (value === null || value === undefined || value === '') return '<none>';
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  return String(value);
}
