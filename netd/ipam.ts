import { addressAt, CidrError, contains, formatCidr, formatIPv4, lastOf, parseCidr, parseIPv4, sizeOf, type Cidr } from './cidr';

/**
 * Pod addresses of one node, as CNI's host-local IPAM hands them out: from the node's podCIDR,
 * never the network address, the gateway (.1, the bridge's) nor the broadcast address; the next
 * free address after the last one handed out, wrapping round at the end, so a released address is
 * not reused at once (a stale connection to a dead pod never reaches its successor). Pure: the
 * state is data the node agent keeps in its data dir (`ipam-store.ts`), and each allocation also
 * avoids what the store says pods on the node use, so a lost or stale state file cannot lead to a
 * collision after a restart.
 */

export class IpamExhaustedError extends Error {
  override readonly name = 'IpamExhaustedError';
}

export type IpamState = Readonly<{
  version: 1;
  podCIDR: string;
  /** The last address handed out: the next search starts after it. */
  lastAllocated?: string;
  /** ip → owner (the pod's uid, or whatever id the caller releases by). */
  reservations: Readonly<Record<string, string>>;
}>;

export function newIpamState(podCIDR: string): IpamState {
  return { version: 1, podCIDR: formatCidr(parseCidr(podCIDR, { canonical: true })), reservations: {} };
}

/**
 * The state to go on with for this podCIDR: `saved` when it is for the same block, else a new one
 * (a node that got another block — recreated under the same name — starts afresh).
 */
export function ipamStateFor(podCIDR: string, saved: IpamState | undefined): IpamState {
  const fresh = newIpamState(podCIDR);
  return saved && saved.podCIDR === fresh.podCIDR ? saved : fresh;
}

/** The bridge's address (network + 1): the pods' default gateway. */
export function gatewayOf(podCIDR: string): string {
  return formatIPv4(addressAt(usableBlock(podCIDR), 1));
}

function usableBlock(podCIDR: string): Cidr {
  const block = parseCidr(podCIDR, { canonical: true });
  if (sizeOf(block) < 4) throw new CidrError(`pod CIDR ${podCIDR} is too small: a /30 or larger leaves room for the network, gateway, broadcast and a pod`);
  return block;
}

/** The addresses pods on the node have according to the store (status.podIPs, or status.podIP). */
export function podIPsInUse(pods: readonly Readonly<{ status?: unknown }>[]): string[] {
  return pods.flatMap((pod) => {
    const status = (pod.status ?? {}) as { podIP?: string; podIPs?: { ip?: string }[] };
    const ips = (status.podIPs ?? []).flatMap((p) => (p.ip ? [p.ip] : []));
    return ips.length > 0 ? ips : status.podIP ? [status.podIP] : [];
  });
}

/**
 * The next free address for `owner` and the state that records it. An owner that already holds an
 * address gets it back (a retried CNI ADD). `inUse`: addresses the store says pods use.
 */
export function allocate(state: IpamState, owner: string, inUse: Iterable<string> = []): { ip: string; state: IpamState } {
  const held = Object.entries(state.reservations).find(([, o]) => o === owner);
  if (held) return { ip: held[0], state };
  const block = usableBlock(state.podCIDR);
  const taken = new Set<string>([...Object.keys(state.reservations), ...inUse]);
  const first = block.base + 2;
  const last = lastOf(block) - 1;
  const after = state.lastAllocated !== undefined ? parseIPv4(state.lastAllocated) : undefined;
  const start = after !== undefined && contains(block, after) && after >= first && after < last ? after + 1 : first;
  const span = last - first + 1;
  for (let i = 0; i < span; i++) {
    const candidate = first + ((start - first + i) % span);
    const ip = formatIPv4(candidate);
    if (taken.has(ip)) continue;
    return { ip, state: { ...state, lastAllocated: ip, reservations: { ...state.reservations, [ip]: owner } } };
  }
  throw new IpamExhaustedError(`no free pod address in ${state.podCIDR}: all ${span} are in use`);
}

/** Frees what `owner` holds (nothing held: the same state). `lastAllocated` stays, so the address is not next. */
export function release(state: IpamState, owner: string): IpamState {
  const kept = Object.entries(state.reservations).filter(([, o]) => o !== owner);
  return kept.length === Object.keys(state.reservations).length ? state : { ...state, reservations: Object.fromEntries(kept) };
}

/** Parses what `JSON.stringify(state)` wrote, checking its shape; a bad file says what is wrong. */
export function ipamStateFromJSON(text: string): IpamState {
  const raw = JSON.parse(text) as Partial<IpamState> | null;
  if (!raw || raw.version !== 1 || typeof raw.podCIDR !== 'string' || typeof raw.reservations !== 'object' || raw.reservations === null) {
    throw new Error('not an IPAM state (want {"version":1,"podCIDR":…,"reservations":{…}})');
  }
  const state = newIpamState(raw.podCIDR);
  const reservations = Object.entries(raw.reservations).filter(([ip, owner]) => typeof owner === 'string' && validIn(state.podCIDR, ip));
  return { ...state, ...(typeof raw.lastAllocated === 'string' && validIn(state.podCIDR, raw.lastAllocated) ? { lastAllocated: raw.lastAllocated } : {}), reservations: Object.fromEntries(reservations) };
}

function validIn(podCIDR: string, ip: string): boolean {
  try {
    return contains(parseCidr(podCIDR), parseIPv4(ip));
  } catch {
    return false;
  }
}
