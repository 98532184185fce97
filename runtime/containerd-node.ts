import { join } from 'node:path';
import type { EventLog } from '../eventlog/jetstream-log';
import type { CommandBus } from '../actors/kernel/command-bus';
import type { KubeObject } from '../actors/kinds/types';
import type { Plan, PlannedCommand } from '../actors/reconcile/plan';
import type { ObjectsProjection } from '../projections/objects.projection';
import { startNodeAgent, type NodeAgent } from './agent';
import { ContainerStartError, ImagePullError, ensureSandbox, listSandboxes, removeSandbox, sandboxName, type ContainerdRuntime, type Sandbox } from './containerd';
import { sandboxOf } from './containerd/sandbox';
import { containerdStreamTarget } from './containerd/stream-target';
import { serveNodeStreams } from './streams/node-streams';
import { describeHost } from './host-node';
import type { ObjectLookups, SecretData } from './kubelet/config-sources';
import { containerLaunch } from './kubelet/container-spec';
import type { StartError, StartErrorReason } from './kubelet/container-actions';
import { kubeletEvent } from './kubelet/pod-commands';
import { planPodSync } from './kubelet/pod-sync';
import { runProbe } from './kubelet/probe-runner';
import { emptyProbeTracker, recordProbeResult, type DueProbe, type ProbeTracker } from './kubelet/probes';
import type { ObservedContainer, RuntimeAction } from './kubelet/types';
import { planVolumes } from './kubelet/volumes';
import { materialize, prepareSubPaths, removePodDir } from './kubelet/volume-files';
import { nodeObject } from './node-object';
import { pullBackOffMs } from './image/pull-policy';
import { podCIDRsOf } from '../actors/controllers/node-ipam';
import { parseCidr } from '../netd/cidr';
import { allocate, gatewayOf, ipamStateFor, podIPsInUse, release as releaseIP, type IpamState } from '../netd/ipam';
import { loadIpamState, saveIpamState } from '../netd/ipam-store';
import { attachPod, DEFAULT_BRIDGE, DEFAULT_SERVICE_CIDR, detachPod, ensureBlackholes, ensureBridge, ipRunner, removeBlackholes, removeBridge, type IpRunner } from '../netd/pod-network';

/**
 * A real worker node: the node agent (agent.ts) with containerd underneath. Each pass over a pod
 * plans from what containerd has for it (runtime/kubelet, pure), then carries the plan out here:
 * the pod's network namespace and volumes, container starts (image, env, mounts, limits), stops
 * with grace and preStop, removals, probes; containerd's exit and OOM events bring the pod back
 * for another pass. Nothing here decides what a pod should look like.
 */
export type ContainerdNodeOptions = Readonly<{
  name: string;
  /** pods/<uid>/ (volumes) live under it. */
  dataDir: string;
  /** The node's InternalIP. */
  ip: string;
  log: EventLog;
  projection: ObjectsProjection;
  bus: CommandBus;
  runtime: ContainerdRuntime;
  /** e.g. containerd://1.6.20 */
  runtimeVersion: string;
  /** Opens a stored (sealed) Secret for env and volumes; absent → secret references fail to resolve. */
  openSecret?: (secret: KubeObject) => KubeObject;
  heartbeatIntervalMs?: number;
  clock?: () => number;
  /**
   * The pod network (netd/pod-network.ts): a bridge with the node's podCIDR gateway, a veth per pod,
   * pod IPs from netd/ipam.ts kept in `<dataDir>/ipam.json`. Absent: pods have loopback only.
   */
  podNetwork?: PodNetworkOptions;
}>;

export type PodNetworkOptions = Readonly<{
  /** Default skiff0. */
  bridgeName?: string;
  /** Gets a blackhole route (default 10.244.0.0/16, the control plane's default). */
  clusterCIDR?: string;
  /** Gets a blackhole route (default 10.96.0.0/12). */
  serviceCIDR?: string;
  ip?: IpRunner;
}>;

