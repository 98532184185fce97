import type { ServerResponse } from 'node:http';
import { STREAMS, type EventLog } from '../../eventlog/jetstream-log';
import { subjectOf } from '../../eventlog/subjects';
import type { Command, ObjectRef, Recorded } from '../../eventlog/types';
import { rfc3339 } from '../../actors/ids';
import { failure, Rejection, reject } from '../../actors/rejection';
import { isSchedulingRecord, type SchedulingRecord } from '../../actors/scheduler';
import { podSpecOf, podStatusOf } from '../../actors/scheduler/types';
import type { ObjectsProjection } from '../../projections/objects.projection';
import { sendJson } from './http';

/**
 * GET /skiff/v1/namespaces/<ns>/pods/<name>/scheduling — why the scheduler put a pod where it did,
 * or why it could not: the record the scheduler left on its newest command about the pod (the
 * bind, or the PodScheduled=False status patch), read back from the command stream, beside what
 * the pod shows now. What `skiff explain pod` prints.
 */

export const POD_SCHEDULING_KIND = 'PodScheduling';
export const SKIFF_API_VERSION = 'skiff/v1';

export type PodScheduling = Readonly<{
  kind: typeof POD_SCHEDULING_KIND;
  apiVersion: typeof SKIFF_API_VERSION;
  metadata: Readonly<{ namespace: string; name: string; uid: string }>;
  /** The newest decision on record for this pod (this uid). */
  decision: Readonly<{
    /** When the scheduler decided (its command's time, RFC 3339). */
    time: string;
    /** The command's reason, as a sentence. */
    reason: string;
    record: SchedulingRecord;
  }>;
  /** The outcome: the pod as it is now. */
  pod: Readonly<{ bound: boolean; nodeName?: string; phase?: string }>;
}>;

export type SchedulingDeps = Readonly<{ log: EventLog; projection: ObjectsProjection }>;

export async function servePodScheduling(res: ServerResponse, namespace: string, name: string, deps: SchedulingDeps): Promise<void> {
  const ref: ObjectRef = { group: '', resource: 'pods', namespace, name };
  const entry = deps.projection.store.get(ref);
  if (!entry) throw reject.notFound('', 'pods', name);
  const pod = entry.object;
  const uid = pod.metadata.uid ?? '';
  const found = await deps.log.findLast(subjectOf('cmd', ref), (r) => recordOf(r)?.uid === uid, { stream: STREAMS.commands });
  const record = found && recordOf(found);
  if (!found || !record) {
    throw new Rejection(failure(404, 'NotFound', `pods "${name}" has no scheduling decision on record`, { name, kind: 'pods' }));
  }
  const command = found.envelope as Command;
  const { nodeName } = podSpecOf(pod);
  const { phase } = podStatusOf(pod);
  const body: PodScheduling = {
    kind: POD_SCHEDULING_KIND,
    apiVersion: SKIFF_API_VERSION,
    metadata: { namespace, name, uid },
    decision: { time: rfc3339(command.time), reason: command.reason ?? '', record },
    pod: { bound: Boolean(nodeName), ...(nodeName ? { nodeName } : {}), ...(phase ? { phase } : {}) },
  };
  sendJson(res, 200, body);
}

/** The scheduling record a recorded command carries, if it carries one. */
function recordOf(r: Recorded): SchedulingRecord | undefined {
  const envelope = r.envelope as Command;
  return envelope.kind === 'command' && isSchedulingRecord(envelope.detail) ? envelope.detail : undefined;
}
