import {
  base32,
  chainHash,
} from '../../netd/proxy/chain-names';
import {
  buildProxyRuleset,
  endpointChain,
  ensureJumps,
  probability,
  servicePortChains,
  type ProxyEndpoint,
  type ProxyInput,
  type ProxyService,
} from '../../netd/proxy';

const ep = (ip: string, more: Partial<ProxyEndpoint> = {}): ProxyEndpoint => ({
  ip, port: 8080, ready: true, serving: true, terminating: false, nodeName: 'n1', ...more,
});
const svc = (name: string, more: Partial<ProxyService> = {}): ProxyService => ({
  namespace: 'default', name, clusterIPs: ['10.96.0.10'], type: 'ClusterIP',
  ports: [{ name: 'http', port: 80, protocol: 'TCP' }], ...more,
});
const input = (services: ProxyService[], endpoints: ProxyInput['endpoints'], more: Partial<ProxyInput> = {}): ProxyInput => ({
  services, endpoints, node: { name: 'n1', ips: ['192.168.1.5', '10.0.0.5'] }, options: { clusterCIDR: '10.244.0.0/16' }, ...more,
});
/** The rules of one table ("-A …" lines) from the restore text. */
function rules(text: string, table: 'filter' | 'nat'): string[] {
  const block = text.split('COMMIT\n').find((b) => b.startsWith(`*${table}\n`))!;
  return block.split('\n').filter((l) => l.startsWith('-A '));
}

const WEB = servicePortChains('default/web:http', 'tcp');
const SEP = (ip: string, spn = 'default/web:http') => endpointChain(spn, 'tcp', `${ip}:8080`);

describe('chain names (kube-proxy servicePortChainName / servicePortEndpointChainName)', () => {
  it.each([
    ['ns1/svc1:p80tcp', 'XPGD46QRK7WJZT7O'], // kube-proxy's KUBE-SVC-XPGD46QRK7WJZT7O
    ['ns1/svc1:p80tcp10.180.0.1:80', 'SXIVWICOYRO3J4NJ'], // KUBE-SEP-SXIVWICOYRO3J4NJ
  ])('hash of %s is %s', (text, hash) => expect(chainHash(text)).toBe(hash));

  it('base32 is RFC 4648 with padding', () => {
    expect(base32(Buffer.from('foobar'))).toBe('MZXW6YTBOI======');
    expect(base32(Buffer.from('fooba'))).toBe('MZXW6YTB');
  });

  it('names fit in 28 characters', () => {
    expect(WEB.svc).toMatch(/^SKIFF-SVC-[A-Z2-7]{16}$/);
    expect(SEP('10.244.0.1').length).toBeLessThanOrEqual(28);
  });

  it.each([[1, '1.0000000000'], [2, '0.5000000000'], [3, '0.3333333333'], [7, '0.1428571429']])(
    'probability(%i) = %s', (n, p) => expect(probability(n)).toBe(p),
  );
});

