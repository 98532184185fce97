import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { formatCidr, parseCidr } from './cidr';

/**
 * The pod network of one node, as the CNI bridge plugin lays it out: a Linux bridge (`skiff0`)
 * holding the node's podCIDR gateway (.1), one veth pair per pod — the host end on the bridge, the
 * other end in the pod's network namespace as eth0 with the pod's IP and a default route via the
 * gateway — and blackhole routes for the service and cluster CIDRs, so traffic no rule handles is
 * dropped instead of leaving through the machine's default route (the bridge's connected /24 is
 * more specific, so local pods still reach each other). I/O is `ip` through execFile at the edge;
 * the argument lists are built by pure functions (unit-tested). Every step is idempotent: a re-run
 * (an agent restart) finds it done.
 */

export type IpRunner = (args: readonly string[]) => Promise<string>;

export const DEFAULT_BRIDGE = 'skiff0';
export const DEFAULT_SERVICE_CIDR = '10.96.0.0/12';
/** Linux interface names are at most 15 bytes (IFNAMSIZ - 1). */
export const IFNAMSIZ_MAX = 15;
export const POD_INTERFACE = 'eth0';

export class PodNetworkError extends Error {
  override readonly name = 'PodNetworkError';
}

export const ipRunner = (binary = 'ip'): IpRunner => (args) =>
  new Promise((ok, fail) => {
    execFile(binary, args, { timeout: 10_000 }, (err, stdout, stderr) => {
      if (err) fail(new PodNetworkError(`ip ${args.join(' ')}: ${stderr.trim() || err.message}`, { cause: err }));
      else ok(stdout);
    });
  });

/** A valid interface name: 1-15 characters, none of `/`, `:` or whitespace, not `.`/`..`. */
export function checkInterfaceName(name: string): string {
  if (name.length === 0 || name.length > IFNAMSIZ_MAX || /[/:\s]/.test(name) || name === '.' || name === '..') {
    throw new PodNetworkError(`invalid interface name ${JSON.stringify(name)}: 1-${IFNAMSIZ_MAX} characters, no "/", ":" or spaces`);
  }
  return name;
}

/** The host end of a pod's veth, named from its netns: `veth` + 11 hex digits of sha256(netns) (15 characters, stable). */
export function hostVethName(netnsName: string): string {
  if (netnsName.length === 0) throw new PodNetworkError('a veth needs the name of its network namespace');
  return `veth${createHash('sha256').update(netnsName).digest('hex').slice(0, IFNAMSIZ_MAX - 4)}`;
}

export type BridgeSpec = Readonly<{ name: string; gatewayCIDR: string }>;
export type AttachSpec = Readonly<{ netnsName: string; podIP: string; prefixLength: number; gateway: string; bridge: string }>;

// Pure argument lists, one `ip` call each.
export const linkShowArgs = (name: string): string[] => ['-o', 'link', 'show', 'dev', checkInterfaceName(name)];
export const bridgeAddArgs = (name: string): string[] => ['link', 'add', 'name', checkInterfaceName(name), 'type', 'bridge'];
export const addrReplaceArgs = (dev: string, cidr: string): string[] => ['addr', 'replace', cidr, 'dev', checkInterfaceName(dev)];
export const linkUpArgs = (dev: string): string[] => ['link', 'set', 'dev', checkInterfaceName(dev), 'up'];
export const linkDeleteArgs = (dev: string): string[] => ['link', 'delete', 'dev', checkInterfaceName(dev)];
export const netnsArgs = (netns: string, args: readonly string[]): string[] => ['-n', netns, ...args];

/** The steps that attach a pod, in order (after the pair is created when it is not there). */
export function attachArgs(spec: AttachSpec): { create: string[]; steps: string[][] } {
  const host = hostVethName(spec.netnsName);
  checkInterfaceName(spec.bridge);
  if (!Number.isInteger(spec.prefixLength) || spec.prefixLength < 1 || spec.prefixLength > 32) throw new PodNetworkError(`invalid prefix length ${spec.prefixLength}`);
  return {
    // The pod end is created inside the namespace already, under its final name: no renaming, no clash on the host.
    create: ['link', 'add', 'name', host, 'type', 'veth', 'peer', 'name', POD_INTERFACE, 'netns', spec.netnsName],
    steps: [
      ['link', 'set', 'dev', host, 'master', spec.bridge],
      linkUpArgs(host),
      netnsArgs(spec.netnsName, addrReplaceArgs(POD_INTERFACE, `${spec.podIP}/${spec.prefixLength}`)),
      netnsArgs(spec.netnsName, linkUpArgs(POD_INTERFACE)),
      netnsArgs(spec.netnsName, ['route', 'replace', 'default', 'via', spec.gateway, 'dev', POD_INTERFACE]),
    ],
  };
}

const canonical = (cidr: string): string => formatCidr(parseCidr(cidr, { canonical: true }));
export const blackholeAddArgs = (cidr: string): string[] => ['route', 'replace', 'blackhole', canonical(cidr)];
export const blackholeDeleteArgs = (cidr: string): string[] => ['route', 'delete', 'blackhole', canonical(cidr)];

async function linkExists(ip: IpRunner, name: string): Promise<boolean> {
  try {
    await ip(linkShowArgs(name));
    return true;
  } catch {
    return false;
  }
}

/** The bridge, created when absent, with the gateway address, up. */
export async function ensureBridge(spec: BridgeSpec, ip: IpRunner = ipRunner()): Promise<void> {
  if (!(await linkExists(ip, spec.name))) {
    try {
      await ip(bridgeAddArgs(spec.name));
    } catch (err) {
      if (!(await linkExists(ip, spec.name))) throw err; // someone else made it meanwhile: fine
    }
  }
  await ip(addrReplaceArgs(spec.name, spec.gatewayCIDR));
  await ip(linkUpArgs(spec.name));
}

export async function removeBridge(name: string, ip: IpRunner = ipRunner()): Promise<void> {
  if (await linkExists(ip, name)) await ip(linkDeleteArgs(name));
}

/** The pod's veth pair, host end on the bridge, eth0 in the namespace with the IP and default route. */
export async function attachPod(spec: AttachSpec, ip: IpRunner = ipRunner()): Promise<{ hostVeth: string }> {
  const { create, steps } = attachArgs(spec);
  const host = hostVethName(spec.netnsName);
  if (!(await linkExists(ip, host))) await ip(create);
  for (const step of steps) await ip(step);
  return { hostVeth: host };
}

/** Deletes the host end (the kernel deletes its peer in the namespace with it); absent is fine. */
export async function detachPod(netnsName: string, ip: IpRunner = ipRunner()): Promise<void> {
  const host = hostVethName(netnsName);
  if (await linkExists(ip, host)) await ip(linkDeleteArgs(host));
}

export async function ensureBlackholes(cidrs: readonly string[], ip: IpRunner = ipRunner()): Promise<void> {
  for (const cidr of cidrs) await ip(blackholeAddArgs(cidr));
}

/** Removes the blackhole routes; ones already gone are fine. */
export async function removeBlackholes(cidrs: readonly string[], ip: IpRunner = ipRunner()): Promise<void> {
  for (const cidr of cidrs) await ip(blackholeDeleteArgs(cidr)).catch(() => undefined);
}
