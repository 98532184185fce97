import type { KubeObject, ResourceType } from './types';

/**
 * Kubernetes' defaulting, as kube-apiserver 1.32 applies it before storing an object: the
 * SetDefaults_* functions of core/v1 and apps/v1, the declarative `+default` markers, and the
 * few fields the registry strategies and default admission plugins fill in (pod status and
 * QoS class, namespace finalizer and phase, service IP families, pod priority, service
 * account and not-ready/unreachable tolerations).
 *
 * Values of the wrong JSON type are left alone: validation reports them.
 */

type Obj = Record<string, unknown>;
type Defaulter = (obj: KubeObject) => void;

/** Pure: the input is never touched; the result is a fresh deep copy with defaults filled in. */
export function applyDefaults(type: ResourceType, obj: KubeObject): KubeObject {
  // Defaulting mutates a private copy, the way Go defaults a freshly decoded struct.
  const out = structuredClone(obj);
  DEFAULTERS[type.kind]?.(out);
  return out;
}

const DEFAULTERS: Readonly<Record<string, Defaulter>> = {
  Pod: defaultPod,
  Deployment: defaultDeployment,
  ReplicaSet: defaultReplicaSet,
  Service: defaultService,
  Namespace: defaultNamespace,
  Secret: (secret) => setIfAbsentOrEmpty(secret, 'type', 'Opaque'),
  Node: defaultNode,
  Endpoints: (ep) => objects(ep.subsets).forEach((subset) => objects(subset.ports).forEach((p) => setIfAbsentOrEmpty(p, 'protocol', 'TCP'))),
  EndpointSlice: (slice) => objects(slice.ports).forEach((p) => {
    setIfAbsent(p, 'name', '');
    setIfAbsentOrEmpty(p, 'protocol', 'TCP');
  }),
};

// ---------------------------------------------------------------------------------------------
// Pods and pod templates

const NOT_READY_TAINT = 'node.kubernetes.io/not-ready';
const UNREACHABLE_TAINT = 'node.kubernetes.io/unreachable';
const DEFAULT_TOLERATION_SECONDS = 300;
/** SetDefaults_PodSpec's terminationGracePeriodSeconds (v1.DefaultTerminationGracePeriodSeconds). */
export const DEFAULT_TERMINATION_GRACE_PERIOD_SECONDS = 30;

function defaultPod(pod: KubeObject): void {
  const spec = ensureObject(pod, 'spec');
  if (!spec) return;
  defaultPodSpec(spec);
  for (const c of [...objects(spec.containers), ...objects(spec.initContainers)]) defaultRequestsFromLimits(c);
  setIfAbsent(spec, 'enableServiceLinks', true);
  if (spec.hostNetwork === true) defaultHostPorts(spec);
  admitPod(spec);
  if (isAbsent(pod.status)) pod.status = { phase: 'Pending', qosClass: qosClassOf(spec) };
}

/** What the ServiceAccount, Priority and DefaultTolerationSeconds admission plugins add. */
function admitPod(spec: Obj): void {
  // The v1 conversion reads the deprecated serviceAccount when serviceAccountName is empty,
  // and always writes it back as a mirror of serviceAccountName.
  const account = nonEmptyString(spec.serviceAccountName) ?? nonEmptyString(spec.serviceAccount) ?? 'default';
  spec.serviceAccountName = account;
  spec.serviceAccount = account;
  if (isAbsent(spec.priorityClassName) || spec.priorityClassName === '') setIfAbsent(spec, 'priority', 0);
  setIfAbsent(spec, 'preemptionPolicy', 'PreemptLowerPriority');
  const tolerations = isAbsent(spec.tolerations) ? [] : spec.tolerations;
  if (!Array.isArray(tolerations)) return;
  const added = [NOT_READY_TAINT, UNREACHABLE_TAINT]
    .filter((key) => !tolerates(tolerations, key))
    .map((key) => ({ key, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: DEFAULT_TOLERATION_SECONDS }));
  if (added.length > 0) spec.tolerations = [...tolerations, ...added];
}

function tolerates(tolerations: unknown[], taintKey: string): boolean {
  return objects(tolerations).some((t) => {
    const keyMatches = t.key === taintKey || ((t.key === undefined || t.key === '') && t.operator === 'Exists');
    const effectMatches = t.effect === undefined || t.effect === '' || t.effect === 'NoExecute';
    return keyMatches && effectMatches;
  });
}

