/**
 * Images end to end on a private containerd (test/harness/containerd.ts): a busybox image built
 * from a root-filesystem directory by `skiff image build`, imported, listed under its name and
 * digest, run under runc; a docker-save archive imported the same way; a pull with no registry
 * reported as such. Needs root, containerd, ctr and runc (skipped otherwise).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ImagePullError } from '../../runtime/containerd/errors';
import { findImage, listImages, pullImage } from '../../runtime/containerd/images';
import { buildImage, busyboxRootfs, type BuiltImage } from '../../runtime/image';
import { skiffInProcess, type CliRunResult } from '../harness/cli-in-process';
import { startTestContainerd, type TestContainerd } from '../harness/containerd';


const NAME = 'skiff.local/busybox:1.35';

describe('images on a real containerd', () => {
  let containerd: TestContainerd;
  let dir: string;
  let rootfs: string;
  let flags: string[];

  const skiff = (...argv: string[]): Promise<CliRunResult> => skiffInProcess([...argv, ...flags]);

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'skiff-image-int-'));
    rootfs = join(dir, 'rootfs');
    await busyboxRootfs(rootfs);
    containerd = await startTestContainerd();
    flags = ['--containerd-address', containerd.address, '--containerd-namespace', containerd.namespace];
  }, 60_000);

  afterAll(async () => {
    await containerd?.cleanup();
    rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  it('skiff image build imports the image under its name, with the manifest digest it printed', async () => {
    const run = await skiff('image', 'build', rootfs, '-t', NAME, '--cmd', '/bin/sh');
    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(run.stdout).toContain(`imported ${NAME} into containerd (${containerd.address}, namespace ${containerd.namespace})`);
    const manifest = /manifest (sha256:[0-9a-f]{64})/.exec(run.stdout)?.[1];
    const ls = execFileSync('ctr', ['--address', containerd.address, '--namespace', containerd.namespace, 'images', 'ls'], { encoding: 'utf8' });
    expect(ls).toMatch(new RegExp(`^${NAME.replace(/[.]/g, '\\.')} +application/vnd\\.oci\\.image\\.manifest\\.v1\\+json +${manifest} .* linux/amd64 `, 'm'));
    expect(await findImage(containerd.ctr, NAME)).toMatchObject({ digest: manifest, platforms: ['linux/amd64'] });
  });

  it('a container of it runs under runc: sh -c "echo hi" prints hi', async () => {
    const run = await containerd.runContainer(NAME, 't1', ['/bin/sh', '-c', 'echo hi']);
    expect(run).toEqual({ code: 0, stdout: 'hi\n', stderr: '' });
  });

  it('the image config is honoured: entrypoint, command, env, working directory', async () => {
    const built = await skiff('image', 'build', rootfs, '-t', 'skiff.local/busybox:config', '--entrypoint', '/bin/sh', '--cmd', '-c', '--cmd', 'echo "$GREETING from $(pwd) as $(id -un)"', '-e', 'GREETING=hello', '-w', '/tmp');
    expect(built.code).toBe(0);
    expect(await containerd.runContainer('skiff.local/busybox:config', 't2')).toEqual({ code: 0, stdout: 'hello from /tmp as root\n', stderr: '' });
  });

  it('rebuilding the same directory gives the same digest, and importing it again changes nothing', async () => {
    const before = await findImage(containerd.ctr, NAME);
    const again = await skiff('image', 'build', rootfs, '-t', NAME, '--cmd', '/bin/sh');
    expect(again.code).toBe(0);
    expect(await findImage(containerd.ctr, NAME)).toEqual(before);
  });

  it('a docker-save archive (build --format docker -o, then skiff image import) imports and runs', async () => {
    const archive = join(dir, 'busybox-docker.tar');
    expect((await skiff('image', 'build', rootfs, '-t', 'busybox:docker', '--format', 'docker', '-o', archive)).code).toBe(0);
    expect(await skiff('image', 'import', archive)).toEqual({ code: 0, stdout: 'imported docker.io/library/busybox:docker\n', stderr: '' });
    expect((await findImage(containerd.ctr, 'busybox:docker'))?.mediaType).toBe('application/vnd.docker.distribution.manifest.v2+json');
    expect(await containerd.runContainer('docker.io/library/busybox:docker', 't3', ['/bin/echo', 'from docker'])).toEqual({ code: 0, stdout: 'from docker\n', stderr: '' });
  });

  it('an OCI archive file imports with skiff image import', async () => {
    const image: BuiltImage = await buildImage({ rootfs, name: 'skiff.local/busybox:file' });
    writeFileSync(join(dir, 'oci.tar'), image.archive);
    expect(await skiff('image', 'import', join(dir, 'oci.tar'))).toEqual({ code: 0, stdout: 'imported skiff.local/busybox:file\n', stderr: '' });
    expect((await findImage(containerd.ctr, 'skiff.local/busybox:file'))?.digest).toBe(image.manifestDigest);
  });

  it('skiff image ls lists them; -q prints names only', async () => {
    const table = await skiff('image', 'ls');
    expect(table.code).toBe(0);
    const lines = table.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^NAME +DIGEST +SIZE +PLATFORMS$/);
    expect(lines).toContainEqual(expect.stringMatching(/^skiff\.local\/busybox:1\.35 +sha256:[0-9a-f]{12} +1\.0 MiB +linux\/amd64$/));
    const quiet = await skiff('image', 'ls', '-q');
    expect(quiet.stdout.split('\n').filter(Boolean).sort()).toEqual(['docker.io/library/busybox:docker', 'skiff.local/busybox:1.35', 'skiff.local/busybox:config', 'skiff.local/busybox:file']);
  });

  it('a garbage archive is a one-line error', async () => {
    writeFileSync(join(dir, 'garbage.tar'), 'not a tar');
    const run = await skiff('image', 'import', join(dir, 'garbage.tar'));
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(new RegExp(`^error: cannot import ${join(dir, 'garbage.tar')}: .+\\n$`));
  });

  it('a pull with no registry reachable says so (ErrImagePull material), at once', async () => {
    const started = Date.now();
    const err = await pullImage(containerd.ctr, '127.0.0.1:1/skiff/nothing:1', { plainHttp: true }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ImagePullError);
    expect(err).toMatchObject({ reason: 'ErrImagePull', failure: 'unreachable', image: '127.0.0.1:1/skiff/nothing:1', ref: '127.0.0.1:1/skiff/nothing:1' });
    expect((err as Error).message).toMatch(/^failed to pull and unpack image "127\.0\.0\.1:1\/skiff\/nothing:1": .*connection refused$/);
    const cli = await skiff('image', 'pull', '127.0.0.1:1/skiff/nothing:1', '--plain-http');
    expect(cli.code).toBe(1);
    expect(cli.stderr).toMatch(/^error: failed to pull image .*connection refused \(no registry reachable: import the image with `skiff image import FILE\.tar` or build one with `skiff image build DIR -t NAME:TAG`\)\n$/);
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('skiff image rm removes an image', async () => {
    expect(await skiff('image', 'rm', 'skiff.local/busybox:file')).toEqual({ code: 0, stdout: 'removed skiff.local/busybox:file\n', stderr: '' });
    expect((await listImages(containerd.ctr)).map((i) => i.ref)).not.toContain('skiff.local/busybox:file');
  });

  it('stopping the test containerd leaves no process, mount or directory behind', async () => {
    await containerd.cleanup();
    expect(() => process.kill(containerd.pid, 0)).toThrow();
    expect(readFileSync('/proc/self/mounts', 'utf8')).not.toContain(containerd.dataDir);
    expect(existsSync(containerd.dataDir)).toBe(false);
  });
});
