import type { KubeObject, ObjectMeta } from '../../actors/kinds/types';
import { Rejection } from '../../actors/rejection';
import { formatLabelSelector, labelSelectorFromObject, type MetaLabelSelector } from '../../projections/selectors';

/**
 * Server-side printing (`Accept: application/json;as=Table;g=meta.k8s.io;v=v1`), column for column
 * and cell for cell as kube-apiserver 1.32 (pkg/printers/internalversion/printers.go). The server
 * always renders the wide columns; kubectl hides priority-1 columns unless `-o wide`. Pure: the
 * current time comes in as `nowMs`.
 */

export type TableColumnDefinition = Readonly<{
  name: string;
  type: 'string' | 'integer' | 'date';
  format: '' | 'name';
  description: string;
  priority: 0 | 1;
}>;

/** JSON strings, integers or booleans; kubectl prints them as given. */
export type TableCell = string | number | boolean;

export type TableRowCondition = Readonly<{ type: 'Completed'; status: 'True'; reason: string; message: string }>;

export type PartialObjectMetadata = Readonly<{
  kind: 'PartialObjectMetadata';
  apiVersion: 'meta.k8s.io/v1';
  metadata: ObjectMeta;
}>;

export type TableRow = Readonly<{
  cells: readonly TableCell[];
  conditions?: readonly TableRowCondition[];
  object?: KubeObject | PartialObjectMetadata;
}>;

export type Table = Readonly<{
  kind: 'Table';
  apiVersion: 'meta.k8s.io/v1';
  metadata: Readonly<{ resourceVersion?: string; continue?: string; remainingItemCount?: number }>;
  /** Absent with `noHeaders` (watch events after the first). */
  columnDefinitions?: readonly TableColumnDefinition[];
  rows: readonly TableRow[];
}>;

export type IncludeObject = 'None' | 'Object' | 'Metadata';

export type TableOptions = Readonly<{
  kind: string;
  nowMs: number;
  includeObject: IncludeObject;
  noHeaders?: boolean;
  resourceVersion?: string;
  continueToken?: string;
  remainingItemCount?: number;
}>;

// ---------------------------------------------------------------------------------------------
// duration.HumanDuration
// ---------------------------------------------------------------------------------------------

const SECOND_MS = 1000;
const MINUTE_MS = 60 * SECOND_MS;
const HOUR_MS = 60 * MINUTE_MS;

/**
 * apimachinery duration.HumanDuration: 2–3 significant figures ("90s", "3m20s", "8h", "2d3h",
 * "400d", "2y10d"). Up to 2 s in the future is clock skew ("0s"); more is "<invalid>".
 */
export function humanDuration(ms: number): string {
  const seconds = Math.trunc(ms / SECOND_MS);
  if (seconds < -1) return '<invalid>';
  if (seconds < 0) return '0s';
  if (seconds < 120) return `${seconds}s`;
  const minutes = Math.trunc(ms / MINUTE_MS);
  if (minutes < 10) return withRemainder(minutes, 'm', seconds % 60, 's');
  if (minutes < 3 * 60) return `${minutes}m`;
  const hours = Math.trunc(ms / HOUR_MS);
  if (hours < 8) return withRemainder(hours, 'h', minutes % 60, 'm');
  if (hours < 48) return `${hours}h`;
  const days = Math.trunc(hours / 24);
  if (hours < 24 * 8) return withRemainder(days, 'd', hours % 24, 'h');
  if (hours < 24 * 365 * 2) return `${days}d`;
  const years = Math.trunc(days / 365);
  if (hours < 24 * 365 * 8) return withRemainder(years, 'y', days % 365, 'd');
  return `${years}y`;
}

const withRemainder = (whole: number, unit: string, rest: number, restUnit: string): string =>
  rest === 0 ? `${whole}${unit}` : `${whole}${unit}${rest}${restUnit}`;

/** A timestamp's age; "<unknown>" when it is unset, as for Go's zero time. */
function since(timestamp: string | null | undefined, nowMs: number): string {
  const ms = timestampMs(timestamp);
  return ms === undefined ? '<unknown>' : humanDuration(nowMs - ms);
}

function timestampMs(timestamp: string | null | undefined): number | undefined {
  if (!timestamp) return undefined;
  const ms = Date.parse(timestamp);
  return Number.isNaN(ms) ? undefined : ms;
}

// ---------------------------------------------------------------------------------------------
// Column definitions (descriptions are the k8s.io/api 1.32 field docs upstream quotes)
// ---------------------------------------------------------------------------------------------

