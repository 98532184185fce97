/**
 * `skiff image build|import|pull|ls|rm`: images in the local node's containerd, through the
 * runtime's own `ctr` wrapper and image store (runtime/containerd/images.ts). `build` makes a
 * one-layer image from a root-filesystem directory (runtime/image/), so a machine with no registry
 * can still run pods. A failed ctr call is one line: ctr's own message.
 */
import { mkdtemp, rm as removeDir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildImage, busyboxRootfs, ImageFormat, HOST_BUSYBOX, type BuiltImage } from '../../runtime/image';
import { existsSync } from 'node:fs';
import { containerdDirs } from '../../runtime/containerd/daemon';
import { defaultDataDir } from '../data-dir';
import { createCtr, DEFAULT_CONTAINERD_ADDRESS, DEFAULT_CONTAINERD_NAMESPACE, type Ctr } from '../../runtime/containerd/ctr';
import { CtrError, ImagePullError, PullFailure } from '../../runtime/containerd/errors';
import { importArchive, importImage, listImages, pullImage, removeImage } from '../../runtime/containerd/images';
import { helpFlag, parseArgs, type FlagSpecs } from '../args';
import type { CliContext } from '../context';
import { CliError } from '../errors';
import { GET_TABLE, Tabwriter } from '../tabwriter';

const containerdFlags = {
  'containerd-address': { kind: 'string' },
  'containerd-namespace': { kind: 'string' },
  help: helpFlag,
} as const satisfies FlagSpecs;

const buildFlags = {
  ...containerdFlags,
  tag: { kind: 'string', short: 't' },
  output: { kind: 'string', short: 'o' },
  entrypoint: { kind: 'string' },
  cmd: { kind: 'list' },
  env: { kind: 'list', short: 'e' },
  workdir: { kind: 'string', short: 'w' },
  user: { kind: 'string', short: 'u' },
  format: { kind: 'string' },
  epoch: { kind: 'string' },
  busybox: { kind: 'boolean' },
} as const satisfies FlagSpecs;

const CONTAINERD_HELP = `  --containerd-address   containerd's socket (default $CONTAINERD_ADDRESS, else ${DEFAULT_CONTAINERD_ADDRESS},
                         else the one skiff up started under its data dir)
  --containerd-namespace containerd namespace (default $CONTAINERD_NAMESPACE, else ${DEFAULT_CONTAINERD_NAMESPACE})`;

const USAGE = `Manage the images of this machine's containerd (the node's image store).

Usage:
  skiff image build DIR|--busybox -t NAME:TAG [--entrypoint PATH] [--cmd ARG]... [-e KEY=VALUE]...
                    [-w DIR] [-u USER] [--format oci|docker] [--epoch SECONDS] [-o FILE.tar]
  skiff image import FILE.tar [--all-platforms]
  skiff image pull NAME [--plain-http]
  skiff image ls [-q]
  skiff image rm NAME...

build turns a root-filesystem directory into a one-layer image and imports it (or, with -o, writes
the archive: OCI image layout by default, \`docker save\` format with --format docker). The same
directory gives the same digests. --busybox builds from a minimal root filesystem made of this
machine's static ${HOST_BUSYBOX} (sh, ls, wget, httpd, nc, … as applet links).
Names are normalized as docker does (busybox:1 is docker.io/library/busybox:1); for built images
use a name of your own, e.g. skiff.local/busybox:1.35.

import reads an OCI image layout or a \`docker save\` archive. pull needs a reachable registry.

Flags of every subcommand:
${CONTAINERD_HELP}
`;

const SUBCOMMANDS: Readonly<Record<string, (argv: string[], ctx: CliContext) => Promise<number>>> = { build, import: importFile, pull, ls, list: ls, rm, remove: rm };

