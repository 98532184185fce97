/**
 * The Services ruleset as kube-proxy's iptables mode writes it on a full sync
 * (pkg/proxy/iptables/proxier.go syncProxyRules), with SKIFF- chains instead of KUBE- ones.
 * Pure: the same input gives byte-identical text (services, ports and endpoints are sorted).
 *
 * nat:    PREROUTING/OUTPUT → SKIFF-SERVICES → SKIFF-SVC-<hash> (random pick) → SKIFF-SEP-<hash> (DNAT)
 *         NodePorts and LoadBalancer IPs → SKIFF-EXT-<hash> (mark for SNAT) → SKIFF-SVC/SVL-<hash>
 *         POSTROUTING → SKIFF-POSTROUTING (MASQUERADE what SKIFF-MARK-MASQ marked)
 * filter: services with no endpoints REJECT in SKIFF-SERVICES / SKIFF-EXTERNAL-SERVICES.
 */
import {
  endpointChain,
  isServiceChainName,
  servicePortChains,
  servicePortName,
  SKIFF_EXTERNAL_SERVICES,
  SKIFF_FORWARD,
  SKIFF_MARK_MASQ,
  SKIFF_NODEPORTS,
  SKIFF_POSTROUTING,
  SKIFF_PROXY_FIREWALL,
  SKIFF_SERVICES,
} from './chain-names';
import type { ProxyEndpoint, ProxyInput, ProxyRuleset, ProxyService, ProxyServicePort } from './types';

/** kube-proxy's masquerade bit 14. */
export const MASQUERADE_MARK = '0x4000';
export const DEFAULT_AFFINITY_TIMEOUT_SECONDS = 10800;

const FILTER_CHAINS = [SKIFF_SERVICES, SKIFF_EXTERNAL_SERVICES, SKIFF_FORWARD, SKIFF_NODEPORTS, SKIFF_PROXY_FIREWALL];
const NAT_CHAINS = [SKIFF_SERVICES, SKIFF_NODEPORTS, SKIFF_POSTROUTING, SKIFF_MARK_MASQ];

/** computeProbability: 1/n as Go's %0.10f. */
export function probability(n: number): string {
  return (1 / n).toFixed(10);
}

/** A --comment value as kube-proxy writes it: quoted when it holds a space. */
function comment(text: string): string[] {
  return ['-m', 'comment', '--comment', /\s/.test(text) ? `"${text}"` : text];
}

/** Collects ":CHAIN - [0:0]" lines and rules for one table. */
class TableBuffer {
  readonly chains: string[] = [];
  readonly rules: string[] = [];
  chain(name: string): void {
    if (!this.chains.includes(name)) this.chains.push(name);
  }
  add(chain: string, ...args: string[]): void {
    this.rules.push(['-A', chain, ...args].join(' '));
  }
  render(table: string, deleted: readonly string[]): string {
    const lines = [`*${table}`, ...[...this.chains, ...deleted].map((c) => `:${c} - [0:0]`), ...this.rules];
    return [...lines, ...deleted.map((c) => `-X ${c}`), 'COMMIT', ''].join('\n');
  }
}

interface Categorized {
  cluster: ProxyEndpoint[];
  local: ProxyEndpoint[];
  /** cluster ∪ local: every endpoint that gets a SEP chain. */
  reachable: ProxyEndpoint[];
  hasAny: boolean;
}

/** Ready endpoints, else serving-and-terminating ones (kube-proxy's terminating fallback). */
function usable(eps: readonly ProxyEndpoint[]): ProxyEndpoint[] {
  const ready = eps.filter((e) => e.ready);
  return ready.length > 0 ? ready : eps.filter((e) => e.serving && e.terminating);
}

function ipPort(e: ProxyEndpoint): string {
  return `${e.ip}:${e.port}`;
}

