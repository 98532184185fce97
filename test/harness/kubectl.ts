/**
 * Runs the real, stock kubectl against a skiff control plane, the way a user's shell would, but
 * isolated: its own HOME and discovery/HTTP cache in a temp folder, an explicit --kubeconfig, and an
 * environment built from scratch (no KUBECONFIG, proxy or KUBECTL_* variables leak in from the
 * machine running the tests).
 *
 * /usr/bin/kubectl on the CI machines is Google Cloud SDK's dispatcher: it GETs /version with the
 * kubeconfig's credentials and then execs the kubectl whose minor version matches the server's
 * (kubectl-compat.md §1). It execs rather than forks, so the PID we spawn is the real kubectl and
 * signals reach it directly.
 */
import { spawn } from 'node:child_process';
import { accessSync, constants as fsConstants } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { spawnInPty, type PtyRun } from './pty';

export const KUBECTL_PATH = '/usr/bin/kubectl';

export type KubectlResult = Readonly<{
  args: readonly string[];
  /** Exit code, or null when a signal ended the process. */
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
}>;

export type RunOptions = Readonly<{
  /** Another kubeconfig than the cluster's admin one (e.g. an unprivileged user's). */
  kubeconfig?: string;
  stdin?: string;
  /** SIGKILL after this long; the result then has signal 'SIGKILL'. Default 30 s. */
  timeoutMs?: number;
}>;

/** A kubectl left running (get -w, wait, delete that blocks on a finalizer). */
export type BackgroundKubectl = Readonly<{
  pid: number;
  stdout: () => string;
  stderr: () => string;
  running: () => boolean;
  /** Resolves once `check(stdout)` holds; rejects (with the output so far) if kubectl exits first or time runs out. */
  waitForStdout: (check: (stdout: string) => boolean, timeoutMs?: number) => Promise<void>;
  exited: Promise<KubectlResult>;
  /** Sends `signal` to this process (by its PID) and waits for it to end. */
  stop: (signal?: NodeJS.Signals) => Promise<KubectlResult>;
}>;

export type Kubectl = Readonly<{
  /** The temp folder: HOME, the cache, and manifests written with `file`. */
  dir: string;
  run: (args: readonly string[], opts?: RunOptions) => Promise<KubectlResult>;
  /** run(), but a non-zero exit throws an error that shows the command and both outputs. */
  ok: (args: readonly string[], opts?: RunOptions) => Promise<KubectlResult>;
  start: (args: readonly string[], opts?: RunOptions) => BackgroundKubectl;
  /** kubectl under a pseudo-terminal (`exec -it`), stopped by `cleanup` if still running. */
  pty: (args: readonly string[], size?: Readonly<{ cols: number; rows: number }>) => PtyRun;
  /** Writes a manifest (or any file) into the temp folder; returns its absolute path. */
  file: (name: string, content: string) => Promise<string>;
  /** Stops every kubectl still running (by PID) and removes the temp folder. */
  cleanup: () => Promise<void>;
}>;

/**
 * Throws with an actionable message when the kubectl binary is missing: the e2e suite must fail,
 * never pass or skip, on a machine without it (CI machines have it).
 */
export function requireKubectl(binary: string = KUBECTL_PATH): void {
  try {
    accessSync(binary, fsConstants.X_OK);
  } catch {
    throw new Error(
      `kubectl e2e: ${binary} is missing or not executable. These tests run the stock kubectl 1.32 ` +
        `(Google Cloud SDK's dispatcher with kubectl.1.32 next to it, as on the CI machines) and do not skip without it. ` +
        `Install it (e.g. apt-get install google-cloud-cli-kubectl) and re-run.`,
    );
  }
}

export function describeResult(r: KubectlResult): string {
  const how = r.signal ? `killed by ${r.signal}` : `exit ${r.code}`;
  return `kubectl ${r.args.map(shellQuote).join(' ')} → ${how} after ${Math.round(r.ms)} ms\n--- stdout ---\n${r.stdout}\n--- stderr ---\n${r.stderr}`;
}

function shellQuote(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}

