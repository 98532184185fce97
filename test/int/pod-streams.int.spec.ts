/**
 * pods/log and pods/exec end to end: HTTPS API → NATS → the node agent's stream server
 * (runtime/streams/) → a StreamTarget. The target is the host-process TEST DOUBLE (logs from temp
 * files, exec as local processes); the API, the protocol and the node side are the real ones.
 */
import { createHash } from 'node:crypto';
import { request as httpsRequest, type RequestOptions } from 'node:https';
import type { IncomingMessage } from 'node:http';
import { WebSocket } from 'ws';
import { ApiError, KubeClient } from '../../gateways/client';
import { waitUntil } from '../harness/process';
import { creatingStatus, restartedStatus, startStreamsWorld, type StreamsWorld } from '../harness/streams';

let w: StreamsWorld;

beforeAll(async () => {
  // Short liveness figures so a vanished side shows up within the test's patience.
  w = await startStreamsWorld({ pacing: { heartbeatMs: 200, timeoutMs: 2_000 } });
});
afterAll(async () => {
  await w?.stop();
});

/** skiff's own client (gateways/client.ts), as the admin. */
const adminClient = () => new KubeClient({ server: `https://127.0.0.1:${w.c.cp.port}`, caCertPem: w.c.cp.caCertPem, token: w.c.cp.adminToken, insecureSkipTlsVerify: false, namespace: 'default' });

const logPath = (pod: string, query = '') => `/api/v1/namespaces/default/pods/${pod}/log${query ? `?${query}` : ''}`;

function httpsOptions(path: string, extra: Partial<RequestOptions> = {}): RequestOptions {
  return { host: '127.0.0.1', port: w.c.cp.port, path, ca: w.c.cp.caCertPem, headers: { Authorization: `Bearer ${w.c.cp.adminToken}`, Accept: '*/*' }, ...extra };
}

/** A streaming GET: the response, to be read by the test at its own pace. */
function open(path: string): Promise<IncomingMessage> {
  return new Promise((ok, fail) => {
    const req = httpsRequest(httpsOptions(path), ok);
    req.on('error', fail);
    req.end();
  });
}

