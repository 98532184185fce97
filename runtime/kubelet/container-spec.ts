import type { KubeObject } from '../../actors/kinds/types';
import { milliCpuOf, unitsOf } from '../../actors/scheduler/resources';
import { defaultPullPolicy, type PullPolicy } from '../image/pull-policy';
import { ConfigSources, type ObjectLookups } from './config-sources';
import {
  podFieldValue, resourceFieldValue,
  type ObjectFieldSelector, type PodAddresses, type ResourceFieldSelector, type ResourceList, type ResourceRequirements,
} from './downward-api';
import { PodConfigError } from './errors';
import { expand, mappingFor } from './expansion';
import type { ContainerSpec } from './pod-view';
import { containerMounts, type Mount, type VolumeMountSpec } from './volumes';

/**
 * From a pod and one of its containers to what the runtime needs to start it, as the kubelet's
 * GenerateRunContainerOptions and generateContainerConfig make it, pure: the environment
 * (makeEnvironmentVariables), command and args with `$(VAR)` expanded, the mounts (makeMounts),
 * and the cgroup numbers (calculateLinuxResources). A problem the user must fix comes back as
 * `CreateContainerConfigError` with the kubelet's message, which it also records as a
 * `Failed "Error: <message>"` event.
 *
 * Not here yet: the service links (KUBERNETES_SERVICE_HOST, `<SVC>_SERVICE_HOST` …, which come
 * with the networking), the managed /etc/hosts mount, the termination-log mount, securityContext,
 * oom_score_adj, and env vars from files (fileKeyRef).
 */

type KeySelector = Readonly<{ name?: string; key?: string; optional?: boolean }>;
type NameSelector = Readonly<{ name?: string; optional?: boolean }>;

export type EnvVarSpec = Readonly<{
  name: string;
  value?: string;
  valueFrom?: Readonly<{
    fieldRef?: ObjectFieldSelector;
    resourceFieldRef?: ResourceFieldSelector;
    configMapKeyRef?: KeySelector;
    secretKeyRef?: KeySelector;
  }>;
}>;

export type EnvFromSpec = Readonly<{ prefix?: string; configMapRef?: NameSelector; secretRef?: NameSelector }>;

export type ContainerPort = Readonly<{ name?: string; containerPort?: number; hostPort?: number; hostIP?: string; protocol?: string }>;

/** The parts of a core/v1 Container the launch reads. */
export type LaunchableContainer = Omit<ContainerSpec, 'ports'> &
  Readonly<{
    imagePullPolicy?: string;
    command?: readonly string[];
    args?: readonly string[];
    workingDir?: string;
    env?: readonly EnvVarSpec[];
    envFrom?: readonly EnvFromSpec[];
    volumeMounts?: readonly VolumeMountSpec[];
    resources?: ResourceRequirements;
    ports?: readonly ContainerPort[];
    tty?: boolean;
    stdin?: boolean;
    stdinOnce?: boolean;
  }>;

export type ContainerLaunchInput = Readonly<{
  /** The stored core/v1 Pod, bound to this node. */
  pod: KubeObject;
  containerName: string;
  /** Whether `containerName` is in `initContainers` (sidecars included) rather than `containers`. */
  init: boolean;
  /** The pod's directory on the host, e.g. `<dataDir>/pods/<uid>`: its volumes live under it. */
  podDir: string;
  lookups: ObjectLookups;
  /** The node's allocatable resources: a resourceFieldRef to an unset limit reads them. */
  nodeAllocatable?: ResourceList;
} & PodAddresses>;

/** The CRI LinuxContainerResources the kubelet asks for. */
export type LinuxResources = Readonly<{
  /** cpu.shares (cgroup v1; runc maps it to cpu.weight on v2): from requests.cpu, else limits.cpu; at least 2. */
  cpuShares: number;
  /** CFS quota and period, set only with a cpu limit: quota = millicores × period / 1000, at least 1000 µs. */
  cpuQuotaMicros?: number;
  cpuPeriodMicros?: number;
  /** From limits.memory; absent without a limit. */
  memoryLimitBytes?: number;
}>;

