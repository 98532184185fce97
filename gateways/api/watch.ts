import { apiVersionOf } from '../../actors/kinds/registry';
import type { KubeObject } from '../../actors/kinds/types';
import { scopeKey, type Change, type ChangeType } from '../../projections/object-store';
import { changeOf } from '../../projections/objects.projection';
import { COMMON_HEADERS, wantsTable } from './http';
import { listFilterOf, listPage, matches, type ListFilter } from './list-query';
import type { ResourceDeps, ResourceRequest } from './resources';
import { includeObjectOf } from './resources';
import { buildTable } from './table';
import type { EventLog } from '../../eventlog/jetstream-log';

export type WatchDeps = ResourceDeps & Readonly<{ log: EventLog; bookmarkIntervalMs: number }>;

/** A watcher that has fallen this far behind (bytes buffered) is closed; it re-watches from its last resourceVersion. */
const MAX_BUFFERED_BYTES = 32 * 1024 * 1024;

/**
 * A watch: newline-delimited `{type, object}` over a chunked response, headers flushed at once.
 * Start points: none or "0" = the current objects as ADDED, then live; N = every change after N,
 * from the in-memory ring when it reaches back that far, else from the log itself; only a
 * resourceVersion older than the log's retention gets 410 Expired.
 */
export async function serveWatch(r: ResourceRequest, deps: ResourceDeps): Promise<void> {
  const { log, bookmarkIntervalMs } = deps as WatchDeps;
  const filter = listFilterOf(r.type, r.namespace, r.url.searchParams);
  const q = r.url.searchParams;
  const table = wantsTable(r.req);
  const includeObject = includeObjectOf(r.url);
  const scope = scopeKey({ group: r.type.group, resource: r.type.plural });
  const { res } = r;

  res.writeHead(200, { ...COMMON_HEADERS, 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' });
  res.flushHeaders();

  let closed = false;
  let headersSent = false;
  let sentUpTo = 0;
  const pending: Change[] = [];
  let replaying = true;

  const write = (type: ChangeType | 'BOOKMARK' | 'ERROR', object: unknown): void => {
    if (closed) return;
    res.write(`${JSON.stringify({ type, object })}\n`);
    if (res.writableLength > MAX_BUFFERED_BYTES) finish();
  };
  const emitObject = (type: ChangeType, object: KubeObject): void => {
    const shown = object.kind === 'Secret' ? deps.secrets.openSecret(object as KubeObject & { data?: Record<string, string> }) : object;
    if (!table) {
      write(type, shown);
      return;
    }
    write(type, buildTable([shown], { kind: r.type.kind, nowMs: deps.now(), includeObject, noHeaders: headersSent, resourceVersion: object.metadata.resourceVersion }));
    headersSent = true;
  };
  const emitChange = (change: Change): void => {
    if (change.scope !== scope || change.seq <= sentUpTo) return;
    sentUpTo = change.seq;
    const type = filteredType(filter, change);
    if (type) emitObject(type, change.object);
  };

  const unsubscribe = deps.projection.subscribe((change) => (replaying ? pending.push(change) : emitChange(change)));
  const timers: NodeJS.Timeout[] = [];
  const finish = (): void => {
    if (closed) return;
    closed = true;
    unsubscribe();
    timers.forEach(clearTimeout);
    res.end();
  };
  res.on('close', finish);

  const timeoutSeconds = Number(q.get('timeoutSeconds') ?? 0);
  if (timeoutSeconds > 0) timers.push(setTimeout(finish, timeoutSeconds * 1000));
  if (q.get('allowWatchBookmarks') === 'true') {
    const bookmark = setInterval(() => {
      if (!replaying) write('BOOKMARK', { kind: r.type.kind, apiVersion: apiVersionOf(r.type), metadata: { resourceVersion: String(Math.max(sentUpTo, deps.projection.position)) } });
    }, bookmarkIntervalMs);
    timers.push(bookmark);
  }

  const rv = q.get('resourceVersion');
  try {
    if (!rv || rv === '0') {
      sentUpTo = deps.projection.position;
      for (const object of listPage(deps.projection.store, filter, 0, null, sentUpTo).items) emitObject('ADDED', object);
    } else {
      const since = Number(rv);
      if (!Number.isInteger(since) || since < 0) throw new Error(`invalid resourceVersion "${rv}"`);
      sentUpTo = since;
      const inMemory = deps.projection.changesSince(since);
      if (inMemory) inMemory.forEach(emitChange);
      else if (!(await replayFromLog(log, since, deps.projection.position, emitChange))) {
        const first = await log.firstSequence();
        write('ERROR', { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', reason: 'Expired', code: 410, message: `too old resource version: ${since} (${first - 1})` });
        finish();
        return;
      }
    }
  } catch (err) {
    write('ERROR', { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', reason: 'BadRequest', code: 400, message: (err as Error).message });
    finish();
    return;
  }
  replaying = false;
  pending.splice(0).forEach(emitChange);
}

/**
 * Replays changes after `since` up to `to` straight from the log; false when the log no longer
 * holds them. The log has no "previous object" per change: the previous one replayed stands in,
 * and an object changed before the window is taken to have matched as it matches now.
 */
async function replayFromLog(log: EventLog, since: number, to: number, emit: (c: Change) => void): Promise<boolean> {
  if (since + 1 < (await log.firstSequence())) return false;
  const seen = new Map<string, KubeObject>();
  for await (const rec of log.read({ from: since + 1, to, filter: 'skiff.evt.>' })) {
    const change = changeOf(rec);
    if (!change) continue;
    const previous = seen.get(rec.envelope.subject) ?? (change.type === 'ADDED' ? undefined : change.object);
    seen.set(rec.envelope.subject, change.object);
    emit(previous ? { ...change, previous } : change);
  }
  return true;
}

/**
 * What a filtered watcher sees: an object that starts matching is ADDED, one that stops matching is
 * DELETED (as kube-apiserver does), one that never matched is nothing.
 */
function filteredType(filter: ListFilter, change: Change): ChangeType | undefined {
  const now = change.type !== 'DELETED' && matches(filter, change.object);
  const before = change.type === 'DELETED' ? matches(filter, change.object) : change.previous !== undefined && matches(filter, change.previous);
  if (change.type === 'DELETED') return before ? 'DELETED' : undefined;
  if (now && before) return 'MODIFIED';
  if (now) return 'ADDED';
  if (before) return 'DELETED';
  return undefined;
}
