/**
 * The jumps from the built-in chains into skiff's chains (kube-proxy's iptablesJumpChains). They
 * live outside the restore input, which only owns SKIFF-* chains: the caller runs each `check`
 * (iptables -C) and, when it fails, `insert` (iptables -I, at the top), after `newChain` (-N,
 * "Chain already exists" is fine). Argument lists exclude the `iptables` binary and any `-w`.
 */
import {
  SKIFF_EXTERNAL_SERVICES,
  SKIFF_FORWARD,
  SKIFF_NODEPORTS,
  SKIFF_POSTROUTING,
  SKIFF_PROXY_FIREWALL,
  SKIFF_SERVICES,
} from './chain-names';

export interface JumpRule {
  readonly table: 'filter' | 'nat';
  /** The built-in chain the jump sits in. */
  readonly from: 'INPUT' | 'FORWARD' | 'OUTPUT' | 'PREROUTING' | 'POSTROUTING';
  /** The SKIFF-* chain it jumps to. */
  readonly to: string;
  readonly comment: string;
  readonly extra: readonly string[];
}

const NEW = ['-m', 'conntrack', '--ctstate', 'NEW'];

export const JUMP_RULES: readonly JumpRule[] = [
  { table: 'filter', from: 'INPUT', to: SKIFF_EXTERNAL_SERVICES, comment: 'kubernetes externally-visible service portals', extra: NEW },
  { table: 'filter', from: 'FORWARD', to: SKIFF_EXTERNAL_SERVICES, comment: 'kubernetes externally-visible service portals', extra: NEW },
  { table: 'filter', from: 'INPUT', to: SKIFF_NODEPORTS, comment: 'kubernetes health check service ports', extra: [] },
  { table: 'filter', from: 'FORWARD', to: SKIFF_SERVICES, comment: 'kubernetes service portals', extra: NEW },
  { table: 'filter', from: 'OUTPUT', to: SKIFF_SERVICES, comment: 'kubernetes service portals', extra: NEW },
  { table: 'filter', from: 'FORWARD', to: SKIFF_FORWARD, comment: 'kubernetes forwarding rules', extra: [] },
  { table: 'filter', from: 'INPUT', to: SKIFF_PROXY_FIREWALL, comment: 'kubernetes load balancer firewall', extra: NEW },
  { table: 'filter', from: 'OUTPUT', to: SKIFF_PROXY_FIREWALL, comment: 'kubernetes load balancer firewall', extra: NEW },
  { table: 'filter', from: 'FORWARD', to: SKIFF_PROXY_FIREWALL, comment: 'kubernetes load balancer firewall', extra: NEW },
  { table: 'nat', from: 'OUTPUT', to: SKIFF_SERVICES, comment: 'kubernetes service portals', extra: [] },
  { table: 'nat', from: 'PREROUTING', to: SKIFF_SERVICES, comment: 'kubernetes service portals', extra: [] },
  { table: 'nat', from: 'POSTROUTING', to: SKIFF_POSTROUTING, comment: 'kubernetes postrouting rules', extra: [] },
];

export interface EnsureJump {
  readonly rule: JumpRule;
  readonly newChain: string[];
  readonly check: string[];
  readonly insert: string[];
  readonly remove: string[];
}

/** iptables argument lists to make every jump exist exactly once (and to remove it). */
export function ensureJumps(rules: readonly JumpRule[] = JUMP_RULES): EnsureJump[] {
  return rules.map((rule) => {
    const spec = ['-m', 'comment', '--comment', rule.comment, ...rule.extra, '-j', rule.to];
    const op = (flag: string): string[] => ['-t', rule.table, flag, rule.from, ...spec];
    return { rule, newChain: ['-t', rule.table, '-N', rule.to], check: op('-C'), insert: op('-I'), remove: op('-D') };
  });
}
