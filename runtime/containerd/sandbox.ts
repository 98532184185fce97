/**
 * A pod sandbox: one network namespace per pod (`ip netns add skiff-<short uid>`), loopback up,
 * which every container of the pod joins (`ctr run --with-ns network:<path>`). The pod's eth0 on the
 * node's bridge is netd/pod-network.ts's (containerd-node.ts attaches it).
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { shortUid } from './container-spec';

export const NETNS_DIR = '/var/run/netns';
export const DEFAULT_SANDBOX_PREFIX = 'skiff-';

export type Sandbox = Readonly<{ name: string; path: string }>;

export type SandboxOptions = Readonly<{ prefix?: string; ipBinary?: string }>;

export function sandboxName(podUid: string, prefix = DEFAULT_SANDBOX_PREFIX): string {
  return `${prefix}${shortUid(podUid)}`;
}

export function sandboxOf(name: string): Sandbox {
  return { name, path: join(NETNS_DIR, name) };
}

/** `ip netns list` prints "name" or "name (id: N)" per line. */
export function parseNetnsList(stdout: string): string[] {
  return stdout
    .split('\n')
    .map((l) => l.trim().split(/\s+/)[0])
    .filter((n): n is string => Boolean(n));
}

function ip(args: readonly string[], opts: SandboxOptions): Promise<string> {
  return new Promise((ok, fail) => {
    execFile(opts.ipBinary ?? 'ip', args, { timeout: 10_000 }, (err, stdout, stderr) => {
      if (err) fail(new Error(`ip ${args.join(' ')}: ${stderr.trim() || err.message}`, { cause: err }));
      else ok(stdout);
    });
  });
}

/** The pod's sandbox, created if missing (idempotent: an agent restart finds and keeps it). */
export async function ensureSandbox(podUid: string, opts: SandboxOptions = {}): Promise<Sandbox> {
  const name = sandboxName(podUid, opts.prefix);
  const existing = parseNetnsList(await ip(['netns', 'list'], opts));
  if (!existing.includes(name)) await ip(['netns', 'add', name], opts);
  await ip(['-n', name, 'link', 'set', 'lo', 'up'], opts);
  return sandboxOf(name);
}

/** Removes a sandbox; an absent one is not an error. Its containers must be gone first. */
export async function removeSandbox(name: string, opts: SandboxOptions = {}): Promise<void> {
  const existing = parseNetnsList(await ip(['netns', 'list'], opts));
  if (existing.includes(name)) await ip(['netns', 'delete', name], opts);
}

/** The sandboxes on this machine with the prefix (for adoption, or to clean up those no pod needs). */
export async function listSandboxes(opts: SandboxOptions = {}): Promise<Sandbox[]> {
  const prefix = opts.prefix ?? DEFAULT_SANDBOX_PREFIX;
  return parseNetnsList(await ip(['netns', 'list'], opts))
    .filter((n) => n.startsWith(prefix))
    .sort()
    .map(sandboxOf);
}
