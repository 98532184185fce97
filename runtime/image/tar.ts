/**
 * A deterministic tar writer (POSIX ustar, with PAX extended headers for what ustar cannot hold).
 * Pure: entries in, one Buffer out. The same entries always give the same bytes: the owner is
 * root (0:0, no user or group names), every entry gets the same mtime (0 unless given), and
 * nothing of the writing machine leaks in. Entries are written in the order given; `treeEntries`
 * (rootfs-tree.ts) sorts them.
 */
import { ImageBuildError } from './errors';

export type TarEntry =
  | Readonly<{ type: 'file'; path: string; mode: number; data: Buffer }>
  | Readonly<{ type: 'dir'; path: string; mode: number }>
  | Readonly<{ type: 'symlink'; path: string; target: string }>
  /** A hard link to an entry written earlier in the same archive (`target` is that entry's path). */
  | Readonly<{ type: 'link'; path: string; target: string; mode: number }>
  | Readonly<{ type: 'char' | 'block'; path: string; mode: number; major: number; minor: number }>
  | Readonly<{ type: 'fifo'; path: string; mode: number }>;

export type TarOptions = Readonly<{
  /** Seconds since the epoch written as every entry's mtime (SOURCE_DATE_EPOCH); default 0. */
  mtimeSec?: number;
}>;

const BLOCK = 512;
const TYPEFLAG = { file: '0', link: '1', symlink: '2', char: '3', block: '4', dir: '5', fifo: '6' } as const satisfies Record<TarEntry['type'], string>;
/** The largest value an 11-digit octal field holds (8 GiB - 1); larger files would need PAX `size`. */
const MAX_OCTAL_11 = 0o77777777777;

/** The whole archive, with the two zero blocks that end it. */
export function tarArchive(entries: readonly TarEntry[], opts: TarOptions = {}): Buffer {
  const mtimeSec = opts.mtimeSec ?? 0;
  if (!Number.isInteger(mtimeSec) || mtimeSec < 0 || mtimeSec > MAX_OCTAL_11) throw new ImageBuildError(`tar: mtime ${mtimeSec} is not a whole number of seconds in range`);
  const parts: Buffer[] = [];
  for (const entry of entries) parts.push(...entryBlocks(entry, mtimeSec));
  parts.push(Buffer.alloc(2 * BLOCK));
  return Buffer.concat(parts);
}

function entryBlocks(entry: TarEntry, mtimeSec: number): Buffer[] {
  const name = archivePath(entry.path, entry.type === 'dir');
  // A symlink's target is kept as written (absolute or relative); a hard link names an entry of the archive.
  const linkname = entry.type === 'symlink' ? entry.target : entry.type === 'link' ? archivePath(entry.target, false) : '';
  if (entry.type === 'symlink' && (linkname === '' || linkname.includes('\0'))) throw new ImageBuildError(`tar: symlink ${entry.path} has no usable target`);
  const data = entry.type === 'file' ? entry.data : Buffer.alloc(0);
  if (data.length > MAX_OCTAL_11) throw new ImageBuildError(`tar: ${entry.path} is larger than 8 GiB`);

  const pax: [string, string][] = [];
  if (!fitsUstar(name)) pax.push(['path', name]);
  if (!fitsUstar(linkname)) pax.push(['linkpath', linkname]);

  const header = ustarHeader({
    name: fitsUstar(name) ? name : truncate(name),
    mode: entry.type === 'symlink' ? 0o777 : entry.mode & 0o7777,
    size: data.length,
    mtimeSec,
    typeflag: TYPEFLAG[entry.type],
    linkname: fitsUstar(linkname) ? linkname : truncate(linkname),
    major: entry.type === 'char' || entry.type === 'block' ? entry.major : 0,
    minor: entry.type === 'char' || entry.type === 'block' ? entry.minor : 0,
  });
  const blocks = pax.length > 0 ? paxBlocks(name, pax, mtimeSec) : [];
  return [...blocks, header, ...(data.length > 0 ? [data, padding(data.length)] : [])];
}