describe('buildProxyRuleset', () => {
  const three = { 'default/web:http': [ep('10.244.0.3'), ep('10.244.0.1'), ep('10.244.0.2')] };

  it('one ClusterIP service with 3 endpoints: random pick 1/3, 1/2, then the last', () => {
    const nat = rules(buildProxyRuleset(input([svc('web')], three)).text, 'nat');
    expect(nat.filter((r) => r.startsWith(`-A ${WEB.svc} `))).toEqual([
      `-A ${WEB.svc} -m comment --comment "default/web:http cluster IP" -m tcp -p tcp -d 10.96.0.10 --dport 80 ! -s 10.244.0.0/16 -j SKIFF-MARK-MASQ`,
      `-A ${WEB.svc} -m comment --comment "default/web:http -> 10.244.0.1:8080" -m statistic --mode random --probability 0.3333333333 -j ${SEP('10.244.0.1')}`,
      `-A ${WEB.svc} -m comment --comment "default/web:http -> 10.244.0.2:8080" -m statistic --mode random --probability 0.5000000000 -j ${SEP('10.244.0.2')}`,
      `-A ${WEB.svc} -m comment --comment "default/web:http -> 10.244.0.3:8080" -j ${SEP('10.244.0.3')}`,
    ]);
    expect(nat).toContain(
      `-A SKIFF-SERVICES -m comment --comment "default/web:http cluster IP" -m tcp -p tcp -d 10.96.0.10 --dport 80 -j ${WEB.svc}`,
    );
    expect(nat.filter((r) => r.startsWith(`-A ${SEP('10.244.0.2')} `))).toEqual([
      `-A ${SEP('10.244.0.2')} -m comment --comment default/web:http -s 10.244.0.2 -j SKIFF-MARK-MASQ`, // hairpin
      `-A ${SEP('10.244.0.2')} -m comment --comment default/web:http -m tcp -p tcp -j DNAT --to-destination 10.244.0.2:8080`,
    ]);
    expect(nat[nat.length - 1]).toBe(
      '-A SKIFF-SERVICES -m comment --comment "kubernetes service nodeports; NOTE: this must be the last rule in this chain" -m addrtype --dst-type LOCAL -j SKIFF-NODEPORTS',
    );
  });

  it('the whole text of the smallest ruleset', () => {
    const { text, chains } = buildProxyRuleset(input([svc('web')], { 'default/web:http': [ep('10.244.0.1')] }));
    expect(text).toBe(
      [
        '*filter',
        ':SKIFF-SERVICES - [0:0]',
        ':SKIFF-EXTERNAL-SERVICES - [0:0]',
        ':SKIFF-FORWARD - [0:0]',
        ':SKIFF-NODEPORTS - [0:0]',
        ':SKIFF-PROXY-FIREWALL - [0:0]',
        '-A SKIFF-FORWARD -m conntrack --ctstate INVALID -j DROP',
        '-A SKIFF-FORWARD -m comment --comment "kubernetes forwarding rules" -m mark --mark 0x4000/0x4000 -j ACCEPT',
        '-A SKIFF-FORWARD -m comment --comment "kubernetes forwarding conntrack rule" -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT',
        'COMMIT',
        '*nat',
        ':SKIFF-SERVICES - [0:0]',
        ':SKIFF-NODEPORTS - [0:0]',
        ':SKIFF-POSTROUTING - [0:0]',
        ':SKIFF-MARK-MASQ - [0:0]',
        `:${WEB.svc} - [0:0]`,
        `:${SEP('10.244.0.1')} - [0:0]`,
        '-A SKIFF-POSTROUTING -m mark ! --mark 0x4000/0x4000 -j RETURN',
        '-A SKIFF-POSTROUTING -j MARK --xor-mark 0x4000',
        '-A SKIFF-POSTROUTING -m comment --comment "kubernetes service traffic requiring SNAT" -j MASQUERADE',
        '-A SKIFF-MARK-MASQ -j MARK --or-mark 0x4000',
        `-A SKIFF-SERVICES -m comment --comment "default/web:http cluster IP" -m tcp -p tcp -d 10.96.0.10 --dport 80 -j ${WEB.svc}`,
        `-A ${WEB.svc} -m comment --comment "default/web:http cluster IP" -m tcp -p tcp -d 10.96.0.10 --dport 80 ! -s 10.244.0.0/16 -j SKIFF-MARK-MASQ`,
        `-A ${WEB.svc} -m comment --comment "default/web:http -> 10.244.0.1:8080" -j ${SEP('10.244.0.1')}`,
        `-A ${SEP('10.244.0.1')} -m comment --comment default/web:http -s 10.244.0.1 -j SKIFF-MARK-MASQ`,
        `-A ${SEP('10.244.0.1')} -m comment --comment default/web:http -m tcp -p tcp -j DNAT --to-destination 10.244.0.1:8080`,
        '-A SKIFF-SERVICES -m comment --comment "kubernetes service nodeports; NOTE: this must be the last rule in this chain" -m addrtype --dst-type LOCAL -j SKIFF-NODEPORTS',
        'COMMIT',
        '',
      ].join('\n'),
    );
    expect(chains.nat).toEqual(['SKIFF-SERVICES', 'SKIFF-NODEPORTS', 'SKIFF-POSTROUTING', 'SKIFF-MARK-MASQ', WEB.svc, SEP('10.244.0.1')]);
  });

  it.each<[string, ProxyInput['endpoints']]>([
    ['no endpoint at all', {}],
    ['only not-ready ones', { 'default/web:http': [ep('10.244.0.1', { ready: false, serving: false })] }],
  ])('a service with %s REJECTs in filter and has no nat chains', (_, endpoints) => {
    const r = buildProxyRuleset(input([svc('web', { type: 'NodePort', ports: [{ name: 'http', port: 80, protocol: 'TCP', nodePort: 30080 }] })], endpoints));
    expect(rules(r.text, 'filter').filter((l) => l.includes('REJECT'))).toEqual([
      '-A SKIFF-SERVICES -m comment --comment "default/web:http has no endpoints" -m tcp -p tcp -d 10.96.0.10 --dport 80 -j REJECT',
      '-A SKIFF-EXTERNAL-SERVICES -m comment --comment "default/web:http has no endpoints" -m addrtype --dst-type LOCAL -m tcp -p tcp --dport 30080 -j REJECT',
    ]);
    expect(r.chains.nat.filter((c) => c.includes('-SVC-') || c.includes('-SEP-') || c.includes('-EXT-'))).toEqual([]);
  });

  it('falls back to serving, terminating endpoints when none is ready', () => {
    const r = buildProxyRuleset(input([svc('web')], {
      'default/web:http': [ep('10.244.0.1', { ready: false, terminating: true }), ep('10.244.0.2', { ready: false, serving: false, terminating: true })],
    }));
    expect(r.chains.nat).toContain(SEP('10.244.0.1'));
    expect(r.chains.nat).not.toContain(SEP('10.244.0.2'));
  });

  it('NodePort: SKIFF-NODEPORTS → EXT (mark for SNAT) → SVC', () => {
    const np = svc('web', { type: 'NodePort', ports: [{ name: 'http', port: 80, protocol: 'TCP', nodePort: 30080 }] });
    const nat = rules(buildProxyRuleset(input([np], three)).text, 'nat');
    expect(nat).toContain(`-A SKIFF-NODEPORTS -m comment --comment default/web:http -m tcp -p tcp --dport 30080 -j ${WEB.ext}`);
    expect(nat.filter((r) => r.startsWith(`-A ${WEB.ext} `))).toEqual([
      `-A ${WEB.ext} -m comment --comment "masquerade traffic for default/web:http external destinations" -j SKIFF-MARK-MASQ`,
      `-A ${WEB.ext} -j ${WEB.svc}`,
    ]);
  });

  it('NodePort with nodePortAddresses: one SKIFF-NODEPORTS jump per matching node IP', () => {
    const nat = rules(buildProxyRuleset(input([], {}, { options: { nodePortAddresses: ['192.168.0.0/16'] } })).text, 'nat');
    expect(nat.filter((r) => r.endsWith('-j SKIFF-NODEPORTS'))).toEqual([
      '-A SKIFF-SERVICES -m comment --comment "kubernetes service nodeports; NOTE: this must be the last rule in this chain" -d 192.168.1.5 -j SKIFF-NODEPORTS',
    ]);
  });

  it('LoadBalancer with externalTrafficPolicy Local: SVL for this node, short-circuits for pods and the host', () => {
    const lb = svc('web', {
      type: 'LoadBalancer', externalTrafficPolicy: 'Local', loadBalancerIPs: ['203.0.113.7'],
      ports: [{ name: 'http', port: 80, protocol: 'TCP', nodePort: 30080 }],
    });
    const nat = rules(buildProxyRuleset(input([lb], { 'default/web:http': [ep('10.244.0.1'), ep('10.244.1.1', { nodeName: 'n2' })] })).text, 'nat');
    expect(nat).toContain(`-A SKIFF-SERVICES -m comment --comment "default/web:http loadbalancer IP" -m tcp -p tcp -d 203.0.113.7 --dport 80 -j ${WEB.ext}`);
    expect(nat.filter((r) => r.startsWith(`-A ${WEB.ext} `))).toEqual([
      `-A ${WEB.ext} -m comment --comment "pod traffic for default/web:http external destinations" -s 10.244.0.0/16 -j ${WEB.svc}`,
      `-A ${WEB.ext} -m comment --comment "masquerade LOCAL traffic for default/web:http external destinations" -m addrtype --src-type LOCAL -j SKIFF-MARK-MASQ`,
      `-A ${WEB.ext} -m comment --comment "route LOCAL traffic for default/web:http external destinations" -m addrtype --src-type LOCAL -j ${WEB.svc}`,
      `-A ${WEB.ext} -j ${WEB.svl}`,
    ]);
    expect(nat.filter((r) => r.startsWith(`-A ${WEB.svl} `))).toEqual([
      `-A ${WEB.svl} -m comment --comment "default/web:http -> 10.244.0.1:8080" -j ${SEP('10.244.0.1')}`,
    ]);
  });

  it('externalTrafficPolicy Local without a local endpoint DROPs external traffic', () => {
    const np = svc('web', { type: 'NodePort', externalTrafficPolicy: 'Local', ports: [{ name: 'http', port: 80, protocol: 'TCP', nodePort: 30080 }] });
    const filter = rules(buildProxyRuleset(input([np], { 'default/web:http': [ep('10.244.1.1', { nodeName: 'n2' })] })).text, 'filter');
    expect(filter).toContain(
      '-A SKIFF-EXTERNAL-SERVICES -m comment --comment "default/web:http has no local endpoints" -m addrtype --dst-type LOCAL -m tcp -p tcp --dport 30080 -j DROP',
    );
  });

  it('ClientIP affinity: recent --rcheck per endpoint before the pick, --set on DNAT', () => {
    const sticky = svc('web', { sessionAffinity: 'ClientIP', sessionAffinityTimeoutSeconds: 60 });
    const nat = rules(buildProxyRuleset(input([sticky], { 'default/web:http': [ep('10.244.0.1'), ep('10.244.0.2')] })).text, 'nat');
    expect(nat.filter((r) => r.startsWith(`-A ${WEB.svc} `)).slice(1, 3)).toEqual([
      `-A ${WEB.svc} -m comment --comment "default/web:http -> 10.244.0.1:8080" -m recent --name ${SEP('10.244.0.1')} --rcheck --seconds 60 --reap -j ${SEP('10.244.0.1')}`,
      `-A ${WEB.svc} -m comment --comment "default/web:http -> 10.244.0.2:8080" -m recent --name ${SEP('10.244.0.2')} --rcheck --seconds 60 --reap -j ${SEP('10.244.0.2')}`,
    ]);
    expect(nat).toContain(
      `-A ${SEP('10.244.0.1')} -m comment --comment default/web:http -m recent --name ${SEP('10.244.0.1')} --set -m tcp -p tcp -j DNAT --to-destination 10.244.0.1:8080`,
    );
    const byDefault = rules(buildProxyRuleset(input([svc('web', { sessionAffinity: 'ClientIP' })], three)).text, 'nat');
    expect(byDefault.some((r) => r.includes('--seconds 10800 --reap'))).toBe(true);
  });

  it('named multi-port services get one SVC chain per port and protocol', () => {
    const multi = svc('dns', {
      ports: [{ name: 'dns-tcp', port: 53, protocol: 'TCP' }, { name: 'dns', port: 53, protocol: 'UDP' }],
    });
    const dnsEp = (ip: string) => ep(ip, { port: 53 });
    const r = buildProxyRuleset(input([multi], { 'default/dns:dns': [dnsEp('10.244.0.9')], 'default/dns:dns-tcp': [dnsEp('10.244.0.9')] }));
    const udp = servicePortChains('default/dns:dns', 'udp').svc;
    const tcp = servicePortChains('default/dns:dns-tcp', 'tcp').svc;
    expect(rules(r.text, 'nat').filter((l) => l.startsWith('-A SKIFF-SERVICES -m comment --comment "default/dns'))).toEqual([
      `-A SKIFF-SERVICES -m comment --comment "default/dns:dns cluster IP" -m udp -p udp -d 10.96.0.10 --dport 53 -j ${udp}`,
      `-A SKIFF-SERVICES -m comment --comment "default/dns:dns-tcp cluster IP" -m tcp -p tcp -d 10.96.0.10 --dport 53 -j ${tcp}`,
    ]);
    expect(r.chains.nat).toContain(endpointChain('default/dns:dns', 'udp', '10.244.0.9:53'));
    expect(r.text).toContain('-m udp -p udp -j DNAT --to-destination 10.244.0.9:53');
  });

  it.each<[string, string[]]>([['headless', ['None']], ['no cluster IP', []]])('a %s service gets no rules', (_, clusterIPs) => {
    const r = buildProxyRuleset(input([svc('web', { clusterIPs })], three));
    expect(r.text).toBe(buildProxyRuleset(input([], {})).text);
  });

  it('masqueradeAll marks every ClusterIP packet', () => {
    const nat = rules(buildProxyRuleset(input([svc('web')], three, { options: { masqueradeAll: true } })).text, 'nat');
    expect(nat).toContain(
      `-A ${WEB.svc} -m comment --comment "default/web:http cluster IP" -m tcp -p tcp -d 10.96.0.10 --dport 80 -j SKIFF-MARK-MASQ`,
    );
  });

  it('a deleted service: its chains are declared (flushed) and -X deleted; foreign chains are left alone', () => {
    const before = buildProxyRuleset(input([svc('web'), svc('api', { clusterIPs: ['10.96.0.20'] })], {
      ...three, 'default/api:http': [ep('10.244.0.9')],
    }));
    const after = buildProxyRuleset(input([svc('api', { clusterIPs: ['10.96.0.20'] })], { 'default/api:http': [ep('10.244.0.9')] }, {
      existing: { nat: [...before.chains.nat, 'SKIFF-SOMETHING-ELSE'], filter: before.chains.filter },
    }));
    const gone = [WEB.svc, SEP('10.244.0.1'), SEP('10.244.0.2'), SEP('10.244.0.3')].sort();
    expect(after.deleted).toEqual({ filter: [], nat: gone });
    for (const c of gone) {
      expect(after.text).toContain(`:${c} - [0:0]\n`);
      expect(after.text).toContain(`-X ${c}\n`);
    }
    expect(after.text).not.toContain('SKIFF-SOMETHING-ELSE');
    expect(after.chains.nat).toContain(servicePortChains('default/api:http', 'tcp').svc);
  });

  it('is deterministic: order of services, ports and endpoints does not matter', () => {
    const a = svc('a', { clusterIPs: ['10.96.0.1'] });
    const b = svc('b', { clusterIPs: ['10.96.0.2'], sessionAffinity: 'ClientIP' });
    const eps = [ep('10.244.0.1'), ep('10.244.0.2'), ep('10.244.0.10')];
    const one = buildProxyRuleset(input([a, b], { 'default/a:http': eps, 'default/b:http': eps }));
    const two = buildProxyRuleset(input([b, a], { 'default/b:http': [...eps].reverse(), 'default/a:http': [...eps].reverse() }));
    expect(two.text).toBe(one.text);
    expect(one.text.indexOf('default/a:http cluster IP')).toBeLessThan(one.text.indexOf('default/b:http cluster IP'));
  });
});

