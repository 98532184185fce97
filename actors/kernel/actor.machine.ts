import { assign, setup, type ActorRefFrom } from 'xstate';
import type { CommandDelivery } from '../../eventlog/jetstream-log';
import type { Decider, Lifecycle } from './decider';

/** Result of handling one command: the actor's next state. Replies and acks were done as effects. */
export type Handled<S> = Readonly<{ state: S }>;

export type ActorInput<S> = Readonly<{
  state: S;
  decider: Decider<S>;
  /** The I/O step (decide → append → reply → ack); a rejection of this promise is a crash. */
  handle: (state: S, delivery: CommandDelivery) => Promise<Handled<S>>;
}>;

type Context = { state: unknown; queue: CommandDelivery[]; decider: Decider<unknown>; handle: ActorInput<unknown>['handle'] };
type MachineEvent =
  | { type: 'command'; delivery: CommandDelivery }
  | { type: 'handled'; state: unknown }
  | { type: 'failed'; error: unknown };

const LIFECYCLES: readonly Lifecycle[] = ['absent', 'live', 'terminating'];

const lifecycleOf = (context: Context, state: unknown) => context.decider.lifecycleOf(state);
const handledInto = (target: Lifecycle) => ({ context, event }: { context: Context; event: MachineEvent }) =>
  event.type === 'handled' && lifecycleOf(context, event.state) === target;

/**
 * One actor per object. Two regions: `lifecycle` mirrors the object (absent → live → terminating),
 * `mailbox` takes one command at a time, run to completion, while others queue in order.
 *
 * The async step (decide → append → reply → ack) is started by an action for the command at the
 * head of the queue and reports back with `handled` (or `failed`): xstate's own transitions stay
 * synchronous, and no child actor is created per command or per actor (child actors cost more
 * than the rest of the machine's work). A failed step is thrown from an action, which errors the
 * machine with its queue intact for the supervisor.
 */
export const objectActorMachine = setup({
  types: {
    context: {} as Context,
    input: {} as ActorInput<unknown>,
    events: {} as MachineEvent,
  },
  actions: {
    enqueue: assign({ queue: ({ context, event }) => [...context.queue, (event as Extract<MachineEvent, { type: 'command' }>).delivery] }),
    settle: assign({ state: ({ event }) => (event as Extract<MachineEvent, { type: 'handled' }>).state, queue: ({ context }) => context.queue.slice(1) }),
    // The step's promise reports back to this actor; xstate runs actions after the transition, so
    // the machine itself never waits.
    workOnHead: ({ context, self }) => {
      context.handle(context.state, context.queue[0]).then(
        (out) => self.send({ type: 'handled', state: out.state }),
        (error: unknown) => self.send({ type: 'failed', error }),
      );
    },
    crash: ({ event }) => {
      throw (event as Extract<MachineEvent, { type: 'failed' }>).error;
    },
  },
}).createMachine({
  id: 'object',
  type: 'parallel',
  context: ({ input }) => ({ state: input.state, queue: [], decider: input.decider, handle: input.handle }),
  on: { failed: { actions: 'crash' } },
  states: {
    lifecycle: {
      initial: 'starting',
      states: {
        // Left at once for the lifecycle of the state the actor was rebuilt with.
        starting: {
          always: LIFECYCLES.map((l) => ({ guard: ({ context }: { context: Context }) => lifecycleOf(context, context.state) === l, target: l })),
        },
        absent: {},
        live: {},
        terminating: {},
      },
      on: { handled: LIFECYCLES.map((l) => ({ guard: handledInto(l), target: `.${l}` })) },
    },
    mailbox: {
      initial: 'idle',
      states: {
        idle: { on: { command: { target: 'busy', actions: ['enqueue', 'workOnHead'] } } },
        busy: {
          on: {
            command: { actions: 'enqueue' },
            handled: [
              { guard: ({ context }: { context: Context }) => context.queue.length > 1, actions: ['settle', 'workOnHead'] },
              { target: 'idle', actions: 'settle' },
            ],
          },
        },
      },
    },
  },
});

export type ObjectActorRef = ActorRefFrom<typeof objectActorMachine>;
