import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type * as K from '@kubernetes/client-node';

/*
 * @kubernetes/client-node 2.x, driven from jest.
 *
 * client-node 2.x is ESM-only ("type": "module"). jest (CommonJS via ts-jest) on Node 20 can load it
 * neither way: its own module loader refuses `require` of ESM (it defers to Node only from Node
 * 24.9), and a real `import()` inside its vm sandbox needs --experimental-vm-modules. So the client
 * runs in a child `node --import tsx` process (client-node-child.ts) exactly as a user's program
 * would run it, and this side calls it over the IPC channel. What crosses is JSON, with three
 * extensions: Dates (client-node turns timestamps into Date objects; they come back as Dates),
 * `undefined` in argument lists (client-node's positional parameters tell "not given" from null),
 * and Refs, which name client-node values that cannot cross (PatchStrategy, setHeaderOptions).
 */

export type ApiName = 'CoreV1Api' | 'AppsV1Api' | 'KubernetesObjectApi';
type Apis = { CoreV1Api: K.CoreV1Api; AppsV1Api: K.AppsV1Api; KubernetesObjectApi: K.KubernetesObjectApi };

/** A client-node value built in the child from its name. */
export type Ref =
  | Readonly<{ $patchStrategy: keyof typeof K.PatchStrategy }>
  | Readonly<{ $setHeaderOptions: readonly [string, string | Ref] }>;

/** `PatchStrategy.X` of client-node, as an argument. */
export const patchStrategy = (name: keyof typeof K.PatchStrategy): Ref => ({ $patchStrategy: name });
/** `setHeaderOptions(key, value)` of client-node: the per-call options that pick a patch Content-Type. */
export const setHeaderOptions = (key: string, value: string | Ref): Ref => ({ $setHeaderOptions: [key, value] });

/** Every async method of a client-node API class, called in the child; any argument may be a Ref. */
export type Remote<T> = {
  [M in keyof T as T[M] extends (...args: never[]) => Promise<unknown> ? M : never]: T[M] extends (...args: infer A) => Promise<infer R>
    ? (...args: { [I in keyof A]: A[I] | Ref }) => Promise<R>
    : never;
};

/** What the child reports of an error it caught (an ApiException, a Watch error, …). */
export type ErrorInfo = Readonly<{
  name: string;
  message: string;
  /** True when it was an instance of client-node's ApiException. */
  apiException: boolean;
  /** ApiException: the HTTP status. */
  code?: number;
  /** ApiException: the response body as client-node gives it (the raw text). */
  body?: unknown;
  headers?: Record<string, string>;
  /** Watch errors: the HTTP status of a non-200 answer. */
  statusCode?: number;
}>;

/** An error thrown by client-node in the child, rebuilt here with the same fields. */
export class ClientNodeError extends Error {
  readonly info: ErrorInfo;
  readonly code?: number;
  readonly body?: unknown;
  /** `callSite`: the stack of the call on this side, so that a failure points at the test line, not the IPC handler. */
  constructor(info: ErrorInfo, callSite?: string) {
    super(info.message);
    this.name = info.name;
    this.info = info;
    this.code = info.code;
    this.body = info.body;
    if (callSite) this.stack = `${info.name}: ${info.message}\n${callSite.split('\n').slice(1).join('\n')}`;
  }
}

export type WatchEvent = Readonly<{ type: string; object: KubeObjectLike }>;
export type KubeObjectLike = { apiVersion?: string; kind?: string; metadata?: { name?: string; namespace?: string; resourceVersion?: string; [k: string]: unknown }; [k: string]: unknown };

export type RemoteWatch = Readonly<{
  /** Every event so far, in arrival order. */
  events: WatchEvent[];
  /** Resolves when client-node calls `done` (null: the stream ended; else the error). */
  done: Promise<ErrorInfo | null>;
  abort: () => Promise<void>;
}>;

export type InformerVerb = 'add' | 'update' | 'delete' | 'connect' | 'error';
export type InformerEvent = Readonly<{ verb: InformerVerb; object?: KubeObjectLike; error?: ErrorInfo | null }>;

export type RemoteInformer = Readonly<{
  /** Every callback so far, in order. */
  events: InformerEvent[];
  start: () => Promise<void>;
  stop: () => Promise<void>;
  /** The informer's cache (`list()`), as names. */
  cachedNames: () => Promise<string[]>;
  /** The resourceVersion it would watch from next (`latestResourceVersion()`). */
  resourceVersion: () => Promise<string>;
}>;

