import { accessSync, constants } from 'node:fs';

/**
 * What a worker node needs from the machine, checked before anything starts, each missing piece
 * said with how to get it: root (containers, network namespaces, cgroups), containerd, runc and
 * iproute2's `ip`.
 */
const TOOLS: readonly Readonly<{ paths: readonly string[]; what: string; package: string }>[] = [
  { paths: ['/usr/bin/containerd'], what: 'containerd', package: 'containerd' },
  { paths: ['/usr/bin/ctr'], what: 'ctr (containerd\'s CLI)', package: 'containerd' },
  { paths: ['/usr/sbin/runc', '/usr/bin/runc'], what: 'runc', package: 'runc' },
  { paths: ['/usr/sbin/ip', '/usr/bin/ip', '/bin/ip', '/sbin/ip'], what: 'ip (iproute2)', package: 'iproute2' },
];

export function workerNodeProblems(opts: { uid?: number; exists?: (path: string) => boolean } = {}): string[] {
  const uid = opts.uid ?? process.getuid?.() ?? -1;
  const exists = opts.exists ?? executable;
  const problems = uid === 0 ? [] : ['a worker node runs containers and network namespaces, which needs root: run it as root'];
  const missing = TOOLS.filter((t) => !t.paths.some(exists));
  if (missing.length > 0) {
    const packages = [...new Set(missing.map((t) => t.package))].join(' ');
    problems.push(`${missing.map((t) => t.what).join(', ')} not found: apt-get install -y ${packages}`);
  }
  return problems;
}

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
