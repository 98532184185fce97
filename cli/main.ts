/** `skiff`: takes the global flags out, then dispatches to one verb. Nothing else lives here. */
import { parseArgs } from './args';
import { createContext, globalFlags, type CliContext, type Io } from './context';
import { formatError } from './errors';
import { processTerminal } from './terminal';

export type Verb = (args: string[], ctx: CliContext) => Promise<number>;

/** Verbs are loaded on demand so one verb's start-up never pays for another's imports. Add new verbs here. */
export const verbs: Readonly<Record<string, Readonly<{ summary: string; load: () => Promise<Verb> }>>> = {
  up: { summary: 'Start a single-machine cluster', load: async () => (await import('./commands/up')).runUp },
  node: { summary: 'Join a cluster as a node (hollow for now)', load: async () => (await import('./commands/node')).runNode },
  apply: { summary: 'Create or update objects from files (server-side apply)', load: async () => (await import('./commands/apply')).runApply },
  get: { summary: 'List objects', load: async () => (await import('./commands/get')).runGet },
  describe: { summary: 'Show details of objects and their events', load: async () => (await import('./commands/describe')).runDescribe },
  delete: { summary: 'Delete objects and wait until they are gone', load: async () => (await import('./commands/delete')).runDelete },
  scale: { summary: 'Set the replicas of a Deployment or ReplicaSet', load: async () => (await import('./commands/scale')).runScale },
  rollout: { summary: 'Watch, list, undo, pause, resume or restart a Deployment rollout', load: async () => (await import('./commands/rollout')).runRollout },
  cordon: { summary: 'Mark a node unschedulable', load: async () => (await import('./commands/cordon')).runCordon },
  uncordon: { summary: 'Mark a node schedulable again', load: async () => (await import('./commands/cordon')).runUncordon },
  drain: { summary: 'Cordon a node and delete its pods', load: async () => (await import('./commands/drain')).runDrain },
  explain: { summary: 'Show why the scheduler placed a pod where it did, or why it could not', load: async () => (await import('./commands/explain')).runExplain },
  image: { summary: 'Build, import, pull and list the images of this machine\'s containerd', load: async () => (await import('./commands/image')).runImage },
  logs: { summary: "Print (or follow) a container's log", load: async () => (await import('./commands/logs')).runLogs },
  exec: { summary: 'Run a command in a container (-i stdin, -t terminal)', load: async () => (await import('./commands/exec')).runExec },
  'port-forward': { summary: "Forward local ports to a pod's ports", load: async () => (await import('./commands/port-forward')).runPortForward },
};

export function usage(): string {
  const width = Math.max(...Object.keys(verbs).map((v) => v.length)) + 2;
  const lines = Object.entries(verbs).map(([name, verb]) => `  ${name.padEnd(width)}${verb.summary}`);
  return [
    'skiff: a Kubernetes-compatible orchestrator on an event log.',
    '',
    'Usage: skiff [--kubeconfig FILE] [-n NAMESPACE] VERB [ARGS…]',
    '',
    'Verbs:',
    ...lines,
    '',
    'Run `skiff VERB --help` for a verb\'s flags.',
    '',
  ].join('\n');
}

export async function main(argv: readonly string[], io: Io): Promise<number> {
  let ctx: ReturnType<typeof createContext> | undefined;
  try {
    const { flags, args } = parseArgs(argv, globalFlags, { passUnknown: true });
    const [verb, ...rest] = args;
    if (verb === undefined || verb === 'help' || verb === '--help' || verb === '-h') {
      io.stdout.write(usage());
      return 0;
    }
    const entry = Object.hasOwn(verbs, verb) ? verbs[verb] : undefined;
    if (!entry) {
      io.stderr.write(`error: unknown command "${verb}" for "skiff" (run \`skiff --help\`)\n`);
      return 1;
    }
    const run = await entry.load();
    ctx = createContext(flags, io);
    return await run(rest, ctx);
  } catch (err) {
    io.stderr.write(`${formatError(err)}\n`);
    return 1;
  } finally {
    ctx?.close();
  }
}

/** The process entry (bin/skiff, `tsx cli/main.ts`): real I/O; Ctrl-C aborts `ctx.signal` so watches and `up` stop cleanly. */
export async function run(argv: readonly string[]): Promise<void> {
  const interrupt = new AbortController();
  // `once`: a second Ctrl-C gets Node's default and kills the process if a verb does not stop.
  process.once('SIGINT', () => interrupt.abort());
  // `skiff get pods | head -1`: a reader that went away ends the command quietly, not with a stack.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') throw err;
    process.exit(0);
  });
  let stdinOpened = false;
  const code = await main(argv, {
    // Touched only when a verb reads `-f -` or `exec -i`, so a terminal's stdin is never opened otherwise.
    stdin: {
      [Symbol.asyncIterator]: () => {
        stdinOpened = true;
        return process.stdin[Symbol.asyncIterator]();
      },
    },
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    signal: interrupt.signal,
    now: Date.now,
    terminal: processTerminal(),
  });
  // A read still waiting on stdin (exec -i whose command ended first) would keep the process alive.
  if (stdinOpened) process.stdin.destroy();
  // exitCode rather than exit(): piped stdout is flushed before the process ends.
  process.exitCode = code;
}

if (require.main === module) void run(process.argv.slice(2));
