import { lstat, mkdir, mkdtemp, readFile, readlink, readdir, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkHostPath, materialize, prepareSubPaths, removePodDir, writeAtomically } from '../../runtime/kubelet/volume-files';
import { cleanPath, planVolumes, type Mount, type VolumePlan, type VolumePlanResult } from '../../runtime/kubelet/volumes';
import { b64, configMap, cpod, lookups, POD_DIR } from './kubelet.config.fixtures';

const OBJECTS = lookups(
  [configMap('settings', { 'app.conf': 'x=1\n', COLOR: 'blue' }, { 'logo.png': Buffer.from([0x89, 0x50]).toString('base64') })],
  { tls: { data: { 'tls.crt': b64('CERT'), 'tls.key': Buffer.from('KEY') } } },
);
const VOLUMES = `${POD_DIR}/volumes`;

function plan(volumes: unknown[], more: { metadata?: Record<string, unknown>; containers?: unknown[] } = {}): VolumePlanResult {
  const pod = cpod({ volumes, ...(more.containers ? { containers: more.containers } : {}) }, more.metadata);
  return planVolumes(pod, POD_DIR, OBJECTS, { nodeAllocatable: { cpu: '2', memory: '4Gi' } });
}

function planned(volumes: unknown[], more: Parameters<typeof plan>[1] = {}): VolumePlan {
  const result = plan(volumes, more);
  if (!result.ok) throw new Error(`expected a plan, got ${JSON.stringify(result.failures)}`);
  return result;
}

/** The payload of the only payload volume, as path → [text, octal mode]. */
function files(volumes: unknown[], more: Parameters<typeof plan>[1] = {}): Record<string, [string, string]> {
  const [payload] = planned(volumes, more).payloads;
  return Object.fromEntries(payload.files.map((f) => [f.path, [f.data.toString('latin1'), f.mode.toString(8)]]));
}

function failures(volumes: unknown[], more: Parameters<typeof plan>[1] = {}): string[] {
  const result = plan(volumes, more);
  if (result.ok) throw new Error('expected FailedMount');
  expect(result.reason).toBe('FailedMount');
  return result.failures.map((f) => f.message);
}