const DOC = {
  name: 'Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names',
  creationTimestamp:
    'CreationTimestamp is a timestamp representing the server time when this object was created. It is not guaranteed to be set in happens-before order across separate operations. Clients may not set this value. It is represented in RFC3339 form and is in UTC.\n\nPopulated by the system. Read-only. Null for lists. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata',
  podIP: 'podIP address allocated to the pod. Routable at least within the cluster. Empty if not yet allocated.',
  nodeName:
    'NodeName indicates in which node this pod is scheduled. If empty, this pod is a candidate for scheduling by the scheduler defined in schedulerName. Once this field is set, the kubelet for this node becomes responsible for the lifecycle of this pod. This field should not be used to express a desire for the pod to be scheduled on a specific node. https://kubernetes.io/docs/concepts/scheduling-eviction/assign-pod-node/#nodename',
  nominatedNodeName:
    'nominatedNodeName is set only when this pod preempts other pods on the node, but it cannot be scheduled right away as preemption victims receive their graceful termination periods. This field does not guarantee that the pod will be scheduled on this node. Scheduler may decide to place the pod elsewhere if other nodes become available sooner. Scheduler may also decide to give the resources on this node to a higher priority pod that is created after preemption. As a result, this field may be different than PodSpec.nodeName when the pod is scheduled.',
  readinessGates:
    'If specified, all readiness gates will be evaluated for pod readiness. A pod is ready when all its containers are ready AND all conditions specified in the readiness gates have status equal to "True" More info: https://git.k8s.io/enhancements/keps/sig-network/580-pod-readiness-gates',
  deploymentUpdated: 'Total number of non-terminated pods targeted by this deployment that have the desired template spec.',
  deploymentAvailable: 'Total number of available pods (ready for at least minReadySeconds) targeted by this deployment.',
  deploymentSelector:
    'Label selector for pods. Existing ReplicaSets whose pods are selected by this will be the ones affected by this deployment.',
  replicaSetReplicas:
    'Replicas is the number of desired replicas. This is a pointer to distinguish between explicit zero and unspecified. Defaults to 1. More info: https://kubernetes.io/docs/concepts/workloads/controllers/replicationcontroller/#what-is-a-replicationcontroller',
  replicaSetCurrent:
    'Replicas is the most recently observed number of replicas. More info: https://kubernetes.io/docs/concepts/workloads/controllers/replicationcontroller/#what-is-a-replicationcontroller',
  replicaSetReady: 'The number of ready replicas for this replica set.',
  replicaSetSelector:
    'Selector is a label query over pods that should match the replica count. If the selector is empty, it is defaulted to the labels present on the pod template. Label keys and values that must match in order to be controlled by this replica set. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#label-selectors',
  serviceType:
    'type determines how the Service is exposed. Defaults to ClusterIP. Valid options are ExternalName, ClusterIP, NodePort, and LoadBalancer. "ClusterIP" allocates a cluster-internal IP address for load-balancing to endpoints. Endpoints are determined by the selector or if that is not specified, by manual construction of an Endpoints object or EndpointSlice objects. If clusterIP is "None", no virtual IP is allocated and the endpoints are published as a set of endpoints rather than a virtual IP. "NodePort" builds on ClusterIP and allocates a port on every node which routes to the same endpoints as the clusterIP. "LoadBalancer" builds on NodePort and creates an external load-balancer (if supported in the current cloud) which routes to the same endpoints as the clusterIP. "ExternalName" aliases this service to the specified externalName. Several other fields do not apply to ExternalName services. More info: https://kubernetes.io/docs/concepts/services-networking/service/#publishing-services-service-types',
  clusterIP:
    'clusterIP is the IP address of the service and is usually assigned randomly. If an address is specified manually, is in-range (as per system configuration), and is not in use, it will be allocated to the service; otherwise creation of the service will fail. This field may not be changed through updates unless the type field is also being changed to ExternalName (which requires this field to be blank) or the type field is being changed from ExternalName (in which case this field may optionally be specified, as describe above).  Valid values are "None", empty string (""), or a valid IP address. Setting this to "None" makes a "headless service" (no virtual IP), which is useful when direct endpoint connections are preferred and proxying is not required.  Only applies to types ClusterIP, NodePort, and LoadBalancer. If this field is specified when creating a Service of type ExternalName, creation will fail. This field will be wiped when updating a Service to type ExternalName. More info: https://kubernetes.io/docs/concepts/services-networking/service/#virtual-ips-and-service-proxies',
  externalIPs:
    'externalIPs is a list of IP addresses for which nodes in the cluster will also accept traffic for this service.  These IPs are not managed by Kubernetes.  The user is responsible for ensuring that traffic arrives at a node with this IP.  A common example is external load-balancers that are not part of the Kubernetes system.',
  ports:
    'The list of ports that are exposed by this service. More info: https://kubernetes.io/docs/concepts/services-networking/service/#virtual-ips-and-service-proxies',
  serviceSelector:
    'Route service traffic to pods with label keys and values matching this selector. If empty or not present, the service is assumed to have an external process managing its endpoints, which Kubernetes will not modify. Only applies to types ClusterIP, NodePort, and LoadBalancer. Ignored if type is ExternalName. More info: https://kubernetes.io/docs/concepts/services-networking/service/',
  kubeletVersion: 'Kubelet Version reported by the node.',
  addresses:
    "List of addresses reachable to the node. Queried from cloud provider, if available. More info: https://kubernetes.io/docs/reference/node/node-status/#addresses Note: This field is declared as mergeable, but the merge key is not sufficiently unique, which can cause data corruption when it is merged. Callers should instead use a full-replacement patch. See https://pr.k8s.io/79391 for an example. Consumers should assume that addresses can change during the lifetime of a Node. However, there are some exceptions where this may not be possible, such as Pods that inherit a Node's address in its own status or consumers of the downward API (status.hostIP).",
  osImage: 'OS Image reported by the node from /etc/os-release (e.g. Debian GNU/Linux 7 (wheezy)).',
  kernelVersion: "Kernel Version reported by the node from 'uname -r' (e.g. 3.16.0-0.bpo.4-amd64).",
  containerRuntimeVersion: 'ContainerRuntime Version reported by the node through runtime remote API (e.g. containerd://1.4.2).',
  lastTimestamp: 'The time at which the most recent occurrence of this event was recorded.',
  eventType: 'Type of this event (Normal, Warning), new types could be added in the future',
  reason: "This should be a short, machine understandable string that gives the reason for the transition into the object's current status.",
  involvedObject: 'The object that this event is about.',
  fieldPath:
    'If referring to a piece of an object instead of an entire object, this string should contain a valid JSON/Go field access statement, such as desiredState.manifest.containers[2]. For example, if the object reference is to a container within a pod, this would take on a value like: "spec.containers{name}" (where "name" refers to the name of the container that triggered the event) or if no container name is specified "spec.containers[2]" (container with index 2 in this pod). This syntax is chosen only to have some well-defined way of referencing a part of an object.',
  source: 'The component reporting this event. Should be a short machine understandable string.',
  message: 'A human-readable description of the status of this operation.',
  firstTimestamp: 'The time at which the event was first recorded. (Time of server receipt is in TypeMeta.)',
  count: 'The number of times this event has occurred.',
  secretType:
    'Used to facilitate programmatic handling of secret data. More info: https://kubernetes.io/docs/concepts/configuration/secret/#secret-types',
  secretData:
    "Data contains the secret data. Each key must consist of alphanumeric characters, '-', '_' or '.'. The serialized form of the secret data is a base64 encoded string, representing the arbitrary (possibly non-string) data value here. Described in https://tools.ietf.org/html/rfc4648#section-4",
  configMapData:
    "Data contains the configuration data. Each key must consist of alphanumeric characters, '-', '_' or '.'. Values with non-UTF-8 byte sequences must use the BinaryData field. The keys stored in Data must not overlap with the keys in the BinaryData field, this is enforced during validation process.",
} as const;

