/** The tar writer, read back by GNU tar: listing, extraction, PAX long names, determinism. */
import { execFileSync } from 'node:child_process';
import { lstatSync, mkdtempSync, readFileSync, readlinkSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { paxRecord, tarArchive, type TarEntry } from '../../runtime/image/tar';

const LONG_DIR = `deep/${'d'.repeat(120)}`;
const LONG_FILE = `${LONG_DIR}/${'f'.repeat(150)}.txt`;
const LONG_TARGET = `/${'t'.repeat(180)}`;

const ENTRIES: readonly TarEntry[] = [
  { type: 'dir', path: 'bin', mode: 0o755 },
  { type: 'file', path: 'bin/tool', mode: 0o755, data: Buffer.from('#!/bin/sh\necho tool\n') },
  { type: 'symlink', path: 'bin/sh', target: '/bin/tool' },
  { type: 'symlink', path: 'bin/up', target: '../etc/motd' },
  { type: 'link', path: 'bin/tool-again', target: 'bin/tool', mode: 0o755 },
  { type: 'dir', path: 'etc', mode: 0o755 },
  { type: 'file', path: 'etc/motd', mode: 0o644, data: Buffer.from('hello\n') },
  { type: 'file', path: 'etc/empty', mode: 0o600, data: Buffer.alloc(0) },
  { type: 'file', path: 'etc/block', mode: 0o644, data: Buffer.alloc(512, 0x61) },
  { type: 'dir', path: 'tmp', mode: 0o1777 },
  { type: 'dir', path: 'deep', mode: 0o755 },
  { type: 'dir', path: LONG_DIR, mode: 0o700 },
  { type: 'file', path: LONG_FILE, mode: 0o640, data: Buffer.from('long name\n') },
  { type: 'symlink', path: 'etc/far', target: LONG_TARGET },
  { type: 'file', path: 'etc/naïve-ünïcode', mode: 0o644, data: Buffer.from('utf8\n') },
];

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'skiff-tar-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function gnuTar(args: readonly string[], archive: Buffer): string {
  const file = join(dir, `a-${Math.random().toString(36).slice(2)}.tar`);
  writeFileSync(file, archive);
  return execFileSync('tar', [...args, '-f', file], { encoding: 'utf8', env: { ...process.env, LC_ALL: 'C.UTF-8', TZ: 'UTC' } });
}

