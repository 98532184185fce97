import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { allocate, gatewayOf, ipamStateFor, ipamStateFromJSON, IpamExhaustedError, newIpamState, podIPsInUse, release, type IpamState } from '../../netd/ipam';
import { loadIpamState, saveIpamState } from '../../netd/ipam-store';

/** Allocates for each owner in turn, threading the state through. */
function allocateAll(state: IpamState, owners: readonly string[], inUse: readonly string[] = []): { ips: string[]; state: IpamState } {
  const ips: string[] = [];
  for (const owner of owners) {
    const next = allocate(state, owner, inUse);
    ips.push(next.ip);
    state = next.state;
  }
  return { ips, state };
}

describe('pod IPAM: allocation', () => {
  it('starts at .2 (network .0 and gateway .1 are never handed out) and goes up', () => {
    expect(gatewayOf('10.244.3.0/24')).toBe('10.244.3.1');
    expect(allocateAll(newIpamState('10.244.3.0/24'), ['a', 'b', 'c']).ips).toEqual(['10.244.3.2', '10.244.3.3', '10.244.3.4']);
  });

  it('skips addresses the store says pods use', () => {
    const inUse = podIPsInUse([{ status: { podIPs: [{ ip: '10.244.3.2' }] } }, { status: { podIP: '10.244.3.3' } }, { status: {} }, {}]);
    expect(inUse).toEqual(['10.244.3.2', '10.244.3.3']);
    expect(allocate(newIpamState('10.244.3.0/24'), 'a', inUse).ip).toBe('10.244.3.4');
  });

  it('gives an owner that already holds an address the same one (a retried ADD)', () => {
    const { state } = allocateAll(newIpamState('10.244.3.0/24'), ['a', 'b']);
    expect(allocate(state, 'a')).toEqual({ ip: '10.244.3.2', state });
  });

  it('does not reuse a released address right away: it goes on after the last one handed out', () => {
    let { state } = allocateAll(newIpamState('10.244.3.0/24'), ['a', 'b']);
    state = release(state, 'a');
    expect(state.reservations).toEqual({ '10.244.3.3': 'b' });
    expect(allocate(state, 'c').ip).toBe('10.244.3.4');
    expect(release(state, 'nobody')).toBe(state);
  });

  it('wraps round past the broadcast address to the lowest free one', () => {
    // a /29: .0 network, .1 gateway, .2–.6 pods, .7 broadcast
    let { ips, state } = allocateAll(newIpamState('10.0.0.0/29'), ['a', 'b', 'c', 'd', 'e']);
    expect(ips).toEqual(['10.0.0.2', '10.0.0.3', '10.0.0.4', '10.0.0.5', '10.0.0.6']);
    state = release(release(state, 'b'), 'd');
    expect(allocateAll(state, ['f', 'g']).ips).toEqual(['10.0.0.3', '10.0.0.5']);
  });

  it('says so when the block is full', () => {
    const { state } = allocateAll(newIpamState('10.0.0.0/29'), ['a', 'b', 'c', 'd']);
    expect(() => allocate(state, 'e', ['10.0.0.6'])).toThrow(IpamExhaustedError);
    expect(() => allocate(state, 'e', ['10.0.0.6'])).toThrow('no free pod address in 10.0.0.0/29: all 5 are in use');
  });

  it('refuses a block too small for a pod, and a podCIDR with host bits', () => {
    expect(() => allocate(newIpamState('10.0.0.0/31'), 'a')).toThrow('pod CIDR 10.0.0.0/31 is too small');
    expect(() => newIpamState('10.0.0.1/24')).toThrow('host bits are set');
  });
});

describe('pod IPAM: state across restarts', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'skiff-ipam-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('saves atomically and loads back the same state; nothing saved yet is undefined', async () => {
    const path = join(dir, 'ipam.json');
    expect(await loadIpamState(path)).toBeUndefined();
    const { state } = allocateAll(newIpamState('10.244.3.0/24'), ['a', 'b']);
    await saveIpamState(path, state);
    expect(await loadIpamState(path)).toEqual(state);
    expect(await readdir(dir)).toEqual(['ipam.json']);
  });

  it('after a restart, neither reserved nor in-use addresses (from the store) are handed out again, and the round goes on', async () => {
    const path = join(dir, 'ipam.json');
    const before = allocateAll(newIpamState('10.244.3.0/24'), ['a', 'b', 'c']);
    await saveIpamState(path, release(before.state, 'a'));
    // The agent restarts: its state file, plus a pod the store says runs at .10 (allocated by a lost state).
    const state = ipamStateFor('10.244.3.0/24', await loadIpamState(path));
    const inUse = podIPsInUse([{ status: { podIPs: [{ ip: '10.244.3.3' }] } }, { status: { podIPs: [{ ip: '10.244.3.5' }] } }]);
    expect(allocateAll(state, ['d', 'e', 'f'], inUse).ips).toEqual(['10.244.3.6', '10.244.3.7', '10.244.3.8']);
  });

  it('starts afresh when the node got another block, and names a file that is not a state', async () => {
    const old = allocateAll(newIpamState('10.244.3.0/24'), ['a']).state;
    expect(ipamStateFor('10.244.4.0/24', old)).toEqual(newIpamState('10.244.4.0/24'));
    const path = join(dir, 'ipam.json');
    await writeFile(path, '{"version":2}');
    await expect(loadIpamState(path)).rejects.toThrow(`${path}: not an IPAM state`);
  });

  it('drops reservations outside the block when reading a state', () => {
    const text = JSON.stringify({ version: 1, podCIDR: '10.244.3.0/24', lastAllocated: '10.9.9.9', reservations: { '10.244.3.2': 'a', '10.9.9.9': 'x', bogus: 'y' } });
    expect(ipamStateFromJSON(text)).toEqual({ version: 1, podCIDR: '10.244.3.0/24', reservations: { '10.244.3.2': 'a' } });
  });
});