type ColumnType = TableColumnDefinition['type'];

const column = (name: string, type: ColumnType, description: string): TableColumnDefinition => ({
  name,
  type,
  format: '',
  description,
  priority: 0,
});
/** A priority-1 column: kubectl shows it only with `-o wide`. */
const wide = (name: string, type: ColumnType, description: string): TableColumnDefinition => ({
  ...column(name, type, description),
  priority: 1,
});

const NAME = { ...column('Name', 'string', DOC.name), format: 'name' } as const;
const AGE = column('Age', 'string', DOC.creationTimestamp);
const CONTAINERS = wide('Containers', 'string', 'Names of each container in the template.');
const IMAGES = wide('Images', 'string', 'Images referenced by each container in the template.');

// ---------------------------------------------------------------------------------------------
// Object views: the v1 JSON fields the printers read. Stored objects passed validation, so the
// shapes hold; every field is optional because Kubernetes omits empty ones.
// ---------------------------------------------------------------------------------------------

type Condition = Readonly<{ type: string; status: string; reason?: string }>;
type Terminated = Readonly<{ exitCode?: number; signal?: number; reason?: string; finishedAt?: string }>;
type ContainerState = Readonly<{ waiting?: Readonly<{ reason?: string }>; running?: object; terminated?: Terminated }>;
type ContainerStatus = Readonly<{
  name: string;
  ready?: boolean;
  started?: boolean;
  restartCount?: number;
  state?: ContainerState;
  lastState?: ContainerState;
}>;
type Container = Readonly<{ name: string; image?: string; restartPolicy?: string }>;
type PodTemplate = Readonly<{ spec?: Readonly<{ containers?: readonly Container[] }> }>;

type PodView = Readonly<{
  spec?: Readonly<{
    containers?: readonly Container[];
    initContainers?: readonly Container[];
    nodeName?: string;
    readinessGates?: readonly Readonly<{ conditionType: string }>[];
  }>;
  status?: Readonly<{
    phase?: string;
    reason?: string;
    conditions?: readonly Condition[];
    initContainerStatuses?: readonly ContainerStatus[];
    containerStatuses?: readonly ContainerStatus[];
    podIP?: string;
    podIPs?: readonly Readonly<{ ip: string }>[];
    nominatedNodeName?: string;
  }>;
}>;
type DeploymentView = Readonly<{
  spec?: Readonly<{ replicas?: number; selector?: MetaLabelSelector; template?: PodTemplate }>;
  status?: Readonly<{ readyReplicas?: number; updatedReplicas?: number; availableReplicas?: number }>;
}>;
type ReplicaSetView = Readonly<{
  spec?: Readonly<{ replicas?: number; selector?: MetaLabelSelector; template?: PodTemplate }>;
  status?: Readonly<{ replicas?: number; readyReplicas?: number }>;
}>;
type ServiceView = Readonly<{
  spec?: Readonly<{
    type?: string;
    clusterIP?: string;
    clusterIPs?: readonly string[];
    externalIPs?: readonly string[];
    externalName?: string;
    ports?: readonly Readonly<{ port: number; nodePort?: number; protocol?: string }>[];
    selector?: Readonly<Record<string, string>>;
  }>;
  status?: Readonly<{ loadBalancer?: Readonly<{ ingress?: readonly Readonly<{ ip?: string; hostname?: string }>[] }> }>;
}>;
type NodeView = Readonly<{
  spec?: Readonly<{ unschedulable?: boolean }>;
  status?: Readonly<{
    conditions?: readonly Condition[];
    addresses?: readonly Readonly<{ type: string; address: string }>[];
    nodeInfo?: Readonly<{ kubeletVersion?: string; osImage?: string; kernelVersion?: string; containerRuntimeVersion?: string }>;
  }>;
}>;
type EventView = Readonly<{
  type?: string;
  reason?: string;
  message?: string;
  count?: number;
  firstTimestamp?: string | null;
  lastTimestamp?: string | null;
  eventTime?: string | null;
  series?: Readonly<{ count?: number; lastObservedTime?: string }>;
  involvedObject?: Readonly<{ kind?: string; name?: string; fieldPath?: string }>;
  source?: Readonly<{ component?: string; host?: string }>;
  reportingComponent?: string;
  reportingInstance?: string;
}>;
type DataView = Readonly<{ type?: string; data?: object; binaryData?: object }>;
type NamespaceView = Readonly<{ status?: Readonly<{ phase?: string }> }>;

