/**
 * The pod subresources that stream from the pod's node: `log` (pod-log.ts), `exec` (pod-exec.ts)
 * and `portforward` (pod-portforward.ts), carried to and from the node agent over NATS
 * (eventlog/streams/). What they share lives here; `attach` is refused at once, so no client waits on it.
 */
import type { Duplex } from 'node:stream';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { KubeObject } from '../../actors/kinds/types';
import { failure, Rejection, reject, type StatusReason } from '../../actors/rejection';
import type { Wire } from '../../eventlog/streams/link';
import type { Pacing, PodRef, StreamFailure } from '../../eventlog/streams/protocol';
import type { ObjectsProjection } from '../../projections/objects.projection';

export type PodStreamDeps = Readonly<{
  projection: ObjectsProjection;
  /** The NATS connection the node agents answer on. */
  wire: Wire;
  pacing: Pacing;
  now: () => number;
}>;

/** The raw connection of an HTTP/1.1 upgrade request (exec's WebSocket). */
export type Upgrade = Readonly<{ socket: Duplex; head: Buffer }>;

export type PodStreamRequest = Readonly<{
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  namespace: string;
  name: string;
  upgrade?: Upgrade;
}>;

export const POD_STREAM_SUBRESOURCES = ['log', 'exec', 'attach', 'portforward'] as const;
export type PodStreamSubresource = (typeof POD_STREAM_SUBRESOURCES)[number];

export function isPodStream(kind: string, subresource: string | undefined): subresource is PodStreamSubresource {
  return kind === 'Pod' && (POD_STREAM_SUBRESOURCES as readonly (string | undefined)[]).includes(subresource);
}

/** `attach`: not built yet; a clear 400 at once (never a hang, k8shark#8). */
export function refuseUnsupported(subresource: 'attach'): never {
  throw reject.badRequest(`skiff does not support pods/${subresource} yet; run a command in the container with pods/exec (kubectl exec) instead`);
}

export function podFor(deps: PodStreamDeps, namespace: string, name: string): KubeObject {
  const entry = deps.projection.store.get({ group: '', resource: 'pods', namespace, name });
  if (!entry) throw reject.notFound('', 'pods', name);
  return entry.object;
}

export function podRefOf(pod: KubeObject): PodRef {
  return { uid: pod.metadata.uid ?? '', namespace: pod.metadata.namespace ?? '', name: pod.metadata.name ?? '' };
}

const REASONS: ReadonlySet<string> = new Set<StatusReason>([
  'BadRequest', 'Unauthorized', 'Forbidden', 'NotFound', 'AlreadyExists', 'Conflict', 'Gone', 'Expired', 'Invalid',
  'MethodNotAllowed', 'UnsupportedMediaType', 'Timeout', 'InternalError', 'ServiceUnavailable', 'NotAcceptable',
  'RequestEntityTooLarge', 'TooManyRequests',
]);

/** A node's refusal as the API's Status. */
export function rejectionOf(f: StreamFailure): Rejection {
  const reason = REASONS.has(f.reason) ? (f.reason as StatusReason) : 'InternalError';
  return new Rejection(failure(f.code >= 400 && f.code < 600 ? f.code : 500, reason, f.message));
}
