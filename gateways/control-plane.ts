import { randomUUID } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { EventLog, type RetentionConfig } from '../eventlog/jetstream-log';
import { SnapshotStore } from '../eventlog/snapshots';
import { refOf, systemSubject } from '../eventlog/subjects';
import type { Event } from '../eventlog/types';
import { ActorHost, defaultHostOptions } from '../actors/kernel/actor-host';
import { Supervisor, type Child, type SupervisorFact } from '../actors/kernel/supervisor';
import { garbageCollectorReconciler } from '../actors/controllers/garbage-collector';
import { serviceIPRepairReconciler } from '../actors/controllers/service-ip';
import { namespaceReconciler } from '../actors/controllers/namespace.controller';
import { nodeLifecycleReconciler } from '../actors/controllers/node-lifecycle';
import { endpointSliceReconciler, endpointsReconciler } from '../actors/controllers/service.reconcilers';
import { defaultNodeIpamOptions, ipamRange, nodeIpamReconciler } from '../actors/controllers/node-ipam';
import { deploymentReconciler, replicaSetReconciler, schedulerReconciler } from '../actors/controllers/workload.reconcilers';
import { Controller } from '../actors/reconcile/controller';
import { objectActorKind } from '../actors/object/kind';
import { ObjectsProjection } from '../projections/objects.projection';
import { ProjectionHost, type StartReport } from '../projections/projection-host';
import { startHollowNodes } from '../runtime/hollow/hollow-agent';
import { startWorkerNode, type WorkerNode } from '../runtime/worker-node';
import type { KubeObject } from '../actors/kinds/types';
import { loadAuthenticator, mastersOnly } from './api/auth';
import { CommandBus } from '../actors/kernel/command-bus';
import { writeKubeconfig } from './api/kubeconfig';
import { ensurePki } from './api/pki';
import { startApiServer, type ApiServer } from './api/server';
import { loadSecretBox } from './secret-box';
import type { Pacing } from '../eventlog/streams/protocol';

export type ControlPlaneOptions = Readonly<{
  dataDir: string;
  natsUrl: string;
  port: number;
  host?: string;
  retention?: Partial<RetentionConfig>;
  /** Snapshot cadence of the object projection (records). */
  snapshotEveryRecords?: number;
  bookmarkIntervalMs?: number;
  /**
   * The workload controllers, the scheduler and the endpoints controllers (default on). Off, the control plane is an API
   * server with its store, as kube-apiserver is without kube-controller-manager: what the API
   * contract tests want, since controllers write to the objects they create.
   */
  workloadControllers?: boolean;
  /** Hollow nodes (simulated kubelets, no containers) run in this process: `skiff up --hollow-nodes N`. */
  hollowNodes?: number;
  /** A worker node on this machine (containerd), `skiff up`'s default. */
  workerNode?: Readonly<{ name: string; containerdAddress?: string; containerdNamespace?: string; bridgeName?: string }>;
  hollowStartDelayMs?: number;
  /** How long a hollow node takes to stop a deleted pod's containers (default 0: at once). */
  hollowStopDelayMs?: number;
  /** How long a node may miss heartbeats before it is NotReady (Kubernetes' default: 40 s). */
  nodeGracePeriodMs?: number;
  heartbeatIntervalMs?: number;
  /** Flow control and liveness of the API's log and exec streams to node agents (tests shorten them). */
  streamPacing?: Partial<Pacing>;
  /** The pod network the node IPAM controller splits into per-node podCIDRs (kube-controller-manager's --cluster-cidr; default 10.244.0.0/16). */
  clusterCIDR?: string;
  /** The prefix length of each node's podCIDR (--node-cidr-mask-size; default 24). */
  nodeCIDRMaskSize?: number;
}>;

export type ControlPlane = Readonly<{
  port: number;
  kubeconfigPath: string;
  adminToken: string;
  caCertPem: string;
  startReport: StartReport;
  projection: ObjectsProjection;
  log: EventLog;
  /** The worker node this process runs, when it runs one. */
  workerNode?: Readonly<{ name: string; containerdAddress: string; containerdNamespace: string }>;
  /** Resolves if the control plane gave up (its root supervisor escalated). */
  failed: Promise<Error>;
  stop: (opts?: { snapshot?: boolean }) => Promise<void>;
}>;

