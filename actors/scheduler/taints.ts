import type { Taint, TaintEffect, Toleration } from './types';

/**
 * Toleration.ToleratesTaint (k8s.io/api/core/v1): an empty effect or key matches any; an empty
 * operator means Equal; `Exists` ignores the value. Unknown operators tolerate nothing.
 */
export function toleratesTaint(toleration: Toleration, taint: Taint): boolean {
  if (toleration.effect && toleration.effect !== taint.effect) return false;
  if (toleration.key && toleration.key !== taint.key) return false;
  switch (toleration.operator ?? '') {
    case '':
    case 'Equal':
      return (toleration.value ?? '') === (taint.value ?? '');
    case 'Exists':
      return true;
    default:
      return false;
  }
}

export function tolerated(tolerations: readonly Toleration[], taint: Taint): boolean {
  return tolerations.some((t) => toleratesTaint(t, taint));
}

/** Effects that keep a pod off a node outright (helper.DoNotScheduleTaintsFilterFunc). */
const DO_NOT_SCHEDULE: ReadonlySet<TaintEffect> = new Set(['NoSchedule', 'NoExecute']);

/** The first NoSchedule/NoExecute taint, in the node's order, that no toleration tolerates (FindMatchingUntoleratedTaint). */
export function firstUntoleratedTaint(taints: readonly Taint[], tolerations: readonly Toleration[]): Taint | undefined {
  return taints.find((taint) => DO_NOT_SCHEDULE.has(taint.effect) && !tolerated(tolerations, taint));
}

/** How many PreferNoSchedule taints the pod does not tolerate (the TaintToleration score before normalizing). */
export function untoleratedPreferNoSchedule(taints: readonly Taint[], tolerations: readonly Toleration[]): number {
  return taints.filter((taint) => taint.effect === 'PreferNoSchedule' && !tolerated(tolerations, taint)).length;
}

/** The taint kubectl cordon stands for: a cordoned node admits only pods that tolerate it. */
export const UNSCHEDULABLE_TAINT: Taint = { key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' };
