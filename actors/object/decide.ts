import type { ObjectRef } from '../../eventlog/types';
import { rfc3339, uidFrom } from '../ids';
import { applyDefaults, DEFAULT_TERMINATION_GRACE_PERIOD_SECONDS } from '../kinds/defaults';
import { compactMetadata } from '../kinds/fields';
import { apiVersionOf } from '../kinds/registry';
import type { Json, KubeObject, ResourceType } from '../kinds/types';
import { decodeErrorMessage, validateObject } from '../kinds/validate';
import { applyJsonPatch } from '../patch/json-patch';
import { applyMergePatch } from '../patch/merge-patch';
import { applyServerSide, recordUpdate } from '../patch/server-side-apply';
import { applyStrategicMergePatch } from '../patch/strategic-merge-patch';
import { reject } from '../rejection';
import { jsonEqual } from '../patch/json';
import {
  ObjectEventType, type ChangedPart, type DeleteOptions, type ObjectCommand, type ObjectEventDraft, type ObjectState, type PatchType, type WriteTarget,
} from './object';

/** Finalizers of deletion propagation, Kubernetes' own names (metav1.FinalizerDeleteDependents / FinalizerOrphanDependents). */
export const FOREGROUND_FINALIZER = 'foregroundDeletion';
export const ORPHAN_FINALIZER = 'orphan';

/** What decide needs to know beyond the state and the command. */
export type DecideContext = Readonly<{ ref: ObjectRef; type: ResourceType }>;

/**
 * Pure: the same state and command always give the same events. Time comes from the command,
 * ids are derived from its id. Throws a Rejection for an expected "no"; returns [] when the
 * command changes nothing (idempotent writes and re-deliveries).
 */
export function decide(state: ObjectState, command: ObjectCommand, ctx: DecideContext): ObjectEventDraft[] {
  if (state.recentCommands.includes(command.id)) return [];
  const p = command.payload;
  switch (p.op) {
    case 'create':
      return create(state, command, p.object, p.fieldManager, ctx);
    case 'replace':
      return replace(state, command, p.object, p.target, p.fieldManager, ctx);
    case 'patch':
      return patch(state, command, p.patchType, p.patch, p.target, p.fieldManager, p.force, ctx);
    case 'delete':
      return remove(state, command, p.options, ctx);
    case 'bind':
      return bind(state, command, p.node, p.expectedUid, ctx);
    default: {
      const never: never = p;
      throw reject.badRequest(`unknown object command ${JSON.stringify(never)}`);
    }
  }
}

function create(state: ObjectState, command: ObjectCommand, body: KubeObject, fieldManager: string, ctx: DecideContext): ObjectEventDraft[] {
  const { ref, type } = ctx;
  if (state.object) {
    if (state.object.metadata.deletionTimestamp) {
      throw reject.conflict(type.group, type.plural, ref.name, 'object is being deleted: ' + `${type.plural} "${ref.name}" already exists`);
    }
    throw reject.alreadyExists(type.group, type.plural, ref.name);
  }
  const time = rfc3339(command.time);
  const { resourceVersion: _rv, deletionTimestamp: _dt, deletionGracePeriodSeconds: _dg, managedFields: _mf, generateName, ...meta } = body.metadata ?? {};
  let object: KubeObject = {
    ...body,
    apiVersion: apiVersionOf(type),
    kind: type.kind,
    metadata: {
      ...meta,
      ...(generateName ? { generateName } : {}),
      name: ref.name,
      ...(type.namespaced ? { namespace: ref.namespace } : {}),
      uid: uidFrom(command.id),
      creationTimestamp: time,
      ...(type.hasGeneration ? { generation: 1 } : {}),
    },
  };
  if (type.namespaced === false) delete object.metadata.namespace;
  // Status is the system's to write: a create starts from the kind's initial status (Node agents
  // are the exception, they register with what they observed).
  if (type.hasStatus && type.kind !== 'Node') delete object.status;
  object = compactMetadata(applyDefaults(type, object));
  validateOrReject(object, undefined, ctx);
  object = recordUpdate(undefined, object, fieldManager, time, object.apiVersion);
  return [{ type: ObjectEventType.created, payload: { object } }];
}

