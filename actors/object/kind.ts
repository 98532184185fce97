import { refOf as refOfSubject, subjectOf } from '../../eventlog/subjects';
import type { Event } from '../../eventlog/types';
import type { ActorKind } from '../kernel/actor-host';
import type { Decider } from '../kernel/decider';
import { findByPlural } from '../kinds/registry';
import type { KubeObject } from '../kinds/types';
import { decide } from './decide';
import { evolve, initialState } from './evolve';
import type { ObjectCommand, ObjectEventPayload, ObjectState } from './object';

/** Cached state from a read model: the object as stored, and the command behind its last event. */
export type CachedObject = Readonly<{ object: KubeObject; causationId: string }>;

/** The object actor kind, for the actor host: every Kubernetes object, routed by its command subject. */
export function objectActorKind(cached?: (eventSubject: string) => CachedObject | undefined): ActorKind<ObjectState> {
  return {
    resolve(commandSubject) {
      const ref = refOfSubject(commandSubject);
      const type = findByPlural(ref.group, ref.resource);
      if (!type) throw new Error(`no kind serves ${ref.resource}${ref.group ? `.${ref.group}` : ''}`);
      const decider: Decider<ObjectState> = {
        initialState,
        decide: (state, command) => decide(state, command as ObjectCommand, { ref, type }),
        evolve: (state, event, seq) => evolve(state, event as Event<ObjectEventPayload>, seq),
        revisionOf: (state) => state.revision,
        lifecycleOf: (state) => (!state.object ? 'absent' : state.object.metadata.deletionTimestamp ? 'terminating' : 'live'),
      };
      return { decider, eventSubject: subjectOf('evt', ref) };
    },
    cachedState(eventSubject) {
      if (!cached) return undefined;
      const entry = cached(eventSubject);
      // Not in the read model: most likely never written, so start from nothing rather than ask the
      // log. If the object did exist (deleted, or the read model lags), the guarded append says so
      // and the host re-reads the log.
      if (!entry) return initialState();
      return { object: entry.object, revision: Number(entry.object.metadata.resourceVersion), recentCommands: entry.causationId ? [entry.causationId] : [] };
    },
    withRevision: (state, revision) => ({ ...state, revision }),
    resultOf(state, lastEvent, seq) {
      if (state.object) return state.object;
      const gone = (lastEvent?.payload as ObjectEventPayload | undefined)?.object;
      return gone ? { ...gone, metadata: { ...gone.metadata, resourceVersion: String(seq) } } : undefined;
    },
  };
}
