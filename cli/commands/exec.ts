/**
 * `skiff exec [-i] [-t] POD [-c C] -- COMMAND [ARG…]`: runs a command in a pod's container, as
 * kubectl exec does: stdin with -i, a terminal with -t (raw mode, size changes follow the local
 * window), and the command's exit code as skiff's own.
 */
import type { KubeObject } from '../../actors/kinds/types';
import type { ExecConnection } from '../../gateways/client';
import { helpFlag, parseArgs } from '../args';
import type { CliContext } from '../context';
import { CliError } from '../errors';
import { chooseContainer } from '../pod-container';
import { noTerminal } from '../terminal';
import { PODS, podArgument } from './logs';

const flagSpecs = {
  container: { kind: 'string', short: 'c' },
  stdin: { kind: 'boolean', short: 'i' },
  tty: { kind: 'boolean', short: 't' },
  quiet: { kind: 'boolean', short: 'q' },
  help: helpFlag,
} as const;

const USAGE = `Usage: skiff exec [-i] [-t] [pod/]NAME [-c CONTAINER] [-n NAMESPACE] -- COMMAND [ARG…]

  -c, --container NAME   the container (default: the pod's only one, its default-container annotation, or its first)
  -i, --stdin            pass stdin to the command
  -t, --tty              run the command in a terminal (with -i: interactive; the local terminal goes raw)
  -q, --quiet            print only the command's output
`;

/** What a shell reports for a command ended by SIGINT: skiff's code when Ctrl-C (without -t) ends it. */
const INTERRUPTED = 130;

export async function runExec(argv: string[], ctx: CliContext): Promise<number> {
  const dash = argv.indexOf('--');
  const { flags, args } = parseArgs(dash < 0 ? argv : argv.slice(0, dash), flagSpecs);
  if (flags.help) {
    ctx.stdout.write(USAGE);
    return 0;
  }
  if (dash < 0) {
    if (args.length > 1) throw new CliError(`exec [POD] [COMMAND] is not supported; use exec [POD] -- [COMMAND] instead`);
    throw new CliError('you must specify at least one command for the container');
  }
  const command = argv.slice(dash + 1);
  if (command.length === 0) throw new CliError('you must specify at least one command for the container');
  const name = podArgument(args, 'exec');
  const terminal = ctx.terminal ?? noTerminal;
  let tty = Boolean(flags.tty);
  if (tty && !terminal.isTTY) {
    if (!flags.quiet) ctx.stderr.write('Unable to use a TTY - input is not a terminal or the right kind of file\n');
    tty = false;
  }

  const client = await ctx.client();
  const pod = await client.get<KubeObject>(PODS, name);
  const phase = (pod.status as { phase?: string } | undefined)?.phase;
  if (phase === 'Succeeded' || phase === 'Failed') throw new CliError(`cannot exec into a container in a completed pod; current phase is ${phase}`);
  const container = chooseContainer(pod, flags.container, flags.quiet ? { write: () => undefined } : ctx.stderr);

  const conn = await client.exec(name, { container, command, stdin: Boolean(flags.stdin), stdout: true, stderr: !tty, tty }, {
    stdout: (d) => ctx.stdout.write(d),
    stderr: (d) => ctx.stderr.write(d),
  });
  const restore = tty ? terminal.raw() : () => undefined;
  const unwatch = tty ? followSize(conn, terminal) : () => undefined;
  const stopStdin = flags.stdin ? pumpStdin(conn, ctx) : () => undefined;
  const interrupted = new Promise<undefined>((ok) => ctx.signal.addEventListener('abort', () => ok(undefined), { once: true }));
  let code: number | undefined;
  try {
    code = await Promise.race([conn.exitCode, interrupted]);
  } finally {
    unwatch();
    restore();
    stopStdin();
    conn.close();
  }
  if (code === undefined) return INTERRUPTED;
  // After the terminal is restored, so the line ends where a line should.
  if (code !== 0) ctx.stderr.write(`command terminated with exit code ${code}\n`);
  return code;
}

/** The terminal's size now and at every change. */
function followSize(conn: ExecConnection, terminal: NonNullable<CliContext['terminal']>): () => void {
  const size = terminal.size();
  if (size) conn.resize(size.cols, size.rows);
  return terminal.onResize((s) => conn.resize(s.cols, s.rows));
}

/** Local stdin to the command until it ends (then the remote stdin is closed too); returns the stop. */
function pumpStdin(conn: ExecConnection, ctx: CliContext): () => void {
  const input = ctx.stdin[Symbol.asyncIterator]();
  let stopped = false;
  void (async () => {
    for (let next = await input.next(); !next.done && !stopped; next = await input.next()) {
      await conn.write(typeof next.value === 'string' ? Buffer.from(next.value, 'utf8') : next.value);
    }
    if (!stopped) conn.closeStdin();
  })().catch(() => undefined);
  return () => {
    stopped = true;
    // Not awaited: a read in progress on a terminal would hold it up. The process entry releases stdin itself.
    void input.return?.()?.catch(() => undefined);
  };
}
