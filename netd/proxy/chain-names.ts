/**
 * Chain names as kube-proxy's iptables mode derives them (pkg/proxy/iptables/proxier.go:
 * portProtoHash, servicePortEndpointChainName): sha256 of the service port name + lower-case
 * protocol (+ "ip:port" for an endpoint), RFC 4648 base32, first 16 characters, after a prefix.
 * With "SKIFF-XXX-" the names are 26 characters, inside iptables' 28-character limit.
 */
import { createHash } from 'node:crypto';

export const SKIFF_SERVICES = 'SKIFF-SERVICES';
export const SKIFF_EXTERNAL_SERVICES = 'SKIFF-EXTERNAL-SERVICES';
export const SKIFF_NODEPORTS = 'SKIFF-NODEPORTS';
export const SKIFF_POSTROUTING = 'SKIFF-POSTROUTING';
export const SKIFF_MARK_MASQ = 'SKIFF-MARK-MASQ';
export const SKIFF_FORWARD = 'SKIFF-FORWARD';
export const SKIFF_PROXY_FIREWALL = 'SKIFF-PROXY-FIREWALL';

/** Per-service-port and per-endpoint chain prefixes; only these are ever deleted as stale. */
export const SVC_PREFIX = 'SKIFF-SVC-'; // Cluster traffic policy: all usable endpoints
export const SVL_PREFIX = 'SKIFF-SVL-'; // Local traffic policy: this node's endpoints
export const EXT_PREFIX = 'SKIFF-EXT-'; // external destinations (NodePort, LoadBalancer IPs)
export const SEP_PREFIX = 'SKIFF-SEP-'; // one endpoint (DNAT)
export const FW_PREFIX = 'SKIFF-FW-'; // loadBalancerSourceRanges (not generated yet)
const SERVICE_CHAIN_PREFIXES = [SVC_PREFIX, SVL_PREFIX, EXT_PREFIX, SEP_PREFIX, FW_PREFIX];

/** True for chains the ruleset owns per service or endpoint (kube-proxy's isServiceChainName). */
export function isServiceChainName(chain: string): boolean {
  return SERVICE_CHAIN_PREFIXES.some((p) => chain.startsWith(p));
}

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** RFC 4648 base32 (Go's base32.StdEncoding), padded with '='. */
export function base32(bytes: Uint8Array): string {
  let out = '';
  let bits = 0;
  let value = 0;
  for (const b of bytes) {
    value = (value << 8) | b;
    bits += 8;
    while (bits >= 5) {
      out += BASE32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
    value &= (1 << bits) - 1;
  }
  if (bits > 0) out += BASE32[(value << (5 - bits)) & 31];
  while (out.length % 8 !== 0) out += '=';
  return out;
}

/** The 16-character hash kube-proxy puts after a chain prefix. */
export function chainHash(text: string): string {
  return base32(createHash('sha256').update(text).digest()).slice(0, 16);
}

/** "ns/name" or "ns/name:port" — proxy.ServicePortName.String(). */
export function servicePortName(namespace: string, name: string, portName: string): string {
  return `${namespace}/${name}${portName ? `:${portName}` : ''}`;
}

/** The three chains of one service port, all from the same hash. */
export function servicePortChains(spn: string, protocol: string): { svc: string; svl: string; ext: string; fw: string } {
  const hash = chainHash(spn + protocol.toLowerCase());
  return { svc: SVC_PREFIX + hash, svl: SVL_PREFIX + hash, ext: EXT_PREFIX + hash, fw: FW_PREFIX + hash };
}

/** The SEP chain of one endpoint ("ip:port") of a service port. */
export function endpointChain(spn: string, protocol: string, endpoint: string): string {
  return SEP_PREFIX + chainHash(spn + protocol.toLowerCase() + endpoint);
}
