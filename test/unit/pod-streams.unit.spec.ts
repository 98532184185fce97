/**
 * pods/log and pods/exec on the API side, the pure parts: query decoding as kube-apiserver does it,
 * the container choice and the kubelet's state checks with upstream's wording, the remote command
 * framing and statuses, and the CLI's container default.
 */
import type { KubeObject } from '../../actors/kinds/types';
import { Rejection } from '../../actors/rejection';
import { boolParam, containerOf, execUnavailable, logUnavailable, podExecOptionsOf, podLogOptionsOf } from '../../gateways/api/pod-stream-options';
import {
  chooseSubprotocol, decodeFrame, encodeFrame, exitCodeOf, exitStatus, failureStatus, parseResize, resizeMessage, statusMessage,
} from '../../gateways/api/remote-command';
import { chooseContainer } from '../../cli/pod-container';
import { podArgument } from '../../cli/commands/logs';

const NOW = Date.UTC(2026, 10, 27, 12, 0, 0);
const q = (text: string) => new URLSearchParams(text);

function rejected(fn: () => unknown): { code: number; reason: string; message: string } {
  try {
    fn();
  } catch (err) {
    if (err instanceof Rejection) return { code: err.status.code, reason: err.status.reason, message: err.status.message };
    throw err;
  }
  throw new Error('did not reject');
}

function pod(spec: Record<string, unknown>, status: Record<string, unknown> = {}, annotations?: Record<string, string>): KubeObject {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'default', uid: 'u', ...(annotations ? { annotations } : {}) }, spec, status };
}
const containers = (...names: string[]) => names.map((name) => ({ name, image: 'busybox' }));

describe('pods/log: query → PodLogOptions', () => {
  it('defaults: nothing asked', () => {
    expect(podLogOptionsOf(q(''), 'p', NOW)).toEqual({ follow: false, previous: false, timestamps: false });
  });

  it('every option kubectl sends', () => {
    expect(podLogOptionsOf(q('container=c1&follow=true&previous=true&tailLines=10&timestamps=true&limitBytes=100&sinceSeconds=3600'), 'p', NOW)).toEqual({
      container: 'c1', follow: true, previous: true, timestamps: true, tailLines: 10, limitBytes: 100, sinceMs: NOW - 3_600_000,
    });
    expect(podLogOptionsOf(q('sinceTime=2026-11-27T11:00:00Z'), 'p', NOW).sinceMs).toBe(NOW - 3_600_000);
  });

  it("booleans as Go's query decoding reads them", () => {
    const cases: [string, boolean][] = [['', false], ['follow', true], ['follow=true', true], ['follow=1', true], ['follow=', true], ['follow=yes', true], ['follow=0', false], ['follow=f', false], ['follow=False', false]];
    for (const [text, want] of cases) expect([text, boolParam(q(text), 'follow')]).toEqual([text, want]);
  });

  it('undecodable numbers and times are 400', () => {
    expect(rejected(() => podLogOptionsOf(q('tailLines=ten'), 'p', NOW))).toEqual({ code: 400, reason: 'BadRequest', message: 'strconv.ParseInt: parsing "ten": invalid syntax' });
    expect(rejected(() => podLogOptionsOf(q('sinceTime=yesterday'), 'p', NOW)).code).toBe(400);
  });

  it('values Kubernetes refuses are 422 PodLogOptions … is invalid', () => {
    expect(rejected(() => podLogOptionsOf(q('tailLines=-1'), 'p', NOW))).toEqual({
      code: 422, reason: 'Invalid', message: 'PodLogOptions "p" is invalid: tailLines: Invalid value: -1: must be greater than or equal to 0',
    });
    expect(rejected(() => podLogOptionsOf(q('limitBytes=0&sinceSeconds=0'), 'p', NOW)).message).toBe(
      'PodLogOptions "p" is invalid: [limitBytes: Invalid value: 0: must be greater than 0, sinceSeconds: Invalid value: 0: must be greater than 0]',
    );
    expect(rejected(() => podLogOptionsOf(q('sinceSeconds=5&sinceTime=2026-11-27T11:00:00Z'), 'p', NOW)).message).toBe(
      'PodLogOptions "p" is invalid: : Forbidden: at most one of `sinceTime` or `sinceSeconds` may be specified',
    );
  });
});

