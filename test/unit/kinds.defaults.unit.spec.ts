import { applyDefaults, parseQuantity, qosClassOf } from '../../actors/kinds/defaults';
import { typeOf } from '../harness/kinds';
import type { KubeObject } from '../../actors/kinds/types';

type Obj = Record<string, unknown>;


const POD = typeOf('v1', 'Pod');
const DEPLOYMENT = typeOf('apps/v1', 'Deployment');
const REPLICA_SET = typeOf('apps/v1', 'ReplicaSet');
const SERVICE = typeOf('v1', 'Service');

function object(kind: string, apiVersion: string, fields: Obj): KubeObject {
  return { apiVersion, kind, metadata: { name: 'x', namespace: 'default' }, ...fields };
}

const pod = (spec: Obj, extra: Obj = {}) => object('Pod', 'v1', { spec, ...extra });
const specOf = (o: KubeObject) => o.spec as Obj;
const containerOf = (o: KubeObject, i = 0) => (specOf(o).containers as Obj[])[i];

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    Object.values(value).forEach(deepFreeze);
    Object.freeze(value);
  }
  return value;
}

describe('defaults: purity', () => {
  it('never mutates its input and returns a new object', () => {
    const input = deepFreeze(pod({ containers: [{ name: 'web', image: 'nginx' }] }));
    const out = applyDefaults(POD, input);
    expect(out).not.toBe(input);
    expect(specOf(input).restartPolicy).toBeUndefined();
    expect(specOf(out).restartPolicy).toBe('Always');
  });

  it('is idempotent', () => {
    const once = applyDefaults(DEPLOYMENT, object('Deployment', 'apps/v1', { spec: { template: { spec: { containers: [{ name: 'a', image: 'a' }] } } } }));
    expect(applyDefaults(DEPLOYMENT, once)).toEqual(once);
  });
});