describe('tar: when GNU tar reads the archive', () => {
  const archive = tarArchive(ENTRIES);

  it('lists every entry with its type, mode, owner 0/0, size and mtime 0, in order', () => {
    const lines = gnuTar(['--numeric-owner', '-tv'], archive).trimEnd().split('\n');
    expect(lines).toHaveLength(ENTRIES.length);
    expect(lines[0]).toMatch(/^drwxr-xr-x 0\/0 +0 1970-01-01 00:00 bin\/$/);
    expect(lines[1]).toMatch(/^-rwxr-xr-x 0\/0 +20 1970-01-01 00:00 bin\/tool$/);
    expect(lines[2]).toMatch(/^lrwxrwxrwx 0\/0 +0 1970-01-01 00:00 bin\/sh -> \/bin\/tool$/);
    expect(lines[3]).toMatch(/ bin\/up -> \.\.\/etc\/motd$/);
    expect(lines[4]).toMatch(/^hrwxr-xr-x 0\/0 +0 1970-01-01 00:00 bin\/tool-again link to bin\/tool$/);
    expect(lines[7]).toMatch(/^-rw------- 0\/0 +0 .* etc\/empty$/);
    expect(lines[9]).toMatch(/^drwxrwxrwt .* tmp\/$/);
    expect(lines[11]).toMatch(new RegExp(`^drwx------ .* ${LONG_DIR}/$`));
    expect(lines[12]).toMatch(new RegExp(`^-rw-r----- 0/0 +10 .* ${LONG_FILE}$`));
    expect(lines[13]).toContain(`etc/far -> ${LONG_TARGET}`);
    expect(lines[14]).toMatch(/ etc\/naïve-ünïcode$/);
  });

  it('extracts contents, modes, symlinks, hard links and long names intact', () => {
    const out = mkdtempSync(join(dir, 'x-'));
    gnuTar(['-x', '-C', out, '--no-same-owner'], archive);
    expect(readFileSync(join(out, 'bin/tool'), 'utf8')).toBe('#!/bin/sh\necho tool\n');
    expect(statSync(join(out, 'bin/tool')).mode & 0o7777).toBe(0o755);
    expect(readlinkSync(join(out, 'bin/sh'))).toBe('/bin/tool');
    expect(statSync(join(out, 'bin/tool-again')).ino).toBe(statSync(join(out, 'bin/tool')).ino);
    expect(readFileSync(join(out, 'etc/block'))).toEqual(Buffer.alloc(512, 0x61));
    expect(readFileSync(join(out, LONG_FILE), 'utf8')).toBe('long name\n');
    expect(readlinkSync(join(out, 'etc/far'))).toBe(LONG_TARGET);
    expect(readFileSync(join(out, 'etc/naïve-ünïcode'), 'utf8')).toBe('utf8\n');
    expect(lstatSync(join(out, 'tmp')).mode & 0o7777).toBe(0o1777);
  });

  it('writes the given epoch as every mtime', () => {
    const listing = gnuTar(['-tv'], tarArchive(ENTRIES.slice(0, 2), { mtimeSec: 1_700_000_000 }));
    expect(listing.trimEnd().split('\n').every((l) => l.includes('2023-11-14 22:13'))).toBe(true);
  });

  it('ends in two zero blocks and is a whole number of 512-byte blocks', () => {
    expect(archive.length % 512).toBe(0);
    expect(archive.subarray(-1024).every((b) => b === 0)).toBe(true);
  });
});

describe('tar: determinism', () => {
  it('the same entries give the same bytes', () => {
    expect(tarArchive(ENTRIES).equals(tarArchive(ENTRIES.map((e) => ({ ...e }))))).toBe(true);
  });

  it('any change of content, mode or name changes the bytes', () => {
    const base = tarArchive(ENTRIES);
    const changed = (i: number, patch: Partial<TarEntry>): Buffer => tarArchive(ENTRIES.map((e, j) => (j === i ? ({ ...e, ...patch } as TarEntry) : e)));
    expect(changed(1, { mode: 0o700 }).equals(base)).toBe(false);
    expect(changed(6, { data: Buffer.from('hellO\n') } as Partial<TarEntry>).equals(base)).toBe(false);
    expect(changed(6, { path: 'etc/mot' }).equals(base)).toBe(false);
  });
});

describe('tar: refusals', () => {
  it.each([
    ['an empty path', { type: 'dir', path: '/', mode: 0o755 }],
    ['a path with ..', { type: 'file', path: 'a/../../etc/passwd', mode: 0o644, data: Buffer.alloc(0) }],
    ['a hard link out of the archive', { type: 'link', path: 'x', target: '../y', mode: 0o644 }],
    ['a symlink with no target', { type: 'symlink', path: 'x', target: '' }],
  ] as const)('%s', (_what, entry) => {
    expect(() => tarArchive([entry as TarEntry])).toThrow(/^tar: /);
  });
});

describe('tar: PAX records', () => {
  it.each([
    { why: 'a short record: one digit', value: 'x', expected: '9 path=x\n' },
    // ' path=' + 89 + '\n' is 96 bytes: 2 digits → 98.
    { why: 'two digits', value: 'p'.repeat(89), expected: `98 path=${'p'.repeat(89)}\n` },
    // 98 bytes without the length: 2 digits would make 100, which has 3 → 101.
    { why: 'the length gains a digit by counting itself', value: 'p'.repeat(91), expected: `101 path=${'p'.repeat(91)}\n` },
  ])('$why', ({ value, expected }) => {
    const record = paxRecord('path', value);
    expect(record.toString()).toBe(expected);
    expect(record.length).toBe(Number(expected.split(' ')[0]));
  });
});
