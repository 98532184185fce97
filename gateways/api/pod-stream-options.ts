/**
 * What `pods/log` and `pods/exec` requests ask for, and whether the pod can give it: query
 * parsing as kube-apiserver decodes PodLogOptions and PodExecOptions, its container choice, and
 * the kubelet's checks of container state — each with upstream's status code and wording. Pure.
 */
import type { FieldCause, KubeObject } from '../../actors/kinds/types';
import { reject } from '../../actors/rejection';

export type PodLogOptions = Readonly<{
  container?: string;
  follow: boolean;
  previous: boolean;
  timestamps: boolean;
  tailLines?: number;
  limitBytes?: number;
  /** sinceSeconds or sinceTime, as a time (ms since the epoch). */
  sinceMs?: number;
}>;

export type PodExecOptions = Readonly<{
  container?: string;
  command: readonly string[];
  stdin: boolean;
  stdout: boolean;
  stderr: boolean;
  tty: boolean;
}>;

/** PodLogOptions from the query; 400 for values that do not parse, 422 for values Kubernetes refuses. */
export function podLogOptionsOf(q: URLSearchParams, podName: string, nowMs: number): PodLogOptions {
  const tailLines = intParam(q, 'tailLines');
  const limitBytes = intParam(q, 'limitBytes');
  const sinceSeconds = intParam(q, 'sinceSeconds');
  const sinceTime = q.get('sinceTime') ?? undefined;
  const causes: FieldCause[] = [];
  if (tailLines !== undefined && tailLines < 0) causes.push(invalid('tailLines', tailLines, 'must be greater than or equal to 0'));
  if (limitBytes !== undefined && limitBytes < 1) causes.push(invalid('limitBytes', limitBytes, 'must be greater than 0'));
  if (sinceSeconds !== undefined && sinceTime !== undefined) {
    causes.push({ reason: 'FieldValueForbidden', field: '', message: 'Forbidden: at most one of `sinceTime` or `sinceSeconds` may be specified' });
  } else if (sinceSeconds !== undefined && sinceSeconds < 1) {
    causes.push(invalid('sinceSeconds', sinceSeconds, 'must be greater than 0'));
  }
  if (causes.length > 0) throw reject.invalid('', 'PodLogOptions', podName, causes);
  const sinceMs = sinceSeconds !== undefined ? nowMs - sinceSeconds * 1000 : sinceTime !== undefined ? timeParam(sinceTime) : undefined;
  return {
    ...(q.get('container') ? { container: q.get('container') as string } : {}),
    follow: boolParam(q, 'follow'),
    previous: boolParam(q, 'previous'),
    timestamps: boolParam(q, 'timestamps'),
    ...(tailLines !== undefined ? { tailLines } : {}),
    ...(limitBytes !== undefined ? { limitBytes } : {}),
    ...(sinceMs !== undefined ? { sinceMs } : {}),
  };
}

/** PodExecOptions from the query: `command` repeated once per argv element. */
export function podExecOptionsOf(q: URLSearchParams): PodExecOptions {
  const command = q.getAll('command');
  const options = {
    ...(q.get('container') ? { container: q.get('container') as string } : {}),
    command,
    stdin: boolParam(q, 'stdin'),
    stdout: boolParam(q, 'stdout'),
    stderr: boolParam(q, 'stderr'),
    tty: boolParam(q, 'tty'),
  };
  if (command.length === 0) throw reject.badRequest('you must specify at least one command for the container');
  if (!options.stdin && !options.stdout && !options.stderr) throw reject.badRequest('you must specify at least 1 of stdin, stdout, stderr');
  return options;
}

/**
 * Go's query decoding of a bool (apimachinery Convert_Slice_string_To_bool): absent is false,
 * "0", "f" and "false" in any case are false, anything else — even empty — is true.
 */
export function boolParam(q: URLSearchParams, name: string): boolean {
  const value = q.get(name);
  if (value === null) return false;
  return !(value === '0' || /^(f|false)$/i.test(value));
}

function intParam(q: URLSearchParams, name: string): number | undefined {
  const value = q.get(name);
  if (value === null) return undefined;
  if (!/^[+-]?\d+$/.test(value) || !Number.isSafeInteger(Number(value))) {
    throw reject.badRequest(`strconv.ParseInt: parsing ${JSON.stringify(value)}: invalid syntax`);
  }
  return Number(value);
}

function timeParam(value: string): number {
  const ms = Date.parse(value);
  if (!/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/.test(value) || Number.isNaN(ms)) {
    throw reject.badRequest(`parsing time ${JSON.stringify(value)} as "2006-01-02T15:04:05Z07:00": cannot parse`);
  }
  return ms;
}

