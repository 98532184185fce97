import type { KubeObject } from '../../actors/kinds/types';
import type { ObjectLookups, SecretData } from '../../runtime/kubelet/config-sources';

/** A bound pod in `default` with the given spec (one container `app` unless given), and lookups over a few objects. */

export const POD_DIR = '/var/lib/skiff/pods/uid-1';

export function cpod(spec: Record<string, unknown>, metadata: Record<string, unknown> = {}, status: Record<string, unknown> = {}): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'web-0', namespace: 'default', uid: 'uid-1', labels: { app: 'web' }, ...metadata },
    spec: { nodeName: 'n1', serviceAccountName: 'default', containers: [{ name: 'app', image: 'busybox:1.36' }], ...spec },
    status: { phase: 'Pending', ...status },
  };
}

export function configMap(name: string, data: Record<string, string>, binaryData?: Record<string, string>): KubeObject {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'default' }, data, ...(binaryData ? { binaryData } : {}) };
}

export function lookups(configMaps: readonly KubeObject[] = [], secrets: Readonly<Record<string, SecretData>> = {}): ObjectLookups {
  return {
    configMap: (ns, name) => configMaps.find((c) => c.metadata.namespace === ns && c.metadata.name === name),
    secret: (ns, name) => (ns === 'default' ? secrets[name] : undefined),
  };
}

export const b64 = (text: string): string => Buffer.from(text).toString('base64');
