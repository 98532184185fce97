/**
 * Typed HTTPS client for skiff's Kubernetes-compatible REST API, used by cli/ and tests.
 * Paths, shapes and headers are Kubernetes' own (shared/reference/kubectl-compat.md §2–§8),
 * so this client also works against a real kube-apiserver.
 */
import * as https from 'node:https';
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import { WebSocket, type RawData } from 'ws';
import type { KubeObject } from '../actors/kinds/types';
import { failure, type FailureStatus, type StatusReason } from '../actors/rejection';
import { readKubeconfig, type Kubeconfig } from './api/kubeconfig';
import { decodeFrame, encodeFrame, exitCodeOf, RC_CHANNEL, resizeMessage, speaks, type ExecStatus } from './api/remote-command';
import type { PodScheduling } from './api/scheduling';

// ---------------------------------------------------------------------------------------------
// Errors

export class ClientError extends Error {
  override readonly name: string = 'ClientError';
}

/** A non-2xx answer; `status` is the server's Status, or one built from the HTTP code as client-go does. */
export class ApiError extends ClientError {
  override readonly name: string = 'ApiError';
  constructor(readonly status: FailureStatus) {
    super(status.message);
  }
  get code(): number {
    return this.status.code;
  }
  get reason(): StatusReason {
    return this.status.reason;
  }
}

/** The server could not be reached (or its certificate could not be verified). */
export class ConnectionError extends ClientError {
  override readonly name: string = 'ConnectionError';
  constructor(readonly server: string, cause: Error) {
    super(connectionMessage(server, cause), { cause });
  }
}

/** No kubeconfig, or one that cannot be read. */
export class KubeconfigError extends ClientError {
  override readonly name: string = 'KubeconfigError';
}

export const errors = { ClientError, ApiError, ConnectionError, KubeconfigError } as const;

export function isNotFound(err: unknown): boolean {
  return err instanceof ApiError && err.code === 404;
}

function connectionMessage(server: string, cause: Error): string {
  const code = (cause as NodeJS.ErrnoException).code ?? '';
  if (/CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS/.test(code)) {
    return `cannot verify the API server at ${server} (${cause.message}); the kubeconfig's certificate authority does not match it — \`skiff up\` rewrites the kubeconfig`;
  }
  return `cannot reach the API server at ${server} (${cause.message}); is the cluster running? Start one with \`skiff up\``;
}

// What client-go says when an error body is not a Status (k8s.io/apimachinery/pkg/api/errors).
const genericErrors: Readonly<Record<number, readonly [StatusReason, string]>> = {
  400: ['BadRequest', 'the server rejected our request for an unknown reason'],
  401: ['Unauthorized', 'the server has asked for the client to provide credentials'],
  403: ['Forbidden', 'the server does not allow access to the requested resource'],
  404: ['NotFound', 'the server could not find the requested resource'],
  405: ['MethodNotAllowed', 'the server does not allow this method on the requested resource'],
  409: ['Conflict', 'the server reported a conflict'],
  410: ['Gone', 'the requested resource is no longer available'],
  415: ['UnsupportedMediaType', 'the server responded with the status code 415 but did not return more information'],
  422: ['Invalid', 'the server rejected our request due to an error in our request'],
  429: ['TooManyRequests', 'the server has received too many requests and has asked us to try again later'],
  503: ['ServiceUnavailable', 'the server is currently unable to handle the request'],
  504: ['Timeout', 'the server was unable to return a response in the time allotted, but may still be processing the request'],
};

/** The ApiError for a non-2xx response body. */
function apiErrorFrom(code: number, body: string): ApiError {
  const parsed = tryParseJson(body);
  if (isRecord(parsed) && parsed.kind === 'Status' && typeof parsed.message === 'string') {
    return new ApiError({ ...(parsed as FailureStatus), code: typeof parsed.code === 'number' ? parsed.code : code });
  }
  const [reason, message] = genericErrors[code] ?? [
    'InternalError',
    `an error on the server (${JSON.stringify(body.trim().slice(0, 200))}) has prevented the request from succeeding`,
  ];
  return new ApiError(failure(code, reason, message));
}

// ---------------------------------------------------------------------------------------------
// Wire shapes

export type ListMeta = { resourceVersion?: string; continue?: string };

