import { createServer, type Server } from 'node:https';
import { ServerResponse, type IncomingMessage } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { EventLog } from '../../eventlog/jetstream-log';
import { natsWire } from '../../eventlog/streams/link';
import { DEFAULT_PACING, type Pacing } from '../../eventlog/streams/protocol';
import { reject } from '../../actors/rejection';
import type { ObjectsProjection } from '../../projections/objects.projection';
import type { SecretBox } from '../secret-box';
import { forbidden, type Authenticator, type Authorizer, type ResourceAttributes } from './auth';
import { CommandBus } from '../../actors/kernel/command-bus';
import {
  AGGREGATED_V2, aggregatedCore, aggregatedGroups, legacyCore, legacyGroup, legacyGroups, openapiDoc, openapiIndex, resourceList,
} from './discovery';
import { sendError, sendJson, wantsAggregatedDiscovery } from './http';
import { routeOf, type Route } from './paths';
import { servePodExec } from './pod-exec';
import { servePodPortForward } from './pod-portforward';
import { servePodLog } from './pod-log';
import { isPodStream, refuseUnsupported, type PodStreamDeps, type Upgrade } from './pod-streams';
import { serveReview } from './reviews';
import { serveResource } from './resources';
import { podWebSockets } from './websocket';
import { servePodScheduling } from './scheduling';
import type { WatchDeps } from './watch';

export const SERVER_VERSION = {
  major: '1',
  // kubectl's dispatcher runs the kubectl whose minor matches this (kubectl-compat §1).
  minor: '32',
  gitVersion: 'v1.32.0-skiff.0.1.0',
  gitCommit: '0000000000000000000000000000000000000000',
  gitTreeState: 'clean',
  buildDate: '2026-11-27T00:00:00Z',
  goVersion: 'go1.23.4',
  compiler: 'gc',
  platform: 'linux/amd64',
};

export type ApiServerConfig = Readonly<{
  log: EventLog;
  projection: ObjectsProjection;
  secrets: SecretBox;
  authenticator: Authenticator;
  authorizer: Authorizer;
  tls: { certPem: string; keyPem: string; caPem: string };
  host?: string;
  port: number;
  commandTimeoutMs?: number;
  /** How often a watch that allows bookmarks gets one (the JS client gives up on a watch silent for 30 s). */
  bookmarkIntervalMs?: number;
  /** Flow control and liveness of log and exec streams to node agents (tests shorten them). */
  streamPacing?: Partial<Pacing>;
}>;

export type ApiServer = Readonly<{ port: number; server: Server; close: () => Promise<void> }>;

const OPENAPI_HASH = 'skiff-v1';

/** The Kubernetes-compatible HTTPS API: authn → route → authz → handler; every failure is a Status. */
export async function startApiServer(config: ApiServerConfig): Promise<ApiServer> {
  const bus = new CommandBus(config.log, config.commandTimeoutMs);
  const deps: Deps = {
    bus, projection: config.projection, secrets: config.secrets, log: config.log,
    readYourWritesMs: 10_000, bookmarkIntervalMs: config.bookmarkIntervalMs ?? 10_000, now: () => Date.now(),
    wire: natsWire(config.log.nc), pacing: { ...DEFAULT_PACING, ...config.streamPacing }, webSockets: podWebSockets(),
  };
  const server = createServer(
    { cert: config.tls.certPem, key: config.tls.keyPem, ca: config.tls.caPem, requestCert: true, rejectUnauthorized: false },
    (req, res) => {
      handle(req, res, config, deps).catch((err) => sendError(res, err));
    },
  );
  // HTTP/1.1 upgrades (exec's WebSocket, kubectl's SPDY fallback) go through the same authentication,
  // routing and authorization; until a handler takes the socket over, answers are ordinary responses on it.
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const res = responseOn(req, socket);
    handle(req, res, config, deps, { socket, head }).catch((err) => sendError(res, err));
  });
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(config.port, config.host ?? '127.0.0.1', () => ok());
  });
  const sockets = new Set<import('node:net').Socket>();
  server.on('secureConnection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  return {
    port: (server.address() as AddressInfo).port,
    server,
    close: async () => {
      bus.close();
      const closed = new Promise<void>((ok) => server.close(() => ok()));
      for (const s of sockets) s.destroy();
      await closed;
    },
  };
}

type Deps = WatchDeps & PodStreamDeps & Readonly<{ webSockets: ReturnType<typeof podWebSockets> }>;

/** A response written straight onto an upgrade request's socket, which closes once it is sent. */
function responseOn(req: IncomingMessage, socket: Duplex): ServerResponse {
  const res = new ServerResponse(req);
  res.shouldKeepAlive = false;
  res.assignSocket(socket as Socket);
  res.on('finish', () => socket.end());
  return res;
}

