import { resourceTypes } from '../../actors/kinds/registry';
import type { ResourceType, Subresource } from '../../actors/kinds/types';
import { REVIEW_TYPES } from './reviews';

/** Discovery documents: aggregated v2 (what kubectl 1.32 asks for first) and the legacy lists (still used by can-i and client-node). */

/** What discovery says about a resource; stored kinds have more (ResourceType), virtual ones no more. */
type DiscoveredType = Pick<ResourceType, 'group' | 'version' | 'kind' | 'plural' | 'singular' | 'namespaced' | 'verbs' | 'shortNames' | 'categories' | 'subresources'>;

/** Served but never stored (so not in the object actor's registry): the reviews, cluster-scoped and create-only as upstream. */
const virtualTypes: readonly DiscoveredType[] = REVIEW_TYPES.map((t) => ({
  ...t, namespaced: false, verbs: ['create'], shortNames: [], categories: [], subresources: [],
}));

const servedTypes: readonly DiscoveredType[] = [...resourceTypes, ...virtualTypes];

export const AGGREGATED_V2 = 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList';

const SUBRESOURCE_VERBS: Record<Subresource, string[]> = {
  status: ['get', 'patch', 'update'],
  scale: ['get', 'patch', 'update'],
  log: ['get'],
  exec: ['create', 'get'],
  attach: ['create', 'get'],
  portforward: ['create', 'get'],
  binding: ['create'],
  eviction: ['create'],
  finalize: ['update'],
};

function subresourceKind(type: DiscoveredType, sub: Subresource): { group: string; version: string; kind: string } {
  switch (sub) {
    case 'scale':
      return { group: 'autoscaling', version: 'v1', kind: 'Scale' };
    case 'status':
    case 'finalize':
      return { group: type.group, version: type.version, kind: type.kind };
    case 'exec':
      return { group: '', version: 'v1', kind: 'PodExecOptions' };
    case 'attach':
      return { group: '', version: 'v1', kind: 'PodAttachOptions' };
    case 'portforward':
      return { group: '', version: 'v1', kind: 'PodPortForwardOptions' };
    case 'log':
      return { group: '', version: 'v1', kind: 'Pod' };
    case 'binding':
      return { group: '', version: 'v1', kind: 'Binding' };
    case 'eviction':
      return { group: 'policy', version: 'v1', kind: 'Eviction' };
    default: {
      const never: never = sub;
      return never;
    }
  }
}

function groups(types: readonly DiscoveredType[]): Map<string, DiscoveredType[]> {
  const out = new Map<string, DiscoveredType[]>();
  for (const t of types) out.set(t.group, [...(out.get(t.group) ?? []), t]);
  return out;
}

function aggregatedResource(t: DiscoveredType) {
  return {
    resource: t.plural,
    responseKind: { group: t.group, version: t.version, kind: t.kind },
    scope: t.namespaced ? 'Namespaced' : 'Cluster',
    singularResource: t.singular,
    verbs: [...t.verbs],
    ...(t.shortNames.length ? { shortNames: [...t.shortNames] } : {}),
    ...(t.categories.length ? { categories: [...t.categories] } : {}),
    subresources: t.subresources.map((s) => ({ subresource: s, responseKind: subresourceKind(t, s), verbs: SUBRESOURCE_VERBS[s] })),
  };
}

function aggregatedGroup(group: string, types: DiscoveredType[]) {
  return {
    metadata: group ? { name: group } : {},
    versions: [{ version: types[0].version, freshness: 'Current', resources: types.map(aggregatedResource) }],
  };
}

export function aggregatedCore() {
  return { kind: 'APIGroupDiscoveryList', apiVersion: 'apidiscovery.k8s.io/v2', metadata: {}, items: [aggregatedGroup('', groups(servedTypes).get('') ?? [])] };
}

export function aggregatedGroups() {
  const items = [...groups(servedTypes)].filter(([g]) => g !== '').map(([g, types]) => aggregatedGroup(g, types));
  return { kind: 'APIGroupDiscoveryList', apiVersion: 'apidiscovery.k8s.io/v2', metadata: {}, items };
}

export function legacyCore(serverAddress: string) {
  return { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }] };
}

function apiGroup(group: string, types: DiscoveredType[]) {
  const gv = { groupVersion: `${group}/${types[0].version}`, version: types[0].version };
  return { name: group, versions: [gv], preferredVersion: gv };
}

export function legacyGroups() {
  return { kind: 'APIGroupList', apiVersion: 'v1', groups: [...groups(servedTypes)].filter(([g]) => g !== '').map(([g, types]) => apiGroup(g, types)) };
}

export function legacyGroup(group: string) {
  const types = groups(servedTypes).get(group);
  return types && group ? { kind: 'APIGroup', apiVersion: 'v1', ...apiGroup(group, types) } : undefined;
}

export function resourceList(group: string, version: string) {
  const types = (groups(servedTypes).get(group) ?? []).filter((t) => t.version === version);
  if (types.length === 0) return undefined;
  const resources = types.flatMap((t) => [
    {
      name: t.plural, singularName: t.singular, namespaced: t.namespaced, kind: t.kind, verbs: [...t.verbs],
      ...(t.shortNames.length ? { shortNames: [...t.shortNames] } : {}),
      ...(t.categories.length ? { categories: [...t.categories] } : {}),
    },
    ...t.subresources.map((s) => {
      const rk = subresourceKind(t, s);
      return { name: `${t.plural}/${s}`, singularName: '', namespaced: t.namespaced, ...(rk.group !== t.group || rk.version !== t.version ? { group: rk.group, version: rk.version } : {}), kind: rk.kind, verbs: SUBRESOURCE_VERBS[s] };
    }),
  ]);
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: group ? `${group}/${version}` : version, resources };
}

/**
 * Minimal OpenAPI v3: enough for kubectl to see that the server validates fields itself (kubectl-compat §6).
 * Stored kinds only: reviews are never patched, and kubectl's typed review clients read no OpenAPI.
 */
export function openapiIndex(hash: string) {
  const paths: Record<string, { serverRelativeURL: string }> = {};
  for (const [g, types] of groups(resourceTypes)) {
    const key = g ? `apis/${g}/${types[0].version}` : 'api/v1';
    paths[key] = { serverRelativeURL: `/openapi/v3/${key}?hash=${hash}` };
  }
  return { paths };
}

export function openapiDoc(group: string, version: string) {
  const types = (groups(resourceTypes).get(group) ?? []).filter((t) => t.version === version);
  if (types.length === 0) return undefined;
  const paths: Record<string, unknown> = {};
  for (const t of types) {
    const base = group ? `/apis/${group}/${version}` : `/api/${version}`;
    const path = t.namespaced ? `${base}/namespaces/{namespace}/${t.plural}/{name}` : `${base}/${t.plural}/{name}`;
    paths[path] = {
      patch: {
        'x-kubernetes-group-version-kind': { group, version, kind: t.kind },
        parameters: [{ name: 'fieldValidation', in: 'query', schema: { type: 'string' } }],
        responses: { '200': { description: 'OK' } },
      },
    };
  }
  return { openapi: '3.0.0', info: { title: 'Kubernetes', version: 'v1.32.0' }, paths, components: { schemas: {} } };
}
