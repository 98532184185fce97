/** Which container of a pod `logs` and `exec` talk to when none is named: kubectl's choice and notice. */
import type { KubeObject } from '../actors/kinds/types';
import type { Output } from './context';
import { CliError } from './errors';

export const DEFAULT_CONTAINER_ANNOTATION = 'kubectl.kubernetes.io/default-container';

type Named = { name: string };
type PodSpecView = { containers?: Named[]; initContainers?: Named[]; ephemeralContainers?: Named[] };

/**
 * The named container, else the annotation's, else the first (with kubectl's notice on stderr when
 * there was a choice: `Defaulted container "a" out of: a, b, setup (init)`).
 */
export function chooseContainer(pod: KubeObject, named: string | undefined, stderr: Output): string {
  if (named) return named;
  const spec = (pod.spec ?? {}) as PodSpecView;
  const containers = spec.containers ?? [];
  if (containers.length === 0) throw new CliError(`pod ${pod.metadata.namespace}/${pod.metadata.name} does not have any containers`);
  const annotated = pod.metadata.annotations?.[DEFAULT_CONTAINER_ANNOTATION];
  if (annotated && allContainers(spec).some((c) => c.name === annotated)) return annotated;
  const first = containers[0].name;
  if (containers.length > 1 || (spec.initContainers ?? []).length > 0 || (spec.ephemeralContainers ?? []).length > 0) {
    stderr.write(`Defaulted container ${JSON.stringify(first)} out of: ${allContainers(spec).map((c) => c.label).join(', ')}\n`);
  }
  return first;
}

function allContainers(spec: PodSpecView): { name: string; label: string }[] {
  return [
    ...(spec.initContainers ?? []).map((c) => ({ name: c.name, label: `${c.name} (init)` })),
    ...(spec.containers ?? []).map((c) => ({ name: c.name, label: c.name })),
    ...(spec.ephemeralContainers ?? []).map((c) => ({ name: c.name, label: `${c.name} (ephem)` })),
  ];
}
