import type { KubeObject, ObjectMeta } from '../../actors/kinds/types';
import { buildTable, columnsFor, humanDuration, rowFor } from '../../gateways/api/table';

const NOW = Date.parse('2025-01-10T12:00:00Z');
const S = 1000;
const M = 60 * S;
const H = 60 * M;
const D = 24 * H;
const ago = (ms: number): string => new Date(NOW - ms).toISOString();

const obj = (apiVersion: string, kind: string, rest: { metadata: ObjectMeta; [field: string]: unknown }): KubeObject => ({ apiVersion, kind, ...rest });
const meta = (name: string, extra: Record<string, unknown> = {}) => ({ name, namespace: 'default', creationTimestamp: ago(2 * D + 3 * H), ...extra });

describe('table: humanDuration', () => {
  const cases: [number, string][] = [
    [-2500, '<invalid>'],
    [-1500, '0s'],
    [-500, '0s'],
    [0, '0s'],
    [5 * S, '5s'],
    [90 * S, '90s'],
    [119 * S + 999, '119s'],
    [2 * M, '2m'],
    [3 * M + 20 * S, '3m20s'],
    [9 * M + 59 * S, '9m59s'],
    [10 * M + 30 * S, '10m'],
    [179 * M, '179m'],
    [3 * H, '3h'],
    [3 * H + 30 * M, '3h30m'],
    [7 * H + 59 * M, '7h59m'],
    [8 * H + 20 * M, '8h'],
    [47 * H, '47h'],
    [48 * H, '2d'],
    [2 * D + 3 * H, '2d3h'],
    [7 * D + 23 * H, '7d23h'],
    [8 * D + 5 * H, '8d'],
    [729 * D, '729d'],
    [730 * D, '2y'],
    [740 * D, '2y10d'],
    [8 * 365 * D + 40 * D, '8y'],
  ];
  it.each(cases)('%d ms → %s', (ms, text) => expect(humanDuration(ms)).toBe(text));
});

describe('table: column definitions', () => {
  const shape = (kind: string) => columnsFor(kind).map((c) => [c.name, c.type, c.format, c.priority]);

  it('Pod: Name..Age always, IP/Node/Nominated Node/Readiness Gates wide', () => {
    expect(shape('Pod')).toEqual([
      ['Name', 'string', 'name', 0],
      ['Ready', 'string', '', 0],
      ['Status', 'string', '', 0],
      ['Restarts', 'string', '', 0],
      ['Age', 'string', '', 0],
      ['IP', 'string', '', 1],
      ['Node', 'string', '', 1],
      ['Nominated Node', 'string', '', 1],
      ['Readiness Gates', 'string', '', 1],
    ]);
    expect(columnsFor('Pod')[3].description).toBe(
      'The number of times the containers in this pod have been restarted and when the last container in this pod has restarted.',
    );
    expect(columnsFor('Pod')[5].description).toBe('podIP address allocated to the pod. Routable at least within the cluster. Empty if not yet allocated.');
  });

  it('Deployment, ReplicaSet, Service, Node, Event, ConfigMap, Secret, Namespace as upstream', () => {
    expect(shape('Deployment')).toEqual([
      ['Name', 'string', 'name', 0],
      ['Ready', 'string', '', 0],
      ['Up-to-date', 'string', '', 0],
      ['Available', 'string', '', 0],
      ['Age', 'string', '', 0],
      ['Containers', 'string', '', 1],
      ['Images', 'string', '', 1],
      ['Selector', 'string', '', 1],
    ]);
    expect(shape('ReplicaSet').map(([n, t, , p]) => [n, t, p])).toEqual([
      ['Name', 'string', 0],
      ['Desired', 'integer', 0],
      ['Current', 'integer', 0],
      ['Ready', 'integer', 0],
      ['Age', 'string', 0],
      ['Containers', 'string', 1],
      ['Images', 'string', 1],
      ['Selector', 'string', 1],
    ]);
    expect(shape('Service').map(([n, , , p]) => `${n}:${p}`)).toEqual(['Name:0', 'Type:0', 'Cluster-IP:0', 'External-IP:0', 'Port(s):0', 'Age:0', 'Selector:1']);
    expect(shape('Node').map(([n, , , p]) => `${n}:${p}`)).toEqual([
      'Name:0', 'Status:0', 'Roles:0', 'Age:0', 'Version:0', 'Internal-IP:1', 'External-IP:1', 'OS-Image:1', 'Kernel-Version:1', 'Container-Runtime:1',
    ]);
    expect(shape('Event')).toEqual([
      ['Last Seen', 'string', '', 0],
      ['Type', 'string', '', 0],
      ['Reason', 'string', '', 0],
      ['Object', 'string', '', 0],
      ['Subobject', 'string', '', 1],
      ['Source', 'string', '', 1],
      ['Message', 'string', '', 0],
      ['First Seen', 'string', '', 1],
      ['Count', 'string', '', 1],
      ['Name', 'string', 'name', 1],
    ]);
    expect(shape('ConfigMap').map(([n]) => n)).toEqual(['Name', 'Data', 'Age']);
    expect(shape('Secret').map(([n]) => n)).toEqual(['Name', 'Type', 'Data', 'Age']);
    expect(columnsFor('Namespace')).toEqual([
      expect.objectContaining({ name: 'Name', format: 'name' }),
      { name: 'Status', type: 'string', format: '', description: 'The status of the namespace', priority: 0 },
      expect.objectContaining({ name: 'Age', description: expect.stringMatching(/^CreationTimestamp is a timestamp/) }),
    ]);
  });

  it('falls back to Name and a date-typed Age for other kinds', () => {
    expect(shape('Widget')).toEqual([
      ['Name', 'string', 'name', 0],
      ['Age', 'date', '', 0],
    ]);
  });
});

