/**
 * The containerd runtime against a containerd this file starts itself (temp config, socket and
 * dirs), namespace skiff-test-<random>, with busybox images built on the spot. Needs root,
 * containerd, runc, iproute2 and /bin/busybox (hack/install.sh).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ContainerdRuntime, type ContainerdRuntimeConfig } from '../../runtime/containerd/containerd-runtime';
import type { ContainerSpec, PodRef, StartSpec } from '../../runtime/containerd/container-spec';
import { containerdAnswers, ensureContainerd } from '../../runtime/containerd/daemon';
import { ContainerStartError, ImagePullError } from '../../runtime/containerd/errors';
import { ensureSandbox, listSandboxes, removeSandbox } from '../../runtime/containerd/sandbox';
import type { ObservedContainer } from '../../runtime/kubelet/types';
import { importArchive } from '../../runtime/containerd/images';
import { buildBusyboxImage } from '../harness/busybox-image';
import { netnsDirGuard, startTestContainerd, type TestContainerd } from '../harness/containerd';

const BUSYBOX = 'skiff/busybox:test'; // normalized: docker.io/skiff/busybox:test
const ENTRY = 'skiff/entry:test'; // ENTRYPOINT ["echo", "entry"], CMD ["default"]

describe('containerd runtime (ctr)', () => {
  let env: TestContainerd;
  let config: ContainerdRuntimeConfig;
  let rt: ContainerdRuntime;
  const sandboxPrefix = `skiff-t${randomBytes(3).toString('hex')}-`;
  const releaseNetnsDir = netnsDirGuard();

  beforeAll(async () => {
    env = await startTestContainerd();
    for (const image of [
      await buildBusyboxImage(env.dataDir, { name: `docker.io/${BUSYBOX}` }),
      await buildBusyboxImage(env.dataDir, { name: `docker.io/${ENTRY}`, entrypoint: ['echo', 'entry'], cmd: ['default'] }),
    ]) {
      await importArchive(env.ctr, image.archive);
    }
    config = { address: env.address, namespace: env.namespace, logRoot: join(env.dataDir, 'logs') };
    rt = await ContainerdRuntime.open(config);
  }, 60_000);

  afterAll(async () => {
    await rt?.close();
    await env?.cleanup(); // tasks and containers go first, so the sandboxes are free
    for (const s of await listSandboxes({ prefix: sandboxPrefix }).catch(() => [])) await removeSandbox(s.name);
    await releaseNetnsDir();
  }, 60_000);

  const pod = (name: string, netnsPath?: string): PodRef => ({ uid: randomUUID(), namespace: 'default', name, ...(netnsPath ? { netnsPath } : {}) });
  const spec = (p: PodRef, container: ContainerSpec, attempt = 0, init = false): StartSpec => ({ pod: p, container, attempt, init });
  const sh = (name: string, script: string, extra: Partial<ContainerSpec> = {}): ContainerSpec => ({ name, image: BUSYBOX, command: ['sh', '-c', script], ...extra });

  async function until(id: string, pred: (c: ObservedContainer) => boolean, timeoutMs = 15_000): Promise<ObservedContainer> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const c = (await rt.list()).find((x) => x.id === id);
      if (c && pred(c)) return c;
      if (Date.now() > deadline) throw new Error(`timed out waiting on ${id}: ${JSON.stringify(c)}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  const exited = (id: string, timeoutMs?: number) => until(id, (c) => c.state === 'exited', timeoutMs);

  it('start → running, then exited 0 (Completed) with its output in the log file', async () => {
    const p = pod('hello');
    const changes: string[] = [];
    const unsubscribe = rt.subscribe((c) => changes.push(`${c.kind} ${c.id}`));
    const started = await rt.start(spec(p, sh('hello', 'echo hello from skiff; sleep 0.5')));
    expect(started).toMatchObject({ id: `${p.uid.replace(/-/g, '').slice(0, 12)}-hello-0`, podUid: p.uid, name: 'hello', attempt: 0, init: false, state: 'running', image: BUSYBOX });
    expect(started.imageId).toMatch(/^docker\.io\/skiff\/busybox@sha256:[0-9a-f]{64}$/);
    const done = await exited(started.id);
    expect(done).toMatchObject({ state: 'exited', exitCode: 0, reason: 'Completed' });
    expect(done.finishedAtMs! - done.startedAtMs!).toBeGreaterThanOrEqual(250);
    const log = await readFile(await rt.logPath(started.id), 'utf8');
    expect(log).toBe('hello from skiff\n');
    expect(await rt.logPath(started.id)).toBe(join(config.logRoot, `default_hello_${p.uid}`, 'hello', '0.log'));
    unsubscribe();
    expect(changes).toEqual([`start ${started.id}`, `exit ${started.id}`]);
  });

  it('exit 3 → exitCode 3, reason Error; stderr goes to the same log', async () => {
    const c = await rt.start(spec(pod('three'), sh('three', 'echo oops >&2; exit 3'), 2, true));
    expect(await exited(c.id)).toMatchObject({ exitCode: 3, reason: 'Error', attempt: 2, init: true });
    expect(await readFile(await rt.logPath(c.id), 'utf8')).toBe('oops\n');
  });

  it('command and args as Kubernetes reads them against the image ENTRYPOINT/CMD; env and workingDir', async () => {
    const p = pod('argv');
    const cases: [ContainerSpec, string][] = [
      [{ name: 'neither', image: ENTRY }, 'entry default\n'],
      [{ name: 'args', image: ENTRY, args: ['a', 'b'] }, 'entry a b\n'],
      [{ name: 'command', image: ENTRY, command: ['echo', 'cmd'] }, 'cmd\n'],
      [{ name: 'both', image: ENTRY, command: ['echo'], args: ['x', 'y'] }, 'x y\n'],
      [sh('env', 'echo "$GREETING $(pwd)"', { env: [{ name: 'GREETING', value: 'hi there' }], workingDir: '/tmp' }), 'hi there /tmp\n'],
    ];
    const ids = await Promise.all(cases.map(async ([c]) => (await rt.start(spec(p, c))).id));
    for (const [i, id] of ids.entries()) {
      expect(await exited(id)).toMatchObject({ exitCode: 0 });
      expect(await readFile(await rt.logPath(id), 'utf8')).toBe(cases[i][1]);
    }
  });

  it('two containers of one pod share its network namespace: the second reaches the first on 127.0.0.1:8080', async () => {
    const uid = randomUUID();
    const sandbox = await ensureSandbox(uid, { prefix: sandboxPrefix });
    expect((await listSandboxes({ prefix: sandboxPrefix })).map((s) => s.name)).toContain(sandbox.name);
    const p: PodRef = { uid, namespace: 'default', name: 'web', netnsPath: sandbox.path };
    const server = await rt.start(spec(p, sh('server', 'nc -l -p 8080 -e echo served')));
    const client = await rt.start(spec(p, sh('client', 'for i in $(seq 1 50); do nc 127.0.0.1 8080 </dev/null && exit 0; sleep 0.1; done; exit 1')));
    expect(await exited(client.id)).toMatchObject({ exitCode: 0 });
    expect(await readFile(await rt.logPath(client.id), 'utf8')).toBe('served\n');
    expect(await exited(server.id)).toMatchObject({ exitCode: 0 });
    // Another pod (its own namespace) does not see the port.
    const outsider = await rt.start(spec(pod('outsider'), sh('outsider', 'nc 127.0.0.1 8080 </dev/null')));
    expect((await exited(outsider.id)).exitCode).not.toBe(0);
    for (const c of [server, client]) await rt.remove(c.id);
    await removeSandbox(sandbox.name);
    expect((await listSandboxes({ prefix: sandboxPrefix })).map((s) => s.name)).not.toContain(sandbox.name);
  });

  it('stop: a process that traps TERM exits within its grace; one that ignores TERM is killed after the grace', async () => {
    const p = pod('stopper');
    const polite = await rt.start(spec(p, sh('polite', 'trap "echo got TERM; exit 0" TERM; echo up; while true; do sleep 0.1; done')));
    const stubborn = await rt.start(spec(p, sh('stubborn', 'trap "" TERM; echo up; while true; do sleep 0.1; done')));
    // Both have set their traps once they printed.
    for (const c of [polite, stubborn]) await waitForLog(c.id, 'up\n');

    let t0 = Date.now();
    await rt.stop(polite.id, 5_000);
    const politeMs = Date.now() - t0;
    expect(politeMs).toBeLessThan(2_000);
    expect(await exited(polite.id)).toMatchObject({ exitCode: 0, reason: 'Completed' });
    expect(await readFile(await rt.logPath(polite.id), 'utf8')).toBe('up\ngot TERM\n');

    t0 = Date.now();
    await rt.stop(stubborn.id, 1_500);
    const stubbornMs = Date.now() - t0;
    expect(stubbornMs).toBeGreaterThanOrEqual(1_500);
    expect(stubbornMs).toBeLessThan(4_000);
    expect(await exited(stubborn.id)).toMatchObject({ exitCode: 137, reason: 'Error' });
    console.log(`stop: TERM-trapping container gone in ${politeMs} ms; TERM-ignoring one killed after ${stubbornMs} ms (grace 1500 ms)`);
    // Stopping what has already stopped is a no-op.
    await rt.stop(stubborn.id, 1_000);
  });

  async function waitForLog(id: string, text: string): Promise<void> {
    const path = await rt.logPath(id);
    const deadline = Date.now() + 10_000;
    while (!(await readFile(path, 'utf8').catch(() => '')).includes(text)) {
      if (Date.now() > deadline) throw new Error(`no "${text}" in ${path}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  it('a container over its memory limit is OOM-killed: exitCode 137, reason OOMKilled', async () => {
    const c = await rt.start(spec(pod('hog'), { name: 'hog', image: BUSYBOX, command: ['tail', '/dev/zero'], memoryLimitBytes: 16 * 1024 * 1024 }));
    expect(await exited(c.id)).toMatchObject({ exitCode: 137, reason: 'OOMKilled' });
  });

  it('a process that cannot start: ContainerStartError, then reported exited 128 with the message', async () => {
    const p = pod('broken');
    const err = await rt.start(spec(p, { name: 'broken', image: BUSYBOX, command: ['/no/such/binary'] })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ContainerStartError);
    const c = await exited((err as ContainerStartError).containerId);
    expect(c).toMatchObject({ exitCode: 128, reason: 'Error' });
    expect(c.message).toMatch(/no\/such\/binary/);
  });

  it('ensureImage: present → its digest; Never and absent → ErrImageNeverPull; a failing pull → ErrImagePull', async () => {
    const present = await rt.ensureImage(BUSYBOX, 'Never');
    expect(present).toMatchObject({ image: BUSYBOX, ref: `docker.io/${BUSYBOX}` });
    expect(present.digest).toMatch(/^sha256:/);
    const never = await rt.ensureImage('skiff/absent:1', 'Never').catch((e: unknown) => e);
    expect(never).toBeInstanceOf(ImagePullError);
    expect(never).toMatchObject({ reason: 'ErrImageNeverPull', message: 'Container image "skiff/absent:1" is not present with pull policy of Never' });
    // Nothing listens on 127.0.0.1:1, so the pull fails at once without leaving the machine.
    const pull = await rt.ensureImage('127.0.0.1:1/absent:1', 'IfNotPresent').catch((e: unknown) => e);
    expect(pull).toMatchObject({ reason: 'ErrImagePull' });
    expect((pull as Error).message).toMatch(/^failed to pull and unpack image "127\.0\.0\.1:1\/absent:1": .*connection refused/);
    const started = await rt.start(spec(pod('nopull'), { name: 'c', image: 'skiff/absent:1', imagePullPolicy: 'Never' })).catch((e: unknown) => e);
    expect(started).toMatchObject({ reason: 'ErrImageNeverPull' });
  });

  it('exec: pipes (stdout, stderr, exit code) and a tty', async () => {
    const c = await rt.start(spec(pod('execd'), sh('main', 'sleep 300')));
    const run = rt.exec(c.id, ['sh', '-c', 'echo hi; echo there >&2; exit 4']);
    run.process.stdin?.end();
    const [out, err, code] = await Promise.all([collect(run.process.stdout!), collect(run.process.stderr!), run.exitCode]);
    expect({ out, err, code }).toEqual({ out: 'hi\n', err: 'there\n', code: 4 });

    const tty = rt.exec(c.id, ['sh', '-c', 'tty; exit 2'], { tty: true });
    let screen = '';
    tty.pty.onData((d) => (screen += d));
    expect(await tty.exitCode).toBe(2);
    expect(screen).toMatch(/\/dev\/pts\/\d+/);
    // The exec'd processes' exits are not the container's.
    expect((await rt.list()).find((x) => x.id === c.id)).toMatchObject({ state: 'running' });
    await rt.stop(c.id, 0);
    expect(await exited(c.id)).toMatchObject({ exitCode: 137 });
  });

  it('remove: task, container and log file are gone', async () => {
    const c = await rt.start(spec(pod('gone'), sh('gone', 'echo bye')));
    await exited(c.id);
    const log = await rt.logPath(c.id);
    expect(existsSync(log)).toBe(true);
    await rt.remove(c.id);
    expect((await rt.list()).map((x) => x.id)).not.toContain(c.id);
    expect(existsSync(log)).toBe(false);
    await rt.remove(c.id); // again: nothing to do
    // Containers without skiff's labels in the namespace are not skiff's business.
    await env.ctr.run(['containers', 'create', `docker.io/${BUSYBOX}`, 'not-skiff', 'true']);
    expect((await rt.list()).map((x) => x.id)).not.toContain('not-skiff');
  });

  it('ensureContainerd: finds the containerd a previous run left under the data dir; a missing binary is named', async () => {
    const again = await ensureContainerd({ dataDir: env.dataDir, useExisting: false });
    expect(again).toMatchObject({ address: env.address, startedByUs: false });
    await again.stop(); // not ours: nothing happens
    expect(await containerdAnswers(env.address)).toBe(true);
    const elsewhere = await mkdtemp(join(tmpdir(), 'skiff-ctd-'));
    try {
      await expect(ensureContainerd({ dataDir: elsewhere, useExisting: false, binary: '/nonexistent/containerd' })).rejects.toThrow('containerd not found: apt-get install -y containerd runc');
    } finally {
      await rm(elsewhere, { recursive: true, force: true });
    }
  });

  it('adoption: a new runtime instance (an agent restart) finds the same containers, and learns of exits it missed', async () => {
    const p = pod('adopt');
    const runner = await rt.start(spec(p, sh('runner', 'sleep 300'), 4));
    const late = await rt.start(spec(p, sh('late', 'sleep 1; exit 7'), 1, true));
    const before = await rt.list();
    await rt.close(); // nobody follows events while `late` exits
    await new Promise((r) => setTimeout(r, 2_000));
    rt = await ContainerdRuntime.open(config);
    const after = await rt.list();
    expect(after.map((c) => c.id)).toEqual(before.map((c) => c.id));
    for (const c of before.filter((x) => x.id !== late.id)) expect(after.find((x) => x.id === c.id)).toEqual(c);
    expect(after.find((c) => c.id === runner.id)).toMatchObject({ state: 'running', attempt: 4, init: false, name: 'runner', podUid: p.uid });
    const lateNow = after.find((c) => c.id === late.id)!;
    expect(lateNow).toMatchObject({ state: 'exited', exitCode: 7, reason: 'Error', attempt: 1, init: true });
    expect(lateNow.finishedAtMs!).toBeGreaterThan(lateNow.startedAtMs!);
    // What it learned is written down: yet another instance sees the same.
    const third = await ContainerdRuntime.open(config);
    try {
      expect(await third.list()).toEqual(after);
    } finally {
      await third.close();
    }
  });
});

function collect(stream: NodeJS.ReadableStream): Promise<string> {
  return new Promise((ok) => {
    let s = '';
    stream.on('data', (c: Buffer) => (s += c.toString()));
    stream.on('end', () => ok(s));
  });
}
