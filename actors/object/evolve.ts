import type { Event } from '../../eventlog/types';
import { ObjectEventType, RECENT_COMMANDS_KEPT, type ObjectEventPayload, type ObjectState } from './object';

export function initialState(): ObjectState {
  return { revision: 0, recentCommands: [] };
}

/**
 * Total and pure. Events carry the whole object, so the state after any single event is known from
 * that event alone: an actor is rebuilt from the object's last event, not from its whole history.
 */
export function evolve(state: ObjectState, event: Event<ObjectEventPayload>, seq: number): ObjectState {
  const recentCommands = event.causationId
    ? [...state.recentCommands.filter((id) => id !== event.causationId), event.causationId].slice(-RECENT_COMMANDS_KEPT)
    : state.recentCommands;
  const withVersion = (o: ObjectEventPayload['object']) => ({ ...o, metadata: { ...o.metadata, resourceVersion: String(seq) } });
  switch (event.type as ObjectEventType) {
    case ObjectEventType.created:
    case ObjectEventType.updated:
    case ObjectEventType.deletionRequested:
      return { object: withVersion(event.payload.object), revision: seq, recentCommands };
    case ObjectEventType.deleted:
      return { object: undefined, revision: seq, recentCommands };
    default:
      // Events of other types on an object's subject (none today) leave the object as it was.
      return { ...state, revision: seq, recentCommands };
  }
}