function replace(state: ObjectState, command: ObjectCommand, body: KubeObject, target: WriteTarget, fieldManager: string, ctx: DecideContext): ObjectEventDraft[] {
  const old = requireLive(state, ctx);
  const wanted = body.metadata?.resourceVersion;
  if (wanted !== undefined && wanted !== '' && wanted !== old.metadata.resourceVersion) throw reject.conflict(ctx.type.group, ctx.type.plural, ctx.ref.name);
  return update(old, mergeTarget(old, body, target, ctx), command, fieldManager, ctx);
}

function patch(
  state: ObjectState, command: ObjectCommand, patchType: PatchType, body: Json, target: WriteTarget, fieldManager: string, force: boolean, ctx: DecideContext,
): ObjectEventDraft[] {
  const time = rfc3339(command.time);
  if (patchType === 'apply' && target === 'main') {
    // Status belongs to the /status subresource: an applied configuration neither sets nor owns it.
    const { status: _status, ...rest } = body as unknown as KubeObject;
    const applied = (ctx.type.hasStatus ? rest : body) as KubeObject;
    if (!state.object) {
      const created = applyServerSide(undefined, applied, { manager: fieldManager, force, time, apiVersion: apiVersionOf(ctx.type) });
      return create(state, command, created, fieldManager, ctx).map((e) => ({ ...e, payload: { object: withApplyOwnership(e.payload.object, created) } }));
    }
    const merged = applyServerSide(state.object, applied, { manager: fieldManager, force, time, apiVersion: apiVersionOf(ctx.type) });
    return update(state.object, mergeTarget(state.object, merged, 'main', ctx), command, undefined, ctx);
  }
  const old = requireLive(state, ctx);
  const view = target === 'scale' ? scaleOf(old, ctx) : old;
  const patched = applyPatch(view as unknown as Json, body, patchType, ctx) as unknown as KubeObject;
  const rv = patched?.metadata?.resourceVersion;
  if (rv !== undefined && rv !== old.metadata.resourceVersion) throw reject.conflict(ctx.type.group, ctx.type.plural, ctx.ref.name);
  return update(old, mergeTarget(old, patched, target, ctx), command, fieldManager, ctx);
}

function applyPatch(doc: Json, body: Json, patchType: PatchType, ctx: DecideContext): Json {
  switch (patchType) {
    case 'json':
      return applyJsonPatch(doc, body);
    case 'merge':
      return applyMergePatch(doc, body);
    case 'strategic':
      return applyStrategicMergePatch(doc, body, ctx.type.kind);
    case 'apply':
      // Server-side apply of a subresource is a merge of the applied fields.
      return applyMergePatch(doc, body);
    default: {
      const never: never = patchType;
      throw reject.badRequest(`unsupported patch type ${String(never)}`);
    }
  }
}

/** Server-side apply already wrote managedFields; keep them instead of an Update entry. */
function withApplyOwnership(object: KubeObject, applied: KubeObject): KubeObject {
  return { ...object, metadata: { ...object.metadata, managedFields: applied.metadata.managedFields } };
}

/**
 * The object a write to `target` produces: the main resource cannot change status, /status
 * changes nothing but status, /scale changes nothing but spec.replicas. Identity and system
 * fields always come from the stored object.
 */
