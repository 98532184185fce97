/** What starting a container means for containerd, as pure functions: argv, image names, ids, ctr run flags. */
import { containerId, containerLogPath, cpuQuotaUs, ctrRunArgs, shortUid } from '../../runtime/containerd/container-spec';
import { normalizeImageName, repoDigest } from '../../runtime/image/image-name';
import { pullDecision } from '../../runtime/image/pull-policy';
import { needsImageDefaults, processArgs } from '../../runtime/containerd/process-args';

describe('process args: Kubernetes command/args against the image ENTRYPOINT/CMD', () => {
  const image = { entrypoint: ['/docker-entrypoint.sh'], cmd: ['nginx', '-g', 'daemon off;'] };
  it.each([
    ['neither → ENTRYPOINT + CMD', {}, ['/docker-entrypoint.sh', 'nginx', '-g', 'daemon off;']],
    ['command only → command (CMD dropped)', { command: ['/bin/sh'] }, ['/bin/sh']],
    ['args only → ENTRYPOINT + args', { args: ['-v'] }, ['/docker-entrypoint.sh', '-v']],
    ['both → command + args', { command: ['echo'], args: ['a', 'b'] }, ['echo', 'a', 'b']],
    ['empty lists count as unset', { command: [], args: [] }, ['/docker-entrypoint.sh', 'nginx', '-g', 'daemon off;']],
  ])('%s', (_what, spec, argv) => {
    expect(processArgs(spec, image)).toEqual(argv);
  });

  it('ENTRYPOINT [""] is none; an image with neither and no command is an error', () => {
    expect(processArgs({}, { entrypoint: [''], cmd: ['sh'] })).toEqual(['sh']);
    expect(processArgs({ args: ['x'] }, { entrypoint: [], cmd: ['sh'] })).toEqual(['x']);
    expect(() => processArgs({}, { entrypoint: [], cmd: [] })).toThrow(/no command specified/);
  });

  it('the image config is needed exactly when no command is given', () => {
    expect(needsImageDefaults({ command: ['a'] })).toBe(false);
    expect(needsImageDefaults({ args: ['a'] })).toBe(true);
    expect(needsImageDefaults({ command: [] })).toBe(true);
    expect(processArgs({ command: ['a'], args: ['b'] }, undefined)).toEqual(['a', 'b']);
    expect(() => processArgs({ args: ['b'] }, undefined)).toThrow(/image config is needed/);
  });
});

describe('image references as Docker normalizes them', () => {
  it.each([
    ['busybox', 'docker.io/library/busybox:latest'],
    ['busybox:1.36', 'docker.io/library/busybox:1.36'],
    ['skiff/busybox:test', 'docker.io/skiff/busybox:test'],
    ['docker.io/busybox', 'docker.io/library/busybox:latest'],
    ['index.docker.io/library/busybox:1', 'docker.io/library/busybox:1'],
    ['registry.local:5000/team/app', 'registry.local:5000/team/app:latest'],
    ['localhost/app:v2', 'localhost/app:v2'],
    ['127.0.0.1:1/absent:1', '127.0.0.1:1/absent:1'],
    ['busybox@sha256:abc', 'docker.io/library/busybox@sha256:abc'],
    ['ghcr.io/o/r:t@sha256:abc', 'ghcr.io/o/r:t@sha256:abc'],
  ])('%s → %s', (image, ref) => {
    expect(normalizeImageName(image)).toBe(ref);
  });

  it('rejects empty or spaced references; the image id is the repository digest', () => {
    expect(() => normalizeImageName('')).toThrow(/invalid image reference/);
    expect(() => normalizeImageName('a b')).toThrow(/invalid image reference/);
    expect(() => normalizeImageName('busybox:')).toThrow(/invalid image reference/);
    expect(repoDigest('busybox:1.36', 'sha256:abc')).toBe('docker.io/library/busybox@sha256:abc');
  });

  it('pull decisions by policy (kubelet shouldPullImage)', () => {
    expect(['Always', 'IfNotPresent', 'Never'].map((p) => [pullDecision(p as 'Always', true), pullDecision(p as 'Always', false)])).toEqual([
      ['pull', 'pull'],
      ['use', 'pull'],
      ['use', 'refuse'],
    ]);
  });
});

