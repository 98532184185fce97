import type { KubeObject } from '../../actors/kinds/types';
import { PodConfigError } from './errors';

/**
 * How the kubelet's pure side reads the ConfigMaps and Secrets a pod refers to (its configMapManager
 * and secretManager). The caller answers from its projection; Secret values must already be opened
 * (gateways/secret-box seals them in the store).
 */
export type ObjectLookups = Readonly<{
  configMap(namespace: string, name: string): KubeObject | undefined;
  /** `data` values are bytes, or base64 text as stored in a Secret object. */
  secret(namespace: string, name: string): SecretData | undefined;
}>;

export type SecretData = Readonly<{ data?: Readonly<Record<string, Buffer | string>> }>;

/** A ConfigMap's `data` (text) and `binaryData` (base64 in the object), keys sorted. */
export type ConfigMapData = Readonly<{ data: ReadonlyMap<string, string>; binaryData: ReadonlyMap<string, Buffer> }>;

/**
 * The ConfigMaps and Secrets of one namespace, each read once per pass, as the kubelet keeps them
 * while it builds one container's environment. `undefined` is "not found"; `notFound` gives the
 * kubelet's message for it (its watch-based manager names the resource in the singular).
 */
export class ConfigSources {
  private readonly configMaps = new Map<string, ConfigMapData | undefined>();
  private readonly secrets = new Map<string, ReadonlyMap<string, Buffer> | undefined>();

  constructor(
    private readonly lookups: ObjectLookups,
    readonly namespace: string,
  ) {}

  configMap(name: string): ConfigMapData | undefined {
    if (!this.configMaps.has(name)) this.configMaps.set(name, configMapData(this.lookups.configMap(this.namespace, name)));
    return this.configMaps.get(name);
  }

  secret(name: string): ReadonlyMap<string, Buffer> | undefined {
    if (!this.secrets.has(name)) this.secrets.set(name, secretData(this.lookups.secret(this.namespace, name)));
    return this.secrets.get(name);
  }

  /** The ConfigMap, or `undefined` when it is missing and optional; a missing required one throws `configmap "x" not found`. */
  requiredConfigMap(name: string, optional: boolean): ConfigMapData | undefined {
    const found = this.configMap(name);
    if (found === undefined && !optional) throw new PodConfigError(notFound('configmap', name));
    return found;
  }

  /** The Secret's data, or `undefined` when it is missing and optional; a missing required one throws `secret "x" not found`. */
  requiredSecret(name: string, optional: boolean): ReadonlyMap<string, Buffer> | undefined {
    const found = this.secret(name);
    if (found === undefined && !optional) throw new PodConfigError(notFound('secret', name));
    return found;
  }
}

export function notFound(resource: 'configmap' | 'secret', name: string): string {
  return `${resource} "${name}" not found`;
}

function configMapData(object: KubeObject | undefined): ConfigMapData | undefined {
  if (object === undefined) return undefined;
  const text = sortedEntries(object.data).filter((e): e is [string, string] => typeof e[1] === 'string');
  const binary = sortedEntries(object.binaryData).map(([k, v]) => [k, toBytes(v)] as const);
  return { data: new Map(text), binaryData: new Map(binary.filter((e): e is readonly [string, Buffer] => e[1] !== undefined)) };
}

function secretData(secret: SecretData | undefined): ReadonlyMap<string, Buffer> | undefined {
  if (secret === undefined) return undefined;
  const entries = sortedEntries(secret.data).map(([k, v]) => [k, toBytes(v)] as const);
  return new Map(entries.filter((e): e is readonly [string, Buffer] => e[1] !== undefined));
}

function toBytes(value: unknown): Buffer | undefined {
  if (Buffer.isBuffer(value)) return value;
  return typeof value === 'string' ? Buffer.from(value, 'base64') : undefined;
}

/** Keys in sorted order, as Go's encoders write a map: the order envFrom variables come in. */
function sortedEntries(map: unknown): [string, unknown][] {
  if (typeof map !== 'object' || map === null) return [];
  return Object.entries(map).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}