function mergeTarget(old: KubeObject, body: KubeObject, target: WriteTarget, ctx: DecideContext): KubeObject {
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw reject.badRequest('the request body must be an object');
  const bodyMeta = body.metadata ?? {};
  if (bodyMeta.name !== undefined && bodyMeta.name !== ctx.ref.name) {
    throw reject.badRequest(`the name of the object (${bodyMeta.name}) does not match the name on the URL (${ctx.ref.name})`);
  }
  if (bodyMeta.uid && bodyMeta.uid !== old.metadata.uid) {
    throw reject.conflict(ctx.type.group, ctx.type.plural, ctx.ref.name, `Precondition failed: UID in precondition: ${bodyMeta.uid}, UID in object meta: ${old.metadata.uid}`);
  }
  const system = {
    name: old.metadata.name,
    namespace: old.metadata.namespace,
    uid: old.metadata.uid,
    creationTimestamp: old.metadata.creationTimestamp,
    generation: old.metadata.generation,
    deletionTimestamp: old.metadata.deletionTimestamp,
    deletionGracePeriodSeconds: old.metadata.deletionGracePeriodSeconds,
  };
  switch (target) {
    case 'status':
      return { ...old, status: body.status };
    case 'scale': {
      const replicas = (body.spec as { replicas?: unknown } | undefined)?.replicas;
      return { ...old, spec: { ...(old.spec as object), replicas } };
    }
    case 'main': {
      const next: KubeObject = { ...body, apiVersion: old.apiVersion, kind: old.kind, metadata: dropUndefined({ ...bodyMeta, ...system, managedFields: bodyMeta.managedFields ?? old.metadata.managedFields }) };
      if (ctx.type.hasStatus) {
        if (old.status === undefined) delete next.status;
        else next.status = old.status;
      }
      return next;
    }
    default: {
      const never: never = target;
      throw reject.badRequest(`unknown subresource ${String(never)}`);
    }
  }
}

function update(old: KubeObject, candidate: KubeObject, command: ObjectCommand, fieldManager: string | undefined, ctx: DecideContext): ObjectEventDraft[] {
  const time = rfc3339(command.time);
  let next = compactMetadata(applyDefaults(ctx.type, candidate));
  const changed = changedParts(old, next);
  if (changed.length === 0) return [];
  if (ctx.type.hasGeneration && changed.includes('spec')) {
    next = { ...next, metadata: { ...next.metadata, generation: (old.metadata.generation ?? 0) + 1 } };
  }
  validateOrReject(next, old, ctx);
  if (fieldManager !== undefined) next = recordUpdate(old, next, fieldManager, time, next.apiVersion);
  next = withoutResourceVersion(next);
  // The last finalizer going removes the object, unless a grace period still runs: then whoever
  // finishes it (the kubelet, for a Pod) does, with a delete of grace 0 (shouldDeleteDuringUpdate).
  if (next.metadata.deletionTimestamp && !hasFinalizers(next) && (old.metadata.deletionGracePeriodSeconds ?? 0) === 0) {
    return [{ type: ObjectEventType.deleted, payload: { object: next } }];
  }
  return [{ type: ObjectEventType.updated, payload: { object: next, changed } }];
}

function remove(state: ObjectState, command: ObjectCommand, options: DeleteOptions, ctx: DecideContext): ObjectEventDraft[] {
  const old = requireLive(state, ctx);
  const pre = options.preconditions ?? {};
  if (pre.uid && pre.uid !== old.metadata.uid) {
    throw reject.conflict(ctx.type.group, ctx.type.plural, ctx.ref.name, `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${old.metadata.uid}`);
  }
  if (pre.resourceVersion && pre.resourceVersion !== old.metadata.resourceVersion) {
    throw reject.conflict(ctx.type.group, ctx.type.plural, ctx.ref.name, `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${old.metadata.resourceVersion}`);
  }
  if (old.metadata.deletionTimestamp) return removeAgain(old, command, options);
  const grace = ctx.type.kind === 'Pod' ? podGracePeriodSeconds(old, options) : 0;
  // Foreground: the garbage collector deletes the dependents first, then lifts this finalizer.
  // Orphan: it detaches the dependents, then lifts it. Background needs no finalizer.
  const propagation = options.propagationPolicy === 'Foreground' ? FOREGROUND_FINALIZER : options.propagationPolicy === 'Orphan' ? ORPHAN_FINALIZER : undefined;
  const finalizers = propagation ? [...new Set([...(old.metadata.finalizers ?? []), propagation])] : old.metadata.finalizers;
  const object = withoutResourceVersion(finalizers ? { ...old, metadata: { ...old.metadata, finalizers } } : old);
  if (grace === 0 && !hasFinalizers(object)) return [{ type: ObjectEventType.deleted, payload: { object } }];
  const terminating: KubeObject = {
    ...object,
    metadata: { ...object.metadata, deletionTimestamp: rfc3339(command.time + grace * 1000), deletionGracePeriodSeconds: grace },
    ...(ctx.type.kind === 'Namespace' ? { status: { ...(object.status as object), phase: 'Terminating' } } : {}),
  };
  return [{ type: ObjectEventType.deletionRequested, payload: { object: terminating } }];
}

