/**
 * TEST DOUBLE of a container runtime's StreamTarget (runtime/streams/types.ts): there are no
 * containers here. Log files live in a temp folder and tests write them; `exec` runs argv as a
 * process on this machine (child_process, or node-pty for a tty), whatever pod or container is
 * named; `portForward` connects to the port on this machine's loopback (through the same relay
 * process the containerd target starts inside a pod's network namespace). The real target is runtime/containerd's; this one lets the API ↔ NATS ↔ node agent path
 * be tested end to end without containerd.
 */
import { spawn as spawnChild } from 'node:child_process';
import { mkdir, mkdtemp, appendFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as pty from 'node-pty';
import { execOfChild, execOfPty } from '../../runtime/streams/exec-process';
import { connectFailureText, startPortRelay } from '../../runtime/streams/port-relay';
import type { ExecProcess, PodRef, StreamTarget, TargetError } from '../../runtime/streams/types';

export type ExecCall = Readonly<{ pod: PodRef; container: string; argv: readonly string[]; tty: boolean; stdin: boolean }>;

export type HostProcessStreamTarget = StreamTarget & Readonly<{
  dir: string;
  /** Appends to the log of the container's current attempt. */
  appendLog(pod: PodRef, container: string, text: string): Promise<void>;
  /** The current attempt ends: its log becomes the previous one, and a new, empty attempt starts. */
  restart(pod: PodRef, container: string): Promise<void>;
  setRunning(pod: PodRef, container: string, running: boolean): void;
  /** Every exec asked for, in order. */
  execs: ExecCall[];
  /** Every port-forward connection asked for, in order. */
  portForwards: { pod: PodRef; port: number }[];
  /** PIDs of processes exec started and that have not ended. */
  livePids(): number[];
  cleanup(): Promise<void>;
}>;

export async function createHostProcessStreamTarget(): Promise<HostProcessStreamTarget> {
  const dir = await mkdtemp(join(tmpdir(), 'skiff-stream-target-'));
  const attempts = new Map<string, number>();
  const stopped = new Set<string>();
  const live = new Map<number, () => void>();
  const execs: ExecCall[] = [];
  const portForwards: { pod: PodRef; port: number }[] = [];
  const key = (pod: PodRef, container: string) => `${pod.uid}/${container}`;
  const attemptOf = (pod: PodRef, container: string) => attempts.get(key(pod, container)) ?? 0;
  const pathOf = (pod: PodRef, container: string, attempt: number) => join(dir, pod.uid, container, `${attempt}.log`);
  const ensureDir = (pod: PodRef, container: string) => mkdir(join(dir, pod.uid, container), { recursive: true });

  return {
    dir,
    execs,
    logFile: async (pod, container, previous) => {
      const attempt = attemptOf(pod, container) - (previous ? 1 : 0);
      if (attempt < 0) return refusal(400, 'BadRequest', `previous terminated container "${container}" in pod "${pod.name}" not found`);
      return { path: pathOf(pod, container, attempt) };
    },
    running: async (pod, container) => !stopped.has(key(pod, container)),
    exec: async (pod, container, argv, opts) => {
      execs.push({ pod, container, argv, tty: opts.tty, stdin: opts.stdin });
      const proc = opts.tty ? await ptyProcess(argv) : await childProcess(argv);
      if ('error' in proc) return proc;
      live.set(proc.pid, proc.process.kill);
      void proc.process.exited.then(() => live.delete(proc.pid));
      return proc.process;
    },
    portForward: async (pod, port) => {
      const relay = await startPortRelay(port, [], (why) =>
        refusal(500, 'InternalError', `error forwarding port ${port} to pod ${pod.uid}, uid : ${connectFailureText(port, pod.uid, why)}`));
      portForwards.push({ pod, port });
      return relay;
    },
    portForwards,
    appendLog: async (pod, container, text) => {
      await ensureDir(pod, container);
      await appendFile(pathOf(pod, container, attemptOf(pod, container)), text);
    },
    restart: async (pod, container) => {
      await ensureDir(pod, container);
      const next = attemptOf(pod, container) + 1;
      attempts.set(key(pod, container), next);
      await writeFile(pathOf(pod, container, next), '');
    },
    setRunning: (pod, container, running) => {
      if (running) stopped.delete(key(pod, container));
      else stopped.add(key(pod, container));
    },
    livePids: () => [...live.keys()],
    cleanup: async () => {
      for (const kill of live.values()) kill();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

function refusal(code: number, reason: string, message: string): TargetError {
  return { error: { code, reason, message } };
}

type Started = Readonly<{ pid: number; process: ExecProcess }> | TargetError;

function notFound(argv: readonly string[]): TargetError {
  return refusal(500, 'InternalError', `OCI runtime exec failed: exec failed: unable to start container process: exec: "${argv[0]}": executable file not found in $PATH: unknown`);
}

/** Without a terminal: pipes. */
async function childProcess(argv: readonly string[]): Promise<Started> {
  const child = spawnChild(argv[0], argv.slice(1), { stdio: ['pipe', 'pipe', 'pipe'] });
  const started = await new Promise<Error | undefined>((ok) => {
    child.once('spawn', () => ok(undefined));
    child.once('error', ok);
  });
  if (started) return notFound(argv);
  const exitCode = new Promise<number>((ok) => child.once('exit', (code, signal) => ok(code ?? (signal ? 128 + 9 : 1))));
  return { pid: child.pid as number, process: execOfChild(child, exitCode) };
}

/** Under a pseudo-terminal (stdout and stderr are one stream). */
async function ptyProcess(argv: readonly string[]): Promise<Started> {
  let term: pty.IPty;
  try {
    term = pty.spawn(argv[0], argv.slice(1), { name: 'xterm', cols: 80, rows: 24, cwd: process.cwd(), env: process.env as Record<string, string>, encoding: null });
  } catch {
    return notFound(argv);
  }
  const exitCode = new Promise<number>((ok) => term.onExit(({ exitCode: code }) => ok(code)));
  return { pid: term.pid, process: execOfPty(term, exitCode) };
}
