import type { FieldCause } from './kinds/types';

/** The body of a Kubernetes Status object for a failure. */
export type StatusReason =
  | 'BadRequest' | 'Unauthorized' | 'Forbidden' | 'NotFound' | 'AlreadyExists' | 'Conflict'
  | 'Gone' | 'Expired' | 'Invalid' | 'MethodNotAllowed' | 'UnsupportedMediaType' | 'Timeout'
  | 'InternalError' | 'ServiceUnavailable' | 'NotAcceptable' | 'RequestEntityTooLarge' | 'TooManyRequests';

export type StatusDetails = {
  name?: string;
  group?: string;
  kind?: string;
  uid?: string;
  causes?: (FieldCause | { reason: string; message: string; field?: string })[];
  retryAfterSeconds?: number;
};

export type FailureStatus = {
  kind: 'Status';
  apiVersion: 'v1';
  metadata: Record<string, never>;
  status: 'Failure';
  message: string;
  reason: StatusReason;
  details?: StatusDetails;
  code: number;
};

/**
 * An expected, domain-level "no": invalid input, a conflict, a missing object. It becomes a reply
 * (a Status), never a crash. Failures (bugs, I/O errors) are plain Errors and go to the supervisor.
 */
export class Rejection extends Error {
  override readonly name = 'Rejection';
  constructor(readonly status: FailureStatus) {
    super(status.message);
  }
}

export function failure(code: number, reason: StatusReason, message: string, details?: StatusDetails): FailureStatus {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, ...(details ? { details } : {}), code };
}

/** Status details name the group only when there is one (`omitempty`: core resources have none). */
function detailsOf(group: string, plural: string, name: string): StatusDetails {
  return group ? { name, group, kind: plural } : { name, kind: plural };
}

/** "pods" or "deployments.apps": how Kubernetes names a resource in messages. */
export function qualifiedResource(group: string, plural: string): string {
  return group ? `${plural}.${group}` : plural;
}

export const reject = {
  badRequest: (message: string) => new Rejection(failure(400, 'BadRequest', message)),
  notFound: (group: string, plural: string, name: string) =>
    new Rejection(failure(404, 'NotFound', `${qualifiedResource(group, plural)} "${name}" not found`, detailsOf(group, plural, name))),
  alreadyExists: (group: string, plural: string, name: string) =>
    new Rejection(failure(409, 'AlreadyExists', `${qualifiedResource(group, plural)} "${name}" already exists`, detailsOf(group, plural, name))),
  conflict: (group: string, plural: string, name: string, why = 'the object has been modified; please apply your changes to the latest version and try again') =>
    new Rejection(failure(409, 'Conflict', `Operation cannot be fulfilled on ${qualifiedResource(group, plural)} "${name}": ${why}`, detailsOf(group, plural, name))),
  invalid: (group: string, kind: string, name: string, causes: FieldCause[]) =>
    new Rejection(failure(422, 'Invalid', invalidMessage(group ? `${kind}.${group}` : kind, name, causes), { ...detailsOf(group, kind, name), causes })),
  notFoundPath: () => new Rejection(failure(404, 'NotFound', 'the server could not find the requested resource')),
  forbidden: (message: string) => new Rejection(failure(403, 'Forbidden', message)),
  methodNotAllowed: (message: string) => new Rejection(failure(405, 'MethodNotAllowed', message)),
  unsupportedMediaType: (contentType: string) =>
    new Rejection(failure(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: application/json, application/yaml, application/json-patch+json, application/merge-patch+json, application/strategic-merge-patch+json, application/apply-patch+yaml (got ${contentType})`)),
  internal: (message: string) => new Rejection(failure(500, 'InternalError', `Internal error occurred: ${message}`)),
  timeout: (message: string) => new Rejection(failure(504, 'Timeout', message)),
  unavailable: (message: string) => new Rejection(failure(503, 'ServiceUnavailable', message)),
};

/** Kubernetes' wording: `Deployment.apps "x" is invalid: [metadata.name: Required value: …, spec.replicas: Invalid value: …]`. */
export function invalidMessage(qualifiedKind: string, name: string, causes: readonly FieldCause[]): string {
  // Repeated messages (one cause reported for several reasons) are shown once, as upstream does.
  const parts = [...new Set(causes.map((c) => `${c.field}: ${c.message}`))];
  const body = parts.length === 1 ? parts[0] : `[${parts.join(', ')}]`;
  return `${qualifiedKind} "${name}" is invalid: ${body}`;
}