describe('pods/log', () => {
  it('the whole log, the last lines, a byte limit: 200 text/plain, chunked', async () => {
    const p = await w.pod('log-basic');
    await w.target.appendLog(p, 'main', 'alpha\nbeta\ngamma\n');
    const all = await w.c.call('GET', logPath('log-basic'));
    expect(all.status).toBe(200);
    expect(all.headers['content-type']).toBe('text/plain');
    expect(all.headers['transfer-encoding']).toBe('chunked');
    expect(all.body).toBe('alpha\nbeta\ngamma\n');
    expect((await w.c.call('GET', logPath('log-basic', 'tailLines=2'))).body).toBe('beta\ngamma\n');
    expect((await w.c.call('GET', logPath('log-basic', 'limitBytes=8'))).body).toBe('alpha\nbe');
    expect((await w.c.call('GET', logPath('log-basic', 'container=main&tailLines=1&timestamps=true'))).body).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z gamma\n$/);
  });

  it('--previous: the attempt before a restart; without a restart, the kubelet\'s 400', async () => {
    const p = await w.pod('log-prev');
    await w.target.appendLog(p, 'main', 'first life\n');
    const none = await w.c.call('GET', logPath('log-prev', 'previous=true'));
    expect(none.status).toBe(400);
    expect(none.body).toMatchObject({ kind: 'Status', reason: 'BadRequest', message: 'previous terminated container "main" in pod "log-prev" not found' });
    await w.target.restart(p, 'main');
    await w.target.appendLog(p, 'main', 'second life\n');
    expect((await w.c.call('PATCH', '/api/v1/namespaces/default/pods/log-prev/status', { status: restartedStatus(['main']) }, { contentType: 'application/merge-patch+json' })).status).toBe(200);
    expect((await w.c.call('GET', logPath('log-prev', 'previous=true'))).body).toBe('first life\n');
    expect((await w.c.call('GET', logPath('log-prev'))).body).toBe('second life\n');
  });

  it('which container: a choice is needed, a wrong name is refused (400s in kube-apiserver\'s words)', async () => {
    const p = await w.pod('log-multi', { containers: ['a', 'b'] });
    await w.target.appendLog(p, 'b', 'from b\n');
    const ambiguous = await w.c.call('GET', logPath('log-multi'));
    expect(ambiguous.status).toBe(400);
    expect(ambiguous.body.message).toBe('a container name must be specified for pod log-multi, choose one of: [a b]');
    expect((await w.c.call('GET', logPath('log-multi', 'container=zz'))).body.message).toBe('container zz is not valid for pod log-multi');
    expect((await w.c.call('GET', logPath('log-multi', 'container=b'))).body).toBe('from b\n');
  });

  it('a container still being created: 400 … is waiting to start: ContainerCreating', async () => {
    await w.pod('log-creating', { status: creatingStatus });
    const r = await w.c.call('GET', logPath('log-creating'));
    expect(r.status).toBe(400);
    expect(r.body).toMatchObject({ reason: 'BadRequest', message: 'container "main" in pod "log-creating" is waiting to start: ContainerCreating' });
  });

  it('no such pod: 404; an unscheduled pod: an empty 200; a node nobody serves: 503; bad options: 422', async () => {
    const missing = await w.c.call('GET', logPath('nope'));
    expect(missing.status).toBe(404);
    expect(missing.body.message).toBe('pods "nope" not found');
    await w.pod('log-unbound', { nodeName: null, status: () => ({ phase: 'Pending' }) });
    const unbound = await w.c.call('GET', logPath('log-unbound'));
    expect([unbound.status, unbound.body]).toEqual([200, undefined]);
    await w.pod('log-ghost', { nodeName: 'ghost-node' });
    const ghost = await w.c.call('GET', logPath('log-ghost'));
    expect(ghost.status).toBe(503);
    expect(ghost.body.message).toBe('no node agent serves node "ghost-node" (nothing listens on skiff.node.ghost-node.log)');
    expect((await w.c.call('GET', logPath('log-basic', 'tailLines=-3'))).status).toBe(422);
  });

  it('follow: appended lines arrive as they are written; the stream ends when the container does', async () => {
    const p = await w.pod('log-follow');
    await w.target.appendLog(p, 'main', 'one\n');
    const res = await open(logPath('log-follow', 'follow=true'));
    expect(res.statusCode).toBe(200);
    let text = '';
    res.on('data', (c: Buffer) => (text += c.toString()));
    const ended = new Promise((r) => res.on('end', r));
    await waitUntil('the first line', async () => text === 'one\n', 10_000);
    await w.target.appendLog(p, 'main', 'two\n');
    await waitUntil('the appended line', async () => text === 'one\ntwo\n', 10_000);
    await w.target.appendLog(p, 'main', 'last\n');
    w.target.setRunning(p, 'main', false);
    await ended;
    expect(text).toBe('one\ntwo\nlast\n');
  });

  it('follow: a client that goes away stops the node\'s reading', async () => {
    const p = await w.pod('log-leave');
    await w.target.appendLog(p, 'main', 'hello\n');
    let asked = 0;
    const running = w.target.running as NonNullable<typeof w.target.running>;
    (w.target as { running: typeof running }).running = async (pod, c) => {
      if (pod.name === 'log-leave') asked++;
      return running(pod, c);
    };
    try {
      const res = await open(logPath('log-leave', 'follow=true'));
      await new Promise((r) => res.once('data', r));
      await waitUntil('the node to watch the container', async () => asked > 1, 10_000);
      res.destroy();
      await new Promise((r) => setTimeout(r, 300));
      const after = asked;
      await new Promise((r) => setTimeout(r, 400));
      expect(asked).toBe(after);
    } finally {
      (w.target as { running: typeof running }).running = running;
    }
  });

  it('a big log to a reader that starts late arrives whole (flow control, no overrun)', async () => {
    const p = await w.pod('log-big');
    const line = `${'x'.repeat(99)}\n`;
    const text = line.repeat(40_000); // 4 MB
    await w.target.appendLog(p, 'main', text);
    const res = await open(logPath('log-big'));
    res.pause();
    await new Promise((r) => setTimeout(r, 500));
    const hash = createHash('sha256');
    let bytes = 0;
    for await (const chunk of res) {
      hash.update(chunk as Buffer);
      bytes += (chunk as Buffer).length;
    }
    expect(bytes).toBe(text.length);
    expect(hash.digest('hex')).toBe(createHash('sha256').update(text).digest('hex'));
  });

  it('the gateway client (skiff\'s) streams logs too, and reports refusals as ApiError', async () => {
    const p = await w.pod('log-client');
    await w.target.appendLog(p, 'main', 'x\ny\n');
    const client = adminClient();
    try {
      let text = '';
      for await (const chunk of client.logs('log-client', { tailLines: 1 })) text += chunk.toString();
      expect(text).toBe('y\n');
      await expect(async () => {
        for await (const _ of client.logs('log-client', { previous: true })) void _;
      }).rejects.toThrow(ApiError);
    } finally {
      client.close();
    }
  });
});

