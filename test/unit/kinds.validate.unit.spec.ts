import { applyDefaults } from '../../actors/kinds/defaults';
import { typeOf } from '../harness/kinds';
import type { FieldCause, KubeObject, ResourceType } from '../../actors/kinds/types';
import {
  decodeErrorMessage, isDns1123Label, isDns1123Subdomain, selectorMatches, validateLabelSelector, validateObject,
} from '../../actors/kinds/validate';

type Obj = Record<string, unknown>;


const POD = typeOf('v1', 'Pod');
const DEPLOYMENT = typeOf('apps/v1', 'Deployment');
const REPLICA_SET = typeOf('apps/v1', 'ReplicaSet');
const SERVICE = typeOf('v1', 'Service');
const CONFIG_MAP = typeOf('v1', 'ConfigMap');
const SECRET = typeOf('v1', 'Secret');
const NAMESPACE = typeOf('v1', 'Namespace');
const EVENT = typeOf('v1', 'Event');

const SUBDOMAIN_MSG = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";

function make(type: ResourceType, fields: Obj = {}, metadata: Obj = {}): KubeObject {
  const apiVersion = type.group ? `${type.group}/${type.version}` : type.version;
  const meta = { name: 'x', ...(type.namespaced ? { namespace: 'default' } : {}), ...metadata };
  return applyDefaults(type, { apiVersion, kind: type.kind, metadata: meta, ...fields });
}

const check = (type: ResourceType, obj: KubeObject, old?: KubeObject): FieldCause[] => validateObject(type, obj, old);
const fields = (causes: FieldCause[]) => causes.map((c) => c.field);

const container = (extra: Obj = {}) => ({ name: 'web', image: 'nginx:1.25', ...extra });
const podWith = (spec: Obj, metadata: Obj = {}) => make(POD, { spec }, metadata);
const okPod = () => podWith({ containers: [container()] });
const template = (labels: Obj = { app: 'web' }, spec: Obj = { containers: [container()] }) => ({ metadata: { labels }, spec });
const deployment = (spec: Obj) => make(DEPLOYMENT, { spec });
const okDeployment = () => deployment({ selector: { matchLabels: { app: 'web' } }, template: template() });
const service = (spec: Obj, metadata: Obj = {}) => make(SERVICE, { spec }, metadata);

describe('validate: valid objects', () => {
  it.each([
    ['Pod', () => okPod()],
    ['Deployment', () => okDeployment()],
    ['ReplicaSet', () => make(REPLICA_SET, { spec: { selector: { matchLabels: { app: 'web' } }, template: template() } })],
    ['Service', () => service({ selector: { app: 'web' }, ports: [{ port: 80, targetPort: 8080 }] })],
    ['ConfigMap', () => make(CONFIG_MAP, { data: { 'app.properties': 'a=b', KEY_1: 'v' } })],
    ['Secret', () => make(SECRET, { data: { password: 'c2VjcmV0' }, stringData: { user: 'admin' } })],
    ['Namespace', () => make(NAMESPACE, {}, { name: 'team-a' })],
    ['Node', () => make(typeOf('v1', 'Node'), { spec: { podCIDR: '10.0.1.0/24' } }, { name: 'node-1.example.com' })],
    ['Event', () => make(EVENT, { involvedObject: { kind: 'Pod', name: 'p', namespace: 'default' }, reason: 'Started', count: 1 }, { name: 'p.17a2b3c4d5e6f' })],
  ])('accepts a well-formed %s', (_kind, build) => {
    const obj = build();
    expect(check(typeOf(obj.apiVersion, obj.kind), obj)).toEqual([]);
  });
});

