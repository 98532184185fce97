import type { JsonValue, ObjectRef } from '../../eventlog/types';
import type { ObjectCommandPayload } from '../object/object';

/**
 * What a reconciler decides for one key: commands to issue (each addressed to one object) and,
 * optionally, when to look again. Plans are pure: a reconciler reads its views, never the clock
 * (time comes in as `nowMs`) nor the log, and a converged world yields no commands.
 */
export type PlannedCommand = Readonly<{
  ref: ObjectRef;
  payload: ObjectCommandPayload;
  /** Why, in a sentence a user can read (kept on the command's event for `skiff why`/`explain`). */
  reason: string;
  /** The reason as data, carried on the command for tools (the scheduler's SchedulingRecord); keep it compact. */
  detail?: JsonValue;
}>;

export type Plan = Readonly<{
  commands: readonly PlannedCommand[];
  /** Look at this key again after this long even if nothing changes (progress deadlines, back-off). */
  requeueAfterMs?: number;
}>;

export const converged: Plan = { commands: [] };