/** SetDefaults_PodSpec and everything nested in a pod spec; shared by pods and templates. */
function defaultPodSpec(spec: Obj): void {
  setIfAbsentOrEmpty(spec, 'dnsPolicy', 'ClusterFirst');
  setIfAbsentOrEmpty(spec, 'restartPolicy', 'Always');
  setIfAbsent(spec, 'securityContext', {});
  setIfAbsent(spec, 'terminationGracePeriodSeconds', DEFAULT_TERMINATION_GRACE_PERIOD_SECONDS);
  setIfAbsentOrEmpty(spec, 'schedulerName', 'default-scheduler');
  for (const c of [...objects(spec.containers), ...objects(spec.initContainers), ...objects(spec.ephemeralContainers)]) {
    defaultContainer(c);
  }
  for (const v of objects(spec.volumes)) defaultVolume(v);
}

function defaultPodTemplate(owner: Obj): void {
  const template = ensureObject(owner, 'template');
  const spec = template && ensureObject(template, 'spec');
  if (spec) defaultPodSpec(spec);
}

function defaultContainer(c: Obj): void {
  if (isAbsent(c.imagePullPolicy) || c.imagePullPolicy === '') c.imagePullPolicy = imageTag(c.image) === 'latest' ? 'Always' : 'IfNotPresent';
  setIfAbsentOrEmpty(c, 'terminationMessagePath', '/dev/termination-log');
  setIfAbsentOrEmpty(c, 'terminationMessagePolicy', 'File');
  setIfAbsent(c, 'resources', {});
  for (const port of objects(c.ports)) setIfAbsentOrEmpty(port, 'protocol', 'TCP');
  for (const probe of [c.livenessProbe, c.readinessProbe, c.startupProbe]) {
    if (isObject(probe)) defaultProbe(probe);
  }
  const lifecycle = isObject(c.lifecycle) ? c.lifecycle : {};
  for (const handler of [lifecycle.postStart, lifecycle.preStop]) {
    if (isObject(handler) && isObject(handler.httpGet)) defaultHttpGet(handler.httpGet);
  }
  for (const env of objects(c.env)) {
    const fieldRef = isObject(env.valueFrom) ? env.valueFrom.fieldRef : undefined;
    if (isObject(fieldRef)) setIfAbsent(fieldRef, 'apiVersion', 'v1');
  }
}

/**
 * The tag kubelet would pull: images without tag or digest mean `latest`; a digest alone means
 * no tag. A colon before the last `/` belongs to a registry host:port, not to the tag.
 */
function imageTag(image: unknown): string {
  if (typeof image !== 'string' || image === '') return '';
  const at = image.indexOf('@');
  const named = at >= 0 ? image.slice(0, at) : image;
  const lastPart = named.slice(named.lastIndexOf('/') + 1);
  const colon = lastPart.lastIndexOf(':');
  if (colon >= 0) return lastPart.slice(colon + 1);
  return at >= 0 ? '' : 'latest';
}

function defaultProbe(probe: Obj): void {
  setIfAbsentOrZero(probe, 'timeoutSeconds', 1);
  setIfAbsentOrZero(probe, 'periodSeconds', 10);
  setIfAbsentOrZero(probe, 'successThreshold', 1);
  setIfAbsentOrZero(probe, 'failureThreshold', 3);
  if (isObject(probe.httpGet)) defaultHttpGet(probe.httpGet);
}

function defaultHttpGet(action: Obj): void {
  setIfAbsentOrEmpty(action, 'path', '/');
  setIfAbsentOrEmpty(action, 'scheme', 'HTTP');
}

/** Mode 0644, as Kubernetes writes it in JSON. */
const DEFAULT_FILE_MODE = 420;
const ONE_HOUR_SECONDS = 3600;
const PROJECTED_SOURCES = ['secret', 'configMap', 'downwardAPI', 'projected'] as const;