export async function runImage(argv: string[], ctx: CliContext): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === undefined || sub === 'help' || sub === '--help' || sub === '-h') {
    ctx.stdout.write(USAGE);
    return 0;
  }
  const run = Object.hasOwn(SUBCOMMANDS, sub) ? SUBCOMMANDS[sub] : undefined;
  if (!run) throw new CliError(`unknown subcommand "${sub}" for "skiff image" (build, import, pull, ls, rm)`);
  return run(rest, ctx).catch((err: unknown) => {
    if (err instanceof CtrError) throw new CliError(err.detail, { cause: err });
    throw err;
  });
}

/** An archive ctr read and refused is said as such; ctr not running at all is said as it is. */
function cannotImport(what: string) {
  return (err: unknown): never => {
    if (err instanceof CtrError && err.exitCode !== null) throw new CliError(`cannot import ${what}: ${err.detail}`, { cause: err });
    throw err;
  };
}

async function build(argv: string[], ctx: CliContext): Promise<number> {
  const { flags, args } = parseArgs(argv, buildFlags);
  if (flags.help) return help(ctx);
  if (flags.busybox ? args.length > 0 : args.length !== 1) {
    throw new CliError(
      flags.busybox ? 'skiff image build --busybox takes no directory'
      : args.length === 0 ? 'skiff image build needs a root-filesystem directory: skiff image build DIR -t NAME:TAG'
      : `skiff image build takes one directory, got "${args.join(' ')}"`,
    );
  }
  if (!flags.tag) throw new CliError('skiff image build needs -t NAME:TAG (e.g. -t skiff.local/busybox:1.35)');
  const format = flags.format ?? 'oci';
  if (!Object.hasOwn(ImageFormat, format)) throw new CliError(`--format must be oci or docker, not "${format}"`);
  const env = flags.env ?? [];
  const badEnv = env.find((e) => !/^[^=]+=/.test(e));
  if (badEnv !== undefined) throw new CliError(`-e needs KEY=VALUE, got "${badEnv}"`);
  const epochSec = flags.epoch === undefined ? undefined : Number(flags.epoch);
  if (epochSec !== undefined && !(Number.isInteger(epochSec) && epochSec >= 0)) throw new CliError(`--epoch must be whole seconds since 1970, not "${flags.epoch}"`);

  const scratch = flags.busybox ? await mkdtemp(join(tmpdir(), 'skiff-busybox-')) : undefined;
  const rootfs = scratch === undefined ? args[0] : (await busyboxRootfs(join(scratch, 'rootfs'))).dir;
  const image = await buildImage({
    rootfs,
    name: flags.tag,
    format: format as ImageFormat,
    ...(flags.entrypoint === undefined ? {} : { entrypoint: [flags.entrypoint] }),
    ...(flags.cmd === undefined ? {} : { cmd: flags.cmd }),
    ...(env.length === 0 ? {} : { env }),
    ...(flags.workdir === undefined ? {} : { workingDir: flags.workdir }),
    ...(flags.user === undefined ? {} : { user: flags.user }),
    ...(epochSec === undefined ? {} : { epochSec }),
  }).finally(() => scratch !== undefined && removeDir(scratch, { recursive: true, force: true }));
  ctx.stdout.write(describeBuilt(image));
  if (flags.output !== undefined) {
    await writeFile(flags.output, image.archive);
    ctx.stdout.write(`wrote ${flags.output} (${mib(image.archive.length)})\n`);
    return 0;
  }
  const target = ctrOf(flags, ctx);
  const names = await importArchive(target, image.archive).catch(cannotImport('the archive'));
  ctx.stdout.write(`imported ${names.join(', ') || image.name} into containerd (${target.address}, namespace ${target.namespace})\n`);
  return 0;
}

function describeBuilt(image: BuiltImage): string {
  return [
    `built ${image.name} (${image.format}, ${image.entries} entries, layer ${mib(image.layer.size)} gzip / ${mib(image.layer.tarSize)} tar)`,
    ...(image.manifestDigest ? [`  manifest ${image.manifestDigest}`] : []),
    `  config   ${image.configDigest}`,
    `  diff_id  ${image.layer.diffId}`,
    '',
  ].join('\n');
}