describe('validate: metadata', () => {
  it('requires a name unless generateName is given', () => {
    expect(check(CONFIG_MAP, make(CONFIG_MAP, {}, { name: undefined }))).toEqual([
      { reason: 'FieldValueRequired', field: 'metadata.name', message: 'Required value: name or generateName is required' },
    ]);
    expect(check(CONFIG_MAP, make(CONFIG_MAP, {}, { name: undefined, generateName: 'web-' }))).toEqual([]);
  });

  it('reports a bad name with Kubernetes\' exact message', () => {
    expect(check(CONFIG_MAP, make(CONFIG_MAP, {}, { name: 'Bad_Name' }))).toEqual([
      { reason: 'FieldValueInvalid', field: 'metadata.name', message: `Invalid value: "Bad_Name": ${SUBDOMAIN_MSG}` },
    ]);
  });

  it('limits subdomain names to 253 characters', () => {
    const name = 'a'.repeat(254);
    expect(check(CONFIG_MAP, make(CONFIG_MAP, {}, { name }))).toEqual([
      { reason: 'FieldValueInvalid', field: 'metadata.name', message: `Invalid value: "${name}": must be no more than 253 characters` },
    ]);
  });

  it('wants DNS-1123 labels for namespaces', () => {
    const [cause] = check(NAMESPACE, make(NAMESPACE, {}, { name: 'team.a' }));
    expect(cause.message).toBe('Invalid value: "team.a": must not contain dots');
    expect(check(NAMESPACE, make(NAMESPACE, {}, { name: 'a'.repeat(64) }))[0].message).toContain('must be no more than 63 characters');
  });

  it('wants DNS-1035 labels for services (no leading digit)', () => {
    expect(check(SERVICE, service({ ports: [{ port: 80 }] }, { name: '1web' }))).toEqual([{
      reason: 'FieldValueInvalid', field: 'metadata.name',
      message: "Invalid value: \"1web\": a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')",
    }]);
  });

  it('accepts a generateName prefix that ends in a dash, but not a malformed one', () => {
    expect(check(POD, podWith({ containers: [container()] }, { name: undefined, generateName: 'web-' }))).toEqual([]);
    expect(fields(check(POD, podWith({ containers: [container()] }, { name: undefined, generateName: 'Web-' })))).toEqual(['metadata.generateName']);
  });

  it('requires a namespace for namespaced kinds', () => {
    expect(check(CONFIG_MAP, make(CONFIG_MAP, {}, { namespace: '' }))).toEqual([
      { reason: 'FieldValueRequired', field: 'metadata.namespace', message: 'Required value' },
    ]);
  });

  it('checks label keys and values', () => {
    const causes = check(CONFIG_MAP, make(CONFIG_MAP, {}, { labels: { 'a/b/c': 'ok', app: 'bad value' } }));
    expect(fields(causes)).toEqual(['metadata.labels', 'metadata.labels']);
    expect(causes[0].message).toBe(
      "Invalid value: \"a/b/c\": a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')",
    );
    expect(causes[1].message).toBe(
      "Invalid value: \"bad value\": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')",
    );
  });

  it('reports prefix problems of a label key', () => {
    const causes = check(CONFIG_MAP, make(CONFIG_MAP, {}, { labels: { '/name': 'v', 'Example.com/x': 'v' } }));
    expect(causes.map((c) => c.message)).toEqual([
      'Invalid value: "/name": prefix part must be non-empty',
      `Invalid value: "Example.com/x": prefix part ${SUBDOMAIN_MSG}`,
    ]);
  });

  it('ignores case in annotation keys and caps their total size at 256 KiB', () => {
    expect(check(CONFIG_MAP, make(CONFIG_MAP, {}, { annotations: { 'Example.com/Key': 'v' } }))).toEqual([]);
    const big = make(CONFIG_MAP, {}, { annotations: { a: 'x'.repeat(256 * 1024) } });
    expect(check(CONFIG_MAP, big)).toEqual([{ reason: 'FieldValueTooLong', field: 'metadata.annotations', message: 'Too long: must have at most 262144 bytes' }]);
  });

  it('wants core finalizers qualified or standard, and owner references complete', () => {
    expect(check(POD, podWith({ containers: [container()] }, { finalizers: ['kubernetes', 'example.com/keep', 'keep'] }))).toEqual([{
      reason: 'FieldValueInvalid', field: 'metadata.finalizers[2]', message: 'Invalid value: "keep": name is neither a standard finalizer name nor is it fully qualified',
    }]);
    expect(check(DEPLOYMENT, deployment({ selector: { matchLabels: { app: 'web' } }, template: template() }))).toEqual([]);
    const owned = make(CONFIG_MAP, {}, { ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'rs', uid: '' }] });
    expect(check(CONFIG_MAP, owned)).toEqual([{ reason: 'FieldValueInvalid', field: 'metadata.ownerReferences.uid', message: 'Invalid value: "": must not be empty' }]);
  });

  it('rejects finalizers orphan and foregroundDeletion together', () => {
    const causes = check(DEPLOYMENT, make(DEPLOYMENT, { spec: { selector: { matchLabels: { app: 'web' } }, template: template() } }, { finalizers: ['orphan', 'foregroundDeletion'] }));
    expect(causes.map((c) => c.message)).toEqual(['Invalid value: []string{"orphan", "foregroundDeletion"}: finalizer orphan and foregroundDeletion cannot be both set']);
  });
});

