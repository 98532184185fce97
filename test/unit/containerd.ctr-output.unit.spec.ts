/** Parsers of ctr 1.6.20 output, on samples captured from it (tabwriter tables keep their padding). */
import {
  manifestConfigDigest, parseContainerInfo, parseEventLine, parseIdLines, parseImageConfig, parseImageList, parseTable, parseTaskDeleteExitCode,
  parseTaskList, pickManifest, toTaskEvent,
} from '../../runtime/containerd/ctr-output';
import { goArch } from '../../runtime/image/image-config';
import { classifyCtrMessage, ctrMessage, CtrError } from '../../runtime/containerd/errors';

const TASKS = [
  'TASK     PID     STATUS    ',
  'oom1     7613    STOPPED',
  'trap1    7959    STOPPED',
  'ign      8007    RUNNING',
  'fresh    0       CREATED',
  '',
].join('\n');

const DIGEST = 'sha256:24007d4140dbc3ecfe486ec86f2a73f3508a046da642e1d28eb698eec65d5dcf';
const IMAGES = [
  'REF                                    TYPE                                                      DIGEST                                                                  SIZE    PLATFORMS                           LABELS ',
  `docker.io/library/busybox:1.36         application/vnd.docker.distribution.manifest.list.v2+json ${DIGEST} 2.1 MiB linux/386,linux/amd64,linux/arm64/v8 -      `,
  `docker.io/skiff/busybox:test           application/vnd.oci.image.manifest.v1+json                ${DIGEST} 2.0 MiB linux/amd64                         -      `,
  '',
].join('\n');

const INFO = `{
    "ID": "a1",
    "Labels": {
        "io.containerd.image.config.stop-signal": "SIGTERM",
        "io.skiff.pod.uid": "abc"
    },
    "Image": "docker.io/skiff/busybox:test",
    "Runtime": { "Name": "io.containerd.runc.v2", "Options": { "type_url": "containerd.runc.v1.Options" } },
    "SnapshotKey": "a1",
    "Snapshotter": "overlayfs",
    "CreatedAt": "2026-11-27T18:10:18.0972543Z",
    "UpdatedAt": "2026-11-27T18:10:18.0972543Z",
    "Extensions": null,
    "Spec": { "ociVersion": "1.0.2-dev", "process": { "args": ["sh"] }, "linux": { "cgroupsPath": "/exp/a1" } }
}
`;

const EVENTS = [
  '2026-11-27 18:10:33.921858745 +0000 UTC exp /tasks/start {"container_id":"oom2","pid":7785}',
  '2026-11-27 18:10:34.030408513 +0000 UTC exp /tasks/oom {"container_id":"oom2"}',
  '2026-11-27 18:10:34.043878421 +0000 UTC exp /tasks/exit {"container_id":"oom2","id":"oom2","pid":7785,"exit_status":137,"exited_at":"2026-11-27T18:10:34.043831934Z"}',
  '2026-11-27 18:10:34.639449106 +0000 UTC exp /tasks/exit {"container_id":"srv","id":"srv","pid":7834,"exited_at":"2026-11-27T18:10:34.639383513Z"}',
  '2026-11-27 18:10:39.852016942 +0000 UTC exp /tasks/exit {"container_id":"trap1","id":"e1","pid":8049,"exit_status":4,"exited_at":"2026-11-27T18:10:39.851991915Z"}',
  '2026-11-27 18:10:18.098564983 +0000 UTC exp /containers/create {"id":"a1","image":"docker.io/skiff/busybox:test","runtime":{"name":"io.containerd.runc.v2"}}',
];

