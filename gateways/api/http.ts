import type { IncomingMessage, ServerResponse } from 'node:http';
import { parseAllDocuments } from 'yaml';
import { Rejection, reject, type FailureStatus } from '../../actors/rejection';
import { PROTOBUF_MEDIA_TYPE, decodeProtobufObject } from './protobuf';

/** Request and response plumbing shared by every handler: bodies, content types, Status errors. */

export const MAX_BODY_BYTES = 3 * 1024 * 1024;

const COMMON_HEADERS = {
  // kubectl's dispatcher caches /version by HTTP semantics; stale answers from another server bite (kubectl-compat §1).
  'Cache-Control': 'no-cache, private',
};

export function sendJson(res: ServerResponse, code: number, body: unknown, contentType = 'application/json'): void {
  const text = JSON.stringify(body);
  res.writeHead(code, { ...COMMON_HEADERS, 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

export function sendStatus(res: ServerResponse, status: FailureStatus): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  sendJson(res, status.code, status);
}

export function sendError(res: ServerResponse, err: unknown): void {
  if (err instanceof Rejection) sendStatus(res, err.status);
  else sendStatus(res, reject.internal(err instanceof Error ? err.message : String(err)).status);
}

export async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) {
      throw new Rejection({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: `the request body is larger than ${MAX_BODY_BYTES} bytes`, reason: 'RequestEntityTooLarge', code: 413 });
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

export function mediaType(req: IncomingMessage): string {
  return (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
}

/**
 * JSON, YAML or Kubernetes protobuf into a value. A missing Content-Type is JSON (kubectl scale
 * --current-replicas sends none); protobuf is decoded for the kinds protobuf.ts knows, 415 for others.
 */
export function parseBody(body: Buffer, type: string): unknown {
  if (body.length === 0) return undefined;
  if (type === PROTOBUF_MEDIA_TYPE) return decodeProtobufObject(body);
  const text = body.toString('utf8');
  if (type === 'application/yaml' || type === 'application/apply-patch+yaml' || type === 'text/yaml') {
    const docs = parseAllDocuments(text);
    if (docs.length !== 1) throw reject.badRequest(`expected exactly one YAML document, got ${docs.length}`);
    if (docs[0].errors.length > 0) throw reject.badRequest(`error decoding YAML: ${docs[0].errors[0].message}`);
    return docs[0].toJS();
  }
  if (type === '' || type.endsWith('json') || type === '*/*') {
    try {
      return JSON.parse(text);
    } catch (err) {
      throw reject.badRequest(`error decoding JSON: ${(err as Error).message}`);
    }
  }
  throw reject.unsupportedMediaType(type);
}

/** Whether the client asked for a meta.k8s.io Table (kubectl's human output). */
export function wantsTable(req: IncomingMessage): boolean {
  return /as=Table/.test(req.headers.accept ?? '');
}

export function wantsAggregatedDiscovery(req: IncomingMessage): boolean {
  return /g=apidiscovery\.k8s\.io;v=v2(;|,|$)/.test((req.headers.accept ?? '').replace(/\s+/g, ''));
}

export { COMMON_HEADERS };
