import type { ObjectRef } from '../../eventlog/types';
import type { KubeObject } from '../kinds/types';
import { isPodTerminated } from './pod-status';
import type { Pod } from './workloads';

/**
 * What the endpoints controllers read of Services and Pods and write as Endpoints and
 * EndpointSlices, with Kubernetes' field names, and the pod rules both share
 * (pkg/controller/util/endpoint and endpointslice/util: ShouldPodBeInEndpoints, FindPort, …).
 */

export type ServicePort = { name?: string; protocol?: string; port: number; targetPort?: number | string; appProtocol?: string };

export type Service = KubeObject & {
  spec?: {
    type?: string;
    selector?: Record<string, string>;
    clusterIP?: string;
    ports?: ServicePort[];
    publishNotReadyAddresses?: boolean;
  };
};

export type ContainerPort = { name?: string; containerPort: number; protocol?: string };
type ContainerWithPorts = { name: string; ports?: ContainerPort[]; restartPolicy?: string };

/** A pod as the endpoints controllers see it: its address, node, hostname and container ports. */
export type EndpointPod = Pod & {
  spec?: Pod['spec'] & { hostname?: string; subdomain?: string };
  status?: NonNullable<Pod['status']> & { podIP?: string; podIPs?: { ip: string }[] };
};

export type ObjectReference = { kind: 'Pod'; namespace: string; name: string; uid: string };

/** An address with what an Endpoints subset and an EndpointSlice endpoint both say about a pod. */
export type PodAddress = { ip: string; hostname?: string; nodeName?: string; targetRef: ObjectReference };

/** The port a service port reaches on one pod, named and with the service port's protocol. */
export type ResolvedPort = { name: string; port: number; protocol: string; appProtocol?: string };

export const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';
export const HEADLESS_LABEL = 'service.kubernetes.io/headless';

/** ExternalName services and services without a selector get no endpoints from the controllers (their endpoints are written by hand). */
export function managesEndpoints(service: Service): boolean {
  const selector = service.spec?.selector;
  return service.spec?.type !== 'ExternalName' && !!selector && Object.keys(selector).length > 0;
}

export function isHeadless(service: Service): boolean {
  return service.spec?.clusterIP === 'None';
}

/** labels.SelectorFromSet: every key=value of the service's selector is on the pod. */
export function selects(service: Service, labels: Readonly<Record<string, string>> | undefined): boolean {
  if (!managesEndpoints(service)) return false;
  return Object.entries(service.spec?.selector ?? {}).every(([k, v]) => labels?.[k] === v);
}

/** The pod's IPv4 address (status.podIP, else the first of status.podIPs), if it has one. */
export function podIPv4(pod: EndpointPod): string | undefined {
  const ips = [pod.status?.podIP, ...(pod.status?.podIPs ?? []).map((p) => p.ip)];
  return ips.find((ip): ip is string => !!ip && ip.includes('.'));
}

/** ShouldPodBeInEndpoints: not terminal, has an address, and not terminating unless those are wanted too. */
export function shouldPodBeInEndpoints(pod: EndpointPod, includeTerminating: boolean): boolean {
  if (isPodTerminated(pod) || !podIPv4(pod)) return false;
  return includeTerminating || !pod.metadata.deletionTimestamp;
}

export function podAddress(service: Service, pod: EndpointPod): PodAddress {
  const hostname = pod.spec?.hostname;
  // ShouldSetHostname: the pod asked for a hostname under this service's subdomain.
  const setHostname = !!hostname && pod.spec?.subdomain === service.metadata.name && pod.metadata.namespace === service.metadata.namespace;
  return {
    ip: podIPv4(pod) ?? '',
    ...(setHostname ? { hostname } : {}),
    ...(pod.spec?.nodeName ? { nodeName: pod.spec.nodeName } : {}),
    targetRef: { kind: 'Pod', namespace: pod.metadata.namespace ?? '', name: pod.metadata.name ?? '', uid: pod.metadata.uid ?? '' },
  };
}

/**
 * podutil.FindPort: a numeric targetPort as is; a named one looked up among the pod's container
 * ports (then its sidecars') with the service port's protocol. Undefined when the pod has no such
 * port: it is then left out of that port's endpoints.
 */
export function findPort(pod: EndpointPod, servicePort: ServicePort): number | undefined {
  const target = servicePort.targetPort ?? servicePort.port;
  if (typeof target === 'number') return target;
  const protocol = servicePort.protocol ?? 'TCP';
  const spec = pod.spec as { containers?: ContainerWithPorts[]; initContainers?: ContainerWithPorts[] } | undefined;
  const sidecars = (spec?.initContainers ?? []).filter((c) => c.restartPolicy === 'Always');
  for (const container of [...(spec?.containers ?? []), ...sidecars]) {
    const found = container.ports?.find((p) => p.name === target && (p.protocol ?? 'TCP') === protocol);
    if (found) return found.containerPort;
  }
  return undefined;
}

/** The service's ports as they resolve on one pod (ports the pod lacks left out). */
export function resolvePorts(service: Service, pod: EndpointPod): ResolvedPort[] {
  return (service.spec?.ports ?? []).flatMap((sp) => {
    const port = findPort(pod, sp);
    return port === undefined ? [] : [{ name: sp.name ?? '', port, protocol: sp.protocol ?? 'TCP', ...(sp.appProtocol ? { appProtocol: sp.appProtocol } : {}) }];
  });
}

export function endpointsRef(namespace: string, name: string): ObjectRef {
  return { group: '', resource: 'endpoints', namespace, name };
}

export function endpointSliceRef(namespace: string, name: string): ObjectRef {
  return { group: 'discovery.k8s.io', resource: 'endpointslices', namespace, name };
}

/** The service's labels on what the controllers write for it: a copy without `omit`, plus the headless marker. */
export function labelsFor(service: Service, omit: readonly string[] = []): Record<string, string> {
  const labels = Object.fromEntries(Object.entries(service.metadata.labels ?? {}).filter(([k]) => !omit.includes(k) && k !== HEADLESS_LABEL));
  if (isHeadless(service)) labels[HEADLESS_LABEL] = '';
  return labels;
}
