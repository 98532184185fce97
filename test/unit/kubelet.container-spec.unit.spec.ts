import { containerLaunch, linuxResources, type ContainerLaunch, type ContainerLaunchInput } from '../../runtime/kubelet/container-spec';
import type { ObjectLookups } from '../../runtime/kubelet/config-sources';
import { formatMap } from '../../runtime/kubelet/downward-api';
import { expand, mappingFor } from '../../runtime/kubelet/expansion';
import { b64, configMap, cpod, lookups, POD_DIR } from './kubelet.config.fixtures';

const OBJECTS = lookups(
  [configMap('settings', { LOG_LEVEL: 'debug', COLOR: 'blue', 'app.conf': 'x=1' })],
  { creds: { data: { USER: b64('admin'), PASS: Buffer.from('s3cret') } } },
);

type Container = Record<string, unknown>;

function launch(container: Container, more: Partial<ContainerLaunchInput> & { spec?: Record<string, unknown>; objects?: ObjectLookups } = {}) {
  const { spec = {}, objects = OBJECTS, ...input } = more;
  const pod = cpod({ containers: [{ name: 'app', image: 'busybox:1.36', ...container }], ...spec });
  return containerLaunch({ pod, containerName: 'app', init: false, podDir: POD_DIR, lookups: objects, ...input });
}

function launched(container: Container, more: Parameters<typeof launch>[1] = {}): ContainerLaunch {
  const result = launch(container, more);
  if (!result.ok) throw new Error(`expected a launch, got ${result.message}`);
  return result.launch;
}

function failure(container: Container, more: Parameters<typeof launch>[1] = {}): string {
  const result = launch(container, more);
  if (result.ok) throw new Error('expected CreateContainerConfigError');
  expect(result.reason).toBe('CreateContainerConfigError');
  return result.message;
}

const envOf = (container: Container, more: Parameters<typeof launch>[1] = {}) => launched(container, more).env;

describe('kubelet container config: $(VAR) expansion (third_party/forked/golang/expansion)', () => {
  const vars = new Map([
    ['VAR_A', 'A'],
    ['VAR_B', 'B'],
    ['VAR_EMPTY', ''],
  ]);
  it.each([
    ['$(VAR_A)', 'A'],
    ['___$(VAR_B)___', '___B___'],
    ['$(VAR_A)-$(VAR_A)', 'A-A'],
    ['$(VAR_A)$(VAR_B)', 'AB'],
    ['x$(VAR_EMPTY)y', 'xy'],
    ['$(UNKNOWN)', '$(UNKNOWN)'],
    ['$$(VAR_B)_$(VAR_A)', '$(VAR_B)_A'],
    ['$$', '$'],
    ['$$$', '$$'],
    ['$$$$$$(VAR_A)', '$$$(VAR_A)'],
    ['$$$$$$$(VAR_A)', '$$$A'],
    ['$(VAR_A', '$(VAR_A'],
    ['$(', '$('],
    ['$', '$'],
    ['$VAR_A', '$VAR_A'],
    ['$()', '$()'],
    ['f(x)=$(VAR_A)', 'f(x)=A'],
  ])('%s → %s', (input, output) => {
    expect(expand(input, mappingFor(vars))).toBe(output);
  });
});

