/** Output formats of `get`: the server's Table as kubectl prints it, `-o name`, `-o yaml|json`. */
import { stringify } from 'yaml';
import type { KubeObject } from '../actors/kinds/types';
import type { ApiResource, Table, TableColumn } from '../gateways/client';
import { GET_TABLE, Tabwriter } from './tabwriter';

/** `deployment.apps` / `pod`: how kubectl names a type in `-o name`, `apply` and `delete` output. */
export function typeName(res: Pick<ApiResource, 'kind' | 'group'>): string {
  const kind = res.kind.toLowerCase();
  return res.group ? `${kind}.${res.group}` : kind;
}

/** `-o name`: `deployment.apps/web`. */
export function objectName(res: Pick<ApiResource, 'kind' | 'group'>, name: string): string {
  return `${typeName(res)}/${name}`;
}

export type TableStyle = Readonly<{
  /** `-o wide`: also the columns with priority > 0. */
  wide: boolean;
  /** `-A` on a namespaced kind: a NAMESPACE column first, from each row's object metadata. */
  namespaceColumn: boolean;
  /** Prefix for the name column (`pod/`), set when several kinds are printed. */
  kindPrefix?: string;
  headers: boolean;
}>;

/**
 * Prints one kind's rows like kubectl's table printer. Stateful for watches: the header is printed
 * once, columns are remembered from the first Table that carried them (later watch events omit
 * them), and column widths only grow.
 */
export class TablePrinter {
  private columns: readonly TableColumn[] = [];
  private headerPrinted = false;
  private readonly tabwriter = new Tabwriter(GET_TABLE);

  constructor(private readonly style: TableStyle) {}

  format(table: Table): string {
    if (this.columns.length === 0) this.columns = table.columnDefinitions ?? [];
    if (table.rows.length === 0) return '';
    const visible = this.columns.flatMap((column, index) => (this.style.wide || column.priority === 0 ? [{ column, index }] : []));
    const lines: string[] = [];
    if (this.style.headers && !this.headerPrinted) {
      lines.push([...(this.style.namespaceColumn ? ['NAMESPACE'] : []), ...visible.map(({ column }) => column.name.toUpperCase())].join('\t'));
    }
    this.headerPrinted = true;
    for (const row of table.rows) {
      const namespace = this.style.namespaceColumn ? [row.object?.metadata?.namespace ?? ''] : [];
      const cells = visible.map(({ column, index }) => {
        const text = cellText(row.cells[index]);
        return this.style.kindPrefix && column.format === 'name' ? `${this.style.kindPrefix}/${text}` : text;
      });
      lines.push([...namespace, ...cells].join('\t'));
    }
    return this.tabwriter.format(lines);
  }
}

/** A cell as kubectl prints it: nil is empty, strings stop at the first line break (marked `...`). */
function cellText(cell: unknown): string {
  if (cell === null || cell === undefined) return '';
  const text = typeof cell === 'object' ? JSON.stringify(cell) : String(cell);
  const lineBreak = text.search(/[\f\n\r]/);
  const line = lineBreak < 0 ? text : `${text.slice(0, lineBreak)}...`;
  return line.replace(/\t/g, ' ');
}

/** kubectl's stderr note for an empty result: with the namespace when one was searched (not for -A or cluster-scoped kinds). */
export function noResourcesFound(namespace: string | undefined): string {
  return namespace ? `No resources found in ${namespace} namespace.\n` : 'No resources found\n';
}

/** kubectl's `List` wrapper for several objects in `-o yaml|json`. */
export function asList(items: readonly KubeObject[]): Record<string, unknown> {
  return { apiVersion: 'v1', items, kind: 'List', metadata: { resourceVersion: '' } };
}

/** Items of a list carry no kind/apiVersion; printed objects need them, as kubectl adds them. */
export function withTypeMeta(res: Pick<ApiResource, 'kind' | 'group' | 'version'>, obj: KubeObject): KubeObject {
  return { ...obj, apiVersion: obj.apiVersion ?? (res.group ? `${res.group}/${res.version}` : res.version), kind: obj.kind ?? res.kind };
}

/** `-o yaml` / `-o json` of an object or a List: keys sorted and managedFields hidden, as kubectl prints them. */
export function formatObject(value: unknown, format: 'yaml' | 'json'): string {
  const clean = sortKeys(withoutManagedFields(value));
  // YAML 1.1 quotes what go-yaml quotes ("yes", "on", timestamps); no folding of long strings.
  return format === 'json' ? `${JSON.stringify(clean, null, 4)}\n` : stringify(clean, { version: '1.1', lineWidth: 0, indentSeq: false });
}

function withoutManagedFields(value: unknown): unknown {
  if (!isRecord(value)) return value;
  const copy: Record<string, unknown> = { ...value };
  if (isRecord(copy.metadata) && 'managedFields' in copy.metadata) {
    const { managedFields: _hidden, ...metadata } = copy.metadata;
    copy.metadata = metadata;
  }
  if (Array.isArray(copy.items)) copy.items = copy.items.map(withoutManagedFields);
  return copy;
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (!isRecord(value)) return value;
  return Object.fromEntries(Object.keys(value).sort().map((key) => [key, sortKeys(value[key])]));
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