/** How often a pod waiting for the node's podCIDR is looked at again. */
const POD_CIDR_RETRY_MS = 1_000;

type KubeletPlan = Plan & Readonly<{ actions: readonly RuntimeAction[]; probes: readonly DueProbe[] }>;

/** Pods a node works on at once: starts and stops wait on containerd, probes on the pods. */
const POD_WORKERS = 16;
/** How long a failed pull shows as ErrImagePull before it reads ImagePullBackOff (the kubelet's next sync). */
const PULL_ERROR_SHOWN_MS = 1_000;
const HOUSEKEEPING_MS = 10_000;
/** A container whose configuration or volumes are not there yet is tried again this often (the kubelet's sync period is 10 s). */
const CONFIG_RETRY_MS = 10_000;

export type ContainerdNode = NodeAgent & Readonly<{
  /** After a clean stop, once containerd has ended the containers: removes their pods' network namespaces. */
  release: () => Promise<void>;
  /** After a clean stop: removes the bridge and the blackhole routes (the IPAM state stays on disk). */
  releaseNetwork: () => Promise<void>;
  /** The pod IPs this node has handed out, by pod uid. */
  podIPs: () => ReadonlyMap<string, string>;
}>;

export async function startContainerdNode(opts: ContainerdNodeOptions): Promise<ContainerdNode> {
  const clock = opts.clock ?? Date.now;
  const { runtime } = opts;
  const { store } = opts.projection;
  const observed = new Map<string, ObservedContainer[]>();
  const podKeys = new Map<string, { namespace: string; name: string }>();
  const trackers = new Map<string, ProbeTracker>();
  /** By pod uid, by container: why its last start did not happen, and pulls failed in a row. */
  const startErrors = new Map<string, Map<string, StartError>>();
  const pullFailures = new Map<string, Map<string, number>>();
  const sandboxes = new Map<string, Sandbox>();
  const podDir = (uid: string) => join(opts.dataDir, 'pods', uid);

  // The pod network: set up once the Node has a podCIDR; IPAM changes one at a time.
  const netOpts = opts.podNetwork;
  const ipRun = netOpts?.ip ?? ipRunner();
  const bridge = netOpts?.bridgeName ?? DEFAULT_BRIDGE;
  const blackholes = [netOpts?.serviceCIDR ?? DEFAULT_SERVICE_CIDR, netOpts?.clusterCIDR ?? '10.244.0.0/16'];
  const ipamPath = join(opts.dataDir, 'ipam.json');
  const podIPs = new Map<string, string>();
  /** By pod uid: its address assigned and veth attached (or being so). */
  const connected = new Map<string, Promise<void>>();
  type NodeNet = Readonly<{ podCIDR: string; prefixLength: number; gateway: string }>;
  let ipamState: IpamState | undefined;
  let netReady: Promise<NodeNet> | undefined;
  let ipamQueue: Promise<unknown> = Promise.resolve();
  let toldWaiting = false;
  const serially = <T>(fn: () => Promise<T>): Promise<T> => {
    const next = ipamQueue.then(fn, fn);
    ipamQueue = next.catch(() => undefined);
    return next;
  };
  const nodePodCIDR = (): string | undefined => {
    const node = store.get({ group: '', resource: 'nodes', namespace: '', name: opts.name })?.object;
    return node ? podCIDRsOf(node).find((c) => !c.includes(':')) : undefined;
  };
  /** The node's network, being set up or ready; undefined while the Node has no podCIDR. */
  const network = (): Promise<NodeNet> | undefined => {
    if (!netOpts) return undefined;
    if (netReady) return netReady;
    const podCIDR = nodePodCIDR();
    if (!podCIDR) return undefined;
    netReady = (async () => {
      const prefixLength = parseCidr(podCIDR, { canonical: true }).prefix;
      const gateway = gatewayOf(podCIDR);
      await ensureBlackholes(blackholes, ipRun);
      await ensureBridge({ name: bridge, gatewayCIDR: `${gateway}/${prefixLength}` }, ipRun);
      await serially(async () => {
        ipamState = ipamStateFor(podCIDR, await loadIpamState(ipamPath));
        for (const [ip, owner] of Object.entries(ipamState.reservations)) podIPs.set(owner, ip);
      });
      return { podCIDR, prefixLength, gateway };
    })();
    netReady.then(() => {
      for (const key of podKeys.values()) agent.poke(key);
    }, (err: Error) => {
      netReady = undefined;
      process.stderr.write(`node ${opts.name}: pod network on ${podCIDR} failed: ${err.message}\n`);
    });
    return netReady;
  };
  /** The pod's IP (the one it holds, or the next free one, saved before it is used). */
  const assignIP = (uid: string): Promise<string> => serially(async () => {
    const inUse: string[] = [];
    for (const key of store.keysOfPodsOn(opts.name)) {
      const p = store.getByKey(key)?.object;
      if (p && p.metadata.uid !== uid) inUse.push(...podIPsInUse([{ status: p.status }]));
    }
    const got = allocate(ipamState as IpamState, uid, inUse);
    if (got.state !== ipamState) await saveIpamState(ipamPath, got.state);
    ipamState = got.state;
    podIPs.set(uid, got.ip);
    return got.ip;
  });
  const releasePodIP = (uid: string): Promise<void> => serially(async () => {
    podIPs.delete(uid);
    if (!ipamState) return;
    const next = releaseIP(ipamState, uid);
    if (next !== ipamState) await saveIpamState(ipamPath, next);
    ipamState = next;
  });
  /** The pod's eth0 on the bridge; false while the node has no podCIDR. */
  const connect = async (uid: string, netnsName: string): Promise<boolean> => {
    const pending = network();
    if (!pending) return false;
    const net = await pending;
    let done = connected.get(uid);
    if (!done) {
      done = (async () => {
        const podIP = await assignIP(uid);
        await attachPod({ netnsName, podIP, prefixLength: net.prefixLength, gateway: net.gateway, bridge }, ipRun);
      })();
      connected.set(uid, done);
      done.catch(() => connected.delete(uid));
    }
    await done;
    return true;
  };

  // One listing at a time, and one more queued behind it: concurrent ones could finish out of order
  // and leave an older view in place of a newer one.
  let listing: Promise<void> | undefined;
  let queued: Promise<void> | undefined;
  const load = async (): Promise<void> => {
    const all = await runtime.list();
    observed.clear();
    for (const c of all) observed.set(c.podUid, [...(observed.get(c.podUid) ?? []), c]);
  };
  const refresh = (): Promise<void> => {
    if (!listing) {
      listing = load().finally(() => (listing = undefined));
      return listing;
    }
    queued ??= listing.catch(() => undefined).then(() => {
      queued = undefined;
      return refresh();
    });
    return queued;
  };
  await refresh();
  // Adopted pods keep the network namespaces their containers run in.
  const existing = new Set((await listSandboxes()).map((sb) => sb.name));
  for (const uid of observed.keys()) if (existing.has(sandboxName(uid))) sandboxes.set(uid, sandboxOf(sandboxName(uid)));

  const lookups: ObjectLookups = {
    configMap: (namespace, name) => store.get({ group: '', resource: 'configmaps', namespace, name })?.object,
    secret: (namespace, name) => {
      const stored = store.get({ group: '', resource: 'secrets', namespace, name })?.object;
      return stored && opts.openSecret ? (opts.openSecret(stored) as SecretData) : undefined;
    },
  };

  const planPod = (pod: KubeObject, _node: KubeObject, nowMs: number): KubeletPlan => {
    const uid = pod.metadata.uid as string;
    podKeys.set(uid, { namespace: pod.metadata.namespace as string, name: pod.metadata.name as string });
    // Adopted pods get their addresses back (and their veths re-attached) once the network is up.
    void network()?.then(() => (sandboxes.has(uid) && !connected.has(uid) ? connect(uid, sandboxName(uid)) : undefined)).catch(() => undefined);
    const podIP = podIPs.get(uid);
    const sync = planPodSync({
      pod, containers: observed.get(uid) ?? [], nowMs, probes: trackers.get(uid), startErrors: Object.fromEntries(startErrors.get(uid) ?? []),
      hostIPs: [opts.ip], runtimeName: 'containerd', ...(podIP ? { podIPs: [podIP] } : {}),
    });
    return { ...sync.plan, actions: sync.actions, probes: sync.probes };
  };

  /** Starts one container; what keeps it from starting is remembered for the next plan (and said as an event). */
  const start = async (pod: KubeObject, action: Extract<RuntimeAction, { kind: 'start' }>): Promise<PlannedCommand[]> => {
    const uid = pod.metadata.uid as string;
    const namespace = pod.metadata.namespace as string;
    const blocked = (reason: StartErrorReason, message: string, retryInMs: number): PlannedCommand[] => {
      startErrors.set(uid, (startErrors.get(uid) ?? new Map()).set(action.container, { reason, message, retryAtMs: clock() + retryInMs }));
      const key = podKeys.get(uid);
      if (key) setTimeout(() => agent.poke(key), retryInMs).unref();
      return [];
    };
    if (netOpts && !network()) {
      if (!toldWaiting) process.stderr.write(`node ${opts.name}: pods wait for the node's spec.podCIDR (the node IPAM controller assigns it)\n`);
      toldWaiting = true;
      return blocked('ContainerCreating', `node ${opts.name} has no spec.podCIDR yet: waiting for the node IPAM controller`, POD_CIDR_RETRY_MS);
    }
    const sandbox = sandboxes.get(uid) ?? (await ensureSandbox(uid));
    sandboxes.set(uid, sandbox);
    if (netOpts) await connect(uid, sandbox.name);
    const volumes = planVolumes(pod, podDir(uid), lookups);
    const mounted = volumes.ok ? await materialize(volumes) : volumes;
    if (!mounted.ok) {
      const message = mounted.failures.map((f) => f.message).join('; ');
      blocked('ContainerCreating', message, CONFIG_RETRY_MS);
      return [kubeletEvent(pod, { type: 'Warning', reason: 'FailedMount', message }, clock())];
    }
    const configured = containerLaunch({ pod, containerName: action.container, init: action.init, podDir: podDir(uid), lookups, hostIPs: [opts.ip] });
    if (!configured.ok) return blocked('CreateContainerConfigError', configured.message, CONFIG_RETRY_MS);
    const mounts = await prepareSubPaths(configured.launch.mounts, action.container);
    if (!mounts.ok) return blocked('CreateContainerConfigError', mounts.message, CONFIG_RETRY_MS);
    const { launch } = configured;
    try {
      const started = await runtime.start({
        pod: { uid, namespace, name: pod.metadata.name as string, netnsPath: sandbox.path },
        container: {
          name: launch.name, image: launch.image, imagePullPolicy: launch.imagePullPolicy,
          ...(launch.command ? { command: launch.command } : {}), ...(launch.args ? { args: launch.args } : {}),
          env: launch.env.map(([name, value]) => ({ name, value })),
          ...(launch.workingDir ? { workingDir: launch.workingDir } : {}),
          mounts: mounts.mounts.map((m) => ({ hostPath: m.hostPath, containerPath: m.containerPath, readOnly: m.readOnly })),
          ...(launch.resources.memoryLimitBytes ? { memoryLimitBytes: launch.resources.memoryLimitBytes } : {}),
          ...(launch.resources.cpuQuotaMicros ? { cpuLimitMillis: launch.resources.cpuQuotaMicros / 100 } : {}),
        },
        attempt: action.attempt,
        init: action.init,
      });
      // What the start returned is the newest word on this container: no need to list them all again.
      observed.set(uid, [...(observed.get(uid) ?? []).filter((o) => o.id !== started.id), started]);
      startErrors.get(uid)?.delete(action.container);
      pullFailures.get(uid)?.delete(action.container);
    } catch (err) {
      // A process that could not start is an exited attempt containerd lists (code 128, its message).
      if (err instanceof ContainerStartError) return [];
      if (!(err instanceof ImagePullError)) throw err;
      const failures = (pullFailures.get(uid)?.get(action.container) ?? 0) + 1;
      pullFailures.set(uid, (pullFailures.get(uid) ?? new Map()).set(action.container, failures));
      if (err.reason === 'ErrImageNeverPull') return blocked('ErrImageNeverPull', err.message, pullBackOffMs(failures));
      // ErrImagePull now; the kubelet's next look, during the back-off, says ImagePullBackOff.
      blocked('ErrImagePull', err.message, pullBackOffMs(failures));
      setTimeout(() => {
        const current = startErrors.get(uid)?.get(action.container);
        if (current?.reason !== 'ErrImagePull') return;
        startErrors.get(uid)?.set(action.container, { ...current, reason: 'ImagePullBackOff', message: `Back-off pulling image "${launch.image}"` });
        const key = podKeys.get(uid);
        if (key) agent.poke(key);
      }, PULL_ERROR_SHOWN_MS).unref();
    }
    return [];
  };

  const stop = async (action: Extract<RuntimeAction, { kind: 'stop' }>): Promise<void> => {
    if (action.preStop && action.preStop.length > 0) {
      // The hook runs first and its time counts against the grace period, as the kubelet does it.
      const began = clock();
      const hook = runtime.exec(action.id, action.preStop);
      await Promise.race([hook.exitCode.catch(() => -1), new Promise((ok) => setTimeout(ok, action.graceMs).unref())]);
      await runtime.stop(action.id, Math.max(0, action.graceMs - (clock() - began)));
      return;
    }
    await runtime.stop(action.id, action.graceMs);
  };

  const probe = async (pod: KubeObject, due: DueProbe): Promise<PlannedCommand | undefined> => {
    const uid = pod.metadata.uid as string;
    const outcome = await runProbe(due.spec.action, due.spec.timeoutMs, {
      netnsPath: sandboxes.get(uid)?.path,
      exec: async (argv, timeoutMs) => {
        const run = runtime.exec(due.containerId, argv);
        let output = '';
        run.process.stdout?.on('data', (d: Buffer) => (output += d.toString()));
        run.process.stderr?.on('data', (d: Buffer) => (output += d.toString()));
        const timer = setTimeout(() => run.process.kill('SIGKILL'), timeoutMs);
        try {
          return { exitCode: await run.exitCode, output };
        } finally {
          clearTimeout(timer);
        }
      },
    });
    const recorded = recordProbeResult(trackers.get(uid) ?? emptyProbeTracker, due, outcome, clock());
    trackers.set(uid, recorded.tracker);
    return recorded.event ? kubeletEvent(pod, recorded.event, clock()) : undefined;
  };

  const act = async (pod: KubeObject, plan: KubeletPlan): Promise<readonly PlannedCommand[]> => {
    const uid = pod.metadata.uid as string;
    if (plan.actions.length === 0 && plan.probes.length === 0) {
      // A deleted pod that never got a container (its configuration was missing) still has a namespace.
      if (pod.metadata.deletionTimestamp && (observed.get(uid) ?? []).length === 0 && sandboxes.has(uid)) await forgetPod(uid);
      return [];
    }
    const of = <K extends RuntimeAction['kind']>(kind: K) => plan.actions.filter((a): a is Extract<RuntimeAction, { kind: K }> => a.kind === kind);
    await Promise.all(of('stop').map(stop));
    await Promise.all(of('remove').map((a) => runtime.remove(a.id)));
    const found: PlannedCommand[] = [];
    for (const a of of('start')) found.push(...(await start(pod, a)));
    for (const c of await Promise.all(plan.probes.map((p) => probe(pod, p)))) if (c) found.push(c);
    // Stops and removes change what containerd has in ways only a listing shows; starts said it themselves.
    const startsSeen = of('start').every((a) => (observed.get(uid) ?? []).some((o) => o.name === a.container && o.attempt === a.attempt));
    if (of('stop').length > 0 || of('remove').length > 0 || !startsSeen) await refresh();
    // A deleted pod whose containers are all gone: its namespace and volumes go too.
    if (pod.metadata.deletionTimestamp && (observed.get(uid) ?? []).length === 0) await forgetPod(uid);
    agent.poke({ namespace: pod.metadata.namespace as string, name: pod.metadata.name as string });
    return found;
  };

  const forgetPod = async (uid: string): Promise<void> => {
    if (netOpts) {
      await detachPod(sandboxName(uid), ipRun).catch(() => undefined);
      connected.delete(uid);
      await releasePodIP(uid).catch(() => undefined);
    }
    await removeSandbox(sandboxName(uid)).catch(() => undefined);
    await removePodDir(podDir(uid)).catch(() => undefined);
    sandboxes.delete(uid);
    trackers.delete(uid);
    startErrors.delete(uid);
    pullFailures.delete(uid);
  };

  const node = nodeObject(opts.name, clock(), describeHost({ dataDir: opts.dataDir, ip: opts.ip, runtimeVersion: opts.runtimeVersion }), { 'skiff.dev/runtime': 'containerd' });
  const agent = await startNodeAgent<KubeletPlan>({
    nodes: [node], log: opts.log, projection: opts.projection, bus: opts.bus, planPod, act,
    heartbeatIntervalMs: opts.heartbeatIntervalMs, workers: POD_WORKERS, clock,
  });

  // containerd saw a container start, exit or get OOM-killed: look at its pod again.
  // `kubectl logs` / `kubectl exec` for this node's pods, asked by the API over NATS.
  const streams = serveNodeStreams(opts.log.nc, opts.name, containerdStreamTarget(runtime, (uid) => observed.get(uid) ?? [], (uid) => sandboxes.get(uid)));

  const unsubscribe = runtime.subscribe((change) => {
    void refresh().then(() => {
      for (const [uid, containers] of observed) {
        const key = podKeys.get(uid);
        if (key && containers.some((c) => c.id === change.id)) agent.poke(key);
      }
    }).catch(() => undefined);
  });

  // Housekeeping, as the kubelet's: containers and namespaces of pods that are gone from the store
  // (force-deleted, or deleted while this agent was down) are removed.
  const housekeeping = setInterval(() => {
    void (async () => {
      const live = new Set<string>();
      for (const key of store.keysOfPodsOn(opts.name)) {
        const uid = store.getByKey(key)?.object.metadata.uid;
        if (uid) live.add(uid);
      }
      for (const uid of sandboxes.keys()) if (!live.has(uid) && !observed.has(uid)) await forgetPod(uid);
      for (const [uid, containers] of observed) {
        if (live.has(uid)) continue;
        await Promise.all(containers.map(async (c) => {
          await runtime.stop(c.id, 0).catch(() => undefined);
          await runtime.remove(c.id).catch(() => undefined);
        }));
        await forgetPod(uid);
      }
      await refresh();
    })().catch(() => undefined);
  }, HOUSEKEEPING_MS);
  housekeeping.unref();

  return {
    ...agent,
    stop: () => {
      clearInterval(housekeeping);
      streams.stop();
      unsubscribe();
      agent.stop();
    },
    release: async () => {
      for (const uid of new Set([...observed.keys(), ...sandboxes.keys()])) {
        if (netOpts) await detachPod(sandboxName(uid), ipRun).catch(() => undefined);
        await removeSandbox(sandboxName(uid)).catch(() => undefined);
      }
    },
    releaseNetwork: async () => {
      if (!netOpts) return;
      await netReady?.catch(() => undefined);
      await removeBridge(bridge, ipRun).catch(() => undefined);
      await removeBlackholes(blackholes, ipRun);
      connected.clear();
      netReady = undefined;
    },
    podIPs: () => podIPs,
  };
}
