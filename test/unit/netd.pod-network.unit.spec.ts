import {
  attachArgs, attachPod, blackholeAddArgs, blackholeDeleteArgs, bridgeAddArgs, checkInterfaceName, detachPod, ensureBridge, hostVethName, type IpRunner,
} from '../../netd/pod-network';

/** An `ip` that records its calls; `link show` of a name in `links` succeeds, of any other fails. */
function fakeIp(links: Set<string>): { ip: IpRunner; calls: string[] } {
  const calls: string[] = [];
  const ip: IpRunner = async (args) => {
    calls.push(args.join(' '));
    if (args[1] === 'link' && args[2] === 'show') {
      if (!links.has(args[4] as string)) throw new Error('Device does not exist');
      return `1: ${args[4]}: <UP>`;
    }
    if (args[0] === 'link' && args[1] === 'add') links.add(args[3] as string);
    if (args[0] === 'link' && args[1] === 'delete') links.delete(args[3] as string);
    return '';
  };
  return { ip, calls };
}

describe('pod network argument building', () => {
  it('names the host veth from the netns: 15 characters, stable, distinct', () => {
    const a = hostVethName('skiff-0123456789ab');
    expect(a).toMatch(/^veth[0-9a-f]{11}$/);
    expect(a).toHaveLength(15);
    expect(hostVethName('skiff-0123456789ab')).toBe(a);
    expect(hostVethName('skiff-0123456789ac')).not.toBe(a);
    expect(() => hostVethName('')).toThrow(/network namespace/);
  });

  it('checks interface names', () => {
    expect(checkInterfaceName('skiff0')).toBe('skiff0');
    expect(() => checkInterfaceName('a-name-much-too-long')).toThrow(/1-15 characters/);
    expect(() => checkInterfaceName('a b')).toThrow();
    expect(() => checkInterfaceName('')).toThrow();
  });

  it('builds the attach steps: pair with eth0 in the netns, host end on the bridge, address, up, default route', () => {
    const host = hostVethName('skiff-abc');
    expect(attachArgs({ netnsName: 'skiff-abc', podIP: '10.244.0.2', prefixLength: 24, gateway: '10.244.0.1', bridge: 'skiff0' })).toEqual({
      create: ['link', 'add', 'name', host, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', 'skiff-abc'],
      steps: [
        ['link', 'set', 'dev', host, 'master', 'skiff0'],
        ['link', 'set', 'dev', host, 'up'],
        ['-n', 'skiff-abc', 'addr', 'replace', '10.244.0.2/24', 'dev', 'eth0'],
        ['-n', 'skiff-abc', 'link', 'set', 'dev', 'eth0', 'up'],
        ['-n', 'skiff-abc', 'route', 'replace', 'default', 'via', '10.244.0.1', 'dev', 'eth0'],
      ],
    });
    expect(() => attachArgs({ netnsName: 'n', podIP: '10.0.0.2', prefixLength: 33, gateway: '10.0.0.1', bridge: 'b' })).toThrow(/prefix length/);
  });

  it('builds bridge and blackhole arguments (CIDRs canonical)', () => {
    expect(bridgeAddArgs('skiff0')).toEqual(['link', 'add', 'name', 'skiff0', 'type', 'bridge']);
    expect(blackholeAddArgs('10.96.0.0/12')).toEqual(['route', 'replace', 'blackhole', '10.96.0.0/12']);
    expect(blackholeDeleteArgs('10.244.0.0/16')).toEqual(['route', 'delete', 'blackhole', '10.244.0.0/16']);
    expect(() => blackholeAddArgs('10.96.0.1/12')).toThrow();
  });
});

describe('pod network steps (fake ip)', () => {
  it('ensureBridge creates a missing bridge and is idempotent', async () => {
    const links = new Set<string>();
    const { ip, calls } = fakeIp(links);
    await ensureBridge({ name: 'br-t', gatewayCIDR: '10.244.0.1/24' }, ip);
    await ensureBridge({ name: 'br-t', gatewayCIDR: '10.244.0.1/24' }, ip);
    expect(calls.filter((c) => c.startsWith('link add'))).toEqual(['link add name br-t type bridge']);
    expect(calls.filter((c) => c.startsWith('addr replace'))).toHaveLength(2);
  });

  it('attachPod creates the pair once; detachPod deletes the host end, absent is fine', async () => {
    const links = new Set<string>(['skiff0']);
    const { ip, calls } = fakeIp(links);
    const spec = { netnsName: 'skiff-p1', podIP: '10.244.0.5', prefixLength: 24, gateway: '10.244.0.1', bridge: 'skiff0' };
    const { hostVeth } = await attachPod(spec, ip);
    await attachPod(spec, ip);
    expect(calls.filter((c) => c.includes('type veth'))).toHaveLength(1);
    await detachPod('skiff-p1', ip);
    await detachPod('skiff-p1', ip);
    expect(calls.filter((c) => c.startsWith('link delete'))).toEqual([`link delete dev ${hostVeth}`]);
  });
});