export type KubeList<T extends KubeObject = KubeObject> = {
  apiVersion: string;
  kind: string;
  metadata: ListMeta;
  items: T[];
};

export type TableColumn = Readonly<{ name: string; type: string; format: string; description?: string; priority: number }>;
export type TableRow = Readonly<{ cells: readonly unknown[]; object?: { metadata?: KubeObject['metadata'] } }>;
export type Table = Readonly<{
  kind: 'Table';
  apiVersion: string;
  metadata: ListMeta;
  /** Sent on lists and on the first watch event only; later watch events may omit it. */
  columnDefinitions?: readonly TableColumn[];
  rows: readonly TableRow[];
}>;

export type WatchEvent<T> =
  | Readonly<{ type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK'; object: T }>
  | Readonly<{ type: 'ERROR'; object: FailureStatus }>;

/** Where a resource lives: enough to build its URLs. */
export type ResourceRef = Readonly<{ group: string; version: string; plural: string; namespaced: boolean }>;

/** One resource type from discovery. */
export type ApiResource = ResourceRef &
  Readonly<{
    kind: string;
    singular: string;
    shortNames: readonly string[];
    categories: readonly string[];
    verbs: readonly string[];
    subresources: readonly string[];
  }>;

/** Server, credentials and default namespace: what readKubeconfig() gives. */
export type ClientConfig = Kubeconfig;

type QueryValue = string | number | boolean | undefined;
export type Query = Readonly<Record<string, QueryValue>>;

export type RequestOptions = Readonly<{
  query?: Query;
  /** Strings are sent as is; anything else as JSON. */
  body?: unknown;
  contentType?: string;
  accept?: string;
  signal?: AbortSignal;
}>;

export type RawResponse = Readonly<{ statusCode: number; headers: IncomingHttpHeaders; body: string }>;

export type Scope = Readonly<{
  /** Defaults to the client's namespace; ignored for cluster-scoped resources. */
  namespace?: string;
  /** List or watch across all namespaces (`-A`). */
  allNamespaces?: boolean;
}>;

export type ListOptions = Scope &
  Readonly<{
    labelSelector?: string;
    fieldSelector?: string;
    /** Page size; pages are followed through `continue` until the list is complete. */
    limit?: number;
  }>;

export type WatchOptions = Omit<ListOptions, 'limit'> &
  Readonly<{
    /** Watch one object: adds `metadata.name=<name>` to the field selector. */
    name?: string;
    /** Only changes after this version; unset → synthetic ADDED for what exists, then changes. */
    resourceVersion?: string;
    allowWatchBookmarks?: boolean;
    timeoutSeconds?: number;
    /** Aborting ends the iteration quietly, like `break`. */
    signal?: AbortSignal;
  }>;

export const PatchType = {
  json: 'application/json-patch+json',
  merge: 'application/merge-patch+json',
  strategic: 'application/strategic-merge-patch+json',
  apply: 'application/apply-patch+yaml',
} as const;
export type PatchType = keyof typeof PatchType;

/** pods/log's query (PodLogOptions), the way kubectl logs sends it. */
export type LogOptions = Scope &
  Readonly<{
    container?: string;
    follow?: boolean;
    previous?: boolean;
    tailLines?: number;
    limitBytes?: number;
    sinceSeconds?: number;
    timestamps?: boolean;
    /** Aborting ends the iteration quietly, like `break`. */
    signal?: AbortSignal;
  }>;

/** pods/exec's query (PodExecOptions). With `tty`, stderr is merged into stdout by the terminal. */
export type ExecOptions = Scope &
  Readonly<{
    container?: string;
    command: readonly string[];
    stdin?: boolean;
    stdout?: boolean;
    stderr?: boolean;
    tty?: boolean;
  }>;

/** Where an exec's output goes, as it arrives. */
export type ExecOutput = Readonly<{ stdout: (data: Buffer) => void; stderr: (data: Buffer) => void }>;

/** A running remote command (kubectl-compat §12). */
export type ExecConnection = Readonly<{
  /** The negotiated subprotocol, e.g. `v5.channel.k8s.io`. */
  protocol: string;
  /** Stdin bytes; resolves once handed to the connection. */
  write(data: Uint8Array): Promise<void>;
  /** Stdin is at its end (v5's close signal; nothing to say in older protocols). */
  closeStdin(): void;
  resize(cols: number, rows: number): void;
  close(): void;
  /**
   * The remote command's exit code. Rejects with ApiError for any other failure the server
   * reports, ClientError when the connection ends without a status.
   */
  exitCode: Promise<number>;
}>;

/** One forwarded TCP connection to a pod's port (pods/portforward, kubectl-compat §13.3). */
export type PortForwardConnection = Readonly<{
  /** Bytes to the pod's port; resolves once handed to the connection. */
  write(data: Uint8Array): Promise<void>;
  /** After `output` returned false: take more of what the pod sends. */
  resume(): void;
  close(): void;
  /** The end: undefined when the connection just ended, else the server's error text (the port's error channel). */
  ended: Promise<string | undefined>;
}>;

export type WriteOptions = Readonly<{ namespace?: string; fieldManager?: string; dryRun?: boolean }>;
export type PatchOptions = WriteOptions & Readonly<{ force?: boolean; subresource?: string }>;
export type DeleteOptions = Readonly<{
  namespace?: string;
  propagationPolicy?: 'Background' | 'Foreground' | 'Orphan';
  gracePeriodSeconds?: number;
}>;

const JSON_ACCEPT = 'application/json';
// kubectl's own header (§2.4): Table v1, then v1beta1, then plain JSON.
const TABLE_ACCEPT = 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json';
const DEFAULT_PAGE_SIZE = 500;
const PODS: ResourceRef = { group: '', version: 'v1', plural: 'pods', namespaced: true };
/** What pods/portforward speaks (the kubelet's handleWebSocketStreams). */
const PORT_FORWARD_PROTOCOLS = ['v4.channel.k8s.io', 'channel.k8s.io'];
/** What skiff's exec client offers, best first (v5 has the stdin close signal). */
const EXEC_PROTOCOLS = ['v5.channel.k8s.io', 'v4.channel.k8s.io'];
const USER_AGENT = `skiff/0.1.0 (${process.platform}/${process.arch})`;

// ---------------------------------------------------------------------------------------------
// Kubeconfig location

/** `--kubeconfig`, else the first entry of `$KUBECONFIG`, else `<$SKIFF_DATA_DIR or ~/.skiff>/kubeconfig`. */
export function kubeconfigPath(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  if (flag) return flag;
  const fromEnv = env.KUBECONFIG?.split(path.delimiter).find((p) => p !== '');
  if (fromEnv) return fromEnv;
  return path.join(env.SKIFF_DATA_DIR || path.join(os.homedir(), '.skiff'), 'kubeconfig');
}

// ---------------------------------------------------------------------------------------------
// The client

export class KubeClient {
  readonly server: string;
  readonly namespace: string;
  private readonly agent: https.Agent;
  private readonly token?: string;
  private readonly tls: Readonly<{ ca?: string; cert?: string; key?: string; rejectUnauthorized: boolean }>;
  private discovery?: Promise<readonly ApiResource[]>;

  static async fromKubeconfig(opts: Readonly<{ path?: string; namespace?: string; env?: NodeJS.ProcessEnv }> = {}): Promise<KubeClient> {
    const file = kubeconfigPath(opts.path, opts.env);
    try {
      await fs.access(file);
    } catch {
      throw new KubeconfigError(`no kubeconfig at ${file}; start a cluster with \`skiff up\` or pass --kubeconfig`);
    }
    let config: ClientConfig;
    try {
      config = await readKubeconfig(file);
    } catch (err) {
      throw new KubeconfigError(`cannot read kubeconfig ${file}: ${errorMessage(err)}`, { cause: err });
    }
    return new KubeClient({ ...config, namespace: opts.namespace || config.namespace || 'default' });
  }

  constructor(config: ClientConfig) {
    const url = new URL(config.server);
    if (url.protocol !== 'https:') throw new KubeconfigError(`server ${config.server} is not https:// (credentials are only sent over TLS)`);
    this.server = config.server.replace(/\/+$/, '');
    this.namespace = config.namespace || 'default';
    this.token = config.token;
    this.tls = { ca: config.caCertPem, cert: config.clientCertPem, key: config.clientKeyPem, rejectUnauthorized: !config.insecureSkipTlsVerify };
    this.agent = new https.Agent({ keepAlive: true, ...this.tls });
  }

  /** Frees pooled connections; in-flight watches are cut. */
  close(): void {
    this.agent.destroy();
  }

  // ----- discovery

  /** Every resource type the server serves (legacy discovery), core first, preferred versions first. Cached. */
  discover(): Promise<readonly ApiResource[]> {
    this.discovery ??= this.fetchDiscovery().catch((err: unknown) => {
      this.discovery = undefined;
      throw err;
    });
    return this.discovery;
  }

  /** The resource serving `kind` in `apiVersion` (e.g. "apps/v1", "Deployment"), if the server has one. */
  async findKind(apiVersion: string, kind: string): Promise<ApiResource | undefined> {
    const slash = apiVersion.indexOf('/');
    const group = slash < 0 ? '' : apiVersion.slice(0, slash);
    const version = apiVersion.slice(slash + 1);
    return (await this.discover()).find((r) => r.group === group && r.version === version && r.kind === kind);
  }

  private async fetchDiscovery(): Promise<readonly ApiResource[]> {
    const [core, groups] = await Promise.all([
      // A 404 on /api is tolerated (a server without the core group), as client-go does.
      this.json<{ versions?: string[] }>('GET', '/api').catch((err: unknown) => {
        if (isNotFound(err)) return { versions: [] };
        throw err;
      }),
      this.json<APIGroupList>('GET', '/apis'),
    ]);
    const groupVersions = [
      ...(core.versions ?? []).map((version) => ({ group: '', version, path: `/api/${version}` })),
      ...(groups.groups ?? []).flatMap((g) => preferredFirst(g).map((version) => ({ group: g.name, version, path: `/apis/${g.name}/${version}` }))),
    ];
    const lists = await Promise.all(groupVersions.map((gv) => this.json<APIResourceList>('GET', gv.path)));
    return groupVersions.flatMap((gv, i) => resourcesOf(gv.group, gv.version, lists[i].resources ?? []));
  }

  // ----- reads

  /** `scope.subresource`: e.g. `scale` (an autoscaling/v1 Scale). */
  async get<T extends KubeObject = KubeObject>(res: ResourceRef, name: string, scope: Scope & Readonly<{ subresource?: string }> = {}): Promise<T> {
    return this.json<T>('GET', this.pathFor(res, scope, name, scope.subresource));
  }

  /** All pages of a list, items concatenated. Items carry no kind/apiVersion (as Kubernetes sends them). */
  async list<T extends KubeObject = KubeObject>(res: ResourceRef, opts: ListOptions = {}): Promise<KubeList<T>> {
    return this.allPages<KubeList<T>>(res, opts, JSON_ACCEPT, (acc, page) => ({ ...page, items: [...acc.items, ...page.items] }));
  }

  /** Server-side printed rows (`kubectl get` human output): one object by name, or all pages of a list. */
  async table(res: ResourceRef, opts: ListOptions & Readonly<{ name?: string }> = {}): Promise<Table> {
    const table = opts.name
      ? await this.json<Table>('GET', this.pathFor(res, opts, opts.name), { accept: TABLE_ACCEPT })
      : await this.allPages<Table>(res, opts, TABLE_ACCEPT, (acc, page) => ({
          ...page,
          columnDefinitions: acc.columnDefinitions ?? page.columnDefinitions,
          rows: [...acc.rows, ...page.rows],
        }));
    return asTable(table);
  }

  private async allPages<P extends { metadata: ListMeta }>(
    res: ResourceRef,
    opts: ListOptions,
    accept: string,
    merge: (acc: P, page: P) => P,
  ): Promise<P> {
    const path = this.pathFor(res, opts);
    const query = { labelSelector: opts.labelSelector, fieldSelector: opts.fieldSelector, limit: opts.limit ?? DEFAULT_PAGE_SIZE };
    let page = await this.json<P>('GET', path, { query, accept });
    // Later pages are a consistent snapshot at the first page's version: keep that one.
    const resourceVersion = page.metadata?.resourceVersion;
    let acc = page;
    while (page.metadata?.continue) {
      page = await this.json<P>('GET', path, { query: { ...query, continue: page.metadata.continue }, accept });
      acc = merge(acc, page);
    }
    return { ...acc, metadata: { resourceVersion } };
  }

  /** skiff's own read (not Kubernetes'): the scheduler's newest decision about a pod, and where the pod is now. */
  async podScheduling(name: string, namespace: string = this.namespace): Promise<PodScheduling> {
    return this.json<PodScheduling>('GET', `/skiff/v1/namespaces/${encodeURIComponent(namespace)}/pods/${encodeURIComponent(name)}/scheduling`);
  }

  // ----- writes

  async create<T extends KubeObject = KubeObject>(res: ResourceRef, obj: KubeObject, opts: WriteOptions = {}): Promise<T> {
    return this.json<T>('POST', this.pathFor(res, { namespace: opts.namespace ?? obj.metadata.namespace }), {
      query: writeQuery(opts),
      body: obj,
      contentType: JSON_ACCEPT,
    });
  }

  async replace<T extends KubeObject = KubeObject>(res: ResourceRef, obj: KubeObject, opts: WriteOptions & Readonly<{ subresource?: string }> = {}): Promise<T> {
    const name = obj.metadata.name;
    if (!name) throw new ClientError('replace needs metadata.name');
    return this.json<T>('PUT', this.pathFor(res, { namespace: opts.namespace ?? obj.metadata.namespace }, name, opts.subresource), {
      query: writeQuery(opts),
      body: obj,
      contentType: JSON_ACCEPT,
    });
  }

  /** `apply` is server-side apply: the body is the full intended object, sent as JSON (YAML ⊇ JSON). */
  async patch<T extends KubeObject = KubeObject>(res: ResourceRef, name: string, type: PatchType, body: unknown, opts: PatchOptions = {}): Promise<T> {
    return this.json<T>('PATCH', this.pathFor(res, opts, name, opts.subresource), {
      query: { ...writeQuery(opts), force: opts.force },
      body,
      contentType: PatchType[type],
    });
  }

  /** Answers the object (graceful or finalizer-blocked deletion) or a Success Status. */
  async delete(res: ResourceRef, name: string, opts: DeleteOptions = {}): Promise<KubeObject> {
    return this.json<KubeObject>('DELETE', this.pathFor(res, opts, name), {
      body: { kind: 'DeleteOptions', apiVersion: 'v1', propagationPolicy: opts.propagationPolicy ?? 'Background', gracePeriodSeconds: opts.gracePeriodSeconds },
      contentType: JSON_ACCEPT,
    });
  }

  // ----- watch

  /** Change events as they arrive; stop with `break` or `opts.signal`. A failed request throws ApiError on the first `next()`. */
  watch<T extends KubeObject = KubeObject>(res: ResourceRef, opts: WatchOptions = {}): AsyncGenerator<WatchEvent<T>> {
    return this.events<T>(res, opts, JSON_ACCEPT);
  }

  /** Like `watch`, each event's object a one-row Table (`kubectl get -w`). */
  watchTable(res: ResourceRef, opts: WatchOptions = {}): AsyncGenerator<WatchEvent<Table>> {
    return this.events<Table>(res, opts, TABLE_ACCEPT);
  }

  private async *events<T>(res: ResourceRef, opts: WatchOptions, accept: string): AsyncGenerator<WatchEvent<T>> {
    const fieldSelector = [opts.name && `metadata.name=${opts.name}`, opts.fieldSelector].filter(Boolean).join(',') || undefined;
    const query: Query = {
      watch: true,
      resourceVersion: opts.resourceVersion,
      labelSelector: opts.labelSelector,
      fieldSelector,
      allowWatchBookmarks: opts.allowWatchBookmarks,
      timeoutSeconds: opts.timeoutSeconds,
    };
    for await (const line of parseJsonLines(this.chunks(this.pathFor(res, opts), query, accept, 'watch stream', opts.signal))) yield toWatchEvent<T>(line);
  }

  // ----- pods: log and exec

  /** A container's log (`kubectl logs`), as chunks of bytes as they arrive; with `follow`, until the container ends or `signal` aborts. */
  logs(name: string, opts: LogOptions = {}): AsyncGenerator<Buffer> {
    const query: Query = {
      container: opts.container,
      follow: opts.follow || undefined,
      previous: opts.previous || undefined,
      tailLines: opts.tailLines,
      limitBytes: opts.limitBytes,
      sinceSeconds: opts.sinceSeconds,
      timestamps: opts.timestamps || undefined,
    };
    return this.chunks(this.pathFor(PODS, opts, name, 'log'), query, '*/*', 'log stream', opts.signal);
  }

  /**
   * Runs a command in a pod's container over a WebSocket (`kubectl exec`). Resolves once the
   * connection is up; a refusal before that (no such pod, container not running) is an ApiError.
   */
  async exec(name: string, opts: ExecOptions, output: ExecOutput): Promise<ExecConnection> {
    const params = new URLSearchParams();
    for (const arg of opts.command) params.append('command', arg);
    if (opts.container) params.set('container', opts.container);
    for (const flag of ['stdin', 'stdout', 'stderr', 'tty'] as const) if (opts[flag]) params.set(flag, 'true');
    const ws = this.webSocket(this.pathFor(PODS, opts, name, 'exec'), params, EXEC_PROTOCOLS);
    let status: ExecStatus | undefined;
    ws.on('message', (data: RawData) => {
      const frame = decodeFrame(Buffer.isBuffer(data) ? data : Buffer.from(data as ArrayBuffer));
      if (frame?.channel === RC_CHANNEL.stdout) output.stdout(frame.data);
      else if (frame?.channel === RC_CHANNEL.stderr) output.stderr(frame.data);
      else if (frame?.channel === RC_CHANNEL.status) status = statusOf(ws.protocol, frame.data);
    });
    const exitCode = new Promise<number>((ok, fail) => {
      ws.once('close', () => {
        if (!status) return fail(new ClientError(`the exec connection to ${this.server} closed before the command's status came`));
        const code = exitCodeOf(status);
        if (code !== undefined) return ok(code);
        fail(new ApiError(failure(status.code ?? 500, (status.reason ?? 'InternalError') as StatusReason, status.message ?? 'the command failed')));
      });
    });
    exitCode.catch(() => undefined); // the caller may never ask
    await this.opened(ws);
    const send = sendOn(ws);
    return {
      protocol: ws.protocol,
      write: (data) => send(encodeFrame(RC_CHANNEL.stdin, data)),
      closeStdin: () => void (speaks(ws.protocol).closeChannel ? send(encodeFrame(RC_CHANNEL.close, Uint8Array.of(RC_CHANNEL.stdin))) : undefined),
      resize: (cols, rows) => void send(resizeMessage(cols, rows)),
      close: () => ws.close(1000),
      exitCode,
    };
  }

  /**
   * One TCP connection to `port` of a pod (`kubectl port-forward`), over a WebSocket to
   * pods/portforward. What the pod sends goes to `output` as it comes; when `output` returns false
   * nothing more comes until `resume()`. Resolves once the connection is up; a refusal before that
   * (no such pod, not running) is an ApiError; a port nobody listens on is `ended`'s text.
   */
  async portForward(name: string, port: number, opts: Scope, output: (data: Buffer) => boolean): Promise<PortForwardConnection> {
    const ws = this.webSocket(this.pathFor(PODS, opts, name, 'portforward'), new URLSearchParams({ ports: String(port) }), PORT_FORWARD_PROTOCOLS);
    // Each channel starts with the port (2 bytes, little-endian); then data on 0, error text on 1.
    const preamble = [2, 2];
    let error = '';
    ws.on('message', (data: RawData) => {
      const frame = decodeFrame(Buffer.isBuffer(data) ? data : Buffer.from(data as ArrayBuffer));
      if (!frame || frame.channel > 1) return;
      const skip = Math.min(preamble[frame.channel], frame.data.length);
      preamble[frame.channel] -= skip;
      const body = frame.data.subarray(skip);
      if (body.length === 0) return;
      if (frame.channel === 1) error += body.toString('utf8');
      else if (!output(body)) ws.pause();
    });
    const ended = new Promise<string | undefined>((ok) => ws.once('close', () => ok(error || undefined)));
    await this.opened(ws);
    const send = sendOn(ws);
    return {
      write: (data) => send(encodeFrame(0, data)),
      resume: () => ws.resume(),
      close: () => ws.close(1000),
      ended,
    };
  }

  private webSocket(path: string, params: URLSearchParams, protocols: string[]): WebSocket {
    const url = `${this.server.replace(/^https:/, 'wss:')}${path}?${params}`;
    return new WebSocket(url, protocols, {
      ...this.tls, perMessageDeflate: false,
      headers: { 'User-Agent': USER_AGENT, ...(this.token ? { Authorization: `Bearer ${this.token}` } : {}) },
    });
  }

  /** Resolves once the WebSocket is up; a refused upgrade is the server's ApiError. */
  private opened(ws: WebSocket): Promise<void> {
    return new Promise<void>((ok, fail) => {
      ws.once('open', () => ok());
      ws.on('unexpected-response', (_req, res) => void readText(res).then((body) => fail(apiErrorFrom(res.statusCode ?? 0, body)), fail));
      ws.on('error', (err: Error) => fail(new ConnectionError(this.server, err)));
    });
  }

  /** A GET whose answer is read as it comes; a failed request throws ApiError on the first `next()`; aborting `signal` ends it quietly. */
  private async *chunks(path: string, query: Query, accept: string, what: string, signal?: AbortSignal): AsyncGenerator<Buffer> {
    let response: IncomingMessage;
    try {
      response = await this.open('GET', path, { query, accept, signal });
    } catch (err) {
      if (signal?.aborted) return;
      throw err;
    }
    try {
      if (!isSuccess(response)) throw apiErrorFrom(response.statusCode ?? 0, await readText(response));
      for await (const chunk of response) yield chunk as Buffer;
    } catch (err) {
      if (signal?.aborted) return;
      if (err instanceof ClientError) throw err;
      throw new ClientError(`${what} from ${this.server} broke: ${errorMessage(err)}`, { cause: err });
    } finally {
      // Runs on break/return too: an unfinished chunked response cannot go back to the pool.
      response.destroy();
    }
  }

  // ----- raw

  /** Any request; non-2xx → ApiError, unreachable server → ConnectionError. */
  async request(method: string, path: string, opts: RequestOptions = {}): Promise<RawResponse> {
    const response = await this.open(method, path, opts);
    const body = await readText(response);
    if (!isSuccess(response)) throw apiErrorFrom(response.statusCode ?? 0, body);
    return { statusCode: response.statusCode ?? 0, headers: response.headers, body };
  }

  private async json<T>(method: string, path: string, opts: RequestOptions = {}): Promise<T> {
    const { body } = await this.request(method, path, { accept: JSON_ACCEPT, ...opts });
    try {
      return JSON.parse(body) as T;
    } catch (err) {
      throw new ClientError(`${method} ${path}: the server answered with invalid JSON`, { cause: err });
    }
  }

  private open(method: string, path: string, opts: RequestOptions): Promise<IncomingMessage> {
    const url = new URL(this.server + path + queryString(opts.query ?? {}));
    const payload = opts.body === undefined ? undefined : typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body);
    const headers: Record<string, string> = { Accept: opts.accept ?? JSON_ACCEPT, 'User-Agent': USER_AGENT };
    if (this.token) headers.Authorization = `Bearer ${this.token}`;
    if (payload !== undefined) {
      headers['Content-Type'] = opts.contentType ?? JSON_ACCEPT;
      headers['Content-Length'] = String(Buffer.byteLength(payload));
    }
    return new Promise((resolve, reject) => {
      const req = https.request(url, { method, agent: this.agent, headers, signal: opts.signal }, resolve);
      req.on('error', (err) => reject(opts.signal?.aborted ? err : new ConnectionError(this.server, err)));
      req.end(payload);
    });
  }

  private pathFor(res: ResourceRef, scope: Scope, name?: string, subresource?: string): string {
    const base = res.group ? `/apis/${res.group}/${res.version}` : `/api/${res.version}`;
    const ns = res.namespaced && !scope.allNamespaces ? `/namespaces/${encodeURIComponent(scope.namespace ?? this.namespace)}` : '';
    const item = name === undefined ? '' : `/${encodeURIComponent(name)}${subresource ? `/${subresource}` : ''}`;
    return `${base}${ns}/${res.plural}${item}`;
  }
}