export type PodTarget = Readonly<{ namespace: string; pod: string; container: string }>;
export type ExecResult = Readonly<{ stdout: string; stderr: string; status?: Record<string, unknown> }>;

/** A call of a client-node API method in the child: how an informer lists. */
export type ListCall = Readonly<{ api: ApiName; method: string; args: readonly unknown[] }>;

export type ClientNode = Readonly<{
  api: <A extends ApiName>(name: A) => Remote<Apis[A]>;
  watch: (path: string, query: Record<string, string>) => Promise<RemoteWatch>;
  informer: (path: string, list: ListCall, labelSelector?: string) => Promise<RemoteInformer>;
  /** client-node's `loadAllYaml`: the documents of a multi-document YAML file. */
  loadAllYaml: (text: string) => Promise<KubeObjectLike[]>;
  /** client-node's `Exec`, run to its end: what it wrote and the status it called back with (`stdin`: piped in, then ended). */
  exec: (target: PodTarget, command: readonly string[], opts?: Readonly<{ stdin?: string; tty?: boolean }>) => Promise<ExecResult>;
  /** client-node's `Log` without follow: the text it wrote. */
  log: (target: PodTarget, options?: Readonly<Record<string, unknown>>) => Promise<string>;
  stop: () => Promise<void>;
}>;

/* The protocol. Requests carry `args` and replies carry `value` as JSON text in the encoding above. */
export type ChildRequest = Readonly<
  | { id: number; op: 'call'; api: ApiName; method: string; args: string }
  | { id: number; op: 'watch'; handle: number; path: string; query: Record<string, string> }
  | { id: number; op: 'watch-abort'; handle: number }
  | { id: number; op: 'informer'; handle: number; path: string; list: { api: ApiName; method: string; args: string }; labelSelector?: string }
  | { id: number; op: 'informer-start' | 'informer-stop' | 'informer-list' | 'informer-rv'; handle: number }
  | { id: number; op: 'loadAllYaml'; text: string }
  | { id: number; op: 'exec'; target: PodTarget; command: readonly string[]; stdin?: string; tty: boolean }
  | { id: number; op: 'log'; target: PodTarget; options: Readonly<Record<string, unknown>> }
>;
export type ChildMessage = Readonly<
  | { reply: number; ok: true; value?: string }
  | { reply: number; ok: false; error: ErrorInfo }
  | { push: 'watch'; handle: number; type: string; object: string }
  | { push: 'watch-done'; handle: number; error: ErrorInfo | null }
  | { push: 'informer'; handle: number; verb: InformerVerb; object?: string; error?: ErrorInfo | null }
>;

/** JSON with Dates as `{$date}` and undefined as `{$undefined}` (so argument positions survive). */
export function encode(value: unknown): string {
  return JSON.stringify(value, function (this: Record<string, unknown>, key: string, v: unknown) {
    const raw = this[key];
    if (raw instanceof Date) return { $date: Number.isNaN(raw.getTime()) ? null : raw.toISOString() };
    if (v === undefined && key !== '') return { $undefined: true };
    return v;
  });
}

/** The inverse of `encode`; `resolveRef` turns Refs into values (the child does; this side leaves them). */
export function decode(text: string | undefined, resolveRef?: (ref: Ref) => unknown): unknown {
  if (text === undefined) return undefined;
  return JSON.parse(text, (_key, v: unknown) => {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return v;
    const o = v as Record<string, unknown>;
    if ('$date' in o) return new Date(o.$date === null ? Number.NaN : String(o.$date));
    if ('$undefined' in o) return undefined;
    if (resolveRef && ('$patchStrategy' in o || '$setHeaderOptions' in o)) return resolveRef(o as Ref);
    return v;
  });
}