describe('validate: decoding (wrong JSON types)', () => {
  it('reports a string replicas the way the Go decoder does, and nothing else', () => {
    const obj = make(DEPLOYMENT, { spec: { replicas: '3', selector: {} } }, { name: 'Bad_Name' });
    const causes = check(DEPLOYMENT, obj);
    expect(causes).toEqual([{
      reason: 'FieldValueTypeInvalid', field: 'spec.replicas',
      message: 'json: cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas of type int32',
    }]);
    expect(decodeErrorMessage(DEPLOYMENT, causes[0])).toBe(
      'Deployment in version "v1" cannot be handled as a Deployment: json: cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas of type int32',
    );
  });

  it.each([
    [{ replicas: 1.5 }, 'spec.replicas', 'json: cannot unmarshal number 1.5 into Go struct field DeploymentSpec.spec.replicas of type int32'],
    [{ replicas: 2 ** 31 }, 'spec.replicas', 'json: cannot unmarshal number 2147483648 into Go struct field DeploymentSpec.spec.replicas of type int32'],
    [{ template: { spec: { containers: { name: 'a' } } } }, 'spec.template.spec.containers', 'json: cannot unmarshal object into Go struct field PodSpec.spec.template.spec.containers of type []v1.Container'],
    [{ template: { spec: { containers: [{ name: 'a', image: 5 }] } } }, 'spec.template.spec.containers[0].image', 'json: cannot unmarshal number into Go struct field Container.spec.template.spec.containers.image of type string'],
    [{ template: { metadata: { labels: { app: true } } } }, 'spec.template.metadata.labels[app]', 'json: cannot unmarshal bool into Go struct field ObjectMeta.spec.template.metadata.labels of type string'],
    [{ selector: 'app=web' }, 'spec.selector', 'json: cannot unmarshal string into Go struct field DeploymentSpec.spec.selector of type v1.LabelSelector'],
  ])('reports %j', (spec, field, message) => {
    expect(check(DEPLOYMENT, make(DEPLOYMENT, { spec }))).toEqual([{ reason: 'FieldValueTypeInvalid', field, message }]);
  });

  it('checks metadata and top-level fields too', () => {
    expect(check(CONFIG_MAP, make(CONFIG_MAP, { data: { a: 1 } }))[0].message).toBe('json: cannot unmarshal number into Go struct field ConfigMap.data of type string');
    expect(check(POD, podWith({ containers: [container()] }, { labels: ['a'] }))[0].message).toBe('json: cannot unmarshal array into Go struct field ObjectMeta.metadata.labels of type map[string]string');
  });

  it('treats null as absent, as Go does', () => {
    expect(check(DEPLOYMENT, deployment({ selector: { matchLabels: { app: 'web' } }, template: template(), paused: null }))).toEqual([]);
  });
});

describe('validate: Pod', () => {
  it('requires containers', () => {
    expect(check(POD, podWith({}))).toEqual([{ reason: 'FieldValueRequired', field: 'spec.containers', message: 'Required value' }]);
  });

  it('checks container names: required, DNS label, unique across init containers', () => {
    const causes = check(POD, podWith({
      initContainers: [container({ name: 'web' })],
      containers: [container({ name: '' }), container({ name: 'Web' }), container()],
    }));
    expect(causes.map((c) => [c.field, c.reason])).toEqual([
      ['spec.containers[0].name', 'FieldValueRequired'],
      ['spec.containers[1].name', 'FieldValueInvalid'],
      ['spec.initContainers[0].name', 'FieldValueDuplicate'],
    ]);
    expect(causes[2].message).toBe('Duplicate value: "web"');
  });

  it('requires an image', () => {
    expect(check(POD, podWith({ containers: [{ name: 'web' }] }))).toEqual([{ reason: 'FieldValueRequired', field: 'spec.containers[0].image', message: 'Required value' }]);
  });

  it('checks container ports', () => {
    const causes = check(POD, podWith({
      containers: [container({ ports: [{ containerPort: 0 }, { containerPort: 70000 }, { containerPort: 80, protocol: 'HTTP' }, { containerPort: 81, name: 'http-web-server-port' }] })],
    }));
    expect(causes).toEqual([
      { reason: 'FieldValueRequired', field: 'spec.containers[0].ports[0].containerPort', message: 'Required value' },
      { reason: 'FieldValueInvalid', field: 'spec.containers[0].ports[1].containerPort', message: 'Invalid value: 70000: must be between 1 and 65535, inclusive' },
      { reason: 'FieldValueNotSupported', field: 'spec.containers[0].ports[2].protocol', message: 'Unsupported value: "HTTP": supported values: "SCTP", "TCP", "UDP"' },
      { reason: 'FieldValueInvalid', field: 'spec.containers[0].ports[3].name', message: 'Invalid value: "http-web-server-port": must be no more than 15 characters' },
    ]);
  });

  it('only supports Always, OnFailure and Never restart policies', () => {
    expect(check(POD, podWith({ containers: [container()], restartPolicy: 'Sometimes' }))).toEqual([{
      reason: 'FieldValueNotSupported', field: 'spec.restartPolicy', message: 'Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"',
    }]);
  });

  it('wants volume mounts to name a volume of the pod', () => {
    const causes = check(POD, podWith({ volumes: [{ name: 'data' }], containers: [container({ volumeMounts: [{ name: 'cache', mountPath: '/cache' }, { name: 'data', mountPath: '' }] })] }));
    expect(causes).toEqual([
      { reason: 'FieldValueNotFound', field: 'spec.containers[0].volumeMounts[0].name', message: 'Not found: "cache"' },
      { reason: 'FieldValueRequired', field: 'spec.containers[0].volumeMounts[1].mountPath', message: 'Required value' },
    ]);
  });

  it('bounds activeDeadlineSeconds', () => {
    expect(check(POD, podWith({ containers: [container()], activeDeadlineSeconds: 0 }))[0].message).toBe('Invalid value: 0: must be between 1 and 4294967295, inclusive');
  });
});

