/**
 * `busyboxRootfs(dir)`: the smallest useful root filesystem, for tests and the demo: a static
 * busybox at /bin/busybox, a symlink per applet where busybox installs it (`busybox --list-full`:
 * /bin/sh, /bin/ls, /usr/bin/wget, /usr/sbin/httpd, …), root and nobody in /etc/passwd and
 * /etc/group, and the empty mount points a runtime expects (/proc, /sys, /dev, /tmp).
 */
import { execFile } from 'node:child_process';
import { chmod, copyFile, mkdir, symlink, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { ImageBuildError } from './errors';

/** Debian's busybox-static installs here. */
export const HOST_BUSYBOX = '/bin/busybox';

export type BusyboxRootfs = Readonly<{ dir: string; applets: readonly string[] }>;

const DIRS: readonly (readonly [string, number])[] = [
  ['bin', 0o755], ['sbin', 0o755], ['usr', 0o755], ['usr/bin', 0o755], ['usr/sbin', 0o755], ['etc', 0o755], ['root', 0o700],
  ['home', 0o755], ['var', 0o755], ['var/www', 0o755], ['tmp', 0o1777], ['proc', 0o555], ['sys', 0o555], ['dev', 0o755],
];

const PASSWD = 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n';
const GROUP = 'root:x:0:\nnogroup:x:65534:\n';

/**
 * Fills `dir` (created if missing) with a busybox root filesystem. `busybox` must be a statically
 * linked binary: nothing else from the host is copied.
 */
export async function busyboxRootfs(dir: string, opts: { busybox?: string } = {}): Promise<BusyboxRootfs> {
  const busybox = opts.busybox ?? HOST_BUSYBOX;
  const applets = await appletPaths(busybox);
  await mkdir(dir, { recursive: true });
  await chmod(dir, 0o755);
  for (const [path, mode] of DIRS) {
    await mkdir(join(dir, path), { recursive: true });
    await chmod(join(dir, path), mode); // mkdir's mode is filtered by the umask; an image's must not be.
  }
  await copyFile(busybox, join(dir, 'bin/busybox'));
  await chmod(join(dir, 'bin/busybox'), 0o755);
  for (const applet of applets) {
    if (applet === 'bin/busybox') continue;
    await mkdir(join(dir, dirname(applet)), { recursive: true });
    await symlink('/bin/busybox', join(dir, applet));
  }
  for (const [file, text] of [['etc/passwd', PASSWD], ['etc/group', GROUP]]) {
    await writeFile(join(dir, file), text);
    await chmod(join(dir, file), 0o644);
  }
  return { dir, applets };
}

/** `busybox --list-full`: applet paths relative to `/`, e.g. `bin/sh`, `usr/bin/wget`. */
async function appletPaths(busybox: string): Promise<string[]> {
  const { stdout } = await promisify(execFile)(busybox, ['--list-full']).catch((cause: NodeJS.ErrnoException) => {
    throw new ImageBuildError(cause.code === 'ENOENT' ? `${busybox} not found (Debian: apt-get install busybox-static)` : `${busybox} --list-full failed: ${cause.message}`, { cause });
  });
  return [...new Set(stdout.split('\n').map((l) => l.trim().replace(/^\/+/, '')).filter((l) => l !== '' && !l.includes('..')))].sort();
}
