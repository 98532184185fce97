import { hostname } from 'node:os';
import { resolve } from 'node:path';
import { defaultDataDir } from '../data-dir';
import { startNatsServer, type NatsServer } from '../../eventlog/nats-server';
import { startControlPlane } from '../../gateways/control-plane';
import { helpFlag, parseArgs } from '../args';
import type { CliContext } from '../context';
import { CliError } from '../errors';
import { isNodeName } from '../node-name';
import { workerNodeProblems } from '../../runtime/node-preflight';
import { ContainerdUnavailableError } from '../../runtime/containerd';
import { WorkerNodeUnavailable } from '../../runtime/worker-node';

const flags = {
  'data-dir': { kind: 'string' },
  port: { kind: 'string' },
  nats: { kind: 'string' },
  'nats-port': { kind: 'string' },
  'hollow-nodes': { kind: 'string' },
  'no-node': { kind: 'boolean' },
  'node-name': { kind: 'string' },
  'containerd-address': { kind: 'string' },
  help: helpFlag,
} as const;

const HELP = `Run a single-machine cluster in the foreground: nats-server from nats.conf (unless --nats), the
control plane (event log, actors, projections, HTTPS API) and a worker node on this machine that runs
pods on containerd (as root; containerd is started under the data dir if none runs). Ctrl-C or
SIGTERM stops it cleanly.

Usage: skiff up [--data-dir DIR] [--port N] [--nats URL] [--nats-port N] [--hollow-nodes N]
                [--no-node] [--node-name NAME] [--containerd-address SOCK]

  --data-dir   where state lives (NATS store, PKI, tokens, kubeconfig); default $SKIFF_DATA_DIR or ~/.skiff
  --port       HTTPS API port on 127.0.0.1; default 6443 (0 = any free port)
  --nats       use an existing NATS server with JetStream instead of starting one
  --nats-port  port for the nats-server skiff starts; default any free port
  --hollow-nodes  run N simulated nodes (hollow-0 … hollow-N-1) in this process: pods bound to them
               go Pending → Running after a second, with no containers
  --no-node    run the control plane alone, no worker node on this machine
  --node-name  this machine's node name; default its hostname
  --containerd-address  a running containerd to use; default /run/containerd/containerd.sock if it
               answers, else skiff starts its own under the data dir
`;

function portOf(text: string | undefined, fallback: number, flag: string): number {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new CliError(`--${flag} must be a port number (0-65535), got "${text}"`);
  return n;
}

export async function runUp(args: readonly string[], ctx: CliContext): Promise<number> {
  const { flags: f, args: rest } = parseArgs(args, flags);
  if (f.help) {
    ctx.stdout.write(HELP);
    return 0;
  }
  if (rest.length > 0) throw new CliError(`skiff up takes no arguments, got "${rest.join(' ')}"`);
  const dataDir = f['data-dir'] ? resolve(f['data-dir']) : defaultDataDir(ctx.env);
  const port = portOf(f.port, 6443, 'port');
  let nats: NatsServer | undefined;
  if (!f.nats) {
    nats = await startNatsServer({ dataDir, port: f['nats-port'] ? portOf(f['nats-port'], 0, 'nats-port') : undefined });
    ctx.stdout.write(`nats-server (pid ${nats.pid}) listening on ${nats.url}, store ${nats.storeDir}\n`);
  }
  const stopped = new AbortController();
  const onTerm = () => stopped.abort();
  process.once('SIGTERM', onTerm);
  try {
    const hollowNodes = f['hollow-nodes'] === undefined ? 0 : Number(f['hollow-nodes']);
    if (!Number.isInteger(hollowNodes) || hollowNodes < 0) throw new CliError(`--hollow-nodes must be a whole number, got "${f['hollow-nodes']}"`);
    const nodeName = (f['node-name'] ?? hostname()).toLowerCase();
    if (!f['no-node']) {
      const problems = workerNodeProblems();
      if (problems.length > 0) throw new CliError(`skiff up runs a worker node on this machine: ${problems.join('; ')} (or pass --no-node for a control plane alone)`);
      if (!isNodeName(nodeName)) throw new CliError(`--node-name must be a lowercase DNS subdomain, got "${nodeName}"`);
    }
    const workerNode = f['no-node'] ? undefined : { name: nodeName, ...(f['containerd-address'] ? { containerdAddress: f['containerd-address'] } : {}) };
    const cp = await startControlPlane({ dataDir, natsUrl: f.nats ?? (nats as NatsServer).url, port, hollowNodes, workerNode }).catch((err: Error) => {
      throw err instanceof WorkerNodeUnavailable || err instanceof ContainerdUnavailableError ? new CliError(`skiff up: ${err.message} (or pass --no-node for a control plane alone)`) : err;
    });
    const r = cp.startReport;
    ctx.stdout.write(
      [
        `skiff control plane is up: https://127.0.0.1:${cp.port}`,
        `  state: ${r.position} records; ${r.snapshotPosition === undefined ? 'no snapshot' : `snapshot at ${r.snapshotPosition} (${r.objectsFromSnapshot} objects)`}, ${r.replayed} replayed`,
        `  kubeconfig: ${cp.kubeconfigPath}`,
        ...(cp.workerNode ? [`  node ${cp.workerNode.name}: containerd ${cp.workerNode.containerdAddress}, namespace ${cp.workerNode.containerdNamespace}`] : []),
        `  try: export KUBECONFIG=${cp.kubeconfigPath}; kubectl get namespaces`,
        '',
      ].join('\n'),
    );
    const reason = await Promise.race([
      new Promise<string>((ok) => ctx.signal.addEventListener('abort', () => ok('interrupted'), { once: true })),
      new Promise<string>((ok) => stopped.signal.addEventListener('abort', () => ok('terminated'), { once: true })),
      cp.failed.then((err) => `failed: ${err.message}`),
    ]);
    ctx.stdout.write(`stopping (${reason})…\n`);
    await cp.stop({ snapshot: true });
    return reason.startsWith('failed') ? 1 : 0;
  } finally {
    process.removeListener('SIGTERM', onTerm);
    await nats?.stop();
  }
}
