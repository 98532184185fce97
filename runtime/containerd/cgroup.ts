/**
 * Whether the kernel's OOM killer struck in a container's cgroup, read from the cgroup itself.
 * Only a fallback: the event stream's /tasks/oom is the first source. This one serves a task that
 * stopped while no events were followed (an agent restart); the cgroup lives until the task is deleted.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

const CGROUP_ROOT = '/sys/fs/cgroup';

/** The `oom_kill N` counter of cgroup v1 memory.oom_control or cgroup v2 memory.events; 0 when absent. */
export function parseOomKillCount(text: string): number {
  const m = /^oom_kill (\d+)$/m.exec(text);
  return m ? Number(m[1]) : 0;
}

export async function oomKilledInCgroup(cgroupsPath: string | undefined, root = CGROUP_ROOT): Promise<boolean> {
  if (!cgroupsPath || cgroupsPath.includes(':')) return false; // systemd-style "slice:prefix:name" paths are not followed here
  for (const file of [join(root, 'memory', cgroupsPath, 'memory.oom_control'), join(root, cgroupsPath, 'memory.events')]) {
    const text = await readFile(file, 'utf8').catch(() => undefined);
    if (text !== undefined) return parseOomKillCount(text) > 0;
  }
  return false;
}