// ---------------------------------------------------------------------------------------------
// Helpers (pure; exported ones are tested directly)

/** Newline-delimited JSON from a byte stream; lines may be split anywhere across chunks, even inside a UTF-8 character. */
export async function* parseJsonLines(chunks: AsyncIterable<Uint8Array | string>): AsyncGenerator<unknown> {
  const decoder = new StringDecoder('utf8');
  let buffered = '';
  for await (const chunk of chunks) {
    buffered += typeof chunk === 'string' ? chunk : decoder.write(Buffer.from(chunk));
    let newline: number;
    while ((newline = buffered.indexOf('\n')) >= 0) {
      const line = buffered.slice(0, newline).trim();
      buffered = buffered.slice(newline + 1);
      if (line) yield parseLine(line);
    }
  }
  const rest = (buffered + decoder.end()).trim();
  if (rest) yield parseLine(rest);
}

function parseLine(line: string): unknown {
  try {
    return JSON.parse(line);
  } catch (err) {
    throw new ClientError(`malformed watch event: ${line.slice(0, 200)}`, { cause: err });
  }
}

const WATCH_TYPES = new Set(['ADDED', 'MODIFIED', 'DELETED', 'BOOKMARK', 'ERROR']);

function toWatchEvent<T>(value: unknown): WatchEvent<T> {
  if (isRecord(value) && typeof value.type === 'string' && WATCH_TYPES.has(value.type) && isRecord(value.object)) {
    return value as WatchEvent<T>;
  }
  throw new ClientError(`malformed watch event: ${JSON.stringify(value).slice(0, 200)}`);
}

