/** `describe` of one object: the common metadata header, a section per known kind, then Events. */
import type { KubeObject } from '../../actors/kinds/types';
import type { ApiResource } from '../../gateways/client';
import { writeEvents, writeMetadata, type DescribeDeps } from './common';
import { describeConfigMap } from './configmap';
import { describeDeployment } from './deployment';
import { describeNamespace } from './namespace';
import { describeNode } from './node';
import { describePod } from './pod';
import { describeReplicaSet } from './replicaset';
import { describeSecret } from './secret';
import { describeService } from './service';
import { DescribeWriter } from './writer';

type KindDescriber = (w: DescribeWriter, obj: KubeObject, deps: DescribeDeps) => void | Promise<void>;

/** Keyed by `Kind` (core) or `Kind.group`; kinds not listed get the header and Events only. */
const describers: Readonly<Record<string, KindDescriber>> = {
  Pod: describePod,
  'Deployment.apps': describeDeployment,
  'ReplicaSet.apps': describeReplicaSet,
  Service: describeService,
  ConfigMap: describeConfigMap,
  Secret: describeSecret,
  Namespace: describeNamespace,
  Node: describeNode,
};

export async function describeObject(resource: ApiResource, obj: KubeObject, deps: DescribeDeps): Promise<string> {
  const w = new DescribeWriter();
  writeMetadata(w, obj, resource.namespaced);
  const key = resource.group ? `${resource.kind}.${resource.group}` : resource.kind;
  await describers[key]?.(w, obj, deps);
  await writeEvents(w, obj, deps);
  return w.text();
}
