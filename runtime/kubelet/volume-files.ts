import { chmod, lstat, mkdir, mkdtemp, open, readdir, readFile, readlink, realpath, rename, rm, rmdir, stat, symlink, unlink, writeFile } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, relative, sep } from 'node:path';
import { KubeletError } from './errors';
import { HostPathType, type HostPathCheck, type Mount, type PlannedFile, type VolumeFailure, type VolumePlan } from './volumes';

/**
 * The I/O half of volumes.ts: makes a planned pod's volume directories, writes configMap, secret,
 * downwardAPI and projected payloads with the kubelet's atomic writer, checks (or creates) hostPath
 * volumes by type, prepares subPath mounts, and removes a pod's directory at teardown.
 */

export type MaterializeResult = Readonly<{ ok: true }> | Readonly<{ ok: false; reason: 'FailedMount'; failures: readonly VolumeFailure[] }>;
export type MaterializeOptions = Readonly<{ /** Names the timestamped payload directories; the time now by default. */ now?: Date }>;

/**
 * Carries a plan out. Run it again to refresh the payloads (a ConfigMap changed): unchanged
 * payloads are left alone, changed ones swap in at once. A volume that cannot be set up is a
 * failure in the kubelet's FailedMount wording; other volumes are still set up.
 */
export async function materialize(plan: VolumePlan, options: MaterializeOptions = {}): Promise<MaterializeResult> {
  const failures: VolumeFailure[] = [];
  const failed = (volume: string, err: unknown) => failures.push({ volume, message: `MountVolume.SetUp failed for volume "${volume}" : ${goError(err)}` });
  for (const dir of plan.dirs) {
    try {
      await mkdir(dir.path, { recursive: true, mode: dir.mode });
      await chmod(dir.path, dir.mode);
    } catch (err) {
      if (dir.volume === undefined) throw err;
      failed(dir.volume, err);
    }
  }
  const now = options.now ?? new Date();
  for (const payload of plan.payloads) {
    if (failures.some((f) => f.volume === payload.volume)) continue;
    try {
      await writeAtomically(payload.dir, payload.files, now);
    } catch (err) {
      failed(payload.volume, err);
    }
  }
  for (const check of plan.hostPaths) {
    try {
      await checkHostPath(check);
    } catch (err) {
      failed(check.volume, err);
    }
  }
  return failures.length === 0 ? { ok: true } : { ok: false, reason: 'FailedMount', failures };
}

// ---------------------------------------------------------------------------------------------
// The atomic writer (pkg/volume/util/atomic_writer.go)

const DATA_DIR = '..data';
const DATA_DIR_TMP = '..data_tmp';

/**
 * Writes `files` into `dir` the way the kubelet's AtomicWriter does, so a reader never sees half an
 * update: the files go into a fresh `..<timestamp>.<random>` directory, `..data` is a symlink to
 * it, each top-level name is a symlink into `..data`, and the swap is one rename of a new
 * `..data` over the old one. Returns whether anything changed.
 *
 * Unlike upstream, a payload that only lost a nested file is also rewritten (upstream keeps the
 * stale file until the next content change).
 */
export async function writeAtomically(dir: string, files: readonly PlannedFile[], now: Date): Promise<boolean> {
  for (const f of files) assertInside(dir, f.path);
  const dataLink = join(dir, DATA_DIR);
  const oldTsName = await readlinkIfAny(dataLink);
  const oldTsDir = oldTsName === undefined ? undefined : join(dir, oldTsName);
  const oldFiles = oldTsDir === undefined ? [] : await filesUnder(oldTsDir);
  const topLevel = new Set(files.map((f) => f.path.split('/')[0]));
  const stale = [...new Set(oldFiles.map((p) => p.split('/')[0]))].filter((name) => !topLevel.has(name));
  const write = oldTsDir === undefined || oldFiles.length !== files.length || (await contentDiffers(oldTsDir, files));
  if (!write && stale.length === 0) return false;

  let tsDir: string | undefined;
  if (write) {
    tsDir = await mkdtemp(join(dir, timestampPrefix(now)));
    // 0755 so that group and other can walk in, whatever the umask.
    await chmod(tsDir, 0o755);
    for (const f of files) {
      const full = join(tsDir, f.path);
      await mkdir(dirname(full), { recursive: true });
      await writeFile(full, f.data, { mode: f.mode });
      await chmod(full, f.mode);
    }
  }
  for (const name of topLevel) {
    const visible = join(dir, name);
    if ((await readlinkIfAny(visible)) === undefined && !(await exists(visible, lstat))) await symlink(join(DATA_DIR, name), visible);
  }
  if (tsDir !== undefined) {
    const tmp = join(dir, DATA_DIR_TMP);
    await rm(tmp, { force: true });
    await symlink(basename(tsDir), tmp);
    await rename(tmp, dataLink);
    if (oldTsDir !== undefined) await rm(oldTsDir, { recursive: true, force: true });
  }
  for (const name of stale) await rm(join(dir, name), { force: true });
  return true;
}