export type ContainerLaunch = Readonly<{
  name: string;
  init: boolean;
  image: string;
  imagePullPolicy: PullPolicy;
  /** Replaces the image's ENTRYPOINT; absent → the image's. */
  command?: readonly string[];
  /** Replaces the image's CMD; absent → the image's. */
  args?: readonly string[];
  /** In the order each name was first set (envFrom sources, then env); see docs/kubelet.md. */
  env: readonly (readonly [name: string, value: string])[];
  workingDir?: string;
  mounts: readonly Mount[];
  ports: readonly ContainerPort[];
  tty: boolean;
  stdin: boolean;
  stdinOnce: boolean;
  resources: LinuxResources;
}>;

export type ContainerLaunchResult =
  | Readonly<{ ok: true; launch: ContainerLaunch }>
  | Readonly<{ ok: false; reason: 'CreateContainerConfigError'; message: string }>;

export function containerLaunch(input: ContainerLaunchInput): ContainerLaunchResult {
  const { pod, init } = input;
  const container = containerOf(pod, input.containerName, init);
  if (container === undefined) {
    const list = init ? 'initContainers' : 'containers';
    return { ok: false, reason: 'CreateContainerConfigError', message: `container "${input.containerName}" is not in the pod's ${list}` };
  }
  try {
    const env = environment(pod, container, input);
    const mounts = containerMounts(pod, container, input.podDir, env);
    const mapping = mappingFor(env);
    const expandAll = (list: readonly string[] | undefined) => (list && list.length > 0 ? list.map((s) => expand(s, mapping)) : undefined);
    const command = expandAll(container.command);
    const args = expandAll(container.args);
    const image = container.image ?? '';
    const launch: ContainerLaunch = {
      name: container.name,
      init,
      image,
      imagePullPolicy: (container.imagePullPolicy as PullPolicy | undefined) ?? defaultPullPolicy(image),
      ...(command ? { command } : {}),
      ...(args ? { args } : {}),
      env: [...env],
      ...(container.workingDir ? { workingDir: container.workingDir } : {}),
      mounts,
      ports: (container.ports ?? []).map((p) => ({ ...p, protocol: p.protocol ?? 'TCP' })),
      tty: container.tty === true,
      stdin: container.stdin === true,
      stdinOnce: container.stdinOnce === true,
      resources: linuxResources(container.resources),
    };
    return { ok: true, launch };
  } catch (err) {
    if (err instanceof PodConfigError) return { ok: false, reason: 'CreateContainerConfigError', message: err.message };
    throw err;
  }
}

function containerOf(pod: KubeObject, name: string, init: boolean): LaunchableContainer | undefined {
  const spec = pod.spec as { containers?: readonly LaunchableContainer[]; initContainers?: readonly LaunchableContainer[] } | undefined;
  return (init ? spec?.initContainers : spec?.containers)?.find((c) => c.name === name);
}

/**
 * makeEnvironmentVariables: envFrom sources first (each key, with the prefix), then env in order,
 * a later definition replacing an earlier one. A literal value expands `$(VAR)` against what is
 * defined so far. Kubernetes hands the result to the runtime in Go map order (random); here a
 * name keeps the place where it was first set.
 */
function environment(pod: KubeObject, container: LaunchableContainer, input: ContainerLaunchInput): Map<string, string> {
  const sources = new ConfigSources(input.lookups, pod.metadata.namespace ?? '');
  const env = new Map<string, string>();
  for (const from of container.envFrom ?? []) {
    const prefix = from.prefix ?? '';
    if (from.configMapRef) {
      const configMap = sources.requiredConfigMap(from.configMapRef.name ?? '', from.configMapRef.optional === true);
      for (const [key, value] of configMap?.data ?? []) env.set(prefix + key, value);
    } else if (from.secretRef) {
      const secret = sources.requiredSecret(from.secretRef.name ?? '', from.secretRef.optional === true);
      for (const [key, value] of secret ?? []) env.set(prefix + key, value.toString('utf8'));
    }
  }
  const mapping = mappingFor(env);
  for (const variable of container.env ?? []) {
    const value = variable.value ? expand(variable.value, mapping) : valueFrom(variable, pod, container, sources, input);
    if (value !== undefined) env.set(variable.name, value);
  }
  return env;
}