async function handle(req: IncomingMessage, res: ServerResponse, config: ApiServerConfig, deps: Deps, upgrade?: Upgrade): Promise<void> {
  const url = new URL(req.url ?? '/', 'https://skiff.local');
  const user = config.authenticator.authenticate(req);
  if (!user) {
    sendJson(res, 401, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'Unauthorized', reason: 'Unauthorized', code: 401 });
    return;
  }
  const route = routeOf(url.pathname);
  const podStream = route.kind === 'resource' && route.name !== undefined && isPodStream(route.type.kind, route.subresource);
  // An upgrade request has no body to read: only the streaming subresources take one.
  if (upgrade && !podStream) throw reject.badRequest(`${url.pathname} cannot be upgraded; only pods/exec and pods/portforward can (WebSocket)`);
  if (route.kind === 'review') {
    // Asking about oneself needs no permission, as upstream; the review consults the authorizer itself.
    await serveReview({ req, res, type: route.type, user, authorizer: config.authorizer, nowMs: deps.now() });
    return;
  }
  if (route.kind === 'resource') {
    const attrs = attributesOf(req, url, route);
    const decision = config.authorizer.authorize(user, attrs);
    if (!decision.allowed) throw forbidden(user, attrs, decision);
    if (podStream) {
      await servePodStream({ req, res, url, namespace: route.namespace ?? 'default', name: route.name as string, upgrade }, route.subresource, deps);
      return;
    }
    await serveResource({ req, res, url, type: route.type, namespace: route.namespace, name: route.name, subresource: route.subresource, user: user.username }, deps);
    return;
  }
  if (route.kind === 'pod-scheduling') {
    if (req.method !== 'GET') throw reject.methodNotAllowed(`${req.method} is not supported on ${url.pathname}`);
    // Reading a pod's scheduling story is reading the pod (a subresource, for authorizers that tell them apart).
    const attrs: ResourceAttributes = { verb: 'get', group: '', resource: 'pods', subresource: 'scheduling', namespace: route.namespace, name: route.name };
    const decision = config.authorizer.authorize(user, attrs);
    if (!decision.allowed) throw forbidden(user, attrs, decision);
    await servePodScheduling(res, route.namespace, route.name, deps);
    return;
  }
  if (route.kind === 'not-found' || route.kind === 'unknown-resource') throw reject.notFoundPath();
  if (req.method !== 'GET') throw reject.methodNotAllowed(`${req.method} is not supported on ${url.pathname}`);
  serveStatic(req, res, route, config);
}

function serveStatic(req: IncomingMessage, res: ServerResponse, route: Route, config: ApiServerConfig): void {
  const aggregated = wantsAggregatedDiscovery(req);
  switch (route.kind) {
    case 'version':
      return sendJson(res, 200, SERVER_VERSION);
    case 'health':
      res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-cache, private' });
      res.end('ok');
      return;
    case 'discovery-core':
      return aggregated ? sendJson(res, 200, aggregatedCore(), AGGREGATED_V2) : sendJson(res, 200, legacyCore(`127.0.0.1:${config.port}`));
    case 'discovery-groups':
      return aggregated ? sendJson(res, 200, aggregatedGroups(), AGGREGATED_V2) : sendJson(res, 200, legacyGroups());
    case 'discovery-group': {
      const group = legacyGroup(route.group);
      if (!group) throw reject.notFoundPath();
      return sendJson(res, 200, group);
    }
    case 'discovery-resources': {
      const list = resourceList(route.group, route.version);
      if (!list) throw reject.notFoundPath();
      return sendJson(res, 200, list);
    }
    case 'openapi-index':
      return sendJson(res, 200, openapiIndex(OPENAPI_HASH));
    case 'openapi-doc': {
      const doc = openapiDoc(route.group, route.version);
      if (!doc) throw reject.notFoundPath();
      return sendJson(res, 200, doc);
    }
    case 'unknown-resource':
    case 'not-found':
    case 'resource':
    case 'review':
    case 'pod-scheduling':
      throw reject.notFoundPath();
    default: {
      const never: never = route;
      throw never;
    }
  }
}


function servePodStream(r: Parameters<typeof servePodLog>[0], subresource: string | undefined, deps: Deps): Promise<void> {
  switch (subresource) {
    case 'log':
      return servePodLog(r, deps);
    case 'exec':
      return servePodExec(r, deps, deps.webSockets);
    case 'portforward':
      return servePodPortForward(r, deps, deps.webSockets);
    case 'attach':
      return refuseUnsupported(subresource);
    default:
      throw reject.notFoundPath();
  }
}

/** Connecting to a pod (exec, attach, port-forward) is `create` on the subresource, whatever the method (GET for WebSocket, POST for SPDY). */
const CONNECT_SUBRESOURCES = new Set(['exec', 'attach', 'portforward']);

function attributesOf(req: IncomingMessage, url: URL, route: Extract<Route, { kind: 'resource' }>): ResourceAttributes {
  const method = req.method ?? 'GET';
  const collection = route.name === undefined;
  const watch = url.searchParams.get('watch') === 'true' || url.searchParams.get('watch') === '1';
  const verb =
    route.type.kind === 'Pod' && CONNECT_SUBRESOURCES.has(route.subresource ?? '') ? 'create'
    : method === 'GET' ? (collection ? (watch ? 'watch' : 'list') : 'get')
    : method === 'POST' ? 'create'
    : method === 'PUT' ? 'update'
    : method === 'PATCH' ? 'patch'
    : method === 'DELETE' ? (collection ? 'deletecollection' : 'delete')
    : method.toLowerCase();
  return {
    verb, group: route.type.group, resource: route.type.plural,
    ...(route.subresource ? { subresource: route.subresource } : {}),
    ...(route.namespace ? { namespace: route.namespace } : {}),
    ...(route.name ? { name: route.name } : {}),
  };
}