describe('ctr output: tables', () => {
  it('tasks ls → rows by header offsets; unknown statuses become UNKNOWN', () => {
    expect(parseTaskList(TASKS)).toEqual([
      { id: 'oom1', pid: 7613, status: 'STOPPED' },
      { id: 'trap1', pid: 7959, status: 'STOPPED' },
      { id: 'ign', pid: 8007, status: 'RUNNING' },
      { id: 'fresh', pid: 0, status: 'CREATED' },
    ]);
    expect(parseTaskList('TASK    PID    STATUS    \nx       1      WEIRD\n')).toEqual([{ id: 'x', pid: 1, status: 'UNKNOWN' }]);
    expect(parseTaskList('TASK    PID    STATUS    \n')).toEqual([]);
    expect(parseTaskList('')).toEqual([]);
  });

  it('images ls → ref, type, digest, size with its space, platforms', () => {
    expect(parseImageList(IMAGES)).toEqual([
      { ref: 'docker.io/library/busybox:1.36', mediaType: 'application/vnd.docker.distribution.manifest.list.v2+json', digest: DIGEST, size: '2.1 MiB', platforms: ['linux/386', 'linux/amd64', 'linux/arm64/v8'] },
      { ref: 'docker.io/skiff/busybox:test', mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: DIGEST, size: '2.0 MiB', platforms: ['linux/amd64'] },
    ]);
    expect(parseImageList('REF TYPE DIGEST SIZE PLATFORMS LABELS \n')).toEqual([]);
  });

  it('a short last row and a generic table', () => {
    expect(parseTable('A    B    C\nx    y\n')).toEqual([{ A: 'x', B: 'y', C: '' }]);
  });

  it('containers ls -q → ids', () => {
    expect(parseIdLines('a1\nb2\n\n')).toEqual(['a1', 'b2']);
  });

  it('containers info → id, labels, image, creation time, snapshot key, cgroups path', () => {
    expect(parseContainerInfo(INFO)).toEqual({
      id: 'a1',
      labels: { 'io.containerd.image.config.stop-signal': 'SIGTERM', 'io.skiff.pod.uid': 'abc' },
      image: 'docker.io/skiff/busybox:test',
      createdAtMs: Date.parse('2026-11-27T18:10:18.097Z'),
      snapshotKey: 'a1',
      cgroupsPath: '/exp/a1',
    });
    expect(parseContainerInfo('{"ID":"b","Labels":null,"Spec":null}')).toEqual({ id: 'b', labels: {}, image: '', createdAtMs: 0, snapshotKey: '' });
  });
});

describe('ctr output: events', () => {
  it('parses each line: Go time, namespace, topic, JSON payload', () => {
    expect(parseEventLine(EVENTS[1])).toEqual({ atMs: Date.parse('2026-11-27T18:10:34.030Z'), namespace: 'exp', topic: '/tasks/oom', payload: { container_id: 'oom2' } });
    expect(parseEventLine('time="2026-11-27T18:10:41Z" level=info msg="trying next host"')).toBeUndefined();
    expect(parseEventLine('')).toBeUndefined();
    expect(parseEventLine('2026-11-27 18:10:34.03 +0200 CEST ns /tasks/oom {"container_id":"x"}')?.atMs).toBe(Date.parse('2026-11-27T16:10:34.030Z'));
  });

  it('types task events: exit (status 0 when omitted; exec exits keep their process id), oom, start; others are ignored', () => {
    expect(EVENTS.map((l) => toTaskEvent(parseEventLine(l)!))).toEqual([
      { kind: 'start', containerId: 'oom2', pid: 7785, atMs: Date.parse('2026-11-27T18:10:33.921Z') },
      { kind: 'oom', containerId: 'oom2', atMs: Date.parse('2026-11-27T18:10:34.030Z') },
      { kind: 'exit', containerId: 'oom2', processId: 'oom2', exitCode: 137, exitedAtMs: Date.parse('2026-11-27T18:10:34.043Z') },
      { kind: 'exit', containerId: 'srv', processId: 'srv', exitCode: 0, exitedAtMs: Date.parse('2026-11-27T18:10:34.639Z') },
      { kind: 'exit', containerId: 'trap1', processId: 'e1', exitCode: 4, exitedAtMs: Date.parse('2026-11-27T18:10:39.851Z') },
      undefined,
    ]);
  });
});