describe('validate: Pod updates', () => {
  const FORBIDDEN_PREFIX = 'Forbidden: pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)\n';

  it('allows changing an image and adding a toleration', () => {
    const old = okPod();
    const tolerations = [...((old.spec as Obj).tolerations as Obj[]), { key: 'gpu', operator: 'Exists' }];
    const next = podWith({ containers: [container({ image: 'nginx:1.27' })], tolerations });
    expect(check(POD, next, old)).toEqual([]);
  });

  it('forbids other spec changes and says what changed', () => {
    const old = okPod();
    const causes = check(POD, podWith({ containers: [container({ ports: [{ containerPort: 81 }] })] }), old);
    expect(causes).toHaveLength(1);
    expect(causes[0]).toMatchObject({ reason: 'FieldValueForbidden', field: 'spec' });
    expect(causes[0].message.startsWith(FORBIDDEN_PREFIX)).toBe(true);
    expect(causes[0].message).toContain('+ spec.containers[0].ports: [{"containerPort":81,"protocol":"TCP"}]');
  });

  it('forbids adding or removing containers', () => {
    const causes = check(POD, podWith({ containers: [container(), container({ name: 'sidecar' })] }), okPod());
    expect(causes).toEqual([{ reason: 'FieldValueForbidden', field: 'spec.containers', message: 'Forbidden: pod updates may not add or remove containers' }]);
  });

  it('lets activeDeadlineSeconds shrink but not grow', () => {
    const old = podWith({ containers: [container()], activeDeadlineSeconds: 100 });
    expect(check(POD, podWith({ containers: [container()], activeDeadlineSeconds: 50 }), old)).toEqual([]);
    expect(check(POD, podWith({ containers: [container()], activeDeadlineSeconds: 200 }), old)).toEqual([{
      reason: 'FieldValueInvalid', field: 'spec.activeDeadlineSeconds', message: 'Invalid value: 200: must be less than or equal to previous value',
    }]);
  });

  it('forbids removing a toleration', () => {
    const old = podWith({ containers: [container()], tolerations: [{ key: 'gpu', operator: 'Exists' }] });
    const causes = check(POD, podWith({ containers: [container()], tolerations: [] }), old);
    expect(causes).toContainEqual({ reason: 'FieldValueForbidden', field: 'spec.tolerations', message: 'Forbidden: existing toleration can not be modified except its tolerationSeconds' });
  });

  it('keeps name, namespace and uid immutable', () => {
    const old = podWith({ containers: [container()] }, { uid: 'u-1' });
    const causes = check(POD, podWith({ containers: [container()] }, { name: 'y', uid: 'u-2' }), old);
    expect(causes).toEqual([
      { reason: 'FieldValueInvalid', field: 'metadata.name', message: 'Invalid value: "y": field is immutable' },
      { reason: 'FieldValueInvalid', field: 'metadata.uid', message: 'Invalid value: "u-2": field is immutable' },
    ]);
  });

  it('forbids new finalizers on an object being deleted', () => {
    const old = make(CONFIG_MAP, {}, { deletionTimestamp: '2026-01-01T00:00:00Z', finalizers: ['example.com/a'] });
    const next = make(CONFIG_MAP, {}, { deletionTimestamp: '2026-01-01T00:00:00Z', finalizers: ['example.com/a', 'example.com/b'] });
    expect(check(CONFIG_MAP, next, old)).toEqual([{
      reason: 'FieldValueForbidden', field: 'metadata.finalizers',
      message: 'Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers []string{"example.com/b"}',
    }]);
  });
});