// The printers read the JSON through the views above; KubeObject keeps kind fields as unknown.
const view = <T>(obj: KubeObject): T => obj as unknown as T;

const nameOf = (obj: KubeObject): string => obj.metadata.name ?? '';
const ageOf = (obj: KubeObject, nowMs: number): string => since(obj.metadata.creationTimestamp, nowMs);
const keyCount = (map: object | undefined): number => Object.keys(map ?? {}).length;
const orNone = (s: string | undefined): string => s || '<none>';
const orUnknown = (s: string | undefined): string => s || '<unknown>';

/** CONTAINERS and IMAGES: the template's containers, comma-joined. */
function containerCells(template: PodTemplate | undefined): [string, string] {
  const containers = template?.spec?.containers ?? [];
  return [containers.map((c) => c.name).join(','), containers.map((c) => c.image ?? '').join(',')];
}

/** Selector.String() of a metav1.LabelSelector, or undefined when it does not convert. */
function selectorString(sel: MetaLabelSelector | undefined): string | undefined {
  try {
    return formatLabelSelector(labelSelectorFromObject(sel));
  } catch (e) {
    if (e instanceof Rejection) return undefined;
    throw e;
  }
}

/** labels.FormatLabels: "k=v" pairs sorted as whole strings, "<none>" when empty. */
function formatLabels(labels: Readonly<Record<string, string>> | undefined): string {
  const pairs = Object.entries(labels ?? {}).map(([k, v]) => `${k}=${v}`);
  return orNone(pairs.sort().join(','));
}

// ---------------------------------------------------------------------------------------------
// Printers
// ---------------------------------------------------------------------------------------------

type Printer = Readonly<{
  columns: readonly TableColumnDefinition[];
  cells: (obj: KubeObject, nowMs: number) => TableCell[];
  conditions?: (obj: KubeObject) => readonly TableRowCondition[] | undefined;
}>;

const namespacePrinter: Printer = {
  columns: [NAME, column('Status', 'string', 'The status of the namespace'), AGE],
  cells: (obj, nowMs) => [nameOf(obj), view<NamespaceView>(obj).status?.phase ?? '', ageOf(obj, nowMs)],
};

const configMapPrinter: Printer = {
  columns: [NAME, column('Data', 'string', DOC.configMapData), AGE],
  cells: (obj, nowMs) => {
    const cm = view<DataView>(obj);
    return [nameOf(obj), keyCount(cm.data) + keyCount(cm.binaryData), ageOf(obj, nowMs)];
  },
};

const secretPrinter: Printer = {
  columns: [NAME, column('Type', 'string', DOC.secretType), column('Data', 'string', DOC.secretData), AGE],
  cells: (obj, nowMs) => {
    const secret = view<DataView>(obj);
    return [nameOf(obj), secret.type ?? '', keyCount(secret.data), ageOf(obj, nowMs)];
  },
};

const deploymentPrinter: Printer = {
  columns: [
    NAME,
    column('Ready', 'string', 'Number of the pod with ready state'),
    column('Up-to-date', 'string', DOC.deploymentUpdated),
    column('Available', 'string', DOC.deploymentAvailable),
    AGE,
    CONTAINERS,
    IMAGES,
    wide('Selector', 'string', DOC.deploymentSelector),
  ],
  cells: (obj, nowMs) => {
    const { spec, status } = view<DeploymentView>(obj);
    return [
      nameOf(obj),
      `${status?.readyReplicas ?? 0}/${spec?.replicas ?? 0}`,
      status?.updatedReplicas ?? 0,
      status?.availableReplicas ?? 0,
      ageOf(obj, nowMs),
      ...containerCells(spec?.template),
      // Deployments print Selector.String() directly: "" when empty, "<invalid>" when broken.
      selectorString(spec?.selector) ?? '<invalid>',
    ];
  },
};

const replicaSetPrinter: Printer = {
  columns: [
    NAME,
    column('Desired', 'integer', DOC.replicaSetReplicas),
    column('Current', 'integer', DOC.replicaSetCurrent),
    column('Ready', 'integer', DOC.replicaSetReady),
    AGE,
    CONTAINERS,
    IMAGES,
    wide('Selector', 'string', DOC.replicaSetSelector),
  ],
  cells: (obj, nowMs) => {
    const { spec, status } = view<ReplicaSetView>(obj);
    const selector = selectorString(spec?.selector);
    return [
      nameOf(obj),
      spec?.replicas ?? 0,
      status?.replicas ?? 0,
      status?.readyReplicas ?? 0,
      ageOf(obj, nowMs),
      ...containerCells(spec?.template),
      // metav1.FormatLabelSelector: "<none>" when empty, "<error>" when broken.
      selector === undefined ? '<error>' : orNone(selector),
    ];
  },
};

