/** ObservedContainers from labels + task rows + events; and the small pure parts of daemon, sandbox and cgroup. */
import { parseOomKillCount } from '../../runtime/containerd/cgroup';
import { containerdConfigToml, containerdDirs, isShimOf, mountPointsUnder } from '../../runtime/containerd/daemon';
import { containerLabels, exitFromLabels, exitLabels, observe, LABEL } from '../../runtime/containerd/labels';
import { parseNetnsList, sandboxName } from '../../runtime/containerd/sandbox';

const uid = '3f2a6c1e-9b7d-4e21-8c55-0a1b2c3d4e5f';
const labels = containerLabels(
  { pod: { uid, namespace: 'default', name: 'web-0' }, container: { name: 'nginx', image: 'nginx:1.25' }, attempt: 2, init: false },
  { imageId: 'docker.io/library/nginx@sha256:abc' },
  '/logs/x/2.log',
);
const id = '3f2a6c1e9b7d-nginx-2';
const base = { id: id, podUid: uid, name: 'nginx', attempt: 2, init: false, image: 'nginx:1.25', imageId: 'docker.io/library/nginx@sha256:abc' };

describe('observe: when the task runs', () => {
  it('RUNNING (or paused) → running, with the start time', () => {
    expect(observe({ id, labels, task: { id, pid: 9, status: 'RUNNING' }, startedAtMs: 1_000 })).toEqual({ ...base, state: 'running', startedAtMs: 1_000 });
    expect(observe({ id, labels, task: { id, pid: 9, status: 'PAUSED' } }).state).toBe('running');
    expect(observe({ id, labels, task: { id, pid: 0, status: 'CREATED' } }).state).toBe('created');
  });
  it('the labels carry what a new instance needs', () => {
    expect(labels).toEqual({
      [LABEL.podUid]: uid, [LABEL.podNamespace]: 'default', [LABEL.podName]: 'web-0', [LABEL.containerName]: 'nginx', [LABEL.attempt]: '2',
      [LABEL.init]: 'false', [LABEL.image]: 'nginx:1.25', [LABEL.imageId]: 'docker.io/library/nginx@sha256:abc', [LABEL.logPath]: '/logs/x/2.log',
    });
  });
});

describe('observe: when the process has ended', () => {
  it('exit 0 → Completed; non-zero → Error; an OOM event → OOMKilled whatever the code', () => {
    const exit = { exitCode: 0, finishedAtMs: 2_000, oomKilled: false };
    expect(observe({ id, labels, startedAtMs: 1_000, exit })).toEqual({ ...base, state: 'exited', startedAtMs: 1_000, finishedAtMs: 2_000, exitCode: 0, reason: 'Completed' });
    expect(observe({ id, labels, exit: { ...exit, exitCode: 3 } }).reason).toBe('Error');
    expect(observe({ id, labels, exit: { ...exit, exitCode: 137 }, oomKilled: true }).reason).toBe('OOMKilled');
    expect(observe({ id, labels, exit: { ...exit, oomKilled: true } }).reason).toBe('OOMKilled');
  });

  it('from labels alone (adoption), with the start error message', () => {
    const l = { ...labels, ...exitLabels({ exitCode: 128, finishedAtMs: 5_000, oomKilled: false, message: 'exec: "x": not found' }), [LABEL.startedAt]: '4000' };
    expect(observe({ id, labels: l })).toEqual({ ...base, state: 'exited', startedAtMs: 4_000, finishedAtMs: 5_000, exitCode: 128, reason: 'Error', message: 'exec: "x": not found' });
    expect(exitFromLabels(labels)).toBeUndefined();
    expect(exitFromLabels({ [LABEL.exitCode]: 'x' })).toBeUndefined();
  });

  it('a STOPPED task with no known exit is unknown; no task and no exit: created if never started, else unknown', () => {
    expect(observe({ id, labels, task: { id, pid: 1, status: 'STOPPED' } }).state).toBe('unknown');
    expect(observe({ id, labels }).state).toBe('created');
    expect(observe({ id, labels, startedAtMs: 1 }).state).toBe('unknown');
    expect(observe({ id, labels, task: { id, pid: 1, status: 'UNKNOWN' } }).state).toBe('unknown');
  });
});

describe('sandboxes, daemon, cgroups', () => {
  it('netns names and ip netns list', () => {
    expect(sandboxName(uid)).toBe('skiff-3f2a6c1e9b7d');
    expect(sandboxName(uid, 'skiff-t1-')).toBe('skiff-t1-3f2a6c1e9b7d');
    expect(parseNetnsList('skiff-abc (id: 0)\nother\n\n')).toEqual(['skiff-abc', 'other']);
  });

  it('config.toml: own root, state, socket, opt dir; CRI off', () => {
    const toml = containerdConfigToml(containerdDirs('/tmp/d'));
    expect(toml).toContain('root = "/tmp/d/containerd/root"');
    expect(toml).toContain('state = "/tmp/d/containerd/state"');
    expect(toml).toContain('disabled_plugins = ["io.containerd.grpc.v1.cri"]');
    expect(toml).toMatch(/\[grpc\]\n {2}address = "\/tmp\/d\/containerd\/containerd.sock"/);
    expect(toml).toMatch(/\[ttrpc\]\n {2}address = "\/tmp\/d\/containerd\/containerd.sock.ttrpc"/);
    expect(toml).toContain('path = "/tmp/d/containerd/opt"');
  });

  it('mount points under a dir, deepest first, escapes decoded', () => {
    const mountinfo = [
      '22 1 254:0 / / rw,relatime - ext4 /dev/vda rw',
      '100 22 0:50 / /tmp/d/containerd/state/io.containerd.runtime.v2.task/ns/a/rootfs rw - overlay overlay rw',
      '101 22 0:51 / /tmp/d/containerd/root/with\\040space rw - tmpfs tmpfs rw',
      '102 22 0:52 / /tmp/dx rw - tmpfs tmpfs rw',
    ].join('\n');
    expect(mountPointsUnder(mountinfo, '/tmp/d')).toEqual(['/tmp/d/containerd/state/io.containerd.runtime.v2.task/ns/a/rootfs', '/tmp/d/containerd/root/with space']);
  });

  it('shims are ours only when they serve our socket', () => {
    const argv = ['/usr/bin/containerd-shim-runc-v2', '-namespace', 'n', '-id', 'a', '-address', '/tmp/d/containerd/containerd.sock', ''];
    expect(isShimOf(argv, '/tmp/d/containerd/containerd.sock')).toBe(true);
    expect(isShimOf(argv, '/run/containerd/containerd.sock')).toBe(false);
    expect(isShimOf(['/usr/bin/sleep', '-address', '/tmp/d/containerd/containerd.sock'], '/tmp/d/containerd/containerd.sock')).toBe(false);
  });

  it('oom_kill counters of cgroup v1 memory.oom_control and v2 memory.events', () => {
    expect(parseOomKillCount('oom_kill_disable 0\nunder_oom 0\noom_kill 2\n')).toBe(2);
    expect(parseOomKillCount('low 0\nhigh 0\nmax 3\noom 1\noom_kill 1\n')).toBe(1);
    expect(parseOomKillCount('oom_kill_disable 0\nunder_oom 0\n')).toBe(0);
  });
});