describe('ensureJumps', () => {
  it('gives -N/-C/-I argument lists for every built-in jump, as kube-proxy installs them', () => {
    const jumps = ensureJumps();
    expect(jumps.map((j) => `${j.rule.table} ${j.rule.from} → ${j.rule.to}`)).toEqual([
      'filter INPUT → SKIFF-EXTERNAL-SERVICES',
      'filter FORWARD → SKIFF-EXTERNAL-SERVICES',
      'filter INPUT → SKIFF-NODEPORTS',
      'filter FORWARD → SKIFF-SERVICES',
      'filter OUTPUT → SKIFF-SERVICES',
      'filter FORWARD → SKIFF-FORWARD',
      'filter INPUT → SKIFF-PROXY-FIREWALL',
      'filter OUTPUT → SKIFF-PROXY-FIREWALL',
      'filter FORWARD → SKIFF-PROXY-FIREWALL',
      'nat OUTPUT → SKIFF-SERVICES',
      'nat PREROUTING → SKIFF-SERVICES',
      'nat POSTROUTING → SKIFF-POSTROUTING',
    ]);
    const pre = jumps.find((j) => j.rule.from === 'PREROUTING')!;
    expect(pre.newChain).toEqual(['-t', 'nat', '-N', 'SKIFF-SERVICES']);
    expect(pre.check).toEqual(['-t', 'nat', '-C', 'PREROUTING', '-m', 'comment', '--comment', 'kubernetes service portals', '-j', 'SKIFF-SERVICES']);
    expect(pre.insert[2]).toBe('-I');
    expect(jumps[0].check).toEqual([
      '-t', 'filter', '-C', 'INPUT', '-m', 'comment', '--comment', 'kubernetes externally-visible service portals',
      '-m', 'conntrack', '--ctstate', 'NEW', '-j', 'SKIFF-EXTERNAL-SERVICES',
    ]);
  });
});