// ---- exec ------------------------------------------------------------------------------------------

type Frame = Readonly<{ ch: number; text: string }>;
type ExecRun = Readonly<{ protocol: string; frames: Frame[]; status?: unknown; closeCode: number; out: (ch: number) => string }>;

const execPath = (pod: string, command: string[], flags = 'stdout=true&stderr=true') =>
  `/api/v1/namespaces/default/pods/${pod}/exec?${command.map((c) => `command=${encodeURIComponent(c)}`).join('&')}&${flags}`;

/** A raw WebSocket exec, frames kept as they came; `talk` runs once the socket is open. */
function wsExec(path: string, opts: { protocols?: string[]; talk?: (ws: WebSocket) => void; token?: string } = {}): Promise<ExecRun> {
  return new Promise((ok, fail) => {
    const ws = new WebSocket(`wss://127.0.0.1:${w.c.cp.port}${path}`, opts.protocols ?? ['v5.channel.k8s.io'], {
      ca: w.c.cp.caCertPem, headers: { Authorization: `Bearer ${opts.token ?? w.c.cp.adminToken}` },
    });
    const frames: Frame[] = [];
    ws.on('message', (d: Buffer) => frames.push({ ch: d[0], text: d.subarray(1).toString() }));
    ws.on('open', () => opts.talk?.(ws));
    ws.on('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => fail(Object.assign(new Error(`HTTP ${res.statusCode}: ${body}`), { statusCode: res.statusCode, body: JSON.parse(body) })));
    });
    ws.on('error', () => undefined);
    ws.on('close', (closeCode: number) => {
      const statusFrame = frames.find((f) => f.ch === 3);
      let status: unknown = statusFrame?.text;
      try {
        status = statusFrame ? JSON.parse(statusFrame.text) : undefined;
      } catch {
        // v1: text
      }
      ok({ protocol: ws.protocol, frames, status, closeCode, out: (ch) => frames.filter((f) => f.ch === ch).map((f) => f.text).join('') });
    });
  });
}

async function refusedUpgrade(path: string, opts: { token?: string } = {}): Promise<{ statusCode: number; body: any }> {
  try {
    await wsExec(path, opts);
  } catch (err) {
    return err as { statusCode: number; body: any };
  }
  throw new Error('the upgrade was accepted');
}