function invalid(field: string, value: number, detail: string): FieldCause {
  return { reason: 'FieldValueInvalid', field, message: `Invalid value: ${value}: ${detail}` };
}

// ---- the pod ------------------------------------------------------------------------------------

type NamedContainer = { name: string };
type ContainerState = { waiting?: { reason?: string }; running?: unknown; terminated?: { containerID?: string } };
type ContainerStatus = { name: string; containerID?: string; state?: ContainerState; lastState?: ContainerState };
type PodView = {
  spec?: { nodeName?: string; containers?: NamedContainer[]; initContainers?: NamedContainer[]; ephemeralContainers?: NamedContainer[] };
  status?: { containerStatuses?: ContainerStatus[]; initContainerStatuses?: ContainerStatus[]; ephemeralContainerStatuses?: ContainerStatus[] };
};

const viewOf = (pod: KubeObject) => pod as unknown as PodView;
const namesOf = (containers: NamedContainer[] | undefined) => (containers ?? []).map((c) => c.name);

export function nodeNameOf(pod: KubeObject): string | undefined {
  return viewOf(pod).spec?.nodeName || undefined;
}

/** Every container name of the pod, in kube's VisitContainers order: init, regular, ephemeral. */
function allContainerNames(pod: KubeObject): string[] {
  const spec = viewOf(pod).spec;
  return [...namesOf(spec?.initContainers), ...namesOf(spec?.containers), ...namesOf(spec?.ephemeralContainers)];
}

/**
 * The container a request is for (kube-apiserver's validateContainer for logs, streamLocation for
 * exec): the one named, else the pod's only container. Their messages differ in how they list
 * the choices: logs name every container (init first), exec the app containers, then the init ones.
 */
export function containerOf(pod: KubeObject, requested: string | undefined, purpose: 'log' | 'exec'): string {
  const name = pod.metadata.name ?? '';
  if (requested) {
    if (!allContainerNames(pod).includes(requested)) throw reject.badRequest(`container ${requested} is not valid for pod ${name}`);
    return requested;
  }
  const spec = viewOf(pod).spec;
  const containers = namesOf(spec?.containers);
  if (containers.length === 1) return containers[0];
  if (containers.length === 0) throw reject.badRequest(`a container name must be specified for pod ${name}`);
  const init = namesOf(spec?.initContainers);
  const choices = purpose === 'log'
    ? `[${allContainerNames(pod).join(' ')}]`
    : `[${containers.join(' ')}]${init.length > 0 ? ` or one of the init containers: [${init.join(' ')}]` : ''}`;
  throw reject.badRequest(`a container name must be specified for pod ${name}, choose one of: ${choices}`);
}

function statusOf(pod: KubeObject, container: string): ContainerStatus | undefined {
  const status = viewOf(pod).status;
  return [...(status?.containerStatuses ?? []), ...(status?.initContainerStatuses ?? []), ...(status?.ephemeralContainerStatuses ?? [])].find((s) => s.name === container);
}

/**
 * Why there is no log to read, in the kubelet's words (validateContainerLogStatus), or undefined
 * when there is one. Judged from the pod's status as its node agent reported it.
 */
export function logUnavailable(pod: KubeObject, container: string, previous: boolean): string | undefined {
  const pod_ = JSON.stringify(pod.metadata.name ?? '');
  const container_ = JSON.stringify(container);
  const status = statusOf(pod, container);
  if (!status) return `container ${container_} in pod ${pod_} is not available`;
  const last = status.lastState?.terminated;
  const { waiting, running, terminated } = status.state ?? {};
  if (previous) return last?.containerID ? undefined : `previous terminated container ${container_} in pod ${pod_} not found`;
  if (running) return undefined;
  if (terminated) return terminated.containerID || last?.containerID ? undefined : `container ${container_} in pod ${pod_} is terminated`;
  if (last) return last.containerID ? undefined : `container ${container_} in pod ${pod_} is terminated`;
  if (waiting) {
    const reason = waiting.reason ?? '';
    if (reason === 'ErrImagePull') return `container ${container_} in pod ${pod_} is waiting to start: image can't be pulled`;
    if (reason === 'ImagePullBackOff') return `container ${container_} in pod ${pod_} is waiting to start: trying and failing to pull image`;
    return `container ${container_} in pod ${pod_} is waiting to start: ${reason}`;
  }
  return `container ${container_} in pod ${pod_} is waiting to start - no logs yet`;
}

/** Why a command cannot run in the container now (the kubelet finds no running container), or undefined. */
export function execUnavailable(pod: KubeObject, container: string): string | undefined {
  return statusOf(pod, container)?.state?.running ? undefined : `container not found (${JSON.stringify(container)})`;
}
