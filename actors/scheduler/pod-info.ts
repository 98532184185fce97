import type { KubeObject } from '../kinds/types';
import { parseAffinityTerm, parseWeightedTerms, type AffinityTerm, type WeightedAffinityTerm } from './affinity-term';
import { preferredNodeTermsOf, requiredNodeAffinityOf, type RequiredNodeAffinity, type WeightedNodeTerm } from './node-selector';
import { podRequests, type Resources } from './resources';
import { podSpecOf, podStatusOf, type PodAffinityTerm, type PodSpec, type Toleration } from './types';

/**
 * A pod as the scheduler sees it (framework.PodInfo): everything the plugins need, parsed once per
 * pod rather than once per node.
 */
export type PodInfo = Readonly<{
  object: KubeObject;
  uid: string;
  namespace: string;
  name: string;
  labels: Readonly<Record<string, string>>;
  /** spec.nodeName when the pod names its node itself. */
  nodeName?: string;
  priority: number;
  /** preemptionPolicy: Never — the pod waits rather than evict anyone. */
  preemptNever: boolean;
  /** Being deleted: still holds its node's resources, but no longer counts for spreading. */
  terminating: boolean;
  /** The uid of its controller (ownerReference with controller: true), whose pods it spreads away from. */
  controllerUid?: string;
  /** Spreading is left to topologySpreadConstraints when the pod declares them (as SelectorSpread did). */
  hasSpreadConstraints: boolean;
  requests: Resources;
  /** Requests with scheduling defaults for what is not named, for scoring only. */
  nonZeroRequests: Resources;
  hostPorts: readonly HostPort[];
  tolerations: readonly Toleration[];
  requiredNodeAffinity: RequiredNodeAffinity;
  preferredNodeTerms: readonly WeightedNodeTerm[];
  requiredAffinityTerms: readonly AffinityTerm[];
  requiredAntiAffinityTerms: readonly AffinityTerm[];
  preferredAffinityTerms: readonly WeightedAffinityTerm[];
  preferredAntiAffinityTerms: readonly WeightedAffinityTerm[];
}>;

/** A host port a container binds: the empty IP means every address (0.0.0.0), the empty protocol TCP. */
export type HostPort = Readonly<{ ip: string; protocol: string; port: number }>;

export const ANY_IP = '0.0.0.0';

/** Only containers bind host ports for the pod's lifetime (getContainerPorts reads spec.containers). */
function hostPortsOf(spec: PodSpec): HostPort[] {
  return (spec.containers ?? []).flatMap((c) =>
    (c.ports ?? []).flatMap((p) => (p.hostPort && p.hostPort > 0 ? [{ ip: p.hostIP || ANY_IP, protocol: p.protocol || 'TCP', port: p.hostPort }] : [])),
  );
}

export function podInfoOf(pod: KubeObject): PodInfo {
  const spec = podSpecOf(pod);
  const meta = pod.metadata;
  const namespace = meta.namespace ?? '';
  const affinity = spec.affinity;
  const required = (terms: readonly PodAffinityTerm[] | undefined) => (terms ?? []).map((t) => parseAffinityTerm(namespace, t));
  return {
    object: pod,
    uid: meta.uid ?? '',
    namespace,
    name: meta.name ?? '',
    labels: meta.labels ?? {},
    nodeName: spec.nodeName || undefined,
    priority: spec.priority ?? 0,
    preemptNever: spec.preemptionPolicy === 'Never',
    terminating: !!meta.deletionTimestamp,
    controllerUid: meta.ownerReferences?.find((r) => r.controller)?.uid,
    hasSpreadConstraints: (spec.topologySpreadConstraints ?? []).length > 0,
    requests: podRequests(spec),
    nonZeroRequests: podRequests(spec, true),
    hostPorts: hostPortsOf(spec),
    tolerations: spec.tolerations ?? [],
    requiredNodeAffinity: requiredNodeAffinityOf(spec),
    preferredNodeTerms: preferredNodeTermsOf(spec),
    requiredAffinityTerms: required(affinity?.podAffinity?.requiredDuringSchedulingIgnoredDuringExecution),
    requiredAntiAffinityTerms: required(affinity?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution),
    preferredAffinityTerms: parseWeightedTerms(namespace, affinity?.podAffinity?.preferredDuringSchedulingIgnoredDuringExecution),
    preferredAntiAffinityTerms: parseWeightedTerms(namespace, affinity?.podAntiAffinity?.preferredDuringSchedulingIgnoredDuringExecution),
  };
}

/** Pods with any affinity term: the only existing pods that can change another pod's affinity score. */
export function hasAffinity(pod: PodInfo): boolean {
  return pod.requiredAffinityTerms.length + pod.requiredAntiAffinityTerms.length
    + pod.preferredAffinityTerms.length + pod.preferredAntiAffinityTerms.length > 0;
}

/**
 * Whether a pod bound to a node occupies it: pods that have finished (Succeeded or Failed) hold no
 * resources, ports or affinity, as the kubelet no longer runs them.
 */
export function holdsNode(pod: KubeObject): boolean {
  const phase = podStatusOf(pod).phase;
  return phase !== 'Succeeded' && phase !== 'Failed';
}
