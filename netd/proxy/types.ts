/**
 * What the service proxy is given: Services and their endpoints reduced to what iptables needs.
 * They will be fed from Service and EndpointSlice objects; nothing here knows those kinds.
 */

export type Protocol = 'TCP' | 'UDP' | 'SCTP';
export type ServiceType = 'ClusterIP' | 'NodePort' | 'LoadBalancer';
export type TrafficPolicy = 'Cluster' | 'Local';

export interface ProxyServicePort {
  /** The port's name; '' for a single unnamed port. */
  readonly name: string;
  readonly port: number;
  readonly protocol: Protocol;
  /** Set for NodePort and LoadBalancer services (30000–32767, allocated elsewhere). */
  readonly nodePort?: number;
}

export interface ProxyService {
  readonly namespace: string;
  readonly name: string;
  /** spec.clusterIPs; empty or ['None'] is a headless service, which gets no rules. IPv4 only. */
  readonly clusterIPs: readonly string[];
  readonly type: ServiceType;
  readonly ports: readonly ProxyServicePort[];
  readonly sessionAffinity?: 'None' | 'ClientIP';
  /** sessionAffinityConfig.clientIP.timeoutSeconds; default 10800. */
  readonly sessionAffinityTimeoutSeconds?: number;
  /** Default Cluster. Local keeps the client's source IP and only uses this node's endpoints. */
  readonly externalTrafficPolicy?: TrafficPolicy;
  /** Default Cluster. */
  readonly internalTrafficPolicy?: TrafficPolicy;
  /** status.loadBalancer.ingress[].ip */
  readonly loadBalancerIPs?: readonly string[];
}

/** One endpoint of one service port (an EndpointSlice endpoint joined with the slice's port). */
export interface ProxyEndpoint {
  readonly ip: string;
  readonly port: number;
  readonly ready: boolean;
  readonly serving: boolean;
  readonly terminating: boolean;
  readonly nodeName?: string;
}

export interface ProxyNode {
  readonly name: string;
  readonly ips: readonly string[];
}

export interface ProxyOptions {
  /** Pods' CIDR: traffic to a ClusterIP from outside it is masqueraded. */
  readonly clusterCIDR?: string;
  /** Masquerade all traffic to ClusterIPs. */
  readonly masqueradeAll?: boolean;
  /** CIDRs of node addresses that accept NodePorts; absent = every local address. */
  readonly nodePortAddresses?: readonly string[];
}

/** SKIFF-* chains that exist now, per table (from parseIptablesSave / skiffChains). */
export interface ExistingChains {
  readonly filter?: readonly string[];
  readonly nat?: readonly string[];
}

export interface ProxyInput {
  readonly services: readonly ProxyService[];
  /** Keyed by service port name, "ns/name:port" (servicePortName()). */
  readonly endpoints: Readonly<Record<string, readonly ProxyEndpoint[]>>;
  readonly node: ProxyNode;
  readonly options?: ProxyOptions;
  readonly existing?: ExistingChains;
}

export interface ProxyRuleset {
  /** Input for `iptables-restore --noflush`: *filter … COMMIT, *nat … COMMIT. */
  readonly text: string;
  /** Chains the ruleset keeps, per table, in the order they are declared. */
  readonly chains: { readonly filter: readonly string[]; readonly nat: readonly string[] };
  /** Stale chains the ruleset flushes and deletes (-X), per table, sorted. */
  readonly deleted: { readonly filter: readonly string[]; readonly nat: readonly string[] };
}