export const BOOTSTRAP_NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease'] as const;

/**
 * The control plane of one process, as a supervision tree (rest_for_one, since each part stands on
 * the one before): projections → actor host → controllers → API server → hollow nodes
 * (last, so the API listens while thousands of hollow nodes register). The log connection underneath
 * reconnects by itself; every supervisor decision is recorded on the log.
 */
export async function startControlPlane(opts: ControlPlaneOptions): Promise<ControlPlane> {
  const ipam = { clusterCIDR: opts.clusterCIDR ?? defaultNodeIpamOptions.clusterCIDR, nodeCIDRMaskSize: opts.nodeCIDRMaskSize ?? defaultNodeIpamOptions.nodeCIDRMaskSize };
  ipamRange(ipam); // a bad --cluster-cidr / mask size is said before anything starts
  await mkdir(opts.dataDir, { recursive: true, mode: 0o700 });
  const [pki, authenticator, secrets] = await Promise.all([ensurePki(opts.dataDir), loadAuthenticator(opts.dataDir), loadSecretBox(opts.dataDir)]);
  const log = await EventLog.open({ servers: opts.natsUrl, name: 'skiff-control-plane', retention: opts.retention });
  const snapshots = await SnapshotStore.open(log.nc);
  const projection = new ObjectsProjection();
  const projectionHost = new ProjectionHost(log, projection, snapshots, {
    snapshotEveryRecords: opts.snapshotEveryRecords ?? 20_000,
    snapshotMinIntervalMs: 30_000,
    snapshotMaxIntervalMs: opts.retention?.eventsMaxAgeMs ? Math.max(500, opts.retention.eventsMaxAgeMs / 4) : 0,
  });
  let startReport: StartReport | undefined;
  let api: ApiServer | undefined;
  let worker: WorkerNode | undefined;

  const factsInFlight = new Set<Promise<unknown>>();
  const record = (fact: SupervisorFact): void => {
    const id = randomUUID();
    const event: Event = {
      kind: 'event', id, type: fact.type, schema: 1, subject: systemSubject('supervisor', fact.supervisor), time: Date.now(),
      who: 'system:skiff:supervisor', correlationId: id, causationId: '', payload: fact,
    };
    const appended = log.appendFact(event).catch(() => undefined);
    factsInFlight.add(appended);
    void appended.then(() => factsInFlight.delete(appended));
  };

  const root = new Supervisor({
    name: 'control-plane',
    strategy: 'rest_for_one',
    restarts: { intensity: 3, periodMs: 30_000 },
    record,
    children: [
      {
        id: 'projections',
        start: async (): Promise<Child> => {
          // The projection lives across restarts of this child: it resumes from its own position.
          startReport ??= await projectionHost.start();
          return { stop: async () => undefined, failed: new Promise(() => undefined) };
        },
      },
      {
        id: 'actor-host',
        start: async (): Promise<Child> => {
          const host = new ActorHost(log, objectActorKind((subject) => projection.store.get(refOf(subject))), defaultHostOptions);
          await host.start();
          return { stop: () => host.stop(), failed: host.failed };
        },
      },
      {
        id: 'controllers',
        start: async (): Promise<Child> => {
          const bus = new CommandBus(log);
          const heartbeats = new Map<string, number>();
          const stopping = new AbortController();
          void (async () => {
            for await (const beat of log.heartbeats(stopping.signal)) heartbeats.set(beat.node, beat.timeMs);
          })().catch(() => undefined);
          const workloads = opts.workloadControllers === false ? [] : [replicaSetReconciler, deploymentReconciler, schedulerReconciler, endpointsReconciler, endpointSliceReconciler];
          const reconcilers = [
            ...[namespaceReconciler, garbageCollectorReconciler, serviceIPRepairReconciler, ...workloads].map((make) => make(projection)),
            nodeLifecycleReconciler(projection, { lastMs: (node) => heartbeats.get(node) }, { gracePeriodMs: opts.nodeGracePeriodMs ?? 40_000 }),
            nodeIpamReconciler(projection, ipam),
          ];
          const controllers = reconcilers.map((r) => new Controller(r, projection, bus));
          controllers.forEach((c) => c.start());
          return {
            stop: async () => {
              stopping.abort();
              controllers.forEach((c) => c.stop());
              bus.close();
            },
            failed: Promise.race(controllers.map((c) => c.failed)),
          };
        },
      },
      {
        id: 'api',
        start: async (): Promise<Child> => {
          api = await startApiServer({
            log, projection, secrets, authenticator, authorizer: mastersOnly,
            tls: { certPem: pki.serverCertPem, keyPem: pki.serverKeyPem, caPem: pki.caCertPem },
            host: opts.host, port: opts.port, bookmarkIntervalMs: opts.bookmarkIntervalMs, streamPacing: opts.streamPacing,
          });
          const server = api;
          return { stop: () => server.close(), failed: new Promise(() => undefined) };
        },
      },
      {
        id: 'nodes',
        start: async (): Promise<Child> => {
          const bus = new CommandBus(log);
          const hollow = await startHollowNodes({
            nodes: Array.from({ length: opts.hollowNodes ?? 0 }, (_, index) => ({ name: `hollow-${index}`, index })),
            projection, bus, log, heartbeatIntervalMs: opts.heartbeatIntervalMs,
            timings: { startDelayMs: opts.hollowStartDelayMs ?? 1_000, stopDelayMs: opts.hollowStopDelayMs ?? 0 },
          });
          worker = opts.workerNode
            ? await startWorkerNode({
              ...opts.workerNode, dataDir: opts.dataDir, projection, bus, log, heartbeatIntervalMs: opts.heartbeatIntervalMs,
              podNetwork: { clusterCIDR: ipam.clusterCIDR, ...(opts.workerNode.bridgeName ? { bridgeName: opts.workerNode.bridgeName } : {}) },
              openSecret: (s) => secrets.openSecret(s as KubeObject & { data?: Record<string, string> }) as KubeObject,
            })
            : undefined;
          const node = worker;
          return {
            stop: async () => {
              hollow.stop();
              await node?.stop();
              bus.close();
            },
            failed: Promise.race([hollow.failed, ...(node ? [node.failed] : [])]),
          };
        },
      },
    ],
  });
  await root.start();
  await bootstrapNamespaces(log, projection);
  const port = (api as ApiServer).port;
  const kubeconfigPath = await writeKubeconfig(opts.dataDir, { server: `https://127.0.0.1:${port}`, caCertPem: pki.caCertPem, token: authenticator.adminToken() });
  return {
    port,
    kubeconfigPath,
    ...(worker && opts.workerNode ? { workerNode: { name: opts.workerNode.name, containerdAddress: worker.containerdAddress, containerdNamespace: worker.containerdNamespace } } : {}),
    adminToken: authenticator.adminToken(),
    caCertPem: pki.caCertPem,
    startReport: startReport as StartReport,
    projection,
    log,
    failed: root.failed,
    stop: async (stopOpts = {}) => {
      await root.stop();
      await Promise.all(factsInFlight);
      await projectionHost.stop({ snapshot: stopOpts.snapshot ?? true }).catch(() => undefined);
      await log.close();
    },
  };
}

/** The namespaces every cluster has, created once (a later start finds them in the projection). */
async function bootstrapNamespaces(log: EventLog, projection: ObjectsProjection): Promise<void> {
  const missing = BOOTSTRAP_NAMESPACES.filter((name) => !projection.store.get({ group: '', resource: 'namespaces', namespace: '', name }));
  if (missing.length === 0) return;
  const bus = new CommandBus(log, 30_000);
  try {
    await Promise.all(
      missing.map((name) =>
        bus.send(
          { group: '', resource: 'namespaces', namespace: '', name },
          { op: 'create', object: { apiVersion: 'v1', kind: 'Namespace', metadata: { name } }, fieldManager: 'skiff' },
          'system:skiff:bootstrap',
        ),
      ),
    );
  } finally {
    bus.close();
  }
}
