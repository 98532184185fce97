/**
 * The process a container runs, by Kubernetes' rules (and containerd CRI's `getProcessArgs`):
 *
 * | command | args | runs                          |
 * | ------- | ---- | ----------------------------- |
 * | –       | –    | image ENTRYPOINT + image CMD  |
 * | set     | –    | command                       |
 * | –       | set  | image ENTRYPOINT + args       |
 * | set     | set  | command + args                |
 *
 * An empty list counts as not set; an ENTRYPOINT of [""] (Dockerfile `ENTRYPOINT []`-like reset) counts as none.
 */

export type CommandSpec = Readonly<{ command?: readonly string[]; args?: readonly string[] }>;
export type ImageDefaults = Readonly<{ entrypoint: readonly string[]; cmd: readonly string[] }>;

/** Whether the image's ENTRYPOINT/CMD are needed to know the process (no command given). */
export function needsImageDefaults(spec: CommandSpec): boolean {
  return !spec.command?.length;
}

export function processArgs(spec: CommandSpec, image: ImageDefaults | undefined): string[] {
  const args = spec.args?.length ? [...spec.args] : undefined;
  if (spec.command?.length) return [...spec.command, ...(args ?? [])];
  if (!image) throw new Error('the image config is needed when no command is given');
  const entrypoint = image.entrypoint.length === 1 && image.entrypoint[0] === '' ? [] : [...image.entrypoint];
  const argv = [...entrypoint, ...(args ?? image.cmd)];
  if (argv.length === 0) throw new Error('no command specified: the pod gives no command and the image has neither ENTRYPOINT nor CMD');
  return argv;
}
