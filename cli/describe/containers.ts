/** Containers, volumes and pod templates, shared by the Pod, Deployment and ReplicaSet describers (kubectl's describeContainers). */
import { rfc1123z } from '../time';
import type { DescribeWriter } from './writer';

type Port = Readonly<{ name?: string; containerPort?: number; hostPort?: number; protocol?: string }>;
type EnvVar = Readonly<{
  name: string;
  value?: string;
  valueFrom?: Readonly<{
    configMapKeyRef?: Readonly<{ name?: string; key?: string; optional?: boolean }>;
    secretKeyRef?: Readonly<{ name?: string; key?: string; optional?: boolean }>;
    fieldRef?: Readonly<{ fieldPath?: string; apiVersion?: string }>;
    resourceFieldRef?: Readonly<{ resource?: string }>;
  }>;
}>;

export type Container = Readonly<{
  name: string;
  image?: string;
  command?: readonly string[];
  args?: readonly string[];
  ports?: readonly Port[];
  env?: readonly EnvVar[];
  resources?: Readonly<{ limits?: Readonly<Record<string, string>>; requests?: Readonly<Record<string, string>> }>;
  volumeMounts?: readonly Readonly<{ name: string; mountPath: string; readOnly?: boolean; subPath?: string }>[];
}>;

type State = Readonly<{
  running?: Readonly<{ startedAt?: string }>;
  waiting?: Readonly<{ reason?: string; message?: string }>;
  terminated?: Readonly<{ reason?: string; message?: string; exitCode?: number; signal?: number; startedAt?: string; finishedAt?: string }>;
}>;

export type ContainerStatus = Readonly<{
  name: string;
  containerID?: string;
  imageID?: string;
  state?: State;
  lastState?: State;
  ready?: boolean;
  restartCount?: number;
}>;

export type Toleration = Readonly<{ key?: string; operator?: string; value?: string; effect?: string; tolerationSeconds?: number }>;
export type Volume = Readonly<{ name: string } & Record<string, unknown>>;

export type PodSpec = Readonly<{
  containers?: readonly Container[];
  initContainers?: readonly Container[];
  volumes?: readonly Volume[];
  nodeSelector?: Readonly<Record<string, string>>;
  tolerations?: readonly Toleration[];
  nodeName?: string;
  serviceAccountName?: string;
  priority?: number;
}>;

export type PodTemplate = Readonly<{ metadata?: Readonly<{ labels?: Readonly<Record<string, string>>; annotations?: Readonly<Record<string, string>> }>; spec?: PodSpec }>;

/** `Pod Template:` of a Deployment or ReplicaSet. */
export function writePodTemplate(w: DescribeWriter, template: PodTemplate | undefined): void {
  w.line(0, 'Pod Template:');
  w.map(1, 'Labels', template?.metadata?.labels);
  if (template?.metadata?.annotations) w.map(1, 'Annotations', template.metadata.annotations, ': ');
  const spec = template?.spec ?? {};
  if (spec.serviceAccountName) w.field(1, 'Service Account', spec.serviceAccountName);
  if (spec.initContainers?.length) writeContainers(w, 'Init Containers', spec.initContainers, [], true);
  writeContainers(w, 'Containers', spec.containers ?? [], [], true);
  writeVolumes(w, spec.volumes, true);
  w.map(1, 'Node-Selectors', spec.nodeSelector);
  w.items(1, 'Tolerations', (spec.tolerations ?? []).map(formatToleration));
}

/**
 * A pod's containers (title at level 0, names at 1) or a template's (title at 1, names one space
 * deeper); details always at level 2, as kubectl lays them out.
 */
export function writeContainers(
  w: DescribeWriter,
  title: string,
  containers: readonly Container[],
  statuses: readonly ContainerStatus[],
  inTemplate: boolean,
): void {
  const level = inTemplate ? 1 : 0;
  if (containers.length === 0) {
    w.field(level, title, '<none>');
    return;
  }
  w.line(level, `${title}:`);
  const inner = 2;
  for (const c of containers) {
    const status = statuses.find((s) => s.name === c.name);
    w.line(1, `${inTemplate ? ' ' : ''}${c.name}:`);
    if (status) w.line(inner, `Container ID:\t${status.containerID ?? ''}`);
    w.field(inner, 'Image', c.image);
    if (status) w.line(inner, `Image ID:\t${status.imageID ?? ''}`);
    const ports = c.ports ?? [];
    writePorts(w, inner, 'Port', ports.map((p) => `${p.containerPort ?? 0}/${p.protocol ?? 'TCP'}`));
    writePorts(w, inner, 'Host Port', ports.map((p) => `${p.hostPort ?? 0}/${p.protocol ?? 'TCP'}`));
    writeLines(w, inner, 'Command', c.command);
    writeLines(w, inner, 'Args', c.args);
    if (status) {
      writeState(w, inner, 'State', status.state);
      if (status.lastState?.terminated) writeState(w, inner, 'Last State', status.lastState);
      w.field(inner, 'Ready', status.ready ?? false);
      w.field(inner, 'Restart Count', status.restartCount ?? 0);
    }
    writeQuantities(w, inner, 'Limits', c.resources?.limits);
    writeQuantities(w, inner, 'Requests', c.resources?.requests);
    writeEnvironment(w, inner, c.env ?? []);
    const mounts = [...(c.volumeMounts ?? [])].sort((a, b) => a.mountPath.localeCompare(b.mountPath));
    if (mounts.length === 0) w.field(inner, 'Mounts', '<none>');
    else {
      w.line(inner, 'Mounts:');
      for (const m of mounts) w.line(inner + 1, `${m.mountPath} from ${m.name} (${m.readOnly ? 'ro' : 'rw'}${m.subPath ? `,path="${m.subPath}"` : ''})`);
    }
  }
}