function defaultVolume(volume: Obj): void {
  // A volume that names no source is an emptyDir.
  if (Object.keys(volume).every((k) => k === 'name' || isAbsent(volume[k]))) volume.emptyDir = {};
  for (const source of PROJECTED_SOURCES) {
    const s = volume[source];
    if (isObject(s)) setIfAbsent(s, 'defaultMode', DEFAULT_FILE_MODE);
  }
  if (isObject(volume.hostPath)) setIfAbsent(volume.hostPath, 'type', '');
  if (isObject(volume.downwardAPI)) defaultDownwardItems(volume.downwardAPI.items);
  const projected = isObject(volume.projected) ? volume.projected : {};
  for (const source of objects(projected.sources)) {
    if (isObject(source.serviceAccountToken)) setIfAbsent(source.serviceAccountToken, 'expirationSeconds', ONE_HOUR_SECONDS);
    if (isObject(source.downwardAPI)) defaultDownwardItems(source.downwardAPI.items);
  }
}

function defaultDownwardItems(items: unknown): void {
  for (const item of objects(items)) {
    if (isObject(item.fieldRef)) setIfAbsent(item.fieldRef, 'apiVersion', 'v1');
  }
}

/** Pods only (not templates): a limit without a request makes the request equal the limit. */
function defaultRequestsFromLimits(container: Obj): void {
  const resources = container.resources;
  if (!isObject(resources) || !isObject(resources.limits)) return;
  const requests = isObject(resources.requests) ? resources.requests : {};
  resources.requests = { ...resources.limits, ...requests };
}

