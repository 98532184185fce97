/**
 * @kubernetes/client-node 2.x `Exec` and `Log` against skiff's pods/exec and pods/log: the client
 * runs in a child process (test/harness/client-node.ts), the node agent's runtime is the
 * host-process TEST DOUBLE.
 */
import { startClientNode, type ClientNode } from '../harness/client-node';
import { startStreamsWorld, type StreamsWorld } from '../harness/streams';

let w: StreamsWorld;
let cn: ClientNode;
const web = { namespace: 'default', pod: 'web', container: 'main' };

beforeAll(async () => {
  w = await startStreamsWorld({ pacing: { heartbeatMs: 500, timeoutMs: 5_000 } });
  const p = await w.pod('web');
  await w.target.appendLog(p, 'main', 'one\ntwo\nthree\n');
  cn = await startClientNode(w.c.cp.kubeconfigPath);
});

afterAll(async () => {
  await cn?.stop();
  await w?.stop();
});

describe('@kubernetes/client-node Exec and Log', () => {
  it('Log: the whole log, and the last lines (its query: follow=false, pretty, previous=false, timestamps=false)', async () => {
    expect(await cn.log(web)).toBe('one\ntwo\nthree\n');
    expect(await cn.log(web, { tailLines: 2 })).toBe('two\nthree\n');
  });

  it('Exec negotiates v5: output per stream, and the exit status handed to its callback', async () => {
    const ok = await cn.exec(web, ['sh', '-c', 'echo out; echo err >&2']);
    expect(ok).toEqual({ stdout: 'out\n', stderr: 'err\n', status: { metadata: {}, status: 'Success' } });
    const failed = await cn.exec(web, ['sh', '-c', 'exit 3']);
    expect(failed.status).toMatchObject({ status: 'Failure', reason: 'NonZeroExitCode', details: { causes: [{ reason: 'ExitCode', message: '3' }] } });
  });

  it('Exec with stdin: what it pipes in comes back out of cat, and the end of its stdin ends cat', async () => {
    expect(await cn.exec(web, ['cat'], { stdin: 'from client-node\n' })).toMatchObject({ stdout: 'from client-node\n', status: { status: 'Success' } });
  });
});