describe('validate: Deployment and ReplicaSet', () => {
  it('requires a selector, and then the template cannot match', () => {
    expect(check(DEPLOYMENT, deployment({ template: template() }))).toEqual([
      { reason: 'FieldValueRequired', field: 'spec.selector', message: 'Required value' },
      { reason: 'FieldValueInvalid', field: 'spec.template.metadata.labels', message: 'Invalid value: map[string]string{"app":"web"}: `selector` does not match template `labels`' },
    ]);
  });

  it('rejects a selector that does not match the template labels', () => {
    const causes = check(DEPLOYMENT, deployment({ selector: { matchLabels: { app: 'api' } }, template: template({ tier: 'fe', app: 'web' }) }));
    expect(causes).toEqual([{
      reason: 'FieldValueInvalid', field: 'spec.template.metadata.labels',
      message: 'Invalid value: map[string]string{"app":"web", "tier":"fe"}: `selector` does not match template `labels`',
    }]);
  });

  it('matches matchExpressions', () => {
    const selector = { matchExpressions: [{ key: 'app', operator: 'In', values: ['web', 'api'] }, { key: 'canary', operator: 'DoesNotExist' }] };
    expect(check(DEPLOYMENT, deployment({ selector, template: template() }))).toEqual([]);
    expect(fields(check(DEPLOYMENT, deployment({ selector, template: template({ app: 'web', canary: 'y' }) })))).toEqual(['spec.template.metadata.labels']);
  });

  it('rejects an empty selector in Go syntax', () => {
    expect(check(DEPLOYMENT, deployment({ selector: {}, template: template() }))).toEqual([{
      reason: 'FieldValueInvalid', field: 'spec.selector',
      message: 'Invalid value: v1.LabelSelector{MatchLabels:map[string]string(nil), MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: empty selector is invalid for deployment',
    }]);
  });

  it('rejects an invalid selector operator and skips the template match', () => {
    const causes = check(DEPLOYMENT, deployment({ selector: { matchExpressions: [{ key: 'app', operator: 'Like', values: ['w'] }] }, template: template() }));
    expect(causes.map((c) => [c.field, c.message])).toEqual([
      ['spec.selector.matchExpressions[0].operator', 'Invalid value: "Like": not a valid selector operator'],
      ['spec.selector', 'Invalid value: v1.LabelSelector{MatchLabels:map[string]string(nil), MatchExpressions:[]v1.LabelSelectorRequirement{v1.LabelSelectorRequirement{Key:"app", Operator:"Like", Values:[]string{"w"}}}}: invalid label selector'],
    ]);
  });

  it('rejects negative replicas', () => {
    expect(check(DEPLOYMENT, deployment({ replicas: -1, selector: { matchLabels: { app: 'web' } }, template: template() }))).toEqual([
      { reason: 'FieldValueInvalid', field: 'spec.replicas', message: 'Invalid value: -1: must be greater than or equal to 0' },
    ]);
  });

  it('requires template containers and an Always restart policy, and forbids a deadline', () => {
    const causes = check(DEPLOYMENT, deployment({
      selector: { matchLabels: { app: 'web' } },
      template: template({ app: 'web' }, { restartPolicy: 'Never', activeDeadlineSeconds: 10 }),
    }));
    expect(causes).toEqual([
      { reason: 'FieldValueRequired', field: 'spec.template.spec.containers', message: 'Required value' },
      { reason: 'FieldValueNotSupported', field: 'spec.template.spec.restartPolicy', message: 'Unsupported value: "Never": supported values: "Always"' },
      { reason: 'FieldValueForbidden', field: 'spec.template.spec.activeDeadlineSeconds', message: 'Forbidden: activeDeadlineSeconds in Deployment is not Supported' },
    ]);
  });

  it('checks the rolling update parameters', () => {
    const spec = (rollingUpdate: Obj) => ({ selector: { matchLabels: { app: 'web' } }, template: template(), strategy: { type: 'RollingUpdate', rollingUpdate } });
    expect(check(DEPLOYMENT, deployment(spec({ maxSurge: 0, maxUnavailable: 0 })))).toEqual([
      { reason: 'FieldValueInvalid', field: 'spec.strategy.rollingUpdate.maxUnavailable', message: 'Invalid value: 0: may not be 0 when `maxSurge` is 0' },
    ]);
    expect(check(DEPLOYMENT, deployment(spec({ maxSurge: '2x', maxUnavailable: '150%' }))).map((c) => c.message)).toEqual([
      "Invalid value: \"2x\": a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')",
      'Invalid value: "150%": must not be greater than 100%',
    ]);
  });

  it('wants progressDeadlineSeconds above minReadySeconds', () => {
    const causes = check(DEPLOYMENT, deployment({ selector: { matchLabels: { app: 'web' } }, template: template(), minReadySeconds: 600 }));
    expect(causes).toEqual([{ reason: 'FieldValueInvalid', field: 'spec.progressDeadlineSeconds', message: 'Invalid value: 600: must be greater than minReadySeconds' }]);
  });

  it('keeps the selector immutable on update', () => {
    const old = okDeployment();
    const next = deployment({ selector: { matchLabels: { app: 'web', tier: 'fe' } }, template: template({ app: 'web', tier: 'fe' }) });
    expect(check(DEPLOYMENT, next, old)).toEqual([{
      reason: 'FieldValueInvalid', field: 'spec.selector',
      message: 'Invalid value: v1.LabelSelector{MatchLabels:map[string]string{"app":"web", "tier":"fe"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: field is immutable',
    }]);
    expect(check(DEPLOYMENT, deployment({ selector: { matchLabels: { app: 'web' } }, template: template(), replicas: 5 }), old)).toEqual([]);
  });

  it('applies the same rules to ReplicaSets, with their own wording', () => {
    const rs = make(REPLICA_SET, { spec: { selector: { matchLabels: { app: 'web' } }, template: template({ app: 'web' }, { containers: [container()], activeDeadlineSeconds: 5 }) } });
    expect(check(REPLICA_SET, rs)).toEqual([
      { reason: 'FieldValueForbidden', field: 'spec.template.spec.activeDeadlineSeconds', message: 'Forbidden: activeDeadlineSeconds in ReplicaSet is not Supported' },
    ]);
  });
});

