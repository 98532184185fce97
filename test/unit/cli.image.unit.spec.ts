/** `skiff image …` through main(): usage mistakes are one `error:` line and exit 1; `build -o` writes the archive. */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { skiffInProcess, type CliRunResult } from '../harness/cli-in-process';

let dir: string;
let rootfs: string;
let noSocket: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'skiff-cli-image-'));
  rootfs = join(dir, 'rootfs');
  mkdirSync(join(rootfs, 'bin'), { recursive: true });
  writeFileSync(join(rootfs, 'bin/hello'), '#!/bin/sh\necho hello\n', { mode: 0o755 });
  noSocket = join(dir, 'no-containerd.sock');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const skiff = (...argv: string[]): Promise<CliRunResult> => skiffInProcess(argv);

describe('skiff image: when the command is wrong', () => {
  it.each([
    [['image', 'frob'], 'error: unknown subcommand "frob" for "skiff image" (build, import, pull, ls, rm)'],
    [['image', 'build'], 'error: skiff image build needs a root-filesystem directory: skiff image build DIR -t NAME:TAG'],
    [['image', 'build', '/r', 'extra', '-t', 'x:1'], 'error: skiff image build takes one directory, got "/r extra"'],
    [['image', 'build', '/r'], 'error: skiff image build needs -t NAME:TAG (e.g. -t skiff.local/busybox:1.35)'],
    [['image', 'build', '/r', '-t', 'x:1', '--format', 'tgz'], 'error: --format must be oci or docker, not "tgz"'],
    [['image', 'build', '/r', '-t', 'x:1', '-e', 'NOVALUE'], 'error: -e needs KEY=VALUE, got "NOVALUE"'],
    [['image', 'build', '/r', '-t', 'x:1', '--epoch', 'yesterday'], 'error: --epoch must be whole seconds since 1970, not "yesterday"'],
    [['image', 'build', '/r', '-t', 'x:1', '--bogus'], 'error: unknown flag: --bogus'],
    [['image', 'build', '/r', '--busybox', '-t', 'x:1'], 'error: skiff image build --busybox takes no directory'],
    [['image', 'import'], 'error: skiff image import needs one archive: skiff image import FILE.tar'],
    [['image', 'pull'], 'error: skiff image pull needs one image name: skiff image pull NAME[:TAG]'],
    [['image', 'rm'], 'error: skiff image rm needs at least one image name'],
    [['image', 'ls', 'x'], 'error: skiff image ls takes no arguments, got "x"'],
  ])('%j → %s', async (argv, line) => {
    expect(await skiff(...argv)).toEqual({ code: 1, stdout: '', stderr: `${line}\n` });
  });

  it('a directory that is not there', async () => {
    expect(await skiff('image', 'build', join(dir, 'nope'), '-t', 'x:1')).toEqual({ code: 1, stdout: '', stderr: `error: ${join(dir, 'nope')}: no such directory\n` });
  });

  it('a name docker would refuse', async () => {
    const run = await skiff('image', 'build', rootfs, '-t', 'skiff.local/Name:1');
    expect(run).toMatchObject({ code: 1, stdout: '' });
    expect(run.stderr).toBe('error: invalid image reference "skiff.local/Name:1": "Name" must be lowercase letters, digits and separators (. _ __ -)\n');
  });

  it('no containerd at the address: said at once, not after ctr\'s 10 s dial', async () => {
    const started = Date.now();
    for (const argv of [['image', 'ls'], ['image', 'import', 'x.tar'], ['image', 'pull', 'busybox'], ['image', 'rm', 'busybox']]) {
      expect(await skiff(...argv, '--containerd-address', noSocket)).toEqual({ code: 1, stdout: '', stderr: `error: containerd is not running at ${noSocket} (no socket there)\n` });
    }
    const build = await skiff('image', 'build', rootfs, '-t', 'skiff.local/hello:1', '--containerd-address', noSocket);
    expect(build.code).toBe(1);
    expect(build.stdout).toMatch(/^built skiff\.local\/hello:1 /);
    expect(build.stderr).toBe(`error: containerd is not running at ${noSocket} (no socket there)\n`);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('--help and no subcommand print the usage', async () => {
    for (const argv of [['image'], ['image', '--help'], ['image', 'build', '--help']]) {
      const run = await skiff(...argv);
      expect(run).toMatchObject({ code: 0, stderr: '' });
      expect(run.stdout).toContain('skiff image build DIR|--busybox -t NAME:TAG');
    }
  });
});

describe('skiff image build -o', () => {
  it('writes the OCI archive with the entrypoint, command, env and workdir given', async () => {
    const out = join(dir, 'hello.tar');
    const run = await skiff('image', 'build', rootfs, '-t', 'skiff.local/hello:1', '--entrypoint', '/bin/sh', '--cmd', '-c', '--cmd', 'echo hi', '-e', 'GREETING=hi', '-w', '/bin', '-o', out);
    expect(run.code).toBe(0);
    expect(run.stderr).toBe('');
    expect(run.stdout).toMatch(/^built skiff\.local\/hello:1 \(oci, 2 entries, layer 0\.0 MiB gzip \/ 0\.0 MiB tar\)\n {2}manifest sha256:[0-9a-f]{64}\n {2}config {3}sha256:[0-9a-f]{64}\n {2}diff_id {2}sha256:[0-9a-f]{64}\nwrote .*hello\.tar \(0\.0 MiB\)\n$/);
    const unpacked = join(dir, 'hello');
    mkdirSync(unpacked);
    execFileSync('tar', ['-x', '-f', out, '-C', unpacked]);
    const configDigest = /config {3}sha256:([0-9a-f]{64})/.exec(run.stdout)?.[1] as string;
    const config = JSON.parse(readFileSync(join(unpacked, 'blobs/sha256', configDigest), 'utf8'));
    expect(config.config).toEqual({ Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', 'GREETING=hi'], Entrypoint: ['/bin/sh'], Cmd: ['-c', 'echo hi'], WorkingDir: '/bin' });
  });

  it('--busybox builds from this machine\'s busybox, the same digests every time', async () => {
    const first = await skiff('image', 'build', '--busybox', '-t', 'skiff.local/busybox:1.35', '-o', join(dir, 'bb1.tar'));
    const second = await skiff('image', 'build', '--busybox', '-t', 'skiff.local/busybox:1.35', '-o', join(dir, 'bb2.tar'));
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/^built skiff\.local\/busybox:1\.35 \(oci, \d{3} entries, layer 1\.\d MiB gzip \/ \d\.\d MiB tar\)\n/);
    expect(second.stdout.replace('bb2', 'bb1')).toBe(first.stdout);
    expect(readFileSync(join(dir, 'bb2.tar')).equals(readFileSync(join(dir, 'bb1.tar')))).toBe(true);
    expect(execFileSync('tar', ['-t', '-f', join(dir, 'bb1.tar')], { encoding: 'utf8' })).toMatch(/^index\.json$/m);
  });

  it('--format docker writes a docker save archive', async () => {
    const out = join(dir, 'hello-docker.tar');
    expect((await skiff('image', 'build', rootfs, '-t', 'hello:1', '--format', 'docker', '-o', out)).code).toBe(0);
    const listing = execFileSync('tar', ['-t', '-f', out], { encoding: 'utf8' });
    expect(listing).toMatch(/^manifest\.json$/m);
    expect(listing).toMatch(/^[0-9a-f]{64}\/layer\.tar$/m);
  });
});
