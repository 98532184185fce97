/**
 * Pure parsers of `ctr` 1.6 output: the tabwriter tables of `containers ls`, `tasks ls` and
 * `images ls`, the names `images import` stored, the JSON of `containers info` and `content get`,
 * the lines of `ctr events`, and the exit status `ctr tasks delete` reports. No I/O here: ctr.ts
 * runs the commands.
 */

/** One row of a ctr table, keyed by the header's column names (REF, DIGEST, TASK, PID, …). */
export type TableRow = Readonly<Record<string, string>>;

/**
 * ctr prints tables with Go's tabwriter (space padding), so every column starts at the offset of
 * its header in every row; a cell may itself hold spaces (images' SIZE "2.0 MiB").
 */
export function parseTable(stdout: string): TableRow[] {
  const lines = stdout.split('\n').filter((l) => l.trim() !== '');
  if (lines.length === 0) return [];
  const columns = [...lines[0].matchAll(/\S+/g)].map((m) => ({ name: m[0], start: m.index ?? 0 }));
  return lines.slice(1).map((line) => {
    const row: Record<string, string> = {};
    columns.forEach((col, i) => {
      const end = i + 1 < columns.length ? columns[i + 1].start : line.length;
      row[col.name] = line.slice(col.start, end).trim();
    });
    return row;
  });
}

/** `ctr containers ls -q`: one id a line. */
export function parseIdLines(stdout: string): string[] {
  return stdout.split('\n').map((l) => l.trim()).filter(Boolean);
}

export const TaskStatus = { Created: 'CREATED', Running: 'RUNNING', Stopped: 'STOPPED', Paused: 'PAUSED', Pausing: 'PAUSING', Unknown: 'UNKNOWN' } as const;
export type TaskStatus = (typeof TaskStatus)[keyof typeof TaskStatus];

export type TaskRow = Readonly<{ id: string; pid: number; status: TaskStatus }>;

/** `ctr tasks ls`: TASK PID STATUS. */
export function parseTaskList(stdout: string): TaskRow[] {
  const known = new Set<string>(Object.values(TaskStatus));
  return parseTable(stdout).map((r) => ({
    id: r.TASK,
    pid: Number(r.PID) || 0,
    status: (known.has(r.STATUS) ? r.STATUS : TaskStatus.Unknown) as TaskStatus,
  }));
}

export type ImageRow = Readonly<{ ref: string; mediaType: string; digest: string; size: string; platforms: readonly string[] }>;

/**
 * `ctr images ls`: REF TYPE DIGEST SIZE PLATFORMS LABELS, read by its words rather than by the
 * header's offsets (SIZE is always two words, `1.9 MiB`; only LABELS may hold spaces), so a row
 * wider than its header still parses. PLATFORMS `-` is none.
 */
export function parseImageList(stdout: string): ImageRow[] {
  const rows: ImageRow[] = [];
  for (const line of stdout.split('\n').filter((l) => l.trim() !== '').slice(1)) {
    const m = /^(\S+)\s+(\S+)\s+(\S+:\S+)\s+(\S+ \S+)\s+(\S+)(?:\s+.*)?$/.exec(line.trim());
    if (m) rows.push({ ref: m[1], mediaType: m[2], digest: m[3], size: m[4], platforms: m[5] === '-' ? [] : m[5].split(',').filter(Boolean) });
  }
  return rows;
}

/** `ctr images import`: the names it stored, from its `unpacking NAME (sha256:…)...done` lines. */
export function parseImportedNames(stdout: string): string[] {
  return [...stdout.matchAll(/^unpacking (\S+) \(sha256:[0-9a-f]{64}\)/gm)].map((m) => m[1]);
}

export type ContainerInfo = Readonly<{
  id: string;
  labels: Readonly<Record<string, string>>;
  image: string;
  createdAtMs: number;
  snapshotKey: string;
  /** The OCI spec's linux.cgroupsPath, where the container's cgroup lives while its task exists. */
  cgroupsPath?: string;
}>;

/** `ctr containers info ID`: the container record as JSON (Go field names), the OCI spec inline. */
export function parseContainerInfo(stdout: string): ContainerInfo {
  const raw = JSON.parse(stdout) as {
    ID: string;
    Labels?: Record<string, string> | null;
    Image?: string;
    CreatedAt?: string;
    SnapshotKey?: string;
    Spec?: { linux?: { cgroupsPath?: string } } | null;
  };
  return {
    id: raw.ID,
    labels: raw.Labels ?? {},
    image: raw.Image ?? '',
    createdAtMs: raw.CreatedAt ? Date.parse(raw.CreatedAt) : 0,
    snapshotKey: raw.SnapshotKey ?? '',
    ...(raw.Spec?.linux?.cgroupsPath ? { cgroupsPath: raw.Spec.linux.cgroupsPath } : {}),
  };
}

