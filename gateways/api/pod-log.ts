import type { ServerResponse } from 'node:http';
import { reject } from '../../actors/rejection';
import { openNodeStream } from '../../eventlog/streams/client';
import { COMMON_HEADERS } from './http';
import { containerOf, logUnavailable, nodeNameOf, podLogOptionsOf } from './pod-stream-options';
import { podFor, podRefOf, rejectionOf, type PodStreamDeps, type PodStreamRequest } from './pod-streams';

/**
 * GET …/pods/NAME/log: the container's output from its node agent, as `text/plain` over a chunked
 * response whose headers go out at once; with `follow=true` it stays open until the container
 * ends or the client leaves. The node is only asked once the request, the container and its
 * state are known to be right; every refusal before the first byte is a Status.
 */
export async function servePodLog(r: PodStreamRequest, deps: PodStreamDeps): Promise<void> {
  if (r.req.method !== 'GET') throw reject.methodNotAllowed(`${r.req.method} is not supported on pods/log`);
  const opts = podLogOptionsOf(r.url.searchParams, r.name, deps.now());
  const pod = podFor(deps, r.namespace, r.name);
  const container = containerOf(pod, opts.container, 'log');
  const node = nodeNameOf(pod);
  if (!node) {
    // kube-apiserver has nowhere to ask for an unscheduled pod's log: an empty answer.
    startText(r.res);
    r.res.end();
    return;
  }
  const unavailable = logUnavailable(pod, container, opts.previous);
  if (unavailable) throw reject.badRequest(unavailable);
  const { res } = r;
  // The response's close, not the request's: the request closes once its (empty) body is read (kubectl-compat §14).
  const left = new AbortController();
  res.on('close', () => left.abort());
  const opened = await openNodeStream(deps.wire, node, {
    kind: 'log', pod: podRefOf(pod), container, previous: opts.previous, follow: opts.follow, timestamps: opts.timestamps,
    ...(opts.tailLines !== undefined ? { tailLines: opts.tailLines } : {}),
    ...(opts.limitBytes !== undefined ? { limitBytes: opts.limitBytes } : {}),
    ...(opts.sinceMs !== undefined ? { sinceMs: opts.sinceMs } : {}),
  }, deps.pacing, left.signal);
  if (!opened.ok) throw rejectionOf(opened.failure);
  startText(res);
  const { session } = opened;
  for await (const { data } of session.output) {
    if (!res.write(data)) await drained(res);
  }
  // A stream that broke after its first byte just ends, as kube-apiserver's proxy does.
  res.end();
}

function startText(res: ServerResponse): void {
  res.writeHead(200, { ...COMMON_HEADERS, 'Content-Type': 'text/plain', 'Transfer-Encoding': 'chunked' });
  res.flushHeaders();
}

function drained(res: ServerResponse): Promise<void> {
  return new Promise((ok) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      ok();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}
