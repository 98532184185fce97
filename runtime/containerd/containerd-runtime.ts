/**
 * The runtime side of the node agent on containerd, through `ctr`: images, containers for
 * (pod, container, attempt), stop with grace, remove, list (ObservedContainers rebuilt from labels,
 * so a restarted agent adopts what runs), exec and logs.
 *
 * Exits come from a `ctr events` child (events.ts): exit status and time, OOM. On an init process's
 * exit the runtime writes them onto the container as labels (durable) and deletes the task, as
 * containerd's CRI does, so its shim goes away. A task found stopped with nothing known about its
 * end (it ended while no agent listened) is reaped by `ctr tasks delete`, which reports its status.
 */
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, rm, rmdir } from 'node:fs/promises';
import { constants } from 'node:os';
import { dirname } from 'node:path';
import * as pty from 'node-pty';
import type { ObservedContainer } from '../kubelet/types';
import { oomKilledInCgroup } from './cgroup';
import { containerId, containerLogPath, ctrRunArgs, type StartSpec } from './container-spec';
import { createCtr, ctrCalls, type Ctr } from './ctr';
import { TaskStatus, type ContainerInfo, type ImageProcessConfig, type TaskEvent, type TaskRow } from './ctr-output';
import { ContainerStartError, CtrError, CtrErrorKind, ctrMessage } from './errors';
import { followTaskEvents, type TaskEventStream } from './events';
import { defaultPullPolicy, PullPolicy } from '../image/pull-policy';
import { ensureImage as ensureImageWith, readImageConfig, type ResolvedImage, type PullOptions } from './images';
import { containerLabels, exitLabels, isSkiffContainer, LABEL, observe, STOP_SIGNAL_LABEL, type ExitRecord } from './labels';
import { needsImageDefaults, processArgs } from './process-args';

export type ContainerdRuntimeConfig = Readonly<{
  /** containerd's socket (daemon.ts `ensureContainerd().address`). */
  address: string;
  /** The containerd namespace all of this agent's containers live in. */
  namespace: string;
  /** Root of the container log files (`<logRoot>/<ns>_<pod>_<uid>/<container>/<attempt>.log`). */
  logRoot: string;
  ctrBinary?: string;
  pull?: PullOptions;
  /** ms since the epoch; injectable for tests. */
  now?: () => number;
  /** How often a stop falls back to `ctr tasks ls` when no exit event came (events can be missed). */
  exitPollMs?: number;
}>;

/** Something changed for a container: a good moment to list() again. */
export type RuntimeChange = Readonly<{ id: string; kind: 'start' | 'exit' | 'oom' }>;

export type ExecPipes = Readonly<{ tty: false; execId: string; process: ChildProcess; exitCode: Promise<number> }>;
export type ExecTty = Readonly<{ tty: true; execId: string; pty: pty.IPty; exitCode: Promise<number> }>;

/** What this instance learned from events or did itself, ahead of (or instead of) the labels. */
type Seen = { startedAtMs?: number; exit?: ExitRecord; oom?: boolean };

/** Exit code Docker and containerd's CRI give a process that could not be started. */
const START_FAILED_EXIT_CODE = 128;
const LIST_CONCURRENCY = 4;

export class ContainerdRuntime {
  private readonly infos = new Map<string, ContainerInfo>();
  private readonly seen = new Map<string, Seen>();
  /** Ids whose `ctr run` is in flight: their container may not be listed yet, their events already count. */
  private readonly starting = new Set<string>();
  private readonly exitWaiters = new Map<string, Set<() => void>>();
  private readonly queues = new Map<string, Promise<void>>();
  private readonly images = new Map<string, ResolvedImage>();
  private readonly imageConfigs = new Map<string, Promise<ImageProcessConfig>>();
  private readonly listeners = new Set<(c: RuntimeChange) => void>();
  private readonly now: () => number;
  private events: TaskEventStream | undefined;
  private execCount = 0;

  private constructor(private readonly config: ContainerdRuntimeConfig, readonly ctr: Ctr) {
    this.now = config.now ?? Date.now;
  }

