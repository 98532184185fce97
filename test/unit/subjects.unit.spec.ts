import { decodeToken, encodeToken, filterOf, refOf, subjectOf } from '../../eventlog/subjects';

describe('subjects', () => {
  const awkward = ['web', 'my.config', 'a:b', 'Upper', 'under_score', 'ünïcode', 'x y', '*', '>', 'kube-system', 'a-b-0', '_', '__', '.', ''];

  it.each(awkward)('round-trips %j through a token NATS can carry', (name) => {
    const token = encodeToken(name);
    expect(token).toMatch(/^[a-z0-9_-]+$/);
    expect(decodeToken(token)).toBe(name);
  });

  it('keeps plain names readable', () => {
    expect(encodeToken('web-0')).toBe('web-0');
    expect(encodeToken('my.config')).toBe('my_2econfig');
    expect(encodeToken('')).toBe('_');
  });

  it('never maps two names to one token', () => {
    const tokens = new Set(awkward.map(encodeToken));
    expect(tokens.size).toBe(awkward.length);
  });

  it('builds one subject per object and reads it back', () => {
    const ref = { group: 'networking.k8s.io', resource: 'ingresses', namespace: 'default', name: 'site.example.com' };
    const subject = subjectOf('evt', ref);
    expect(subject.split('.')).toHaveLength(6);
    expect(refOf(subject)).toEqual({ tree: 'evt', ...ref });
    expect(refOf(subjectOf('cmd', { group: '', resource: 'nodes', namespace: '', name: 'Node-A' }))).toEqual({ tree: 'cmd', group: '', resource: 'nodes', namespace: '', name: 'Node-A' });
  });

  it('builds wildcard filters by scope', () => {
    expect(filterOf('evt')).toBe('skiff.evt.>');
    expect(filterOf('evt', { group: 'apps', resource: 'deployments' })).toBe('skiff.evt.apps.deployments.*.*');
    expect(filterOf('cmd', { group: '', resource: 'pods', namespace: 'default' })).toBe('skiff.cmd._.pods.default.*');
  });

  it('rejects subjects that are not object subjects', () => {
    expect(() => refOf('skiff.evt.a.b')).toThrow('not an object subject');
    expect(() => decodeToken('a_zz')).toThrow('malformed');
  });
});
