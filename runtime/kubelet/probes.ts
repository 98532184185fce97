import type { ContainerSpec, PodContainer, PodView } from './pod-view';
import { attemptsOf, containerFieldPath, podContainers } from './pod-view';
import type { KubeletEvent } from './pod-commands';
import type { ObservedContainer } from './types';

/**
 * Probes as the kubelet's prober workers keep them, minus the I/O: which probe is due when, and
 * what a result does to the container's standing (pkg/kubelet/prober/worker.go). The caller runs
 * the due probes (exec, HTTP, TCP, gRPC) and folds each result in with `recordProbeResult`; the
 * tracker is plain data kept per container id, so a restarted container (a new id) starts afresh,
 * as upstream's worker does when it sees a new container id.
 *
 * - startup runs until it succeeds; liveness and readiness wait for it (a container without a
 *   startup probe is started as soon as it runs);
 * - a probe is first due `initialDelaySeconds` after the container started, then every
 *   `periodSeconds` after the previous result;
 * - `successThreshold` consecutive successes / `failureThreshold` consecutive failures change the
 *   outcome; until a readiness probe succeeds the container is not ready, liveness counts as
 *   passing until it fails;
 * - a failed liveness or startup outcome means "kill and restart" and stops probing that
 *   container (upstream's onHold);
 * - while the pod is being deleted only readiness is probed (upstream sets liveness and startup
 *   to success so a terminating container is not killed twice).
 */

export const PROBE_KINDS = ['startup', 'liveness', 'readiness'] as const;
export type ProbeKind = (typeof PROBE_KINDS)[number];

export type HttpHeader = Readonly<{ name: string; value: string }>;

/** How to probe, from the container's probe spec; named ports are resolved against the container's ports. */
export type ProbeAction =
  | Readonly<{ type: 'exec'; command: readonly string[] }>
  | Readonly<{ type: 'httpGet'; scheme: 'HTTP' | 'HTTPS'; host?: string; port: number | string; path: string; httpHeaders: readonly HttpHeader[] }>
  | Readonly<{ type: 'tcpSocket'; host?: string; port: number | string }>
  | Readonly<{ type: 'grpc'; port: number; service?: string }>;

export type ProbeSpec = Readonly<{
  kind: ProbeKind;
  action: ProbeAction;
  initialDelayMs: number;
  periodMs: number;
  timeoutMs: number;
  successThreshold: number;
  failureThreshold: number;
  /** The probe's own terminationGracePeriodSeconds (liveness and startup kills), in ms. */
  terminationGraceMs?: number;
}>;

/** Kubernetes' defaults for a probe's timing (SetDefaults_Probe). */
export const PROBE_DEFAULTS = { initialDelaySeconds: 0, periodSeconds: 10, timeoutSeconds: 1, successThreshold: 1, failureThreshold: 3 } as const;

type RawProbe = {
  exec?: { command?: string[] };
  httpGet?: { scheme?: string; host?: string; port?: number | string; path?: string; httpHeaders?: HttpHeader[] };
  tcpSocket?: { host?: string; port?: number | string };
  grpc?: { port?: number; service?: string };
  initialDelaySeconds?: number;
  periodSeconds?: number;
  timeoutSeconds?: number;
  successThreshold?: number;
  failureThreshold?: number;
  terminationGracePeriodSeconds?: number;
};

/** A probe spec with Kubernetes' defaults (absent or 0 takes the default, as the API server's defaulting does); undefined without a handler. */
export function parseProbe(kind: ProbeKind, raw: unknown, container: ContainerSpec): ProbeSpec | undefined {
  if (typeof raw !== 'object' || raw === null) return undefined;
  const probe = raw as RawProbe;
  const action = parseAction(probe, container);
  if (!action) return undefined;
  const positive = (value: number | undefined, fallback: number) => (value !== undefined && value > 0 ? value : fallback);
  return {
    kind,
    action,
    initialDelayMs: Math.max(0, probe.initialDelaySeconds ?? PROBE_DEFAULTS.initialDelaySeconds) * 1000,
    periodMs: positive(probe.periodSeconds, PROBE_DEFAULTS.periodSeconds) * 1000,
    timeoutMs: positive(probe.timeoutSeconds, PROBE_DEFAULTS.timeoutSeconds) * 1000,
    successThreshold: positive(probe.successThreshold, PROBE_DEFAULTS.successThreshold),
    failureThreshold: positive(probe.failureThreshold, PROBE_DEFAULTS.failureThreshold),
    ...(probe.terminationGracePeriodSeconds !== undefined ? { terminationGraceMs: probe.terminationGracePeriodSeconds * 1000 } : {}),
  };
}

