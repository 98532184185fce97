/** runtime/containerd: the node agent's container runtime on containerd, through `ctr`. */
export { ContainerdRuntime, type ContainerdRuntimeConfig, type ExecPipes, type ExecTty, type RuntimeChange } from './containerd-runtime';
export { ensureContainerd, containerdAnswers, type ContainerdDaemon, type EnsureContainerdOptions } from './daemon';
export { ensureSandbox, removeSandbox, listSandboxes, sandboxName, type Sandbox, type SandboxOptions } from './sandbox';
export { ensureImage, findImage, listImages, importImage, importArchive, removeImage, pullImage, readImageConfig, type ResolvedImage, type PullOptions, type ImportOptions } from './images';
export { containerId, type StartSpec, type PodRef, type ContainerSpec, type BindMount } from './container-spec';
export { LABEL } from './labels';
export { CtrError, CtrErrorKind, ImagePullError, ImagePullReason, PullFailure, ContainerStartError, ContainerdUnavailableError } from './errors';
export { createCtr, DEFAULT_CONTAINERD_ADDRESS, DEFAULT_CONTAINERD_NAMESPACE, type Ctr } from './ctr';
