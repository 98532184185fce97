import { findByPlural } from '../../actors/kinds/registry';
import type { ResourceType } from '../../actors/kinds/types';
import { findReview, type ReviewType } from './reviews';

/** What a request path addresses. */
export type Route =
  | { kind: 'version' }
  | { kind: 'health'; check: string }
  | { kind: 'discovery-core' }
  | { kind: 'discovery-groups' }
  | { kind: 'discovery-group'; group: string }
  | { kind: 'discovery-resources'; group: string; version: string }
  | { kind: 'openapi-index' }
  | { kind: 'openapi-doc'; group: string; version: string }
  | { kind: 'resource'; type: ResourceType; namespace?: string; name?: string; subresource?: string }
  | { kind: 'review'; type: ReviewType }
  | { kind: 'pod-scheduling'; namespace: string; name: string }
  | { kind: 'unknown-resource'; group: string; version: string; resource: string }
  | { kind: 'not-found' };

/**
 * Kubernetes URL layout:
 *   /api/v1/[namespaces/<ns>/]<plural>[/<name>[/<sub>]]
 *   /apis/<group>/<version>/[namespaces/<ns>/]<plural>[/<name>[/<sub>]]
 * /api/v1/namespaces/<name>[/<sub>] is the Namespace object itself.
 * skiff's own reads, beyond Kubernetes, live under /skiff/v1:
 *   /skiff/v1/namespaces/<ns>/pods/<name>/scheduling   the scheduler's last decision about a pod
 */
export function routeOf(pathname: string): Route {
  const parts = pathname.split('/').filter(Boolean).map(decodeURIComponent);
  switch (parts[0]) {
    case 'version':
      return parts.length === 1 ? { kind: 'version' } : { kind: 'not-found' };
    case 'healthz':
    case 'readyz':
    case 'livez':
      return { kind: 'health', check: parts[0] };
    case 'openapi':
      if (parts[1] !== 'v3') return { kind: 'not-found' };
      if (parts.length === 2) return { kind: 'openapi-index' };
      if (parts[2] === 'api' && parts.length === 4) return { kind: 'openapi-doc', group: '', version: parts[3] };
      if (parts[2] === 'apis' && parts.length === 5) return { kind: 'openapi-doc', group: parts[3], version: parts[4] };
      return { kind: 'not-found' };
    case 'api':
      if (parts.length === 1) return { kind: 'discovery-core' };
      if (parts[1] !== 'v1') return { kind: 'not-found' };
      if (parts.length === 2) return { kind: 'discovery-resources', group: '', version: 'v1' };
      return resourceRoute('', 'v1', parts.slice(2));
    case 'apis':
      if (parts.length === 1) return { kind: 'discovery-groups' };
      if (parts.length === 2) return { kind: 'discovery-group', group: parts[1] };
      if (parts.length === 3) return { kind: 'discovery-resources', group: parts[1], version: parts[2] };
      return resourceRoute(parts[1], parts[2], parts.slice(3));
    case 'skiff':
      return skiffRoute(parts.slice(1));
    default:
      return { kind: 'not-found' };
  }
}

function skiffRoute(rest: string[]): Route {
  const [version, namespaces, namespace, pods, name, what, ...extra] = rest;
  if (version === 'v1' && namespaces === 'namespaces' && pods === 'pods' && what === 'scheduling' && extra.length === 0 && namespace && name) {
    return { kind: 'pod-scheduling', namespace, name };
  }
  return { kind: 'not-found' };
}

function resourceRoute(group: string, version: string, rest: string[]): Route {
  let namespace: string | undefined;
  let tail = rest;
  // namespaces/<ns>/<plural>/… is namespaced; /api/v1/namespaces[/<name>[/status|finalize]] is the Namespace kind.
  const namespaceSubresource = group === '' && rest.length === 3 && (rest[2] === 'status' || rest[2] === 'finalize');
  if (rest[0] === 'namespaces' && rest.length >= 3 && !namespaceSubresource) {
    namespace = rest[1];
    tail = rest.slice(2);
  }
  const [plural, name, subresource, ...extra] = tail;
  // Reviews are cluster-scoped collections that are only POSTed to: no namespace, no name.
  const review = findReview(group, version, plural);
  if (review) return namespace === undefined && name === undefined ? { kind: 'review', type: review } : { kind: 'not-found' };
  const type = findByPlural(group, plural);
  if (!type || type.version !== version) return { kind: 'unknown-resource', group, version, resource: plural };
  if (extra.length > 0) return { kind: 'not-found' };
  if (namespace !== undefined && !type.namespaced) return { kind: 'not-found' };
  return { kind: 'resource', type, namespace, name, subresource };
}
