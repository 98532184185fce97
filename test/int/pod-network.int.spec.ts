import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { sandboxName } from '../../runtime/containerd';
import { hostVethName } from '../../netd/pod-network';
import { contains, parseCidr, parseIPv4 } from '../../netd/cidr';
import { runCli } from '../harness/process';
import { importBusyboxImage } from '../harness/busybox-image';
import { deleteAllPods, startTestCluster, until, type TestCluster } from '../harness/cluster';
import { netnsDirGuard, startTestContainerd, type TestContainerd } from '../harness/containerd';

/**
 * The pod network on a real worker node: the Node gets a podCIDR, pods get addresses in it on a
 * bridge of the test's own (unique name) and reach each other by pod IP; veths go with their pods,
 * the bridge and the blackhole routes with the node. Runs in the machine's network namespace as
 * root: afterAll removes whatever is left, even after a failure.
 */
const IMAGE = 'skiff.local/busybox:test';
const NODE = 'net-worker-1';
const CLUSTER_CIDR = '10.244.0.0/16';
const SERVICE_CIDR = '10.96.0.0/12';
const BRIDGE = `skt${randomBytes(4).toString('hex')}`;

const ip = (...args: string[]): Promise<{ code: number; stdout: string }> =>
  new Promise((ok) => execFile('ip', args, (err, stdout) => ok({ code: err ? 1 : 0, stdout })));
const blackholes = async (): Promise<string[]> => (await ip('route', 'show', 'type', 'blackhole')).stdout.split('\n').map((l) => l.trim()).filter(Boolean);