const servicePrinter: Printer = {
  columns: [
    NAME,
    column('Type', 'string', DOC.serviceType),
    column('Cluster-IP', 'string', DOC.clusterIP),
    column('External-IP', 'string', DOC.externalIPs),
    column('Port(s)', 'string', DOC.ports),
    AGE,
    wide('Selector', 'string', DOC.serviceSelector),
  ],
  cells: (obj, nowMs) => {
    const svc = view<ServiceView>(obj);
    return [
      nameOf(obj),
      svc.spec?.type ?? '',
      // clusterIPs[0] is the primary; v1 clients may have set only clusterIP. Headless is "None".
      orNone(svc.spec?.clusterIPs?.[0] ?? svc.spec?.clusterIP),
      serviceExternalIP(svc),
      orNone(servicePorts(svc)),
      ageOf(obj, nowMs),
      formatLabels(svc.spec?.selector),
    ];
  },
};

/** EXTERNAL-IP, untruncated as for wide output (the server always renders wide). */
function serviceExternalIP(svc: ServiceView): string {
  const externalIPs = svc.spec?.externalIPs ?? [];
  switch (svc.spec?.type) {
    case 'ClusterIP':
    case 'NodePort':
      return orNone(externalIPs.join(','));
    case 'LoadBalancer': {
      const ingress = loadBalancerAddresses(svc);
      if (externalIPs.length > 0) return [...ingress, ...externalIPs].join(',');
      return ingress.length > 0 ? ingress.join(',') : '<pending>';
    }
    case 'ExternalName':
      return svc.spec.externalName ?? '';
    default:
      return '<unknown>';
  }
}

/** Load-balancer ingress IPs (else hostnames), sorted and de-duplicated as a Go string set. */
function loadBalancerAddresses(svc: ServiceView): string[] {
  const addresses = (svc.status?.loadBalancer?.ingress ?? []).map((i) => i.ip || i.hostname || '').filter((a) => a !== '');
  return [...new Set(addresses)].sort();
}

/** "80/TCP", or "80:30080/TCP" with a node port; comma-joined. */
function servicePorts(svc: ServiceView): string {
  return (svc.spec?.ports ?? [])
    .map((p) => (p.nodePort ? `${p.port}:${p.nodePort}/${p.protocol ?? ''}` : `${p.port}/${p.protocol ?? ''}`))
    .join(',');
}

// Endpoints and EndpointSlices: formatEndpoints and formatDiscoveryPorts/Endpoints, at most three
// entries then "+ N more...".

type EndpointsView = Readonly<{ subsets?: readonly Readonly<{ addresses?: readonly Readonly<{ ip: string }>[]; ports?: readonly Readonly<{ port: number }>[] }>[] }>;
type EndpointSliceView = Readonly<{ addressType?: string; endpoints?: readonly Readonly<{ addresses?: readonly string[] }>[] | null; ports?: readonly Readonly<{ port?: number | null; name?: string | null }>[] | null }>;

const SHOWN_ENDPOINTS = 3;

const endpointsPrinter: Printer = {
  columns: [NAME, column('Endpoints', 'string', 'Endpoints of the service'), AGE],
  cells: (obj, nowMs) => [nameOf(obj), formatEndpoints(view<EndpointsView>(obj)), ageOf(obj, nowMs)],
};

/** "ip:port" per ready address and port (a bare ip for a headless service without ports); "<none>" without subsets. */
function formatEndpoints(ep: EndpointsView): string {
  const subsets = ep.subsets ?? [];
  if (subsets.length === 0) return '<none>';
  const all = subsets.flatMap((ss) => {
    const ips = (ss.addresses ?? []).map((a) => a.ip);
    const ports = ss.ports ?? [];
    return ports.length === 0 ? ips : ports.flatMap((p) => ips.map((ip) => `${ip.includes(':') ? `[${ip}]` : ip}:${p.port}`));
  });
  const shown = all.slice(0, SHOWN_ENDPOINTS).join(',');
  return all.length > SHOWN_ENDPOINTS ? `${shown} + ${all.length - SHOWN_ENDPOINTS} more...` : shown;
}

const endpointSlicePrinter: Printer = {
  columns: [
    NAME,
    column('AddressType', 'string', 'addressType specifies the type of address carried by this EndpointSlice. All addresses in this slice must be the same type.'),
    column('Ports', 'string', 'ports specifies the list of network ports exposed by each endpoint in this slice.'),
    column('Endpoints', 'string', 'endpoints is a list of unique endpoints in this slice.'),
    AGE,
  ],
  cells: (obj, nowMs) => {
    const slice = view<EndpointSliceView>(obj);
    const ports = (slice.ports ?? []).map((p) => (typeof p.port === 'number' ? String(p.port) : p.name ?? '*'));
    const addresses = (slice.endpoints ?? []).flatMap((e) => e.addresses ?? []);
    return [nameOf(obj), slice.addressType ?? '', listWithMore(ports), listWithMore(addresses), ageOf(obj, nowMs)];
  },
};

