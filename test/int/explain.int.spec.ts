import { startTestCluster, until, type TestCluster } from '../harness/cluster';
import { runCli, type CliRun } from '../harness/process';

const podWith = (name: string, spec: Record<string, unknown>, cpu?: string) => ({
  apiVersion: 'v1', kind: 'Pod', metadata: { name },
  spec: { ...spec, containers: [{ name: 'c', image: 'busybox:1.36', ...(cpu ? { resources: { requests: { cpu } } } : {}) }] },
});

describe('skiff explain pod on hollow nodes', () => {
  let c: TestCluster;
  const skiff = (...args: string[]): Promise<CliRun> => runCli(c.cp.kubeconfigPath, args, 60_000);
  const scheduling = (name: string, token?: string | null) => c.call('GET', `/skiff/v1/namespaces/default/pods/${name}/scheduling`, undefined, { token });

  beforeAll(async () => {
    c = await startTestCluster({ hollowNodes: 3, hollowStartDelayMs: 100 });
    await until(c, '/api/v1/nodes', (l) => l.items.length === 3);
  });
  afterAll(async () => {
    await c.stop();
  });

  it('a pod that fits: the chosen node, how every node scored', async () => {
    expect((await c.call('POST', '/api/v1/namespaces/default/pods', podWith('fits', {}, '100m'))).status).toBe(201);
    const pod = await until(c, '/api/v1/namespaces/default/pods/fits', (p) => Boolean(p.spec.nodeName));
    const node: string = pod.spec.nodeName;

    const api = await scheduling('fits');
    expect(api.status).toBe(200);
    expect(api.body).toMatchObject({
      kind: 'PodScheduling', apiVersion: 'skiff/v1',
      metadata: { namespace: 'default', name: 'fits', uid: pod.metadata.uid },
      decision: {
        reason: expect.stringMatching(new RegExp(`^bind default/fits to ${node}: score \\d+, the best of 3 feasible node\\(s\\) out of 3$`)),
        record: { kind: 'scheduling', outcome: 'bound', node, nodes: 3, evaluated: 3, feasible: 3, unrecorded: 0, rejected: [] },
      },
      pod: { bound: true, nodeName: node },
    });
    expect(api.body.decision.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(api.body.decision.record.scored.map((s: { node: string }) => s.node)[0]).toBe(node);

    const run = await skiff('explain', 'pod', 'fits');
    expect(run).toMatchObject({ code: 0, stderr: '' });
    const lines = run.stdout.split('\n');
    expect(lines[0]).toBe(`Pod default/fits: bound to ${node} at ${api.body.decision.time}`);
    expect(lines[1]).toBe('3 nodes, 3 evaluated, 3 feasible');
    expect(lines[2]).toMatch(/^NODE\s+VERDICT\s+SCORE\s+TaintToleration\s+NodeAffinity\s+NodeResourcesFit\s+SelectorSpread\s+InterPodAffinity$/);
    const total = api.body.decision.record.scored[0].total;
    expect(lines[3]).toMatch(new RegExp(`^${node}\\s+chosen\\s+${total}\\s+\\d+`));
    expect(lines.filter((l) => /^hollow-\d\s+feasible\s+\d+/.test(l))).toHaveLength(2);
  }, 60_000);

  it('an impossible pod: every node rejected for Insufficient cpu', async () => {
    expect((await c.call('POST', '/api/v1/namespaces/default/pods', podWith('huge', {}, '64'))).status).toBe(201);
    await until(c, '/api/v1/namespaces/default/pods/huge', (p) => p.status?.conditions?.some((x: { type: string; status: string }) => x.type === 'PodScheduled' && x.status === 'False'));

    const api = await scheduling('huge');
    expect(api.status).toBe(200);
    expect(api.body.decision.record).toMatchObject({
      outcome: 'unschedulable', nodes: 3, evaluated: 3, feasible: 0,
      message: expect.stringMatching(/^0\/3 nodes are available: 3 Insufficient cpu\./),
      rejected: [{ reasons: ['Insufficient cpu'], nodes: ['hollow-0', 'hollow-1', 'hollow-2'] }],
    });
    expect(api.body.pod).toEqual({ bound: false, phase: 'Pending' });

    const run = await skiff('explain', 'pod/huge', '-n', 'default');
    expect(run).toMatchObject({ code: 0, stderr: '' });
    const lines = run.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^Pod default\/huge: not scheduled — 0\/3 nodes are available: 3 Insufficient cpu\. /);
    expect(lines[1]).toBe(`3 nodes, 3 evaluated, 0 feasible, as of ${api.body.decision.time}`);
    expect(lines[2]).toMatch(/^NODE\s+VERDICT\s+REASON$/);
    expect(lines.slice(3)).toEqual([0, 1, 2].map((i) => expect.stringMatching(new RegExp(`^hollow-${i}\\s+rejected\\s+Insufficient cpu$`))));
  }, 60_000);

  it('no decision on record, a pod of the same name that is another pod, no pod: 404 in Kubernetes shape', async () => {
    // Another scheduler's pod: this one never decides about it.
    expect((await c.call('POST', '/api/v1/namespaces/default/pods', podWith('elsewhere', { schedulerName: 'other-scheduler' }))).status).toBe(201);
    expect(await scheduling('elsewhere')).toMatchObject({
      status: 404,
      body: { kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'NotFound', code: 404, message: 'pods "elsewhere" has no scheduling decision on record' },
    });
    // `huge` again, under the same name but a new uid: the old pod's record is not its story.
    expect((await c.call('DELETE', '/api/v1/namespaces/default/pods/huge')).status).toBe(200);
    await until(c, '/api/v1/namespaces/default/pods', (l) => !l.items.some((p: { metadata: { name: string } }) => p.metadata.name === 'huge'));
    expect((await c.call('POST', '/api/v1/namespaces/default/pods', podWith('huge', { schedulerName: 'other-scheduler' }, '64'))).status).toBe(201);
    expect((await scheduling('huge')).status).toBe(404);

    expect(await scheduling('nope')).toMatchObject({ status: 404, body: { kind: 'Status', reason: 'NotFound', message: 'pods "nope" not found', details: { name: 'nope', kind: 'pods' } } });
    expect((await scheduling('fits', null)).status).toBe(401);
    expect((await c.call('GET', '/skiff/v1/namespaces/default/pods/fits/other')).body).toMatchObject({ kind: 'Status', code: 404 });
    expect((await c.call('POST', '/skiff/v1/namespaces/default/pods/fits/scheduling', {})).body).toMatchObject({ kind: 'Status', code: 405 });

    const run = await skiff('explain', 'pod', 'nope');
    expect(run).toEqual({ code: 1, stdout: '', stderr: 'Error from server (NotFound): pods "nope" not found\n' });
    const other = await skiff('explain', 'deployment', 'web');
    expect(other).toEqual({ code: 1, stdout: '', stderr: 'error: skiff explain supports only pod, not "deployment"\n' });
  }, 60_000);
});
