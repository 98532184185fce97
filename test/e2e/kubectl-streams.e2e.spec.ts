/**
 * Stock kubectl 1.32 `logs` and `exec` against skiff: the API on a real control plane, NATS, and a
 * node agent's stream server whose runtime is the host-process TEST DOUBLE (no containers: exec
 * runs on this machine). What kubectl prints and how it exits are what kube-apiserver and a
 * kubelet make it print (kubectl-compat.md §11–§12).
 */
import { createKubectl, requireKubectl, type Kubectl } from '../harness/kubectl';
import { creatingStatus, startStreamsWorld, type StreamsWorld } from '../harness/streams';

let w: StreamsWorld;
let k: Kubectl;

beforeAll(async () => {
  requireKubectl();
  w = await startStreamsWorld({ pacing: { heartbeatMs: 500, timeoutMs: 5_000 } });
  k = await createKubectl(w.c.cp.kubeconfigPath);
  const web = await w.pod('web');
  await w.target.appendLog(web, 'main', 'starting\nlistening on :8080\nGET / 200\n');
  const two = await w.pod('two', { containers: ['app', 'sidecar'] });
  await w.target.appendLog(two, 'app', 'from app\n');
  await w.target.appendLog(two, 'sidecar', 'from sidecar\n');
  await w.pod('creating', { status: creatingStatus });
});

afterAll(async () => {
  await k?.cleanup();
  await w?.stop();
});

describe('kubectl logs', () => {
  it('prints the log; --tail; -c; the first container of several, with kubectl\'s notice', async () => {
    expect((await k.ok(['logs', 'web'])).stdout).toBe('starting\nlistening on :8080\nGET / 200\n');
    expect((await k.ok(['logs', 'pod/web', '--tail=1'])).stdout).toBe('GET / 200\n');
    expect((await k.ok(['logs', 'two', '-c', 'sidecar'])).stdout).toBe('from sidecar\n');
    const defaulted = await k.ok(['logs', 'two']);
    expect(defaulted.stdout).toBe('from app\n');
    expect(defaulted.stderr).toBe('Defaulted container "app" out of: app, sidecar\n');
  });

  it('errors are the server\'s Status, as kubectl prints them', async () => {
    const waiting = await k.run(['logs', 'creating']);
    expect(waiting.code).toBe(1);
    expect(waiting.stderr).toBe('Error from server (BadRequest): container "main" in pod "creating" is waiting to start: ContainerCreating\n');
    const previous = await k.run(['logs', 'web', '--previous']);
    expect(previous.stderr).toBe('Error from server (BadRequest): previous terminated container "main" in pod "web" not found\n');
    const missing = await k.run(['logs', 'nope']);
    // kubectl GETs the pod itself first, and words that failure its own way.
    expect(missing.stderr).toBe('error: error from server (NotFound): pods "nope" not found in namespace "default"\n');
  });

  /** `kubectl logs -f` on a new pod, once it has printed what was there and then a line appended after it started. */
  async function following(name: string) {
    const p = await w.pod(name);
    await w.target.appendLog(p, 'main', 'one\n');
    const f = k.start(['logs', '-f', name]);
    await f.waitForStdout((s) => s === 'one\n');
    await w.target.appendLog(p, 'main', 'two\n');
    await f.waitForStdout((s) => s === 'one\ntwo\n');
    return { p, f };
  }

  it('-f: lines appended later arrive; kubectl is then stopped by its PID', async () => {
    const { f } = await following('follow');
    expect((await f.stop('SIGTERM')).stdout).toBe('one\ntwo\n');
  });

  it('-f ends by itself, exit 0, when the container ends', async () => {
    const { p, f } = await following('follow-end');
    await w.target.appendLog(p, 'main', 'done\n');
    w.target.setRunning(p, 'main', false);
    const r = await f.exited;
    expect([r.code, r.stdout]).toEqual([0, 'one\ntwo\ndone\n']);
  });
});

describe('kubectl exec', () => {
  it('exit code 3 is kubectl\'s exit code, with its notice; stdout and stderr apart', async () => {
    const r = await k.run(['exec', 'web', '--', 'sh', '-c', 'echo out; echo err >&2; exit 3']);
    expect(r.code).toBe(3);
    expect(r.stdout).toBe('out\n');
    expect(r.stderr).toBe('err\ncommand terminated with exit code 3\n');
  });

  it('exit 0, -c, and -i: stdin reaches the command and its end ends it', async () => {
    expect((await k.ok(['exec', 'two', '-c', 'sidecar', '--', 'echo', 'hello from', 'sidecar'])).stdout).toBe('hello from sidecar\n');
    const r = await k.ok(['exec', '-i', 'web', '--', 'cat'], { stdin: 'round trip\n' });
    expect(r.stdout).toBe('round trip\n');
  });

  it('a container that is not running: kubectl says why and exits 1', async () => {
    const r = await k.run(['exec', 'creating', '--', 'ls']);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('Error from server (BadRequest): container not found ("main")\n');
  });

  it('-it under a terminal: an interactive shell, its size, and a resize', async () => {
    const t = k.pty(['exec', '-it', 'web', '--', 'sh'], { cols: 100, rows: 30 });
    t.write('stty size\r');
    await t.waitForOutput((o) => o.includes('30 100'));
    t.resize(120, 40);
    await new Promise((r) => setTimeout(r, 300));
    t.write('stty size; echo hi\r');
    await t.waitForOutput((o) => /40 120\r?\n/.test(o) && /\nhi\r?\n/.test(o.replace(/\r/g, '\n')));
    t.write('exit 7\r');
    const code = await t.exited;
    if (code !== 7) throw new Error(`kubectl exec -it ended with ${code}:\n${t.output()}`);
    expect(t.output()).toContain('command terminated with exit code 7');
  });
});