describe('kubelet volumes: planning', () => {
  it('emptyDir: a 0777 directory under the pod directory; the pod directories first', () => {
    const p = planned([{ name: 'scratch', emptyDir: { medium: 'Memory' } }]);
    expect(p.dirs).toEqual([
      { path: POD_DIR, mode: 0o750 },
      { path: VOLUMES, mode: 0o750 },
      { path: `${VOLUMES}/kubernetes.io~empty-dir/scratch`, mode: 0o777, volume: 'scratch' },
    ]);
    expect(p.byName).toEqual({ scratch: `${VOLUMES}/kubernetes.io~empty-dir/scratch` });
    expect(p.payloads).toEqual([]);
  });

  it.each(['', 'DirectoryOrCreate', 'Directory', 'FileOrCreate', 'File', 'Socket', 'CharDevice', 'BlockDevice'])('hostPath type %j: checked by the I/O side, nothing made in the pod dir', (type) => {
    const p = planned([{ name: 'h', hostPath: { path: '/srv/data', type } }]);
    expect(p.hostPaths).toEqual([{ volume: 'h', path: '/srv/data', type }]);
    expect(p.byName).toEqual({ h: '/srv/data' });
    expect(p.dirs).toHaveLength(2);
  });

  it('hostPath of an unknown type fails', () => {
    expect(failures([{ name: 'h', hostPath: { path: '/x', type: 'Pipe' } }])).toEqual(['MountVolume.SetUp failed for volume "h" : Pipe is an invalid volume type']);
  });

  describe('configMap', () => {
    it('every key of data and binaryData, mode 0644 by default', () => {
      expect(files([{ name: 'cfg', configMap: { name: 'settings' } }])).toEqual({
        'app.conf': ['x=1\n', '644'],
        COLOR: ['blue', '644'],
        'logo.png': ['\x89P', '644'],
      });
      expect(planned([{ name: 'cfg', configMap: { name: 'settings' } }]).payloads[0].dir).toBe(`${VOLUMES}/kubernetes.io~configmap/cfg`);
    });

    it('defaultMode, and items with their own path and mode', () => {
      expect(files([{ name: 'cfg', configMap: { name: 'settings', defaultMode: 0o400, items: [{ key: 'COLOR', path: 'colors/main' }, { key: 'app.conf', path: './app.conf', mode: 0o600 }] } }])).toEqual({
        'colors/main': ['blue', '400'],
        'app.conf': ['x=1\n', '600'],
      });
    });

    it.each([
      [{ name: 'nope' }, 'configmap "nope" not found'],
      [{ name: 'settings', items: [{ key: 'missing', path: 'm' }] }, 'configmap references non-existent config key: missing'],
      [{ name: 'settings', items: [{ key: 'COLOR', path: '../escape' }] }, "invalid path: must not contain '..': ../escape"],
      [{ name: 'settings', items: [{ key: 'COLOR', path: '..data' }] }, "invalid path: must not start with '..': ..data"],
      [{ name: 'settings', items: [{ key: 'COLOR', path: '/etc/passwd' }] }, 'invalid path: must be relative path: /etc/passwd'],
    ])('%j → FailedMount %s', (source, message) => {
      expect(failures([{ name: 'cfg', configMap: source }])).toEqual([`MountVolume.SetUp failed for volume "cfg" : ${message}`]);
    });

    it('optional: a missing ConfigMap or key gives what is there', () => {
      expect(files([{ name: 'cfg', configMap: { name: 'nope', optional: true } }])).toEqual({});
      expect(files([{ name: 'cfg', configMap: { name: 'settings', optional: true, items: [{ key: 'missing', path: 'm' }, { key: 'COLOR', path: 'c' }] } }])).toEqual({ c: ['blue', '644'] });
    });
  });

  describe('secret', () => {
    it('every key (base64 text or bytes), mode 0644 by default; items', () => {
      expect(files([{ name: 's', secret: { secretName: 'tls' } }])).toEqual({ 'tls.crt': ['CERT', '644'], 'tls.key': ['KEY', '644'] });
      expect(files([{ name: 's', secret: { secretName: 'tls', defaultMode: 0o440, items: [{ key: 'tls.key', path: 'private/key' }] } }])).toEqual({ 'private/key': ['KEY', '440'] });
      expect(planned([{ name: 's', secret: { secretName: 'tls' } }]).payloads[0].dir).toBe(`${VOLUMES}/kubernetes.io~secret/s`);
    });

    it.each([
      [{ secretName: 'nope' }, 'secret "nope" not found'],
      [{ secretName: 'tls', items: [{ key: 'ca.crt', path: 'ca' }] }, 'secret references non-existent secret key: ca.crt'],
    ])('%j → FailedMount %s', (source, message) => {
      expect(failures([{ name: 's', secret: source }])).toEqual([`MountVolume.SetUp failed for volume "s" : ${message}`]);
    });

    it('optional and missing: an empty directory', () => {
      expect(files([{ name: 's', secret: { secretName: 'nope', optional: true } }])).toEqual({});
    });
  });

  describe('downwardAPI', () => {
    const metadata = { labels: { app: 'web', tier: 'front' }, annotations: { 'team.io/owner': 'ops "core"' } };
    const containers = [{ name: 'app', image: 'busybox', resources: { requests: { memory: '64Mi' } } }];
    it('metadata fields and resources, paths cleaned, modes', () => {
      expect(
        files(
          [
            {
              name: 'info',
              downwardAPI: {
                defaultMode: 0o444,
                items: [
                  { path: 'labels', fieldRef: { fieldPath: 'metadata.labels' } },
                  { path: 'owner', fieldRef: { fieldPath: "metadata.annotations['team.io/owner']" } },
                  { path: 'annotations', fieldRef: { fieldPath: 'metadata.annotations' }, mode: 0o400 },
                  { path: 'meta/./name', fieldRef: { fieldPath: 'metadata.name' } },
                  { path: 'mem', resourceFieldRef: { containerName: 'app', resource: 'requests.memory', divisor: '1Mi' } },
                  { path: 'cpu', resourceFieldRef: { containerName: 'app', resource: 'limits.cpu', divisor: '1m' } },
                ],
              },
            },
          ],
          { metadata, containers },
        ),
      ).toEqual({
        annotations: ['team.io/owner="ops \\"core\\""', '400'],
        cpu: ['2000', '444'],
        labels: ['app="web"\ntier="front"', '444'],
        mem: ['64', '444'],
        'meta/name': ['web-0', '444'],
        owner: ['ops "core"', '444'],
      });
    });

    it('every bad item is reported, aggregated', () => {
      const items = [
        { path: 'a', fieldRef: { fieldPath: 'status.podIP' } },
        { path: 'b', resourceFieldRef: { containerName: 'nope', resource: 'limits.cpu' } },
      ];
      expect(failures([{ name: 'info', downwardAPI: { items } }])).toEqual([
        'MountVolume.SetUp failed for volume "info" : [unsupported fieldPath: status.podIP, container nope not found]',
      ]);
    });
  });

  describe('projected', () => {
    it('configMap, secret and downwardAPI sources in one directory; serviceAccountToken left out and said so', () => {
      const volume = {
        name: 'all',
        projected: {
          defaultMode: 0o440,
          sources: [
            { configMap: { name: 'settings', items: [{ key: 'COLOR', path: 'color' }] } },
            { secret: { name: 'tls', items: [{ key: 'tls.crt', path: 'tls/crt', mode: 0o400 }] } },
            { downwardAPI: { items: [{ path: 'name', fieldRef: { fieldPath: 'metadata.name' } }] } },
            { serviceAccountToken: { path: 'token', expirationSeconds: 3600 } },
          ],
        },
      };
      const p = planned([volume]);
      expect(p.payloads[0].dir).toBe(`${VOLUMES}/kubernetes.io~projected/all`);
      expect(files([volume])).toEqual({ color: ['blue', '440'], name: ['web-0', '440'], 'tls/crt': ['CERT', '400'] });
      expect(p.skipped).toEqual(['volume "all": the serviceAccountToken projection (path "token") is not supported yet; its file is left out']);
    });

    it('a later source overrides an earlier one; failing sources are aggregated', () => {
      const sources = [{ configMap: { name: 'settings', items: [{ key: 'COLOR', path: 'x' }] } }, { secret: { name: 'tls', items: [{ key: 'tls.key', path: 'x' }] } }];
      expect(files([{ name: 'p', projected: { sources } }])).toEqual({ x: ['KEY', '644'] });
      const bad = [{ configMap: { name: 'nope' } }, { secret: { name: 'nope' } }];
      expect(failures([{ name: 'p', projected: { sources: bad } }])).toEqual(['MountVolume.SetUp failed for volume "p" : [configmap "nope" not found, secret "nope" not found]']);
    });
  });

  it('unsupported volume types fail; each failing volume is reported', () => {
    expect(failures([{ name: 'data', persistentVolumeClaim: { claimName: 'pvc' } }, { name: 'ok', emptyDir: {} }, { name: 'cfg', configMap: { name: 'nope' } }])).toEqual([
      'volume "data" is a persistentVolumeClaim volume: skiff sets up only emptyDir, hostPath, configMap, secret, downwardAPI, projected volumes so far',
      'MountVolume.SetUp failed for volume "cfg" : configmap "nope" not found',
    ]);
  });

  it.each([
    ['a/./b/', 'a/b'],
    ['a//b/../c', 'a/c'],
    ['../a', '../a'],
    ['/../a', '/a'],
    ['', '.'],
  ])('cleanPath(%j) = %j (Go path.Clean)', (input, output) => {
    expect(cleanPath(input)).toBe(output);
  });
});

