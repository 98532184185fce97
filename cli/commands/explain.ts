/** `skiff explain pod NAME`: why the scheduler put a pod where it did, or why no node could take it. */
import type { RejectedGroup, SchedulingRecord, ScoredNode } from '../../actors/scheduler';
import type { PodScheduling } from '../../gateways/api/scheduling';
import { helpFlag, parseArgs } from '../args';
import type { CliContext } from '../context';
import { CliError } from '../errors';
import { parseTargets } from '../resources';
import { GET_TABLE, Tabwriter } from '../tabwriter';

const flagSpecs = {
  output: { kind: 'string', short: 'o' },
  help: helpFlag,
} as const;

const USAGE = `Usage: skiff explain pod NAME | pod/NAME  [-n NAMESPACE] [-o json]

Shows the scheduler's last decision about a pod: the node it chose and how the feasible nodes
scored, or why every node was rejected. -o json prints the record as the API serves it.
`;

/** What kubectl calls a pod: the only kind explain knows so far. */
const POD_NAMES: ReadonlySet<string> = new Set(['pod', 'pods', 'po']);

export async function runExplain(argv: string[], ctx: CliContext): Promise<number> {
  const { flags, args } = parseArgs(argv, flagSpecs);
  if (flags.help) {
    ctx.stdout.write(USAGE);
    return 0;
  }
  if (flags.output !== undefined && flags.output !== 'json') throw new CliError(`unable to match a printer suitable for the output format "${flags.output}", allowed formats are: json`);
  const name = podName(args);
  const client = await ctx.client();
  const scheduling = await client.podScheduling(name);
  ctx.stdout.write(flags.output === 'json' ? `${JSON.stringify(scheduling, null, 2)}\n` : renderPodScheduling(scheduling));
  return 0;
}

/** The one pod name in `pod NAME`, `pods NAME`, `po NAME` or `pod/NAME`. */
function podName(args: readonly string[]): string {
  const targets = parseTargets(args, 'explain');
  if (targets.length === 0) throw new CliError('you must specify what to explain (e.g. `skiff explain pod web-1`)');
  const other = targets.find((t) => !POD_NAMES.has(t.kind.toLowerCase()));
  if (other) throw new CliError(`skiff explain supports only pod, not "${other.kind}"`);
  const names = targets.flatMap((t) => t.names);
  if (names.length !== 1) throw new CliError(names.length === 0 ? 'you must name the pod to explain (e.g. `skiff explain pod web-1`)' : 'skiff explain takes exactly one pod');
  return names[0];
}

/** The human explanation: a headline, the counts, then one row per node the record names. */
export function renderPodScheduling(s: PodScheduling): string {
  const { record, time } = s.decision;
  const pod = `Pod ${s.metadata.namespace}/${s.metadata.name}`;
  const counts = `${nodes(record.nodes)}, ${record.evaluated} evaluated, ${record.feasible} feasible`;
  const notEvaluated = record.nodes - record.evaluated;
  const footnote = notEvaluated > 0
    ? [`${nodes(notEvaluated)} not evaluated: filtering stops once enough feasible nodes are found (percentageOfNodesToScore)`]
    : [];
  if (record.outcome === 'unschedulable') {
    const now = s.pod.nodeName ? ` (it is now bound to ${s.pod.nodeName}, not by this decision)` : '';
    const rows = rejectedRows(record.rejected).map(([node, reasons]) => `${node}\trejected\t${reasons}`);
    const table = rows.length > 0 ? new Tabwriter(GET_TABLE).format(['NODE\tVERDICT\tREASON', ...rows]) : '';
    return `${pod}: not scheduled — ${record.message}${now}\n${counts}, as of ${time}\n${table}${lines(footnote)}`;
  }
  const ties = record.scored.filter((n) => n.node !== record.node && n.total === record.scored[0]?.total).length;
  if (ties > 0) footnote.push(`${record.node} tied with ${nodes(ties, 'other ')} at ${record.scored[0].total}: the tie goes to the lowest hash of the pod's uid and the node's name`);
  return `${headline(pod, s, record.node, time)}\n${counts}\n${new Tabwriter(GET_TABLE).format(boundRows(record))}${lines(footnote)}`;
}

const nodes = (n: number, adjective = ''): string => `${n} ${adjective}node${n === 1 ? '' : 's'}`;

function headline(pod: string, s: PodScheduling, chosen: string, time: string): string {
  if (s.pod.nodeName === chosen) return `${pod}: bound to ${chosen} at ${time}`;
  if (s.pod.nodeName) return `${pod}: bound to ${s.pod.nodeName}; the scheduler's last decision, at ${time}, chose ${chosen}`;
  return `${pod}: not bound; the scheduler chose ${chosen} at ${time}, but the binding did not take`;
}

type Bound = Extract<SchedulingRecord, { outcome: 'bound' }>;

/** Header, the scored nodes (chosen first) with one column per score plugin, then the rejected ones. */
function boundRows(record: Bound): string[] {
  const plugins = Object.keys(record.scored[0]?.scores ?? {}) as (keyof ScoredNode['scores'])[];
  const header = ['NODE', 'VERDICT', 'SCORE', ...plugins].join('\t');
  const scored = record.scored.map((n) => [n.node, n.node === record.node ? 'chosen' : 'feasible', String(n.total), ...plugins.map((p) => String(n.scores[p]))].join('\t'));
  // A row's last cell is never padded, so reasons run on from under the first plugin column.
  const more = record.unrecorded > 0 ? [`(+${record.unrecorded} more)\tfeasible\t\tscored lower, not recorded`] : [];
  const rejected = rejectedRows(record.rejected).map(([node, reasons]) => `${node}\trejected\t\t${reasons}`);
  return [header, ...scored, ...more, ...rejected];
}

/** [node, reasons] per rejected node, group by group; a group's unnamed nodes as one `(+N more)` row. */
function rejectedRows(groups: readonly RejectedGroup[]): [string, string][] {
  return groups.flatMap((g) => {
    const reasons = `${g.reasons.join(', ')}${g.detail ? ` (${g.detail})` : ''}`;
    const named = g.nodes.map((node): [string, string] => [node, reasons]);
    return g.unlisted ? [...named, [`(+${g.unlisted} more)`, reasons] as [string, string]] : named;
  });
}

const lines = (texts: readonly string[]): string => texts.map((t) => `${t}\n`).join('');
