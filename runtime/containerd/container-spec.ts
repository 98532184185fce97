/**
 * What starting one (pod, container, attempt) means for containerd, as pure functions: the
 * container id, its labels, its log path and the `ctr run` argv. The runtime (containerd-runtime.ts)
 * only runs what these build.
 */
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import type { PullPolicy } from '../image/pull-policy';

export type PodRef = Readonly<{
  uid: string;
  namespace: string;
  name: string;
  /** Path of the pod's network namespace (sandbox.ts); absent = a fresh, empty one per container (ctr's default). */
  netnsPath?: string;
}>;

export type BindMount = Readonly<{ hostPath: string; containerPath: string; readOnly?: boolean }>;

export type ContainerSpec = Readonly<{
  name: string;
  image: string;
  /** Unset: the API server's default for the image (runtime/image/pull-policy.ts `defaultPullPolicy`). */
  imagePullPolicy?: PullPolicy;
  command?: readonly string[];
  args?: readonly string[];
  env?: readonly Readonly<{ name: string; value: string }>[];
  workingDir?: string;
  mounts?: readonly BindMount[];
  /** limits.memory in bytes. */
  memoryLimitBytes?: number;
  /** limits.cpu in millicores (500 = half a CPU): CFS quota over a 100 ms period. */
  cpuLimitMillis?: number;
}>;

/** One start request: attempt N of a pod's container. */
export type StartSpec = Readonly<{ pod: PodRef; container: ContainerSpec; attempt: number; init: boolean }>;

/** containerd ids: `[A-Za-z0-9]+([._-][A-Za-z0-9]+)*`, at most 76 characters. */
const ID_MAX = 76;
export const SHORT_UID_LENGTH = 12;

/** The pod uid's first 12 hex digits (dashes dropped): enough to keep the pods of one node apart. */
export function shortUid(podUid: string): string {
  const hex = podUid.toLowerCase().replace(/[^a-z0-9]/g, '');
  if (hex.length === 0) throw new Error(`invalid pod uid ${JSON.stringify(podUid)}`);
  return hex.slice(0, SHORT_UID_LENGTH);
}

/** `<pod-uid-short>-<container>-<attempt>`; a name too long for containerd is cut and suffixed with a hash of it. */
export function containerId(podUid: string, containerName: string, attempt: number): string {
  if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(containerName)) throw new Error(`invalid container name ${JSON.stringify(containerName)} (a DNS label)`);
  if (!Number.isInteger(attempt) || attempt < 0) throw new Error(`invalid attempt ${attempt}`);
  const prefix = `${shortUid(podUid)}-`;
  const suffix = `-${attempt}`;
  const room = ID_MAX - prefix.length - suffix.length;
  const name = containerName.length <= room ? containerName : `${containerName.slice(0, room - 9).replace(/-+$/, '')}-${createHash('sha256').update(containerName).digest('hex').slice(0, 8)}`;
  return `${prefix}${name}${suffix}`;
}

/** The kubelet's layout: `<logRoot>/<namespace>_<pod>_<uid>/<container>/<attempt>.log`. */
export function containerLogPath(logRoot: string, pod: PodRef, containerName: string, attempt: number): string {
  return join(logRoot, `${pod.namespace}_${pod.name}_${pod.uid}`, containerName, `${attempt}.log`);
}

export const CFS_PERIOD_US = 100_000;
/** The kubelet's floor (MinQuotaPeriod): 1 ms of CPU per period. */
export const MIN_CFS_QUOTA_US = 1_000;

export function cpuQuotaUs(cpuLimitMillis: number, periodUs = CFS_PERIOD_US): number {
  return Math.max(MIN_CFS_QUOTA_US, Math.floor((cpuLimitMillis * periodUs) / 1000));
}

export type RunArgsInput = Readonly<{
  id: string;
  imageRef: string;
  argv: readonly string[];
  labels: Readonly<Record<string, string>>;
  logPath: string;
  container: ContainerSpec;
  netnsPath?: string;
}>;

/** `ctr run -d …` for one container: labels, env, cwd, bind mounts, the pod's netns, limits, the log file; no tty. */
export function ctrRunArgs(input: RunArgsInput): string[] {
  const c = input.container;
  const out = ['run', '--detach', '--log-uri', `file://${input.logPath}`];
  for (const [k, v] of Object.entries(input.labels)) out.push('--label', `${k}=${v}`);
  for (const e of c.env ?? []) {
    if (e.name === '' || e.name.includes('=')) throw new Error(`invalid environment variable name ${JSON.stringify(e.name)}`);
    out.push('--env', `${e.name}=${e.value}`);
  }
  if (c.workingDir) out.push('--cwd', c.workingDir);
  for (const m of c.mounts ?? []) {
    for (const p of [m.hostPath, m.containerPath]) {
      if (!p.startsWith('/') || p.includes(',')) throw new Error(`invalid mount path ${JSON.stringify(p)}: absolute and without commas`);
    }
    out.push('--mount', `type=bind,src=${m.hostPath},dst=${m.containerPath},options=rbind:${m.readOnly ? 'ro' : 'rw'}`);
  }
  if (input.netnsPath) out.push('--with-ns', `network:${input.netnsPath}`);
  if (c.memoryLimitBytes !== undefined) out.push('--memory-limit', String(Math.floor(c.memoryLimitBytes)));
  if (c.cpuLimitMillis !== undefined) out.push('--cpu-quota', String(cpuQuotaUs(c.cpuLimitMillis)), '--cpu-period', String(CFS_PERIOD_US));
  out.push(input.imageRef, input.id, ...input.argv);
  return out;
}