describe('pod network on a worker node', () => {
  let containerd: TestContainerd;
  let c: TestCluster | undefined;
  const uids: string[] = [];
  const releaseNetnsDir = netnsDirGuard();

  beforeAll(async () => {
    // Nothing of ours may be there before: the CIDRs must not be in use on this machine.
    expect((await ip('route', 'show', 'match', '10.244.0.0/16')).stdout).not.toMatch(/^10\.244\./m);
    containerd = await startTestContainerd();
    await importBusyboxImage(containerd, IMAGE);
    c = await startTestCluster({
      clusterCIDR: CLUSTER_CIDR,
      workerNode: { name: NODE, containerdAddress: containerd.address, containerdNamespace: containerd.namespace, bridgeName: BRIDGE },
    });
    await until(c, `/api/v1/nodes/${NODE}`, (n) => n.status?.conditions?.some((x: any) => x.type === 'Ready' && x.status === 'True'));
  }, 120_000);

  afterAll(async () => {
    if (c) {
      if (c) await deleteAllPods(c).catch(() => undefined);
      await c.stop();
    }
    await containerd?.cleanup();
    // Whatever is left after a failure.
    for (const uid of uids) {
      await ip('link', 'delete', 'dev', hostVethName(sandboxName(uid)));
      await ip('netns', 'delete', sandboxName(uid));
    }
    await ip('link', 'delete', 'dev', BRIDGE);
    for (const cidr of [CLUSTER_CIDR, SERVICE_CIDR]) await ip('route', 'delete', 'blackhole', cidr);
    await releaseNetnsDir();
  }, 120_000);

  const cluster = (): TestCluster => c as TestCluster;
  const podPath = (name: string) => `/api/v1/namespaces/default/pods/${name}`;
  const create = async (name: string, container: Record<string, unknown>) => {
    const res = await cluster().call('POST', '/api/v1/namespaces/default/pods', {
      apiVersion: 'v1', kind: 'Pod', metadata: { name },
      spec: { nodeName: NODE, terminationGracePeriodSeconds: 1, containers: [{ name: 'c', image: IMAGE, imagePullPolicy: 'Never', ...container }] },
    });
    expect(res.status).toBe(201);
    uids.push(res.body.metadata.uid);
    return res.body.metadata.uid as string;
  };

  it('gives the Node a podCIDR, sets up the bridge and the blackhole routes', async () => {
    const node = await until(cluster(), `/api/v1/nodes/${NODE}`, (n) => n.spec?.podCIDR);
    expect(contains(parseCidr(CLUSTER_CIDR), parseIPv4(node.spec.podCIDR.split('/')[0]))).toBe(true);
    const gateway = node.spec.podCIDR.replace(/\.0\/24$/, '.1');
    // The bridge appears with the first pod at the latest; a pod makes sure of it.
    await create('web', { command: ['sh', '-c', 'mkdir -p /www && echo hello-by-pod-ip > /www/index.html && exec httpd -f -p 8080 -h /www'] });
    const running = await until(cluster(), podPath('web'), (p) => p.status?.podIP && p.status?.phase === 'Running', 60_000);
    expect(running.status.podIPs).toEqual([{ ip: running.status.podIP }]);
    expect(contains(parseCidr(node.spec.podCIDR), parseIPv4(running.status.podIP))).toBe(true);
    expect((await ip('-o', 'addr', 'show', 'dev', BRIDGE)).stdout).toContain(`${gateway}/24`);
    const routes = await blackholes();
    expect(routes).toEqual(expect.arrayContaining([`blackhole ${CLUSTER_CIDR}`, `blackhole ${SERVICE_CIDR}`]));
    // The bridge's /24 wins over the cluster CIDR's blackhole for local pods.
    expect((await ip('route', 'get', running.status.podIP)).stdout).toContain(`dev ${BRIDGE}`);
  }, 90_000);

  it('a second pod reaches the first by its pod IP; each has its own address', async () => {
    const web = (await cluster().call('GET', podPath('web'))).body;
    const webIP = web.status.podIP as string;
    await create('client', {
      command: ['sh', '-c', 'exec sleep 3600'],
      readinessProbe: { exec: { command: ['sh', '-c', `wget -qO- http://${webIP}:8080/ | grep -q hello-by-pod-ip`] }, periodSeconds: 1, timeoutSeconds: 3 },
    });
    const ready = await until(cluster(), podPath('client'), (p) => p.status?.conditions?.some((x: any) => x.type === 'Ready' && x.status === 'True'), 30_000).catch(async (err) => {
      const tried = await runCli(cluster().cp.kubeconfigPath, ['exec', 'client', '--', 'sh', '-c', `ip addr; ip route; wget -O- http://${webIP}:8080/`], 30_000);
      throw new Error(`${(err as Error).message}\nfrom the client: ${JSON.stringify(tried)}`);
    });
    expect(ready.status.podIP).toBeTruthy();
    expect(ready.status.podIP).not.toBe(webIP);
  }, 90_000);

  it('deleted pods lose their veths; a clean stop removes the bridge and the blackhole routes', async () => {
    for (const uid of uids) expect((await ip('-o', 'link', 'show', 'dev', hostVethName(sandboxName(uid)))).code).toBe(0);
    expect((await cluster().call('DELETE', '/api/v1/namespaces/default/pods')).status).toBe(200);
    await until(cluster(), '/api/v1/namespaces/default/pods', (l) => l.items.length === 0, 60_000);
    for (const uid of uids) {
      const deadline = Date.now() + 15_000;
      while ((await ip('-o', 'link', 'show', 'dev', hostVethName(sandboxName(uid)))).code === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
      expect((await ip('-o', 'link', 'show', 'dev', hostVethName(sandboxName(uid)))).code).not.toBe(0);
    }
    const stopping = c as TestCluster;
    c = undefined;
    await stopping.stop();
    expect((await ip('-o', 'link', 'show', 'dev', BRIDGE)).code).not.toBe(0);
    const routes = await blackholes();
    expect(routes).not.toContain(`blackhole ${CLUSTER_CIDR}`);
    expect(routes).not.toContain(`blackhole ${SERVICE_CIDR}`);
  }, 90_000);
});
