/**
 * The generated ruleset against the real iptables, inside a network namespace this file creates
 * and deletes (the machine's own rules are never touched). Needs root and iproute2 + iptables
 * (legacy or nft flavour; this machine's is printed).
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import {
  buildProxyRuleset,
  ensureJumps,
  parseIptablesSave,
  servicePortChains,
  skiffChains,
  type ProxyEndpoint,
  type ProxyInput,
  type ProxyService,
} from '../../netd/proxy';
import { netnsDirGuard } from '../harness/containerd';

const run = promisify(execFile);
const NS = `skiff-ipt-${randomBytes(3).toString('hex')}`;

function inNs(cmd: string, args: string[], input?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile('ip', ['netns', 'exec', NS, cmd, ...args], (err, stdout, stderr) =>
      err ? reject(new Error(`${cmd} ${args.join(' ')}: ${stderr || err.message}`)) : resolve(stdout),
    );
    if (input !== undefined) child.stdin!.end(input);
  });
}

const ep = (ip: string): ProxyEndpoint => ({ ip, port: 8080, ready: true, serving: true, terminating: false, nodeName: 'n1' });
const web: ProxyService = {
  namespace: 'default', name: 'web', clusterIPs: ['10.96.0.10'], type: 'NodePort',
  ports: [{ name: 'http', port: 80, protocol: 'TCP', nodePort: 30080 }], sessionAffinity: 'ClientIP',
};
const api: ProxyService = {
  namespace: 'default', name: 'api', clusterIPs: ['10.96.0.20'], type: 'ClusterIP',
  ports: [{ name: '', port: 443, protocol: 'TCP' }],
};
const empty: ProxyService = {
  namespace: 'default', name: 'empty', clusterIPs: ['10.96.0.30'], type: 'ClusterIP',
  ports: [{ name: 'dns', port: 53, protocol: 'UDP' }],
};
const base: ProxyInput = {
  services: [web, api, empty],
  endpoints: { 'default/web:http': [ep('10.244.0.1'), ep('10.244.0.2'), ep('10.244.0.3')], 'default/api': [ep('10.244.0.4')] },
  node: { name: 'n1', ips: ['192.168.50.2'] },
  options: { clusterCIDR: '10.244.0.0/16' },
};

describe('proxy ruleset under iptables-restore --noflush (own netns)', () => {
  const releaseNetnsDir = netnsDirGuard();

  beforeAll(async () => {
    const { stdout } = await run('iptables', ['--version']);
    console.log(`iptables flavour: ${stdout.trim()}`);
    await run('ip', ['netns', 'add', NS]);
  });

  afterAll(async () => {
    await run('ip', ['netns', 'del', NS]).catch(() => undefined);
    await releaseNetnsDir();
  });

  it('applies a full ruleset, the jumps idempotently, then a resync deletes a removed service', async () => {
    const first = buildProxyRuleset({ ...base, existing: skiffChains(await inNs('iptables-save', [])) });
    await inNs('iptables-restore', ['--noflush'], first.text);

    for (const j of ensureJumps()) {
      await inNs('iptables', j.newChain).catch((e: Error) => {
        if (!/exists/i.test(e.message)) throw e;
      });
      await inNs('iptables', j.check).catch(() => inNs('iptables', j.insert));
    }
    for (const j of ensureJumps()) await inNs('iptables', j.check).catch(() => inNs('iptables', j.insert));

    const saved1 = await inNs('iptables-save', []);
    const chains1 = skiffChains(saved1);
    expect(chains1.nat).toEqual([...first.chains.nat].sort());
    expect(chains1.filter).toEqual([...first.chains.filter].sort());
    const web1 = servicePortChains('default/web:http', 'tcp');
    const tables = parseIptablesSave(saved1);
    const nat = tables.get('nat')!;
    expect(nat.get(web1.svc)!.rules.filter((r) => r.includes('--probability'))).toEqual([
      expect.stringContaining('--probability 0.33333333349'),
      expect.stringContaining('--probability 0.50000000000'),
    ]);
    expect(nat.get(web1.svc)!.rules.some((r) => /--rcheck --seconds 10800 --reap/.test(r))).toBe(true);
    expect(nat.get('SKIFF-NODEPORTS')!.rules.join('\n')).toContain(`--dport 30080 -j ${web1.ext}`);
    expect(nat.get('PREROUTING')!.rules).toEqual([expect.stringContaining('-j SKIFF-SERVICES')]);
    expect(nat.get('POSTROUTING')!.rules).toEqual([expect.stringContaining('-j SKIFF-POSTROUTING')]);
    expect(tables.get('filter')!.get('SKIFF-SERVICES')!.rules.join('\n')).toMatch(
      /-d 10\.96\.0\.30\/32 .*--dport 53 -j REJECT --reject-with icmp-port-unreachable/,
    );
    expect(tables.get('filter')!.get('FORWARD')!.rules.length).toBe(4);

    // The same input again is byte-identical and leaves iptables-save unchanged.
    const again = buildProxyRuleset({ ...base, existing: chains1 });
    expect(again.text).toBe(first.text);
    await inNs('iptables-restore', ['--noflush'], again.text);
    expect(strip(await inNs('iptables-save', []))).toBe(strip(saved1));

    // Resync without "web": its SVC, EXT and SEP chains go; api's stay.
    const second = buildProxyRuleset({ ...base, services: [api, empty], existing: chains1 });
    expect(second.deleted.nat).toContain(web1.svc);
    await inNs('iptables-restore', ['--noflush'], second.text);
    const chains2 = skiffChains(await inNs('iptables-save', []));
    expect(chains2.nat).toEqual([...second.chains.nat].sort());
    expect(chains2.nat.some((c) => c === web1.svc || c === web1.ext)).toBe(false);
    expect(chains2.nat).toContain(servicePortChains('default/api', 'tcp').svc);
    expect(chains2.nat.filter((c) => c.startsWith('SKIFF-SEP-'))).toHaveLength(1);
  });
});

/** iptables-save output without its "# Generated/Completed" timestamp lines. */
function strip(saved: string): string {
  return saved.split('\n').filter((l) => !l.startsWith('#')).join('\n');
}
