/**
 * Images for real nodes: build a small OCI image from a root-filesystem directory (no registry
 * needed), image names as docker and containerd normalize them, and the kubelet's imagePullPolicy
 * rules. Pure or file-system only: putting images into containerd's store (import, pull, list,
 * remove) is runtime/containerd/images.ts, through its one `ctr` wrapper.
 */
export { tarArchive, type TarEntry, type TarOptions } from './tar';
export { treeEntries } from './rootfs-tree';
export { buildImage, imageFromEntries, ImageFormat, type BuildOptions, type BuiltImage } from './oci-image';
export { dockerArchive } from './docker-archive';
export { MediaType, CONTAINERD_IMAGE_NAME, OCI_REF_NAME, goArch, hostPlatform, sha256Digest, type RunConfig, type Platform } from './image-config';
export { parseImageRef, formatImageRef, normalizeImageName, repoDigest, type ImageRef } from './image-name';
export { busyboxRootfs, HOST_BUSYBOX } from './rootfs';
export {
  PullPolicy, defaultPullPolicy, pullDecision, neverPullMessage, pullStep, pullFailed, pullBackOff, pullBackOffMs, type ImageWaiting, type PullStep,
} from './pull-policy';
export { errors, ImageError, ImageBuildError, ImageNameError } from './errors';
