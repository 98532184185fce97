import { rfc3339 } from '../../actors/ids';
import { hasAnyAppContainerStarted } from './phase';
import { podContainers, type ContainerStatus, type PodCondition, type PodPhase, type PodView } from './pod-view';

/**
 * The pod conditions the kubelet owns (pkg/kubelet/status/generate.go), in the order it writes
 * them after the conditions others own: PodReadyToStartContainers, Initialized, Ready,
 * ContainersReady, PodScheduled. A condition keeps its lastTransitionTime while its status stays
 * (the status manager's updateLastTransitionTime); lastProbeTime is always null.
 */

export const KUBELET_CONDITIONS = ['PodReadyToStartContainers', 'Initialized', 'Ready', 'ContainersReady', 'PodScheduled'] as const;

type Generated = Omit<PodCondition, 'lastProbeTime' | 'lastTransitionTime'>;

export type ConditionsInput = Readonly<{
  pod: PodView;
  init: readonly ContainerStatus[];
  app: readonly ContainerStatus[];
  phase: PodPhase;
  /** The pod can start containers (its sandbox is up): false once it has been torn down. */
  readyToStart: boolean;
  nowMs: number;
}>;

export function podConditions(input: ConditionsInput): PodCondition[] {
  const reported = input.pod.status?.conditions ?? [];
  const owned = new Set<string>(KUBELET_CONDITIONS);
  const others = reported.filter((c) => !owned.has(c.type));
  const scheduled = reported.find((c) => c.type === 'PodScheduled' && c.status === 'True');
  const generated: Generated[] = [
    { type: 'PodReadyToStartContainers', status: input.readyToStart ? 'True' : 'False' },
    initializedCondition(input),
    readyCondition(input, others),
    containersReadyCondition(input),
  ];
  return [
    ...others,
    ...generated.map((c) => withTimes(c, reported, input.nowMs)),
    scheduled ?? withTimes({ type: 'PodScheduled', status: 'True' }, reported, input.nowMs),
  ];
}

function withTimes(c: Generated, reported: readonly PodCondition[], nowMs: number): PodCondition {
  const before = reported.find((r) => r.type === c.type);
  const lastTransitionTime = before?.status === c.status && before.lastTransitionTime ? before.lastTransitionTime : rfc3339(nowMs);
  return { type: c.type, status: c.status, lastProbeTime: null, lastTransitionTime, ...(c.reason ? { reason: c.reason } : {}), ...(c.message ? { message: c.message } : {}) };
}

/** Go's %s of a []string: `[a b]`. */
function goList(names: readonly string[]): string {
  return `[${names.join(' ')}]`;
}

function terminalReason(phase: PodPhase): string {
  return phase === 'Failed' ? 'PodFailed' : 'PodCompleted';
}

function containersReadyCondition({ pod, init, app, phase }: ConditionsInput): Generated {
  const { init: initSpecs, app: appSpecs } = podContainers(pod);
  const unknown: string[] = [];
  const unready: string[] = [];
  const check = (name: string, statuses: readonly ContainerStatus[]) => {
    const s = statuses.find((x) => x.name === name);
    if (!s) unknown.push(name);
    else if (!s.ready) unready.push(name);
  };
  initSpecs.filter((c) => c.sidecar).forEach((c) => check(c.spec.name, init));
  appSpecs.forEach((c) => check(c.spec.name, app));
  if ((phase === 'Succeeded' && unknown.length === 0) || phase === 'Failed') return { type: 'ContainersReady', status: 'False', reason: terminalReason(phase) };
  const messages = [
    ...(unknown.length > 0 ? [`containers with unknown status: ${goList(unknown)}`] : []),
    ...(unready.length > 0 ? [`containers with unready status: ${goList(unready)}`] : []),
  ];
  if (messages.length > 0) return { type: 'ContainersReady', status: 'False', reason: 'ContainersNotReady', message: messages.join(', ') };
  return { type: 'ContainersReady', status: 'True' };
}

function readyCondition(input: ConditionsInput, others: readonly PodCondition[]): Generated {
  const containersReady = containersReadyCondition(input);
  if (containersReady.status !== 'True') return { ...containersReady, type: 'Ready' };
  const unready = (input.pod.spec?.readinessGates ?? []).flatMap(({ conditionType }) => {
    const c = others.find((o) => o.type === conditionType);
    if (!c) return [`corresponding condition of pod readiness gate "${conditionType}" does not exist.`];
    return c.status === 'True' ? [] : [`the status of pod readiness gate "${conditionType}" is not "True", but ${c.status}`];
  });
  if (unready.length > 0) return { type: 'Ready', status: 'False', reason: 'ReadinessGatesNotReady', message: unready.join(', ') };
  return { type: 'Ready', status: 'True' };
}

function initializedCondition({ pod, init, app, phase }: ConditionsInput): Generated {
  const unknown: string[] = [];
  const incomplete: string[] = [];
  for (const c of podContainers(pod).init) {
    const s = init.find((x) => x.name === c.spec.name);
    if (!s) unknown.push(c.spec.name);
    else if (c.sidecar ? !s.started : !s.ready) incomplete.push(c.spec.name);
  }
  if (phase === 'Succeeded' && unknown.length === 0) return { type: 'Initialized', status: 'True', reason: 'PodCompleted' };
  if (hasAnyAppContainerStarted(app)) return { type: 'Initialized', status: 'True' };
  const messages = [
    ...(unknown.length > 0 ? [`containers with unknown status: ${goList(unknown)}`] : []),
    ...(incomplete.length > 0 ? [`containers with incomplete status: ${goList(incomplete)}`] : []),
  ];
  if (messages.length > 0) return { type: 'Initialized', status: 'False', reason: 'ContainersNotInitialized', message: messages.join(', ') };
  return { type: 'Initialized', status: 'True' };
}