  /** Connects and follows the namespace's task events; resolves once they flow. */
  static async open(config: ContainerdRuntimeConfig): Promise<ContainerdRuntime> {
    const runtime = new ContainerdRuntime(config, createCtr({ address: config.address, namespace: config.namespace, ...(config.ctrBinary ? { binary: config.ctrBinary } : {}) }));
    runtime.events = followTaskEvents(runtime.ctr, (e) => runtime.onTaskEvent(e));
    try {
      await runtime.events.ready;
    } catch (err) {
      await runtime.events.close();
      throw err;
    }
    return runtime;
  }

  /** Stops following events and waits for pending label writes. Containers keep running. */
  async close(): Promise<void> {
    await this.events?.close();
    await Promise.all([...this.queues.values()]);
  }

  subscribe(listener: (change: RuntimeChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Makes the image present per policy; throws ImagePullError (ErrImagePull / ErrImageNeverPull). */
  async ensureImage(image: string, pullPolicy: PullPolicy): Promise<ResolvedImage> {
    const cached = this.images.get(image);
    if (cached && pullPolicy !== PullPolicy.Always) return cached;
    const resolved = await ensureImageWith(this.ctr, image, pullPolicy, this.config.pull);
    this.images.set(image, resolved);
    return resolved;
  }

  /** Creates and starts attempt `spec.attempt` of the container; throws ContainerStartError when its process could not start. */
  async start(spec: StartSpec): Promise<ObservedContainer> {
    const c = spec.container;
    const image = await this.ensureImage(c.image, c.imagePullPolicy ?? defaultPullPolicy(c.image));
    const argv = processArgs(c, needsImageDefaults(c) ? await this.imageConfig(image.digest) : undefined);
    const id = containerId(spec.pod.uid, c.name, spec.attempt);
    const logPath = containerLogPath(this.config.logRoot, spec.pod, c.name, spec.attempt);
    await mkdir(dirname(logPath), { recursive: true });
    const labels = containerLabels(spec, image, logPath);
    const args = ctrRunArgs({ id, imageRef: image.ref, argv, labels, logPath, container: c, ...(spec.pod.netnsPath ? { netnsPath: spec.pod.netnsPath } : {}) });
    this.starting.add(id);
    try {
      await this.ctr.run(args);
    } catch (err) {
      throw await this.startFailed(id, image, err);
    } finally {
      this.starting.delete(id);
    }
    const startedAtMs = this.now();
    this.seenOf(id).startedAtMs = startedAtMs;
    // Durable for adoption; off the start path (a restart before it lands falls back to the container's creation time).
    this.background(id, () => this.writeLabels(id, { [LABEL.startedAt]: String(startedAtMs) }));
    return observe({ id, labels, task: { id, pid: 0, status: TaskStatus.Running }, startedAtMs });
  }

  /** SIGTERM (or the image's STOPSIGNAL), up to graceMs for the exit, then SIGKILL. Resolves once the process is gone. */
  async stop(id: string, graceMs: number): Promise<void> {
    if (this.seen.get(id)?.exit) return;
    // No task, or one already stopped, answers the kill with "not found": nothing to stop.
    const info = await this.info(id).catch(() => undefined);
    const signal = info?.labels[STOP_SIGNAL_LABEL] || 'SIGTERM';
    if (graceMs > 0) {
      if (!(await this.kill(id, signal))) return;
      if (await this.waitForExit(id, graceMs)) return;
    }
    if (!(await this.kill(id, 'SIGKILL'))) return;
    if (!(await this.waitForExit(id, 10_000))) throw new Error(`container ${id} did not exit 10 s after SIGKILL`);
  }

  /** Deletes the task (killing it if it still runs), the container, its snapshot and its log file. */
  async remove(id: string): Promise<void> {
    const info = await this.info(id).catch(() => undefined);
    await this.enqueue(id, async () => {
      await ignoreNotFound(ctrCalls.deleteTask(this.ctr, id, true));
      await ignoreNotFound(this.ctr.run(['containers', 'delete', id]));
    });
    const logPath = info?.labels[LABEL.logPath];
    if (logPath) {
      await rm(logPath, { force: true });
      // The container's and then the pod's log dir, when nothing else is left in them.
      await rmdir(dirname(logPath)).then(() => rmdir(dirname(dirname(logPath)))).catch(() => undefined);
    }
    this.infos.delete(id);
    this.seen.delete(id);
  }

  /** Every skiff container of the namespace, as it is now. */
  async list(): Promise<ObservedContainer[]> {
    // A start that finishes while this list runs is newer than the task table read here: such a
    // container is running, not a container that lost its task.
    const begunAtMs = this.now();
    const startingNow = new Set(this.starting);
    const [ids, tasks] = await Promise.all([ctrCalls.containerIds(this.ctr, [`labels."${LABEL.podUid}"`]), ctrCalls.tasks(this.ctr)]);
    const present = new Set(ids);
    for (const known of this.infos.keys()) if (!present.has(known)) this.infos.delete(known);
    // What events told us of containers that are gone (a late exit after a remove).
    for (const known of this.seen.keys()) if (!present.has(known) && !this.starting.has(known) && !this.queues.has(known)) this.seen.delete(known);
    const byId = new Map(tasks.map((t) => [t.id, t]));
    const infos = await mapLimit(ids, LIST_CONCURRENCY, (id) => this.info(id).catch((e: unknown) => (isNotFound(e) ? undefined : Promise.reject(e))));
    const out = await mapLimit(infos, LIST_CONCURRENCY, async (info) => {
      if (!info || !isSkiffContainer(info.labels)) return undefined;
      const startedAtMs = this.seen.get(info.id)?.startedAtMs;
      const startedDuringList = startingNow.has(info.id) || (startedAtMs !== undefined && startedAtMs >= begunAtMs);
      const task = byId.get(info.id) ?? (startedDuringList && startedAtMs !== undefined ? { id: info.id, pid: 0, status: TaskStatus.Running } : undefined);
      if (task?.status === TaskStatus.Stopped && !this.exitKnown(info)) await this.settleStopped(info.id);
      // An exit we know of outranks a task row read before it.
      return this.observed(info, this.seen.get(info.id)?.exit ? undefined : task);
    });
    return out.filter((c): c is ObservedContainer => c !== undefined).sort((a, b) => a.id.localeCompare(b.id));
  }

  /** The container's log file (stdout and stderr, as written). */
  async logPath(id: string): Promise<string> {
    const path = (await this.info(id)).labels[LABEL.logPath];
    if (!path) throw new Error(`container ${id} has no log path label`);
    return path;
  }

  /** Runs argv in the container: pipes (stdin, stdout, stderr) or, with tty, a pseudo-terminal (node-pty). */
  exec(id: string, argv: readonly string[], opts: { tty: true; cols?: number; rows?: number }): ExecTty;
  exec(id: string, argv: readonly string[], opts?: { tty?: false }): ExecPipes;
  exec(id: string, argv: readonly string[], opts: { tty?: boolean; cols?: number; rows?: number } = {}): ExecPipes | ExecTty {
    if (argv.length === 0) throw new Error('exec needs a command');
    const execId = `exec-${++this.execCount}-${randomBytes(4).toString('hex')}`;
    const args = ['tasks', 'exec', ...(opts.tty ? ['--tty'] : []), '--exec-id', execId, id, ...argv];
    if (opts.tty) {
      // Bytes, not text: a terminal carries whatever the program writes.
      const term = pty.spawn(this.ctr.binary, this.ctr.argv(args), { name: 'xterm', cols: opts.cols ?? 80, rows: opts.rows ?? 24, env: process.env as Record<string, string>, encoding: null });
      const exitCode = new Promise<number>((ok) => term.onExit((e) => ok(e.signal ? 128 + e.signal : e.exitCode)));
      return { tty: true, execId, pty: term, exitCode };
    }
    const child = this.ctr.spawn(args, { stdio: ['pipe', 'pipe', 'pipe'] });
    const exitCode = new Promise<number>((ok) => {
      child.once('error', () => ok(START_FAILED_EXIT_CODE));
      child.once('close', (code, sig) => ok(code ?? 128 + (sig ? (constants.signals[sig] ?? 0) : 0)));
    });
    return { tty: false, execId, process: child, exitCode };
  }

  // ——— events ———

  private onTaskEvent(e: TaskEvent): void {
    const seen = this.seenOf(e.containerId);
    switch (e.kind) {
      case 'start':
        seen.startedAtMs ??= e.atMs;
        break;
      case 'oom':
        seen.oom = true;
        if (seen.exit && !seen.exit.oomKilled) {
          seen.exit = { ...seen.exit, oomKilled: true };
          this.background(e.containerId, () => this.writeLabels(e.containerId, { [LABEL.oomKilled]: 'true' }));
        }
        break;
      case 'exit': {
        if (e.processId !== e.containerId) return; // an exec'd process; exec() reports its own
        const exit: ExitRecord = { exitCode: e.exitCode, finishedAtMs: e.exitedAtMs, oomKilled: Boolean(seen.oom) };
        seen.exit = exit;
        this.resolveExit(e.containerId);
        this.background(e.containerId, () => this.recordExit(e.containerId, exit));
        break;
      }
    }
    for (const l of this.listeners) l({ id: e.containerId, kind: e.kind });
  }

  /** Exit labels onto the container, then the task deleted (its shim ends, its rootfs unmounts). */
  private async recordExit(id: string, exit: ExitRecord): Promise<void> {
    const info = await this.info(id).catch(() => undefined);
    if (!info || !isSkiffContainer(info.labels)) return;
    await this.writeLabels(id, exitLabels(this.seen.get(id)?.exit ?? exit));
    await ignoreNotFound(ctrCalls.deleteTask(this.ctr, id));
  }

  /** A stopped task nobody told us about: give an in-flight event a moment, else reap it for its status. */
  private async settleStopped(id: string): Promise<void> {
    if (await this.waitForExit(id, 300, false)) return;
    await this.enqueue(id, async () => {
      if (this.seen.get(id)?.exit) return;
      const { cgroupsPath } = await ctrCalls.containerInfo(this.ctr, id);
      const oomKilled = Boolean(this.seen.get(id)?.oom) || (await oomKilledInCgroup(cgroupsPath));
      const exitCode = await ctrCalls.deleteTask(this.ctr, id);
      // The real exit time ended with the task's shim; when we noticed is the best we know.
      const exit: ExitRecord = { exitCode, finishedAtMs: this.now(), oomKilled };
      this.seenOf(id).exit ??= exit;
      await this.writeLabels(id, exitLabels(exit));
    });
    this.resolveExit(id);
  }

  // ——— helpers ———

  private observed(info: ContainerInfo, task: TaskRow | undefined): ObservedContainer {
    const seen = this.seen.get(info.id) ?? {};
    const startedAtMs = seen.startedAtMs ?? (Number(info.labels[LABEL.startedAt]) || (task || seen.exit || info.labels[LABEL.exitCode] ? info.createdAtMs : undefined));
    return observe({ id: info.id, labels: info.labels, ...(task ? { task } : {}), ...(startedAtMs ? { startedAtMs } : {}), ...(seen.exit ? { exit: seen.exit } : {}), ...(seen.oom ? { oomKilled: true } : {}) });
  }

  private exitKnown(info: ContainerInfo): boolean {
    return Boolean(this.seen.get(info.id)?.exit) || info.labels[LABEL.exitCode] !== undefined;
  }

  /** The container's record: labels never change behind our back (we are their only writer), so it is read once. */
  private async info(id: string): Promise<ContainerInfo> {
    const cached = this.infos.get(id);
    if (cached) return cached;
    const info = await ctrCalls.containerInfo(this.ctr, id);
    this.infos.set(id, info);
    return info;
  }

  private async writeLabels(id: string, labels: Readonly<Record<string, string>>): Promise<void> {
    await ignoreNotFound(ctrCalls.setLabels(this.ctr, id, labels));
    const cached = this.infos.get(id);
    if (cached) this.infos.set(id, { ...cached, labels: { ...cached.labels, ...labels } });
  }

  private async imageConfig(digest: string): Promise<ImageProcessConfig> {
    let config = this.imageConfigs.get(digest);
    if (!config) {
      config = readImageConfig(this.ctr, digest);
      this.imageConfigs.set(digest, config);
      config.catch(() => this.imageConfigs.delete(digest));
    }
    return config;
  }

  /** `ctr run` failed: if the container exists, it is one whose process could not start (exit 128, with the message). */
  private async startFailed(id: string, image: ResolvedImage, err: unknown): Promise<unknown> {
    if (!(err instanceof CtrError) || err.kind === CtrErrorKind.AlreadyExists) return err;
    if (/image .*not found/.test(err.stderr)) this.images.delete(image.image);
    const exists = await ctrCalls.containerInfo(this.ctr, id).then(() => true, () => false);
    if (!exists) return err;
    const message = ctrMessage(err.stderr) ?? err.message;
    const exit: ExitRecord = { exitCode: START_FAILED_EXIT_CODE, finishedAtMs: this.now(), oomKilled: false, message };
    this.seenOf(id).exit = exit;
    await this.enqueue(id, async () => {
      await this.writeLabels(id, exitLabels(exit));
      await ignoreNotFound(ctrCalls.deleteTask(this.ctr, id, true));
    });
    return new ContainerStartError(id, `failed to start container ${id}: ${message}`, { cause: err });
  }

  private async kill(id: string, signal: string): Promise<boolean> {
    try {
      await this.ctr.run(['tasks', 'kill', '--signal', signal, id]);
      return true;
    } catch (err) {
      if (isNotFound(err)) return false; // already finished or gone
      throw err;
    }
  }

  /** True once the container's init process has exited (event, or seen stopped by a poll), false after timeoutMs. */
  private async waitForExit(id: string, timeoutMs: number, poll = true): Promise<boolean> {
    const deadline = this.now() + timeoutMs;
    const pollMs = this.config.exitPollMs ?? 500;
    while (!this.seen.get(id)?.exit) {
      const left = deadline - this.now();
      if (left <= 0) return false;
      await new Promise<void>((ok) => {
        const waiters = this.exitWaiters.get(id) ?? new Set();
        this.exitWaiters.set(id, waiters);
        const done = () => {
          clearTimeout(timer);
          waiters.delete(done);
          ok();
        };
        const timer = setTimeout(done, poll ? Math.min(left, pollMs) : left);
        waiters.add(done);
      });
      if (this.seen.get(id)?.exit) return true;
      if (poll) {
        const task = (await ctrCalls.tasks(this.ctr)).find((t) => t.id === id);
        if (!task || task.status === TaskStatus.Stopped) return true;
      }
    }
    return true;
  }

  private resolveExit(id: string): void {
    for (const done of [...(this.exitWaiters.get(id) ?? [])]) done();
    this.exitWaiters.delete(id);
  }

  private seenOf(id: string): Seen {
    let s = this.seen.get(id);
    if (!s) this.seen.set(id, (s = {}));
    return s;
  }

  /** A job nobody waits for: its failure is dropped (labels are best effort; list() reconciles). */
  private background(id: string, job: () => Promise<void>): void {
    this.enqueue(id, job).catch(() => undefined);
  }

  /** Runs jobs for one container one after another (label writes, reaps, removal); a failed job does not block the next. */
  private enqueue(id: string, job: () => Promise<void>): Promise<void> {
    const result = (this.queues.get(id) ?? Promise.resolve()).then(job);
    const settled = result.catch(() => undefined);
    this.queues.set(id, settled);
    void settled.then(() => {
      if (this.queues.get(id) === settled) this.queues.delete(id);
    });
    return result;
  }
}

function isNotFound(err: unknown): boolean {
  return err instanceof CtrError && err.kind === CtrErrorKind.NotFound;
}

async function ignoreNotFound<T>(p: Promise<T>): Promise<T | undefined> {
  try {
    return await p;
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}

async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