/** An env var's valueFrom; `undefined` leaves the variable out (an optional source that is missing). */
function valueFrom(variable: EnvVarSpec, pod: KubeObject, container: LaunchableContainer, sources: ConfigSources, input: ContainerLaunchInput): string | undefined {
  const source = variable.valueFrom;
  if (source?.fieldRef) return podFieldValue(pod, source.fieldRef, input);
  if (source?.resourceFieldRef) return resourceFieldValue(pod, container, source.resourceFieldRef, input.nodeAllocatable);
  if (source?.configMapKeyRef) {
    const { name = '', key = '', optional = false } = source.configMapKeyRef;
    const configMap = sources.requiredConfigMap(name, optional);
    return configMap && keyOf(configMap.data.get(key), optional, () => `couldn't find key ${key} in ConfigMap ${sources.namespace}/${name}`);
  }
  if (source?.secretKeyRef) {
    const { name = '', key = '', optional = false } = source.secretKeyRef;
    const secret = sources.requiredSecret(name, optional);
    return secret && keyOf(secret.get(key)?.toString('utf8'), optional, () => `couldn't find key ${key} in Secret ${sources.namespace}/${name}`);
  }
  return '';
}

function keyOf(value: string | undefined, optional: boolean, missing: () => string): string | undefined {
  if (value === undefined && !optional) throw new PodConfigError(missing());
  return value;
}

// ---------------------------------------------------------------------------------------------
// cgroup numbers (pkg/kubelet/cm helpers and kuberuntime calculateLinuxResources)

const MIN_SHARES = 2;
const MAX_SHARES = 262_144;
const SHARES_PER_CPU = 1024;
const MILLI_CPU_TO_CPU = 1000;
/** The CFS period the kubelet uses unless the CPUCFSQuotaPeriod gate is on: 100 ms. */
export const QUOTA_PERIOD_MICROS = 100_000;
const MIN_QUOTA_PERIOD_MICROS = 1000;

/** MilliCPUToShares. */
export function milliCpuToShares(milliCpu: number): number {
  if (milliCpu === 0) return MIN_SHARES;
  const shares = Math.trunc((milliCpu * SHARES_PER_CPU) / MILLI_CPU_TO_CPU);
  return Math.min(MAX_SHARES, Math.max(MIN_SHARES, shares));
}

/** milliCPUToQuota: 0 (no quota) without a limit. */
export function milliCpuToQuota(milliCpu: number, periodMicros: number = QUOTA_PERIOD_MICROS): number {
  if (milliCpu === 0) return 0;
  return Math.max(MIN_QUOTA_PERIOD_MICROS, Math.trunc((milliCpu * periodMicros) / MILLI_CPU_TO_CPU));
}

/** calculateLinuxResources: a cpu limit without a request sets the shares too (as the API's defaulting would). */
export function linuxResources(resources: ResourceRequirements | undefined): LinuxResources {
  const requests = resources?.requests ?? {};
  const limits = resources?.limits ?? {};
  const limitMilliCpu = milliCpuOf(limits.cpu);
  const sharesFrom = !Object.hasOwn(requests, 'cpu') && limitMilliCpu !== 0 ? limitMilliCpu : milliCpuOf(requests.cpu);
  const quota = milliCpuToQuota(limitMilliCpu);
  const memory = unitsOf(limits.memory);
  return {
    cpuShares: milliCpuToShares(sharesFrom),
    ...(quota > 0 ? { cpuQuotaMicros: quota, cpuPeriodMicros: QUOTA_PERIOD_MICROS } : {}),
    ...(memory > 0 ? { memoryLimitBytes: memory } : {}),
  };
}
