/** Pod: where it runs, its phase, containers and their states, conditions, volumes, QoS. */
import type { KubeObject } from '../../actors/kinds/types';
import { age, rfc1123z } from '../time';
import { writeControlledBy, type Condition, type DescribeDeps } from './common';
import { formatToleration, writeContainers, writeVolumes, type ContainerStatus, type PodSpec } from './containers';
import type { DescribeWriter } from './writer';

type PodStatus = Readonly<{
  phase?: string;
  reason?: string;
  message?: string;
  hostIP?: string;
  podIP?: string;
  podIPs?: readonly Readonly<{ ip: string }>[];
  startTime?: string;
  qosClass?: string;
  conditions?: readonly Condition[];
  containerStatuses?: readonly ContainerStatus[];
  initContainerStatuses?: readonly ContainerStatus[];
}>;

export function describePod(w: DescribeWriter, pod: KubeObject, deps: DescribeDeps): void {
  const spec = (pod.spec ?? {}) as PodSpec;
  const status = (pod.status ?? {}) as PodStatus;
  w.field(0, 'Priority', spec.priority ?? 0);
  w.field(0, 'Service Account', spec.serviceAccountName);
  w.field(0, 'Node', spec.nodeName ? `${spec.nodeName}${status.hostIP ? `/${status.hostIP}` : ''}` : undefined);
  if (status.startTime) w.field(0, 'Start Time', rfc1123z(status.startTime));
  // kubectl's words, its age of a deletionTimestamp still ahead included (`<invalid>`).
  if (pod.metadata.deletionTimestamp && status.phase !== 'Succeeded' && status.phase !== 'Failed') {
    w.field(0, 'Status', `Terminating (lasts ${age(pod.metadata.deletionTimestamp, deps.nowMs)})`);
    w.field(0, 'Termination Grace Period', `${pod.metadata.deletionGracePeriodSeconds ?? 0}s`);
  } else w.field(0, 'Status', status.phase);
  if (status.reason) w.field(0, 'Reason', status.reason);
  if (status.message) w.field(0, 'Message', status.message);
  // kubectl prints an unset pod IP as empty, unlike the other fields.
  w.line(0, `IP:\t${status.podIP ?? ''}`);
  const ips = status.podIPs ?? [];
  if (ips.length === 0) w.field(0, 'IPs', '<none>');
  else {
    w.line(0, 'IPs:');
    for (const { ip } of ips) w.field(1, 'IP', ip);
  }
  writeControlledBy(w, pod);
  if (spec.initContainers?.length) writeContainers(w, 'Init Containers', spec.initContainers, status.initContainerStatuses ?? [], false);
  writeContainers(w, 'Containers', spec.containers ?? [], status.containerStatuses ?? [], false);
  const conditions = status.conditions ?? [];
  if (conditions.length > 0) {
    // kubectl's own format string, trailing spaces included ("%v \t%v \n").
    w.line(0, 'Conditions:');
    w.line(1, 'Type\tStatus');
    for (const c of conditions) w.line(1, `${c.type ?? ''} \t${c.status ?? ''} `);
  }
  writeVolumes(w, spec.volumes, false);
  w.field(0, 'QoS Class', status.qosClass);
  w.map(0, 'Node-Selectors', spec.nodeSelector);
  w.items(0, 'Tolerations', (spec.tolerations ?? []).map(formatToleration));
}
