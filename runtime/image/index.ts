/**
 * Images for real nodes: build a small OCI image from a root-filesystem directory (no registry
 * needed), import archives into containerd, pull when a registry is reachable, and the kubelet's
 * imagePullPolicy rules. Through `ctr`; no Docker.
 */
export { tarArchive, type TarEntry, type TarOptions } from './tar';
export { treeEntries } from './rootfs-tree';
export { buildImage, imageFromEntries, ImageFormat, type BuildOptions, type BuiltImage } from './oci-image';
export { dockerArchive } from './docker-archive';
export { MediaType, CONTAINERD_IMAGE_NAME, OCI_REF_NAME, hostPlatform, sha256Digest, type RunConfig, type Platform } from './image-config';
export { parseImageRef, formatImageRef, normalizeImageName, type ImageRef } from './image-name';
export { busyboxRootfs, HOST_BUSYBOX } from './rootfs';
export {
  runCtr, importImage, importArchive, listImages, findImage, removeImage, pullImage, pullFailure,
  DEFAULT_CONTAINERD_ADDRESS, DEFAULT_CONTAINERD_NAMESPACE, type Ctr, type ImageInfo,
} from './ctr-images';
export { PullPolicy, defaultPullPolicy, pullStep, pullFailed, pullBackOff, pullBackOffMs, type ImageWaiting, type PullStep } from './pull-policy';
export { errors, ImageError, ImageBuildError, ImageNameError, CtrError, ImagePullError, PullFailure } from './errors';
