/**
 * A directory on disk as tar entries, in a fixed order (each directory before its children, the
 * children sorted by name), so the same tree always gives the same layer. Kept: permission bits,
 * file contents, symlink targets, hard links (files with several names in the tree), device nodes
 * and FIFOs. Dropped: owners (a layer's files belong to root), times, sockets (tar cannot hold them).
 */
import { lstat, readdir, readFile, readlink } from 'node:fs/promises';
import { join } from 'node:path';
import { ImageBuildError } from './errors';
import type { TarEntry } from './tar';

export async function treeEntries(root: string): Promise<TarEntry[]> {
  const top = await lstat(root).catch((cause: NodeJS.ErrnoException) => {
    throw new ImageBuildError(cause.code === 'ENOENT' ? `${root}: no such directory` : `${root}: ${cause.message}`, { cause });
  });
  if (!top.isDirectory()) throw new ImageBuildError(`${root}: not a directory`);
  const entries: TarEntry[] = [];
  const firstNameOf = new Map<string, string>();
  await walk(root, '', entries, firstNameOf);
  return entries;
}

async function walk(dir: string, prefix: string, out: TarEntry[], firstNameOf: Map<string, string>): Promise<void> {
  const names = (await readdir(dir)).sort(byBytes);
  for (const name of names) {
    const full = join(dir, name);
    const path = prefix + name;
    const st = await lstat(full, { bigint: true });
    const mode = Number(st.mode & 0o7777n);
    if (st.isDirectory()) {
      out.push({ type: 'dir', path, mode });
      await walk(full, `${path}/`, out, firstNameOf);
    } else if (st.isSymbolicLink()) {
      out.push({ type: 'symlink', path, target: await readlink(full) });
    } else if (st.isFile()) {
      const inode = `${st.dev}:${st.ino}`;
      const first = st.nlink > 1n ? firstNameOf.get(inode) : undefined;
      if (first !== undefined) {
        out.push({ type: 'link', path, target: first, mode });
        continue;
      }
      if (st.nlink > 1n) firstNameOf.set(inode, path);
      out.push({ type: 'file', path, mode, data: await readFile(full) });
    } else if (st.isCharacterDevice() || st.isBlockDevice()) {
      const { major, minor } = deviceNumbers(st.rdev);
      out.push({ type: st.isCharacterDevice() ? 'char' : 'block', path, mode, major, minor });
    } else if (st.isFIFO()) {
      out.push({ type: 'fifo', path, mode });
    }
    // Sockets are left out, as tar leaves them out.
  }
}

/** Names compared by their UTF-8 bytes, as Go and `LC_ALL=C sort` order them, whatever the locale. */
function byBytes(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

/** Linux's encoding of dev_t (glibc gnu_dev_major/gnu_dev_minor). */
function deviceNumbers(rdev: bigint): { major: number; minor: number } {
  return {
    major: Number(((rdev >> 8n) & 0xfffn) | ((rdev >> 32n) & ~0xfffn)),
    minor: Number((rdev & 0xffn) | ((rdev >> 12n) & ~0xffn)),
  };
}
