/** Service: type, addresses, ports and the endpoints behind each port. */
import type { KubeObject } from '../../actors/kinds/types';
import { ApiError, type ResourceRef } from '../../gateways/client';
import type { DescribeDeps } from './common';
import type { DescribeWriter } from './writer';

type ServicePort = Readonly<{ name?: string; port?: number; targetPort?: number | string; nodePort?: number; protocol?: string }>;
type ServiceSpec = Readonly<{
  selector?: Readonly<Record<string, string>>;
  type?: string;
  ipFamilyPolicy?: string;
  ipFamilies?: readonly string[];
  clusterIP?: string;
  clusterIPs?: readonly string[];
  externalIPs?: readonly string[];
  externalName?: string;
  ports?: readonly ServicePort[];
  sessionAffinity?: string;
  internalTrafficPolicy?: string;
}>;
type Endpoints = KubeObject &
  Readonly<{ subsets?: readonly Readonly<{ addresses?: readonly Readonly<{ ip: string }>[]; ports?: readonly Readonly<{ name?: string; port: number }>[] }>[] }>;

const ENDPOINTS: ResourceRef = { group: '', version: 'v1', plural: 'endpoints', namespaced: true };
// kubectl's formatEndpoints shows this many addresses, then "+ N more...".
const MAX_ENDPOINTS_SHOWN = 3;

export async function describeService(w: DescribeWriter, service: KubeObject, deps: DescribeDeps): Promise<void> {
  const spec = (service.spec ?? {}) as ServiceSpec;
  w.field(0, 'Selector', Object.entries(spec.selector ?? {}).map(([k, v]) => `${k}=${v}`).join(','));
  w.field(0, 'Type', spec.type);
  if (spec.ipFamilyPolicy) w.field(0, 'IP Family Policy', spec.ipFamilyPolicy);
  w.field(0, 'IP Families', spec.ipFamilies?.join(','));
  // kubectl prints an unset cluster IP as empty, unlike the other fields.
  w.line(0, `IP:\t${spec.clusterIP ?? ''}`);
  w.field(0, 'IPs', spec.clusterIPs?.join(','));
  if (spec.externalIPs?.length) w.field(0, 'External IPs', spec.externalIPs.join(','));
  if (spec.externalName) w.field(0, 'External Name', spec.externalName);
  const endpoints = await endpointsOf(service, deps);
  for (const port of spec.ports ?? []) {
    const name = port.name || '<unset>';
    const protocol = port.protocol ?? 'TCP';
    w.line(0, `Port:\t${name}\t${port.port}/${protocol}`);
    w.field(0, 'TargetPort', `${port.targetPort ?? port.port}/${protocol}`);
    if (port.nodePort) w.line(0, `NodePort:\t${name}\t${port.nodePort}/${protocol}`);
    w.field(0, 'Endpoints', formatEndpoints(endpoints, port.name ?? ''));
  }
  w.field(0, 'Session Affinity', spec.sessionAffinity ?? 'None');
  if (spec.internalTrafficPolicy) w.field(0, 'Internal Traffic Policy', spec.internalTrafficPolicy);
}

async function endpointsOf(service: KubeObject, deps: DescribeDeps): Promise<Endpoints | undefined> {
  try {
    return await deps.client.get<Endpoints>(ENDPOINTS, service.metadata.name ?? '', { namespace: service.metadata.namespace });
  } catch (err) {
    // No Endpoints object (or none served) just means no endpoints to show.
    if (err instanceof ApiError) return undefined;
    throw err;
  }
}

/** `10.1.0.5:8080,10.1.0.6:8080 + 2 more...` for the endpoint ports named like the service port. */
function formatEndpoints(endpoints: Endpoints | undefined, portName: string): string {
  const addresses = (endpoints?.subsets ?? []).flatMap((subset) =>
    (subset.ports ?? []).filter((p) => (p.name ?? '') === portName).flatMap((p) => (subset.addresses ?? []).map((a) => `${a.ip}:${p.port}`)),
  );
  if (addresses.length === 0) return '<none>';
  const shown = addresses.slice(0, MAX_ENDPOINTS_SHOWN).join(',');
  return addresses.length > MAX_ENDPOINTS_SHOWN ? `${shown} + ${addresses.length - MAX_ENDPOINTS_SHOWN} more...` : shown;
}
