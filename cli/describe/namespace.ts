/** Namespace: its phase. */
import type { KubeObject } from '../../actors/kinds/types';
import type { DescribeWriter } from './writer';

export function describeNamespace(w: DescribeWriter, namespace: KubeObject): void {
  const status = (namespace.status ?? {}) as Readonly<{ phase?: string }>;
  w.field(0, 'Status', status.phase);
}