describe('kubelet volumes: on disk (materialize, subPath, teardown)', () => {
  let root: string;
  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'skiff-volumes-'));
  });
  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  const mode = async (path: string) => ((await stat(path)).mode & 0o777).toString(8);
  const NOW = new Date(Date.UTC(2026, 3, 1, 10, 2, 3));

  it('makes the directories and payloads, with ..data and user-visible symlinks', async () => {
    const podDir = join(root, 'pods', 'uid-1');
    const pod = cpod({ volumes: [{ name: 'scratch', emptyDir: {} }, { name: 'cfg', configMap: { name: 'settings', items: [{ key: 'COLOR', path: 'sub/color', mode: 0o600 }, { key: 'app.conf', path: 'app.conf' }] } }] });
    const p = planVolumes(pod, podDir, OBJECTS);
    if (!p.ok) throw new Error('plan failed');
    expect(await materialize(p, { now: NOW })).toEqual({ ok: true });

    expect(await mode(podDir)).toBe('750');
    expect(await mode(p.byName.scratch)).toBe('777');
    const cfg = p.byName.cfg;
    const data = await readlink(join(cfg, '..data'));
    expect(data).toMatch(/^\.\.2026_04_01_10_02_03\./);
    expect(await mode(join(cfg, data))).toBe('755');
    expect(await readlink(join(cfg, 'sub'))).toBe('..data/sub');
    expect(await readlink(join(cfg, 'app.conf'))).toBe('..data/app.conf');
    expect(await readFile(join(cfg, 'sub/color'), 'utf8')).toBe('blue');
    expect(await mode(join(cfg, 'sub/color'))).toBe('600');
    expect(await mode(join(cfg, 'app.conf'))).toBe('644');
  });

  it('an update swaps ..data at once, removes the old directory and names that went; no change writes nothing', async () => {
    const dir = join(root, 'cfg');
    await mkdir(dir);
    const file = (path: string, text: string) => ({ path, data: Buffer.from(text), mode: 0o644 });
    expect(await writeAtomically(dir, [file('a', '1'), file('b', '2')], NOW)).toBe(true);
    const first = await readlink(join(dir, '..data'));
    expect(await writeAtomically(dir, [file('a', '1'), file('b', '2')], NOW)).toBe(false);
    expect(await readlink(join(dir, '..data'))).toBe(first);

    expect(await writeAtomically(dir, [file('a', 'one')], new Date(NOW.getTime() + 1000))).toBe(true);
    const second = await readlink(join(dir, '..data'));
    expect(second).not.toBe(first);
    expect(await readFile(join(dir, 'a'), 'utf8')).toBe('one');
    expect((await readdir(dir)).sort()).toEqual(['..data', second, 'a'].sort());
  });

  describe('hostPath checks', () => {
    it.each([
      ['Directory', 'dir', undefined],
      ['Directory', 'file', 'is not a directory'],
      ['File', 'file', undefined],
      ['File', 'dir', 'is not a file'],
      ['Socket', 'file', 'is not a socket file'],
      ['CharDevice', 'dir', 'is not a character device'],
      ['BlockDevice', 'file', 'is not a block device'],
      ['Directory', 'missing', 'is not a directory'],
      ['', 'missing', undefined],
    ] as const)('%s on a %s → %s', async (type, what, error) => {
      await mkdir(join(root, 'dir'));
      await writeFile(join(root, 'file'), 'x');
      const path = join(root, what);
      const check = checkHostPath({ path, type });
      if (error) await expect(check).rejects.toThrow(`hostPath type check failed: ${path} ${error}`);
      else await expect(check).resolves.toBeUndefined();
    });

    it('DirectoryOrCreate and FileOrCreate create what is missing, then check it', async () => {
      await checkHostPath({ path: join(root, 'made/deep'), type: 'DirectoryOrCreate' });
      expect((await stat(join(root, 'made/deep'))).isDirectory()).toBe(true);
      await checkHostPath({ path: join(root, 'made/file'), type: 'FileOrCreate' });
      expect((await stat(join(root, 'made/file'))).isFile()).toBe(true);
      await expect(checkHostPath({ path: join(root, 'made/file'), type: 'DirectoryOrCreate' })).rejects.toThrow('is not a directory');
    });

    it('a failing check is a FailedMount of that volume; a missing parent reads like Go', async () => {
      const pod = cpod({ volumes: [{ name: 'h', hostPath: { path: join(root, 'no/such/file'), type: 'FileOrCreate' } }] });
      const p = planVolumes(pod, join(root, 'pod'), OBJECTS);
      if (!p.ok) throw new Error('plan failed');
      expect(await materialize(p)).toEqual({
        ok: false,
        reason: 'FailedMount',
        failures: [{ volume: 'h', message: `MountVolume.SetUp failed for volume "h" : open ${join(root, 'no/such/file')}: no such file or directory` }],
      });
    });
  });

  describe('subPath', () => {
    const mountOf = (volumePath: string, path: string): Mount => ({
      name: 'scratch', hostPath: join(volumePath, path), containerPath: '/x', readOnly: false, propagation: 'rprivate', subPath: { volumePath, path },
    });

    it('a missing subPath is made with the volume directory mode; mounts without one pass through', async () => {
      const volume = join(root, 'vol');
      await mkdir(volume);
      await materialize({ ok: true, dirs: [{ path: volume, mode: 0o777 }], payloads: [], hostPaths: [], byName: {}, skipped: [] });
      const plain: Mount = { name: 'v', hostPath: volume, containerPath: '/v', readOnly: true, propagation: 'rprivate' };
      const result = await prepareSubPaths([plain, mountOf(volume, 'logs/app')], 'app');
      expect(result).toEqual({ ok: true, mounts: [plain, mountOf(volume, 'logs/app')] });
      expect(await mode(join(volume, 'logs'))).toBe('777');
      expect(await mode(join(volume, 'logs/app'))).toBe('777');
    });

    it('a subPath leading out of the volume through a symlink is refused', async () => {
      const volume = join(root, 'vol');
      await mkdir(volume);
      await mkdir(join(root, 'outside'));
      await symlink(join(root, 'outside'), join(volume, 'link'));
      expect(await prepareSubPaths([mountOf(volume, 'link')], 'app')).toEqual({
        ok: false, reason: 'CreateContainerConfigError', message: 'failed to prepare subPath for volumeMount "scratch" of container "app"',
      });
      expect(await prepareSubPaths([mountOf(volume, 'link/new')], 'app')).toEqual({
        ok: false, reason: 'CreateContainerConfigError', message: 'failed to create subPath directory for volumeMount "scratch" of container "app"',
      });
      await expect(lstat(join(root, 'outside/new'))).rejects.toThrow('ENOENT');
    });
  });

  describe('removePodDir', () => {
    it('removes only what is under the pod directory, never following symlinks', async () => {
      const podDir = join(root, 'pods/uid-1');
      await mkdir(join(podDir, 'volumes/kubernetes.io~empty-dir/scratch'), { recursive: true });
      await writeFile(join(podDir, 'volumes/kubernetes.io~empty-dir/scratch/f'), 'x');
      await mkdir(join(root, 'host'));
      await writeFile(join(root, 'host/keep'), 'keep');
      await symlink(join(root, 'host'), join(podDir, 'volumes/kubernetes.io~empty-dir/scratch/to-host'));
      await removePodDir(podDir, join(root, 'no-mountinfo'));
      await expect(lstat(podDir)).rejects.toThrow('ENOENT');
      expect(await readFile(join(root, 'host/keep'), 'utf8')).toBe('keep');
      await removePodDir(podDir); // already gone: nothing to do
    });

    it('refuses while something is mounted under it, and refuses non-pod paths', async () => {
      const podDir = join(root, 'pods/uid 2');
      await mkdir(podDir, { recursive: true });
      const mountinfo = join(root, 'mountinfo');
      const escaped = `${podDir}/volumes/kubernetes.io~secret/s`.replace(/ /g, '\\040');
      await writeFile(mountinfo, `22 1 0:21 / /proc rw - proc proc rw\n99 22 0:50 / ${escaped} rw - tmpfs tmpfs rw\n`);
      await expect(removePodDir(podDir, mountinfo)).rejects.toThrow(`still mounted there: ${podDir}/volumes/kubernetes.io~secret/s`);
      expect((await stat(podDir)).isDirectory()).toBe(true);
      await expect(removePodDir('/')).rejects.toThrow('not an absolute pod directory');
      await expect(removePodDir('pods/x')).rejects.toThrow('not an absolute pod directory');
    });
  });
});
