import { systemClock } from '../../eventlog/clock';
import type { ObjectsProjection } from '../../projections/objects.projection';
import type { Change } from '../../projections/object-store';
import type { CommandBus } from '../kernel/command-bus';
import type { Plan, PlannedCommand } from './plan';

/**
 * A reconciler, controller-runtime style: keys in, plans out. `keysFor` maps a change of any
 * object to the keys it concerns (the object itself, its owner, …); `plan` re-reads the views for
 * one key and says what to do. Level-triggered: the plan depends only on what the views hold now,
 * so a lost or repeated trigger is harmless, and a periodic resync catches anything missed.
 */
export type Reconciler<P extends Plan = Plan> = Readonly<{
  /** Who the commands are from (the `who` of every command), e.g. system:serviceaccount:kube-system:deployment-controller. */
  identity: string;
  /** Who the commands for one key are from, when that differs by key (a kubelet acts as `system:node:<its node>`). */
  identityOf?: (key: string) => string;
  keysFor: (change: Change) => readonly string[];
  /** Every key worth a look on a resync (and at start). */
  allKeys: () => readonly string[];
  plan: (key: string, nowMs: number) => P;
  /**
   * Side effects a plan asks for beyond commands — a kubelet's container starts and stops, its
   * probes — carried out before its commands go out; what they found out to report (a failed probe's
   * event) goes out with them. The plan stays pure data; only this touches the world.
   */
  act?: (key: string, plan: P) => Promise<readonly PlannedCommand[]>;
}>;

export type ControllerOptions = Readonly<{
  resyncMs: number;
  clock: () => number;
  /** Keys reconciled at once (controller-runtime's MaxConcurrentReconciles); one key is never reconciled twice at once. Default 1. */
  workers?: number;
}>;

/**
 * Drives one reconciler: a deduplicating queue (a key queued while it is being reconciled is
 * reconciled again afterwards, never twice at once), up to `workers` keys at a time, requeue
 * timers, a periodic resync. Commands go out through the command bus with the triggering event as
 * their causation.
 */
export class Controller<P extends Plan = Plan> {
  /** key → id of the latest event that made it worth a look. */
  private readonly queue = new Map<string, string>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly inFlight = new Set<string>();
  private workers = 0;
  private stopped = false;
  private unsubscribe?: () => void;
  private resync?: NodeJS.Timeout;
  private failWith!: (err: Error) => void;
  /** Resolves if reconciling fails for a reason other than a rejected command (a bug): the supervisor restarts it. */
  readonly failed: Promise<Error> = new Promise((ok) => (this.failWith = ok));

  constructor(
    private readonly reconciler: Reconciler<P>,
    private readonly projection: ObjectsProjection,
    private readonly bus: CommandBus,
    private readonly opts: ControllerOptions = { resyncMs: 30_000, clock: systemClock },
  ) {}

  start(): void {
    this.unsubscribe = this.projection.subscribe((change) => {
      for (const key of this.reconciler.keysFor(change)) this.enqueue(key, change.eventId);
    });
    this.resync = setInterval(() => this.enqueueAll(), this.opts.resyncMs);
    this.resync.unref();
    this.enqueueAll();
  }

  stop(): void {
    this.stopped = true;
    this.unsubscribe?.();
    if (this.resync) clearInterval(this.resync);
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
  }

  /** Reconciles a key soon, as if something it depends on had changed (for watchers outside the projection). */
  poke(key: string): void {
    this.enqueue(key, '');
  }

  /** Resolves once the queue is empty (for tests and orderly shutdown). */
  async idle(): Promise<void> {
    while (this.workers > 0 || this.queue.size > 0) await new Promise((r) => setTimeout(r, 5));
  }

  private enqueueAll(): void {
    for (const key of this.reconciler.allKeys()) this.enqueue(key, '');
  }

  private enqueue(key: string, causationId: string): void {
    if (this.stopped) return;
    this.queue.set(key, causationId || (this.queue.get(key) ?? ''));
    if (this.workers < (this.opts.workers ?? 1) && !this.inFlight.has(key)) void this.work();
  }

  /** The oldest queued key not being reconciled now (at most `workers` keys are skipped). */
  private next(): [string, string] | undefined {
    for (const entry of this.queue) if (!this.inFlight.has(entry[0])) return entry;
    return undefined;
  }

  private async work(): Promise<void> {
    this.workers++;
    try {
      for (let entry = this.next(); entry && !this.stopped; entry = this.next()) {
        const [key, causationId] = entry;
        this.queue.delete(key);
        this.inFlight.add(key);
        try {
          await this.reconcile(key, causationId);
        } finally {
          this.inFlight.delete(key);
        }
      }
    } catch (err) {
      this.failWith(err instanceof Error ? err : new Error(String(err)));
    } finally {
      this.workers--;
    }
  }

  private async reconcile(key: string, causationId: string): Promise<void> {
    const plan = this.reconciler.plan(key, this.opts.clock());
    const found = (await this.reconciler.act?.(key, plan)) ?? [];
    const who = this.reconciler.identityOf?.(key) ?? this.reconciler.identity;
    // Commands of one plan concern different objects: issue them together. A rejected command (a
    // conflict with a newer write, an object already gone) needs no handling here: its outcome
    // changes the views, which queues the key again.
    const outcomes = await Promise.all([...plan.commands, ...found].map((c) => this.bus.send(c.ref, c.payload, who, { causationId, reason: c.reason, detail: c.detail })));
    // The next plan must see this one's writes, or it would decide the same thing again.
    const last = Math.max(0, ...outcomes.map((o) => (o.ok ? o.seq : 0)));
    if (last > 0) await this.projection.waitFor(last, 10_000);
    if (plan.requeueAfterMs !== undefined) this.requeueAfter(key, plan.requeueAfterMs);
  }

  private requeueAfter(key: string, delayMs: number): void {
    clearTimeout(this.timers.get(key));
    const timer = setTimeout(() => {
      this.timers.delete(key);
      this.enqueue(key, '');
    }, delayMs);
    timer.unref();
    this.timers.set(key, timer);
  }
}