/** Laid out like containers: a template's volume names sit one space deeper. */
export function writeVolumes(w: DescribeWriter, volumes: readonly Volume[] | undefined, inTemplate: boolean): void {
  const level = inTemplate ? 1 : 0;
  if (!volumes?.length) {
    w.field(level, 'Volumes', '<none>');
    return;
  }
  w.line(level, 'Volumes:');
  for (const volume of volumes) {
    w.line(1, `${inTemplate ? ' ' : ''}${volume.name}:`);
    // The volume source is the one key besides `name`; its scalar fields are what kubectl shows.
    const [sourceType, source] = Object.entries(volume).find(([key]) => key !== 'name') ?? ['', undefined];
    if (!sourceType) continue;
    w.field(2, 'Type', capitalized(sourceType));
    if (typeof source === 'object' && source !== null) {
      for (const [key, value] of Object.entries(source)) {
        if (typeof value !== 'object') w.field(2, capitalized(key), value as string | number | boolean);
      }
    }
  }
}

function capitalized(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** `key=value:NoSchedule op=Exists for 300s` (printTolerationsMultiline). */
export function formatToleration(t: Toleration): string {
  let text = t.key ?? '';
  if (t.value) text += `=${t.value}`;
  if (t.effect) text += `:${t.effect}`;
  if (t.operator === 'Exists' && !t.value) text += t.key || t.effect ? ' op=Exists' : 'op=Exists';
  if (t.tolerationSeconds !== undefined) text += ` for ${t.tolerationSeconds}s`;
  return text;
}

/** One port stays on the `Port:` line; several become `Ports:  80/TCP, 443/TCP`. */
function writePorts(w: DescribeWriter, level: number, label: string, ports: readonly string[]): void {
  if (ports.length > 1) w.field(level, `${label}s`, ports.join(', '));
  else w.field(level, label, ports.at(0));
}

function writeLines(w: DescribeWriter, level: number, label: string, values: readonly string[] | undefined): void {
  if (!values?.length) return;
  w.line(level, `${label}:`);
  for (const value of values) for (const line of value.split('\n')) w.line(level + 1, line);
}

function writeQuantities(w: DescribeWriter, level: number, label: string, quantities: Readonly<Record<string, string>> | undefined): void {
  const names = Object.keys(quantities ?? {}).sort();
  if (names.length === 0) return;
  w.line(level, `${label}:`);
  for (const name of names) w.field(level + 1, name, quantities?.[name]);
}

function writeState(w: DescribeWriter, level: number, label: string, state: State | undefined): void {
  if (state?.running) {
    w.field(level, label, 'Running');
    w.field(level + 1, 'Started', rfc1123z(state.running.startedAt));
  } else if (state?.terminated) {
    const t = state.terminated;
    w.field(level, label, 'Terminated');
    if (t.reason) w.field(level + 1, 'Reason', t.reason);
    if (t.message) w.field(level + 1, 'Message', t.message);
    w.field(level + 1, 'Exit Code', t.exitCode ?? 0);
    if (t.signal) w.field(level + 1, 'Signal', t.signal);
    w.field(level + 1, 'Started', rfc1123z(t.startedAt));
    w.field(level + 1, 'Finished', rfc1123z(t.finishedAt));
  } else {
    w.field(level, label, 'Waiting');
    if (state?.waiting?.reason) w.field(level + 1, 'Reason', state.waiting.reason);
  }
}

/** Values from config maps and secrets are named, never shown. */
function writeEnvironment(w: DescribeWriter, level: number, env: readonly EnvVar[]): void {
  if (env.length === 0) {
    w.field(level, 'Environment', '<none>');
    return;
  }
  w.line(level, 'Environment:');
  for (const e of env) {
    const from = e.valueFrom;
    const optional = (ref: Readonly<{ optional?: boolean }>): string => `Optional: ${ref.optional ?? false}`;
    let value: string;
    if (from?.configMapKeyRef) value = `<set to the key '${from.configMapKeyRef.key}' of config map '${from.configMapKeyRef.name}'>\t${optional(from.configMapKeyRef)}`;
    else if (from?.secretKeyRef) value = `<set to the key '${from.secretKeyRef.key}' in secret '${from.secretKeyRef.name}'>\t${optional(from.secretKeyRef)}`;
    else if (from?.fieldRef) value = `(${from.fieldRef.apiVersion ?? 'v1'}:${from.fieldRef.fieldPath})`;
    else if (from?.resourceFieldRef) value = `(${from.resourceFieldRef.resource})`;
    else value = e.value ?? '';
    w.line(level + 1, `${e.name}:\t${value}`);
  }
}