/** Go's time format `..2006_01_02_15_04_05.`, in UTC. */
function timestampPrefix(now: Date): string {
  const two = (n: number) => String(n).padStart(2, '0');
  const d = now;
  return `..${d.getUTCFullYear()}_${two(d.getUTCMonth() + 1)}_${two(d.getUTCDate())}_${two(d.getUTCHours())}_${two(d.getUTCMinutes())}_${two(d.getUTCSeconds())}.`;
}

async function contentDiffers(oldTsDir: string, files: readonly PlannedFile[]): Promise<boolean> {
  for (const f of files) {
    const old = await readFile(join(oldTsDir, f.path)).catch(ifMissing(undefined));
    if (old === undefined || !old.equals(f.data)) return true;
  }
  return false;
}

/** Regular files under `root`, as relative slash paths. */
async function filesUnder(root: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (dir: string) => {
    for (const entry of await readdir(dir, { withFileTypes: true }).catch(ifMissing([]))) {
      const full = join(dir, entry.name);
      if (entry.isDirectory()) await walk(full);
      else out.push(relative(root, full).split(sep).join('/'));
    }
  };
  await walk(root);
  return out;
}

// ---------------------------------------------------------------------------------------------
// hostPath (pkg/volume/hostpath checkType)

type FileType = 'Directory' | 'File' | 'Socket' | 'CharDevice' | 'BlockDevice' | 'other';

/** Checks a hostPath volume against its type, creating it for the *OrCreate types; throws the kubelet's message. */
export async function checkHostPath(check: Pick<HostPathCheck, 'path' | 'type'>): Promise<void> {
  const { path, type } = check;
  const actual = await fileType(path);
  switch (type) {
    case HostPathType.Unset:
      return;
    case HostPathType.DirectoryOrCreate:
      if (actual === undefined) return void (await mkdir(path, { recursive: true, mode: 0o755 }));
      return expectType(path, actual, 'Directory', 'a directory');
    case HostPathType.Directory:
      return expectType(path, actual, 'Directory', 'a directory');
    case HostPathType.FileOrCreate:
      if (actual === undefined) return void (await (await open(path, 'a', 0o644)).close());
      return expectType(path, actual, 'File', 'a file');
    case HostPathType.File:
      return expectType(path, actual, 'File', 'a file');
    case HostPathType.Socket:
      return expectType(path, actual, 'Socket', 'a socket file');
    case HostPathType.CharDevice:
      return expectType(path, actual, 'CharDevice', 'a character device');
    case HostPathType.BlockDevice:
      return expectType(path, actual, 'BlockDevice', 'a block device');
    default: {
      const never: never = type;
      throw new KubeletError(`${String(never)} is an invalid volume type`);
    }
  }
}

function expectType(path: string, actual: FileType | undefined, wanted: FileType, what: string): void {
  if (actual !== wanted) throw new KubeletError(`hostPath type check failed: ${path} is not ${what}`);
}

/** What `path` is, following symlinks as os.Stat does; undefined when it does not exist. */
async function fileType(path: string): Promise<FileType | undefined> {
  const st = await stat(path).catch(ifMissing(undefined));
  if (st === undefined) return undefined;
  if (st.isDirectory()) return 'Directory';
  if (st.isFile()) return 'File';
  if (st.isSocket()) return 'Socket';
  if (st.isCharacterDevice()) return 'CharDevice';
  if (st.isBlockDevice()) return 'BlockDevice';
  return 'other';
}

// ---------------------------------------------------------------------------------------------
// subPath (makeMounts' SafeMakeDir and PrepareSafeSubpath)

export type PrepareSubPathsResult =
  | Readonly<{ ok: true; mounts: readonly Mount[] }>
  | Readonly<{ ok: false; reason: 'CreateContainerConfigError'; message: string }>;

/**
 * Before a container starts: makes each missing subPath directory with the volume's mode (never
 * through a symlink that leads out of the volume), and resolves each subPath to its real path,
 * refusing one that leads outside its volume. The returned mounts carry the resolved host paths.
 * Upstream also bind-mounts the resolved path under the pod directory so it cannot be swapped
 * between the check and the container's mount; that is not done here.
 */
