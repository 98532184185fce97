/** Services as iptables NAT rules: pure ruleset generation and iptables-save parsing. */
export * from './types';
export { buildProxyRuleset, probability, cidrContains, MASQUERADE_MARK, DEFAULT_AFFINITY_TIMEOUT_SECONDS } from './ruleset';
export {
  servicePortName,
  servicePortChains,
  endpointChain,
  chainHash,
  isServiceChainName,
  SKIFF_SERVICES,
  SKIFF_NODEPORTS,
  SKIFF_POSTROUTING,
  SKIFF_MARK_MASQ,
  SKIFF_EXTERNAL_SERVICES,
  SKIFF_FORWARD,
  SKIFF_PROXY_FIREWALL,
} from './chain-names';
export { parseIptablesSave, skiffChains, type SavedChain, type SavedTables } from './iptables-save';
export { JUMP_RULES, ensureJumps, type JumpRule, type EnsureJump } from './jump-rules';