function sendOn(ws: WebSocket): (frame: Buffer) => Promise<void> {
  return (frame) => new Promise<void>((ok) => (ws.readyState === WebSocket.OPEN ? ws.send(frame, () => ok()) : ok()));
}

/** The status channel's message: JSON from v4 on; before, a failure's text (and nothing for success). */
function statusOf(protocol: string, data: Buffer): ExecStatus {
  const text = data.toString('utf8');
  if (!speaks(protocol).jsonStatus) return { metadata: {}, status: 'Failure', message: text, reason: 'InternalError' };
  try {
    return JSON.parse(text) as ExecStatus;
  } catch {
    return { metadata: {}, status: 'Failure', message: `an undecodable exec status: ${text.slice(0, 200)}`, reason: 'InternalError' };
  }
}

function asTable(value: Table): Table {
  if (value.kind !== 'Table' || !Array.isArray(value.rows)) {
    throw new ClientError(`the server answered a Table request with kind ${JSON.stringify(value.kind)}`);
  }
  return value;
}

type APIGroupList = {
  groups?: { name: string; versions: { groupVersion: string; version: string }[]; preferredVersion?: { version: string } }[];
};
type APIResourceList = {
  resources?: {
    name: string;
    singularName?: string;
    namespaced: boolean;
    kind: string;
    verbs?: string[];
    shortNames?: string[];
    categories?: string[];
  }[];
};