/** One line of `ctr events`: `<Go time> <namespace> <topic> <json>`. */
export type CtrEvent = Readonly<{ atMs: number; namespace: string; topic: string; payload: Readonly<Record<string, unknown>> }>;

const EVENT_LINE = /^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(?:\.\d+)?) ([+-]\d{4}) \S+ (\S+) (\/\S+) (\{.*\})\s*$/;

/** undefined for anything that is not an event line (ctr's own log lines, blank lines). */
export function parseEventLine(line: string): CtrEvent | undefined {
  const m = EVENT_LINE.exec(line);
  if (!m) return undefined;
  let payload: Record<string, unknown>;
  try {
    payload = JSON.parse(m[5]) as Record<string, unknown>;
  } catch {
    return undefined;
  }
  return { atMs: parseGoTime(m[1], m[2]), namespace: m[3], topic: m[4], payload };
}

/** "2026-11-27 18:10:18.300559369" + "+0000" → ms since the epoch (sub-ms digits dropped). */
function parseGoTime(dateTime: string, offset: string): number {
  const [date, time] = dateTime.split(' ');
  const [hms, frac = ''] = time.split('.');
  return Date.parse(`${date}T${hms}.${(frac + '000').slice(0, 3)}${offset.slice(0, 3)}:${offset.slice(3)}`);
}

/** The events the runtime acts on, typed. Field names are containerd's (events.TaskExit, TaskOOM, TaskStart). */
export type TaskEvent =
  | Readonly<{ kind: 'exit'; containerId: string; processId: string; exitCode: number; exitedAtMs: number }>
  | Readonly<{ kind: 'oom'; containerId: string; atMs: number }>
  | Readonly<{ kind: 'start'; containerId: string; pid: number; atMs: number }>;

export function toTaskEvent(e: CtrEvent): TaskEvent | undefined {
  const p = e.payload;
  const containerId = typeof p.container_id === 'string' ? p.container_id : undefined;
  if (!containerId) return undefined;
  switch (e.topic) {
    case '/tasks/exit':
      // exit_status is omitted from the JSON when 0 (protobuf omitempty).
      return {
        kind: 'exit',
        containerId,
        processId: typeof p.id === 'string' ? p.id : containerId,
        exitCode: typeof p.exit_status === 'number' ? p.exit_status : 0,
        exitedAtMs: typeof p.exited_at === 'string' ? Date.parse(p.exited_at) : e.atMs,
      };
    case '/tasks/oom':
      return { kind: 'oom', containerId, atMs: e.atMs };
    case '/tasks/start':
      return { kind: 'start', containerId, pid: typeof p.pid === 'number' ? p.pid : 0, atMs: e.atMs };
    default:
      return undefined;
  }
}

/**
 * `ctr tasks delete` exits 0 whatever the task's status was and only warns
 * "task X exit with non-zero exit code N" on stderr; no warning means 0.
 */
export function parseTaskDeleteExitCode(stderr: string): number {
  const m = /exit with non-zero exit code (\d+)/.exec(stderr);
  return m ? Number(m[1]) : 0;
}

/** What an image's config says about its process (OCI image config `config`). */
export type ImageProcessConfig = Readonly<{
  entrypoint: readonly string[];
  cmd: readonly string[];
  env: readonly string[];
  workingDir: string;
  stopSignal?: string;
}>;

type Descriptor = { mediaType?: string; digest: string; platform?: { os?: string; architecture?: string; variant?: string } };

/** A manifest list / OCI index → the digest of the manifest for the platform, else undefined (it is a manifest). */
export function pickManifest(indexOrManifest: string, platform: { os: string; architecture: string }): string | undefined {
  const doc = JSON.parse(indexOrManifest) as { manifests?: Descriptor[] };
  if (!Array.isArray(doc.manifests)) return undefined;
  const match = doc.manifests.find((m) => m.platform?.os === platform.os && m.platform?.architecture === platform.architecture)
    ?? doc.manifests.find((m) => !m.platform);
  if (!match) throw new Error(`no manifest for ${platform.os}/${platform.architecture} in the image index`);
  return match.digest;
}

/** A manifest → its config blob's digest. */
export function manifestConfigDigest(manifest: string): string {
  const doc = JSON.parse(manifest) as { config?: Descriptor };
  if (!doc.config?.digest) throw new Error('image manifest has no config');
  return doc.config.digest;
}

export function parseImageConfig(configJson: string): ImageProcessConfig {
  const doc = JSON.parse(configJson) as {
    config?: { Entrypoint?: string[] | null; Cmd?: string[] | null; Env?: string[] | null; WorkingDir?: string; StopSignal?: string } | null;
  };
  const c = doc.config ?? {};
  return {
    entrypoint: c.Entrypoint ?? [],
    cmd: c.Cmd ?? [],
    env: c.Env ?? [],
    workingDir: c.WorkingDir ?? '',
    ...(c.StopSignal ? { stopSignal: c.StopSignal } : {}),
  };
}
