import type { ObjectRef } from '../../eventlog/types';
import { rfc3339 } from '../ids';
import type { Json, KubeObject } from '../kinds/types';
import type { Plan, PlannedCommand } from '../reconcile/plan';
import { fnv1a64Hex } from './hash';
import { withPod } from './node-info';
import { holdsNode, podInfoOf, type PodInfo } from './pod-info';
import { nodeInfosOf, scheduleOn, type Decision } from './schedule';
import { schedulingRecord, type SchedulingRecord } from './scheduling-record';
import { podSpecOf, podStatusOf, type PodCondition } from './types';

/**
 * A scheduling pass: every pod waiting for this scheduler, in queue order, each placed with the
 * pods placed before it in the same pass already on their nodes (kube-scheduler's "assumed" pods),
 * turned into commands. Level-triggered: a pod already bound is not pending, and a pod whose
 * PodScheduled condition already says why it waits gets no new commands.
 */

export const SCHEDULER_NAME = 'default-scheduler';

/**
 * events/v1 caps a note at 1024 bytes; upstream trims the event's copy of a long message, never the
 * condition's. Scheduler messages are ASCII, so characters are bytes.
 */
const EVENT_MESSAGE_LIMIT = 1024;

type Bound = Extract<Decision, { kind: 'bound' }>;

/** Pods this scheduler should place now: unbound, alive, its own, and not held back by scheduling gates. */
function waitsForScheduler(pod: KubeObject): boolean {
  const spec = podSpecOf(pod);
  return !spec.nodeName && !pod.metadata.deletionTimestamp && holdsNode(pod)
    && (spec.schedulerName ?? SCHEDULER_NAME) === SCHEDULER_NAME && (spec.schedulingGates ?? []).length === 0;
}

/** The scheduling queue's order (PrioritySort): higher priority first, then older, then by name for a total order. */
function queueOrder(a: PodInfo, b: PodInfo): number {
  if (a.priority !== b.priority) return b.priority - a.priority;
  const created = (p: PodInfo): string => p.object.metadata.creationTimestamp ?? '';
  if (created(a) !== created(b)) return created(a) < created(b) ? -1 : 1;
  const key = (p: PodInfo): string => `${p.namespace}/${p.name}`;
  return key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0;
}

/**
 * One pass: the first `maxPods` pending pods in queue order (all by default). A pass is synchronous,
 * so a bounded one keeps the process answering; a pass that left pods behind asks to run again at once.
 */
/** A pass's plan, and the pods (`namespace/name`) no node could take, for the unschedulable queue. */
export type SchedulingPlan = Plan & Readonly<{ unschedulable: readonly Readonly<{ key: string; waitsForPods: boolean }>[] }>;

export function planScheduling(pendingPods: readonly KubeObject[], nodes: readonly KubeObject[], boundPods: readonly KubeObject[], nowMs: number, maxPods = Infinity): SchedulingPlan {
  const podsByNode = new Map<string, KubeObject[]>();
  for (const pod of boundPods) {
    const node = podSpecOf(pod).nodeName;
    if (!node) continue;
    const list = podsByNode.get(node);
    if (list) list.push(pod);
    else podsByNode.set(node, [pod]);
  }
  const nodeInfos = nodeInfosOf(nodes, podsByNode);
  const indexOf = new Map(nodeInfos.map((n, i) => [n.name, i]));
  const waiting = pendingPods.filter(waitsForScheduler).map(podInfoOf).sort(queueOrder);
  const queue = waiting.slice(0, maxPods);
  const commands: PlannedCommand[] = [];
  const unschedulable: { key: string; waitsForPods: boolean }[] = [];
  for (const pod of queue) {
    const decision = scheduleOn(pod, nodeInfos);
    const record = schedulingRecord(decision, pod.uid, nodeInfos.length);
    if (decision.kind === 'bound') {
      const i = indexOf.get(decision.node) as number;
      nodeInfos[i] = withPod(nodeInfos[i], pod);
      commands.push(...bindCommands(pod, decision, record, nowMs));
    } else {
      commands.push(...waitCommands(pod, decision.message, record, nowMs));
      unschedulable.push({ key: podKey(pod), waitsForPods: pod.requiredAffinityTerms.length > 0 });
    }
  }
  return waiting.length > queue.length ? { commands, unschedulable, requeueAfterMs: 1 } : { commands, unschedulable };
}

const podRef = (pod: PodInfo): ObjectRef => ({ group: '', resource: 'pods', namespace: pod.namespace, name: pod.name });
const podKey = (pod: PodInfo): string => `${pod.namespace}/${pod.name}`;

