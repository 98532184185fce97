import type { Command } from '../../eventlog/types';
import type { Json, KubeObject } from '../kinds/types';

/**
 * The object actor: one per stored Kubernetes object, whatever its kind. Kind-specific rules
 * (defaults, validation, which fields are spec or status) come from the kinds registry; the
 * lifecycle — absent → live → terminating → gone — is the same for every kind.
 */

export type PatchType = 'json' | 'merge' | 'strategic' | 'apply';
export type WriteTarget = 'main' | 'status' | 'scale';

export type DeleteOptions = Readonly<{
  preconditions?: { uid?: string; resourceVersion?: string };
  propagationPolicy?: 'Background' | 'Foreground' | 'Orphan';
  gracePeriodSeconds?: number;
}>;

export type ObjectCommandPayload =
  | { op: 'create'; object: KubeObject; fieldManager: string }
  | { op: 'replace'; object: KubeObject; target: WriteTarget; fieldManager: string }
  | { op: 'patch'; patchType: PatchType; patch: Json; target: WriteTarget; fieldManager: string; force: boolean }
  | { op: 'delete'; options: DeleteOptions }
  /** pods/binding: assign a pending Pod to a node (the scheduler's decision). */
  | { op: 'bind'; node: string; expectedUid?: string };

export type ObjectCommand = Command<ObjectCommandPayload>;

/** Event types, past tense, kind first. Every event carries the whole object as it now is. */
export const ObjectEventType = {
  created: 'object.created',
  updated: 'object.updated',
  deletionRequested: 'object.deletionRequested',
  deleted: 'object.deleted',
} as const;
export type ObjectEventType = (typeof ObjectEventType)[keyof typeof ObjectEventType];

/** Which top-level parts an update touched; history and audit read this without diffing. */
export type ChangedPart = 'spec' | 'status' | 'metadata' | 'data';

export type ObjectEventPayload = Readonly<{
  /** The object after the change, without resourceVersion (that is the event's own sequence). */
  object: KubeObject;
  changed?: readonly ChangedPart[];
}>;

export type ObjectEventDraft = Readonly<{ type: ObjectEventType; payload: ObjectEventPayload }>;

export type ObjectState = Readonly<{
  /** Current object with its resourceVersion; undefined when absent or deleted. */
  object?: KubeObject;
  /** Sequence of the object's last event (0 = never written): the expected-last-sequence of the next append. */
  revision: number;
  /** Ids of the last commands applied, so a re-delivered command is recognised and not decided twice. */
  recentCommands: readonly string[];
}>;

export const RECENT_COMMANDS_KEPT = 16;
