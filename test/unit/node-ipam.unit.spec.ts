import { defaultNodeIpamOptions, ipamRange, NODE_IPAM_CONTROLLER, planNodeIpam } from '../../actors/controllers/node-ipam';
import type { KubeObject } from '../../actors/kinds/types';
import { typeOf } from '../harness/kinds';
import { validateObject } from '../../actors/kinds/validate';
import { applyDefaults } from '../../actors/kinds/defaults';

const t0 = Date.UTC(2026, 0, 1, 10, 0, 0);
const node = (name: string, podCIDR?: string, extra: Record<string, unknown> = {}): KubeObject => ({
  apiVersion: 'v1', kind: 'Node', metadata: { name, uid: `u-${name}`, ...extra },
  spec: podCIDR ? { podCIDR, podCIDRs: [podCIDR] } : {},
});
const assigned = (name: string, nodes: KubeObject[], opts = defaultNodeIpamOptions) =>
  planNodeIpam(name, nodes, t0, opts).commands.map((c) => (c.payload as unknown as { patch: { spec: unknown } }).patch.spec);

describe('node IPAM plan', () => {
  it('gives a node without a podCIDR the lowest free /24 of 10.244.0.0/16 with one merge patch as node-controller', () => {
    const plan = planNodeIpam('a', [node('a')], t0, defaultNodeIpamOptions);
    expect(NODE_IPAM_CONTROLLER).toBe('system:serviceaccount:kube-system:node-controller');
    expect(plan.commands).toEqual([{
      ref: { group: '', resource: 'nodes', namespace: '', name: 'a' },
      payload: { op: 'patch', patchType: 'merge', patch: { spec: { podCIDR: '10.244.0.0/24', podCIDRs: ['10.244.0.0/24'] } }, target: 'main', fieldManager: 'node-controller', force: false },
      reason: 'node a has no pod CIDR: 10.244.0.0/24 is the lowest free /24 of 10.244.0.0/16 (253 pod addresses)',
    }]);
  });

  it('never hands out a block another node has (of any size), and fills gaps from the bottom', () => {
    const nodes = [node('x', '10.244.0.0/24'), node('y', '10.244.2.0/23'), node('z', '192.168.0.0/24'), node('new')];
    expect(assigned('new', nodes)).toEqual([{ podCIDR: '10.244.1.0/24', podCIDRs: ['10.244.1.0/24'] }]);
    expect(assigned('new', [...nodes, node('w', '10.244.1.0/24')])).toEqual([{ podCIDR: '10.244.4.0/24', podCIDRs: ['10.244.4.0/24'] }]);
  });

  it('with several nodes waiting, the lower blocks go to the nodes in name order', () => {
    const nodes = [node('c'), node('a', '10.244.0.0/24'), node('b'), node('d')];
    expect(['b', 'c', 'd'].map((n) => assigned(n, nodes)[0])).toEqual([
      { podCIDR: '10.244.1.0/24', podCIDRs: ['10.244.1.0/24'] },
      { podCIDR: '10.244.2.0/24', podCIDRs: ['10.244.2.0/24'] },
      { podCIDR: '10.244.3.0/24', podCIDRs: ['10.244.3.0/24'] },
    ]);
  });

  it('honours the configured range and mask size', () => {
    expect(assigned('b', [node('a', '10.1.0.0/26'), node('b')], { clusterCIDR: '10.1.0.0/24', nodeCIDRMaskSize: 26 })).toEqual([{ podCIDR: '10.1.0.64/26', podCIDRs: ['10.1.0.64/26'] }]);
    expect(() => ipamRange({ clusterCIDR: '10.1.0.1/16', nodeCIDRMaskSize: 24 })).toThrow('host bits are set');
    expect(() => ipamRange({ clusterCIDR: '10.1.0.0/16', nodeCIDRMaskSize: 8 })).toThrow('cannot split 10.1.0.0/16 into /8 blocks');
  });

  it('an exhausted range: a CIDRNotAvailable event on the Node (once) and no change to it', () => {
    const opts = { clusterCIDR: '10.1.0.0/25', nodeCIDRMaskSize: 26 };
    const nodes = [node('a', '10.1.0.0/26'), node('b', '10.1.0.64/26'), node('c')];
    const plan = planNodeIpam('c', nodes, t0, opts);
    expect(plan.commands).toHaveLength(1);
    const [event] = plan.commands;
    expect(event.ref).toMatchObject({ resource: 'events', namespace: 'default' });
    expect(event.payload).toMatchObject({
      op: 'create',
      object: {
        kind: 'Event', reason: 'CIDRNotAvailable', type: 'Normal', message: 'Node c status is now: CIDRNotAvailable',
        involvedObject: { kind: 'Node', name: 'c', namespace: '', uid: 'u-c' }, source: { component: 'cidrAllocator' },
      },
    });
    expect(event.reason).toBe('no /26 block of 10.1.0.0/25 is free for node c');
    expect(planNodeIpam('c', nodes, t0, opts, true).commands).toEqual([]);
  });

  it('converged: nodes that have a podCIDR, deleting nodes and unknown nodes get no commands', () => {
    expect(planNodeIpam('a', [node('a', '10.244.9.0/24')], t0, defaultNodeIpamOptions)).toEqual({ commands: [] });
    expect(planNodeIpam('a', [node('a', undefined, { deletionTimestamp: '2026-01-01T10:00:00Z' })], t0, defaultNodeIpamOptions)).toEqual({ commands: [] });
    expect(planNodeIpam('gone', [node('a')], t0, defaultNodeIpamOptions)).toEqual({ commands: [] });
  });
});

describe('Node podCIDR validation', () => {
  const NODE = typeOf('v1', 'Node');
  const make = (spec: Record<string, unknown>): KubeObject => applyDefaults(NODE, { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n' }, spec });

  it('keeps podCIDR and podCIDRs in step when one is given', () => {
    expect(make({ podCIDR: '10.244.1.0/24' }).spec).toEqual({ podCIDR: '10.244.1.0/24', podCIDRs: ['10.244.1.0/24'] });
    expect(make({ podCIDRs: ['10.244.1.0/24'] }).spec).toEqual({ podCIDR: '10.244.1.0/24', podCIDRs: ['10.244.1.0/24'] });
  });

  it('podCIDRs must be CIDRs, one per family', () => {
    expect(validateObject(NODE, make({ podCIDRs: ['10.244.1.0/24', 'fd00:10:244:1::/64'] }))).toEqual([]);
    expect(validateObject(NODE, make({ podCIDRs: ['10.244.1.0'] })).map((c) => c.message)).toEqual(['Invalid value: "10.244.1.0": must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)']);
    expect(validateObject(NODE, make({ podCIDRs: ['10.244.1.0/24', '10.244.2.0/24'] })).map((c) => c.field)).toEqual(['spec.podCIDRs']);
  });

  it('a podCIDR can be set once (from "" to valid) and not changed', () => {
    const none = make({});
    const set = make({ podCIDRs: ['10.244.1.0/24'] });
    expect(validateObject(NODE, set, none)).toEqual([]);
    expect(validateObject(NODE, set, set)).toEqual([]);
    const changed = validateObject(NODE, make({ podCIDRs: ['10.244.2.0/24'] }), set);
    expect(changed).toEqual([{ reason: 'FieldValueForbidden', field: 'spec.podCIDRs', message: 'Forbidden: node updates may not change podCIDR except from "" to valid' }]);
    expect(validateObject(NODE, make({}), set).map((c) => c.field)).toEqual(['spec.podCIDRs']);
  });
});
