/**
 * IPv4 addresses and CIDR blocks, pure and exact. An address is an unsigned 32-bit integer
 * (0 … 2^32-1, a plain number: every operation stays below 2^53). A CIDR is its network address
 * and prefix length, host bits cleared. Malformed input throws a CidrError that quotes it.
 */

export class CidrError extends Error {
  override readonly name = 'CidrError';
}

export type Cidr = Readonly<{ base: number; prefix: number }>;

const OCTET = /^(0|[1-9][0-9]{0,2})$/;

/** Dotted-quad to number; no leading zeros (as Go's net.ParseIP since 1.17), each octet 0–255. */
export function parseIPv4(text: string): number {
  const parts = text.split('.');
  if (parts.length !== 4 || !parts.every((p) => OCTET.test(p) && Number(p) <= 255)) {
    throw new CidrError(`invalid IPv4 address ${JSON.stringify(text)}: want four decimal octets 0-255 without leading zeros`);
  }
  return parts.reduce((n, p) => n * 256 + Number(p), 0);
}

export function formatIPv4(ip: number): string {
  if (!Number.isInteger(ip) || ip < 0 || ip > 0xffffffff) throw new CidrError(`not an IPv4 address: ${ip}`);
  return [ip >>> 24, (ip >>> 16) & 255, (ip >>> 8) & 255, ip & 255].join('.');
}

/** The netmask of a prefix length, as a number (/0 → 0, /24 → 0xffffff00). */
export function maskOf(prefix: number): number {
  return prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
}

/**
 * "a.b.c.d/n" to a CIDR. Host bits set are cleared, as Go's net.ParseCIDR returns the network
 * (`10.244.1.7/24` → `10.244.1.0/24`); `canonical` refuses them instead.
 */
export function parseCidr(text: string, opts: { canonical?: boolean } = {}): Cidr {
  const slash = text.indexOf('/');
  const prefixText = slash < 0 ? '' : text.slice(slash + 1);
  if (slash < 0 || !/^(0|[1-9][0-9]?)$/.test(prefixText) || Number(prefixText) > 32) {
    throw new CidrError(`invalid CIDR ${JSON.stringify(text)}: want an IPv4 address, "/" and a prefix length 0-32`);
  }
  const prefix = Number(prefixText);
  let ip: number;
  try {
    ip = parseIPv4(text.slice(0, slash));
  } catch (err) {
    throw new CidrError(`invalid CIDR ${JSON.stringify(text)}: ${(err as Error).message}`, { cause: err });
  }
  const base = (ip & maskOf(prefix)) >>> 0;
  if (opts.canonical && base !== ip) throw new CidrError(`invalid CIDR ${JSON.stringify(text)}: host bits are set (the network is ${formatCidr({ base, prefix })})`);
  return { base, prefix };
}

export function formatCidr(cidr: Cidr): string {
  return `${formatIPv4(cidr.base)}/${cidr.prefix}`;
}

/** How many addresses the block holds (2^(32-prefix)). */
export function sizeOf(cidr: Cidr): number {
  return 2 ** (32 - cidr.prefix);
}

/** The last address of the block (its broadcast address). */
export function lastOf(cidr: Cidr): number {
  return cidr.base + sizeOf(cidr) - 1;
}

export function contains(cidr: Cidr, ip: number): boolean {
  return ip >= cidr.base && ip <= lastOf(cidr);
}

export function containsCidr(outer: Cidr, inner: Cidr): boolean {
  return inner.prefix >= outer.prefix && contains(outer, inner.base);
}

export function overlaps(a: Cidr, b: Cidr): boolean {
  return contains(a, b.base) || contains(b, a.base);
}

/** How many /`prefix` blocks `cidr` splits into. */
export function subnetCount(cidr: Cidr, prefix: number): number {
  if (!Number.isInteger(prefix) || prefix < cidr.prefix || prefix > 32) {
    throw new CidrError(`cannot split ${formatCidr(cidr)} into /${prefix} blocks: the prefix length must be between ${cidr.prefix} and 32`);
  }
  return 2 ** (prefix - cidr.prefix);
}

/** The `index`-th /`prefix` block of `cidr`, counting from 0 (10.244.0.0/16, 24, 3 → 10.244.3.0/24). */
export function subnet(cidr: Cidr, prefix: number, index: number): Cidr {
  const count = subnetCount(cidr, prefix);
  if (!Number.isInteger(index) || index < 0 || index >= count) {
    throw new CidrError(`${formatCidr(cidr)} has ${count} /${prefix} blocks (0-${count - 1}); there is no block ${index}`);
  }
  return { base: cidr.base + index * 2 ** (32 - prefix), prefix };
}

/** The address `offset` places into the block (0 = the network address). */
export function addressAt(cidr: Cidr, offset: number): number {
  if (!Number.isInteger(offset) || offset < 0 || offset >= sizeOf(cidr)) {
    throw new CidrError(`${formatCidr(cidr)} has ${sizeOf(cidr)} addresses; offset ${offset} is outside it`);
  }
  return cidr.base + offset;
}
