import { assign, fromPromise, setup, type ActorRefFrom } from 'xstate';
import type { CommandDelivery } from '../../eventlog/jetstream-log';
import type { Decider } from './decider';

/** Result of handling one command: the actor's next state. Replies and acks were done as effects. */
export type Handled<S> = Readonly<{ state: S }>;

export type ActorInput<S> = Readonly<{
  state: S;
  decider: Decider<S>;
  /** The I/O step (decide → append → reply → ack); a rejection of this promise is a crash. */
  handle: (state: S, delivery: CommandDelivery) => Promise<Handled<S>>;
}>;

type Context<S> = { state: S; queue: CommandDelivery[]; decider: Decider<S>; handle: ActorInput<S>['handle'] };

/**
 * One actor per object. Two regions: `lifecycle` mirrors the object (absent → live → terminating),
 * `mailbox` takes one command at a time, run to completion, while others queue in order. The async
 * step runs in an invoked promise actor (xstate's transition function itself stays synchronous);
 * when it fails the machine errors and the supervisor takes over with the queue intact.
 */
export function objectActorMachine<S>() {
  return setup({
    types: {
      context: {} as Context<S>,
      input: {} as ActorInput<S>,
      events: {} as { type: 'command'; delivery: CommandDelivery },
    },
    actors: {
      handle: fromPromise<Handled<S>, { context: Context<S> }>(({ input }) => input.context.handle(input.context.state, input.context.queue[0])),
    },
    guards: {
      hasMail: ({ context }) => context.queue.length > 0,
      isAbsent: ({ context }) => context.decider.lifecycleOf(context.state) === 'absent',
      isTerminating: ({ context }) => context.decider.lifecycleOf(context.state) === 'terminating',
    },
  }).createMachine({
    id: 'object',
    type: 'parallel',
    context: ({ input }) => ({ state: input.state, queue: [], decider: input.decider, handle: input.handle }),
    on: { command: { actions: assign({ queue: ({ context, event }) => [...context.queue, event.delivery] }) } },
    states: {
      lifecycle: {
        initial: 'resolving',
        states: {
          resolving: { always: [{ guard: 'isAbsent', target: 'absent' }, { guard: 'isTerminating', target: 'terminating' }, { target: 'live' }] },
          absent: { always: { guard: ({ context }) => context.decider.lifecycleOf(context.state) !== 'absent', target: 'resolving' } },
          live: { always: { guard: ({ context }) => context.decider.lifecycleOf(context.state) !== 'live', target: 'resolving' } },
          terminating: { always: { guard: ({ context }) => context.decider.lifecycleOf(context.state) !== 'terminating', target: 'resolving' } },
        },
      },
      mailbox: {
        initial: 'idle',
        states: {
          idle: { always: { guard: 'hasMail', target: 'busy' } },
          busy: {
            invoke: {
              src: 'handle',
              input: ({ context }) => ({ context }),
              onDone: {
                target: 'idle',
                actions: assign({ state: ({ event }) => event.output.state, queue: ({ context }) => context.queue.slice(1) }),
              },
            },
          },
        },
      },
    },
  });
}

export type ObjectActorRef<S> = ActorRefFrom<ReturnType<typeof objectActorMachine<S>>>;
