import { specReplicas, type Deployment, type IntOrPercent } from './workloads';

/**
 * maxSurge and maxUnavailable of a rolling update, resolved against spec.replicas as upstream does
 * (deploymentutil.ResolveFenceposts): a surge percentage rounds up, an unavailability percentage
 * rounds down, and when both come to 0 unavailability becomes 1 so the rollout can move at all.
 * Each value comes with the arithmetic, for the reasons `skiff explain` prints.
 */

export type Limit = Readonly<{ value: number; text: string }>;

export type Fenceposts = Readonly<{ maxSurge: Limit; maxUnavailable: Limit }>;

/** intstr.GetScaledValueFromIntOrPercent; a malformed value counts as 0, as upstream's ignored error does. */
function scaledValue(value: IntOrPercent | undefined, total: number, roundUp: boolean): number {
  if (value === undefined) return 0;
  if (typeof value === 'number') return value;
  const percent = /^([+-]?[0-9]+)%$/.exec(value);
  if (!percent) return 0;
  const exact = (Number.parseInt(percent[1], 10) * total) / 100;
  return roundUp ? Math.ceil(exact) : Math.floor(exact);
}

export function isRollingUpdate(d: Deployment): boolean {
  return (d.spec.strategy?.type ?? 'RollingUpdate') === 'RollingUpdate';
}

export function fenceposts(d: Deployment): Fenceposts {
  if (!isRollingUpdate(d)) return { maxSurge: { value: 0, text: 'Recreate: no surge' }, maxUnavailable: { value: 0, text: 'Recreate: no partial rollout' } };
  const replicas = specReplicas(d);
  const rolling = d.spec.strategy?.rollingUpdate ?? {};
  const surge = scaledValue(rolling.maxSurge, replicas, true);
  const maxSurge: Limit = { value: surge, text: describe('maxSurge', rolling.maxSurge, replicas, surge, 'up') };
  if (replicas === 0) return { maxSurge, maxUnavailable: { value: 0, text: 'maxUnavailable 0 (no replicas wanted)' } };
  let value = scaledValue(rolling.maxUnavailable, replicas, false);
  let text = describe('maxUnavailable', rolling.maxUnavailable, replicas, value, 'down');
  if (surge === 0 && value === 0) {
    value = 1;
    text += ', raised to 1 because maxSurge is 0 too';
  }
  if (value > replicas) {
    value = replicas;
    text += `, capped at ${replicas}`;
  }
  return { maxSurge, maxUnavailable: { value, text } };
}

export function maxSurge(d: Deployment): number {
  return fenceposts(d).maxSurge.value;
}

export function maxUnavailable(d: Deployment): number {
  return fenceposts(d).maxUnavailable.value;
}

function describe(name: string, value: IntOrPercent | undefined, replicas: number, resolved: number, rounding: 'up' | 'down'): string {
  if (typeof value === 'string') return `${name} ${value} of ${replicas} = ${resolved} (rounded ${rounding})`;
  return `${name} ${resolved}`;
}