/**
 * The grace period a Pod gets (podStrategy.CheckGracefulDelete): the request's, else the pod's
 * terminationGracePeriodSeconds; none for a pod no node runs (unbound) or that has finished
 * (Succeeded, Failed), since nothing is there to stop. A negative period means 1 s.
 */
function podGracePeriodSeconds(pod: KubeObject, options: DeleteOptions): number {
  const spec = (pod.spec ?? {}) as { nodeName?: string; terminationGracePeriodSeconds?: number };
  const phase = (pod.status as { phase?: string } | undefined)?.phase;
  if (!spec.nodeName || phase === 'Succeeded' || phase === 'Failed') return 0;
  const period = options.gracePeriodSeconds ?? spec.terminationGracePeriodSeconds ?? DEFAULT_TERMINATION_GRACE_PERIOD_SECONDS;
  return period < 0 ? 1 : period;
}

/**
 * A DELETE of an object already being deleted (rest.BeforeDelete): only a shorter grace period
 * changes anything. The deletionTimestamp moves back by the difference (never before now, where a
 * non-zero period becomes 1 s so that whoever finishes the object still does), and a period of 0
 * removes the object unless finalizers hold it: the kubelet's last word on a pod. A longer or
 * equal period, or none, is a no-op that answers with the object.
 */
function removeAgain(old: KubeObject, command: ObjectCommand, options: DeleteOptions): ObjectEventDraft[] {
  const current = old.metadata.deletionGracePeriodSeconds ?? 0;
  // No grace left to shorten: gone unless finalizers hold it (a failed removal is retried here).
  if (current === 0) return hasFinalizers(old) ? [] : [{ type: ObjectEventType.deleted, payload: { object: withoutResourceVersion(old) } }];
  const asked = options.gracePeriodSeconds;
  if (asked === undefined) return [];
  const requested = asked < 0 ? 1 : asked;
  if (requested >= current) return [];
  const askedAtMs = Date.parse(old.metadata.deletionTimestamp as string) - current * 1000;
  const past = askedAtMs + requested * 1000 < command.time;
  const grace = past && requested !== 0 ? 1 : requested;
  const deadlineMs = past ? command.time : askedAtMs + requested * 1000;
  const object = withoutResourceVersion({ ...old, metadata: { ...old.metadata, deletionTimestamp: rfc3339(deadlineMs), deletionGracePeriodSeconds: grace } });
  if (grace === 0 && !hasFinalizers(object)) return [{ type: ObjectEventType.deleted, payload: { object } }];
  return [{ type: ObjectEventType.deletionRequested, payload: { object } }];
}

/**
 * pods/binding, as kube-apiserver's assignPod: only a Pod not yet assigned, and not being deleted,
 * gets spec.nodeName, with PodScheduled=True. Binding is the one way spec.nodeName changes.
 */
function bind(state: ObjectState, command: ObjectCommand, node: string, expectedUid: string | undefined, ctx: DecideContext): ObjectEventDraft[] {
  if (ctx.type.kind !== 'Pod') throw reject.methodNotAllowed(`${ctx.type.plural} cannot be bound to a node`);
  const pod = requireLive(state, ctx);
  if (expectedUid && expectedUid !== pod.metadata.uid) {
    throw reject.conflict('', 'pods', ctx.ref.name, `Precondition failed: UID in precondition: ${expectedUid}, UID in object meta: ${pod.metadata.uid}`);
  }
  if (pod.metadata.deletionTimestamp) throw reject.conflict('', 'pods', ctx.ref.name, 'pod is being deleted, cannot be assigned to a host');
  const spec = (pod.spec ?? {}) as { nodeName?: string };
  if (spec.nodeName === node) return [];
  if (spec.nodeName) throw reject.conflict('', 'pods', ctx.ref.name, `pod ${ctx.ref.name} is already assigned to node "${spec.nodeName}"`);
  if (!node) throw reject.invalid('', 'Binding', ctx.ref.name, [{ reason: 'FieldValueRequired', message: 'Required value', field: 'target.name' }]);
  const status = (pod.status ?? {}) as { conditions?: { type: string }[] };
  const scheduled = { type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: rfc3339(command.time) };
  const object: KubeObject = withoutResourceVersion({
    ...pod,
    spec: { ...spec, nodeName: node },
    status: { ...status, conditions: [...(status.conditions ?? []).filter((c) => c.type !== 'PodScheduled'), scheduled] },
  });
  return [{ type: ObjectEventType.updated, payload: { object, changed: ['spec', 'status'] } }];
}