describe('container ids, log paths, limits', () => {
  const uid = '3f2a6c1e-9b7d-4e21-8c55-0a1b2c3d4e5f';
  it('<pod-uid-short>-<container>-<attempt>, within containerd\'s 76 characters', () => {
    expect(shortUid(uid)).toBe('3f2a6c1e9b7d');
    expect(containerId(uid, 'web', 0)).toBe('3f2a6c1e9b7d-web-0');
    expect(containerId(uid, 'sidecar-proxy', 12)).toBe('3f2a6c1e9b7d-sidecar-proxy-12');
    const long = containerId(uid, `a${'b'.repeat(62)}`, 3);
    expect(long.length).toBeLessThanOrEqual(76);
    expect(long).toMatch(/^3f2a6c1e9b7d-ab+-[0-9a-f]{8}-3$/);
    expect(containerId(uid, `a${'b'.repeat(62)}`, 3)).toBe(long);
    expect(() => containerId(uid, 'Bad_Name', 0)).toThrow(/invalid container name/);
    expect(() => containerId(uid, 'web', -1)).toThrow(/invalid attempt/);
  });

  it('log files in the kubelet layout', () => {
    expect(containerLogPath('/var/log/pods', { uid, namespace: 'default', name: 'web-0' }, 'nginx', 2)).toBe(`/var/log/pods/default_web-0_${uid}/nginx/2.log`);
  });

  it('cpu limits in millicores → CFS quota over a 100 ms period, at least 1 ms', () => {
    expect(cpuQuotaUs(500)).toBe(50_000);
    expect(cpuQuotaUs(2000)).toBe(200_000);
    expect(cpuQuotaUs(1)).toBe(1_000);
  });
});

describe('ctr run flags', () => {
  const base = { id: 'u-c-0', imageRef: 'docker.io/library/busybox:latest', argv: ['sh', '-c', 'echo hi'], labels: { 'io.skiff.pod.uid': 'u' }, logPath: '/logs/c/0.log' };
  it('detached, logging to the file, labelled, the image then the id then the argv', () => {
    expect(ctrRunArgs({ ...base, container: { name: 'c', image: 'busybox' } })).toEqual([
      'run', '--detach', '--log-uri', 'file:///logs/c/0.log', '--label', 'io.skiff.pod.uid=u', 'docker.io/library/busybox:latest', 'u-c-0', 'sh', '-c', 'echo hi',
    ]);
  });

  it('env, working dir, bind mounts, the pod netns, memory and cpu limits', () => {
    const args = ctrRunArgs({
      ...base,
      netnsPath: '/var/run/netns/skiff-abc',
      container: {
        name: 'c', image: 'busybox', env: [{ name: 'A', value: 'x=y z' }], workingDir: '/work',
        mounts: [{ hostPath: '/data', containerPath: '/d' }, { hostPath: '/etc/cfg', containerPath: '/cfg', readOnly: true }],
        memoryLimitBytes: 16 * 1024 * 1024, cpuLimitMillis: 250,
      },
    });
    expect(args.slice(6, -5)).toEqual([
      '--env', 'A=x=y z', '--cwd', '/work',
      '--mount', 'type=bind,src=/data,dst=/d,options=rbind:rw', '--mount', 'type=bind,src=/etc/cfg,dst=/cfg,options=rbind:ro',
      '--with-ns', 'network:/var/run/netns/skiff-abc', '--memory-limit', '16777216', '--cpu-quota', '25000', '--cpu-period', '100000',
    ]);
  });

  it('refuses what ctr would misread', () => {
    expect(() => ctrRunArgs({ ...base, container: { name: 'c', image: 'b', env: [{ name: 'A=B', value: '' }] } })).toThrow(/invalid environment variable name/);
    expect(() => ctrRunArgs({ ...base, container: { name: 'c', image: 'b', mounts: [{ hostPath: 'rel', containerPath: '/d' }] } })).toThrow(/invalid mount path/);
    expect(() => ctrRunArgs({ ...base, container: { name: 'c', image: 'b', mounts: [{ hostPath: '/a,b', containerPath: '/d' }] } })).toThrow(/invalid mount path/);
  });
});