describe('validate: Service', () => {
  it('requires ports unless headless', () => {
    expect(check(SERVICE, service({ selector: { app: 'web' } }))).toEqual([{ reason: 'FieldValueRequired', field: 'spec.ports', message: 'Required value' }]);
    expect(check(SERVICE, service({ clusterIP: 'None', selector: { app: 'web' } }))).toEqual([]);
  });

  it('bounds port numbers and checks named target ports', () => {
    const causes = check(SERVICE, service({ ports: [{ name: 'a', port: 70000, targetPort: 80 }, { name: 'b', port: 81, targetPort: 'Not_A_Name' }] }));
    expect(causes.map((c) => [c.field, c.message])).toEqual([
      ['spec.ports[0].port', 'Invalid value: 70000: must be between 1 and 65535, inclusive'],
      ['spec.ports[1].targetPort', 'Invalid value: "Not_A_Name": must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)'],
    ]);
  });

  it('only supports the four service types', () => {
    expect(check(SERVICE, service({ type: 'Ingress', ports: [{ port: 80 }] }))).toEqual([{
      reason: 'FieldValueNotSupported', field: 'spec.type', message: 'Unsupported value: "Ingress": supported values: "ClusterIP", "ExternalName", "LoadBalancer", "NodePort"',
    }]);
  });

  it('names every port of a multi-port service, uniquely', () => {
    const causes = check(SERVICE, service({ ports: [{ port: 80 }, { name: 'x', port: 81 }, { name: 'x', port: 82 }] }));
    expect(causes).toEqual([
      { reason: 'FieldValueRequired', field: 'spec.ports[0].name', message: 'Required value' },
      { reason: 'FieldValueDuplicate', field: 'spec.ports[2].name', message: 'Duplicate value: "x"' },
    ]);
  });

  it('rejects the same port and protocol twice', () => {
    const causes = check(SERVICE, service({ ports: [{ name: 'a', port: 80 }, { name: 'b', port: 80 }] }));
    expect(causes).toEqual([{
      reason: 'FieldValueDuplicate', field: 'spec.ports[1]',
      message: 'Duplicate value: core.ServicePort{Name:"", Protocol:"TCP", AppProtocol:(*string)(nil), Port:80, TargetPort:intstr.IntOrString{Type:0, IntVal:0, StrVal:""}, NodePort:0}',
    }]);
  });

  it('allows externalTrafficPolicy only for externally reachable services', () => {
    expect(check(SERVICE, service({ ports: [{ port: 80 }], externalTrafficPolicy: 'Local' }))).toEqual([{
      reason: 'FieldValueInvalid', field: 'spec.externalTrafficPolicy', message: 'Invalid value: "Local": may only be set for externally-accessible services',
    }]);
    expect(check(SERVICE, service({ type: 'NodePort', ports: [{ port: 80 }], externalTrafficPolicy: 'Local' }))).toEqual([]);
  });

  it('validates the selector as labels and forbids nodePort on ClusterIP', () => {
    const causes = check(SERVICE, service({ selector: { app: 'web app' }, ports: [{ port: 80, nodePort: 30080 }] }));
    expect(fields(causes)).toEqual(['spec.selector', 'spec.ports[0].nodePort']);
  });

  it('requires an externalName for ExternalName services', () => {
    expect(check(SERVICE, service({ type: 'ExternalName' }))).toEqual([{ reason: 'FieldValueRequired', field: 'spec.externalName', message: 'Required value' }]);
    expect(check(SERVICE, service({ type: 'ExternalName', externalName: 'db.example.com.' }))).toEqual([]);
  });
});