/** Relative, `/`-separated, no `.` or `..` parts; directories end in `/` as GNU tar and Go write them. */
function archivePath(path: string, dir: boolean): string {
  const parts = path.split('/').filter((p) => p !== '' && p !== '.');
  if (parts.length === 0) throw new ImageBuildError(`tar: empty path "${path}"`);
  if (parts.includes('..')) throw new ImageBuildError(`tar: path "${path}" leaves the archive`);
  const joined = parts.join('/');
  return dir ? `${joined}/` : joined;
}

/** Whether a name or link target fits a 100-byte ustar field as plain ASCII (else a PAX record carries it). */
function fitsUstar(text: string): boolean {
  return Buffer.byteLength(text) <= 100 && /^[\x20-\x7e]*$/.test(text);
}

/** A stand-in for readers that ignore PAX: the first 100 bytes, ASCII only. */
function truncate(text: string): string {
  return text.replace(/[^\x20-\x7e]/g, '_').slice(0, 100);
}

type Header = Readonly<{ name: string; mode: number; size: number; mtimeSec: number; typeflag: string; linkname: string; major: number; minor: number }>;

function ustarHeader(h: Header): Buffer {
  const block = Buffer.alloc(BLOCK);
  block.write(h.name, 0, 100, 'ascii');
  writeOctal(block, 100, 8, h.mode);
  writeOctal(block, 108, 8, 0); // uid
  writeOctal(block, 116, 8, 0); // gid
  writeOctal(block, 124, 12, h.size);
  writeOctal(block, 136, 12, h.mtimeSec);
  block.write(h.typeflag, 156, 1, 'ascii');
  block.write(h.linkname, 157, 100, 'ascii');
  block.write('ustar\x0000', 257, 8, 'ascii'); // magic "ustar\0", version "00"
  // uname (265) and gname (297) stay empty: readers then use the numeric ids.
  writeOctal(block, 329, 8, h.major);
  writeOctal(block, 337, 8, h.minor);
  // The checksum is computed with its own field read as eight spaces.
  block.fill(0x20, 148, 156);
  let sum = 0;
  for (const byte of block) sum += byte;
  block.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 8, 'ascii');
  return block;
}

/** Zero-padded octal with a trailing NUL, filling `width` bytes. */
function writeOctal(block: Buffer, offset: number, width: number, value: number): void {
  block.write(`${value.toString(8).padStart(width - 1, '0')}\0`, offset, width, 'ascii');
}

function padding(size: number): Buffer {
  return Buffer.alloc((BLOCK - (size % BLOCK)) % BLOCK);
}

/** A PAX extended header (typeflag `x`) for the entry that follows; named as Go's archive/tar names it. */
function paxBlocks(name: string, records: readonly [string, string][], mtimeSec: number): Buffer[] {
  const body = Buffer.concat(records.map(([key, value]) => paxRecord(key, value)));
  const trimmed = name.replace(/\/$/, '');
  const slash = trimmed.lastIndexOf('/');
  const headerName = truncate(`${slash < 0 ? '' : trimmed.slice(0, slash + 1)}PaxHeaders.0/${trimmed.slice(slash + 1)}`);
  const header = ustarHeader({ name: headerName, mode: 0o644, size: body.length, mtimeSec, typeflag: 'x', linkname: '', major: 0, minor: 0 });
  return [header, body, padding(body.length)];
}

/** `"<length> <key>=<value>\n"`, where the length counts the whole record, its own digits included. */
export function paxRecord(key: string, value: string): Buffer {
  const rest = Buffer.byteLength(` ${key}=${value}\n`);
  let digits = String(rest).length;
  if (String(rest + digits).length !== digits) digits++;
  return Buffer.from(`${rest + digits} ${key}=${value}\n`);
}
