import { assign, fromPromise, setup, type ActorRefFrom, type DoneActorEvent } from 'xstate';
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
type HandleDone = DoneActorEvent<Handled<unknown>>;

const LIFECYCLES: readonly Lifecycle[] = ['absent', 'live', 'terminating'];

const lifecycleAfter = (target: Lifecycle) => ({ context, event }: { context: Context; event: HandleDone }) =>
  context.decider.lifecycleOf(event.output.state) === target;
const lifecycleNow = (target: Lifecycle) => ({ context }: { context: Context }) => context.decider.lifecycleOf(context.state) === target;

/**
 * One actor per object. Two regions: `lifecycle` mirrors the object (absent → live → terminating),
 * `mailbox` takes one command at a time, run to completion, while others queue in order. The async
 * step runs in an invoked promise actor (xstate's transition function itself stays synchronous);
 * when it fails the machine errors and the supervisor takes over with the queue intact.
 *
 * Built once for all actors, with explicit transitions only: eventless (`always`) transitions are
 * re-checked on every step, which cost more than the rest of the write path on a busy host.
 */
export const objectActorMachine = setup({
  types: {
    context: {} as Context,
    input: {} as ActorInput<unknown>,
    events: {} as { type: 'command'; delivery: CommandDelivery },
    children: {} as { handle: 'handle' },
  },
  actors: {
    handle: fromPromise<Handled<unknown>, Context>(({ input }) => input.handle(input.state, input.queue[0])),
  },
  actions: {
    enqueue: assign({ queue: ({ context, event }) => [...context.queue, (event as { delivery: CommandDelivery }).delivery] }),
    settle: assign({ state: ({ event }) => (event as unknown as HandleDone).output.state, queue: ({ context }) => context.queue.slice(1) }),
  },
}).createMachine({
  id: 'object',
  type: 'parallel',
  context: ({ input }) => ({ state: input.state, queue: [], decider: input.decider, handle: input.handle }),
  states: {
    lifecycle: {
      initial: 'starting',
      states: {
        // Left at once for the lifecycle of the state the actor was rebuilt with.
        starting: { always: [{ guard: lifecycleNow('absent'), target: 'absent' }, { guard: lifecycleNow('terminating'), target: 'terminating' }, { target: 'live' }] },
        absent: {},
        live: {},
        terminating: {},
      },
    },
    mailbox: {
      initial: 'idle',
      states: {
        idle: { on: { command: { target: 'busy', actions: 'enqueue' } } },
        busy: {
          on: { command: { actions: 'enqueue' } },
          invoke: {
            id: 'handle',
            src: 'handle',
            input: ({ context }) => context,
            // Each outcome moves both regions at once: the mailbox on to the next command (or idle),
            // the lifecycle to where the new state stands.
            onDone: LIFECYCLES.flatMap((lifecycle) => [
              {
                guard: ({ context, event }: { context: Context; event: HandleDone }) => context.queue.length > 1 && lifecycleAfter(lifecycle)({ context, event }),
                target: ['busy', `#object.lifecycle.${lifecycle}`],
                reenter: true,
                actions: 'settle' as const,
              },
              { guard: lifecycleAfter(lifecycle), target: ['idle', `#object.lifecycle.${lifecycle}`], actions: 'settle' as const },
            ]),
          },
        },
      },
    },
  },
});

export type ObjectActorRef = ActorRefFrom<typeof objectActorMachine>;
