/** Zones as kube-scheduler groups nodes for spreading (pkg/util/node GetZoneKey). */

const ZONE = ['topology.kubernetes.io/zone', 'failure-domain.beta.kubernetes.io/zone'];
const REGION = ['topology.kubernetes.io/region', 'failure-domain.beta.kubernetes.io/region'];

/** utilnode.GetZoneKey: region and zone (the GA label, else the beta one), '' when a node has neither. */
export function zoneKeyOf(labels: Readonly<Record<string, string>>): string {
  const first = (keys: readonly string[]): string => {
    const key = keys.find((k) => Object.hasOwn(labels, k));
    return key === undefined ? '' : labels[key];
  };
  const region = first(REGION);
  const zone = first(ZONE);
  return region === '' && zone === '' ? '' : `${region}:\u0000:${zone}`;
}