export async function createKubectl(kubeconfigPath: string, binary: string = KUBECTL_PATH): Promise<Kubectl> {
  requireKubectl(binary);
  const dir = await mkdtemp(join(tmpdir(), 'skiff-kubectl-'));
  const home = join(dir, 'home');
  const cache = join(dir, 'cache');
  await Promise.all([mkdir(home), mkdir(cache)]);
  // From scratch on purpose: the dispatcher caches /version under $HOME, kubectl caches discovery
  // under KUBECACHEDIR/--cache-dir; a stale cache from another server is the classic way to test the
  // wrong thing (kubectl-compat.md §1.1, §1.5).
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: home, KUBECACHEDIR: cache, LANG: 'C.UTF-8', TZ: 'UTC' };
  const live = new Set<BackgroundKubectl>();
  const terminals = new Set<PtyRun>();

  const launch = (args: readonly string[], opts: RunOptions) => {
    const full = [`--kubeconfig=${opts.kubeconfig ?? kubeconfigPath}`, `--cache-dir=${cache}`, ...args];
    const t0 = performance.now();
    const child = spawn(binary, full, { env, cwd: dir, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
    child.stdin.on('error', () => undefined); // kubectl may exit before reading stdin
    child.stdin.end(opts.stdin ?? '');
    const exited = new Promise<KubectlResult>((ok) => {
      child.once('error', (err) => ok({ args, code: 127, signal: null, stdout, stderr: `${stderr}${err.message}`, ms: performance.now() - t0 }));
      // 'close', not 'exit': only then have both pipes been read to the end.
      child.once('close', (code, signal) => ok({ args, code, signal, stdout, stderr, ms: performance.now() - t0 }));
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 30_000);
    void exited.then(() => clearTimeout(timer));
    return { child, exited, stdout: () => stdout, stderr: () => stderr };
  };

  const run: Kubectl['run'] = (args, opts = {}) => launch(args, opts).exited;

  const ok: Kubectl['ok'] = async (args, opts = {}) => {
    const r = await run(args, opts);
    if (r.code !== 0) throw new Error(describeResult(r));
    return r;
  };

  const start: Kubectl['start'] = (args, opts = {}) => {
    // A background kubectl must not outlive its test by much: default 60 s instead of 30.
    const p = launch(args, { timeoutMs: 60_000, ...opts });
    if (p.child.pid === undefined) throw new Error(`could not spawn ${binary}`);
    const pid = p.child.pid;
    let done = false;
    void p.exited.then(() => {
      done = true;
      live.delete(handle);
    });
    const handle: BackgroundKubectl = {
      pid,
      stdout: p.stdout,
      stderr: p.stderr,
      running: () => !done,
      exited: p.exited,
      waitForStdout: async (check, timeoutMs = 15_000) => {
        const deadline = performance.now() + timeoutMs;
        while (!check(p.stdout())) {
          if (done) throw new Error(`kubectl ended before its output showed what the test waits for:\n${describeResult(await p.exited)}`);
          if (performance.now() > deadline) {
            throw new Error(`kubectl ${args.join(' ')} (pid ${pid}) did not print what the test waits for within ${timeoutMs} ms\n--- stdout ---\n${p.stdout()}\n--- stderr ---\n${p.stderr()}`);
          }
          await new Promise((r) => setTimeout(r, 25));
        }
      },
      stop: async (signal = 'SIGTERM') => {
        if (!done) {
          try {
            process.kill(pid, signal);
          } catch {
            // already gone
          }
        }
        return p.exited;
      },
    };
    live.add(handle);
    return handle;
  };

  const inPty: Kubectl['pty'] = (args, size) => {
    const run = spawnInPty(binary, [`--kubeconfig=${kubeconfigPath}`, `--cache-dir=${cache}`, ...args], { env, cwd: dir, ...size });
    terminals.add(run);
    void run.exited.then(() => terminals.delete(run));
    return run;
  };

  return {
    dir,
    run,
    ok,
    start,
    pty: inPty,
    file: async (name, content) => {
      const path = join(dir, name);
      await writeFile(path, content);
      return path;
    },
    cleanup: async () => {
      await Promise.all([...live].map((p) => p.stop('SIGKILL')));
      await Promise.all([...terminals].map((t) => t.stop()));
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/**
 * kubectl's human output as rows keyed by header. kubectl's tabwriter pads every column to a common
 * width with at least three spaces, so a header name may hold single spaces ("NOMINATED NODE") and
 * each column starts where its header starts; cells may hold single spaces too (event messages).
 */
export function parseTable(text: string): Record<string, string>[] {
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  if (lines.length === 0) return [];
  const columns = [...lines[0].matchAll(/\S+(?: \S+)*/g)].map((m) => ({ name: m[0], start: m.index ?? 0 }));
  return lines.slice(1).map((line) =>
    Object.fromEntries(columns.map((col, i) => [col.name, line.slice(col.start, i + 1 < columns.length ? columns[i + 1].start : undefined).trim()])),
  );
}

/** Output with several tables (`get all`, several kinds): one parsed table per blank-line-separated section. */
export function parseTables(text: string): Record<string, string>[][] {
  return text.split(/\n\s*\n/).filter((s) => s.trim() !== '').map(parseTable);
}
