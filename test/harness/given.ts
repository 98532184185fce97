import type { Command, Event, ObjectRef } from '../../eventlog/types';
import { findByPlural } from '../../actors/kinds/registry';
import type { KubeObject } from '../../actors/kinds/types';
import { decide } from '../../actors/object/decide';
import { evolve, initialState } from '../../actors/object/evolve';
import type { ObjectCommandPayload, ObjectEventDraft, ObjectEventPayload, ObjectState } from '../../actors/object/object';
import { Rejection } from '../../actors/rejection';

/** given(events).when(command) → the decision, for the object decider (emmett-style specifications). */
export function objectSpec(ref: ObjectRef) {
  const type = findByPlural(ref.group, ref.resource);
  if (!type) throw new Error(`no kind for ${ref.resource}`);
  let seq = 0;
  const fold = (drafts: readonly ObjectEventDraft[], state: ObjectState, causationId: string): ObjectState =>
    drafts.reduce((s, d) => evolve(s, { kind: 'event', id: `${causationId}/x`, type: d.type, schema: 1, subject: '', time: 0, who: 't', correlationId: '', causationId, payload: d.payload } as Event<ObjectEventPayload>, ++seq), state);
  return {
    given(...commands: Command<ObjectCommandPayload>[]) {
      let state = initialState();
      for (const c of commands) state = fold(decide(state, c, { ref, type }), state, c.id);
      return {
        state,
        when(command: Command<ObjectCommandPayload>) {
          try {
            const drafts = decide(state, command, { ref, type });
            return { events: drafts, rejection: undefined, after: fold(drafts, state, command.id) };
          } catch (err) {
            if (err instanceof Rejection) return { events: [] as ObjectEventDraft[], rejection: err.status, after: state };
            throw err;
          }
        },
      };
    },
  };
}

let n = 0;
export function command(payload: ObjectCommandPayload, opts: { id?: string; time?: number } = {}): Command<ObjectCommandPayload> {
  const id = opts.id ?? `cmd-${++n}`;
  return { kind: 'command', id, type: `object.${payload.op}`, schema: 1, subject: '', time: opts.time ?? Date.UTC(2026, 0, 1, 10, 0, 0), who: 'admin', correlationId: id, causationId: '', payload };
}

export const create = (object: KubeObject, opts?: { id?: string; time?: number }) => command({ op: 'create', object, fieldManager: 'test' }, opts);
