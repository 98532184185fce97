import { CommandBus } from '../../actors/kernel/command-bus';
import { EventLog } from '../../eventlog/jetstream-log';
import { SnapshotStore } from '../../eventlog/snapshots';
import { ObjectsProjection } from '../../projections/objects.projection';
import { ProjectionHost } from '../../projections/projection-host';
import { join, resolve } from 'node:path';
import { startHollowNodes } from '../../runtime/hollow/hollow-agent';
import { ContainerdUnavailableError } from '../../runtime/containerd';
import { startWorkerNode, WorkerNodeUnavailable } from '../../runtime/worker-node';
import { defaultDataDir } from '../data-dir';
import { helpFlag, parseArgs } from '../args';
import type { CliContext } from '../context';
import { CliError } from '../errors';
import { isNodeName } from '../node-name';

const flags = {
  hollow: { kind: 'boolean' },
  name: { kind: 'string' },
  nats: { kind: 'string' },
  'start-delay': { kind: 'string' },
  'stop-delay': { kind: 'string' },
  'data-dir': { kind: 'string' },
  'containerd-address': { kind: 'string' },
  'containerd-namespace': { kind: 'string' },
  bridge: { kind: 'string' },
  'cluster-cidr': { kind: 'string' },
  help: helpFlag,
} as const;

const HELP = `Run a node agent in the foreground that joins an existing cluster through its NATS server.

Usage: skiff node --name NAME --nats URL [--data-dir DIR] [--containerd-address SOCK] [--containerd-namespace NS]
                  [--bridge NAME] [--cluster-cidr CIDR]
       skiff node --hollow --name NAME --nats URL [--start-delay MS] [--stop-delay MS]

  A worker node runs pods on containerd (as root; containerd is started under the data dir if none
  answers at --containerd-address, default /run/containerd/containerd.sock). Containers of skiff
  live in containerd namespace --containerd-namespace (default skiff); a restarted node adopts them.
  --data-dir     the node's state (pod volumes, container logs, its containerd); default
                 $SKIFF_DATA_DIR/nodes/NAME or ~/.skiff/nodes/NAME
  --bridge       the pod network's bridge (default skiff0)
  --cluster-cidr the cluster's pod network, blackholed outside the node's podCIDR (default 10.244.0.0/16)
  --hollow       a simulated node: pods bound to it go Pending → Running with no containers
  --name         the Node's name (lowercase DNS subdomain)
  --nats         the cluster's NATS URL (skiff up prints it)
  --start-delay  milliseconds from binding to Running (default 1000)
  --stop-delay   milliseconds from a pod's deletion to its containers stopped, at most its grace
                 period (default 0); then the pod is removed

The agent reads the cluster state from the log itself (its own projection from the newest snapshot)
and reports through commands; Ctrl-C or SIGTERM stops it, and the node goes NotReady after the
grace period.
`;

export async function runNode(args: readonly string[], ctx: CliContext): Promise<number> {
  const { flags: f, args: rest } = parseArgs(args, flags);
  if (f.help) {
    ctx.stdout.write(HELP);
    return 0;
  }
  if (rest.length > 0) throw new CliError(`skiff node takes no arguments, got "${rest.join(' ')}"`);
  if (!f.name || !isNodeName(f.name)) throw new CliError('skiff node needs --name NAME (a lowercase DNS subdomain)');
  if (!f.nats) throw new CliError('skiff node needs --nats URL (the cluster\'s NATS server, printed by skiff up)');
  const startDelayMs = millisecondsOf(f, 'start-delay', 1_000);
  const stopDelayMs = millisecondsOf(f, 'stop-delay', 0);

  const log = await EventLog.open({ servers: f.nats, name: `skiff-node-${f.name}` });
  const projection = new ObjectsProjection();
  const host = new ProjectionHost(log, projection, await SnapshotStore.open(log.nc), { snapshotEveryRecords: Number.MAX_SAFE_INTEGER, snapshotMinIntervalMs: 0, snapshotMaxIntervalMs: 0 });
  const bus = new CommandBus(log);
  try {
    await host.start();
    const name = f.name;
    const agent = f.hollow
      ? await startHollowNodes({ nodes: [{ name, index: indexOf(name) }], log, projection, bus, timings: { startDelayMs, stopDelayMs } })
      : await startWorkerNode({
        name, log, projection, bus,
        dataDir: f['data-dir'] ? resolve(f['data-dir']) : join(defaultDataDir(ctx.env), 'nodes', name),
        ...(f['containerd-address'] ? { containerdAddress: f['containerd-address'] } : {}),
        ...(f['containerd-namespace'] ? { containerdNamespace: f['containerd-namespace'] } : {}),
        podNetwork: { ...(f.bridge ? { bridgeName: f.bridge } : {}), ...(f['cluster-cidr'] ? { clusterCIDR: f['cluster-cidr'] } : {}) },
      }).catch((err: Error) => {
        throw err instanceof WorkerNodeUnavailable || err instanceof ContainerdUnavailableError ? new CliError(`skiff node: ${err.message}`) : err;
      });
    ctx.stdout.write(`node ${name} (${f.hollow ? 'hollow' : 'containerd'}) joined the cluster at ${f.nats}\n`);
    const stopped = new Promise<string>((ok) => {
      ctx.signal.addEventListener('abort', () => ok('interrupted'), { once: true });
      process.once('SIGTERM', () => ok('terminated'));
    });
    const reason = await Promise.race([stopped, agent.failed.then((e) => `failed: ${e.message}`)]);
    ctx.stdout.write(`node ${name} stopping (${reason})\n`);
    await agent.stop();
    return reason.startsWith('failed') ? 1 : 0;
  } finally {
    bus.close();
    // The agent's projection is its own cache: the control plane keeps the snapshots.
    await host.stop({ snapshot: false });
    await log.close();
  }
}

/** A stable small number per node name, for its (documentation-range) address. */
function indexOf(name: string): number {
  let h = 0;
  for (const ch of name) h = (h * 31 + ch.charCodeAt(0)) >>> 0;
  return h % 254;
}

function millisecondsOf(f: Readonly<Record<string, unknown>>, flag: 'start-delay' | 'stop-delay', fallback: number): number {
  const value = f[flag];
  if (value === undefined) return fallback;
  const ms = Number(value);
  if (!Number.isInteger(ms) || ms < 0) throw new CliError(`--${flag} must be a whole number of milliseconds, got "${String(value)}"`);
  return ms;
}
