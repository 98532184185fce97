/**
 * `skiff port-forward [pod/|deployment/|replicaset/|service/]NAME [LOCAL:]REMOTE…`: listens on
 * local ports and carries each accepted TCP connection to the pod's port, one WebSocket to
 * pods/portforward per connection (kubectl-compat §13.3), with kubectl's lines. A deployment,
 * replica set or service picks one running pod through its selector, as kubectl does; a service's
 * port maps to its targetPort. Ctrl-C or SIGTERM stops it.
 */
import { createServer, type Server, type Socket } from 'node:net';
import type { KubeObject } from '../../actors/kinds/types';
import type { KubeClient, ResourceRef } from '../../gateways/client';
import { helpFlag, parseArgs } from '../args';
import type { CliContext } from '../context';
import { CliError, formatError } from '../errors';
import { PODS } from './logs';

const flagSpecs = {
  address: { kind: 'string' },
  'pod-running-timeout': { kind: 'string' },
  help: helpFlag,
} as const;

const USAGE = `Usage: skiff port-forward [pod/|deployment/|replicaset/|service/]NAME [LOCAL_PORT:]REMOTE_PORT… [--address ADDR[,ADDR…]] [-n NAMESPACE]

  8080          listen on 8080, forward to the pod's 8080
  9000:80       listen on 9000, forward to 80
  :80           listen on a free port (printed), forward to 80
  --address     local addresses to listen on, comma-separated (default 127.0.0.1; localhost = 127.0.0.1 and ::1)

Each local connection is one TCP connection to the pod's port, made inside the pod (its loopback).
`;

export type PortSpec = Readonly<{ local: number; remote: string }>;

/** `[LOCAL:]REMOTE` as kubectl reads it: `8080`, `9000:80`, `:80` (a free local port); REMOTE may be a port name. */
export function parsePortSpec(text: string): PortSpec {
  const [localText, remote] = text.includes(':') ? text.split(':', 2) : [text, text];
  const local = localText === '' ? 0 : Number(localText);
  if (!/^\d*$/.test(localText) || !Number.isInteger(local) || local > 65535) throw new CliError(`Error parsing local port '${localText}': invalid port`);
  if (!remote || (/^\d+$/.test(remote) ? Number(remote) < 1 || Number(remote) > 65535 : !/^[a-z0-9-]{1,15}$/.test(remote))) {
    throw new CliError(`Error parsing remote port '${remote ?? ''}': invalid port`);
  }
  return { local, remote };
}

const WORKLOADS: Readonly<Record<string, Readonly<{ ref: ResourceRef; kind: string }>>> = {
  deployment: { ref: { group: 'apps', version: 'v1', plural: 'deployments', namespaced: true }, kind: 'Deployment' },
  replicaset: { ref: { group: 'apps', version: 'v1', plural: 'replicasets', namespaced: true }, kind: 'ReplicaSet' },
  service: { ref: { group: '', version: 'v1', plural: 'services', namespaced: true }, kind: 'Service' },
};
const KIND_ALIASES: Readonly<Record<string, string>> = {
  pod: 'pod', pods: 'pod', po: 'pod',
  deployment: 'deployment', deployments: 'deployment', deploy: 'deployment',
  replicaset: 'replicaset', replicasets: 'replicaset', rs: 'replicaset',
  service: 'service', services: 'service', svc: 'service',
};

type Ports = { containers?: { ports?: { name?: string; containerPort?: number }[] }[] };
type ServiceSpec = { selector?: Record<string, string>; ports?: { name?: string; port?: number; targetPort?: number | string }[] };

export async function runPortForward(argv: string[], ctx: CliContext): Promise<number> {
  const { flags, args } = parseArgs(argv, flagSpecs);
  if (flags.help) {
    ctx.stdout.write(USAGE);
    return 0;
  }
  if (args.length < 2) throw new CliError('TYPE/NAME and list of ports are required for port-forward');
  const specs = args.slice(1).map(parsePortSpec);
  const client = await ctx.client();
  const { pod, remoteOf } = await resolveTarget(client, args[0]);
  const phase = (pod.status as { phase?: string } | undefined)?.phase;
  if (phase !== 'Running') throw new CliError(`unable to forward port because pod is not running. Current status=${phase ?? 'Pending'}`);
  const podName = pod.metadata.name as string;
  const forwards = specs.map((s) => ({ local: s.local, remote: remoteOf(s.remote) }));

  const servers: Server[] = [];
  const open = new Set<Socket>();
  try {
    for (const f of forwards) {
      let port = f.local;
      for (const address of addressesOf(flags.address)) {
        const server = createServer((socket) => void forwardConnection(client, podName, port, f.remote, socket, open, ctx));
        port = await listen(server, address, port);
        servers.push(server);
        ctx.stdout.write(`Forwarding from ${address.includes(':') ? `[${address}]` : address}:${port} -> ${f.remote}\n`);
      }
    }
    await stopped(ctx.signal);
    return 0;
  } finally {
    for (const s of servers) s.close();
    for (const s of open) s.destroy();
  }
}

function addressesOf(flag: string | undefined): string[] {
  return (flag ?? '127.0.0.1').split(',').map((a) => a.trim()).filter((a) => a !== '').flatMap((a) => (a === 'localhost' ? ['127.0.0.1', '::1'] : [a]));
}

