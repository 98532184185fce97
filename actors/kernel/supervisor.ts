import { systemClock } from '../../eventlog/clock';
import { recordRestart, type RestartPolicy, type RestartWindow } from './restart-window';

/** A running child: it can be stopped, and `failed` resolves if it crashes on its own. */
export type Child = Readonly<{ stop: () => Promise<void>; failed: Promise<Error> }>;

export type ChildSpec = Readonly<{
  id: string;
  start: () => Promise<Child>;
}>;

export type SupervisorFact = Readonly<{
  type: 'supervisor.started' | 'supervisor.restarted' | 'supervisor.escalated' | 'supervisor.stopped';
  supervisor: string;
  child: string;
  reason?: string;
}>;

export type SupervisorSpec = Readonly<{
  name: string;
  /** rest_for_one: children depend on the ones started before them; a crash restarts it and everything after it. */
  strategy: 'rest_for_one' | 'one_for_one';
  restarts: RestartPolicy;
  children: readonly ChildSpec[];
  /** Every decision is reported here (the caller records it on the log). */
  record: (fact: SupervisorFact) => void;
  now?: () => number;
}>;

/**
 * An OTP-style supervisor for the long-lived parts of a process: children start in order and stop
 * in reverse; a crash restarts per strategy; more than `intensity` restarts within `periodMs` and the
 * supervisor gives up and escalates (its `failed` resolves).
 */
export class Supervisor {
  private readonly running: (Child | undefined)[] = [];
  private window: RestartWindow = [];
  private stopping = false;
  private failWith!: (err: Error) => void;
  readonly failed: Promise<Error> = new Promise((ok) => (this.failWith = ok));

  constructor(private readonly spec: SupervisorSpec) {}

  async start(): Promise<void> {
    await this.startFrom(0);
  }

  async stop(): Promise<void> {
    this.stopping = true;
    await this.stopFrom(0);
  }

  private async startFrom(index: number, last = this.spec.children.length - 1): Promise<void> {
    for (let i = index; i <= last; i++) {
      const spec = this.spec.children[i];
      const child = await spec.start();
      this.running[i] = child;
      this.spec.record({ type: 'supervisor.started', supervisor: this.spec.name, child: spec.id });
      void child.failed.then((err) => {
        if (!this.stopping && this.running[i] === child) void this.onCrash(i, err);
      });
    }
  }

  private async stopFrom(index: number): Promise<void> {
    for (let i = this.spec.children.length - 1; i >= index; i--) {
      const child = this.running[i];
      this.running[i] = undefined;
      if (child) {
        await child.stop().catch(() => undefined);
        this.spec.record({ type: 'supervisor.stopped', supervisor: this.spec.name, child: this.spec.children[i].id });
      }
    }
  }

  private async onCrash(index: number, err: Error): Promise<void> {
    const id = this.spec.children[index].id;
    const { window, exceeded } = recordRestart(this.window, (this.spec.now ?? systemClock)(), this.spec.restarts);
    this.window = window;
    if (exceeded) {
      this.spec.record({ type: 'supervisor.escalated', supervisor: this.spec.name, child: id, reason: err.message });
      this.stopping = true;
      await this.stopFrom(0);
      this.failWith(new Error(`${this.spec.name}: ${id} crashed too often: ${err.message}`));
      return;
    }
    this.spec.record({ type: 'supervisor.restarted', supervisor: this.spec.name, child: id, reason: err.message });
    // rest_for_one: the crashed child and every child started after it (they depend on it).
    const last = this.spec.strategy === 'rest_for_one' ? this.spec.children.length - 1 : index;
    for (let i = last; i >= index; i--) {
      await this.running[i]?.stop().catch(() => undefined);
      this.running[i] = undefined;
    }
    try {
      await this.startFrom(index, last);
    } catch (startErr) {
      await this.onCrash(index, startErr instanceof Error ? startErr : new Error(String(startErr)));
    }
  }
}