describe('pods/exec over WebSocket', () => {
  beforeAll(async () => {
    await w.pod('ex');
  });

  it('exit 0: output on its channels, then a Success status, then close 1000', async () => {
    const r = await wsExec(execPath('ex', ['sh', '-c', 'echo out; echo err >&2']));
    expect(r.protocol).toBe('v5.channel.k8s.io');
    expect(r.frames[0]).toEqual({ ch: 1, text: '' }); // the kubelet's "connection established"
    expect(r.out(1)).toBe('out\n');
    expect(r.out(2)).toBe('err\n');
    expect(r.status).toEqual({ metadata: {}, status: 'Success' });
    expect(r.frames[r.frames.length - 1].ch).toBe(3);
    expect(r.closeCode).toBe(1000);
  });

  it('exit 3: the NonZeroExitCode status kubectl turns into its exit code', async () => {
    const r = await wsExec(execPath('ex', ['sh', '-c', 'exit 3']));
    expect(r.status).toEqual({
      metadata: {}, status: 'Failure', message: 'command terminated with non-zero exit code: exit status 3', reason: 'NonZeroExitCode',
      details: { causes: [{ reason: 'ExitCode', message: '3' }] },
    });
  });

  it('stdin: bytes in, the same bytes out of cat; [255, 0] ends stdin and so the command', async () => {
    const r = await wsExec(execPath('ex', ['cat'], 'stdin=true&stdout=true&stderr=true'), {
      talk: (ws) => {
        ws.send(Buffer.concat([Buffer.from([0]), Buffer.from('round ')]));
        ws.send(Buffer.concat([Buffer.from([0]), Buffer.from('trip\n')]));
        ws.send(Buffer.from([255, 0]));
      },
    });
    expect(r.out(1)).toBe('round trip\n');
    expect(r.status).toEqual({ metadata: {}, status: 'Success' });
  });

  it('tty: a real terminal, and a resize reaches it', async () => {
    const r = await wsExec(execPath('ex', ['sh', '-c', 'sleep 0.5; stty size; test -t 0 && echo tty'], 'stdin=true&stdout=true&tty=true'), {
      talk: (ws) => ws.send(Buffer.concat([Buffer.from([4]), Buffer.from('{"Width":101,"Height":33}\n')])),
    });
    expect(r.out(1).replace(/\r/g, '')).toBe('33 101\ntty\n');
    expect(r.out(2)).toBe('');
    expect(r.status).toEqual({ metadata: {}, status: 'Success' });
  });

  it('older protocols: v4 has the JSON status; the unversioned one a failure\'s text only', async () => {
    const v4 = await wsExec(execPath('ex', ['sh', '-c', 'exit 2']), { protocols: ['v4.channel.k8s.io', 'channel.k8s.io'] });
    expect(v4.protocol).toBe('v4.channel.k8s.io');
    expect(v4.status).toMatchObject({ reason: 'NonZeroExitCode' });
    const v1 = await wsExec(execPath('ex', ['sh', '-c', 'exit 2']), { protocols: ['channel.k8s.io'] });
    expect(v1.protocol).toBe('channel.k8s.io');
    expect(v1.status).toBe('command terminated with non-zero exit code: exit status 2');
  });

  it('a command the container does not have: a Failure status with the runtime\'s message', async () => {
    const r = await wsExec(execPath('ex', ['no-such-command-here']));
    expect(r.status).toMatchObject({ status: 'Failure', reason: 'InternalError', message: expect.stringContaining('"no-such-command-here": executable file not found in $PATH') });
  });

  it('8 MB of output to a client that is not reading at first: every byte arrives, in order', async () => {
    let bytes = 0;
    let lastByte = -1;
    let inOrder = true;
    const r = await wsExec(execPath('ex', ['sh', '-c', 'i=0; while [ $i -lt 8 ]; do head -c 1048576 /dev/zero | tr "\\0" "$i"; i=$((i+1)); done']), {
      talk: (ws) => {
        ws.pause();
        setTimeout(() => ws.resume(), 500);
        ws.on('message', (d: Buffer) => {
          if (d[0] !== 1) return;
          for (let i = 1; i < d.length; i++) {
            if (d[i] < lastByte) inOrder = false;
            lastByte = d[i];
          }
          bytes += d.length - 1;
        });
      },
    });
    expect(r.status).toEqual({ metadata: {}, status: 'Success' });
    expect(bytes).toBe(8 * 1024 * 1024);
    expect([inOrder, String.fromCharCode(lastByte)]).toEqual([true, '7']);
  });

  it('a client that leaves ends the command on the node', async () => {
    const before = new Set(w.target.livePids());
    const r = wsExec(execPath('ex', ['sleep', '30']), {
      talk: (ws) => setTimeout(() => ws.close(), 300),
    });
    await waitUntil('the command to start', async () => w.target.livePids().some((pid) => !before.has(pid)), 10_000);
    await r;
    await waitUntil('the command to be killed', async () => w.target.livePids().every((pid) => before.has(pid)), 10_000);
  });

  it('refused before the upgrade, with a Status: no upgrade, SPDY, not running, no host, attach, port-forward, no token', async () => {
    const plain = await w.c.call('GET', execPath('ex', ['ls']));
    expect([plain.status, plain.body.message]).toEqual([400, 'Upgrade request required']);
    const spdy = await new Promise<{ status: number; body: string }>((ok, fail) => {
      const req = httpsRequest(httpsOptions(execPath('ex', ['ls']), { method: 'POST', headers: { Authorization: `Bearer ${w.c.cp.adminToken}`, Connection: 'Upgrade', Upgrade: 'SPDY/3.1', 'X-Stream-Protocol-Version': 'v4.channel.k8s.io' } }));
      req.on('response', (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => ok({ status: res.statusCode ?? 0, body }));
      });
      req.on('upgrade', () => fail(new Error('upgraded to SPDY')));
      req.on('error', fail);
      req.end();
    });
    expect(spdy.status).toBe(400);
    expect(JSON.parse(spdy.body).message).toMatch(/^skiff serves pods\/exec over WebSocket only \(v5\.channel\.k8s\.io, v4\.channel\.k8s\.io, channel\.k8s\.io\); "SPDY\/3\.1" is not supported$/);

    await w.pod('ex-creating', { status: creatingStatus });
    expect((await refusedUpgrade(execPath('ex-creating', ['ls']))).body).toMatchObject({ code: 400, message: 'container not found ("main")' });
    await w.pod('ex-unbound', { nodeName: null, status: () => ({ phase: 'Pending' }) });
    expect((await refusedUpgrade(execPath('ex-unbound', ['ls']))).body.message).toBe('pod ex-unbound does not have a host assigned');
    expect((await refusedUpgrade(execPath('nope', ['ls']))).statusCode).toBe(404);
    expect((await refusedUpgrade(execPath('ex', ['ls']), { token: 'wrong' })).statusCode).toBe(401);
    const attach = await w.c.call('POST', '/api/v1/namespaces/default/pods/ex/attach?stdout=true');
    expect([attach.status, attach.body.message]).toEqual([400, 'skiff does not support pods/attach yet; run a command in the container with pods/exec (kubectl exec) instead']);
    const forward = await w.c.call('GET', '/api/v1/namespaces/default/pods/ex/portforward?ports=80');
    expect([forward.status, forward.body.message]).toEqual([400, 'Upgrade request required']);
  });

  it('the gateway client (skiff\'s): exit codes, split output, stdin and its end', async () => {
    const client = adminClient();
    try {
      let out = '';
      let err = '';
      const sink = { stdout: (d: Buffer) => (out += d.toString()), stderr: (d: Buffer) => (err += d.toString()) };
      const conn = await client.exec('ex', { command: ['sh', '-c', 'cat; echo oops >&2; exit 5'], stdin: true, stdout: true, stderr: true }, sink);
      expect(conn.protocol).toBe('v5.channel.k8s.io');
      await conn.write(Buffer.from('piped\n'));
      conn.closeStdin();
      expect(await conn.exitCode).toBe(5);
      expect([out, err]).toEqual(['piped\n', 'oops\n']);
      await expect(client.exec('nope', { command: ['ls'], stdout: true }, sink)).rejects.toMatchObject({ code: 404, message: 'pods "nope" not found' });
      const broken = await client.exec('ex', { command: ['no-such-command-here'], stdout: true }, sink);
      await expect(broken.exitCode).rejects.toThrow(/executable file not found/);
    } finally {
      client.close();
    }
  });

  it('discovery lists pods/log and pods/exec', async () => {
    const list = await w.c.call('GET', '/api/v1');
    const names = (list.body.resources as { name: string }[]).map((r) => r.name);
    expect(names).toEqual(expect.arrayContaining(['pods/log', 'pods/exec', 'pods/attach', 'pods/portforward']));
  });
});