function preferredFirst(group: NonNullable<APIGroupList['groups']>[number]): string[] {
  const preferred = group.preferredVersion?.version;
  const versions = group.versions.map((v) => v.version);
  return preferred ? [preferred, ...versions.filter((v) => v !== preferred)] : versions;
}

/** Folds "deployments/scale"-style entries into their parent's `subresources`. */
function resourcesOf(group: string, version: string, entries: NonNullable<APIResourceList['resources']>): ApiResource[] {
  const subresources = new Map<string, string[]>();
  for (const e of entries) {
    const [parent, sub] = e.name.split('/');
    if (sub) subresources.set(parent, [...(subresources.get(parent) ?? []), sub]);
  }
  return entries
    .filter((e) => !e.name.includes('/'))
    .map((e) => ({
      group,
      version,
      plural: e.name,
      namespaced: e.namespaced,
      kind: e.kind,
      singular: e.singularName || e.kind.toLowerCase(),
      shortNames: e.shortNames ?? [],
      categories: e.categories ?? [],
      verbs: e.verbs ?? [],
      subresources: subresources.get(e.name) ?? [],
    }));
}

function writeQuery(opts: WriteOptions): Query {
  return { fieldManager: opts.fieldManager, dryRun: opts.dryRun ? 'All' : undefined };
}

function queryString(query: Query): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) if (value !== undefined) params.set(key, String(value));
  const text = params.toString();
  return text ? `?${text}` : '';
}

function isSuccess(response: IncomingMessage): boolean {
  const code = response.statusCode ?? 0;
  return code >= 200 && code < 300;
}

async function readText(stream: AsyncIterable<Buffer | string>): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks).toString('utf8');
}

function tryParseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