/** Metadata finalizers, and a Namespace's spec.finalizers (emptied by the namespace controller via /finalize). */
function hasFinalizers(object: KubeObject): boolean {
  const specFinalizers = object.kind === 'Namespace' ? ((object.spec as { finalizers?: string[] } | undefined)?.finalizers ?? []) : [];
  return (object.metadata.finalizers?.length ?? 0) > 0 || specFinalizers.length > 0;
}

function requireLive(state: ObjectState, ctx: DecideContext): KubeObject {
  if (!state.object) throw reject.notFound(ctx.type.group, ctx.type.plural, ctx.ref.name);
  return state.object;
}

function validateOrReject(object: KubeObject, old: KubeObject | undefined, ctx: DecideContext): void {
  const causes = validateObject(ctx.type, object, old);
  // A value of the wrong JSON type is a decoding error in Kubernetes (400), not a validation error (422).
  const undecodable = causes.find((c) => c.reason === 'FieldValueTypeInvalid');
  if (undecodable) throw reject.badRequest(decodeErrorMessage(ctx.type, undecodable));
  if (causes.length > 0) throw reject.invalid(ctx.type.group, ctx.type.kind, object.metadata.name ?? '', causes);
}

/** The autoscaling/v1 Scale view of a workload, as GET …/scale serves it. */
export function scaleOf(object: KubeObject, ctx: DecideContext): KubeObject {
  const spec = (object.spec ?? {}) as { replicas?: number; selector?: { matchLabels?: Record<string, string> } };
  const status = (object.status ?? {}) as { replicas?: number };
  const selector = Object.entries(spec.selector?.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`).join(',');
  return {
    apiVersion: 'autoscaling/v1',
    kind: 'Scale',
    metadata: { name: ctx.ref.name, namespace: ctx.ref.namespace, uid: object.metadata.uid, resourceVersion: object.metadata.resourceVersion, creationTimestamp: object.metadata.creationTimestamp },
    spec: { replicas: spec.replicas ?? 0 },
    status: { replicas: status.replicas ?? 0, ...(selector ? { selector } : {}) },
  };
}

function changedParts(old: KubeObject, next: KubeObject): ChangedPart[] {
  const same = (a: unknown, b: unknown) => jsonEqual(a as Json, b as Json);
  const parts: ChangedPart[] = [];
  const { metadata: om, spec: os, status: ost, ...orest } = old;
  const { metadata: nm, spec: ns, status: nst, ...nrest } = next;
  if (!same(os, ns)) parts.push('spec');
  if (!same(ost, nst)) parts.push('status');
  if (!same(withoutVolatileMeta(om), withoutVolatileMeta(nm))) parts.push('metadata');
  if (!same(orest, nrest)) parts.push('data');
  return parts;
}

/**
 * resourceVersion says when, not what. managedFields do count: a write that only hands a field's
 * ownership over (server-side apply taking over from client-side apply) is a change.
 */
function withoutVolatileMeta(meta: KubeObject['metadata']): KubeObject['metadata'] {
  const { resourceVersion: _rv, ...rest } = meta;
  return rest;
}

function withoutResourceVersion(object: KubeObject): KubeObject {
  const { resourceVersion: _rv, ...metadata } = object.metadata;
  return { ...object, metadata };
}

function dropUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