describe('validate: ConfigMap and Secret', () => {
  it('checks data keys with Kubernetes\' message', () => {
    expect(check(CONFIG_MAP, make(CONFIG_MAP, { data: { 'bad key': 'v', '..x': 'v' } }))).toEqual([
      {
        reason: 'FieldValueInvalid', field: 'data[bad key]',
        message: "Invalid value: \"bad key\": a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')",
      },
      { reason: 'FieldValueInvalid', field: 'data[..x]', message: 'Invalid value: "..x": must not start with \'..\'' },
    ]);
  });

  it('caps a ConfigMap at 1 MiB and rejects keys in both data and binaryData', () => {
    expect(check(CONFIG_MAP, make(CONFIG_MAP, { data: { a: 'x'.repeat(1024 * 1024 + 1) } }))).toEqual([
      { reason: 'FieldValueTooLong', field: '', message: 'Too long: must have at most 1048576 bytes' },
    ]);
    expect(check(CONFIG_MAP, make(CONFIG_MAP, { data: { a: 'x' }, binaryData: { a: 'eA==' } }))[0].message).toBe('Invalid value: "a": duplicate of key present in binaryData');
  });

  it.each([
    ['abc', 0], ['abcde', 4], ['ab=c', 2], ['a===', 1], ['ab==cd', 4], ['ab=', 3], ['aGk*', 3],
  ])('reports base64 %j as Go does (byte %d)', (value, offset) => {
    expect(check(SECRET, make(SECRET, { data: { k: value } }))).toEqual([
      { reason: 'FieldValueTypeInvalid', field: 'data[k]', message: `illegal base64 data at input byte ${offset}` },
    ]);
  });

  it('accepts padded base64, line breaks, and values the gateway already sealed', () => {
    expect(check(SECRET, make(SECRET, { data: { a: 'aGVsbG8=', b: 'aGVs\nbG8h', c: 'enc:v1:Zm9v$$', d: '' } }))).toEqual([]);
  });

  it('does not accept sealed values in ConfigMap binaryData', () => {
    expect(check(CONFIG_MAP, make(CONFIG_MAP, { binaryData: { a: 'enc:v1:x' } }))[0].reason).toBe('FieldValueTypeInvalid');
  });

  it('checks stringData keys as data keys', () => {
    expect(fields(check(SECRET, make(SECRET, { stringData: { 'a b': 'x' } })))).toEqual(['data[a b]']);
  });

  it('requires the keys of typed secrets', () => {
    expect(check(SECRET, make(SECRET, { type: 'kubernetes.io/tls', data: { 'tls.crt': 'eA==' } }))).toEqual([
      { reason: 'FieldValueRequired', field: 'data[tls.key]', message: 'Required value' },
    ]);
    expect(check(SECRET, make(SECRET, { type: 'kubernetes.io/basic-auth', stringData: { username: 'u' } }))).toEqual([]);
  });

  it('keeps immutable data immutable, and immutable set', () => {
    const old = make(CONFIG_MAP, { data: { a: '1' }, immutable: true });
    expect(check(CONFIG_MAP, make(CONFIG_MAP, { data: { a: '2' }, immutable: false }), old)).toEqual([
      { reason: 'FieldValueForbidden', field: 'immutable', message: 'Forbidden: field is immutable when `immutable` is set' },
      { reason: 'FieldValueForbidden', field: 'data', message: 'Forbidden: field is immutable when `immutable` is set' },
    ]);
    expect(check(CONFIG_MAP, make(CONFIG_MAP, { data: { a: '1' }, immutable: true }, { labels: { new: 'label' } }), old)).toEqual([]);
    const mutable = make(CONFIG_MAP, { data: { a: '1' } });
    expect(check(CONFIG_MAP, make(CONFIG_MAP, { data: { a: '2' } }), mutable)).toEqual([]);
  });

  it('keeps a secret type immutable and an immutable secret closed to stringData', () => {
    const old = make(SECRET, { data: { a: 'eA==' }, immutable: true });
    expect(check(SECRET, make(SECRET, { type: 'example.com/custom', data: { a: 'eA==' }, immutable: true }), old)).toEqual([
      { reason: 'FieldValueInvalid', field: 'type', message: 'Invalid value: "example.com/custom": field is immutable' },
    ]);
    expect(fields(check(SECRET, make(SECRET, { data: { a: 'eA==' }, stringData: { b: 'y' }, immutable: true }), old))).toEqual(['data']);
  });
});

