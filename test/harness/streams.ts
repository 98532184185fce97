/**
 * A control plane plus one node agent's stream server (runtime/streams/node-streams.ts) for a node
 * that has no other agent, on the same NATS server, with the host-process test double as its
 * runtime: pods are objects bound to that node whose status the test writes as a kubelet would.
 */
import { connect, type NatsConnection } from 'nats';
import type { Pacing, PodRef } from '../../eventlog/streams/protocol';
import { serveNodeStreams, type NodeStreams, type NodeStreamsOptions } from '../../runtime/streams/node-streams';
import { startTestCluster, type TestCluster } from './cluster';
import { createHostProcessStreamTarget, type HostProcessStreamTarget } from './host-stream-target';

export type StreamsWorld = Readonly<{
  c: TestCluster;
  node: string;
  target: HostProcessStreamTarget;
  /** The node agent's own connection (another process, in real life). */
  nc: NatsConnection;
  /** Creates a pod bound to the node, its containers reported running (or as `status` says). */
  pod: (name: string, opts?: PodOptions) => Promise<PodRef>;
  stop: () => Promise<void>;
}>;

export type PodOptions = Readonly<{
  containers?: readonly string[];
  namespace?: string;
  /** The whole status to report; default: every container running, attempt 0. */
  status?: (containers: readonly string[]) => Record<string, unknown>;
  nodeName?: string | null;
  labels?: Record<string, string>;
}>;

export const STREAMS_NODE = 'stream-node-1';

export async function startStreamsWorld(opts: Readonly<{ pacing?: Partial<Pacing>; node?: NodeStreamsOptions }> = {}): Promise<StreamsWorld> {
  const c = await startTestCluster({ workloadControllers: false, streamPacing: opts.pacing });
  const target = await createHostProcessStreamTarget();
  const nc = await connect({ servers: c.nats.url, name: 'test-node-agent' });
  const streams: NodeStreams = serveNodeStreams(nc, STREAMS_NODE, target, { followPollMs: 100, ...opts.node });
  const pod: StreamsWorld['pod'] = async (name, p = {}) => {
    const namespace = p.namespace ?? 'default';
    const containers = p.containers ?? ['main'];
    const created = await c.call('POST', `/api/v1/namespaces/${namespace}/pods`, {
      apiVersion: 'v1', kind: 'Pod', metadata: { name, ...(p.labels ? { labels: p.labels } : {}) },
      spec: {
        ...(p.nodeName === null ? {} : { nodeName: p.nodeName ?? STREAMS_NODE }),
        containers: containers.map((c) => ({ name: c, image: 'busybox:1.36' })),
      },
    });
    if (created.status !== 201) throw new Error(`create pod ${name}: ${created.status} ${JSON.stringify(created.body)}`);
    const status = p.status ? p.status(containers) : runningStatus(containers);
    const patched = await c.call('PATCH', `/api/v1/namespaces/${namespace}/pods/${name}/status`, { status }, { contentType: 'application/merge-patch+json' });
    if (patched.status !== 200) throw new Error(`status of pod ${name}: ${patched.status} ${JSON.stringify(patched.body)}`);
    return { uid: created.body.metadata.uid, namespace, name };
  };
  return {
    c, node: STREAMS_NODE, target, nc, pod,
    stop: async () => {
      streams.stop();
      await target.cleanup();
      await nc.close();
      await c.stop();
    },
  };
}

/** What a kubelet reports for running containers that have restarted `restarts` times (the previous attempt terminated). */
export function runningStatus(containers: readonly string[], restarts = 0): Record<string, unknown> {
  const at = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  const previous = (name: string) => ({ terminated: { exitCode: 1, reason: 'Error', startedAt: at, finishedAt: at, containerID: `test://${name}/${restarts - 1}` } });
  return {
    phase: 'Running',
    containerStatuses: containers.map((name) => ({
      name, ready: true, started: true, restartCount: restarts, image: 'busybox:1.36', imageID: 'test://busybox',
      containerID: `test://${name}/${restarts}`, state: { running: { startedAt: at } }, lastState: restarts > 0 ? previous(name) : {},
    })),
  };
}

/** Containers that have restarted once: attempt 1 runs, attempt 0 is the previous one. */
export const restartedStatus = (containers: readonly string[]): Record<string, unknown> => runningStatus(containers, 1);

/** Containers not started yet (the kubelet's ContainerCreating). */
export function creatingStatus(containers: readonly string[]): Record<string, unknown> {
  return {
    phase: 'Pending',
    containerStatuses: containers.map((name) => ({
      name, ready: false, started: false, restartCount: 0, image: 'busybox:1.36', imageID: '', state: { waiting: { reason: 'ContainerCreating' } }, lastState: {},
    })),
  };
}