function listen(server: Server, address: string, port: number): Promise<number> {
  return new Promise((ok, fail) => {
    server.once('error', (err: NodeJS.ErrnoException) => fail(new CliError(`unable to listen on ${address}:${port}: ${err.code === 'EADDRINUSE' ? 'address already in use' : err.message}`)));
    server.listen(port, address, () => ok((server.address() as { port: number }).port));
  });
}

/** Until Ctrl-C (ctx.signal) or SIGTERM. */
function stopped(signal: AbortSignal): Promise<void> {
  return new Promise((ok) => {
    const done = () => {
      process.removeListener('SIGTERM', done);
      ok();
    };
    if (signal.aborted) return done();
    signal.addEventListener('abort', done, { once: true });
    process.once('SIGTERM', done);
  });
}

async function forwardConnection(client: KubeClient, pod: string, local: number, remote: number, socket: Socket, open: Set<Socket>, ctx: CliContext): Promise<void> {
  ctx.stdout.write(`Handling connection for ${local}\n`);
  open.add(socket);
  socket.pause();
  socket.on('error', () => undefined); // 'close' follows
  const failed = (text: string) => ctx.stderr.write(`error: an error occurred forwarding ${local} -> ${remote}: ${text}\n`);
  try {
    const conn = await client.portForward(pod, remote, {}, (data) => socket.write(data));
    socket.on('drain', () => conn.resume());
    socket.on('data', (data: Buffer) => {
      socket.pause();
      void conn.write(data).then(() => socket.resume());
    });
    socket.once('close', () => conn.close());
    socket.resume();
    const error = await conn.ended;
    if (error) failed(error);
    socket.end();
  } catch (err) {
    failed(formatError(err).replace(/^error: /, ''));
    socket.destroy();
  } finally {
    socket.once('close', () => open.delete(socket));
  }
}

type Target = Readonly<{ pod: KubeObject; remoteOf: (remote: string) => number }>;

async function resolveTarget(client: KubeClient, arg: string): Promise<Target> {
  const [kindText, name] = arg.includes('/') ? arg.split('/', 2) : ['pod', arg];
  const kind = KIND_ALIASES[kindText.toLowerCase()];
  if (!kind) throw new CliError(`skiff port-forward works on pods, deployments, replica sets and services, not "${kindText}"`);
  if (!name) throw new CliError('resource(s) were provided, but no name was specified');
  if (kind === 'pod') {
    const pod = await client.get<KubeObject>(PODS, name);
    return { pod, remoteOf: (remote) => containerPort(pod, remote) };
  }
  const { ref, kind: kindName } = WORKLOADS[kind];
  const owner = await client.get<KubeObject>(ref, name);
  const selector = kind === 'service'
    ? (owner.spec as ServiceSpec | undefined)?.selector
    : (owner.spec as { selector?: { matchLabels?: Record<string, string>; matchExpressions?: unknown[] } } | undefined)?.selector?.matchLabels;
  if (!selector || Object.keys(selector).length === 0) throw new CliError(`${kindName} ${name} has no selector (matchLabels) to choose a pod with`);
  const labelSelector = Object.entries(selector).map(([k, v]) => `${k}=${v}`).join(',');
  const pods = (await client.list<KubeObject>(PODS, { labelSelector })).items;
  const pod = choosePod(pods);
  if (!pod) throw new CliError(`no running pod for ${kindName.toLowerCase()}/${name} (selector ${labelSelector})`);
  if (kind !== 'service') return { pod, remoteOf: (remote) => containerPort(pod, remote) };
  return { pod, remoteOf: (remote) => targetPort(pod, owner, remote) };
}

/** kubectl's first pod: running and ready before running, then by name. */
function choosePod(pods: readonly KubeObject[]): KubeObject | undefined {
  const score = (p: KubeObject): number => {
    const status = p.status as { phase?: string; conditions?: { type: string; status: string }[] } | undefined;
    if (p.metadata.deletionTimestamp || status?.phase !== 'Running') return 0;
    return status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ? 2 : 1;
  };
  return [...pods].filter((p) => score(p) > 0).sort((a, b) => score(b) - score(a) || (a.metadata.name ?? '').localeCompare(b.metadata.name ?? ''))[0];
}

/** A number, or the name of one of the pod's container ports. */
function containerPort(pod: KubeObject, remote: string): number {
  if (/^\d+$/.test(remote)) return Number(remote);
  const found = ((pod.spec as Ports | undefined)?.containers ?? []).flatMap((c) => c.ports ?? []).find((p) => p.name === remote);
  if (!found?.containerPort) throw new CliError(`Pod '${pod.metadata.name}' does not have a named port '${remote}'`);
  return found.containerPort;
}

/** A service port (number or name) → its targetPort in the pod (a number, a container port name, or the port itself). */
function targetPort(pod: KubeObject, service: KubeObject, remote: string): number {
  const ports = (service.spec as ServiceSpec | undefined)?.ports ?? [];
  const port = ports.find((p) => (/^\d+$/.test(remote) ? p.port === Number(remote) : p.name === remote));
  if (!port?.port) throw new CliError(`Service ${service.metadata.name} does not have a service port ${remote}`);
  const target = port.targetPort ?? port.port;
  return typeof target === 'number' ? target : containerPort(pod, target);
}