function bindCommands(pod: PodInfo, decision: Bound, record: SchedulingRecord, nowMs: number): PlannedCommand[] {
  const chosen = decision.verdicts.find((v) => v.node === decision.node);
  const feasible = decision.verdicts.filter((v) => v.fit).length;
  const why = `score ${chosen?.total ?? 0}, the best of ${feasible} feasible node(s) out of ${decision.verdicts.length}`;
  const message = `Successfully assigned ${podKey(pod)} to ${decision.node}`;
  const bind: PlannedCommand = {
    ref: podRef(pod),
    // pods/binding: sets spec.nodeName and PodScheduled=True, refused if the pod was bound meanwhile.
    payload: { op: 'bind', node: decision.node, expectedUid: pod.uid },
    reason: `bind ${podKey(pod)} to ${decision.node}: ${why}`,
    detail: record,
  };
  const event = eventCommand(pod, { type: 'Normal', reason: 'Scheduled', action: 'Binding', message }, nowMs, `${message} (${why})`);
  return [bind, event];
}

/**
 * A pod no node can take: say why on its condition and in a FailedScheduling event, once per new
 * reason. The condition's patch carries the record of the decision.
 */
function waitCommands(pod: PodInfo, message: string, record: SchedulingRecord, nowMs: number): PlannedCommand[] {
  const condition = conditionCommand(pod, { type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message }, nowMs, `${podKey(pod)} cannot be scheduled: ${message}`);
  if (!condition) return [];
  const note = message.length <= EVENT_MESSAGE_LIMIT ? message : `${message.slice(0, EVENT_MESSAGE_LIMIT - 4)} ...`;
  return [{ ...condition, detail: record }, eventCommand(pod, { type: 'Warning', reason: 'FailedScheduling', action: 'Scheduling', message: note }, nowMs, `${podKey(pod)} cannot be scheduled: ${message}`)];
}

/**
 * A status patch setting one condition, or undefined when the pod already has it with the same
 * status, reason and message (podutil.UpdatePodCondition). The transition time moves only when the
 * status does. Conditions merge by type, so a strategic patch leaves the pod's other conditions be;
 * reason and message absent from `desired` are removed (null), as a replaced condition would drop them.
 */
function conditionCommand(pod: PodInfo, desired: PodCondition, nowMs: number, reason: string): PlannedCommand | undefined {
  const current = podStatusOf(pod.object).conditions?.find((c) => c.type === desired.type);
  const same = (field: 'reason' | 'message'): boolean => (current?.[field] ?? '') === (desired[field] ?? '');
  if (current && current.status === desired.status && same('reason') && same('message')) return undefined;
  const lastTransitionTime = current?.status === desired.status && current.lastTransitionTime ? current.lastTransitionTime : rfc3339(nowMs);
  const condition: Json = { type: desired.type, status: desired.status, reason: desired.reason ?? null, message: desired.message ?? null, lastTransitionTime };
  return {
    ref: podRef(pod),
    payload: { op: 'patch', patchType: 'strategic', patch: { status: { conditions: [condition] } }, target: 'status', fieldManager: SCHEDULER_NAME, force: false },
    reason,
  };
}

type EventFacts = Readonly<{ type: 'Normal' | 'Warning'; reason: string; action: string; message: string }>;

/**
 * A core/v1 Event about the pod, named `<pod>.<16 hex digits>` like upstream's, the digits a hash
 * of the pod, the decision and the time instead of the clock's nanoseconds, so a replay names it alike.
 */
function eventCommand(pod: PodInfo, facts: EventFacts, nowMs: number, reason: string): PlannedCommand {
  const name = `${pod.name}.${fnv1a64Hex([pod.uid, pod.namespace, pod.name, facts.reason, facts.message, nowMs].join('\u0000'))}`;
  const time = rfc3339(nowMs);
  const resourceVersion = pod.object.metadata.resourceVersion;
  const event: KubeObject = {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: { name, namespace: pod.namespace },
    involvedObject: { apiVersion: 'v1', kind: 'Pod', namespace: pod.namespace, name: pod.name, uid: pod.uid, ...(resourceVersion ? { resourceVersion } : {}) },
    reason: facts.reason,
    message: facts.message,
    type: facts.type,
    source: { component: SCHEDULER_NAME },
    firstTimestamp: time,
    lastTimestamp: time,
    count: 1,
    action: facts.action,
    reportingComponent: SCHEDULER_NAME,
    reportingInstance: SCHEDULER_NAME,
  };
  return { ref: { group: '', resource: 'events', namespace: pod.namespace, name }, payload: { op: 'create', object: event, fieldManager: SCHEDULER_NAME }, reason };
}
