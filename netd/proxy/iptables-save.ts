/**
 * A pure parser of `iptables-save` output (legacy or nft flavour print the same format):
 *   # comment
 *   *nat
 *   :PREROUTING ACCEPT [0:0]      built-in chain with its policy
 *   :SKIFF-SERVICES - [0:0]       user chain
 *   -A SKIFF-SERVICES ...         rule
 *   COMMIT
 */

export interface SavedChain {
  readonly name: string;
  /** ACCEPT/DROP for built-in chains, '-' for user chains. */
  readonly policy: string;
  /** Rules as printed, without the leading "-A CHAIN ". */
  readonly rules: string[];
}

/** table name → chains in the order iptables-save printed them. */
export type SavedTables = Map<string, Map<string, SavedChain>>;

export function parseIptablesSave(text: string): SavedTables {
  const tables: SavedTables = new Map();
  let current: Map<string, SavedChain> | undefined;
  const chainOf = (name: string): SavedChain => {
    let chain = current!.get(name);
    if (!chain) {
      chain = { name, policy: '-', rules: [] };
      current!.set(name, chain);
    }
    return chain;
  };
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    if (line.startsWith('*')) {
      current = tables.get(line.slice(1)) ?? new Map();
      tables.set(line.slice(1), current);
    } else if (line === 'COMMIT') {
      current = undefined;
    } else if (current && line.startsWith(':')) {
      const [name, policy = '-'] = line.slice(1).split(/\s+/);
      current.set(name, { name, policy, rules: current.get(name)?.rules ?? [] });
    } else if (current && line.startsWith('-A ')) {
      const m = /^-A\s+(\S+)\s*(.*)$/.exec(line)!;
      chainOf(m[1]).rules.push(m[2]);
    }
  }
  return tables;
}

/** The SKIFF-* chains of each table, sorted: what buildProxyRuleset takes as `existing`. */
export function skiffChains(text: string): { filter: string[]; nat: string[] } {
  const tables = parseIptablesSave(text);
  const of = (table: string): string[] =>
    [...(tables.get(table)?.keys() ?? [])].filter((c) => c.startsWith('SKIFF-')).sort();
  return { filter: of('filter'), nat: of('nat') };
}