// ---------------------------------------------------------------------------------------------

const running = { running: { startedAt: ago(2 * D) } };
const readyCondition = (status: 'True' | 'False') => ({ type: 'Ready', status });

const pod = (status: Record<string, unknown>, spec: Record<string, unknown> = {}, extraMeta: Record<string, unknown> = {}) =>
  obj('v1', 'Pod', {
    metadata: meta('web-1', extraMeta),
    spec: { containers: [{ name: 'app', image: 'nginx:1.25' }], ...spec },
    status,
  });

describe('table: Pod rows', () => {
  it('a running pod with a restarted container', () => {
    const p = pod(
      {
        phase: 'Running',
        podIP: '10.1.0.5',
        podIPs: [{ ip: '10.1.0.5' }],
        conditions: [readyCondition('True')],
        containerStatuses: [
          { name: 'app', ready: true, restartCount: 3, state: running, lastState: { terminated: { exitCode: 1, finishedAt: ago(5 * M) } } },
          { name: 'log', ready: true, restartCount: 0, state: running },
        ],
      },
      { containers: [{ name: 'app' }, { name: 'log' }], nodeName: 'node-1' },
    );
    expect(rowFor(p, NOW)).toEqual(['web-1', '2/2', 'Running', '3 (5m ago)', '2d3h', '10.1.0.5', 'node-1', '<none>', '<none>']);
  });

  it('a pod not yet scheduled', () => {
    expect(rowFor(pod({ phase: 'Pending' }), NOW)).toEqual(['web-1', '0/1', 'Pending', '0', '2d3h', '<none>', '<none>', '<none>', '<none>']);
  });

  it('the first container’s waiting or terminated reason wins', () => {
    const waiting = (reason: string) => ({ name: 'app', ready: false, restartCount: 0, state: { waiting: { reason } } });
    expect(rowFor(pod({ phase: 'Pending', containerStatuses: [waiting('ContainerCreating')] }), NOW)[2]).toBe('ContainerCreating');
    const crashing = pod({
      phase: 'Running',
      containerStatuses: [
        { ...waiting('CrashLoopBackOff'), restartCount: 5, lastState: { terminated: { exitCode: 1, finishedAt: ago(40 * S) } } },
        waiting('ImagePullBackOff'),
      ],
    }, { containers: [{ name: 'app' }, { name: 'side' }] });
    expect(rowFor(crashing, NOW).slice(1, 4)).toEqual(['0/2', 'CrashLoopBackOff', '5 (40s ago)']);
    const killed = pod({ phase: 'Running', containerStatuses: [{ name: 'app', state: { terminated: { exitCode: 137 } } }] });
    expect(rowFor(killed, NOW)[2]).toBe('ExitCode:137');
    const signalled = pod({ phase: 'Running', containerStatuses: [{ name: 'app', state: { terminated: { exitCode: 0, signal: 9 } } }] });
    expect(rowFor(signalled, NOW)[2]).toBe('Signal:9');
  });

  it('a finished container beside a running one reads Running or NotReady, never Completed', () => {
    const status = (ready: 'True' | 'False') => ({
      phase: 'Running',
      conditions: [readyCondition(ready)],
      containerStatuses: [
        { name: 'job', ready: false, state: { terminated: { exitCode: 0, reason: 'Completed' } } },
        { name: 'app', ready: true, state: running },
      ],
    });
    const spec = { containers: [{ name: 'job' }, { name: 'app' }] };
    expect(rowFor(pod(status('True'), spec), NOW).slice(1, 3)).toEqual(['1/2', 'Running']);
    expect(rowFor(pod(status('False'), spec), NOW).slice(1, 3)).toEqual(['1/2', 'NotReady']);
  });

  it('init containers: Init:i/n, Init:<reason>, Init:ExitCode, Init:Signal', () => {
    const spec = { initContainers: [{ name: 'migrate' }, { name: 'seed' }] };
    const done = { name: 'migrate', restartCount: 0, state: { terminated: { exitCode: 0, reason: 'Completed' } } };
    const init = (second: Record<string, unknown>) =>
      rowFor(pod({ phase: 'Pending', initContainerStatuses: [done, { name: 'seed', restartCount: 0, ...second }] }, spec), NOW)[2];
    expect(init({ state: running })).toBe('Init:1/2');
    expect(init({ state: { waiting: { reason: 'PodInitializing' } } })).toBe('Init:1/2');
    expect(init({ state: { waiting: { reason: 'CrashLoopBackOff' } } })).toBe('Init:CrashLoopBackOff');
    expect(init({ state: { terminated: { exitCode: 2 } } })).toBe('Init:ExitCode:2');
    expect(init({ state: { terminated: { exitCode: 1, signal: 15 } } })).toBe('Init:Signal:15');
    expect(init({ state: { terminated: { exitCode: 1, reason: 'Error' } } })).toBe('Init:Error');
  });

  it('counts init restarts only while initializing, app restarts afterwards', () => {
    const spec = { initContainers: [{ name: 'migrate' }] };
    const initializing = pod(
      { phase: 'Pending', initContainerStatuses: [{ name: 'migrate', restartCount: 2, state: { waiting: { reason: 'CrashLoopBackOff' } }, lastState: { terminated: { exitCode: 1, finishedAt: ago(90 * S) } } }] },
      spec,
    );
    expect(rowFor(initializing, NOW).slice(1, 4)).toEqual(['0/1', 'Init:CrashLoopBackOff', '2 (90s ago)']);
    const initialized = pod(
      {
        phase: 'Running',
        conditions: [{ type: 'Initialized', status: 'True' }, readyCondition('True')],
        initContainerStatuses: [{ name: 'migrate', restartCount: 2, state: { terminated: { exitCode: 0, reason: 'Completed' } } }],
        containerStatuses: [{ name: 'app', ready: true, restartCount: 0, state: running }],
      },
      spec,
    );
    expect(rowFor(initialized, NOW).slice(1, 4)).toEqual(['1/1', 'Running', '0']);
  });

  it('restartable init containers (sidecars) count as containers', () => {
    const p = pod(
      {
        phase: 'Running',
        conditions: [{ type: 'Initialized', status: 'True' }, readyCondition('True')],
        initContainerStatuses: [
          { name: 'proxy', started: true, ready: true, restartCount: 1, state: running, lastState: { terminated: { exitCode: 1, finishedAt: ago(10 * M) } } },
        ],
        containerStatuses: [{ name: 'app', ready: true, restartCount: 0, state: running }],
      },
      { initContainers: [{ name: 'proxy', restartPolicy: 'Always' }] },
    );
    expect(rowFor(p, NOW).slice(1, 4)).toEqual(['2/2', 'Running', '1 (10m ago)']);
  });

  it('Terminating while deleting, Unknown when the node is lost, the phase when already finished', () => {
    const deleting = { deletionTimestamp: ago(10 * S) };
    expect(rowFor(pod({ phase: 'Running' }, {}, deleting), NOW)[2]).toBe('Terminating');
    expect(rowFor(pod({ phase: 'Running', reason: 'NodeLost' }, {}, deleting), NOW)[2]).toBe('Unknown');
    const finished = { phase: 'Succeeded', containerStatuses: [{ name: 'app', state: { terminated: { exitCode: 0, reason: 'Completed' } } }] };
    expect(rowFor(pod(finished, {}, deleting), NOW)[2]).toBe('Completed');
  });

  it('status.reason and SchedulingGated override the phase', () => {
    expect(rowFor(pod({ phase: 'Failed', reason: 'Evicted' }), NOW)[2]).toBe('Evicted');
    const gated = { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False', reason: 'SchedulingGated' }] };
    expect(rowFor(pod(gated), NOW)[2]).toBe('SchedulingGated');
  });

  it('readiness gates as true/total; nominated node shown', () => {
    const p = pod(
      { phase: 'Running', nominatedNodeName: 'node-2', conditions: [{ type: 'example.com/lb', status: 'True' }, { type: 'example.com/dns', status: 'False' }] },
      { readinessGates: [{ conditionType: 'example.com/lb' }, { conditionType: 'example.com/dns' }, { conditionType: 'example.com/none' }] },
    );
    expect(rowFor(p, NOW).slice(7)).toEqual(['node-2', '1/3']);
  });
});

// ---------------------------------------------------------------------------------------------

const template = { spec: { containers: [{ name: 'nginx', image: 'nginx:1.25' }, { name: 'sidecar', image: 'busybox' }] } };

describe('table: Deployment and ReplicaSet rows', () => {
  it('Deployment: READY a/b, UP-TO-DATE, AVAILABLE, containers, images, selector', () => {
    const d = obj('apps/v1', 'Deployment', {
      metadata: meta('web'),
      spec: { replicas: 3, selector: { matchLabels: { app: 'web' }, matchExpressions: [{ key: 'tier', operator: 'In', values: ['fe', 'edge'] }] }, template },
      status: { replicas: 3, readyReplicas: 2, updatedReplicas: 3, availableReplicas: 2 },
    });
    expect(rowFor(d, NOW)).toEqual(['web', '2/3', 3, 2, '2d3h', 'nginx,sidecar', 'nginx:1.25,busybox', 'app=web,tier in (edge,fe)']);
  });

  it('Deployment without status, with an empty or broken selector', () => {
    const d = (selector: unknown) => obj('apps/v1', 'Deployment', { metadata: meta('web'), spec: { replicas: 1, selector, template } });
    expect(rowFor(d({}), NOW)).toEqual(['web', '0/1', 0, 0, '2d3h', 'nginx,sidecar', 'nginx:1.25,busybox', '']);
    expect(rowFor(d({ matchExpressions: [{ key: 'a', operator: 'Gt', values: ['1'] }] }), NOW)[7]).toBe('<invalid>');
  });

  it('ReplicaSet: DESIRED, CURRENT, READY as integers; selector via FormatLabelSelector', () => {
    const rs = (selector: unknown) =>
      obj('apps/v1', 'ReplicaSet', {
        metadata: meta('web-5d9c7b'),
        spec: { replicas: 3, selector, template },
        status: { replicas: 3, readyReplicas: 2, availableReplicas: 2 },
      });
    expect(rowFor(rs({ matchLabels: { app: 'web', 'pod-template-hash': '5d9c7b' } }), NOW)).toEqual([
      'web-5d9c7b', 3, 3, 2, '2d3h', 'nginx,sidecar', 'nginx:1.25,busybox', 'app=web,pod-template-hash=5d9c7b',
    ]);
    expect(rowFor(rs({}), NOW)[7]).toBe('<none>');
    expect(rowFor(rs({ matchExpressions: [{ key: 'a', operator: 'In', values: [] }] }), NOW)[7]).toBe('<error>');
  });
});

describe('table: Service rows', () => {
  const svc = (spec: Record<string, unknown>, status: Record<string, unknown> = {}) =>
    obj('v1', 'Service', { metadata: meta('web'), spec, status });

  it('ClusterIP with a selector sorted as whole key=value pairs', () => {
    const s = svc({ type: 'ClusterIP', clusterIP: '10.96.12.7', clusterIPs: ['10.96.12.7'], ports: [{ port: 80, protocol: 'TCP' }, { port: 53, protocol: 'UDP' }], selector: { app: 'web', 'app.kubernetes.io/name': 'web' } });
    expect(rowFor(s, NOW)).toEqual(['web', 'ClusterIP', '10.96.12.7', '<none>', '80/TCP,53/UDP', '2d3h', 'app.kubernetes.io/name=web,app=web']);
  });

  it('NodePort ports, external IPs, headless, no ports, no selector', () => {
    const nodePort = svc({ type: 'NodePort', clusterIPs: ['10.96.0.9'], externalIPs: ['203.0.113.5', '203.0.113.6'], ports: [{ port: 80, nodePort: 30080, protocol: 'TCP' }] });
    expect(rowFor(nodePort, NOW).slice(1, 5)).toEqual(['NodePort', '10.96.0.9', '203.0.113.5,203.0.113.6', '80:30080/TCP']);
    const headless = svc({ type: 'ClusterIP', clusterIP: 'None', clusterIPs: ['None'] });
    expect(rowFor(headless, NOW)).toEqual(['web', 'ClusterIP', 'None', '<none>', '<none>', '2d3h', '<none>']);
    expect(rowFor(svc({ type: 'ClusterIP' }), NOW)[2]).toBe('<none>');
  });

  it('LoadBalancer: <pending>, ingress sorted and unique, then external IPs', () => {
    const lb = { type: 'LoadBalancer', clusterIPs: ['10.96.0.10'], ports: [{ port: 443, nodePort: 31443, protocol: 'TCP' }] };
    expect(rowFor(svc(lb), NOW)[3]).toBe('<pending>');
    const ingress = { loadBalancer: { ingress: [{ ip: '198.51.100.9' }, { hostname: 'lb.example.com' }, { ip: '198.51.100.2' }, { ip: '198.51.100.9' }] } };
    expect(rowFor(svc(lb, ingress), NOW)[3]).toBe('198.51.100.2,198.51.100.9,lb.example.com');
    expect(rowFor(svc({ ...lb, externalIPs: ['203.0.113.5'] }, ingress), NOW)[3]).toBe('198.51.100.2,198.51.100.9,lb.example.com,203.0.113.5');
    expect(rowFor(svc({ ...lb, externalIPs: ['203.0.113.5'] }), NOW)[3]).toBe('203.0.113.5');
  });

  it('ExternalName shows the external name', () => {
    expect(rowFor(svc({ type: 'ExternalName', externalName: 'db.example.com' }), NOW).slice(1, 5)).toEqual(['ExternalName', '<none>', 'db.example.com', '<none>']);
  });
});

describe('table: Node rows', () => {
  const node = (labels: Record<string, string>, spec: Record<string, unknown>, status: Record<string, unknown>) =>
    obj('v1', 'Node', { metadata: { name: 'node-1', labels, creationTimestamp: ago(40 * D) }, spec, status });

  it('a ready, cordoned control-plane node with full node info', () => {
    const n = node(
      { 'node-role.kubernetes.io/control-plane': '', 'kubernetes.io/hostname': 'node-1' },
      { unschedulable: true },
      {
        conditions: [{ type: 'MemoryPressure', status: 'False' }, { type: 'Ready', status: 'True' }],
        addresses: [{ type: 'Hostname', address: 'node-1' }, { type: 'InternalIP', address: '192.168.1.10' }, { type: 'ExternalIP', address: '203.0.113.10' }],
        nodeInfo: { kubeletVersion: 'v1.32.0', osImage: 'Ubuntu 24.04.1 LTS', kernelVersion: '6.8.0-45-generic', containerRuntimeVersion: 'containerd://1.7.22' },
      },
    );
    expect(rowFor(n, NOW)).toEqual([
      'node-1', 'Ready,SchedulingDisabled', 'control-plane', '40d', 'v1.32.0', '192.168.1.10', '203.0.113.10', 'Ubuntu 24.04.1 LTS', '6.8.0-45-generic', 'containerd://1.7.22',
    ]);
  });

  it('NotReady, Unknown, roles sorted from both label forms, unknown node info', () => {
    const notReady = node({ 'node-role.kubernetes.io/worker': '', 'kubernetes.io/role': 'edge', 'node-role.kubernetes.io/': '' }, {}, { conditions: [{ type: 'Ready', status: 'Unknown' }] });
    expect(rowFor(notReady, NOW)).toEqual(['node-1', 'NotReady', 'edge,worker', '40d', '', '<none>', '<none>', '<unknown>', '<unknown>', '<unknown>']);
    expect(rowFor(node({}, {}, {}), NOW).slice(1, 3)).toEqual(['Unknown', '<none>']);
  });
});

describe('table: Event rows', () => {
  const event = (rest: Record<string, unknown>) =>
    obj('v1', 'Event', { metadata: { name: 'web-1.181a2b', namespace: 'default', creationTimestamp: ago(5 * M) }, involvedObject: { kind: 'Pod', name: 'web-1', namespace: 'default' }, ...rest });

  it('a legacy core event', () => {
    const e = event({
      type: 'Warning',
      reason: 'BackOff',
      message: 'Back-off restarting failed container app in pod web-1_default\n',
      involvedObject: { kind: 'Pod', name: 'web-1', fieldPath: 'spec.containers{app}' },
      source: { component: 'kubelet', host: 'node-1' },
      firstTimestamp: ago(20 * M),
      lastTimestamp: ago(30 * S),
      count: 7,
    });
    expect(rowFor(e, NOW)).toEqual([
      '30s', 'Warning', 'BackOff', 'pod/web-1', 'spec.containers{app}', 'kubelet, node-1', 'Back-off restarting failed container app in pod web-1_default', '20m', 7, 'web-1.181a2b',
    ]);
  });

  it('an events.k8s.io event: eventTime, series, reporting controller', () => {
    const e = event({
      type: 'Normal',
      reason: 'Scheduled',
      message: 'Successfully assigned default/web-1 to node-1',
      eventTime: '2025-01-10T11:55:00.123456Z',
      firstTimestamp: null,
      lastTimestamp: null,
      reportingComponent: 'default-scheduler',
      reportingInstance: 'default-scheduler-cp-1',
      source: {},
      series: { count: 4, lastObservedTime: '2025-01-10T11:59:00.000000Z' },
    });
    expect(rowFor(e, NOW)).toEqual([
      '60s', 'Normal', 'Scheduled', 'pod/web-1', '', 'default-scheduler, default-scheduler-cp-1', 'Successfully assigned default/web-1 to node-1', '4m59s', 4, 'web-1.181a2b',
    ]);
  });

  it('a count of 0 reads 1; no last timestamp repeats the first; a nameless object shows its kind', () => {
    const e = event({ reason: 'RegisteredNode', involvedObject: { kind: 'Node' }, source: { component: 'node-controller' }, firstTimestamp: ago(3 * H) });
    expect(rowFor(e, NOW)).toEqual(['3h', '', 'RegisteredNode', 'node', '', 'node-controller', '', '3h', 1, 'web-1.181a2b']);
  });
});

describe('table: ConfigMap, Secret, Namespace and other kinds', () => {
  it('ConfigMap DATA counts data and binaryData', () => {
    const cm = obj('v1', 'ConfigMap', { metadata: meta('settings'), data: { a: '1', b: '2' }, binaryData: { c: 'AA==' } });
    expect(rowFor(cm, NOW)).toEqual(['settings', 3, '2d3h']);
    expect(rowFor(obj('v1', 'ConfigMap', { metadata: meta('empty') }), NOW)).toEqual(['empty', 0, '2d3h']);
  });

  it('Secret TYPE and DATA', () => {
    const s = obj('v1', 'Secret', { metadata: meta('tls'), type: 'kubernetes.io/tls', data: { 'tls.crt': 'Y3J0', 'tls.key': 'a2V5' } });
    expect(rowFor(s, NOW)).toEqual(['tls', 'kubernetes.io/tls', 2, '2d3h']);
  });

  it('Namespace STATUS is the phase', () => {
    const ns = obj('v1', 'Namespace', { metadata: { name: 'team-a', creationTimestamp: ago(90 * S) }, status: { phase: 'Terminating' } });
    expect(rowFor(ns, NOW)).toEqual(['team-a', 'Terminating', '90s']);
  });

  it('other kinds print Name and Age; a missing timestamp is <unknown>', () => {
    expect(rowFor(obj('example.com/v1', 'Widget', { metadata: { name: 'w', creationTimestamp: ago(7 * M) } }), NOW)).toEqual(['w', '7m']);
    expect(rowFor(obj('example.com/v1', 'Widget', { metadata: { name: 'w' } }), NOW)).toEqual(['w', '<unknown>']);
  });
});

// ---------------------------------------------------------------------------------------------

describe('table: buildTable', () => {
  const managed = [{ manager: 'kubectl', operation: 'Apply' as const, apiVersion: 'v1', time: ago(M), fieldsType: 'FieldsV1' as const, fieldsV1: {} }];
  const cm = obj('v1', 'ConfigMap', { metadata: { ...meta('settings'), uid: 'u-1', resourceVersion: '41', labels: { app: 'web' }, managedFields: managed }, data: { a: '1' } });

  it('lists with headers, list metadata and PartialObjectMetadata rows by default', () => {
    const table = buildTable([cm], { kind: 'ConfigMap', nowMs: NOW, includeObject: 'Metadata', resourceVersion: '1004', continueToken: 'abc', remainingItemCount: 3 });
    const { managedFields: _dropped, ...metadata } = cm.metadata;
    expect(table).toEqual({
      kind: 'Table',
      apiVersion: 'meta.k8s.io/v1',
      metadata: { resourceVersion: '1004', continue: 'abc', remainingItemCount: 3 },
      columnDefinitions: columnsFor('ConfigMap'),
      rows: [{ cells: ['settings', 1, '2d3h'], object: { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata } }],
    });
    expect(cm.metadata.managedFields).toBe(managed);
  });

  it('includeObject=Object carries the full object, None carries none', () => {
    expect(buildTable([cm], { kind: 'ConfigMap', nowMs: NOW, includeObject: 'Object' }).rows[0].object).toBe(cm);
    const none = buildTable([cm], { kind: 'ConfigMap', nowMs: NOW, includeObject: 'None' });
    expect(none.rows[0]).toEqual({ cells: ['settings', 1, '2d3h'] });
    expect(none.metadata).toEqual({});
  });

  it('noHeaders leaves the column definitions out (watch events after the first)', () => {
    const table = buildTable([cm], { kind: 'ConfigMap', nowMs: NOW, includeObject: 'None', noHeaders: true, resourceVersion: '41' });
    expect('columnDefinitions' in table).toBe(false);
    expect(table.metadata).toEqual({ resourceVersion: '41' });
  });

  it('marks finished pods Completed in row conditions, as upstream', () => {
    const done = pod({ phase: 'Succeeded', containerStatuses: [{ name: 'app', state: { terminated: { exitCode: 0, reason: 'Completed' } } }] });
    const failed = pod({ phase: 'Failed', reason: 'Evicted' });
    const live = pod({ phase: 'Running' });
    const rows = buildTable([done, failed, live], { kind: 'Pod', nowMs: NOW, includeObject: 'None' }).rows;
    expect(rows.map((r) => r.conditions)).toEqual([
      [{ type: 'Completed', status: 'True', reason: 'Succeeded', message: 'The pod has completed successfully.' }],
      [{ type: 'Completed', status: 'True', reason: 'Failed', message: 'The pod failed.' }],
      undefined,
    ]);
    expect(rows.map((r) => r.cells[2])).toEqual(['Completed', 'Evicted', 'Running']);
  });

  it('an empty list still has headers and no rows', () => {
    expect(buildTable([], { kind: 'Pod', nowMs: NOW, includeObject: 'Metadata', resourceVersion: '7' })).toEqual({
      kind: 'Table',
      apiVersion: 'meta.k8s.io/v1',
      metadata: { resourceVersion: '7' },
      columnDefinitions: columnsFor('Pod'),
      rows: [],
    });
  });
});

describe('table: Endpoints and EndpointSlice rows', () => {
  const addr = (ip: string) => ({ ip });
  it('Endpoints: NAME ENDPOINTS AGE; ip:port per ready address and port, three then "+ N more..."; <none> without subsets', () => {
    expect(columnsFor('Endpoints').map((c) => c.name)).toEqual(['Name', 'Endpoints', 'Age']);
    const ep = (subsets?: unknown) => obj('v1', 'Endpoints', { metadata: meta('web'), ...(subsets ? { subsets } : {}) });
    expect(rowFor(ep(), NOW)).toEqual(['web', '<none>', '2d3h']);
    expect(rowFor(ep([{ addresses: [addr('10.0.0.1'), addr('10.0.0.2')], ports: [{ port: 80 }, { port: 443 }] }]), NOW)[1]).toBe('10.0.0.1:80,10.0.0.2:80,10.0.0.1:443 + 1 more...');
    expect(rowFor(ep([{ addresses: [addr('10.0.0.1')] }]), NOW)[1]).toBe('10.0.0.1');
    expect(rowFor(ep([{ notReadyAddresses: [addr('10.0.0.1')], ports: [{ port: 80 }] }]), NOW)[1]).toBe('');
  });

  it('EndpointSlice: NAME ADDRESSTYPE PORTS ENDPOINTS AGE; <unset> when empty', () => {
    expect(columnsFor('EndpointSlice').map((c) => c.name)).toEqual(['Name', 'AddressType', 'Ports', 'Endpoints', 'Age']);
    const slice = (endpoints: unknown, ports: unknown) => obj('discovery.k8s.io/v1', 'EndpointSlice', { metadata: meta('web-abcde'), addressType: 'IPv4', endpoints, ports });
    expect(rowFor(slice([], []), NOW)).toEqual(['web-abcde', 'IPv4', '<unset>', '<unset>', '2d3h']);
    const four = ['1', '2', '3', '4'].map((n) => ({ addresses: [`10.0.0.${n}`] }));
    expect(rowFor(slice(four, [{ name: 'http', port: 8080, protocol: 'TCP' }]), NOW).slice(1, 4)).toEqual(['IPv4', '8080', '10.0.0.1,10.0.0.2,10.0.0.3 + 1 more...']);
  });
});
