import { rfc3339 } from '../ids';
import type { KubeObject } from '../kinds/types';
import type { PlannedCommand } from '../reconcile/plan';
import { fnv32a } from './pod-template-hash';

/**
 * A core/v1 Event about an object, as client-go's event recorder writes it, planned as a create.
 * The name keeps the recorder's shape, `<object>.<hex nanoseconds>`, but the nanoseconds are the
 * pass's millisecond clock plus a hash of the message: a replayed pass gives the same name (and
 * the create is refused as a duplicate), while two events of one pass still differ (the hash covers
 * the field path too, so the same message about two containers makes two events).
 */

export type EventType = 'Normal' | 'Warning';

export type EventSpec = Readonly<{
  type: EventType;
  reason: string;
  message: string;
  component: string;
  /** The part of the object it is about, as the kubelet names a container: `spec.containers{web}`. */
  fieldPath?: string;
  /** The node of the component that saw it (the kubelet's `source.host` and reporting instance). */
  host?: string;
}>;

export function eventCommand(about: KubeObject, spec: EventSpec, nowMs: number): PlannedCommand {
  const name = about.metadata.name ?? '';
  const namespace = about.metadata.namespace ?? '';
  // client-go's recorder files events about cluster-scoped objects (Nodes) in "default".
  const eventNamespace = namespace || 'default';
  const offsetNs = fnv32a(new TextEncoder().encode(spec.fieldPath ? `${spec.fieldPath}\0${spec.message}` : spec.message)) % 1_000_000;
  const eventName = `${name}.${(BigInt(nowMs) * 1_000_000n + BigInt(offsetNs)).toString(16)}`;
  const time = rfc3339(nowMs);
  const event: KubeObject = {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: { name: eventName, namespace: eventNamespace },
    involvedObject: {
      apiVersion: about.apiVersion,
      kind: about.kind,
      namespace,
      name,
      uid: about.metadata.uid,
      ...(about.metadata.resourceVersion ? { resourceVersion: about.metadata.resourceVersion } : {}),
      ...(spec.fieldPath ? { fieldPath: spec.fieldPath } : {}),
    },
    reason: spec.reason,
    message: spec.message,
    source: { component: spec.component, ...(spec.host ? { host: spec.host } : {}) },
    firstTimestamp: time,
    lastTimestamp: time,
    count: 1,
    type: spec.type,
    eventTime: null,
    reportingComponent: spec.component,
    reportingInstance: spec.host ?? '',
  };
  return {
    ref: { group: '', resource: 'events', namespace: eventNamespace, name: eventName },
    payload: { op: 'create', object: event, fieldManager: spec.component },
    reason: `record ${spec.type} event ${spec.reason} on ${about.kind} ${name}: ${spec.message}`,
  };
}