function listWithMore(list: readonly string[]): string {
  if (list.length > SHOWN_ENDPOINTS) return `${list.slice(0, SHOWN_ENDPOINTS).join(',')} + ${list.length - SHOWN_ENDPOINTS} more...`;
  return list.length ? list.join(',') : '<unset>';
}

const nodePrinter: Printer = {
  columns: [
    NAME,
    column('Status', 'string', 'The status of the node'),
    column('Roles', 'string', 'The roles of the node'),
    AGE,
    column('Version', 'string', DOC.kubeletVersion),
    wide('Internal-IP', 'string', DOC.addresses),
    wide('External-IP', 'string', DOC.addresses),
    wide('OS-Image', 'string', DOC.osImage),
    wide('Kernel-Version', 'string', DOC.kernelVersion),
    wide('Container-Runtime', 'string', DOC.containerRuntimeVersion),
  ],
  cells: (obj, nowMs) => {
    const node = view<NodeView>(obj);
    const info = node.status?.nodeInfo;
    return [
      nameOf(obj),
      nodeStatus(node),
      orNone(nodeRoles(obj.metadata.labels).join(',')),
      ageOf(obj, nowMs),
      info?.kubeletVersion ?? '',
      orNone(nodeAddress(node, 'InternalIP')),
      orNone(nodeAddress(node, 'ExternalIP')),
      orUnknown(info?.osImage),
      orUnknown(info?.kernelVersion),
      orUnknown(info?.containerRuntimeVersion),
    ];
  },
};

/** "Ready", "NotReady" or "Unknown" (no Ready condition), plus ",SchedulingDisabled" when cordoned. */
function nodeStatus(node: NodeView): string {
  // A later Ready condition overrides an earlier one, as upstream's condition map does.
  const ready = (node.status?.conditions ?? []).filter((c) => c.type === 'Ready').at(-1);
  const status = ready === undefined ? 'Unknown' : ready.status === 'True' ? 'Ready' : 'NotReady';
  return node.spec?.unschedulable ? `${status},SchedulingDisabled` : status;
}

const NODE_ROLE_PREFIX = 'node-role.kubernetes.io/';
const LEGACY_NODE_ROLE = 'kubernetes.io/role';

/** Roles from node-role.kubernetes.io/<role> label keys and the kubernetes.io/role value; sorted, unique. */
function nodeRoles(labels: Readonly<Record<string, string>> | undefined): string[] {
  const roles = Object.entries(labels ?? {}).flatMap(([key, value]) => {
    if (key.startsWith(NODE_ROLE_PREFIX)) return key.length > NODE_ROLE_PREFIX.length ? [key.slice(NODE_ROLE_PREFIX.length)] : [];
    return key === LEGACY_NODE_ROLE && value !== '' ? [value] : [];
  });
  return [...new Set(roles)].sort();
}

const nodeAddress = (node: NodeView, type: string): string | undefined =>
  node.status?.addresses?.find((a) => a.type === type)?.address;

const eventPrinter: Printer = {
  columns: [
    column('Last Seen', 'string', DOC.lastTimestamp),
    column('Type', 'string', DOC.eventType),
    column('Reason', 'string', DOC.reason),
    column('Object', 'string', DOC.involvedObject),
    wide('Subobject', 'string', DOC.fieldPath),
    wide('Source', 'string', DOC.source),
    column('Message', 'string', DOC.message),
    wide('First Seen', 'string', DOC.firstTimestamp),
    wide('Count', 'string', DOC.count),
    { ...wide('Name', 'string', DOC.name), format: 'name' },
  ],
  cells: (obj, nowMs) => {
    const ev = view<EventView>(obj);
    // Events from the events.k8s.io API carry eventTime and series instead of the legacy fields.
    const firstSeen = timestampMs(ev.firstTimestamp) === undefined ? since(ev.eventTime, nowMs) : since(ev.firstTimestamp, nowMs);
    const lastSeen = ev.series
      ? since(ev.series.lastObservedTime, nowMs)
      : timestampMs(ev.lastTimestamp) === undefined
        ? firstSeen
        : since(ev.lastTimestamp, nowMs);
    const count = ev.series ? (ev.series.count ?? 0) : ev.count || 1;
    return [
      lastSeen,
      ev.type ?? '',
      ev.reason ?? '',
      eventObject(ev),
      ev.involvedObject?.fieldPath ?? '',
      eventSource(ev),
      (ev.message ?? '').trim(),
      firstSeen,
      count,
      nameOf(obj),
    ];
  },
};

/** "kind/name" with the kind lower-cased, or the kind alone when the name is empty. */
function eventObject(ev: EventView): string {
  const kind = (ev.involvedObject?.kind ?? '').toLowerCase();
  const name = ev.involvedObject?.name;
  return name ? `${kind}/${name}` : kind;
}

/** "component, host"; the events.k8s.io reporting fields stand in for empty legacy ones. */
function eventSource(ev: EventView): string {
  const component = ev.source?.component || ev.reportingComponent || '';
  const instance = ev.source?.host || ev.reportingInstance || '';
  return instance ? `${component}, ${instance}` : component;
}

// ---------------------------------------------------------------------------------------------
// Pod printer
// ---------------------------------------------------------------------------------------------

