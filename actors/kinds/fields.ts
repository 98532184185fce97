import type { KubeObject } from './types';

/**
 * The fields each kind has at its top level and in its metadata. Kubernetes never stores a field
 * its schema does not have: the decoder drops it, and `fieldValidation` says whether that is an
 * error (Strict), a warning (Warn, the default) or silent (Ignore).
 */
const COMMON = ['apiVersion', 'kind', 'metadata'];
const WITH_SPEC = [...COMMON, 'spec', 'status'];

const TOP_LEVEL: Readonly<Record<string, readonly string[]>> = {
  Pod: WITH_SPEC,
  Deployment: WITH_SPEC,
  ReplicaSet: WITH_SPEC,
  Service: WITH_SPEC,
  Node: WITH_SPEC,
  Namespace: WITH_SPEC,
  ConfigMap: [...COMMON, 'data', 'binaryData', 'immutable'],
  Secret: [...COMMON, 'data', 'stringData', 'type', 'immutable'],
  Event: [
    ...COMMON, 'involvedObject', 'reason', 'message', 'source', 'firstTimestamp', 'lastTimestamp', 'count', 'type', 'eventTime',
    'series', 'action', 'related', 'reportingComponent', 'reportingInstance',
  ],
  Endpoints: [...COMMON, 'subsets'],
  EndpointSlice: [...COMMON, 'addressType', 'endpoints', 'ports'],
  Scale: WITH_SPEC,
  IPAddress: [...COMMON, 'spec'],
};

const OBJECT_META = new Set([
  'name', 'generateName', 'namespace', 'selfLink', 'uid', 'resourceVersion', 'generation', 'creationTimestamp', 'deletionTimestamp',
  'deletionGracePeriodSeconds', 'labels', 'annotations', 'ownerReferences', 'finalizers', 'managedFields',
]);

/** Paths of the fields `obj` has that `kind` does not ("foo", "metadata.bar"), in document order. */
export function unknownFields(kind: string, obj: Readonly<Record<string, unknown>>): string[] {
  const known = TOP_LEVEL[kind];
  if (!known) return [];
  // `$…` keys are strategic-merge-patch directives, not fields.
  const out = Object.keys(obj).filter((k) => !known.includes(k) && !k.startsWith('$'));
  const meta = obj.metadata;
  if (meta && typeof meta === 'object' && !Array.isArray(meta)) {
    out.push(...Object.keys(meta).filter((k) => !OBJECT_META.has(k)).map((k) => `metadata.${k}`));
  }
  return out;
}

/** `obj` without the fields `kind` does not have. */
export function withoutUnknownFields<T extends Readonly<Record<string, unknown>>>(kind: string, obj: T): T {
  const unknown = unknownFields(kind, obj);
  if (unknown.length === 0) return obj;
  const top = Object.fromEntries(Object.entries(obj).filter(([k]) => !unknown.includes(k)));
  const meta = obj.metadata as Record<string, unknown> | undefined;
  if (meta && typeof meta === 'object') top.metadata = Object.fromEntries(Object.entries(meta).filter(([k]) => !unknown.includes(`metadata.${k}`)));
  return top as T;
}

/** Kubernetes omits empty maps and lists in metadata (`omitempty`): `labels: {}` is no labels. */
export function compactMetadata(object: KubeObject): KubeObject {
  const meta = object.metadata;
  const empty = (['labels', 'annotations', 'finalizers', 'ownerReferences', 'managedFields'] as const).filter((k) => {
    const v = meta[k];
    return v !== undefined && (Array.isArray(v) ? v.length === 0 : Object.keys(v).length === 0);
  });
  if (empty.length === 0) return object;
  const metadata = { ...meta };
  for (const k of empty) delete metadata[k];
  return { ...object, metadata };
}
