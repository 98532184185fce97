import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { EventLog } from '../eventlog/jetstream-log';
import type { CommandBus } from '../actors/kernel/command-bus';
import type { KubeObject } from '../actors/kinds/types';
import type { ObjectsProjection } from '../projections/objects.projection';
import type { NodeAgent } from './agent';
import { ContainerdRuntime, ensureContainerd } from './containerd';
import { startContainerdNode, type PodNetworkOptions } from './containerd-node';
import { workerNodeProblems } from './node-preflight';

/**
 * A worker node on this machine: checks what it needs, finds containerd (the machine's, or starts
 * its own under the data dir), opens skiff's containerd namespace — adopting the containers a
 * previous agent left running — and runs the node agent on it.
 */
export type WorkerNodeOptions = Readonly<{
  name: string;
  dataDir: string;
  log: EventLog;
  projection: ObjectsProjection;
  bus: CommandBus;
  /** Where to look for a running containerd first (default /run/containerd/containerd.sock). */
  containerdAddress?: string;
  /** containerd namespace of skiff's containers (default `skiff`). */
  containerdNamespace?: string;
  openSecret?: (secret: KubeObject) => KubeObject;
  heartbeatIntervalMs?: number;
  /** The pod network (bridge skiff0, veths, pod IPs from the Node's podCIDR; default on); false: loopback only. */
  podNetwork?: PodNetworkOptions | false;
}>;

export type WorkerNode = Omit<NodeAgent, 'stop'> & Readonly<{ containerdAddress: string; containerdNamespace: string; stop: () => Promise<void> }>;

export class WorkerNodeUnavailable extends Error {
  override name = 'WorkerNodeUnavailable';
}

const run = promisify(execFile);

export async function startWorkerNode(opts: WorkerNodeOptions): Promise<WorkerNode> {
  const problems = workerNodeProblems();
  if (problems.length > 0) throw new WorkerNodeUnavailable(problems.join('; '));
  const daemon = await ensureContainerd({ dataDir: opts.dataDir, ...(opts.containerdAddress ? { address: opts.containerdAddress } : {}) });
  const namespace = opts.containerdNamespace ?? 'skiff';
  const runtime = await ContainerdRuntime.open({ address: daemon.address, namespace, logRoot: join(opts.dataDir, 'logs') });
  try {
    const agent = await startContainerdNode({
      name: opts.name, dataDir: opts.dataDir, ip: '127.0.0.1', log: opts.log, projection: opts.projection, bus: opts.bus, runtime,
      runtimeVersion: await containerdVersion(daemon.address), openSecret: opts.openSecret, heartbeatIntervalMs: opts.heartbeatIntervalMs,
      ...(opts.podNetwork === false ? {} : { podNetwork: opts.podNetwork ?? {} }),
    });
    return {
      ...agent,
      containerdAddress: daemon.address,
      containerdNamespace: namespace,
      // A clean stop ends what this node started, the containerd it ran included (which stops its
      // containers). After a crash, containerd and the containers keep running and the next agent
      // adopts them.
      stop: async () => {
        agent.stop();
        await runtime.close();
        await daemon.stop();
        // Only a containerd of our own took the containers down with it; the machine's keeps them running.
        if (daemon.startedByUs) await agent.release();
        // The bridge and blackhole routes go too; a next agent sets them up again and re-attaches the pods it adopts.
        await agent.releaseNetwork();
      },
    };
  } catch (err) {
    await runtime.close();
    await daemon.stop();
    throw err;
  }
}

/** `containerd://1.6.20`, as nodeInfo.containerRuntimeVersion reads. */
async function containerdVersion(address: string): Promise<string> {
  const { stdout } = await run('ctr', ['--address', address, 'version']);
  const server = stdout.slice(stdout.indexOf('Server:'));
  const version = /Version:\s*v?([0-9][^\s~+]*)/.exec(server)?.[1];
  return `containerd://${version ?? 'unknown'}`;
}