describe('validate: Namespace and Event', () => {
  it('checks namespace spec finalizers', () => {
    expect(check(NAMESPACE, make(NAMESPACE, { spec: { finalizers: ['kubernetes', 'custom'] } }, { name: 'team' }))).toEqual([
      { reason: 'FieldValueInvalid', field: 'spec.finalizers', message: 'Invalid value: "custom": name is neither a standard finalizer name nor is it fully qualified' },
    ]);
  });

  it('wants an event in its involved object\'s namespace', () => {
    const ev = (involvedNamespace: string, namespace: string) =>
      make(EVENT, { involvedObject: { kind: 'Pod', name: 'p', namespace: involvedNamespace } }, { name: 'e', namespace });
    expect(check(EVENT, ev('team', 'default'))).toEqual([
      { reason: 'FieldValueInvalid', field: 'involvedObject.namespace', message: 'Invalid value: "team": does not match event.namespace' },
    ]);
    expect(check(EVENT, ev('', 'default'))).toEqual([]);
    expect(check(EVENT, ev('', 'team'))).toEqual([
      { reason: 'FieldValueInvalid', field: 'involvedObject.namespace', message: 'Invalid value: "": does not match event.namespace' },
    ]);
  });
});

describe('validate: exported helpers', () => {
  it.each([['example.com', true, false], ['my-name', true, true], ['a.b-c', true, false], ['-a', false, false], ['A', false, false], ['', false, false]])(
    '%j: subdomain %s, label %s', (value, subdomain, label) => {
      expect(isDns1123Subdomain(value)).toBe(subdomain);
      expect(isDns1123Label(value)).toBe(label);
    },
  );

  it('validateLabelSelector reports In without values and Exists with values', () => {
    const causes = validateLabelSelector({ matchExpressions: [{ key: 'a', operator: 'In' }, { key: 'b', operator: 'Exists', values: ['x'] }] }, 'spec.selector');
    expect(causes).toEqual([
      { reason: 'FieldValueRequired', field: 'spec.selector.matchExpressions[0].values', message: "Required value: must be specified when `operator` is 'In' or 'NotIn'" },
      { reason: 'FieldValueForbidden', field: 'spec.selector.matchExpressions[1].values', message: "Forbidden: may not be specified when `operator` is 'Exists' or 'DoesNotExist'" },
    ]);
  });

  it('selectorMatches follows label selector semantics', () => {
    const selector = { matchLabels: { app: 'web' }, matchExpressions: [{ key: 'env', operator: 'NotIn', values: ['prod'] }] };
    expect(selectorMatches(selector, { app: 'web' })).toBe(true);
    expect(selectorMatches(selector, { app: 'web', env: 'dev' })).toBe(true);
    expect(selectorMatches(selector, { app: 'web', env: 'prod' })).toBe(false);
    expect(selectorMatches(selector, { app: 'api' })).toBe(false);
    expect(selectorMatches({}, { any: 'thing' })).toBe(true);
    expect(selectorMatches(undefined, {})).toBe(false);
  });
});

describe('validate: Endpoints and EndpointSlice', () => {
  const ENDPOINTS = typeOf('v1', 'Endpoints');
  const SLICE = typeOf('discovery.k8s.io/v1', 'EndpointSlice');

  it('defaults port protocols to TCP (and a slice port name to "")', () => {
    expect(make(ENDPOINTS, { subsets: [{ addresses: [{ ip: '10.0.0.1' }], ports: [{ port: 80 }] }] }).subsets).toEqual([{ addresses: [{ ip: '10.0.0.1' }], ports: [{ port: 80, protocol: 'TCP' }] }]);
    expect(make(SLICE, { addressType: 'IPv4', endpoints: [], ports: [{ port: 80 }] }).ports).toEqual([{ port: 80, name: '', protocol: 'TCP' }]);
  });

  it('Endpoints: a subset needs addresses, each a valid IP; ports in range', () => {
    expect(check(ENDPOINTS, make(ENDPOINTS, { subsets: [{ addresses: [{ ip: '10.0.0.1' }], ports: [{ port: 80 }] }] }))).toEqual([]);
    expect(fields(check(ENDPOINTS, make(ENDPOINTS, { subsets: [{ ports: [{ port: 80 }] }, { notReadyAddresses: [{ ip: 'nope' }], ports: [{ port: 0 }] }] })))).toEqual(
      ['subsets[0]', 'subsets[1].notReadyAddresses[0].ip', 'subsets[1].ports[0].port'],
    );
  });

  it('EndpointSlice: addressType required and one of FQDN, IPv4, IPv6; every endpoint has an address of that type', () => {
    expect(check(SLICE, make(SLICE, { addressType: 'IPv4', endpoints: [{ addresses: ['10.0.0.1'], conditions: { ready: true } }], ports: [] }))).toEqual([]);
    expect(fields(check(SLICE, make(SLICE, { endpoints: [] })))).toEqual(['addressType']);
    expect(check(SLICE, make(SLICE, { addressType: 'IPv5' }))[0].reason).toBe('FieldValueNotSupported');
    expect(fields(check(SLICE, make(SLICE, { addressType: 'IPv4', endpoints: [{ addresses: [] }, { addresses: ['fe80::1'] }] })))).toEqual(['endpoints[0].addresses', 'endpoints[1].addresses[0]']);
  });
});