const podPrinter: Printer = {
  columns: [
    NAME,
    column('Ready', 'string', 'The aggregate readiness state of this pod for accepting traffic.'),
    column('Status', 'string', 'The aggregate status of the containers in this pod.'),
    column(
      'Restarts',
      'string',
      'The number of times the containers in this pod have been restarted and when the last container in this pod has restarted.',
    ),
    AGE,
    wide('IP', 'string', DOC.podIP),
    wide('Node', 'string', DOC.nodeName),
    wide('Nominated Node', 'string', DOC.nominatedNodeName),
    wide('Readiness Gates', 'string', DOC.readinessGates),
  ],
  cells: (obj, nowMs) => {
    const pod = view<PodView>(obj);
    const summary = summarizePod(pod, obj.metadata.deletionTimestamp !== undefined);
    return [
      nameOf(obj),
      `${summary.ready}/${summary.total}`,
      summary.reason,
      restartsCell(summary.restarts, nowMs),
      ageOf(obj, nowMs),
      orNone(pod.status?.podIP || pod.status?.podIPs?.[0]?.ip),
      orNone(pod.spec?.nodeName),
      orNone(pod.status?.nominatedNodeName),
      readinessGates(pod),
    ];
  },
  conditions: (obj) => {
    const phase = view<PodView>(obj).status?.phase;
    if (phase === 'Succeeded') return [completed('Succeeded', 'The pod has completed successfully.')];
    if (phase === 'Failed') return [completed('Failed', 'The pod failed.')];
    return undefined;
  },
};

const completed = (reason: string, message: string): TableRowCondition => ({ type: 'Completed', status: 'True', reason, message });

type Restarts = Readonly<{ count: number; lastMs?: number }>;
type PodSummary = Readonly<{ ready: number; total: number; reason: string; restarts: Restarts }>;

const NO_RESTARTS: Restarts = { count: 0 };
const NODE_LOST = 'NodeLost';

function addRestarts(tally: Restarts, status: ContainerStatus): Restarts {
  const finished = timestampMs(status.lastState?.terminated?.finishedAt);
  const lastMs = finished !== undefined && (tally.lastMs === undefined || finished > tally.lastMs) ? finished : tally.lastMs;
  return { count: tally.count + (status.restartCount ?? 0), lastMs };
}

function hasTrueCondition(pod: PodView, type: string): boolean {
  return (pod.status?.conditions ?? []).some((c) => c.type === type && c.status === 'True');
}

/** "5", or "5 (3m ago)" once a restarted container's last termination time is known. */
function restartsCell(restarts: Restarts, nowMs: number): string {
  if (restarts.count === 0 || restarts.lastMs === undefined) return String(restarts.count);
  return `${restarts.count} (${humanDuration(nowMs - restarts.lastMs)} ago)`;
}

/** READY, STATUS and RESTARTS, following printPod step by step. */
function summarizePod(pod: PodView, deleting: boolean): PodSummary {
  const initSpecs = pod.spec?.initContainers ?? [];
  // Restartable init containers ("sidecars") run for the pod's lifetime and count as containers.
  const sidecars = new Set(initSpecs.filter((c) => c.restartPolicy === 'Always').map((c) => c.name));
  const init = summarizeInit(pod, sidecars, initSpecs.length);
  const main = init.initializing && !hasTrueCondition(pod, 'Initialized') ? undefined : summarizeContainers(pod, init);
  return {
    ready: main?.ready ?? init.ready,
    total: (pod.spec?.containers ?? []).length + sidecars.size,
    reason: finalReason(pod, main?.reason ?? init.reason, deleting),
    restarts: main?.restarts ?? init.allRestarts,
  };
}

type InitSummary = Readonly<{
  reason: string;
  ready: number;
  initializing: boolean;
  allRestarts: Restarts;
  sidecarRestarts: Restarts;
}>;

/** Walks init containers until the first one still (or unsuccessfully) initializing. */
function summarizeInit(pod: PodView, sidecars: ReadonlySet<string>, initCount: number): InitSummary {
  let ready = 0;
  let allRestarts = NO_RESTARTS;
  let sidecarRestarts = NO_RESTARTS;
  const statuses = pod.status?.initContainerStatuses ?? [];
  for (let i = 0; i < statuses.length; i++) {
    const status = statuses[i];
    const sidecar = sidecars.has(status.name);
    allRestarts = addRestarts(allRestarts, status);
    if (sidecar) sidecarRestarts = addRestarts(sidecarRestarts, status);
    const terminated = status.state?.terminated;
    if (terminated && (terminated.exitCode ?? 0) === 0) continue;
    if (sidecar && status.started === true) {
      if (status.ready) ready++;
      continue;
    }
    const reason = initReason(status.state, i, initCount);
    return { reason, ready, initializing: true, allRestarts, sidecarRestarts };
  }
  return { reason: podReason(pod), ready, initializing: false, allRestarts, sidecarRestarts };
}

/** Phase, overridden by status.reason, overridden by a SchedulingGated PodScheduled condition. */
function podReason(pod: PodView): string {
  const gated = (pod.status?.conditions ?? []).some((c) => c.type === 'PodScheduled' && c.reason === 'SchedulingGated');
  return gated ? 'SchedulingGated' : pod.status?.reason || pod.status?.phase || '';
}

function initReason(state: ContainerState | undefined, index: number, initCount: number): string {
  if (state?.terminated) return `Init:${terminatedReason(state.terminated)}`;
  const waiting = state?.waiting?.reason;
  if (waiting && waiting !== 'PodInitializing') return `Init:${waiting}`;
  return `Init:${index}/${initCount}`;
}