describe('ctr output: tasks delete, errors', () => {
  it('tasks delete reports a non-zero status only as a warning on stderr', () => {
    expect(parseTaskDeleteExitCode('time="2026-11-27T18:10:20Z" level=warning msg="task a1 exit with non-zero exit code 3"\n')).toBe(3);
    expect(parseTaskDeleteExitCode('')).toBe(0);
  });

  it('the ctr: line is the message; its words give the kind', () => {
    const notFound = 'time="2026-11-27T18:10:20Z" level=error msg="failed to load task from a1" error="no running task found: task a1 not found: not found"\nctr: no running task found: task a1 not found: not found\n';
    expect(ctrMessage(notFound)).toBe('no running task found: task a1 not found: not found');
    expect(classifyCtrMessage(notFound)).toBe('not-found');
    expect(classifyCtrMessage('ctr: process already finished: not found\n')).toBe('not-found');
    expect(classifyCtrMessage('ctr: container "nope" in namespace "exp": not found\n')).toBe('not-found');
    expect(classifyCtrMessage('ctr: snapshot "ign": already exists\n')).toBe('already-exists');
    expect(classifyCtrMessage('ctr: failed to dial "/tmp/nonexist.sock": context deadline exceeded: connection error: desc = "transport: error while dialing: dial unix:///tmp/nonexist.sock: timeout"\n')).toBe('unavailable');
    expect(classifyCtrMessage('ctr: failed to resolve reference "127.0.0.1:1/nothing:latest": failed to do request\n')).toBe('other');
    const e = new CtrError(['tasks', 'kill', 'x'], 1, 'ctr: process already finished: not found\n');
    expect(e).toMatchObject({ kind: 'not-found', exitCode: 1, message: 'ctr tasks kill x: process already finished: not found' });
    expect(new CtrError(['version'], null, '', { timedOut: true }).kind).toBe('timeout');
  });
});

describe('ctr output: image content', () => {
  const index = JSON.stringify({
    schemaVersion: 2,
    manifests: [
      { digest: 'sha256:arm', platform: { os: 'linux', architecture: 'arm64', variant: 'v8' } },
      { digest: 'sha256:amd', platform: { os: 'linux', architecture: 'amd64' } },
    ],
  });

  it('an index → the manifest for the platform; a manifest → undefined; no match → error', () => {
    expect(pickManifest(index, { os: 'linux', architecture: 'amd64' })).toBe('sha256:amd');
    expect(pickManifest('{"schemaVersion":2,"config":{"digest":"sha256:c"}}', { os: 'linux', architecture: 'amd64' })).toBeUndefined();
    expect(() => pickManifest(index, { os: 'linux', architecture: 's390x' })).toThrow(/no manifest for linux\/s390x/);
    expect(manifestConfigDigest('{"config":{"digest":"sha256:c"}}')).toBe('sha256:c');
    expect(goArch('x64')).toBe('amd64');
  });

  it('the config → entrypoint, cmd, env, workingDir, stop signal (nulls as empty)', () => {
    expect(parseImageConfig('{"config":{"Entrypoint":["echo","entry"],"Cmd":["default"],"Env":["A=1"],"WorkingDir":"/w","StopSignal":"SIGQUIT"}}')).toEqual({
      entrypoint: ['echo', 'entry'], cmd: ['default'], env: ['A=1'], workingDir: '/w', stopSignal: 'SIGQUIT',
    });
    expect(parseImageConfig('{"config":{"Entrypoint":null,"Cmd":null}}')).toEqual({ entrypoint: [], cmd: [], env: [], workingDir: '' });
    expect(parseImageConfig('{}')).toEqual({ entrypoint: [], cmd: [], env: [], workingDir: '' });
  });
});
