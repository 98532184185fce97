import { isExternallyAccessible } from './defaults';
import type { FieldCause, KubeObject, ObjectMeta, ResourceType } from './types';
import { formatIPv4, parseIPv4 } from '../../netd/cidr';

/**
 * Kubernetes' validation for the kinds skiff serves, with kube-apiserver 1.32's field paths,
 * reasons and messages (FieldCause.message is Go's ErrorBody(): "Invalid value: "x": detail").
 * Expects the object after applyDefaults; a field left absent is not reported unless Kubernetes
 * requires it even after defaulting.
 */
export function validateObject(type: ResourceType, obj: KubeObject, old?: KubeObject): FieldCause[] {
  // Kubernetes decodes before it validates: a value of the wrong JSON type fails the decode,
  // and only the first such problem is reported.
  const decodeProblem = checkTypes(type, obj);
  if (decodeProblem) return [decodeProblem];
  const causes = [...validateObjectMeta(type, obj.metadata ?? {}), ...(KIND_RULES[type.kind]?.(obj) ?? [])];
  if (old) causes.push(...validateMetaUpdate(obj.metadata ?? {}, old.metadata ?? {}), ...(UPDATE_RULES[type.kind]?.(obj, old) ?? []));
  return causes;
}

/**
 * The message Kubernetes answers (400 BadRequest) for a body it cannot decode, given the
 * FieldValueTypeInvalid cause validateObject returned for it.
 */
export function decodeErrorMessage(type: ResourceType, cause: FieldCause): string {
  return `${type.kind} in version "${type.version}" cannot be handled as a ${type.kind}: ${cause.message}`;
}

type Obj = Record<string, unknown>;
type Rule = (obj: KubeObject) => FieldCause[];
type UpdateRule = (obj: KubeObject, old: KubeObject) => FieldCause[];

const KIND_RULES: Readonly<Record<string, Rule>> = {
  Pod: (pod) => validatePodSpec(objectOr(pod.spec), 'spec'),
  Deployment: (d) => validateDeploymentSpec(objectOr(d.spec)),
  ReplicaSet: (rs) => validateReplicaSetSpec(objectOr(rs.spec)),
  Service: (svc) => validateServiceSpec(objectOr(svc.spec)),
  ConfigMap: validateConfigMap,
  Secret: validateSecret,
  Namespace: (ns) => validateNamespaceFinalizers(objectOr(ns.spec).finalizers),
  Event: validateEvent,
  Endpoints: validateEndpoints,
  EndpointSlice: validateEndpointSlice,
  Node: (node) => validateNodePodCIDRs(objectOr(node.spec)),
  IPAddress: validateIPAddress,
};

const UPDATE_RULES: Readonly<Record<string, UpdateRule>> = {
  Pod: (pod, old) => validatePodSpecUpdate(objectOr(pod.spec), objectOr(old.spec)),
  Deployment: validateSelectorUnchanged,
  ReplicaSet: validateSelectorUnchanged,
  ConfigMap: (cm, old) => validateImmutableData(cm, old, ['data', 'binaryData']),
  Secret: validateSecretUpdate,
  Node: (node, old) => validateNodePodCIDRsUpdate(objectOr(node.spec), objectOr(old.spec)),
};

// ---------------------------------------------------------------------------------------------
// Field errors, worded as k8s.io/apimachinery/pkg/util/validation/field words them

/** A value already rendered the way Go's %#v would print it. */
class GoLiteral {
  constructor(readonly text: string) {}
}

function withDetail(head: string, detail: string): string {
  return detail ? `${head}: ${detail}` : head;
}

