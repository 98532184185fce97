import { workerNodeProblems } from '../../runtime/node-preflight';

describe('worker node preflight', () => {
  it('root with everything installed: nothing to say', () => {
    expect(workerNodeProblems({ uid: 0, exists: () => true })).toEqual([]);
  });

  it('says what is missing and the one apt-get line that brings it', () => {
    const have = new Set(['/usr/bin/ctr', '/bin/ip']);
    expect(workerNodeProblems({ uid: 0, exists: (p) => have.has(p) })).toEqual([
      'containerd, runc not found: apt-get install -y containerd runc',
    ]);
  });

  it('not root: says so first', () => {
    expect(workerNodeProblems({ uid: 1000, exists: () => true })).toEqual([
      'a worker node runs containers and network namespaces, which needs root: run it as root',
    ]);
  });
});
