import {
  addressAt, containsCidr, contains, formatCidr, formatIPv4, lastOf, overlaps, parseCidr, parseIPv4, subnet, subnetCount,
} from '../../netd/cidr';

describe('IPv4 addresses', () => {
  it.each([
    ['0.0.0.0', 0],
    ['10.244.0.1', 0x0af40001],
    ['255.255.255.255', 0xffffffff],
  ])('%s ↔ %d', (text, n) => {
    expect(parseIPv4(text)).toBe(n);
    expect(formatIPv4(n)).toBe(text);
  });

  it.each(['10.244.0', '10.244.0.256', '10.244.0.01', '10.244.0.-1', 'a.b.c.d', '', '1.2.3.4.5', ' 1.2.3.4'])('refuses %p, quoting it', (text) => {
    expect(() => parseIPv4(text)).toThrow(`invalid IPv4 address ${JSON.stringify(text)}: want four decimal octets 0-255 without leading zeros`);
  });

  it('refuses to format what is not an address', () => {
    expect(() => formatIPv4(2 ** 32)).toThrow('not an IPv4 address: 4294967296');
  });
});

describe('CIDRs', () => {
  it('parses, clears host bits as Go does, and formats', () => {
    expect(parseCidr('10.244.0.0/16')).toEqual({ base: 0x0af40000, prefix: 16 });
    expect(formatCidr(parseCidr('10.244.1.7/24'))).toBe('10.244.1.0/24');
    expect(formatCidr(parseCidr('1.2.3.4/0'))).toBe('0.0.0.0/0');
    expect(formatCidr(parseCidr('1.2.3.4/32'))).toBe('1.2.3.4/32');
  });

  it('refuses host bits when asked for the canonical form', () => {
    expect(() => parseCidr('10.244.1.7/24', { canonical: true })).toThrow('invalid CIDR "10.244.1.7/24": host bits are set (the network is 10.244.1.0/24)');
  });

  it.each([
    ['10.244.0.0', 'want an IPv4 address, "/" and a prefix length 0-32'],
    ['10.244.0.0/33', 'want an IPv4 address, "/" and a prefix length 0-32'],
    ['10.244.0.0/016', 'want an IPv4 address, "/" and a prefix length 0-32'],
    ['10.244.0.0/', 'want an IPv4 address, "/" and a prefix length 0-32'],
    ['10.244.0/16', 'invalid IPv4 address "10.244.0"'],
    ['fd00::/16', 'invalid IPv4 address "fd00::"'],
  ])('refuses %p', (text, why) => {
    expect(() => parseCidr(text)).toThrow(`invalid CIDR ${JSON.stringify(text)}: ${why}`);
  });

  it('containment and overlap', () => {
    const cluster = parseCidr('10.244.0.0/16');
    expect(contains(cluster, parseIPv4('10.244.255.255'))).toBe(true);
    expect(contains(cluster, parseIPv4('10.245.0.0'))).toBe(false);
    expect(containsCidr(cluster, parseCidr('10.244.7.0/24'))).toBe(true);
    expect(containsCidr(parseCidr('10.244.7.0/24'), cluster)).toBe(false);
    expect(overlaps(parseCidr('10.244.7.0/24'), cluster)).toBe(true);
    expect(overlaps(parseCidr('10.0.0.0/8'), cluster)).toBe(true);
    expect(overlaps(parseCidr('10.245.0.0/16'), cluster)).toBe(false);
  });
});

describe('subnets and address arithmetic', () => {
  const cluster = parseCidr('10.244.0.0/16');

  it('splits a /16 into 256 /24s: the first, the n-th and the last', () => {
    expect(subnetCount(cluster, 24)).toBe(256);
    expect(formatCidr(subnet(cluster, 24, 0))).toBe('10.244.0.0/24');
    expect(formatCidr(subnet(cluster, 24, 3))).toBe('10.244.3.0/24');
    expect(formatCidr(subnet(cluster, 24, 255))).toBe('10.244.255.0/24');
    expect(formatIPv4(lastOf(subnet(cluster, 24, 255)))).toBe('10.244.255.255');
  });

  it('works at the top of the address space and for the block itself', () => {
    expect(formatCidr(subnet(parseCidr('0.0.0.0/0'), 1, 1))).toBe('128.0.0.0/1');
    expect(formatCidr(subnet(parseCidr('255.255.255.0/24'), 26, 3))).toBe('255.255.255.192/26');
    expect(formatCidr(subnet(cluster, 16, 0))).toBe('10.244.0.0/16');
  });

  it('says why a split or an index does not fit', () => {
    expect(() => subnet(cluster, 24, 256)).toThrow('10.244.0.0/16 has 256 /24 blocks (0-255); there is no block 256');
    expect(() => subnet(cluster, 24, -1)).toThrow('there is no block -1');
    expect(() => subnetCount(cluster, 8)).toThrow('cannot split 10.244.0.0/16 into /8 blocks: the prefix length must be between 16 and 32');
    expect(() => subnetCount(cluster, 33)).toThrow('cannot split 10.244.0.0/16 into /33 blocks');
  });

  it('addresses by offset', () => {
    const block = parseCidr('10.244.3.0/24');
    expect(formatIPv4(addressAt(block, 1))).toBe('10.244.3.1');
    expect(formatIPv4(addressAt(block, 255))).toBe('10.244.3.255');
    expect(() => addressAt(block, 256)).toThrow('10.244.3.0/24 has 256 addresses; offset 256 is outside it');
  });
});
