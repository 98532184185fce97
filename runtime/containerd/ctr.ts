/**
 * The one place that runs `ctr`: `ctr --address A --namespace N …` through execFile (no shell).
 * Failures become CtrError (exit code, ctr's message, a kind). The output parsers are pure and live
 * in ctr-output.ts.
 */
import { execFile, spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { CtrError } from './errors';
import {
  parseContainerInfo,
  parseIdLines,
  parseImageList,
  parseTaskDeleteExitCode,
  parseTaskList,
  type ContainerInfo,
  type ImageRow,
  type TaskRow,
} from './ctr-output';

export const DEFAULT_CTR = '/usr/bin/ctr';
export const DEFAULT_CONTAINERD_ADDRESS = '/run/containerd/containerd.sock';

export type CtrConfig = Readonly<{
  address: string;
  namespace: string;
  binary?: string;
  /** Default timeout of one call; ctr is killed after it. */
  timeoutMs?: number;
  /** ctr's own dial timeout (its default is 10 s), so a dead socket fails fast. */
  connectTimeoutMs?: number;
}>;

export type CtrOutput = Readonly<{ stdout: string; stderr: string }>;

export type Ctr = Readonly<{
  address: string;
  namespace: string;
  binary: string;
  /** The full argv after the binary: global flags, then `args`. */
  argv: (args: readonly string[]) => string[];
  /** Runs ctr to completion; rejects with CtrError on a non-zero exit. */
  run: (args: readonly string[], opts?: { timeoutMs?: number }) => Promise<CtrOutput>;
  /** Starts a long-running ctr (events, exec); the caller owns the child. */
  spawn: (args: readonly string[], opts?: SpawnOptions) => ChildProcess;
}>;

export function createCtr(config: CtrConfig): Ctr {
  const binary = config.binary ?? DEFAULT_CTR;
  const connect = `${Math.max(1, Math.round((config.connectTimeoutMs ?? 5_000) / 1000))}s`;
  const argv = (args: readonly string[]) => ['--address', config.address, '--namespace', config.namespace, '--connect-timeout', connect, ...args];
  return {
    address: config.address,
    namespace: config.namespace,
    binary,
    argv,
    run: (args, opts) =>
      new Promise((ok, fail) => {
        execFile(binary, argv(args), { timeout: opts?.timeoutMs ?? config.timeoutMs ?? 60_000, maxBuffer: 64 * 1024 * 1024, killSignal: 'SIGKILL' }, (err, stdout, stderr) => {
          if (!err) return ok({ stdout, stderr });
          const e = err as NodeJS.ErrnoException & { code?: number | string; killed?: boolean };
          const exitCode = typeof e.code === 'number' ? e.code : null;
          fail(new CtrError(args, exitCode, stderr || (typeof e.code === 'string' ? `${e.code}: ${binary}` : e.message), { cause: err, timedOut: e.killed === true }));
        });
      }),
    spawn: (args, opts) => spawn(binary, argv(args), opts ?? {}),
  };
}

/** The typed calls the runtime makes. Each is one ctr process. */
export const ctrCalls = {
  containerIds: async (ctr: Ctr, filters: readonly string[] = []): Promise<string[]> => parseIdLines((await ctr.run(['containers', 'ls', '-q', ...filters])).stdout),
  containerInfo: async (ctr: Ctr, id: string): Promise<ContainerInfo> => parseContainerInfo((await ctr.run(['containers', 'info', id])).stdout),
  tasks: async (ctr: Ctr): Promise<TaskRow[]> => parseTaskList((await ctr.run(['tasks', 'ls'])).stdout),
  images: async (ctr: Ctr, filters: readonly string[] = []): Promise<ImageRow[]> => parseImageList((await ctr.run(['images', 'ls', ...filters])).stdout),
  /** Deletes a stopped task and answers its exit status. */
  deleteTask: async (ctr: Ctr, id: string, force = false): Promise<number> =>
    parseTaskDeleteExitCode((await ctr.run(['tasks', 'delete', ...(force ? ['--force'] : []), id])).stderr),
  setLabels: async (ctr: Ctr, id: string, labels: Readonly<Record<string, string>>): Promise<void> => {
    await ctr.run(['containers', 'label', id, ...Object.entries(labels).map(([k, v]) => `${k}=${v}`)]);
  },
  content: async (ctr: Ctr, digest: string): Promise<string> => (await ctr.run(['content', 'get', digest])).stdout,
};

/** A containerd filter value, quoted (`name=="docker.io/x@sha256:…"`). */
export function quoteFilter(value: string): string {
  return JSON.stringify(value);
}