function parseAction(probe: RawProbe, container: ContainerSpec): ProbeAction | undefined {
  const port = (p: number | string | undefined): number | string =>
    typeof p === 'string' ? (container.ports?.find((cp) => cp.name === p)?.containerPort ?? p) : (p ?? 0);
  if (probe.exec) return { type: 'exec', command: probe.exec.command ?? [] };
  if (probe.httpGet) {
    const h = probe.httpGet;
    return {
      type: 'httpGet',
      scheme: h.scheme === 'HTTPS' ? 'HTTPS' : 'HTTP',
      ...(h.host ? { host: h.host } : {}),
      port: port(h.port),
      path: h.path || '/',
      httpHeaders: h.httpHeaders ?? [],
    };
  }
  if (probe.tcpSocket) return { type: 'tcpSocket', ...(probe.tcpSocket.host ? { host: probe.tcpSocket.host } : {}), port: port(probe.tcpSocket.port) };
  if (probe.grpc) return { type: 'grpc', port: probe.grpc.port ?? 0, ...(probe.grpc.service ? { service: probe.grpc.service } : {}) };
  return undefined;
}

export type ContainerProbes = Readonly<Partial<Record<ProbeKind, ProbeSpec>>>;

/** The probes of a container; regular init containers have none (they run to completion). */
export function containerProbes(c: PodContainer): ContainerProbes {
  if (c.init && !c.sidecar) return {};
  const raw: Record<ProbeKind, unknown> = { startup: c.spec.startupProbe, liveness: c.spec.livenessProbe, readiness: c.spec.readinessProbe };
  return Object.fromEntries(
    PROBE_KINDS.map((kind) => [kind, parseProbe(kind, raw[kind], c.spec)] as const).filter(([, spec]) => spec !== undefined),
  );
}

// ---------------------------------------------------------------------------------------------
// The tracker

export type ProbeResult = 'success' | 'failure';

export type ProbeState = Readonly<{
  /** The thresholded result the kubelet acts on; 'unknown' until a threshold is first reached. */
  outcome: ProbeResult | 'unknown';
  /** The last raw result and how many times in a row it came. */
  last?: ProbeResult;
  run: number;
  lastProbedAtMs?: number;
  /** A failed liveness/startup outcome: no more probing of this container (it is being restarted). */
  onHold: boolean;
}>;

/** Per container id, per kind. Plain data: keep it between passes, drop what `forgetProbes` drops. */
export type ProbeTracker = Readonly<Record<string, Readonly<Partial<Record<ProbeKind, ProbeState>>>>>;

export const emptyProbeTracker: ProbeTracker = {};

/** Upstream's initial results: not ready until readiness passes; alive until liveness fails; startup unknown. */
const INITIAL_OUTCOME: Readonly<Record<ProbeKind, ProbeState['outcome']>> = { startup: 'unknown', liveness: 'success', readiness: 'failure' };

function stateOf(tracker: ProbeTracker, containerId: string, kind: ProbeKind): ProbeState {
  return tracker[containerId]?.[kind] ?? { outcome: INITIAL_OUTCOME[kind], run: 0, onHold: false };
}

/** What the probes say about one running container. */
export type ProbeVerdict = Readonly<{
  /** The startup probe passed (or there is none). */
  started: boolean;
  /** Started, and readiness passed (or there is none). */
  ready: boolean;
  /** A probe whose failure means the container must be killed. */
  failed?: 'liveness' | 'startup';
}>;

export function probeVerdict(probes: ContainerProbes, tracker: ProbeTracker, containerId: string): ProbeVerdict {
  const started = !probes.startup || stateOf(tracker, containerId, 'startup').outcome === 'success';
  const ready = started && (!probes.readiness || stateOf(tracker, containerId, 'readiness').outcome === 'success');
  const failed = (['liveness', 'startup'] as const).find((kind) => probes[kind] && stateOf(tracker, containerId, kind).outcome === 'failure');
  return { started, ready, ...(failed ? { failed } : {}) };
}

