import { CommandBus } from '../../actors/kernel/command-bus';
import { startHollowNodes } from '../../runtime/hollow/hollow-agent';
import { startTestCluster, until, type TestCluster } from '../harness/cluster';


describe('node lifecycle on hollow nodes', () => {
  let c: TestCluster;
  beforeAll(async () => {
    c = await startTestCluster({ hollowNodes: 2, hollowStartDelayMs: 100, nodeGracePeriodMs: 1_500, heartbeatIntervalMs: 300 });
  });
  afterAll(async () => {
    await c.stop();
  });

  it('a node stopped without notice goes NotReady, is tainted, its pods reappear on the other nodes, and the evicted ones go once it is back', async () => {
    // A third node whose agent the test can stop, as if the machine went away.
    const bus = new CommandBus(c.cp.log);
    const doomed = await startHollowNodes({ nodes: [{ name: 'doomed', index: 9 }], log: c.cp.log, projection: c.cp.projection, bus, heartbeatIntervalMs: 300, timings: { startDelayMs: 100 } });
    let back: Awaited<ReturnType<typeof startHollowNodes>> | undefined;
    try {
      const tolerations = [
        { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 1 },
        { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 1 },
      ];
      const created = await c.call('POST', '/apis/apps/v1/namespaces/default/deployments', {
        apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'mover' },
        spec: { replicas: 6, selector: { matchLabels: { app: 'mover' } }, template: { metadata: { labels: { app: 'mover' } }, spec: { tolerations, containers: [{ name: 'c', image: 'busybox:1.36' }] } } },
      });
      expect(created.status).toBe(201);
      const before = await until(c, '/api/v1/namespaces/default/pods?labelSelector=app%3Dmover', (l) => l.items.length === 6 && l.items.every((p: any) => p.status.phase === 'Running'));
      expect(before.items.some((p: any) => p.spec.nodeName === 'doomed')).toBe(true);

      doomed.stop();
      const node = await until(c, '/api/v1/nodes/doomed', (n) => n.status.conditions.find((x: any) => x.type === 'Ready').status === 'Unknown');
      expect(node.spec.taints.map((t: any) => `${t.key}:${t.effect}`)).toEqual(['node.kubernetes.io/unreachable:NoSchedule', 'node.kubernetes.io/unreachable:NoExecute']);
      const table = await c.call('GET', '/api/v1/nodes/doomed', undefined, { accept: 'application/json;as=Table;v=v1;g=meta.k8s.io' });
      expect(table.body.rows[0].cells[1]).toBe('NotReady');

      // Evicted pods stay Terminating while no kubelet is there to stop them (as in Kubernetes);
      // they no longer count for their ReplicaSet, which has replaced them on the other nodes.
      const evicted = before.items.filter((p: any) => p.spec.nodeName === 'doomed').map((p: any) => p.metadata.name).sort();
      const after = await until(c, '/api/v1/namespaces/default/pods?labelSelector=app%3Dmover', (l) => {
        const live = l.items.filter((p: any) => !p.metadata.deletionTimestamp);
        return live.length === 6 && live.every((p: any) => p.status.phase === 'Running' && p.spec.nodeName !== 'doomed');
      });
      expect(new Set(after.items.filter((p: any) => !p.metadata.deletionTimestamp).map((p: any) => p.spec.nodeName))).toEqual(new Set(['hollow-0', 'hollow-1']));
      const terminating = after.items.filter((p: any) => p.metadata.deletionTimestamp);
      expect(terminating.map((p: any) => p.metadata.name).sort()).toEqual(evicted);
      expect(terminating.every((p: any) => p.spec.nodeName === 'doomed' && p.metadata.deletionGracePeriodSeconds === 30)).toBe(true);

      // The node comes back: its kubelet finishes them.
      back = await startHollowNodes({ nodes: [{ name: 'doomed', index: 9 }], log: c.cp.log, projection: c.cp.projection, bus, heartbeatIntervalMs: 300, timings: { startDelayMs: 100 } });
      const settled = await until(c, '/api/v1/namespaces/default/pods?labelSelector=app%3Dmover', (l) => l.items.length === 6);
      expect(settled.items.some((p: any) => p.metadata.deletionTimestamp || p.spec.nodeName === 'doomed')).toBe(false);
    } finally {
      doomed.stop();
      back?.stop();
      bus.close();
    }
  }, 90_000);
});