describe('kubelet container config: env', () => {
  it('literal values in spec order, each expanding the ones defined before it', () => {
    const env = envOf({
      env: [
        { name: 'HOST', value: 'db' },
        { name: 'URL', value: 'postgres://$(HOST):$(PORT)/$$(HOST)' },
        { name: 'PORT', value: '5432' },
        { name: 'EMPTY', value: '' },
      ],
    });
    expect(env).toEqual([
      ['HOST', 'db'],
      ['URL', 'postgres://db:$(PORT)/$(HOST)'],
      ['PORT', '5432'],
      ['EMPTY', ''],
    ]);
  });

  it('envFrom first (keys sorted, with the prefix), then env replaces a name in its place', () => {
    const env = envOf({
      envFrom: [{ configMapRef: { name: 'settings' }, prefix: 'CFG_' }, { secretRef: { name: 'creds' } }],
      env: [
        { name: 'USER', value: 'root-$(CFG_COLOR)' },
        { name: 'EXTRA', value: '$(PASS)' },
      ],
    });
    expect(env).toEqual([
      ['CFG_COLOR', 'blue'],
      ['CFG_LOG_LEVEL', 'debug'],
      ['CFG_app.conf', 'x=1'],
      ['PASS', 's3cret'],
      ['USER', 'root-blue'],
      ['EXTRA', 's3cret'],
    ]);
  });

  it('a variable may refer to the envFrom value of its own name', () => {
    expect(envOf({ envFrom: [{ configMapRef: { name: 'settings' } }], env: [{ name: 'COLOR', value: 'dark-$(COLOR)' }] })).toContainEqual(['COLOR', 'dark-blue']);
  });

  describe('valueFrom.fieldRef', () => {
    const fieldEnv = (fieldPath: string, more: Parameters<typeof launch>[1] = {}) =>
      envOf({ env: [{ name: 'V', valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath } } }] }, more)[0][1];
    const addresses = { podIPs: ['10.244.1.7', 'fd00::7'], hostIPs: ['192.168.1.10'] };
    it.each([
      ['metadata.name', 'web-0'],
      ['metadata.namespace', 'default'],
      ['metadata.uid', 'uid-1'],
      ["metadata.labels['app']", 'web'],
      ["metadata.labels['missing']", ''],
      ['spec.nodeName', 'n1'],
      ['spec.host', 'n1'],
      ['spec.serviceAccountName', 'default'],
      ['status.hostIP', '192.168.1.10'],
      ['status.hostIPs', '192.168.1.10'],
      ['status.podIP', '10.244.1.7'],
      ['status.podIPs', '10.244.1.7,fd00::7'],
    ])('%s → %j', (fieldPath, value) => {
      expect(fieldEnv(fieldPath, addresses)).toBe(value);
    });

    it('annotations by key', () => {
      const env = [{ name: 'A', valueFrom: { fieldRef: { fieldPath: "metadata.annotations['team.io/owner']" } } }];
      const pod = cpod({ containers: [{ name: 'app', env }] }, { annotations: { 'team.io/owner': 'ops' } });
      const result = containerLaunch({ pod, containerName: 'app', init: false, podDir: POD_DIR, lookups: OBJECTS });
      expect(result.ok && result.launch.env).toEqual([['A', 'ops']]);
    });

    it('without addresses from the caller, those the pod status reports; no pod IP yet is empty', () => {
      expect(fieldEnv('status.podIP')).toBe('');
      const pod = cpod({ containers: [{ name: 'app', env: [{ name: 'IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } }] }] }, {}, { podIPs: [{ ip: '10.0.0.9' }] });
      const result = containerLaunch({ pod, containerName: 'app', init: false, podDir: POD_DIR, lookups: OBJECTS });
      expect(result.ok && result.launch.env).toEqual([['IP', '10.0.0.9']]);
    });

    it.each([
      ['status.hostIP', {}, 'host IP unknown; known addresses: []'],
      ['status.phase', {}, 'unsupported fieldPath: status.phase'],
      ['spec.nodeSelector', {}, 'field label not supported: spec.nodeSelector'],
      ["metadata.name['x']", {}, "field label does not support subscript: metadata.name['x']"],
    ])('%s → CreateContainerConfigError %j', (fieldPath, more, message) => {
      expect(failure({ env: [{ name: 'V', valueFrom: { fieldRef: { fieldPath } } }] }, more)).toBe(message);
    });

    it('an apiVersion other than v1 is refused', () => {
      expect(failure({ env: [{ name: 'V', valueFrom: { fieldRef: { apiVersion: 'v2', fieldPath: 'metadata.name' } } }] })).toBe('unsupported pod version: v2');
    });
  });

  describe('valueFrom.resourceFieldRef', () => {
    const resources = { requests: { cpu: '250m', memory: '64Mi' }, limits: { cpu: '1500m', memory: '128Mi' } };
    const allocatable = { cpu: '4', memory: '8Gi', 'ephemeral-storage': '100Gi' };
    it.each([
      ['limits.cpu', undefined, '2'],
      ['limits.cpu', '1m', '1500'],
      ['requests.cpu', undefined, '1'],
      ['requests.cpu', '1m', '250'],
      ['limits.memory', undefined, String(128 * 1024 * 1024)],
      ['limits.memory', '1Mi', '128'],
      ['requests.memory', '1M', '68'],
      ['limits.memory', '0', String(128 * 1024 * 1024)],
    ])('%s with divisor %s → %s (rounded up)', (resource, divisor, value) => {
      const env = envOf({ resources, env: [{ name: 'R', valueFrom: { resourceFieldRef: { resource, ...(divisor ? { divisor } : {}) } } }] }, { nodeAllocatable: allocatable });
      expect(env).toEqual([['R', value]]);
    });

    it('an unset limit is the node allocatable amount; an unset request is 0', () => {
      const env = envOf(
        {
          env: [
            { name: 'CPU', valueFrom: { resourceFieldRef: { resource: 'limits.cpu' } } },
            { name: 'MEM', valueFrom: { resourceFieldRef: { resource: 'limits.memory', divisor: '1Gi' } } },
            { name: 'DISK', valueFrom: { resourceFieldRef: { resource: 'limits.ephemeral-storage', divisor: '1Gi' } } },
            { name: 'REQ', valueFrom: { resourceFieldRef: { resource: 'requests.cpu' } } },
          ],
        },
        { nodeAllocatable: allocatable },
      );
      expect(env).toEqual([['CPU', '4'], ['MEM', '8'], ['DISK', '100'], ['REQ', '0']]);
    });

    it('containerName reads another container of the pod', () => {
      const pod = cpod({
        containers: [
          { name: 'app', env: [{ name: 'SIDE_MEM', valueFrom: { resourceFieldRef: { containerName: 'side', resource: 'limits.memory', divisor: '1Mi' } } }] },
          { name: 'side', resources: { limits: { memory: '32Mi' } } },
        ],
      });
      const result = containerLaunch({ pod, containerName: 'app', init: false, podDir: POD_DIR, lookups: OBJECTS });
      expect(result.ok && result.launch.env).toEqual([['SIDE_MEM', '32']]);
    });

    it.each([
      [{ containerName: 'nope', resource: 'limits.cpu' }, 'container nope not found'],
      [{ resource: 'limits.gpu' }, 'unsupported container resource : limits.gpu'],
    ])('%j → %s', (resourceFieldRef, message) => {
      expect(failure({ env: [{ name: 'R', valueFrom: { resourceFieldRef } }] })).toBe(message);
    });
  });

  describe('valueFrom.configMapKeyRef / secretKeyRef', () => {
    const ref = (kind: 'configMapKeyRef' | 'secretKeyRef', name: string, key: string, optional?: boolean) => ({
      env: [{ name: 'V', valueFrom: { [kind]: { name, key, ...(optional === undefined ? {} : { optional }) } } }],
    });
    it.each([
      ['configMapKeyRef', 'settings', 'COLOR', 'blue'],
      ['secretKeyRef', 'creds', 'USER', 'admin'],
      ['secretKeyRef', 'creds', 'PASS', 's3cret'],
    ] as const)('%s %s/%s → %s', (kind, name, key, value) => {
      expect(envOf(ref(kind, name, key))).toEqual([['V', value]]);
    });

    it.each([
      ['configMapKeyRef', 'nope', 'k', false, 'configmap "nope" not found'],
      ['configMapKeyRef', 'settings', 'k', false, "couldn't find key k in ConfigMap default/settings"],
      ['secretKeyRef', 'nope', 'k', false, 'secret "nope" not found'],
      ['secretKeyRef', 'creds', 'k', undefined, "couldn't find key k in Secret default/creds"],
    ] as const)('%s %s/%s (optional %s) missing → %s', (kind, name, key, optional, message) => {
      expect(failure(ref(kind, name, key, optional))).toBe(message);
    });

    it.each([
      ['configMapKeyRef', 'nope'],
      ['configMapKeyRef', 'settings'],
      ['secretKeyRef', 'nope'],
      ['secretKeyRef', 'creds'],
    ] as const)('optional %s to a missing %s or key leaves the variable out', (kind, name) => {
      expect(envOf(ref(kind, name, 'k', true))).toEqual([]);
    });

    it('envFrom: a missing required source fails, an optional one adds nothing', () => {
      expect(failure({ envFrom: [{ configMapRef: { name: 'nope' } }] })).toBe('configmap "nope" not found');
      expect(failure({ envFrom: [{ secretRef: { name: 'nope', optional: false } }] })).toBe('secret "nope" not found');
      expect(envOf({ envFrom: [{ configMapRef: { name: 'nope', optional: true } }, { secretRef: { name: 'nope', optional: true } }] })).toEqual([]);
    });
  });
});

describe('kubelet container config: command and args', () => {
  const env = [
    { name: 'GREETING', value: 'hello' },
    { name: 'NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
  ];
  it('expands $(VAR) against the final environment, $$ escaping', () => {
    const l = launched({ env, command: ['sh', '-c', 'echo $(GREETING) $(NAME) $$(HOME) $(UNSET)'], args: ['--who=$(NAME)', '$(GREETING)'] });
    expect(l.command).toEqual(['sh', '-c', 'echo hello web-0 $(HOME) $(UNSET)']);
    expect(l.args).toEqual(['--who=web-0', 'hello']);
  });

  it('absent or empty command/args keep the image ENTRYPOINT/CMD', () => {
    const l = launched({ command: [], env });
    expect(l.command).toBeUndefined();
    expect(l.args).toBeUndefined();
  });

  it('image, pull policy (defaulted like the API server), workingDir, tty, stdin, ports', () => {
    expect(launched({ image: 'nginx', workingDir: '/srv', tty: true, stdin: true, ports: [{ name: 'http', containerPort: 80 }] })).toMatchObject({
      name: 'app', init: false, image: 'nginx', imagePullPolicy: 'Always', workingDir: '/srv', tty: true, stdin: true, stdinOnce: false,
      ports: [{ name: 'http', containerPort: 80, protocol: 'TCP' }],
    });
    expect(launched({ imagePullPolicy: 'Never' }).imagePullPolicy).toBe('Never');
    expect(launched({}).imagePullPolicy).toBe('IfNotPresent');
  });

  it('an init container is found in initContainers', () => {
    const pod = cpod({ initContainers: [{ name: 'setup', image: 'busybox:1.36', command: ['true'] }] });
    const result = containerLaunch({ pod, containerName: 'setup', init: true, podDir: POD_DIR, lookups: OBJECTS });
    expect(result.ok && result.launch).toMatchObject({ name: 'setup', init: true, command: ['true'] });
    expect(containerLaunch({ pod, containerName: 'setup', init: false, podDir: POD_DIR, lookups: OBJECTS })).toEqual({
      ok: false, reason: 'CreateContainerConfigError', message: `container "setup" is not in the pod's containers`,
    });
  });
});

describe('kubelet container config: resources → cgroup numbers (calculateLinuxResources)', () => {
  it.each([
    [{}, { cpuShares: 2 }],
    [{ requests: { cpu: '250m' } }, { cpuShares: 256 }],
    [{ requests: { cpu: '1m' } }, { cpuShares: 2 }],
    [{ limits: { cpu: '500m' } }, { cpuShares: 512, cpuQuotaMicros: 50_000, cpuPeriodMicros: 100_000 }],
    [{ requests: { cpu: '100m' }, limits: { cpu: '2' } }, { cpuShares: 102, cpuQuotaMicros: 200_000, cpuPeriodMicros: 100_000 }],
    [{ requests: { cpu: '0' }, limits: { cpu: '1' } }, { cpuShares: 2, cpuQuotaMicros: 100_000, cpuPeriodMicros: 100_000 }],
    [{ limits: { cpu: '1m' } }, { cpuShares: 2, cpuQuotaMicros: 1000, cpuPeriodMicros: 100_000 }],
    [{ limits: { cpu: '0.5', memory: '128Mi' } }, { cpuShares: 512, cpuQuotaMicros: 50_000, cpuPeriodMicros: 100_000, memoryLimitBytes: 134_217_728 }],
    [{ limits: { memory: '1G' } }, { cpuShares: 2, memoryLimitBytes: 1_000_000_000 }],
    [{ requests: { cpu: '300' } }, { cpuShares: 262_144 }],
  ])('%j → %j', (resources, cgroup) => {
    expect(linuxResources(resources)).toEqual(cgroup);
    expect(launched({ resources }).resources).toEqual(cgroup);
  });
});

describe('kubelet container config: mounts (makeMounts)', () => {
  const volumes = [
    { name: 'scratch', emptyDir: {} },
    { name: 'cfg', configMap: { name: 'settings' } },
    { name: 'host', hostPath: { path: '/srv/data', type: 'Directory' } },
  ];
  const EMPTY = `${POD_DIR}/volumes/kubernetes.io~empty-dir/scratch`;
  const mounts = (volumeMounts: unknown[], env: unknown[] = []) => launched({ volumeMounts, env }, { spec: { volumes } }).mounts;

  it('each volumeMount in order; configMap volumes are always read-only', () => {
    expect(
      mounts([
        { name: 'scratch', mountPath: '/tmp/work' },
        { name: 'cfg', mountPath: '/etc/app' },
        { name: 'host', mountPath: 'data', readOnly: true, mountPropagation: 'HostToContainer' },
      ]),
    ).toEqual([
      { name: 'scratch', hostPath: EMPTY, containerPath: '/tmp/work', readOnly: false, propagation: 'rprivate' },
      { name: 'cfg', hostPath: `${POD_DIR}/volumes/kubernetes.io~configmap/cfg`, containerPath: '/etc/app', readOnly: true, propagation: 'rprivate' },
      { name: 'host', hostPath: '/srv/data', containerPath: '/data', readOnly: true, propagation: 'rslave' },
    ]);
  });

  it('subPath and subPathExpr point into the volume and are flagged for creation', () => {
    const env = [{ name: 'POD', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }];
    expect(mounts([{ name: 'scratch', mountPath: '/a', subPath: 'logs/./app/' }, { name: 'scratch', mountPath: '/b', subPathExpr: 'per-pod/$(POD)' }], env)).toEqual([
      { name: 'scratch', hostPath: `${EMPTY}/logs/app`, containerPath: '/a', readOnly: false, propagation: 'rprivate', subPath: { volumePath: EMPTY, path: 'logs/app' } },
      { name: 'scratch', hostPath: `${EMPTY}/per-pod/web-0`, containerPath: '/b', readOnly: false, propagation: 'rprivate', subPath: { volumePath: EMPTY, path: 'per-pod/web-0' } },
    ]);
  });

  it.each([
    [{ name: 'nope', mountPath: '/x' }, 'cannot find volume "nope" to mount into container "app"'],
    [{ name: 'scratch', mountPath: '/x', subPath: '/etc' }, 'error SubPath `/etc` must not be an absolute path'],
    [{ name: 'scratch', mountPath: '/x', subPath: 'a/../../etc' }, "unable to provision SubPath `a/../../etc`: must not contain '..'"],
    [{ name: 'scratch', mountPath: '/x', subPathExpr: '$(B)/$(A)/$(EMPTY)' }, 'missing value for A, B, EMPTY'],
    [{ name: 'scratch', mountPath: '/x', mountPropagation: 'Sideways' }, 'invalid MountPropagation mode: "Sideways"'],
  ])('%j → CreateContainerConfigError %j', (mount, message) => {
    expect(failure({ volumeMounts: [mount], env: [{ name: 'EMPTY', value: '' }] }, { spec: { volumes } })).toBe(message);
  });

  it('env errors come before mount errors, as in GenerateRunContainerOptions', () => {
    expect(failure({ volumeMounts: [{ name: 'nope', mountPath: '/x' }], envFrom: [{ configMapRef: { name: 'nope' } }] })).toBe('configmap "nope" not found');
  });
});

describe('kubelet downward API: FormatMap', () => {
  it('sorted key="value" lines, values quoted as Go does', () => {
    expect(formatMap({ b: 'two words', a: 'say "hi"\n\\', c: '\x00\x7f\tü' })).toBe('a="say \\"hi\\"\\n\\\\"\nb="two words"\nc="\\x00\\x7f\\tü"');
  });
});