export type DueProbe = Readonly<{ containerId: string; container: string; init: boolean; spec: ProbeSpec }>;

export type ProbeSchedule = Readonly<{
  /** Probes to run now. */
  due: readonly DueProbe[];
  /** When the next probe not yet due falls due. */
  nextDueMs?: number;
}>;

/** The probes of the pod's running containers that are due at `nowMs`, and when the next one will be. */
export function probesDue(pod: PodView, observed: readonly ObservedContainer[], tracker: ProbeTracker, nowMs: number): ProbeSchedule {
  const deleting = Boolean(pod.metadata.deletionTimestamp);
  const { init, app } = podContainers(pod);
  const due: DueProbe[] = [];
  let nextDueMs: number | undefined;
  for (const c of [...init, ...app]) {
    const running = attemptsOf(observed, c)[0];
    if (running?.state !== 'running') continue;
    const probes = containerProbes(c);
    const { started } = probeVerdict(probes, tracker, running.id);
    for (const kind of PROBE_KINDS) {
      const spec = probes[kind];
      const state = stateOf(tracker, running.id, kind);
      const gated = kind === 'startup' ? started : !started;
      if (!spec || state.onHold || gated || (deleting && kind !== 'readiness')) continue;
      const firstMs = (running.startedAtMs ?? nowMs) + spec.initialDelayMs;
      const dueMs = state.lastProbedAtMs === undefined ? firstMs : Math.max(firstMs, state.lastProbedAtMs + spec.periodMs);
      if (dueMs <= nowMs) due.push({ containerId: running.id, container: c.spec.name, init: c.init, spec });
      else nextDueMs = Math.min(nextDueMs ?? dueMs, dueMs);
    }
  }
  return { due, ...(nextDueMs !== undefined ? { nextDueMs } : {}) };
}

const KIND_TITLE: Readonly<Record<ProbeKind, string>> = { startup: 'Startup', liveness: 'Liveness', readiness: 'Readiness' };

/**
 * A probe's result folded into the tracker. `error` means the probe could not be run: upstream
 * records the event and throws the result away. Every failure or error is an `Unhealthy` event,
 * as the prober records one per failed probe.
 */
export function recordProbeResult(
  tracker: ProbeTracker,
  probe: DueProbe,
  result: Readonly<{ result: ProbeResult | 'error'; output?: string }>,
  nowMs: number,
): { tracker: ProbeTracker; event?: KubeletEvent } {
  const { kind } = probe.spec;
  const previous = stateOf(tracker, probe.containerId, kind);
  const fieldPath = containerFieldPath(probe.container, probe.init);
  const unhealthy = (verb: string): KubeletEvent => ({ type: 'Warning', reason: 'Unhealthy', message: `${KIND_TITLE[kind]} probe ${verb}: ${result.output ?? ''}`, fieldPath });
  const next = result.result === 'error' ? { ...previous, lastProbedAtMs: nowMs } : fold(previous, probe.spec, result.result, nowMs);
  const updated: ProbeTracker = { ...tracker, [probe.containerId]: { ...tracker[probe.containerId], [kind]: next } };
  if (result.result === 'success') return { tracker: updated };
  return { tracker: updated, event: unhealthy(result.result === 'error' ? 'errored' : 'failed') };
}

function fold(previous: ProbeState, spec: ProbeSpec, result: ProbeResult, nowMs: number): ProbeState {
  const run = previous.last === result ? previous.run + 1 : 1;
  const threshold = result === 'success' ? spec.successThreshold : spec.failureThreshold;
  if (run < threshold) return { ...previous, last: result, run, lastProbedAtMs: nowMs };
  const kill = result === 'failure' && spec.kind !== 'readiness';
  // Upstream resets the run when it puts a failed liveness/startup worker on hold.
  return { outcome: result, last: result, run: kill ? 0 : run, lastProbedAtMs: nowMs, onHold: kill };
}

/** The tracker without the containers the runtime no longer has. */
export function forgetProbes(tracker: ProbeTracker, observed: readonly ObservedContainer[]): ProbeTracker {
  const ids = new Set(observed.map((c) => c.id));
  return Object.fromEntries(Object.entries(tracker).filter(([id]) => ids.has(id)));
}
