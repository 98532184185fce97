import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { runProbe, type ProbeContext } from '../../runtime/kubelet/probe-runner';

const noExec: ProbeContext['exec'] = async () => ({ exitCode: 0, output: '' });
const ctx: ProbeContext = { exec: noExec, podIP: '127.0.0.1' };

describe('probe runner (from the host; pods get their namespace path)', () => {
  let server: Server;
  let port: number;
  beforeAll(async () => {
    server = createServer((req, res) => {
      if (req.url === '/healthz') res.end('ok');
      else if (req.url === '/moved') res.writeHead(302, { Location: '/elsewhere' }).end();
      else if (req.url === '/agent') res.end(String(req.headers['user-agent']) + ' ' + String(req.headers['x-probe']));
      else res.writeHead(503).end('down');
    });
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise((ok) => server.close(ok)));

  const http = (path: string, headers: { name: string; value: string }[] = []) => ({ type: 'httpGet' as const, scheme: 'HTTP' as const, port, path, httpHeaders: headers });

  it.each([
    ['2xx is a success', '/healthz', 'success'],
    ['a redirect is a success, not followed', '/moved', 'success'],
    ['5xx is a failure', '/down', 'failure'],
  ])('httpGet: %s', async (_name, path, result) => {
    expect((await runProbe(http(path), 2_000, ctx)).result).toBe(result);
  });

  it('httpGet says the status of a failure, and sends kube-probe as its agent plus the probe headers', async () => {
    expect(await runProbe(http('/down'), 2_000, ctx)).toEqual({ result: 'failure', output: 'HTTP probe failed with statuscode: 503' });
    expect((await runProbe(http('/agent', [{ name: 'X-Probe', value: 'yes' }]), 2_000, ctx)).output).toBe('kube-probe/1.32 yes');
  });

  it('tcpSocket: an open port is a success, a closed one a failure saying why', async () => {
    expect((await runProbe({ type: 'tcpSocket', port }, 2_000, ctx)).result).toBe('success');
    const closed = await runProbe({ type: 'tcpSocket', port: 1 }, 2_000, ctx);
    expect(closed.result).toBe('failure');
    expect(closed.output).toContain('dial tcp 127.0.0.1:1');
  });

  it('exec: exit 0 is a success, anything else a failure with the output; a runtime error is an error', async () => {
    const exec = (exitCode: number): ProbeContext['exec'] => async () => ({ exitCode, output: `exit ${exitCode}` });
    expect(await runProbe({ type: 'exec', command: ['true'] }, 1_000, { exec: exec(0) })).toEqual({ result: 'success', output: 'exit 0' });
    expect(await runProbe({ type: 'exec', command: ['false'] }, 1_000, { exec: exec(1) })).toEqual({ result: 'failure', output: 'exit 1' });
    const broken: ProbeContext['exec'] = async () => { throw new Error('container not running'); };
    expect(await runProbe({ type: 'exec', command: ['x'] }, 1_000, { exec: broken })).toEqual({ result: 'error', output: 'container not running' });
  });

  it('an unresolved named port is an error', async () => {
    expect((await runProbe({ type: 'tcpSocket', port: 'web' }, 1_000, ctx)).result).toBe('error');
  });
});