function terminatedReason(t: Terminated): string {
  if (t.reason) return t.reason;
  return t.signal ? `Signal:${t.signal}` : `ExitCode:${t.exitCode ?? 0}`;
}

/** The app containers, last to first, so the first container's reason wins. */
function summarizeContainers(pod: PodView, init: InitSummary): Readonly<{ reason: string; ready: number; restarts: Restarts }> {
  let reason = init.reason;
  let ready = init.ready;
  let restarts = init.sidecarRestarts;
  let hasRunning = false;
  const statuses = pod.status?.containerStatuses ?? [];
  for (let i = statuses.length - 1; i >= 0; i--) {
    const status = statuses[i];
    restarts = addRestarts(restarts, status);
    const containerReason = stateReason(status.state);
    if (containerReason !== undefined) reason = containerReason;
    else if (status.ready && status.state?.running) {
      hasRunning = true;
      ready++;
    }
  }
  // A completed container beside running ones does not make the whole pod "Completed".
  if (reason === 'Completed' && hasRunning) reason = hasTrueCondition(pod, 'Ready') ? 'Running' : 'NotReady';
  return { reason, ready, restarts };
}

function stateReason(state: ContainerState | undefined): string | undefined {
  if (state?.waiting?.reason) return state.waiting.reason;
  return state?.terminated ? terminatedReason(state.terminated) : undefined;
}

function finalReason(pod: PodView, reason: string, deleting: boolean): string {
  if (!deleting) return reason;
  if (pod.status?.reason === NODE_LOST) return 'Unknown';
  const phase = pod.status?.phase;
  return phase === 'Succeeded' || phase === 'Failed' ? reason : 'Terminating';
}

/** "true/total" over spec.readinessGates, "<none>" without gates. */
function readinessGates(pod: PodView): string {
  const gates = pod.spec?.readinessGates ?? [];
  if (gates.length === 0) return '<none>';
  const conditions = pod.status?.conditions ?? [];
  const passing = gates.filter((g) => conditions.find((c) => c.type === g.conditionType)?.status === 'True').length;
  return `${passing}/${gates.length}`;
}

// ---------------------------------------------------------------------------------------------
// Generic printer and public API
// ---------------------------------------------------------------------------------------------

/** Kinds without a printer render as custom resources do: Name and an Age column of type date. */
const genericPrinter: Printer = {
  columns: [NAME, column('Age', 'date', DOC.creationTimestamp)],
  cells: (obj, nowMs) => [nameOf(obj), ageOf(obj, nowMs)],
};

const PRINTERS: Readonly<Record<string, Printer>> = {
  Namespace: namespacePrinter,
  ConfigMap: configMapPrinter,
  Secret: secretPrinter,
  Pod: podPrinter,
  Deployment: deploymentPrinter,
  ReplicaSet: replicaSetPrinter,
  Service: servicePrinter,
  Endpoints: endpointsPrinter,
  EndpointSlice: endpointSlicePrinter,
  Node: nodePrinter,
  Event: eventPrinter,
};

const printerFor = (kind: string): Printer => (Object.hasOwn(PRINTERS, kind) ? PRINTERS[kind] : genericPrinter);

/** The column definitions for `kind`; priority 1 marks the `-o wide` columns. */
export function columnsFor(kind: string): readonly TableColumnDefinition[] {
  return printerFor(kind).columns;
}

/** One row's cells, wide columns included, in `columnsFor(obj.kind)` order. */
export function rowFor(obj: KubeObject, nowMs: number): TableRow['cells'] {
  return printerFor(obj.kind).cells(obj, nowMs);
}

/** A meta.k8s.io/v1 Table for a list, a single GET (one object) or one watch event. */
export function buildTable(objects: readonly KubeObject[], opts: TableOptions): Table {
  const printer = printerFor(opts.kind);
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: {
      ...(opts.resourceVersion !== undefined ? { resourceVersion: opts.resourceVersion } : {}),
      ...(opts.continueToken ? { continue: opts.continueToken } : {}),
      ...(opts.remainingItemCount !== undefined ? { remainingItemCount: opts.remainingItemCount } : {}),
    },
    ...(opts.noHeaders ? {} : { columnDefinitions: printer.columns }),
    rows: objects.map((obj) => tableRow(printer, obj, opts)),
  };
}

function tableRow(printer: Printer, obj: KubeObject, opts: TableOptions): TableRow {
  const conditions = printer.conditions?.(obj);
  const object = rowObject(obj, opts.includeObject);
  return {
    cells: printer.cells(obj, opts.nowMs),
    ...(conditions ? { conditions } : {}),
    ...(object ? { object } : {}),
  };
}

function rowObject(obj: KubeObject, include: IncludeObject): KubeObject | PartialObjectMetadata | undefined {
  switch (include) {
    case 'None':
      return undefined;
    case 'Object':
      return obj;
    case 'Metadata':
      return partialObjectMetadata(obj);
    default:
      return assertNever(include);
  }
}

function partialObjectMetadata(obj: KubeObject): PartialObjectMetadata {
  const metadata: ObjectMeta = { ...obj.metadata };
  delete metadata.managedFields;
  return { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata };
}

function assertNever(x: never): never {
  throw new Error(`unexpected value ${String(x)}`);
}