async function importFile(argv: string[], ctx: CliContext): Promise<number> {
  const { flags, args } = parseArgs(argv, { ...containerdFlags, 'all-platforms': { kind: 'boolean' } });
  if (flags.help) return help(ctx);
  if (args.length !== 1) throw new CliError('skiff image import needs one archive: skiff image import FILE.tar');
  const target = ctrOf(flags, ctx);
  const names = await importImage(target, args[0], { allPlatforms: flags['all-platforms'] }).catch(cannotImport(args[0]));
  if (names.length === 0) throw new CliError(`${args[0]} holds no named image for this platform (try --all-platforms)`);
  for (const name of names) ctx.stdout.write(`imported ${name}\n`);
  return 0;
}

async function pull(argv: string[], ctx: CliContext): Promise<number> {
  const { flags, args } = parseArgs(argv, { ...containerdFlags, 'plain-http': { kind: 'boolean' } });
  if (flags.help) return help(ctx);
  if (args.length !== 1) throw new CliError('skiff image pull needs one image name: skiff image pull NAME[:TAG]');
  const name = await pullImage(ctrOf(flags, ctx), args[0], { plainHttp: flags['plain-http'], signal: ctx.signal }).catch((err: unknown) => {
    if (!(err instanceof ImagePullError)) throw err;
    const hint = err.failure === PullFailure.unreachable ? ' (no registry reachable: import the image with `skiff image import FILE.tar` or build one with `skiff image build DIR -t NAME:TAG`)' : '';
    throw new CliError(`failed to pull image "${err.ref ?? err.image}": ${err.detail ?? err.message}${hint}`, { cause: err });
  });
  ctx.stdout.write(`pulled ${name}\n`);
  return 0;
}

async function ls(argv: string[], ctx: CliContext): Promise<number> {
  const { flags, args } = parseArgs(argv, { ...containerdFlags, quiet: { kind: 'boolean', short: 'q' } });
  if (flags.help) return help(ctx);
  if (args.length > 0) throw new CliError(`skiff image ls takes no arguments, got "${args.join(' ')}"`);
  const images = await listImages(ctrOf(flags, ctx));
  if (flags.quiet) {
    ctx.stdout.write(images.map((i) => `${i.ref}\n`).join(''));
    return 0;
  }
  const rows = images.map((i) => [i.ref, i.digest.slice(0, 'sha256:'.length + 12), i.size, i.platforms.join(',') || '-'].join('\t'));
  ctx.stdout.write(new Tabwriter(GET_TABLE).format(['NAME\tDIGEST\tSIZE\tPLATFORMS', ...rows]));
  return 0;
}

async function rm(argv: string[], ctx: CliContext): Promise<number> {
  const { flags, args } = parseArgs(argv, containerdFlags);
  if (flags.help) return help(ctx);
  if (args.length === 0) throw new CliError('skiff image rm needs at least one image name');
  const target = ctrOf(flags, ctx);
  for (const name of args) {
    ctx.stdout.write(`removed ${await removeImage(target, name)}\n`);
  }
  return 0;
}

function help(ctx: CliContext): number {
  ctx.stdout.write(USAGE);
  return 0;
}

/**
 * The node's containerd: the flag, $CONTAINERD_ADDRESS, the machine's if its socket is there, else the
 * one `skiff up` starts under the data dir when the machine has none running.
 */
function ctrOf(flags: Readonly<{ 'containerd-address'?: string; 'containerd-namespace'?: string }>, ctx: CliContext): Ctr {
  const ours = containerdDirs(defaultDataDir(ctx.env)).address;
  return createCtr({
    address: flags['containerd-address'] ?? ctx.env.CONTAINERD_ADDRESS ?? (!existsSync(DEFAULT_CONTAINERD_ADDRESS) && existsSync(ours) ? ours : DEFAULT_CONTAINERD_ADDRESS),
    namespace: flags['containerd-namespace'] ?? ctx.env.CONTAINERD_NAMESPACE ?? DEFAULT_CONTAINERD_NAMESPACE,
  });
}

function mib(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}