describe('defaults: Pod', () => {
  it('fills the spec, container and status fields kube-apiserver 1.32 stores', () => {
    const out = applyDefaults(POD, pod({ containers: [{ name: 'web', image: 'nginx', ports: [{ containerPort: 80 }] }] }));
    expect(out.spec).toEqual({
      containers: [{
        name: 'web', image: 'nginx', ports: [{ containerPort: 80, protocol: 'TCP' }], imagePullPolicy: 'Always',
        terminationMessagePath: '/dev/termination-log', terminationMessagePolicy: 'File', resources: {},
      }],
      dnsPolicy: 'ClusterFirst', restartPolicy: 'Always', securityContext: {}, terminationGracePeriodSeconds: 30,
      schedulerName: 'default-scheduler', enableServiceLinks: true, serviceAccountName: 'default', serviceAccount: 'default',
      priority: 0, preemptionPolicy: 'PreemptLowerPriority',
      tolerations: [
        { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
        { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
      ],
    });
    expect(out.status).toEqual({ phase: 'Pending', qosClass: 'BestEffort' });
  });

  it.each([
    ['nginx', 'Always'], ['nginx:latest', 'Always'], ['nginx:1.25', 'IfNotPresent'],
    ['localhost:5000/nginx', 'Always'], ['localhost:5000/team/nginx:v2', 'IfNotPresent'],
    ['nginx@sha256:0123abcd', 'IfNotPresent'], ['nginx:latest@sha256:0123abcd', 'Always'],
  ])('defaults imagePullPolicy of %s to %s', (image, policy) => {
    expect(containerOf(applyDefaults(POD, pod({ containers: [{ name: 'c', image }] }))).imagePullPolicy).toBe(policy);
  });

  it('keeps what the user set, including an explicit pull policy', () => {
    const out = applyDefaults(POD, pod({
      restartPolicy: 'Never', dnsPolicy: 'Default', terminationGracePeriodSeconds: 5, enableServiceLinks: false,
      containers: [{ name: 'c', image: 'nginx', imagePullPolicy: 'Never', ports: [{ containerPort: 53, protocol: 'UDP' }] }],
    }));
    expect(specOf(out)).toMatchObject({ restartPolicy: 'Never', dnsPolicy: 'Default', terminationGracePeriodSeconds: 5, enableServiceLinks: false });
    expect(containerOf(out)).toMatchObject({ imagePullPolicy: 'Never', ports: [{ containerPort: 53, protocol: 'UDP' }] });
  });

  it('defaults init containers like containers', () => {
    const out = applyDefaults(POD, pod({ initContainers: [{ name: 'init', image: 'busybox:1.36' }], containers: [{ name: 'c', image: 'x' }] }));
    expect((specOf(out).initContainers as Obj[])[0]).toMatchObject({
      imagePullPolicy: 'IfNotPresent', terminationMessagePath: '/dev/termination-log', terminationMessagePolicy: 'File', resources: {},
    });
  });

  it('copies limits into missing requests (pods only)', () => {
    const out = applyDefaults(POD, pod({ containers: [{ name: 'c', image: 'x', resources: { limits: { cpu: '500m', memory: '64Mi' }, requests: { cpu: '100m' } } }] }));
    expect(containerOf(out).resources).toEqual({ limits: { cpu: '500m', memory: '64Mi' }, requests: { cpu: '100m', memory: '64Mi' } });
  });

  it('does not add default tolerations the pod already has', () => {
    const mine = { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 5 };
    const out = applyDefaults(POD, pod({ containers: [{ name: 'c', image: 'x' }], tolerations: [mine] }));
    expect(specOf(out).tolerations).toEqual([mine, { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 }]);
  });

  it('takes the service account from the deprecated field and mirrors it back', () => {
    const out = applyDefaults(POD, pod({ serviceAccount: 'builder', containers: [{ name: 'c', image: 'x' }] }));
    expect(specOf(out)).toMatchObject({ serviceAccountName: 'builder', serviceAccount: 'builder' });
  });

  it('leaves an existing status alone', () => {
    const status = { phase: 'Running', qosClass: 'Burstable', podIP: '10.0.0.3' };
    expect(applyDefaults(POD, pod({ containers: [{ name: 'c', image: 'x' }] }, { status })).status).toEqual(status);
  });

  it('defaults probes, volumes and field references', () => {
    const out = applyDefaults(POD, pod({
      containers: [{
        name: 'c', image: 'x',
        livenessProbe: { httpGet: { port: 8080 } },
        env: [{ name: 'NODE', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } }],
      }],
      volumes: [{ name: 'scratch' }, { name: 'cfg', configMap: { name: 'cfg' } }],
    }));
    expect(containerOf(out).livenessProbe).toEqual({
      httpGet: { port: 8080, path: '/', scheme: 'HTTP' }, timeoutSeconds: 1, periodSeconds: 10, successThreshold: 1, failureThreshold: 3,
    });
    expect(containerOf(out).env).toEqual([{ name: 'NODE', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName', apiVersion: 'v1' } } }]);
    expect(specOf(out).volumes).toEqual([{ name: 'scratch', emptyDir: {} }, { name: 'cfg', configMap: { name: 'cfg', defaultMode: 420 } }]);
  });

  it('copies container ports to host ports on the host network', () => {
    const out = applyDefaults(POD, pod({ hostNetwork: true, containers: [{ name: 'c', image: 'x', ports: [{ containerPort: 8080 }] }] }));
    expect(containerOf(out).ports).toEqual([{ containerPort: 8080, protocol: 'TCP', hostPort: 8080 }]);
  });

  it('leaves wrongly typed values for validation to report', () => {
    const out = applyDefaults(POD, pod({ containers: 'nginx' }));
    expect(specOf(out).containers).toBe('nginx');
    expect(specOf(out).restartPolicy).toBe('Always');
  });
});

describe('defaults: pod QoS class', () => {
  const qos = (...resources: Obj[]) => qosClassOf({ containers: resources.map((r, i) => ({ name: `c${i}`, image: 'x', resources: r })) });

  it('is BestEffort without cpu or memory requests and limits', () => {
    expect(qos({}, { requests: { 'example.com/gpu': '1' } })).toBe('BestEffort');
  });

  it('is Burstable with requests only, or requests below limits', () => {
    expect(qos({ requests: { cpu: '100m' } })).toBe('Burstable');
    expect(qos({ requests: { cpu: '100m', memory: '1Gi' }, limits: { cpu: '200m', memory: '1Gi' } })).toBe('Burstable');
    expect(qos({ requests: { cpu: '1', memory: '1Gi' }, limits: { cpu: '1', memory: '1Gi' } }, {})).toBe('Burstable');
  });

  it('is Guaranteed when every container limits cpu and memory and requests equal limits', () => {
    expect(qos({ requests: { cpu: '0.1', memory: '1Gi' }, limits: { cpu: '100m', memory: '1073741824' } })).toBe('Guaranteed');
  });

  it('is computed on the defaulted pod, where limits became requests', () => {
    const out = applyDefaults(POD, pod({ containers: [{ name: 'c', image: 'x', resources: { limits: { cpu: '1', memory: '128Mi' } } }] }));
    expect((out.status as Obj).qosClass).toBe('Guaranteed');
  });
});

describe('defaults: quantities', () => {
  it.each([
    ['100m', 100_000_000n], ['0.1', 100_000_000n], ['1', 1_000_000_000n], [2, 2_000_000_000n], ['1Ki', 1024n * 1_000_000_000n],
    ['1.5Gi', 1610612736n * 1_000_000_000n], ['1e3', 1000n * 1_000_000_000n], ['5n', 5n], ['1k', 1_000_000_000_000n], ['-1', -1_000_000_000n],
  ])('parses %j exactly (in billionths)', (text, nanos) => {
    expect(parseQuantity(text)).toBe(nanos);
  });

  it.each(['', 'abc', '1.2.3', '1Xi', 'Mi', {}])('rejects %j', (text) => {
    expect(parseQuantity(text)).toBeUndefined();
  });
});

describe('defaults: Deployment and ReplicaSet', () => {
  const template = { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx:1.25' }] } };

  it('fills replicas, strategy, history and deadline, and defaults the template like a pod spec', () => {
    const out = applyDefaults(DEPLOYMENT, object('Deployment', 'apps/v1', { spec: { selector: { matchLabels: { app: 'web' } }, template } }));
    expect(specOf(out)).toMatchObject({
      replicas: 1, revisionHistoryLimit: 10, progressDeadlineSeconds: 600,
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25%', maxSurge: '25%' } },
    });
    const podSpec = (specOf(out).template as Obj).spec as Obj;
    expect(podSpec).toMatchObject({ restartPolicy: 'Always', dnsPolicy: 'ClusterFirst', schedulerName: 'default-scheduler', securityContext: {}, terminationGracePeriodSeconds: 30 });
    expect((podSpec.containers as Obj[])[0]).toMatchObject({ imagePullPolicy: 'IfNotPresent', resources: {} });
    // Pod-only defaults and admission fields stay out of templates.
    expect(podSpec).not.toHaveProperty('enableServiceLinks');
    expect(podSpec).not.toHaveProperty('serviceAccountName');
    expect(podSpec).not.toHaveProperty('tolerations');
    expect(out).not.toHaveProperty('status');
  });

  it('keeps replicas 0 and a Recreate strategy without rollingUpdate', () => {
    const out = applyDefaults(DEPLOYMENT, object('Deployment', 'apps/v1', { spec: { replicas: 0, strategy: { type: 'Recreate' }, template } }));
    expect(specOf(out).replicas).toBe(0);
    expect(specOf(out).strategy).toEqual({ type: 'Recreate' });
  });

  it('fills only the missing half of rollingUpdate', () => {
    const out = applyDefaults(DEPLOYMENT, object('Deployment', 'apps/v1', { spec: { strategy: { rollingUpdate: { maxSurge: 1 } }, template } }));
    expect(specOf(out).strategy).toEqual({ type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: '25%' } });
  });

  it('gives a ReplicaSet one replica and a defaulted template, nothing else', () => {
    const out = applyDefaults(REPLICA_SET, object('ReplicaSet', 'apps/v1', { spec: { template } }));
    expect(Object.keys(specOf(out)).sort()).toEqual(['replicas', 'template']);
    expect(specOf(out).replicas).toBe(1);
    expect((((specOf(out).template as Obj).spec as Obj).containers as Obj[])[0].terminationMessagePolicy).toBe('File');
  });
});

describe('defaults: Service', () => {
  const svc = (spec: Obj) => applyDefaults(SERVICE, object('Service', 'v1', { spec }));

  it('defaults a ClusterIP service', () => {
    expect(svc({ selector: { app: 'web' }, ports: [{ port: 80 }] }).spec).toEqual({
      selector: { app: 'web' }, ports: [{ port: 80, protocol: 'TCP', targetPort: 80 }], type: 'ClusterIP', sessionAffinity: 'None',
      internalTrafficPolicy: 'Cluster', ipFamilyPolicy: 'SingleStack', ipFamilies: ['IPv4'],
    });
  });

  it('keeps a named target port', () => {
    expect((svc({ ports: [{ port: 80, targetPort: 'http' }] }).spec as Obj).ports).toEqual([{ port: 80, targetPort: 'http', protocol: 'TCP' }]);
  });

  it('sets externalTrafficPolicy for NodePort and LoadBalancer, plus node ports for load balancers', () => {
    expect(svc({ type: 'NodePort', ports: [{ port: 80 }] }).spec).toMatchObject({ externalTrafficPolicy: 'Cluster', internalTrafficPolicy: 'Cluster' });
    expect(svc({ type: 'LoadBalancer', ports: [{ port: 80 }] }).spec).toMatchObject({ externalTrafficPolicy: 'Cluster', allocateLoadBalancerNodePorts: true });
    expect(svc({ ports: [{ port: 80 }] }).spec).not.toHaveProperty('externalTrafficPolicy');
  });

  it('gives ExternalName services no traffic policy or IP families', () => {
    expect(svc({ type: 'ExternalName', externalName: 'db.example.com' }).spec).toEqual({ type: 'ExternalName', externalName: 'db.example.com', sessionAffinity: 'None' });
  });

  it('asks for every family for a headless service without selector', () => {
    expect(svc({ clusterIP: 'None' }).spec).toMatchObject({ ipFamilyPolicy: 'RequireDualStack', ipFamilies: ['IPv4'] });
    expect(svc({ clusterIP: 'None', selector: { app: 'db' } }).spec).toMatchObject({ ipFamilyPolicy: 'SingleStack' });
  });

  it('defaults the ClientIP affinity timeout to three hours', () => {
    expect(svc({ sessionAffinity: 'ClientIP', ports: [{ port: 80 }] }).spec).toMatchObject({ sessionAffinityConfig: { clientIP: { timeoutSeconds: 10800 } } });
  });
});

describe('defaults: other kinds', () => {
  it('gives a Namespace its finalizer, phase and name label', () => {
    const out = applyDefaults(typeOf('v1', 'Namespace'), { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team-a', labels: { env: 'dev' } } });
    expect(out.spec).toEqual({ finalizers: ['kubernetes'] });
    expect(out.status).toEqual({ phase: 'Active' });
    expect(out.metadata.labels).toEqual({ env: 'dev', 'kubernetes.io/metadata.name': 'team-a' });
  });

  it('keeps a namespace finalizer list the namespace controller emptied, and its Terminating phase', () => {
    const ns: KubeObject = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'gone' }, spec: { finalizers: [] }, status: { phase: 'Terminating' } };
    const out = applyDefaults(typeOf('v1', 'Namespace'), ns);
    expect(out.spec).toEqual({ finalizers: [] });
    expect(out.status).toEqual({ phase: 'Terminating' });
  });

  it('types a Secret Opaque unless told otherwise', () => {
    const secret = typeOf('v1', 'Secret');
    expect(applyDefaults(secret, object('Secret', 'v1', { data: {} })).type).toBe('Opaque');
    expect(applyDefaults(secret, object('Secret', 'v1', { type: 'kubernetes.io/tls' })).type).toBe('kubernetes.io/tls');
  });

  it('copies a Node capacity into a missing allocatable', () => {
    const node: KubeObject = { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1' }, status: { capacity: { cpu: '4', pods: '110' } } };
    expect(applyDefaults(typeOf('v1', 'Node'), node).status).toEqual({ capacity: { cpu: '4', pods: '110' }, allocatable: { cpu: '4', pods: '110' } });
  });

  it('changes nothing on ConfigMaps and Events', () => {
    const cm = object('ConfigMap', 'v1', { data: { a: 'b' } });
    const ev = object('Event', 'v1', { reason: 'Started', involvedObject: { kind: 'Pod', name: 'p' } });
    expect(applyDefaults(typeOf('v1', 'ConfigMap'), cm)).toEqual(cm);
    expect(applyDefaults(typeOf('v1', 'Event'), ev)).toEqual(ev);
  });
});