/** Go's ErrorBody rendering of a bad value: strings quoted, numbers and bools bare, nil as "null". */
function render(value: unknown): string {
  if (value instanceof GoLiteral) return value.text;
  if (value === undefined || value === null) return '"null"';
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

function required(field: string, detail = ''): FieldCause {
  return { reason: 'FieldValueRequired', field, message: withDetail('Required value', detail) };
}

function invalid(field: string, value: unknown, detail: string): FieldCause {
  return { reason: 'FieldValueInvalid', field, message: withDetail(`Invalid value: ${render(value)}`, detail) };
}

function notSupported(field: string, value: unknown, supported: readonly string[]): FieldCause {
  const detail = `supported values: ${supported.map((s) => JSON.stringify(s)).join(', ')}`;
  return { reason: 'FieldValueNotSupported', field, message: withDetail(`Unsupported value: ${render(value)}`, detail) };
}

function forbidden(field: string, detail: string): FieldCause {
  return { reason: 'FieldValueForbidden', field, message: withDetail('Forbidden', detail) };
}

function duplicate(field: string, value: unknown): FieldCause {
  return { reason: 'FieldValueDuplicate', field, message: `Duplicate value: ${render(value)}` };
}

function notFound(field: string, value: unknown): FieldCause {
  return { reason: 'FieldValueNotFound', field, message: `Not found: ${render(value)}` };
}

function tooLong(field: string, maxBytes: number): FieldCause {
  return { reason: 'FieldValueTooLong', field, message: `Too long: must have at most ${maxBytes} bytes` };
}

/** One Invalid cause per message, as Kubernetes reports a value that breaks several rules. */
function invalidEach(field: string, value: unknown, messages: readonly string[]): FieldCause[] {
  return messages.map((m) => invalid(field, value, m));
}

// ---------------------------------------------------------------------------------------------
// Name and key formats (k8s.io/apimachinery/pkg/util/validation)

const DNS1123_LABEL_FMT = '[a-z0-9]([-a-z0-9]*[a-z0-9])?';
const DNS1123_SUBDOMAIN_FMT = `${DNS1123_LABEL_FMT}(\\.${DNS1123_LABEL_FMT})*`;
const DNS1035_LABEL_FMT = '[a-z]([-a-z0-9]*[a-z0-9])?';
const QUALIFIED_NAME_FMT = '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]';
const LABEL_VALUE_FMT = `(${QUALIFIED_NAME_FMT})?`;
const CONFIG_KEY_FMT = '[-._a-zA-Z0-9]+';
const PERCENT_FMT = '[0-9]+%';

const DNS1123_LABEL = anchored(DNS1123_LABEL_FMT);
const DNS1123_SUBDOMAIN = anchored(DNS1123_SUBDOMAIN_FMT);
const DNS1035_LABEL = anchored(DNS1035_LABEL_FMT);
const QUALIFIED_NAME = anchored(QUALIFIED_NAME_FMT);
const LABEL_VALUE = anchored(LABEL_VALUE_FMT);
const CONFIG_KEY = anchored(CONFIG_KEY_FMT);
const PERCENT = anchored(PERCENT_FMT);

const DNS1123_LABEL_MAX = 63;
const DNS1123_SUBDOMAIN_MAX = 253;
const QUALIFIED_NAME_MAX = 63;
const LABEL_VALUE_MAX = 63;
const PORT_NAME_MAX = 15;

function anchored(fmt: string): RegExp {
  return new RegExp(`^${fmt}$`);
}

function maxLenError(length: number): string {
  return `must be no more than ${length} characters`;
}

function regexError(msg: string, fmt: string, ...examples: string[]): string {
  // Go appends "', " after each example and " or " between them: the double space is theirs.
  const eg = examples.map((e) => `'${e}', `).join(' or ');
  return `${msg} (${examples.length ? `e.g. ${eg}` : ''}regex used for validation is '${fmt}')`;
}

function inclusiveRangeError(lo: number, hi: number): string {
  return `must be between ${lo} and ${hi}, inclusive`;
}

/** True when `value` is a lowercase RFC 1123 subdomain (names of most objects). */
export function isDns1123Subdomain(value: string): boolean {
  return dns1123SubdomainErrors(value).length === 0;
}

/** True when `value` is a lowercase RFC 1123 label (namespace, container and port names). */
export function isDns1123Label(value: string): boolean {
  return dns1123LabelErrors(value).length === 0;
}

function dns1123SubdomainErrors(value: string): string[] {
  const errs: string[] = [];
  if (value.length > DNS1123_SUBDOMAIN_MAX) errs.push(maxLenError(DNS1123_SUBDOMAIN_MAX));
  if (!DNS1123_SUBDOMAIN.test(value)) {
    errs.push(regexError("a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character", DNS1123_SUBDOMAIN_FMT, 'example.com'));
  }
  return errs;
}

function dns1123LabelErrors(value: string): string[] {
  const errs: string[] = [];
  if (value.length > DNS1123_LABEL_MAX) errs.push(maxLenError(DNS1123_LABEL_MAX));
  if (DNS1123_LABEL.test(value)) return errs;
  // A valid subdomain that is not a valid label (length was checked above) has dots.
  if (DNS1123_SUBDOMAIN.test(value)) errs.push('must not contain dots');
  else errs.push(regexError("a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character", DNS1123_LABEL_FMT, 'my-name', '123-abc'));
  return errs;
}

function dns1035LabelErrors(value: string): string[] {
  const errs: string[] = [];
  if (value.length > DNS1123_LABEL_MAX) errs.push(maxLenError(DNS1123_LABEL_MAX));
  if (!DNS1035_LABEL.test(value)) {
    errs.push(regexError("a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character", DNS1035_LABEL_FMT, 'my-name', 'abc-123'));
  }
  return errs;
}

const QUALIFIED_NAME_MSG = "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";

/** Label keys, annotation keys, finalizers: an optional DNS subdomain prefix and a name. */
export function qualifiedNameErrors(value: string): string[] {
  const parts = value.split('/');
  if (parts.length > 2) {
    return [`a qualified name ${regexError(QUALIFIED_NAME_MSG, QUALIFIED_NAME_FMT, 'MyName', 'my.name', '123-abc')} with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')`];
  }
  const errs: string[] = [];
  const name = parts[parts.length - 1];
  if (parts.length === 2) {
    const prefix = parts[0];
    if (prefix === '') errs.push('prefix part must be non-empty');
    else errs.push(...dns1123SubdomainErrors(prefix).map((m) => `prefix part ${m}`));
  }
  if (name === '') errs.push('name part must be non-empty');
  else if (name.length > QUALIFIED_NAME_MAX) errs.push(`name part ${maxLenError(QUALIFIED_NAME_MAX)}`);
  if (!QUALIFIED_NAME.test(name)) errs.push(`name part ${regexError(QUALIFIED_NAME_MSG, QUALIFIED_NAME_FMT, 'MyName', 'my.name', '123-abc')}`);
  return errs;
}

function labelValueErrors(value: string): string[] {
  const errs: string[] = [];
  if (value.length > LABEL_VALUE_MAX) errs.push(maxLenError(LABEL_VALUE_MAX));
  if (!LABEL_VALUE.test(value)) {
    errs.push(regexError("a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character", LABEL_VALUE_FMT, 'MyValue', 'my_value', '12345'));
  }
  return errs;
}

function configKeyErrors(value: string): string[] {
  const errs: string[] = [];
  if (value.length > DNS1123_SUBDOMAIN_MAX) errs.push(maxLenError(DNS1123_SUBDOMAIN_MAX));
  if (!CONFIG_KEY.test(value)) {
    errs.push(regexError("a valid config key must consist of alphanumeric characters, '-', '_' or '.'", CONFIG_KEY_FMT, 'key.name', 'KEY_NAME', 'key-name'));
  }
  if (value === '.') errs.push("must not be '.'");
  else if (value === '..') errs.push("must not be '..'");
  else if (value.startsWith('..')) errs.push("must not start with '..'");
  return errs;
}

function portNumErrors(port: number): string[] {
  return Number.isInteger(port) && port >= 1 && port <= 65535 ? [] : [inclusiveRangeError(1, 65535)];
}

function portNameErrors(port: string): string[] {
  const errs: string[] = [];
  if (port.length > PORT_NAME_MAX) errs.push(maxLenError(PORT_NAME_MAX));
  if (!/^[-a-z0-9]+$/.test(port)) errs.push('must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)');
  if (!/[a-z]/.test(port)) errs.push('must contain at least one letter (a-z)');
  if (port.includes('--')) errs.push('must not contain consecutive hyphens');
  if (port.startsWith('-') || port.endsWith('-')) errs.push('must not begin or end with a hyphen');
  return errs;
}

// ---------------------------------------------------------------------------------------------
// Object metadata (apimachinery ValidateObjectMeta, plus core's finalizer rule)

type NameRule = (name: string) => string[];

/**
 * Service names are DNS-1035 labels and namespace names DNS-1123 labels; everything else is a
 * DNS-1123 subdomain. Events skip name format checks entirely (legacy v1 event validation).
 */
function nameRuleOf(type: ResourceType): NameRule | undefined {
  switch (type.kind) {
    case 'Namespace': return dns1123LabelErrors;
    case 'Service': return dns1035LabelErrors;
    case 'Event': return undefined;
    default: return dns1123SubdomainErrors;
  }
}

/** A generateName prefix may end in '-': Kubernetes masks its last character before checking. */
function maskTrailingDash(prefix: string): string {
  return prefix.length > 1 && prefix.endsWith('-') ? `${prefix.slice(0, -2)}a` : prefix;
}

function validateObjectMeta(type: ResourceType, meta: ObjectMeta): FieldCause[] {
  const rule = nameRuleOf(type);
  const causes: FieldCause[] = [];
  const { name, generateName } = meta;
  if (generateName && rule) causes.push(...invalidEach('metadata.generateName', generateName, rule(maskTrailingDash(generateName))));
  // skiff generates names before validating; a bare generateName means one is still to come.
  if (!name && !generateName) causes.push(required('metadata.name', 'name or generateName is required'));
  if (name && rule) causes.push(...invalidEach('metadata.name', name, rule(name)));
  if (type.kind === 'Event') return causes;
  if (type.namespaced) causes.push(...validateNamespaceField(meta.namespace));
  causes.push(...validateLabels(meta.labels, 'metadata.labels'));
  causes.push(...validateAnnotations(meta.annotations, 'metadata.annotations'));
  causes.push(...validateOwnerReferences(meta.ownerReferences));
  causes.push(...validateFinalizers(strings(meta.finalizers), type.group === ''));
  return causes;
}

function validateNamespaceField(namespace: string | undefined): FieldCause[] {
  if (!namespace) return [required('metadata.namespace')];
  return invalidEach('metadata.namespace', namespace, dns1123LabelErrors(namespace));
}

function validateLabels(labels: unknown, field: string): FieldCause[] {
  return stringEntries(labels).flatMap(([key, value]) => [
    ...invalidEach(field, key, qualifiedNameErrors(key)),
    ...invalidEach(field, value, labelValueErrors(value)),
  ]);
}

const TOTAL_ANNOTATION_SIZE_LIMIT = 256 * 1024;

function validateAnnotations(annotations: unknown, field: string): FieldCause[] {
  const entries = stringEntries(annotations);
  // Annotation keys are label keys that ignore case.
  const causes = entries.flatMap(([key]) => invalidEach(field, key, qualifiedNameErrors(key.toLowerCase())));
  const size = entries.reduce((n, [k, v]) => n + utf8Length(k) + utf8Length(v), 0);
  if (size > TOTAL_ANNOTATION_SIZE_LIMIT) causes.push(tooLong(field, TOTAL_ANNOTATION_SIZE_LIMIT));
  return causes;
}

function validateOwnerReferences(refs: unknown): FieldCause[] {
  const field = 'metadata.ownerReferences';
  return objects(refs).flatMap((ref) => {
    const text = (key: string): string => (typeof ref[key] === 'string' ? String(ref[key]) : '');
    return [
      ...(versionOf(text('apiVersion')) === '' ? [invalid(`${field}.apiVersion`, text('apiVersion'), 'version must not be empty')] : []),
      ...['kind', 'name', 'uid'].filter((k) => text(k) === '').map((k) => invalid(`${field}.${k}`, '', 'must not be empty')),
    ];
  });
}

/** The version part of "group/version" or "version"; "" when malformed. */
function versionOf(apiVersion: string): string {
  const parts = apiVersion.split('/');
  if (parts.length === 1) return parts[0];
  return parts.length === 2 ? parts[1] : '';
}

const STANDARD_FINALIZERS = new Set(['kubernetes', 'orphan', 'foregroundDeletion']);

function validateFinalizers(finalizers: readonly string[], coreKind: boolean): FieldCause[] {
  const field = 'metadata.finalizers';
  const causes = finalizers.flatMap((f) => invalidEach(field, f, qualifiedNameErrors(f)));
  if (finalizers.includes('orphan') && finalizers.includes('foregroundDeletion')) {
    causes.push(invalid(field, goStringSlice(finalizers), 'finalizer orphan and foregroundDeletion cannot be both set'));
  }
  // Core kinds also insist that a bare (unprefixed) finalizer be one of Kubernetes' own.
  if (coreKind) finalizers.forEach((f, i) => causes.push(...kubeFinalizerErrors(f, `${field}[${i}]`)));
  return causes;
}

function kubeFinalizerErrors(finalizer: string, field: string): FieldCause[] {
  if (finalizer.includes('/') || STANDARD_FINALIZERS.has(finalizer)) return [];
  return [invalid(field, finalizer, 'name is neither a standard finalizer name nor is it fully qualified')];
}

const IMMUTABLE = 'field is immutable';

function validateMetaUpdate(meta: ObjectMeta, old: ObjectMeta): FieldCause[] {
  const causes: FieldCause[] = [];
  if (old.deletionTimestamp) {
    const oldFinalizers = strings(old.finalizers);
    const added = [...new Set(strings(meta.finalizers))].filter((f) => !oldFinalizers.includes(f)).sort();
    if (added.length > 0) {
      causes.push(forbidden('metadata.finalizers', `no new finalizers can be added if the object is being deleted, found new finalizers ${goStringSlice(added).text}`));
    }
  }
  for (const key of ['name', 'namespace', 'uid'] as const) {
    if ((meta[key] ?? '') !== (old[key] ?? '')) causes.push(invalid(`metadata.${key}`, meta[key] ?? '', IMMUTABLE));
  }
  return causes;
}

// ---------------------------------------------------------------------------------------------
// Label selectors

/** metav1 ValidateLabelSelector: keys are qualified names, In/NotIn need values, Exists none. */
export function validateLabelSelector(selector: unknown, field: string): FieldCause[] {
  if (!isObject(selector)) return [];
  const causes = validateLabels(selector.matchLabels, `${field}.matchLabels`);
  objects(selector.matchExpressions).forEach((expr, i) => causes.push(...validateRequirement(expr, `${field}.matchExpressions[${i}]`)));
  return causes;
}

function validateRequirement(expr: Obj, field: string): FieldCause[] {
  const causes: FieldCause[] = [];
  const values = strings(expr.values);
  switch (expr.operator) {
    case 'In':
    case 'NotIn':
      if (values.length === 0) causes.push(required(`${field}.values`, "must be specified when `operator` is 'In' or 'NotIn'"));
      break;
    case 'Exists':
    case 'DoesNotExist':
      if (values.length > 0) causes.push(forbidden(`${field}.values`, "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
      break;
    default:
      causes.push(invalid(`${field}.operator`, expr.operator ?? '', 'not a valid selector operator'));
  }
  const key = typeof expr.key === 'string' ? expr.key : '';
  causes.push(...invalidEach(`${field}.key`, key, qualifiedNameErrors(key)));
  values.forEach((v, i) => causes.push(...invalidEach(`${field}.values[${i}]`, v, labelValueErrors(v))));
  return causes;
}

/** Whether `labels` satisfy a (valid) LabelSelector; an empty selector matches everything. */
export function selectorMatches(selector: unknown, labels: Readonly<Record<string, string>>): boolean {
  if (!isObject(selector)) return false;
  const matchLabels = stringEntries(selector.matchLabels).every(([k, v]) => labels[k] === v);
  return matchLabels && objects(selector.matchExpressions).every((expr) => requirementMatches(expr, labels));
}

function requirementMatches(expr: Obj, labels: Readonly<Record<string, string>>): boolean {
  const key = String(expr.key);
  const has = Object.prototype.hasOwnProperty.call(labels, key);
  const values = strings(expr.values);
  switch (expr.operator) {
    case 'In': return has && values.includes(labels[key]);
    case 'NotIn': return !has || !values.includes(labels[key]);
    case 'Exists': return has;
    case 'DoesNotExist': return !has;
    default: return false;
  }
}

// ---------------------------------------------------------------------------------------------
// Pods (core ValidatePodSpec, the parts that apply here)

const RESTART_POLICIES = ['Always', 'OnFailure', 'Never'];
const DNS_POLICIES = ['ClusterFirstWithHostNet', 'ClusterFirst', 'Default', 'None'];
const PULL_POLICIES = ['Always', 'IfNotPresent', 'Never'];
const TERMINATION_MESSAGE_POLICIES = ['File', 'FallbackToLogsOnError'];
const PROTOCOLS = ['SCTP', 'TCP', 'UDP'];
const MAX_UINT32 = 4294967295;
const MAX_INT32 = 2147483647;

function validatePodSpec(spec: Obj, path: string): FieldCause[] {
  const volumeNames = new Set<string>();
  const causes = validateVolumes(spec.volumes, `${path}.volumes`, volumeNames);
  const containers = objects(spec.containers);
  if (containers.length === 0) causes.push(required(`${path}.containers`));
  const names = new Set<string>();
  containers.forEach((c, i) => causes.push(...validateContainer(c, `${path}.containers[${i}]`, names, volumeNames)));
  objects(spec.initContainers).forEach((c, i) => causes.push(...validateContainer(c, `${path}.initContainers[${i}]`, names, volumeNames)));
  causes.push(...enumField(spec.restartPolicy, `${path}.restartPolicy`, RESTART_POLICIES));
  causes.push(...enumField(spec.dnsPolicy, `${path}.dnsPolicy`, DNS_POLICIES));
  causes.push(...validateLabels(spec.nodeSelector, `${path}.nodeSelector`));
  if (typeof spec.nodeName === 'string' && spec.nodeName !== '') {
    causes.push(...invalidEach(`${path}.nodeName`, spec.nodeName, dns1123SubdomainErrors(spec.nodeName)));
  }
  const deadline = spec.activeDeadlineSeconds;
  if (typeof deadline === 'number' && (deadline < 1 || deadline > MAX_UINT32)) {
    causes.push(invalid(`${path}.activeDeadlineSeconds`, deadline, inclusiveRangeError(1, MAX_UINT32)));
  }
  return causes;
}

/** An enumerated string: absent is fine (defaults fill it), "" is missing, others must be listed. */
function enumField(value: unknown, field: string, supported: readonly string[]): FieldCause[] {
  if (value === undefined || value === null) return [];
  if (value === '') return [required(field)];
  return supported.includes(String(value)) ? [] : [notSupported(field, value, supported)];
}

function validateVolumes(volumes: unknown, path: string, names: Set<string>): FieldCause[] {
  return objects(volumes).flatMap((v, i) => {
    const field = `${path}[${i}].name`;
    const name = typeof v.name === 'string' ? v.name : '';
    if (name === '') return [required(field)];
    const causes = invalidEach(field, name, dns1123LabelErrors(name));
    if (names.has(name)) causes.push(duplicate(field, name));
    names.add(name);
    return causes;
  });
}

/** Container names are unique across init and regular containers, so `names` is shared. */
function validateContainer(c: Obj, path: string, names: Set<string>, volumeNames: ReadonlySet<string>): FieldCause[] {
  const causes: FieldCause[] = [];
  const name = typeof c.name === 'string' ? c.name : '';
  if (name === '') causes.push(required(`${path}.name`));
  else causes.push(...invalidEach(`${path}.name`, name, dns1123LabelErrors(name)));
  if (names.has(name)) causes.push(duplicate(`${path}.name`, name));
  names.add(name);
  if (typeof c.image !== 'string' || c.image === '') causes.push(required(`${path}.image`));
  causes.push(...enumField(c.terminationMessagePolicy, `${path}.terminationMessagePolicy`, TERMINATION_MESSAGE_POLICIES));
  causes.push(...validateContainerPorts(c.ports, `${path}.ports`));
  causes.push(...validateVolumeMounts(c.volumeMounts, `${path}.volumeMounts`, volumeNames));
  causes.push(...enumField(c.imagePullPolicy, `${path}.imagePullPolicy`, PULL_POLICIES));
  return causes;
}

function validateContainerPorts(ports: unknown, path: string): FieldCause[] {
  const names = new Set<string>();
  return objects(ports).flatMap((port, i) => {
    const at = `${path}[${i}]`;
    const causes: FieldCause[] = [];
    if (typeof port.name === 'string' && port.name !== '') {
      const errs = portNameErrors(port.name);
      if (errs.length > 0) causes.push(...invalidEach(`${at}.name`, port.name, errs));
      else if (names.has(port.name)) causes.push(duplicate(`${at}.name`, port.name));
      names.add(port.name);
    }
    const containerPort = typeof port.containerPort === 'number' ? port.containerPort : 0;
    if (containerPort === 0) causes.push(required(`${at}.containerPort`));
    else causes.push(...invalidEach(`${at}.containerPort`, containerPort, portNumErrors(containerPort)));
    if (typeof port.hostPort === 'number' && port.hostPort !== 0) {
      causes.push(...invalidEach(`${at}.hostPort`, port.hostPort, portNumErrors(port.hostPort)));
    }
    causes.push(...enumField(port.protocol, `${at}.protocol`, PROTOCOLS));
    return causes;
  });
}

function validateVolumeMounts(mounts: unknown, path: string, volumeNames: ReadonlySet<string>): FieldCause[] {
  const mountPaths = new Set<string>();
  return objects(mounts).flatMap((m, i) => {
    const at = `${path}[${i}]`;
    const causes: FieldCause[] = [];
    const name = typeof m.name === 'string' ? m.name : '';
    if (name === '') causes.push(required(`${at}.name`));
    else if (!volumeNames.has(name)) causes.push(notFound(`${at}.name`, name));
    const mountPath = typeof m.mountPath === 'string' ? m.mountPath : '';
    if (mountPath === '') causes.push(required(`${at}.mountPath`));
    else if (mountPaths.has(mountPath)) causes.push(invalid(`${at}.mountPath`, mountPath, 'must be unique'));
    mountPaths.add(mountPath);
    return causes;
  });
}

const UPDATABLE_POD_SPEC_FIELDS = [
  '`spec.containers[*].image`',
  '`spec.initContainers[*].image`',
  '`spec.activeDeadlineSeconds`',
  '`spec.tolerations` (only additions to existing tolerations)',
  '`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)',
];

/** ValidatePodUpdate: a pod's spec is fixed except for images, deadlines and new tolerations. */
function validatePodSpecUpdate(spec: Obj, old: Obj): FieldCause[] {
  const causes: FieldCause[] = [];
  for (const list of ['containers', 'initContainers'] as const) {
    const problem = containerUpdateErrors(objects(spec[list]), objects(old[list]), `spec.${list}`);
    causes.push(...problem.causes);
    if (problem.stop) return causes;
  }
  const deadline = deadlineUpdateErrors(spec.activeDeadlineSeconds, old.activeDeadlineSeconds);
  causes.push(...deadline);
  if (deadline.length > 0 && typeof spec.activeDeadlineSeconds === 'number') return causes;
  causes.push(...tolerationUpdateErrors(objects(spec.tolerations), objects(old.tolerations)));
  const munged = mungeUpdatableFields(spec, old);
  if (!deepEqual(munged, old)) {
    const diff = describeDiff(old, munged, 'spec');
    causes.push(forbidden('spec', `pod updates may not change fields other than ${UPDATABLE_POD_SPEC_FIELDS.join(',')}\n${diff.trimEnd()}`));
  }
  return causes;
}

function containerUpdateErrors(next: Obj[], old: Obj[], path: string): { causes: FieldCause[]; stop: boolean } {
  if (next.length !== old.length) return { causes: [forbidden(path, 'pod updates may not add or remove containers')], stop: true };
  const causes = next.flatMap((c, i) => {
    const image = typeof c.image === 'string' ? c.image : '';
    if (image === '') return [required(`${path}[${i}].image`)];
    return image.trim() === image ? [] : [invalid(`${path}[${i}].image`, image, 'must not have leading or trailing whitespace')];
  });
  return { causes, stop: false };
}

function deadlineUpdateErrors(next: unknown, old: unknown): FieldCause[] {
  const field = 'spec.activeDeadlineSeconds';
  if (typeof next === 'number') {
    if (next < 0 || next > MAX_INT32) return [invalid(field, next, inclusiveRangeError(0, MAX_INT32))];
    if (typeof old === 'number' && old < next) return [invalid(field, next, 'must be less than or equal to previous value')];
    return [];
  }
  return typeof old === 'number' ? [invalid(field, null, 'must not update from a positive integer to nil value')] : [];
}

function tolerationUpdateErrors(next: Obj[], old: Obj[]): FieldCause[] {
  // tolerationSeconds may change; nothing else about an existing toleration may.
  const kept = old.every((o) => next.some((n) => deepEqual({ ...o, tolerationSeconds: n.tolerationSeconds }, n)));
  return kept ? [] : [forbidden('spec.tolerations', 'existing toleration can not be modified except its tolerationSeconds')];
}

/** The new spec with every field a pod update may change put back to its old value. */
function mungeUpdatableFields(spec: Obj, old: Obj): Obj {
  const withOldImages = (list: unknown, oldList: unknown): unknown =>
    Array.isArray(list) ? list.map((c, i) => (isObject(c) ? { ...c, image: objects(oldList)[i]?.image } : c)) : list;
  const munged: Obj = {
    ...spec,
    containers: withOldImages(spec.containers, old.containers),
    initContainers: withOldImages(spec.initContainers, old.initContainers),
    activeDeadlineSeconds: old.activeDeadlineSeconds,
    tolerations: old.tolerations,
  };
  const oldGrace = old.terminationGracePeriodSeconds;
  if (typeof oldGrace === 'number' && oldGrace < 0 && munged.terminationGracePeriodSeconds === 1) munged.terminationGracePeriodSeconds = oldGrace;
  return munged;
}

/** A short "-old / +new" listing of changed leaves, standing in for Go's cmp.Diff. */
function describeDiff(old: unknown, next: unknown, path: string): string {
  if (deepEqual(old, next)) return '';
  const bothContainers = (isObject(old) && isObject(next)) || (Array.isArray(old) && Array.isArray(next));
  if (!bothContainers) return `- ${path}: ${JSON.stringify(old) ?? 'null'}\n+ ${path}: ${JSON.stringify(next) ?? 'null'}\n`;
  const keys = new Set([...Object.keys(old as object), ...Object.keys(next as object)]);
  return [...keys].map((k) => {
    const child = Array.isArray(old) ? `${path}[${k}]` : `${path}.${k}`;
    return describeDiff((old as Obj)[k], (next as Obj)[k], child);
  }).join('');
}

// ---------------------------------------------------------------------------------------------
// Deployments and ReplicaSets (apps/v1)

function validateDeploymentSpec(spec: Obj): FieldCause[] {
  const causes = [...validateReplicatedSpec(spec, 'Deployment'), ...validateStrategy(spec.strategy)];
  causes.push(...nonNegative(spec.minReadySeconds, 'spec.minReadySeconds'));
  causes.push(...nonNegative(spec.revisionHistoryLimit, 'spec.revisionHistoryLimit'));
  const deadline = spec.progressDeadlineSeconds;
  if (typeof deadline === 'number') {
    causes.push(...nonNegative(deadline, 'spec.progressDeadlineSeconds'));
    const minReady = typeof spec.minReadySeconds === 'number' ? spec.minReadySeconds : 0;
    if (deadline <= minReady) causes.push(invalid('spec.progressDeadlineSeconds', deadline, 'must be greater than minReadySeconds'));
  }
  return causes;
}

function validateReplicaSetSpec(spec: Obj): FieldCause[] {
  return [...validateReplicatedSpec(spec, 'ReplicaSet'), ...nonNegative(spec.minReadySeconds, 'spec.minReadySeconds')];
}

/** What Deployments and ReplicaSets share: replicas, a selector, and a template it selects. */
function validateReplicatedSpec(spec: Obj, kind: 'Deployment' | 'ReplicaSet'): FieldCause[] {
  const causes = nonNegative(spec.replicas, 'spec.replicas');
  const selector = spec.selector;
  const selectorCauses = validateLabelSelector(selector, 'spec.selector');
  if (!isObject(selector)) causes.push(required('spec.selector'));
  causes.push(...selectorCauses);
  if (isObject(selector) && !hasEntries(selector.matchLabels) && objects(selector.matchExpressions).length === 0) {
    // ReplicaSets share this wording with Deployments upstream.
    causes.push(invalid('spec.selector', goLabelSelector(selector), 'empty selector is invalid for deployment'));
  }
  if (selectorCauses.length > 0) causes.push(invalid('spec.selector', goLabelSelector(selector), 'invalid label selector'));
  else causes.push(...validateTemplateForReplicas(objectOr(spec.template), selector, kind));
  return causes;
}

function validateTemplateForReplicas(template: Obj, selector: unknown, kind: 'Deployment' | 'ReplicaSet'): FieldCause[] {
  const path = 'spec.template';
  const causes: FieldCause[] = [];
  const metadata = objectOr(template.metadata);
  const labels = Object.fromEntries(stringEntries(metadata.labels));
  // A missing selector selects nothing, so it never matches; an empty one selects everything.
  const selectsEverything = isObject(selector) && !hasEntries(selector.matchLabels) && objects(selector.matchExpressions).length === 0;
  if (!selectsEverything && !selectorMatches(selector, labels)) {
    causes.push(invalid(`${path}.metadata.labels`, goStringMap(metadata.labels), '`selector` does not match template `labels`'));
  }
  // Upstream validates template labels and annotations at these (metadata-less) paths.
  causes.push(...validateLabels(metadata.labels, `${path}.labels`));
  causes.push(...validateAnnotations(metadata.annotations, `${path}.annotations`));
  const podSpec = objectOr(template.spec);
  causes.push(...validatePodSpec(podSpec, `${path}.spec`));
  const restartPolicy = podSpec.restartPolicy;
  if (restartPolicy !== undefined && restartPolicy !== 'Always') causes.push(notSupported(`${path}.spec.restartPolicy`, restartPolicy, ['Always']));
  if (podSpec.activeDeadlineSeconds !== undefined && podSpec.activeDeadlineSeconds !== null) {
    causes.push(forbidden(`${path}.spec.activeDeadlineSeconds`, `activeDeadlineSeconds in ${kind} is not Supported`));
  }
  return causes;
}

function validateStrategy(strategy: unknown): FieldCause[] {
  if (!isObject(strategy)) return [];
  switch (strategy.type) {
    case 'Recreate':
      return strategy.rollingUpdate === undefined || strategy.rollingUpdate === null
        ? []
        : [forbidden('spec.strategy.rollingUpdate', "may not be specified when strategy `type` is 'Recreate'")];
    case 'RollingUpdate':
      return isObject(strategy.rollingUpdate)
        ? validateRollingUpdate(strategy.rollingUpdate)
        : [required('spec.strategy.rollingUpdate', 'this should be defaulted and never be nil')];
    default:
      return [notSupported('spec.strategy', goDeploymentStrategy(strategy), ['Recreate', 'RollingUpdate'])];
  }
}

function validateRollingUpdate(ru: Obj): FieldCause[] {
  const path = 'spec.strategy.rollingUpdate';
  const causes = [...intOrPercentErrors(ru.maxUnavailable, `${path}.maxUnavailable`), ...intOrPercentErrors(ru.maxSurge, `${path}.maxSurge`)];
  if (intOrPercentValue(ru.maxUnavailable) === 0 && intOrPercentValue(ru.maxSurge) === 0) {
    causes.push(invalid(`${path}.maxUnavailable`, ru.maxUnavailable, 'may not be 0 when `maxSurge` is 0'));
  }
  if (typeof ru.maxUnavailable === 'string' && PERCENT.test(ru.maxUnavailable) && intOrPercentValue(ru.maxUnavailable) > 100) {
    causes.push(invalid(`${path}.maxUnavailable`, ru.maxUnavailable, 'must not be greater than 100%'));
  }
  return causes;
}

function intOrPercentErrors(value: unknown, field: string): FieldCause[] {
  if (typeof value === 'string') {
    return PERCENT.test(value) ? [] : [invalid(field, value, regexError("a valid percent string must be a numeric string followed by an ending '%'", PERCENT_FMT, '1%', '93%'))];
  }
  if (typeof value === 'number') return nonNegative(value, field);
  return [];
}

/** The number in 5 or "5%"; NaN when it is neither. */
function intOrPercentValue(value: unknown): number {
  if (typeof value === 'number') return value;
  return typeof value === 'string' ? Number.parseInt(value, 10) : Number.NaN;
}

function nonNegative(value: unknown, field: string): FieldCause[] {
  return typeof value === 'number' && value < 0 ? [invalid(field, value, 'must be greater than or equal to 0')] : [];
}

function validateSelectorUnchanged(obj: KubeObject, old: KubeObject): FieldCause[] {
  const selector = objectOr(obj.spec).selector;
  if (deepEqual(selector, objectOr(old.spec).selector)) return [];
  return [invalid('spec.selector', goLabelSelector(selector), IMMUTABLE)];
}

// ---------------------------------------------------------------------------------------------
// Services

const SERVICE_TYPES = ['ClusterIP', 'ExternalName', 'LoadBalancer', 'NodePort'];
const SESSION_AFFINITIES = ['ClientIP', 'None'];
const TRAFFIC_POLICIES = ['Cluster', 'Local'];
const IP_FAMILY_POLICIES = ['PreferDualStack', 'RequireDualStack', 'SingleStack'];
const IP_FAMILIES = ['IPv4', 'IPv6'];

/** networking/v1 IPAddress: named by a canonical IP, with a parent reference naming its resource and name. */
function validateIPAddress(ip: KubeObject): FieldCause[] {
  const causes: FieldCause[] = [];
  const name = ip.metadata.name ?? '';
  if (!isCanonicalIPv4(name)) causes.push(invalid('metadata.name', name, 'must be a canonical format IP address'));
  const parent = objectOr(objectOr(ip.spec).parentRef);
  if (!isObject(objectOr(ip.spec).parentRef)) causes.push(required('spec.parentRef'));
  else {
    if (typeof parent.resource !== 'string' || parent.resource === '') causes.push(required('spec.parentRef.resource'));
    if (typeof parent.name !== 'string' || parent.name === '') causes.push(required('spec.parentRef.name'));
  }
  return causes;
}

function isCanonicalIPv4(text: string): boolean {
  try {
    return formatIPv4(parseIPv4(text)) === text;
  } catch {
    return false;
  }
}

function validateServiceSpec(spec: Obj): FieldCause[] {
  const causes: FieldCause[] = [];
  const headless = spec.clusterIP === 'None';
  const ports = objects(spec.ports);
  if (ports.length === 0 && !headless && spec.type !== 'ExternalName') causes.push(required('spec.ports'));
  causes.push(...validateServiceTypeSpecifics(spec, headless));
  const names = new Set<string>();
  ports.forEach((p, i) => causes.push(...validateServicePort(p, `spec.ports[${i}]`, ports.length > 1, names)));
  causes.push(...validateLabels(spec.selector, 'spec.selector'));
  causes.push(...enumField(spec.sessionAffinity, 'spec.sessionAffinity', SESSION_AFFINITIES));
  causes.push(...enumField(spec.ipFamilyPolicy, 'spec.ipFamilyPolicy', IP_FAMILY_POLICIES));
  strings(spec.ipFamilies).forEach((f, i) => causes.push(...enumField(f, `spec.ipFamilies[${i}]`, IP_FAMILIES)));
  causes.push(...enumField(spec.type, 'spec.type', SERVICE_TYPES));
  if (spec.type === 'ClusterIP') {
    ports.forEach((p, i) => {
      if (typeof p.nodePort === 'number' && p.nodePort !== 0) causes.push(forbidden(`spec.ports[${i}].nodePort`, "may not be used when `type` is 'ClusterIP'"));
    });
  }
  causes.push(...duplicateServicePorts(ports));
  causes.push(...validateTrafficPolicies(spec));
  return causes;
}

function validateServiceTypeSpecifics(spec: Obj, headless: boolean): FieldCause[] {
  switch (spec.type) {
    case 'LoadBalancer':
    case 'NodePort':
      return headless ? [invalid('spec.clusterIPs[0]', 'None', `may not be set to 'None' for ${spec.type} services`)] : [];
    case 'ExternalName': {
      const cname = typeof spec.externalName === 'string' ? spec.externalName.replace(/\.$/, '') : '';
      if (cname === '') return [required('spec.externalName')];
      return invalidEach('spec.externalName', cname, dns1123SubdomainErrors(cname));
    }
    default:
      return [];
  }
}

function validateServicePort(port: Obj, path: string, requireName: boolean, names: Set<string>): FieldCause[] {
  const causes: FieldCause[] = [];
  const name = typeof port.name === 'string' ? port.name : '';
  if (requireName && name === '') causes.push(required(`${path}.name`));
  else if (name !== '') {
    causes.push(...invalidEach(`${path}.name`, name, dns1123LabelErrors(name)));
    if (names.has(name)) causes.push(duplicate(`${path}.name`, name));
    names.add(name);
  }
  const portNumber = typeof port.port === 'number' ? port.port : 0;
  causes.push(...invalidEach(`${path}.port`, portNumber, portNumErrors(portNumber)));
  causes.push(...enumField(port.protocol, `${path}.protocol`, PROTOCOLS));
  const target = port.targetPort;
  if (typeof target === 'number') causes.push(...invalidEach(`${path}.targetPort`, target, portNumErrors(target)));
  if (typeof target === 'string') causes.push(...invalidEach(`${path}.targetPort`, target, portNameErrors(target)));
  return causes;
}

/** Two ports may not share a (protocol, port) pair. */
function duplicateServicePorts(ports: Obj[]): FieldCause[] {
  const seen = new Set<string>();
  return ports.flatMap((p, i) => {
    const protocol = typeof p.protocol === 'string' ? p.protocol : '';
    const port = typeof p.port === 'number' ? p.port : 0;
    const key = `${protocol}/${port}`;
    const dup = seen.has(key);
    seen.add(key);
    if (!dup) return [];
    const literal = `core.ServicePort{Name:"", Protocol:${JSON.stringify(protocol)}, AppProtocol:(*string)(nil), Port:${port}, TargetPort:intstr.IntOrString{Type:0, IntVal:0, StrVal:""}, NodePort:0}`;
    return [duplicate(`spec.ports[${i}]`, new GoLiteral(literal))];
  });
}

function validateTrafficPolicies(spec: Obj): FieldCause[] {
  const causes: FieldCause[] = [];
  const external = spec.externalTrafficPolicy;
  const externalSet = external !== undefined && external !== null && external !== '';
  if (!isExternallyAccessible(spec)) {
    if (externalSet) causes.push(invalid('spec.externalTrafficPolicy', external, 'may only be set for externally-accessible services'));
  } else {
    causes.push(...(externalSet ? enumField(external, 'spec.externalTrafficPolicy', TRAFFIC_POLICIES) : [required('spec.externalTrafficPolicy')]));
  }
  causes.push(...enumField(spec.internalTrafficPolicy, 'spec.internalTrafficPolicy', TRAFFIC_POLICIES));
  return causes;
}

// ---------------------------------------------------------------------------------------------
// Endpoints and EndpointSlices (the parts the endpoints controllers and hand-written objects rely on)

const ADDRESS_TYPES = ['FQDN', 'IPv4', 'IPv6'];
const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
const isIP = (v: unknown) => typeof v === 'string' && (IPV4.test(v) || (v.includes(':') && /^[0-9a-fA-F:.]+$/.test(v)));

function validateEndpoints(ep: KubeObject): FieldCause[] {
  return objects(ep.subsets).flatMap((subset, i) => {
    const path = `subsets[${i}]`;
    const addresses = objects(subset.addresses);
    const notReady = objects(subset.notReadyAddresses);
    const causes = addresses.length + notReady.length === 0 ? [required(path, 'must specify `addresses` or `notReadyAddresses`')] : [];
    for (const [list, field] of [[addresses, 'addresses'], [notReady, 'notReadyAddresses']] as const) {
      list.forEach((a, j) => causes.push(...(isIP(a.ip) ? [] : [invalid(`${path}.${field}[${j}].ip`, a.ip ?? '', 'must be a valid IP address')])));
    }
    causes.push(...objects(subset.ports).flatMap((p, j) => endpointPortErrors(p, `${path}.ports[${j}]`)));
    return causes;
  });
}

function validateEndpointSlice(slice: KubeObject): FieldCause[] {
  const causes = slice.addressType === undefined || slice.addressType === '' ? [required('addressType')] : enumField(slice.addressType, 'addressType', ADDRESS_TYPES);
  objects(slice.endpoints).forEach((e, i) => {
    const addresses = Array.isArray(e.addresses) ? e.addresses : [];
    if (addresses.length === 0) causes.push(required(`endpoints[${i}].addresses`, 'must contain at least 1 address'));
    if (slice.addressType === 'IPv4') addresses.forEach((a, j) => causes.push(...(typeof a === 'string' && IPV4.test(a) ? [] : [invalid(`endpoints[${i}].addresses[${j}]`, a, 'must be a valid IPv4 address')])));
  });
  causes.push(...objects(slice.ports).flatMap((p, j) => endpointPortErrors(p, `ports[${j}]`)));
  return causes;
}

function endpointPortErrors(port: Obj, path: string): FieldCause[] {
  const number = port.port;
  return [
    ...(typeof number === 'number' ? invalidEach(`${path}.port`, number, portNumErrors(number)) : []),
    ...enumField(port.protocol, `${path}.protocol`, PROTOCOLS),
  ];
}

// ---------------------------------------------------------------------------------------------
// ConfigMaps and Secrets

/** ConfigMaps and Secrets both stop at 1 MiB of data. */
const MAX_DATA_BYTES = 1024 * 1024;
/** Values the gateway has already sealed; they are not base64 and are accepted as they are. */
const SEALED_PREFIX = 'enc:';

function validateConfigMap(cm: KubeObject): FieldCause[] {
  const data = stringEntries(cm.data);
  const binary = stringEntries(cm.binaryData);
  const binaryKeys = new Set(binary.map(([k]) => k));
  const causes = data.flatMap(([key]) => [
    ...invalidEach(`data[${key}]`, key, configKeyErrors(key)),
    ...(binaryKeys.has(key) ? [invalid(`data[${key}]`, key, 'duplicate of key present in binaryData')] : []),
  ]);
  causes.push(...binary.flatMap(([key]) => invalidEach(`binaryData[${key}]`, key, configKeyErrors(key))));
  const size = data.reduce((n, [, v]) => n + utf8Length(v), 0) + binary.reduce((n, [, v]) => n + base64DecodedLength(v), 0);
  // Upstream reports the whole object (an empty field path).
  if (size > MAX_DATA_BYTES) causes.push(tooLong('', MAX_DATA_BYTES));
  return causes;
}

/** Keys each Secret type requires (stringData counts: it is merged into data before validation). */
const SECRET_REQUIRED_KEYS: Readonly<Record<string, readonly string[]>> = {
  'kubernetes.io/tls': ['tls.crt', 'tls.key'],
  'kubernetes.io/ssh-auth': ['ssh-privatekey'],
  'kubernetes.io/dockerconfigjson': ['.dockerconfigjson'],
  'kubernetes.io/dockercfg': ['.dockercfg'],
};

function validateSecret(secret: KubeObject): FieldCause[] {
  const data = stringEntries(secret.data);
  const stringData = stringEntries(secret.stringData);
  const keys = new Set([...data, ...stringData].map(([k]) => k));
  const causes = [...keys].flatMap((key) => invalidEach(`data[${key}]`, key, configKeyErrors(key)));
  const size = data.reduce((n, [, v]) => n + (v.startsWith(SEALED_PREFIX) ? utf8Length(v) : base64DecodedLength(v)), 0)
    + stringData.reduce((n, [, v]) => n + utf8Length(v), 0);
  if (size > MAX_DATA_BYTES) causes.push(tooLong('data', MAX_DATA_BYTES));
  causes.push(...secretTypeErrors(secret, keys));
  return causes;
}

function secretTypeErrors(secret: KubeObject, keys: ReadonlySet<string>): FieldCause[] {
  const type = typeof secret.type === 'string' ? secret.type : '';
  if (type === 'kubernetes.io/service-account-token') {
    const name = secret.metadata.annotations?.['kubernetes.io/service-account.name'];
    return name ? [] : [required('metadata.annotations[kubernetes.io/service-account.name]')];
  }
  if (type === 'kubernetes.io/basic-auth') {
    // Either key may be empty, but one of them must be present.
    return keys.has('username') || keys.has('password') ? [] : [required('data[username]'), required('data[password]')];
  }
  return (SECRET_REQUIRED_KEYS[type] ?? []).filter((k) => !keys.has(k)).map((k) => required(`data[${k}]`));
}

const IMMUTABLE_WHEN_SET = 'field is immutable when `immutable` is set';

function validateImmutableData(obj: KubeObject, old: KubeObject, fields: readonly string[]): FieldCause[] {
  if (old.immutable !== true) return [];
  const causes = obj.immutable === true ? [] : [forbidden('immutable', IMMUTABLE_WHEN_SET)];
  for (const f of fields) {
    if (!deepEqual(obj[f], old[f])) causes.push(forbidden(f, IMMUTABLE_WHEN_SET));
  }
  return causes;
}

function validateSecretUpdate(secret: KubeObject, old: KubeObject): FieldCause[] {
  const causes = (secret.type ?? '') === (old.type ?? '') ? [] : [invalid('type', secret.type ?? '', IMMUTABLE)];
  causes.push(...validateImmutableData(secret, old, ['data']));
  // stringData is merged into data upstream, so any of it changes an immutable secret's data.
  if (old.immutable === true && stringEntries(secret.stringData).length > 0 && !causes.some((c) => c.field === 'data')) {
    causes.push(forbidden('data', IMMUTABLE_WHEN_SET));
  }
  return causes;
}

// ---------------------------------------------------------------------------------------------
// Namespaces and Events

function validateNamespaceFinalizers(finalizers: unknown): FieldCause[] {
  return strings(finalizers).flatMap((f) => [
    ...invalidEach('spec.finalizers', f, qualifiedNameErrors(f)),
    ...kubeFinalizerErrors(f, 'spec.finalizers'),
  ]);
}

/** Legacy (core/v1) event validation: the involved object lives in the event's namespace. */
// ---------------------------------------------------------------------------------------------
// Node (pkg/apis/core/validation ValidateNode / ValidateNodeUpdate, the podCIDRs part)

const IPV4_CIDR = /^(?:(?:0|[1-9][0-9]{0,2})\.){3}(?:0|[1-9][0-9]{0,2})\/(?:0|[1-9][0-9]?)$/;
const IPV6_CIDR = /^[0-9a-fA-F:.]*:[0-9a-fA-F:.]*\/(?:0|[1-9][0-9]{0,2})$/;

function isValidCIDR(value: string): boolean {
  const [ip, prefix] = value.split('/');
  if (IPV4_CIDR.test(value)) return Number(prefix) <= 32 && ip.split('.').every((o) => Number(o) <= 255);
  return IPV6_CIDR.test(value) && Number(prefix) <= 128;
}

function validateNodePodCIDRs(spec: Obj): FieldCause[] {
  const cidrs = strings(spec.podCIDRs);
  const causes = cidrs.flatMap((cidr, i) => (isValidCIDR(cidr) ? [] : [invalid(`spec.podCIDRs[${i}]`, cidr, 'must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)')]));
  const families = new Set(cidrs.map((c) => (c.includes(':') ? 6 : 4)));
  if (cidrs.length > 2 || (cidrs.length === 2 && families.size < 2)) causes.push(invalid('spec.podCIDRs', goStringSlice(cidrs), 'may specify no more than one CIDR for each IP family'));
  // Upstream's conversion makes podCIDR podCIDRs[0]; skiff stores both, so it refuses a mismatch.
  if (cidrs.length > 0 && typeof spec.podCIDR === 'string' && spec.podCIDR !== cidrs[0]) causes.push(invalid('spec.podCIDR', spec.podCIDR, 'must be the first entry of spec.podCIDRs'));
  return causes;
}

/** The controller manager may assign CIDRs to a node that has none; once set they stay. */
function validateNodePodCIDRsUpdate(spec: Obj, old: Obj): FieldCause[] {
  const before = strings(old.podCIDRs);
  const after = strings(spec.podCIDRs);
  if (before.length === 0 || (before.length === after.length && before.every((c, i) => c === after[i]) && spec.podCIDR === old.podCIDR)) return [];
  return [forbidden('spec.podCIDRs', 'node updates may not change podCIDR except from "" to valid')];
}

function validateEvent(event: KubeObject): FieldCause[] {
  const eventTime = event.eventTime;
  if (eventTime !== undefined && eventTime !== null && eventTime !== '') return [];
  const involved = objectOr(event.involvedObject);
  const involvedNamespace = typeof involved.namespace === 'string' ? involved.namespace : '';
  const namespace = event.metadata.namespace ?? '';
  const matches = involvedNamespace === '' ? namespace === '' || namespace === 'default' : involvedNamespace === namespace;
  return matches ? [] : [invalid('involvedObject.namespace', involvedNamespace, 'does not match event.namespace')];
}

// ---------------------------------------------------------------------------------------------
// Decoding: JSON types Kubernetes' Go structs would refuse

type GoType =
  | Readonly<{ kind: 'string' | 'bool'; go: string }>
  | Readonly<{ kind: 'int'; go: 'int32' | 'int64' }>
  | Readonly<{ kind: 'bytes'; go: '[]uint8'; sealable: boolean }>
  | Readonly<{ kind: 'map'; go: string; value: GoType }>
  | Readonly<{ kind: 'list'; go: string; item: GoType }>
  | Readonly<{ kind: 'struct'; go: string; name: string; fields: Readonly<Record<string, GoType>> }>;

const str = (go = 'string'): GoType => ({ kind: 'string', go });
const STRING = str();
const BOOL: GoType = { kind: 'bool', go: 'bool' };
const INT32: GoType = { kind: 'int', go: 'int32' };
const INT64: GoType = { kind: 'int', go: 'int64' };
const BYTES: GoType = { kind: 'bytes', go: '[]uint8', sealable: false };
const SEALABLE_BYTES: GoType = { kind: 'bytes', go: '[]uint8', sealable: true };
const mapOf = (value: GoType): GoType => ({ kind: 'map', go: `map[string]${value.go}`, value });
const listOf = (item: GoType): GoType => ({ kind: 'list', go: `[]${item.go}`, item });
const struct = (name: string, fields: Record<string, GoType>): GoType => ({ kind: 'struct', go: `v1.${name}`, name, fields });
const STRING_MAP = mapOf(STRING);

const OBJECT_META = struct('ObjectMeta', {
  name: STRING, generateName: STRING, namespace: STRING, labels: STRING_MAP, annotations: STRING_MAP, finalizers: listOf(STRING),
  ownerReferences: listOf(struct('OwnerReference', { apiVersion: STRING, kind: STRING, name: STRING, uid: str('types.UID'), controller: BOOL, blockOwnerDeletion: BOOL })),
});
const CONTAINER = struct('Container', {
  name: STRING, image: STRING, command: listOf(STRING), args: listOf(STRING), workingDir: STRING,
  ports: listOf(struct('ContainerPort', { name: STRING, hostPort: INT32, containerPort: INT32, protocol: str('v1.Protocol'), hostIP: STRING })),
  imagePullPolicy: str('v1.PullPolicy'), terminationMessagePath: STRING, terminationMessagePolicy: str('v1.TerminationMessagePolicy'),
  stdin: BOOL, stdinOnce: BOOL, tty: BOOL,
});
const POD_SPEC = struct('PodSpec', {
  containers: listOf(CONTAINER), initContainers: listOf(CONTAINER), restartPolicy: str('v1.RestartPolicy'),
  terminationGracePeriodSeconds: INT64, activeDeadlineSeconds: INT64, dnsPolicy: str('v1.DNSPolicy'), nodeSelector: STRING_MAP,
  serviceAccountName: STRING, nodeName: STRING, hostNetwork: BOOL, schedulerName: STRING, priorityClassName: STRING, priority: INT32,
  enableServiceLinks: BOOL,
});
const LABEL_SELECTOR = struct('LabelSelector', {
  matchLabels: STRING_MAP,
  matchExpressions: listOf(struct('LabelSelectorRequirement', { key: STRING, operator: str('v1.LabelSelectorOperator'), values: listOf(STRING) })),
});
const POD_TEMPLATE = struct('PodTemplateSpec', { metadata: OBJECT_META, spec: POD_SPEC });

const SCHEMAS: Readonly<Record<string, GoType>> = {
  Pod: struct('Pod', { metadata: OBJECT_META, spec: POD_SPEC }),
  Deployment: struct('Deployment', {
    metadata: OBJECT_META,
    spec: struct('DeploymentSpec', {
      replicas: INT32, selector: LABEL_SELECTOR, template: POD_TEMPLATE, strategy: struct('DeploymentStrategy', { type: str('v1.DeploymentStrategyType') }),
      minReadySeconds: INT32, revisionHistoryLimit: INT32, paused: BOOL, progressDeadlineSeconds: INT32,
    }),
  }),
  ReplicaSet: struct('ReplicaSet', {
    metadata: OBJECT_META,
    spec: struct('ReplicaSetSpec', { replicas: INT32, minReadySeconds: INT32, selector: LABEL_SELECTOR, template: POD_TEMPLATE }),
  }),
  Service: struct('Service', {
    metadata: OBJECT_META,
    spec: struct('ServiceSpec', {
      ports: listOf(struct('ServicePort', { name: STRING, protocol: str('v1.Protocol'), port: INT32, nodePort: INT32 })),
      selector: STRING_MAP, clusterIP: STRING, clusterIPs: listOf(STRING), type: str('v1.ServiceType'), externalIPs: listOf(STRING),
      sessionAffinity: str('v1.ServiceAffinity'), externalName: STRING,
    }),
  }),
  ConfigMap: struct('ConfigMap', { metadata: OBJECT_META, immutable: BOOL, data: STRING_MAP, binaryData: mapOf(BYTES) }),
  Secret: struct('Secret', { metadata: OBJECT_META, immutable: BOOL, data: mapOf(SEALABLE_BYTES), stringData: STRING_MAP, type: str('v1.SecretType') }),
  Namespace: struct('Namespace', { metadata: OBJECT_META, spec: struct('NamespaceSpec', { finalizers: listOf(str('v1.FinalizerName')) }) }),
  Node: struct('Node', { metadata: OBJECT_META, spec: struct('NodeSpec', { podCIDR: STRING, podCIDRs: listOf(STRING), unschedulable: BOOL }) }),
  Event: struct('Event', {
    metadata: OBJECT_META,
    involvedObject: struct('ObjectReference', { kind: STRING, namespace: STRING, name: STRING, uid: str('types.UID'), apiVersion: STRING, fieldPath: STRING }),
    reason: STRING, message: STRING, count: INT32, type: STRING,
  }),
};

/** Where a value sits: the cause's field path, and Go's "Struct.json.path" for the message. */
type Site = Readonly<{ field: string; goField: string }>;

function checkTypes(type: ResourceType, obj: KubeObject): FieldCause | undefined {
  const schema = SCHEMAS[type.kind];
  return schema?.kind === 'struct' ? checkFields(obj, schema, '', '') : undefined;
}

function checkFields(obj: Obj, t: Extract<GoType, { kind: 'struct' }>, field: string, goPath: string): FieldCause | undefined {
  for (const [key, value] of Object.entries(obj)) {
    const fieldType = t.fields[key];
    if (!fieldType) continue;
    const childGoPath = goPath ? `${goPath}.${key}` : key;
    const problem = checkValue(value, fieldType, { field: field ? `${field}.${key}` : key, goField: `${t.name}.${childGoPath}` }, childGoPath);
    if (problem) return problem;
  }
  return undefined;
}

/** The first value Go's decoder would reject, in document order (as Go reports it). */
function checkValue(value: unknown, t: GoType, at: Site, goPath: string): FieldCause | undefined {
  // null decodes to the zero value (undefined cannot come from JSON; treat it alike).
  if (value === null || value === undefined) return undefined;
  switch (t.kind) {
    case 'string':
      return typeof value === 'string' ? undefined : mismatch(value, t, at);
    case 'bool':
      return typeof value === 'boolean' ? undefined : mismatch(value, t, at);
    case 'int':
      return checkInt(value, t, at);
    case 'bytes':
      return checkBytes(value, t, at);
    case 'map':
      if (!isObject(value)) return mismatch(value, t, at);
      return firstOf(Object.entries(value), ([k, v]) => checkValue(v, t.value, { ...at, field: `${at.field}[${k}]` }, goPath));
    case 'list':
      if (!Array.isArray(value)) return mismatch(value, t, at);
      return firstOf(value.map((v, i) => [i, v] as const), ([i, v]) => checkValue(v, t.item, { ...at, field: `${at.field}[${i}]` }, goPath));
    case 'struct':
      return isObject(value) ? checkFields(value, t, at.field, goPath) : mismatch(value, t, at);
    default: {
      const never: never = t;
      return never;
    }
  }
}

function firstOf<T>(items: readonly T[], check: (item: T) => FieldCause | undefined): FieldCause | undefined {
  for (const item of items) {
    const problem = check(item);
    if (problem) return problem;
  }
  return undefined;
}

const INT_RANGES: Readonly<Record<'int32' | 'int64', readonly [number, number]>> = {
  int32: [-2147483648, 2147483647],
  int64: [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER],
};

function checkInt(value: unknown, t: Extract<GoType, { kind: 'int' }>, at: Site): FieldCause | undefined {
  if (typeof value !== 'number') return mismatch(value, t, at);
  const [lo, hi] = INT_RANGES[t.go];
  if (Number.isInteger(value) && value >= lo && value <= hi) return undefined;
  return decodeFailure(at, `json: cannot unmarshal number ${String(value)} into Go struct field ${at.goField} of type ${t.go}`);
}

function checkBytes(value: unknown, t: Extract<GoType, { kind: 'bytes' }>, at: Site): FieldCause | undefined {
  if (typeof value !== 'string') return mismatch(value, t, at);
  if (t.sealable && value.startsWith(SEALED_PREFIX)) return undefined;
  const bad = base64ErrorOffset(value);
  return bad === undefined ? undefined : decodeFailure(at, `illegal base64 data at input byte ${bad}`);
}

function mismatch(value: unknown, t: GoType, at: Site): FieldCause {
  return decodeFailure(at, `json: cannot unmarshal ${jsonKind(value)} into Go struct field ${at.goField} of type ${t.go}`);
}

function decodeFailure(at: Site, message: string): FieldCause {
  return { reason: 'FieldValueTypeInvalid', field: at.field, message };
}

function jsonKind(value: unknown): string {
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'boolean') return 'bool';
  return typeof value === 'object' ? 'object' : typeof value;
}

const BASE64_ALPHABET = /[A-Za-z0-9+/]/;

/**
 * Where Go's base64.StdEncoding (padded, CR/LF ignored) first fails on `text`, as a byte offset
 * into its UTF-8 form; undefined when it decodes.
 */
function base64ErrorOffset(text: string): number | undefined {
  const src = utf8Bytes(text);
  let si = 0;
  while (si < src.length) {
    const result = decodeQuantum(src, si);
    if (result.error !== undefined) return result.error;
    if (result.done) return undefined;
    si = result.next;
  }
  return undefined;
}

type Quantum = { next: number; done: boolean; error?: number };

/** One 4-character group, mirroring encoding/base64's decodeQuantum error offsets. */
function decodeQuantum(src: readonly number[], start: number): Quantum {
  let si = start;
  for (let j = 0; j < 4; j++) {
    if (si === src.length) return j === 0 ? { next: si, done: true } : { next: si, done: true, error: si - j };
    const ch = String.fromCharCode(src[si]);
    si++;
    if (BASE64_ALPHABET.test(ch)) continue;
    if (ch === '\n' || ch === '\r') {
      j--;
      continue;
    }
    if (ch !== '=') return { next: si, done: true, error: si - 1 };
    return paddingEnd(src, si, j);
  }
  return { next: si, done: false };
}

/** After a '=' at position j of a group: check the padding, then that nothing but newlines follows. */
function paddingEnd(src: readonly number[], afterPad: number, j: number): Quantum {
  let si = afterPad;
  if (j < 2) return { next: si, done: true, error: si - 1 };
  const skipNewlines = (): void => {
    while (si < src.length && (src[si] === 10 || src[si] === 13)) si++;
  };
  if (j === 2) {
    skipNewlines();
    if (si === src.length) return { next: si, done: true, error: src.length };
    if (src[si] !== 61) return { next: si, done: true, error: si - 1 };
    si++;
  }
  skipNewlines();
  return si < src.length ? { next: si, done: true, error: si } : { next: si, done: true };
}

/** Bytes a base64 text decodes to (for size limits; validity is checked while decoding). */
function base64DecodedLength(text: string): number {
  const clean = text.replace(/[\r\n]/g, '');
  const padding = clean.endsWith('==') ? 2 : clean.endsWith('=') ? 1 : 0;
  return Math.max(0, Math.floor((clean.length * 3) / 4) - padding);
}

// ---------------------------------------------------------------------------------------------
// Go %#v renderings of the few structured values Kubernetes puts in messages

function goStringMap(m: unknown): GoLiteral {
  if (!isObject(m)) return new GoLiteral('map[string]string(nil)');
  const entries = stringEntries(m).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return new GoLiteral(`map[string]string{${entries.map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`).join(', ')}}`);
}

function goStringSlice(values: unknown): GoLiteral {
  if (!Array.isArray(values)) return new GoLiteral('[]string(nil)');
  return new GoLiteral(`[]string{${strings(values).map((v) => JSON.stringify(v)).join(', ')}}`);
}

function goLabelSelector(selector: unknown): GoLiteral {
  const s = objectOr(selector);
  const exprs = Array.isArray(s.matchExpressions)
    ? `[]v1.LabelSelectorRequirement{${objects(s.matchExpressions).map(goRequirement).join(', ')}}`
    : '[]v1.LabelSelectorRequirement(nil)';
  return new GoLiteral(`v1.LabelSelector{MatchLabels:${goStringMap(s.matchLabels).text}, MatchExpressions:${exprs}}`);
}

function goRequirement(r: Obj): string {
  const key = typeof r.key === 'string' ? r.key : '';
  const operator = typeof r.operator === 'string' ? r.operator : '';
  return `v1.LabelSelectorRequirement{Key:${JSON.stringify(key)}, Operator:${JSON.stringify(operator)}, Values:${goStringSlice(r.values).text}}`;
}

function goDeploymentStrategy(strategy: Obj): GoLiteral {
  const type = typeof strategy.type === 'string' ? strategy.type : '';
  const rollingUpdate = isObject(strategy.rollingUpdate) ? '(*apps.RollingUpdateDeployment)(…)' : '(*apps.RollingUpdateDeployment)(nil)';
  return new GoLiteral(`apps.DeploymentStrategy{Type:${JSON.stringify(type)}, RollingUpdate:${rollingUpdate}}`);
}

// ---------------------------------------------------------------------------------------------
// Helpers

function isObject(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function objectOr(v: unknown): Obj {
  return isObject(v) ? v : {};
}

function objects(v: unknown): Obj[] {
  return Array.isArray(v) ? v.filter(isObject) : [];
}

function strings(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((s): s is string => typeof s === 'string') : [];
}

function stringEntries(v: unknown): [string, string][] {
  return isObject(v) ? Object.entries(v).filter((e): e is [string, string] => typeof e[1] === 'string') : [];
}

function hasEntries(v: unknown): boolean {
  return isObject(v) && Object.keys(v).length > 0;
}

/** Structural equality of JSON values; absent and undefined keys are the same. */
function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((v, i) => deepEqual(v, b[i]));
  }
  if (!isObject(a) || !isObject(b)) return false;
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  return [...keys].every((k) => deepEqual(a[k], b[k]));
}

function utf8Bytes(text: string): number[] {
  return [...new TextEncoder().encode(text)];
}

/** Go measures strings in UTF-8 bytes. */
function utf8Length(text: string): number {
  return new TextEncoder().encode(text).length;
}
