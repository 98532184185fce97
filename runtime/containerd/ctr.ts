/**
 * The one place that runs `ctr`: `ctr --address A --namespace N …` through execFile (no shell).
 * Failures become CtrError (exit code, ctr's message, a kind). The output parsers are pure and live
 * in ctr-output.ts. Used by the runtime, the daemon, `skiff image` and the tests alike.
 */
import { execFile, spawn, type ChildProcess, type ExecFileException, type SpawnOptions } from 'node:child_process';
import { stat } from 'node:fs/promises';
import { CtrError, CtrErrorKind, type CtrErrorOptions } from './errors';
import {
  parseContainerInfo,
  parseIdLines,
  parseTaskDeleteExitCode,
  parseTaskList,
  type ContainerInfo,
  type TaskRow,
} from './ctr-output';

export const DEFAULT_CTR = '/usr/bin/ctr';
export const DEFAULT_CONTAINERD_ADDRESS = '/run/containerd/containerd.sock';
/** skiff's images and containers live in their own containerd namespace, apart from docker's (`moby`) and the CRI's (`k8s.io`). */
export const DEFAULT_CONTAINERD_NAMESPACE = 'skiff';

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

export type CtrRunOptions = Readonly<{
  timeoutMs?: number;
  /** Written to ctr's stdin (for `images import -`). */
  input?: Buffer;
  /** Kills ctr (by its PID) when aborted. */
  signal?: AbortSignal;
}>;

export type Ctr = Readonly<{
  address: string;
  namespace: string;
  binary: string;
  /** The full argv after the binary: global flags, then `args`. */
  argv: (args: readonly string[]) => string[];
  /**
   * Runs ctr to completion; rejects with CtrError on a non-zero exit, a timeout, or at once when no
   * socket is at the address (ctr would dial it for its whole connect timeout).
   */
  run: (args: readonly string[], opts?: CtrRunOptions) => Promise<CtrOutput>;
  /** Starts a long-running ctr (events, exec); the caller owns the child. */
  spawn: (args: readonly string[], opts?: SpawnOptions) => ChildProcess;
}>;

export function createCtr(config: CtrConfig): Ctr {
  const binary = config.binary ?? DEFAULT_CTR;
  const connect = `${Math.max(1, Math.round((config.connectTimeoutMs ?? 5_000) / 1000))}s`;
  const argv = (args: readonly string[]) => ['--address', config.address, '--namespace', config.namespace, '--connect-timeout', connect, ...args];
  const run = async (args: readonly string[], opts: CtrRunOptions = {}): Promise<CtrOutput> => {
    await checkSocket(config.address, args);
    const timeoutMs = opts.timeoutMs ?? config.timeoutMs ?? 60_000;
    const command = `ctr ${args.slice(0, 2).join(' ')}`;
    return new Promise((ok, fail) => {
      const child = execFile(binary, argv(args), { timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024, killSignal: 'SIGKILL', signal: opts.signal }, (err, stdout, stderr) => {
        if (!err) return ok({ stdout, stderr });
        const e = err as ExecFileException;
        const failed = (exitCode: number | null, options: CtrErrorOptions) => fail(new CtrError(args, exitCode, stderr, { cause: err, ...options }));
        if (e.name === 'AbortError') return failed(null, { detail: `${command} aborted` });
        if (e.code === 'ENOENT') return failed(null, { detail: `${binary} not found (Debian: apt-get install containerd)` });
        if (typeof e.code === 'string') return failed(null, { detail: `${binary}: ${e.message}` });
        if (e.killed) return failed(null, { timedOut: true, detail: `${command} timed out after ${timeoutMs} ms` });
        return failed(typeof e.code === 'number' ? e.code : null, {});
      });
      if (opts.input) {
        child.stdin?.on('error', () => undefined); // ctr may exit before reading all of it; its exit status says why.
        child.stdin?.end(opts.input);
      }
    });
  };
  return {
    address: config.address,
    namespace: config.namespace,
    binary,
    argv,
    run,
    spawn: (args, opts) => spawn(binary, argv(args), opts ?? {}),
  };
}

/** ctr dials a missing socket for its whole connect timeout before it gives up; a plain path that is not a socket fails at once instead. */
async function checkSocket(address: string, args: readonly string[]): Promise<void> {
  const path = address.replace(/^unix:\/\//, '');
  if (!path.startsWith('/')) return;
  const st = await stat(path).catch(() => undefined);
  if (!st?.isSocket()) {
    throw new CtrError(args, null, '', { detail: `containerd is not running at ${address} (no socket there)`, kind: CtrErrorKind.Unavailable });
  }
}

/** The typed calls the runtime makes. Each is one ctr process. */
export const ctrCalls = {
  containerIds: async (ctr: Ctr, filters: readonly string[] = []): Promise<string[]> => parseIdLines((await ctr.run(['containers', 'ls', '-q', ...filters])).stdout),
  containerInfo: async (ctr: Ctr, id: string): Promise<ContainerInfo> => parseContainerInfo((await ctr.run(['containers', 'info', id])).stdout),
  tasks: async (ctr: Ctr): Promise<TaskRow[]> => parseTaskList((await ctr.run(['tasks', 'ls'])).stdout),
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