/** Starts client-node in a child process with the kubeconfig at `kubeconfigPath`. */
export async function startClientNode(kubeconfigPath: string): Promise<ClientNode> {
  const repo = join(__dirname, '..', '..');
  const child: ChildProcess = fork(join(__dirname, 'client-node-child.ts'), [kubeconfigPath], {
    cwd: repo,
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  let output = '';
  child.stdout?.on('data', (c: Buffer) => (output = (output + c.toString('utf8')).slice(-4000)));
  child.stderr?.on('data', (c: Buffer) => (output = (output + c.toString('utf8')).slice(-4000)));

  let nextId = 1;
  // Handles are chosen here and registered before the child is asked, so no early event finds no one.
  let nextHandle = 1;
  const pending = new Map<number, { ok: (v: string | undefined) => void; fail: (e: Error) => void; callSite?: string }>();
  const watches = new Map<number, { events: WatchEvent[]; done: (e: ErrorInfo | null) => void }>();
  const informers = new Map<number, InformerEvent[]>();
  let exited: Error | undefined;

  child.on('message', (raw) => {
    const m = raw as ChildMessage;
    if ('reply' in m) {
      const p = pending.get(m.reply);
      pending.delete(m.reply);
      if (m.ok) p?.ok(m.value);
      else p?.fail(new ClientNodeError(m.error, p.callSite));
    } else if (m.push === 'watch') {
      watches.get(m.handle)?.events.push({ type: m.type, object: decode(m.object) as KubeObjectLike });
    } else if (m.push === 'watch-done') {
      watches.get(m.handle)?.done(m.error);
    } else {
      informers.get(m.handle)?.push({ verb: m.verb, ...(m.object === undefined ? {} : { object: decode(m.object) as KubeObjectLike }), ...(m.error === undefined ? {} : { error: m.error }) });
    }
  });
  child.on('exit', (code, signal) => {
    exited = new Error(`client-node child exited (${code ?? signal}):\n${output}`);
    for (const p of pending.values()) p.fail(exited);
    pending.clear();
  });

  /** Distributive, so that each member keeps its own fields once `id` is added. */
  type Without<T, Key extends keyof T> = T extends unknown ? Omit<T, Key> : never;
  const request = (req: Without<ChildRequest, 'id'>): Promise<string | undefined> =>
    new Promise((ok, fail) => {
      if (exited) return fail(exited);
      const id = nextId++;
      pending.set(id, { ok, fail, callSite: new Error().stack });
      child.send({ ...req, id } as ChildRequest);
    });

  // The child says nothing until client-node has loaded; a ping proves it did.
  await request({ op: 'loadAllYaml', text: '' });

  const api = <A extends ApiName>(name: A): Remote<Apis[A]> =>
    new Proxy({} as Remote<Apis[A]>, {
      get: (_t, method) =>
        typeof method !== 'string' || method === 'then'
          ? undefined
          : async (...args: unknown[]) => decode(await request({ op: 'call', api: name, method, args: encode(args) })),
    });

  return {
    api,
    watch: async (path, query) => {
      const events: WatchEvent[] = [];
      let done!: (e: ErrorInfo | null) => void;
      const ended = new Promise<ErrorInfo | null>((ok) => (done = ok));
      const handle = nextHandle++;
      watches.set(handle, { events, done });
      await request({ op: 'watch', handle, path, query });
      return { events, done: ended, abort: async () => void (await request({ op: 'watch-abort', handle })) };
    },
    informer: async (path, list, labelSelector) => {
      const handle = nextHandle++;
      const events: InformerEvent[] = [];
      informers.set(handle, events);
      await request({ op: 'informer', handle, path, list: { api: list.api, method: list.method, args: encode(list.args) }, labelSelector });
      return {
        events,
        start: async () => void (await request({ op: 'informer-start', handle })),
        stop: async () => void (await request({ op: 'informer-stop', handle })),
        cachedNames: async () => decode(await request({ op: 'informer-list', handle })) as string[],
        resourceVersion: async () => String(await request({ op: 'informer-rv', handle })),
      };
    },
    loadAllYaml: async (text) => decode(await request({ op: 'loadAllYaml', text })) as KubeObjectLike[],
    exec: async (target, command, opts = {}) => decode(await request({ op: 'exec', target, command, stdin: opts.stdin, tty: opts.tty ?? false })) as ExecResult,
    log: async (target, options = {}) => decode(await request({ op: 'log', target, options })) as string,
    stop: async () => {
      if (exited) return;
      const gone = new Promise<void>((ok) => child.once('exit', () => ok()));
      child.disconnect(); // the child exits once its channel closes
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await gone;
      clearTimeout(timer);
    },
  };
}

/** Polls `check` until it holds or `timeoutMs` passes (then throws, naming `what`). */
export async function eventually(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