function defaultHostPorts(spec: Obj): void {
  for (const c of [...objects(spec.containers), ...objects(spec.initContainers)]) {
    for (const port of objects(c.ports)) {
      if (isAbsent(port.hostPort) || port.hostPort === 0) port.hostPort = port.containerPort;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Pod QoS class (pkg/apis/core/helper/qos), from cpu and memory only

const QOS_RESOURCES = ['cpu', 'memory'] as const;
export type QosClass = 'Guaranteed' | 'Burstable' | 'BestEffort';

/** The QoS class of a (defaulted) pod spec: init and regular containers count alike. */
export function qosClassOf(spec: Readonly<Obj>): QosClass {
  const requests = new Map<string, bigint>();
  const limits = new Map<string, bigint>();
  let guaranteed = true;
  for (const c of [...objects(spec.initContainers), ...objects(spec.containers)]) {
    const resources = isObject(c.resources) ? c.resources : {};
    addPositive(requests, resources.requests);
    const found = addPositive(limits, resources.limits);
    if (!QOS_RESOURCES.every((r) => found.has(r))) guaranteed = false;
  }
  if (requests.size === 0 && limits.size === 0) return 'BestEffort';
  const requestsMatchLimits = [...requests].every(([name, q]) => limits.get(name) === q);
  return guaranteed && requestsMatchLimits && requests.size === limits.size ? 'Guaranteed' : 'Burstable';
}

/** Adds the positive cpu/memory quantities of `list` into `sums`; returns the names it saw. */
function addPositive(sums: Map<string, bigint>, list: unknown): Set<string> {
  const seen = new Set<string>();
  if (!isObject(list)) return seen;
  for (const name of QOS_RESOURCES) {
    const q = parseQuantity(list[name]);
    if (q === undefined || q <= 0n) continue;
    seen.add(name);
    sums.set(name, (sums.get(name) ?? 0n) + q);
  }
  return seen;
}

const NANOS = 1_000_000_000n;
const BINARY_SUFFIXES: Readonly<Record<string, bigint>> = {
  Ki: 1n << 10n, Mi: 1n << 20n, Gi: 1n << 30n, Ti: 1n << 40n, Pi: 1n << 50n, Ei: 1n << 60n,
};
/** Decimal SI suffixes as [numerator, denominator]. */
const DECIMAL_SUFFIXES: Readonly<Record<string, readonly [bigint, bigint]>> = {
  n: [1n, 1_000_000_000n], u: [1n, 1_000_000n], m: [1n, 1000n], '': [1n, 1n],
  k: [1000n, 1n], M: [10n ** 6n, 1n], G: [10n ** 9n, 1n], T: [10n ** 12n, 1n], P: [10n ** 15n, 1n], E: [10n ** 18n, 1n],
};
const QUANTITY = /^([+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+))([eEinumkKMGTP]*[-+]?[0-9]*)$/;

/**
 * A resource.Quantity ("100m", "1.5Gi", "1e3", or a JSON number) in billionths of its unit,
 * exact, so sums and comparisons behave like Kubernetes'. Undefined when it does not parse.
 */
export function parseQuantity(value: unknown): bigint | undefined {
  const text = typeof value === 'number' ? String(value) : value;
  if (typeof text !== 'string') return undefined;
  const m = QUANTITY.exec(text.trim());
  if (!m) return undefined;
  const factor = suffixFactor(m[2]);
  if (!factor) return undefined;
  const [num, den] = factor;
  const [whole, frac = ''] = m[1].replace(/^[+-]/, '').split('.');
  const digits = BigInt((whole || '0') + frac);
  const sign = m[1].startsWith('-') ? -1n : 1n;
  return (sign * digits * num * NANOS) / (10n ** BigInt(frac.length) * den);
}

function suffixFactor(suffix: string): readonly [bigint, bigint] | undefined {
  const binary = BINARY_SUFFIXES[suffix];
  if (binary !== undefined) return [binary, 1n];
  const decimal = DECIMAL_SUFFIXES[suffix];
  if (decimal !== undefined) return decimal;
  const exponent = /^[eE]([-+]?[0-9]+)$/.exec(suffix);
  if (!exponent) return undefined;
  const e = BigInt(exponent[1]);
  return e >= 0n ? [10n ** e, 1n] : [1n, 10n ** -e];
}

// ---------------------------------------------------------------------------------------------
// apps/v1

function defaultDeployment(deployment: KubeObject): void {
  const spec = ensureObject(deployment, 'spec');
  if (!spec) return;
  setIfAbsent(spec, 'replicas', 1);
  const strategy = ensureObject(spec, 'strategy');
  if (strategy) defaultStrategy(strategy);
  setIfAbsent(spec, 'revisionHistoryLimit', 10);
  setIfAbsent(spec, 'progressDeadlineSeconds', 600);
  defaultPodTemplate(spec);
}

function defaultStrategy(strategy: Obj): void {
  setIfAbsentOrEmpty(strategy, 'type', 'RollingUpdate');
  if (strategy.type !== 'RollingUpdate') return;
  const rollingUpdate = ensureObject(strategy, 'rollingUpdate');
  if (!rollingUpdate) return;
  setIfAbsent(rollingUpdate, 'maxUnavailable', '25%');
  setIfAbsent(rollingUpdate, 'maxSurge', '25%');
}

function defaultReplicaSet(replicaSet: KubeObject): void {
  const spec = ensureObject(replicaSet, 'spec');
  if (!spec) return;
  setIfAbsent(spec, 'replicas', 1);
  defaultPodTemplate(spec);
}

// ---------------------------------------------------------------------------------------------
// Services, namespaces, nodes

/** Three hours, Kubernetes' default ClientIP affinity timeout. */
const CLIENT_IP_TIMEOUT_SECONDS = 10800;

function defaultService(service: KubeObject): void {
  const spec = ensureObject(service, 'spec');
  if (!spec) return;
  setIfAbsentOrEmpty(spec, 'sessionAffinity', 'None');
  if (spec.sessionAffinity === 'None') delete spec.sessionAffinityConfig;
  if (spec.sessionAffinity === 'ClientIP') defaultClientIpAffinity(spec);
  setIfAbsentOrEmpty(spec, 'type', 'ClusterIP');
  for (const port of objects(spec.ports)) {
    setIfAbsentOrEmpty(port, 'protocol', 'TCP');
    const unset = isAbsent(port.targetPort) || port.targetPort === 0 || port.targetPort === '';
    if (unset && typeof port.port === 'number') port.targetPort = port.port;
  }
  const type = spec.type;
  if (isExternallyAccessible(spec)) setIfAbsentOrEmpty(spec, 'externalTrafficPolicy', 'Cluster');
  if (type === 'ClusterIP' || type === 'NodePort' || type === 'LoadBalancer') setIfAbsent(spec, 'internalTrafficPolicy', 'Cluster');
  if (type === 'LoadBalancer') setIfAbsent(spec, 'allocateLoadBalancerNodePorts', true);
  if (type !== 'ExternalName') defaultIpFamilies(spec);
}

function defaultClientIpAffinity(spec: Obj): void {
  const config = isObject(spec.sessionAffinityConfig) ? spec.sessionAffinityConfig : {};
  const clientIP = isObject(config.clientIP) ? config.clientIP : {};
  if (!isAbsent(clientIP.timeoutSeconds)) return;
  spec.sessionAffinityConfig = { ...config, clientIP: { ...clientIP, timeoutSeconds: CLIENT_IP_TIMEOUT_SECONDS } };
}

/** LoadBalancer, NodePort, or ClusterIP with external IPs (pkg/api/service.ExternallyAccessible). */
export function isExternallyAccessible(spec: Readonly<Obj>): boolean {
  const externalIPs = spec.externalIPs;
  return spec.type === 'LoadBalancer' || spec.type === 'NodePort'
    || (spec.type === 'ClusterIP' && Array.isArray(externalIPs) && externalIPs.length > 0);
}

/**
 * What the service REST storage fills in on a single-stack IPv4 cluster. A headless service
 * without a selector asks for every family the cluster has.
 */
function defaultIpFamilies(spec: Obj): void {
  const headlessWithoutSelector = spec.clusterIP === 'None' && !hasEntries(spec.selector);
  setIfAbsent(spec, 'ipFamilyPolicy', headlessWithoutSelector ? 'RequireDualStack' : 'SingleStack');
  if (isAbsent(spec.ipFamilies) || (Array.isArray(spec.ipFamilies) && spec.ipFamilies.length === 0)) spec.ipFamilies = ['IPv4'];
}

function defaultNamespace(namespace: KubeObject): void {
  const name = namespace.metadata?.name;
  if (typeof name === 'string' && name !== '') {
    namespace.metadata = { ...namespace.metadata, labels: { ...namespace.metadata.labels, 'kubernetes.io/metadata.name': name } };
  }
  // Only when absent: the namespace controller empties the list through /finalize, and an
  // emptied list must stay empty.
  const spec = ensureObject(namespace, 'spec');
  if (spec) setIfAbsent(spec, 'finalizers', ['kubernetes']);
  const status = ensureObject(namespace, 'status');
  if (status) setIfAbsentOrEmpty(status, 'phase', 'Active');
}

function defaultNode(node: KubeObject): void {
  // The API keeps spec.podCIDR and spec.podCIDRs in step (v1 ↔ internal conversion): one given, the other follows.
  const spec = node.spec;
  if (isObject(spec)) {
    const cidrs = Array.isArray(spec.podCIDRs) ? spec.podCIDRs : [];
    if (cidrs.length > 0 && typeof cidrs[0] === 'string' && !nonEmptyString(spec.podCIDR)) spec.podCIDR = cidrs[0];
    else if (cidrs.length === 0 && nonEmptyString(spec.podCIDR)) spec.podCIDRs = [spec.podCIDR];
  }
  const status = node.status;
  if (isObject(status) && isAbsent(status.allocatable) && isObject(status.capacity)) status.allocatable = { ...status.capacity };
}

// ---------------------------------------------------------------------------------------------
// Helpers

function isObject(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** JSON null decodes to Go's zero value, so it is defaulted like a missing field. */
function isAbsent(v: unknown): v is null | undefined {
  return v === undefined || v === null;
}

function nonEmptyString(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

function hasEntries(v: unknown): boolean {
  return isObject(v) && Object.keys(v).length > 0;
}

/** The objects of a list; anything else (absent, wrong type) yields none. */
function objects(v: unknown): Obj[] {
  return Array.isArray(v) ? v.filter(isObject) : [];
}

/** The object at `key`, created when absent; undefined when the field holds something else. */
function ensureObject(owner: Obj, key: string): Obj | undefined {
  if (isAbsent(owner[key])) owner[key] = {};
  const v = owner[key];
  return isObject(v) ? v : undefined;
}

function setIfAbsent(owner: Obj, key: string, value: unknown): void {
  if (isAbsent(owner[key])) owner[key] = value;
}

/** For Go string fields: "" is the zero value and is defaulted too. */
function setIfAbsentOrEmpty(owner: Obj, key: string, value: unknown): void {
  if (isAbsent(owner[key]) || owner[key] === '') owner[key] = value;
}

/** For Go non-pointer int fields: 0 is the zero value and is defaulted too. */
function setIfAbsentOrZero(owner: Obj, key: string, value: number): void {
  if (isAbsent(owner[key]) || owner[key] === 0) owner[key] = value;
}
