import type { ResourceType, Subresource } from './types';

/**
 * The kinds skiff serves, described as kube-apiserver 1.32 describes them in discovery.
 * Pure data plus lookups: no I/O, nothing mutable escapes.
 */

/** Verbs of a resource whose storage supports every collection operation. */
const ALL_VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'] as const;
/** Namespaces cannot be deleted as a collection (the namespace lifecycle needs one delete per object). */
const NO_COLLECTION_DELETE = ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'] as const;

type Spec = {
  group?: string;
  kind: string;
  plural: string;
  shortNames?: readonly string[];
  namespaced?: boolean;
  categories?: readonly string[];
  subresources?: readonly Subresource[];
  hasGeneration?: boolean;
  hasStatus?: boolean;
  verbs?: readonly string[];
};

function define(spec: Spec): ResourceType {
  return Object.freeze({
    group: spec.group ?? '',
    version: 'v1',
    kind: spec.kind,
    listKind: `${spec.kind}List`,
    plural: spec.plural,
    singular: spec.kind.toLowerCase(),
    shortNames: Object.freeze([...(spec.shortNames ?? [])]),
    namespaced: spec.namespaced ?? true,
    categories: Object.freeze([...(spec.categories ?? [])]),
    subresources: Object.freeze([...(spec.subresources ?? [])]),
    hasGeneration: spec.hasGeneration ?? false,
    hasStatus: spec.hasStatus ?? false,
    verbs: Object.freeze([...(spec.verbs ?? ALL_VERBS)]),
  });
}

// hasGeneration follows the 1.32 registry strategies: only the apps workloads set and bump
// metadata.generation (pods gained it in 1.33).
export const resourceTypes: readonly ResourceType[] = Object.freeze([
  define({
    kind: 'Namespace', plural: 'namespaces', shortNames: ['ns'], namespaced: false,
    subresources: ['status', 'finalize'], hasStatus: true, verbs: NO_COLLECTION_DELETE,
  }),
  define({ kind: 'ConfigMap', plural: 'configmaps', shortNames: ['cm'] }),
  define({ kind: 'Secret', plural: 'secrets' }),
  define({
    kind: 'Pod', plural: 'pods', shortNames: ['po'], categories: ['all'],
    subresources: ['status', 'log', 'exec', 'attach', 'portforward', 'binding', 'eviction'], hasStatus: true,
  }),
  define({
    group: 'apps', kind: 'Deployment', plural: 'deployments', shortNames: ['deploy'], categories: ['all'],
    subresources: ['status', 'scale'], hasGeneration: true, hasStatus: true,
  }),
  define({
    group: 'apps', kind: 'ReplicaSet', plural: 'replicasets', shortNames: ['rs'], categories: ['all'],
    subresources: ['status', 'scale'], hasGeneration: true, hasStatus: true,
  }),
  define({
    kind: 'Service', plural: 'services', shortNames: ['svc'], categories: ['all'],
    subresources: ['status'], hasStatus: true,
  }),
  define({ kind: 'Endpoints', plural: 'endpoints', shortNames: ['ep'] }),
  define({ group: 'discovery.k8s.io', kind: 'EndpointSlice', plural: 'endpointslices' }),
  define({ kind: 'Node', plural: 'nodes', shortNames: ['no'], namespaced: false, subresources: ['status'], hasStatus: true }),
  define({ kind: 'Event', plural: 'events', shortNames: ['ev'] }),
  // A claimed Service ClusterIP, named by the address (MultiCIDRServiceAllocator, GA in 1.33).
  define({ group: 'networking.k8s.io', kind: 'IPAddress', plural: 'ipaddresses', shortNames: ['ip'], namespaced: false }),
]);

/** "v1" for the core group, "apps/v1" otherwise. */
export function apiVersionOf(t: ResourceType): string {
  return t.group ? `${t.group}/${t.version}` : t.version;
}

/** The type served at /api(s)/<group>/v1/…/<plural>. */
export function findByPlural(group: string, plural: string): ResourceType | undefined {
  return resourceTypes.find((t) => t.group === group && t.plural === plural);
}

/** The type of a body with this apiVersion and kind (both case-sensitive, as in Kubernetes). */
export function findByKind(apiVersion: string, kind: string): ResourceType | undefined {
  return resourceTypes.find((t) => apiVersionOf(t) === apiVersion && t.kind === kind);
}

/**
 * What kubectl accepts as a resource argument: plural, singular, short name or Kind, in any
 * case, optionally qualified by group (`deployments.apps`) or version and group
 * (`deployments.v1.apps`); the core group's qualified forms end in a dot (`pods.v1.`).
 */
export function resolveAlias(name: string): ResourceType | undefined {
  const lower = name.trim().toLowerCase();
  if (!lower) return undefined;
  const dot = lower.indexOf('.');
  if (dot < 0) return resourceTypes.find((t) => namesOf(t).includes(lower));
  const resource = lower.slice(0, dot);
  const qualifier = lower.slice(dot + 1);
  return resourceTypes.find((t) => namesOf(t).includes(resource) && qualifierMatches(t, qualifier));
}

function namesOf(t: ResourceType): string[] {
  return [t.plural, t.singular, t.kind.toLowerCase(), ...t.shortNames];
}

/** `apps` or `v1.apps`; for the core group (named "") that is `` or `v1.`. */
function qualifierMatches(t: ResourceType, qualifier: string): boolean {
  return qualifier === t.group || qualifier === `${t.version}.${t.group}`;
}
