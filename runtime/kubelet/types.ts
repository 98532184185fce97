/**
 * The vocabulary between the node agent's pure pod logic (what should happen to a pod's
 * containers) and a container runtime (what is really there). The pure side reads
 * `ObservedContainer`s and answers `RuntimeAction`s; the runtime side (runtime/containerd) carries
 * the actions out and observes the containers again. Neither knows the other's internals.
 */

/** A container as the runtime last saw it. One per (pod, container name, attempt) that still exists. */
export type ObservedContainer = Readonly<{
  /** Runtime id, e.g. containerd container id. */
  id: string;
  podUid: string;
  /** The container's name in the pod spec. */
  name: string;
  /** 0 for the first run of this container in this pod, then +1 per restart (restartCount). */
  attempt: number;
  /** Whether it is an init container (run to completion, in order, before the app containers). */
  init: boolean;
  state: 'created' | 'running' | 'exited' | 'unknown';
  /** ms since the epoch. */
  startedAtMs?: number;
  finishedAtMs?: number;
  exitCode?: number;
  /** Set by the runtime when it knows better than the exit code: OOMKilled when the cgroup's OOM killer ended it. */
  reason?: 'OOMKilled' | 'Error' | 'Completed';
  /** Set with `reason` when the runtime has words for it: why the process could not start (state.terminated.message). */
  message?: string;
  image: string;
  /** The resolved image id (digest), for containerStatuses[].imageID. */
  imageId: string;
  /**
   * Added with the pod logic (optional, so a runtime may leave it out): when the runtime was asked
   * to stop this container, set until it has exited. The pure side then does not ask again nor
   * record a second `Killing` event while a graceful stop is under way.
   */
  stopRequestedAtMs?: number;
}>;

/** What the pure pod logic asks the runtime to do. */
export type RuntimeAction =
  /** Pull (per imagePullPolicy) and start attempt `attempt` of the named container of the pod. */
  | Readonly<{ kind: 'start'; container: string; init: boolean; attempt: number }>
  /** Stop a running container: SIGTERM, then SIGKILL after graceMs. `preStop` is run first when the pod spec has one. */
  | Readonly<{
      kind: 'stop';
      id: string;
      graceMs: number;
      reason: string;
      /** Added with the pod logic: the container's `lifecycle.preStop.exec.command`, run inside it before SIGTERM, within graceMs. */
      preStop?: readonly string[];
    }>
  /** Forget an exited container the pod no longer needs (older attempts). */
  | Readonly<{ kind: 'remove'; id: string }>;
