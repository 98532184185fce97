/** Parts every describer shares: the metadata header, Events, selectors, owners. */
import type { KubeObject } from '../../actors/kinds/types';
import { ApiError, type KubeClient, type ListOptions, type ResourceRef } from '../../gateways/client';
import { age, rfc1123z } from '../time';
import type { DescribeWriter } from './writer';

export type DescribeDeps = Readonly<{ client: KubeClient; nowMs: number }>;

/** How describe reads the server's objects: every field optional, nothing trusted. */
export type Condition = Readonly<{ type?: string; status?: string; reason?: string; message?: string; lastHeartbeatTime?: string; lastTransitionTime?: string }>;

export type LabelSelector = Readonly<{
  matchLabels?: Readonly<Record<string, string>>;
  matchExpressions?: readonly Readonly<{ key: string; operator: string; values?: readonly string[] }>[];
}>;

// Core kinds whose shape is fixed by Kubernetes itself; no discovery needed to find them.
export const PODS: ResourceRef = { group: '', version: 'v1', plural: 'pods', namespaced: true };
const EVENTS: ResourceRef = { group: '', version: 'v1', plural: 'events', namespaced: true };

// kubectl hides this one: it is a copy of the manifest.
const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

/** Name, Namespace, CreationTimestamp, Labels, Annotations: the order of kubectl's describers that show all five. */
export function writeMetadata(w: DescribeWriter, obj: KubeObject, namespaced: boolean): void {
  const { metadata } = obj;
  w.field(0, 'Name', metadata.name);
  if (namespaced) w.field(0, 'Namespace', metadata.namespace);
  w.field(0, 'CreationTimestamp', rfc1123z(metadata.creationTimestamp));
  w.map(0, 'Labels', metadata.labels);
  const annotations = Object.fromEntries(Object.entries(metadata.annotations ?? {}).filter(([key]) => key !== LAST_APPLIED));
  w.map(0, 'Annotations', annotations, ': ');
}

/**
 * A list a section needs but can do without, like kubectl's describers: a server that refuses it
 * (not served, forbidden) gives `undefined` and the section is left out; unreachable still throws.
 */
export async function optionalList<T extends KubeObject>(deps: DescribeDeps, res: ResourceRef, opts: ListOptions): Promise<T[] | undefined> {
  try {
    return (await deps.client.list<T>(res, opts)).items;
  } catch (err) {
    if (err instanceof ApiError) return undefined;
    throw err;
  }
}

/** Workload conditions: `Type  Status  Reason` with a dashed rule, kubectl's format strings. */
export function writeConditions(w: DescribeWriter, conditions: readonly Condition[] | undefined): void {
  if (!conditions?.length) return;
  w.line(0, 'Conditions:');
  w.line(1, 'Type\tStatus\tReason');
  w.line(1, '----\t------\t------');
  for (const c of conditions) w.line(1, `${c.type ?? ''} \t${c.status ?? ''}\t${c.reason ?? ''}`);
}

/** `Controlled By:  ReplicaSet/web-abc`, from the controller owner reference. */
export function writeControlledBy(w: DescribeWriter, obj: KubeObject): void {
  const controller = obj.metadata.ownerReferences?.find((ref) => ref.controller);
  if (controller) w.field(0, 'Controlled By', `${controller.kind}/${controller.name}`);
}

/** metav1.FormatLabelSelector: `app=web,tier in (a,b),!legacy`; `<none>` selects nothing, an empty selector everything. */
export function formatSelector(selector: LabelSelector | undefined): string {
  if (!selector) return '<none>';
  const parts = [
    ...Object.entries(selector.matchLabels ?? {}).map(([key, value]) => `${key}=${value}`),
    ...(selector.matchExpressions ?? []).map(({ key, operator, values = [] }) => {
      switch (operator) {
        case 'In':
          return `${key} in (${values.join(',')})`;
        case 'NotIn':
          return `${key} notin (${values.join(',')})`;
        case 'Exists':
          return key;
        case 'DoesNotExist':
          return `!${key}`;
        default:
          return `${key} ${operator} (${values.join(',')})`;
      }
    }),
  ];
  return parts.length > 0 ? parts.join(',') : '<none>';
}

type EventShape = Readonly<{
  type?: string;
  reason?: string;
  message?: string;
  count?: number;
  firstTimestamp?: string;
  lastTimestamp?: string;
  eventTime?: string;
  source?: Readonly<{ component?: string }>;
  reportingComponent?: string;
  metadata?: Readonly<{ creationTimestamp?: string }>;
}>;

/** The object's events (`involvedObject.name/namespace/uid`), oldest first, as kubectl lists them. */
export async function writeEvents(w: DescribeWriter, obj: KubeObject, deps: DescribeDeps): Promise<void> {
  const { name, namespace, uid } = obj.metadata;
  const fieldSelector = [
    `involvedObject.name=${name ?? ''}`,
    ...(namespace ? [`involvedObject.namespace=${namespace}`] : []),
    ...(uid ? [`involvedObject.uid=${uid}`] : []),
  ].join(',');
  const events = ((await optionalList(deps, EVENTS, namespace ? { namespace, fieldSelector } : { allNamespaces: true, fieldSelector })) ?? []) as EventShape[];
  if (events.length === 0) {
    w.field(0, 'Events', '<none>');
    return;
  }
  const last = (e: EventShape): string => e.lastTimestamp ?? e.eventTime ?? e.firstTimestamp ?? e.metadata?.creationTimestamp ?? '';
  w.line(0, 'Events:');
  w.line(1, 'Type\tReason\tAge\tFrom\tMessage');
  w.line(1, '----\t------\t----\t----\t-------');
  for (const e of [...events].sort((a, b) => Date.parse(last(a)) - Date.parse(last(b)))) {
    const first = age(e.eventTime ?? e.firstTimestamp, deps.nowMs);
    const interval = (e.count ?? 0) > 1 ? `${age(e.lastTimestamp, deps.nowMs)} (x${e.count} over ${first})` : first;
    const from = e.source?.component || e.reportingComponent || '';
    w.line(1, `${e.type ?? ''}\t${e.reason ?? ''}\t${interval}\t${from}\t${(e.message ?? '').trim()}`);
  }
}
