/** runtime/containerd: the node agent's container runtime on containerd, through `ctr`. */
export { ContainerdRuntime, type ContainerdRuntimeConfig, type ExecPipes, type ExecTty, type RuntimeChange } from './containerd-runtime';
export { ensureContainerd, containerdAnswers, type ContainerdDaemon, type EnsureContainerdOptions } from './daemon';
export { ensureSandbox, removeSandbox, listSandboxes, sandboxName, type Sandbox, type SandboxOptions } from './sandbox';
export { ImagePullPolicy, type ResolvedImage } from './images';
export { containerId, type StartSpec, type PodRef, type ContainerSpec, type BindMount } from './container-spec';
export { LABEL } from './labels';
export { CtrError, CtrErrorKind, ImagePullError, ImagePullReason, ContainerStartError, ContainerdUnavailableError } from './errors';
export { createCtr, type Ctr } from './ctr';