describe('pods/exec: query → PodExecOptions', () => {
  it('command repeated once per argv element, as kubectl sends it', () => {
    expect(podExecOptionsOf(q('command=sh&command=-c&command=echo%20a%20b&container=c1&stderr=true&stdout=true&stdin=true&tty=true'))).toEqual({
      container: 'c1', command: ['sh', '-c', 'echo a b'], stdin: true, stdout: true, stderr: true, tty: true,
    });
  });

  it('no command, or no stream at all, is 400', () => {
    expect(rejected(() => podExecOptionsOf(q('stdout=true'))).message).toBe('you must specify at least one command for the container');
    expect(rejected(() => podExecOptionsOf(q('command=ls'))).message).toBe('you must specify at least 1 of stdin, stdout, stderr');
  });
});

describe('the container a request is for', () => {
  const multi = pod({ initContainers: containers('setup'), containers: containers('a', 'b') });

  it("the pod's only container when none is named", () => {
    expect(containerOf(pod({ containers: containers('main') }), undefined, 'log')).toBe('main');
    expect(containerOf(multi, 'setup', 'exec')).toBe('setup');
  });

  it('logs: a choice lists every container, init ones first', () => {
    expect(rejected(() => containerOf(multi, undefined, 'log'))).toEqual({ code: 400, reason: 'BadRequest', message: 'a container name must be specified for pod p, choose one of: [setup a b]' });
  });

  it('exec: a choice lists the app containers, then the init ones', () => {
    expect(rejected(() => containerOf(multi, undefined, 'exec')).message).toBe('a container name must be specified for pod p, choose one of: [a b] or one of the init containers: [setup]');
    expect(rejected(() => containerOf(pod({ containers: containers('a', 'b') }), undefined, 'exec')).message).toBe('a container name must be specified for pod p, choose one of: [a b]');
  });

  it('a container the pod does not have', () => {
    expect(rejected(() => containerOf(multi, 'zzz', 'log')).message).toBe('container zzz is not valid for pod p');
  });
});

describe("the kubelet's checks of container state", () => {
  const at = (state: Record<string, unknown>, lastState: Record<string, unknown> = {}) =>
    pod({ containers: containers('c1') }, { containerStatuses: [{ name: 'c1', containerID: 'x://1', state, lastState }] });

  it('logs: running or terminated containers have a log; waiting ones say why not', () => {
    expect(logUnavailable(at({ running: {} }), 'c1', false)).toBeUndefined();
    expect(logUnavailable(at({ terminated: { containerID: 'x://1' } }), 'c1', false)).toBeUndefined();
    expect(logUnavailable(at({ waiting: { reason: 'ContainerCreating' } }), 'c1', false)).toBe('container "c1" in pod "p" is waiting to start: ContainerCreating');
    expect(logUnavailable(at({ waiting: { reason: 'ImagePullBackOff' } }), 'c1', false)).toBe('container "c1" in pod "p" is waiting to start: trying and failing to pull image');
    expect(logUnavailable(at({ waiting: { reason: 'ErrImagePull' } }), 'c1', false)).toBe('container "c1" in pod "p" is waiting to start: image can\'t be pulled');
    expect(logUnavailable(at({}), 'c1', false)).toBe('container "c1" in pod "p" is waiting to start - no logs yet');
    expect(logUnavailable(pod({ containers: containers('c1') }), 'c1', false)).toBe('container "c1" in pod "p" is not available');
  });

  it('logs --previous: only after a restart', () => {
    expect(logUnavailable(at({ running: {} }), 'c1', true)).toBe('previous terminated container "c1" in pod "p" not found');
    expect(logUnavailable(at({ running: {} }, { terminated: { containerID: 'x://0' } }), 'c1', true)).toBeUndefined();
  });

  it('exec: only into a running container', () => {
    expect(execUnavailable(at({ running: {} }), 'c1')).toBeUndefined();
    expect(execUnavailable(at({ waiting: { reason: 'ContainerCreating' } }), 'c1')).toBe('container not found ("c1")');
  });
});

