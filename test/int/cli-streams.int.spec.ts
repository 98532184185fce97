/**
 * `skiff logs` and `skiff exec` as a user runs them (bin/skiff in its own process; under a terminal
 * for -it), against a control plane and a node agent's stream server whose runtime is the
 * host-process TEST DOUBLE.
 */
import { spawn } from 'node:child_process';
import { runCli, SKIFF_BIN, waitUntil, type CliRun } from '../harness/process';
import { spawnInPty, type PtyRun } from '../harness/pty';
import { creatingStatus, startStreamsWorld, type StreamsWorld } from '../harness/streams';

let w: StreamsWorld;
const terminals: PtyRun[] = [];
const skiff = (args: string[], stdin?: string): Promise<CliRun> => runCli(w.c.cp.kubeconfigPath, args, 60_000, stdin);

beforeAll(async () => {
  w = await startStreamsWorld({ pacing: { heartbeatMs: 500, timeoutMs: 5_000 } });
  const web = await w.pod('web');
  await w.target.appendLog(web, 'main', 'a\nb\nc\n');
  const two = await w.pod('two', { containers: ['app', 'sidecar'] });
  await w.target.appendLog(two, 'app', 'from app\n');
  await w.pod('creating', { status: creatingStatus });
});

afterAll(async () => {
  await Promise.all(terminals.map((t) => t.stop()));
  await w?.stop();
});

describe('skiff logs', () => {
  it('the log, --tail, and the first of several containers with the notice kubectl gives', async () => {
    expect(await skiff(['logs', 'web'])).toEqual({ code: 0, stdout: 'a\nb\nc\n', stderr: '' });
    expect((await skiff(['logs', 'pod/web', '--tail', '2'])).stdout).toBe('b\nc\n');
    expect((await skiff(['logs', '--timestamps', 'web', '--tail=1'])).stdout).toMatch(/^\d{4}-\d\d-\d\dT[\d:.]+Z c\n$/);
    expect(await skiff(['logs', 'two'])).toEqual({ code: 0, stdout: 'from app\n', stderr: 'Defaulted container "app" out of: app, sidecar\n' });
  });

  it('a refusal is one line and exit 1', async () => {
    expect(await skiff(['logs', 'creating'])).toEqual({
      code: 1, stdout: '', stderr: 'Error from server (BadRequest): container "main" in pod "creating" is waiting to start: ContainerCreating\n',
    });
  });

  it('-f follows until the container ends', async () => {
    const p = await w.pod('follow');
    await w.target.appendLog(p, 'main', 'one\n');
    const child = spawn(process.execPath, [SKIFF_BIN, '--kubeconfig', w.c.cp.kubeconfigPath, 'logs', '-f', 'follow'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    const exited = new Promise<number | null>((ok) => child.once('close', ok));
    try {
      await waitUntil('the first line', async () => out === 'one\n', 30_000);
      await w.target.appendLog(p, 'main', 'two\n');
      await waitUntil('the appended line', async () => out === 'one\ntwo\n', 10_000);
      w.target.setRunning(p, 'main', false);
      expect(await exited).toBe(0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });
});

describe('skiff exec', () => {
  it('the command\'s exit code is skiff\'s, with kubectl\'s notice; stdout and stderr apart', async () => {
    expect(await skiff(['exec', 'web', '--', 'sh', '-c', 'echo out; echo err >&2; exit 2'])).toEqual({
      code: 2, stdout: 'out\n', stderr: 'err\ncommand terminated with exit code 2\n',
    });
    expect(await skiff(['exec', 'two', '-c', 'sidecar', '--', 'echo', 'ok'])).toEqual({ code: 0, stdout: 'ok\n', stderr: '' });
  });

  it('-i: stdin goes to the command, and its end ends the command', async () => {
    expect(await skiff(['exec', '-i', 'web', '--', 'sh', '-c', 'tr a-z A-Z'], 'piped through\n')).toEqual({ code: 0, stdout: 'PIPED THROUGH\n', stderr: '' });
  });

  it('-t without a terminal: a warning, and the command runs without one', async () => {
    const r = await skiff(['exec', '-t', 'web', '--', 'sh', '-c', 'test -t 1 || echo no tty']);
    expect(r).toEqual({ code: 0, stdout: 'no tty\n', stderr: 'Unable to use a TTY - input is not a terminal or the right kind of file\n' });
  });

  it('bad invocations and refusals', async () => {
    expect((await skiff(['exec', 'web', 'ls'])).stderr).toBe('error: exec [POD] [COMMAND] is not supported; use exec [POD] -- [COMMAND] instead\n');
    expect((await skiff(['exec', 'web', '--'])).stderr).toBe('error: you must specify at least one command for the container\n');
    expect(await skiff(['exec', 'creating', '--', 'ls'])).toEqual({ code: 1, stdout: '', stderr: 'Error from server (BadRequest): container not found ("main")\n' });
  });

  it('-it under a terminal: interactive, the local size, a resize, the exit code', async () => {
    const t = spawnInPty(process.execPath, [SKIFF_BIN, '--kubeconfig', w.c.cp.kubeconfigPath, 'exec', '-it', 'web', '--', 'sh'], { env: process.env, cols: 90, rows: 20 });
    terminals.push(t);
    t.write('stty size\r');
    await t.waitForOutput((o) => o.includes('20 90'), 30_000);
    t.resize(132, 43);
    await new Promise((r) => setTimeout(r, 300));
    t.write('stty size; echo hi\r');
    await t.waitForOutput((o) => o.includes('43 132') && /\nhi\r/.test(o));
    t.write('exit 4\r');
    const code = await t.exited;
    if (code !== 4) throw new Error(`skiff exec -it ended with ${code}:\n${t.output()}`);
    expect(t.output()).toContain('command terminated with exit code 4');
  });
});