/** proxy.CategorizeEndpoints without topology hints. */
function categorize(eps: readonly ProxyEndpoint[], usesCluster: boolean, usesLocal: boolean, node: string): Categorized {
  const cluster = usesCluster ? usable(eps) : [];
  const local = usesLocal ? usable(eps.filter((e) => e.nodeName === node)) : [];
  const byIpPort = new Map([...cluster, ...local].map((e) => [ipPort(e), e]));
  const reachable = [...byIpPort.keys()].sort(compare).map((k) => byIpPort.get(k)!);
  // Any usable endpoint anywhere: a Local policy without local ones DROPs rather than REJECTs.
  return { cluster, local, reachable, hasAny: usable(eps).length > 0 };
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function ipv4ToInt(ip: string): number | undefined {
  const parts = ip.split('.');
  if (parts.length !== 4 || parts.some((p) => !/^\d{1,3}$/.test(p) || Number(p) > 255)) return undefined;
  return parts.reduce((acc, p) => acc * 256 + Number(p), 0);
}

/** IPv4 "a.b.c.d/n" contains ip. */
export function cidrContains(cidr: string, ip: string): boolean {
  const [base, bitsText] = cidr.split('/');
  const bits = bitsText === undefined ? 32 : Number(bitsText);
  const b = ipv4ToInt(base);
  const a = ipv4ToInt(ip);
  if (a === undefined || b === undefined || !(bits >= 0 && bits <= 32)) return false;
  const size = 2 ** (32 - bits);
  return Math.floor(a / size) === Math.floor(b / size);
}

interface PortContext {
  svc: ProxyService;
  port: ProxyServicePort;
  spn: string;
  proto: string;
  clusterIP: string | undefined;
}

/** Every proxied service port, sorted by its name then protocol. Headless services have none. */
function servicePorts(services: readonly ProxyService[]): PortContext[] {
  const out: PortContext[] = [];
  for (const svc of services) {
    const clusterIP = svc.clusterIPs.find((ip) => ipv4ToInt(ip) !== undefined);
    if (clusterIP === undefined) continue; // headless ("None"), unset, or IPv6-only: DNS's business
    for (const port of svc.ports) {
      const spn = servicePortName(svc.namespace, svc.name, port.name);
      out.push({ svc, port, spn, proto: port.protocol.toLowerCase(), clusterIP });
    }
  }
  return out.sort((a, b) => compare(a.spn, b.spn) || compare(a.proto, b.proto));
}

/** The whole ruleset for `iptables-restore --noflush`. */
export function buildProxyRuleset(input: ProxyInput): ProxyRuleset {
  const options = input.options ?? {};
  const filter = new TableBuffer();
  const nat = new TableBuffer();
  FILTER_CHAINS.forEach((c) => filter.chain(c));
  NAT_CHAINS.forEach((c) => nat.chain(c));
  const markMasq = `${MASQUERADE_MARK}/${MASQUERADE_MARK}`;

  nat.add(SKIFF_POSTROUTING, '-m', 'mark', '!', '--mark', markMasq, '-j', 'RETURN');
  nat.add(SKIFF_POSTROUTING, '-j', 'MARK', '--xor-mark', MASQUERADE_MARK);
  nat.add(SKIFF_POSTROUTING, ...comment('kubernetes service traffic requiring SNAT'), '-j', 'MASQUERADE');
  nat.add(SKIFF_MARK_MASQ, '-j', 'MARK', '--or-mark', MASQUERADE_MARK);

  for (const ctx of servicePorts(input.services)) {
    writeServicePort(ctx, input, filter, nat);
  }

  const lastRule = comment('kubernetes service nodeports; NOTE: this must be the last rule in this chain');
  if (options.nodePortAddresses === undefined || options.nodePortAddresses.length === 0) {
    nat.add(SKIFF_SERVICES, ...lastRule, '-m', 'addrtype', '--dst-type', 'LOCAL', '-j', SKIFF_NODEPORTS);
  } else {
    const ips = [...new Set(input.node.ips)]
      .filter((ip) => options.nodePortAddresses!.some((cidr) => cidrContains(cidr, ip)))
      .sort(compare);
    for (const ip of ips) nat.add(SKIFF_SERVICES, ...lastRule, '-d', ip, '-j', SKIFF_NODEPORTS);
  }

  filter.add(SKIFF_FORWARD, '-m', 'conntrack', '--ctstate', 'INVALID', '-j', 'DROP');
  filter.add(SKIFF_FORWARD, ...comment('kubernetes forwarding rules'), '-m', 'mark', '--mark', markMasq, '-j', 'ACCEPT');
  filter.add(
    SKIFF_FORWARD,
    ...comment('kubernetes forwarding conntrack rule'),
    '-m', 'conntrack', '--ctstate', 'RELATED,ESTABLISHED', '-j', 'ACCEPT',
  );

  const stale = (existing: readonly string[] | undefined, keep: readonly string[]): string[] =>
    [...new Set(existing ?? [])].filter((c) => isServiceChainName(c) && !keep.includes(c)).sort(compare);
  const deleted = { filter: stale(input.existing?.filter, filter.chains), nat: stale(input.existing?.nat, nat.chains) };
  return {
    text: filter.render('filter', deleted.filter) + nat.render('nat', deleted.nat),
    chains: { filter: [...filter.chains], nat: [...nat.chains] },
    deleted,
  };
}

function writeServicePort(ctx: PortContext, input: ProxyInput, filter: TableBuffer, nat: TableBuffer): void {
  const { svc, port, spn, proto } = ctx;
  const clusterIP = ctx.clusterIP!;
  const options = input.options ?? {};
  const chains = servicePortChains(spn, proto);
  const nodePort = svc.type !== 'ClusterIP' && port.nodePort ? port.nodePort : 0;
  const lbIPs = svc.type === 'LoadBalancer' ? [...new Set(svc.loadBalancerIPs ?? [])].sort(compare) : [];
  const externallyAccessible = nodePort !== 0 || lbIPs.length > 0;
  const internalLocal = svc.internalTrafficPolicy === 'Local';
  const externalLocal = externallyAccessible && svc.externalTrafficPolicy === 'Local';
  const usesClusterEndpoints = !internalLocal || externallyAccessible;
  const usesLocalEndpoints = internalLocal || externalLocal;

  const eps = [...(input.endpoints[spn] ?? [])].sort((a, b) => compare(ipPort(a), ipPort(b)));
  const cat = categorize(eps, usesClusterEndpoints, usesLocalEndpoints, input.node.name);
  const usesClusterChain = cat.cluster.length > 0 && usesClusterEndpoints;
  const usesLocalChain = cat.local.length > 0 && usesLocalEndpoints;
  const internalChain = internalLocal ? chains.svl : chains.svc;
  const hasInternal = cat.hasAny && (!internalLocal || cat.local.length > 0);
  const externalPolicyChain = externalLocal ? chains.svl : chains.svc;
  const hasExternal = cat.hasAny && (!externalLocal || cat.local.length > 0);
  const usesExternalChain = cat.hasAny && externallyAccessible;

  // No endpoints at all: REJECT; endpoints, but none on this node for a Local policy: DROP.
  const blocked = cat.hasAny
    ? { target: 'DROP', note: `${spn} has no local endpoints` }
    : { target: 'REJECT', note: `${spn} has no endpoints` };
  const match = ['-m', proto, '-p', proto];
  const clusterArgs = [...comment(`${spn} cluster IP`), ...match, '-d', clusterIP, '--dport', String(port.port)];

  if (hasInternal) nat.add(SKIFF_SERVICES, ...clusterArgs, '-j', internalChain);
  else filter.add(SKIFF_SERVICES, ...comment(blocked.note), ...match, '-d', clusterIP, '--dport', String(port.port), '-j', blocked.target);

  for (const ip of lbIPs) {
    if (cat.hasAny) {
      nat.add(SKIFF_SERVICES, ...comment(`${spn} loadbalancer IP`), ...match, '-d', ip, '--dport', String(port.port), '-j', chains.ext);
    }
    if (!hasExternal) {
      filter.add(SKIFF_EXTERNAL_SERVICES, ...comment(blocked.note), ...match, '-d', ip, '--dport', String(port.port), '-j', blocked.target);
    }
  }

  if (nodePort !== 0) {
    if (cat.hasAny) nat.add(SKIFF_NODEPORTS, ...comment(spn), ...match, '--dport', String(nodePort), '-j', chains.ext);
    if (!hasExternal) {
      filter.add(
        SKIFF_EXTERNAL_SERVICES,
        ...comment(blocked.note),
        '-m', 'addrtype', '--dst-type', 'LOCAL',
        ...match, '--dport', String(nodePort), '-j', blocked.target,
      );
    }
  }

  if (usesExternalChain) nat.chain(chains.ext);
  if (usesClusterChain) nat.chain(chains.svc);
  if (usesLocalChain) nat.chain(chains.svl);

  // Off-cluster traffic to the ClusterIP may bounce to another node: masquerade it.
  if (hasInternal) {
    if (options.masqueradeAll) nat.add(internalChain, ...clusterArgs, '-j', SKIFF_MARK_MASQ);
    else if (options.clusterCIDR) nat.add(internalChain, ...clusterArgs, '!', '-s', options.clusterCIDR, '-j', SKIFF_MARK_MASQ);
  }

  if (usesExternalChain) {
    if (!externalLocal) {
      nat.add(chains.ext, ...comment(`masquerade traffic for ${spn} external destinations`), '-j', SKIFF_MARK_MASQ);
    } else {
      if (options.clusterCIDR) {
        nat.add(chains.ext, ...comment(`pod traffic for ${spn} external destinations`), '-s', options.clusterCIDR, '-j', chains.svc);
      }
      nat.add(chains.ext, ...comment(`masquerade LOCAL traffic for ${spn} external destinations`), '-m', 'addrtype', '--src-type', 'LOCAL', '-j', SKIFF_MARK_MASQ);
      nat.add(chains.ext, ...comment(`route LOCAL traffic for ${spn} external destinations`), '-m', 'addrtype', '--src-type', 'LOCAL', '-j', chains.svc);
    }
    if (hasExternal) nat.add(chains.ext, '-j', externalPolicyChain);
  }

  if (usesClusterChain) writeServiceToEndpoints(nat, ctx, chains.svc, cat.cluster);
  if (usesLocalChain) writeServiceToEndpoints(nat, ctx, chains.svl, cat.local);

  for (const ep of cat.reachable) {
    const sep = endpointChain(spn, proto, ipPort(ep));
    nat.chain(sep);
    // Hairpin: an endpoint reaching itself through the service must be SNATed.
    nat.add(sep, ...comment(spn), '-s', ep.ip, '-j', SKIFF_MARK_MASQ);
    const affinity = svc.sessionAffinity === 'ClientIP' ? ['-m', 'recent', '--name', sep, '--set'] : [];
    nat.add(sep, ...comment(spn), ...affinity, ...match, '-j', 'DNAT', '--to-destination', ipPort(ep));
  }
}

/** writeServiceToEndpointRules: ClientIP affinity first, then the random pick. */
function writeServiceToEndpoints(nat: TableBuffer, ctx: PortContext, chain: string, eps: readonly ProxyEndpoint[]): void {
  const { svc, spn, proto } = ctx;
  if (svc.sessionAffinity === 'ClientIP') {
    const seconds = String(svc.sessionAffinityTimeoutSeconds ?? DEFAULT_AFFINITY_TIMEOUT_SECONDS);
    for (const ep of eps) {
      const sep = endpointChain(spn, proto, ipPort(ep));
      nat.add(chain, ...comment(`${spn} -> ${ipPort(ep)}`), '-m', 'recent', '--name', sep, '--rcheck', '--seconds', seconds, '--reap', '-j', sep);
    }
  }
  eps.forEach((ep, i) => {
    const sep = endpointChain(spn, proto, ipPort(ep));
    const pick = i < eps.length - 1 ? ['-m', 'statistic', '--mode', 'random', '--probability', probability(eps.length - i)] : [];
    nat.add(chain, ...comment(`${spn} -> ${ipPort(ep)}`), ...pick, '-j', sep);
  });
}