describe('remote command protocol (WebSocket channels)', () => {
  it('prefers v5, then v4, then the unversioned protocol; none of ours → no header', () => {
    expect(chooseSubprotocol(new Set(['v5.channel.k8s.io']))).toBe('v5.channel.k8s.io');
    expect(chooseSubprotocol(new Set(['channel.k8s.io', 'v4.channel.k8s.io', 'v3.channel.k8s.io']))).toBe('v4.channel.k8s.io');
    expect(chooseSubprotocol(new Set(['base64.channel.k8s.io']))).toBe(false);
  });

  it('frames: the first byte is the channel', () => {
    expect([...encodeFrame(1, 'hi')]).toEqual([1, 104, 105]);
    expect([...encodeFrame(255, Uint8Array.of(0))]).toEqual([255, 0]);
    expect(decodeFrame(Buffer.from([2, 65]))).toEqual({ channel: 2, data: Buffer.from('A') });
    expect(decodeFrame(Buffer.alloc(0))).toBeUndefined();
  });

  it('resize: kubectl\'s JSON with a newline; nonsense is ignored', () => {
    expect(parseResize(Buffer.from('{"Width":120,"Height":40}\n'))).toEqual({ cols: 120, rows: 40 });
    expect(parseResize(Buffer.from('{"Width":0,"Height":40}'))).toBeUndefined();
    expect(parseResize(Buffer.from('nope'))).toBeUndefined();
    expect(resizeMessage(80, 24).subarray(1).toString()).toBe('{"Width":80,"Height":24}');
  });

  it('statuses on channel 3: exactly what the kubelet sends, and read back', () => {
    expect(JSON.stringify(exitStatus(0))).toBe('{"metadata":{},"status":"Success"}');
    expect(JSON.stringify(exitStatus(3))).toBe(
      '{"metadata":{},"status":"Failure","message":"command terminated with non-zero exit code: exit status 3","reason":"NonZeroExitCode","details":{"causes":[{"reason":"ExitCode","message":"3"}]}}',
    );
    expect(exitCodeOf(exitStatus(0))).toBe(0);
    expect(exitCodeOf(exitStatus(3))).toBe(3);
    expect(exitCodeOf(failureStatus({ code: 500, reason: 'InternalError', message: 'x' }))).toBeUndefined();
  });

  it('before v4 the status channel carries only a failure\'s text', () => {
    expect(statusMessage('channel.k8s.io', exitStatus(0))).toBeUndefined();
    expect(statusMessage('channel.k8s.io', exitStatus(2))?.subarray(1).toString()).toBe('command terminated with non-zero exit code: exit status 2');
    expect(statusMessage('v5.channel.k8s.io', exitStatus(0))?.subarray(1).toString()).toBe('{"metadata":{},"status":"Success"}');
  });
});

describe('skiff logs/exec: the pod argument and the default container', () => {
  it('NAME or pod/NAME', () => {
    expect(podArgument(['web'], 'logs')).toBe('web');
    expect(podArgument(['pod/web'], 'logs')).toBe('web');
    expect(() => podArgument(['deploy/web'], 'logs')).toThrow('skiff logs works on pods only, not "deploy/web"');
    expect(() => podArgument([], 'exec')).toThrow('skiff exec needs a pod name');
  });

  it("kubectl's choice: named, annotated, else the first with a notice", () => {
    const notices: string[] = [];
    const stderr = { write: (t: string | Uint8Array) => void notices.push(String(t)) };
    const multi = pod({ initContainers: containers('setup'), containers: containers('a', 'b') });
    expect(chooseContainer(multi, 'b', stderr)).toBe('b');
    expect(chooseContainer(pod({ containers: containers('a', 'b') }, {}, { 'kubectl.kubernetes.io/default-container': 'b' }), undefined, stderr)).toBe('b');
    expect(notices).toEqual([]);
    expect(chooseContainer(multi, undefined, stderr)).toBe('a');
    expect(notices).toEqual(['Defaulted container "a" out of: setup (init), a, b\n']);
    expect(chooseContainer(pod({ containers: containers('only') }), undefined, stderr)).toBe('only');
    expect(notices).toHaveLength(1);
  });
});