export async function prepareSubPaths(mounts: readonly Mount[], containerName: string): Promise<PrepareSubPathsResult> {
  const out: Mount[] = [];
  for (const mount of mounts) {
    if (mount.subPath === undefined) {
      out.push(mount);
      continue;
    }
    const { volumePath, path } = mount.subPath;
    const fail = (what: string): PrepareSubPathsResult => ({
      ok: false,
      reason: 'CreateContainerConfigError',
      message: `failed to ${what} for volumeMount "${mount.name}" of container "${containerName}"`,
    });
    try {
      if (!(await exists(join(volumePath, path), stat))) await safeMakeDir(volumePath, path);
    } catch {
      return fail('create subPath directory');
    }
    const resolved = await resolveInside(volumePath, path).catch(() => undefined);
    if (resolved === undefined) return fail('prepare subPath');
    out.push({ ...mount, hostPath: resolved });
  }
  return { ok: true, mounts: out };
}

/** Makes `sub` under `base` one component at a time with base's mode; an existing component must resolve inside base. */
async function safeMakeDir(base: string, sub: string): Promise<void> {
  const realBase = await realpath(base);
  const mode = (await stat(base)).mode & 0o7777;
  let current = base;
  for (const part of sub.split('/').filter((p) => p !== '' && p !== '.')) {
    current = join(current, part);
    if (await exists(current, lstat)) {
      const real = await realpath(current);
      if (!isInside(realBase, real)) throw new KubeletError(`${current} leads outside ${base}`);
      if (!(await stat(real)).isDirectory()) throw new KubeletError(`${current} is not a directory`);
      current = real;
      continue;
    }
    await mkdir(current, { mode });
    await chmod(current, mode);
  }
}

async function resolveInside(base: string, sub: string): Promise<string> {
  const [realBase, real] = await Promise.all([realpath(base), realpath(join(base, sub))]);
  if (!isInside(realBase, real)) throw new KubeletError(`${sub} leads outside ${base}`);
  return real;
}

// ---------------------------------------------------------------------------------------------
// Teardown

/**
 * Removes a pod's directory once its containers are gone. It never follows a symlink, never
 * crosses into another filesystem, and refuses to start while anything is mounted under the
 * directory (a hostPath or subPath bind mount, a tmpfs): only what lies under `podDir` goes.
 */
export async function removePodDir(podDir: string, mountInfoPath = '/proc/self/mountinfo'): Promise<void> {
  if (!isAbsolute(podDir) || dirname(podDir) === podDir) throw new KubeletError(`refusing to remove ${podDir}: not an absolute pod directory`);
  const root = await lstat(podDir).catch(ifMissing(undefined));
  if (root === undefined) return;
  if (!root.isDirectory()) throw new KubeletError(`refusing to remove ${podDir}: not a directory`);
  const mounted = (await mountPoints(mountInfoPath)).filter((m) => isInside(podDir, m));
  if (mounted.length > 0) throw new KubeletError(`refusing to remove ${podDir}: still mounted there: ${mounted.join(', ')}`);
  await removeTree(podDir, root.dev);
}

async function removeTree(path: string, dev: number): Promise<void> {
  const st = await lstat(path);
  if (!st.isDirectory()) return unlink(path);
  if (st.dev !== dev) throw new KubeletError(`refusing to remove ${path}: another filesystem is mounted there`);
  for (const entry of await readdir(path)) await removeTree(join(path, entry), dev);
  await rmdir(path);
}

/** The mount points listed in a mountinfo file (field 5, octal escapes decoded); none when it cannot be read. */
async function mountPoints(mountInfoPath: string): Promise<string[]> {
  const text = await readFile(mountInfoPath, 'utf8').catch(() => '');
  return text
    .split('\n')
    .map((line) => line.split(' ')[4])
    .filter((p): p is string => p !== undefined)
    .map((p) => p.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(parseInt(octal, 8))));
}

// ---------------------------------------------------------------------------------------------

function isInside(base: string, path: string): boolean {
  const rel = relative(base, path);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

function assertInside(dir: string, relativePath: string): void {
  if (isAbsolute(relativePath) || relativePath.split('/').includes('..')) throw new KubeletError(`invalid path: ${relativePath} leads outside ${dir}`);
}

async function readlinkIfAny(path: string): Promise<string | undefined> {
  return readlink(path).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT' || err.code === 'EINVAL') return undefined;
    throw err;
  });
}

async function exists(path: string, how: typeof stat | typeof lstat): Promise<boolean> {
  return (await how(path).catch(ifMissing(undefined))) !== undefined;
}

function ifMissing<T>(fallback: T): (err: NodeJS.ErrnoException) => T {
  return (err) => {
    if (err.code === 'ENOENT' || err.code === 'ENOTDIR') return fallback;
    throw err;
  };
}

/** A Node fs error worded as Go's *PathError (`open /x: no such file or directory`); others as they are. */
function goError(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  const text = /^[A-Z]+: (.*?), /.exec(e?.message ?? '');
  if (e?.syscall && e.path && text) return `${e.syscall} ${e.path}: ${text[1]}`;
  return err instanceof Error ? err.message : String(err);
}
