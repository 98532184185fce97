/** Reading `-f FILE|DIR|-`: multi-document YAML or JSON, `kind: List` expanded, files of a directory in name order. */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { parseAllDocuments } from 'yaml';
import type { KubeObject } from '../actors/kinds/types';
import { CliError } from './errors';

export type Manifest = Readonly<{ source: string; object: KubeObject }>;

// kubectl only picks these up from a directory.
const MANIFEST_EXTENSIONS = new Set(['.yaml', '.yml', '.json']);

export async function readManifests(paths: readonly string[], stdin: AsyncIterable<Buffer | string>): Promise<Manifest[]> {
  const manifests: Manifest[] = [];
  for (const p of paths) {
    for (const file of p === '-' ? ['-'] : await filesOf(p)) {
      const text = file === '-' ? await readAll(stdin) : await fs.readFile(file, 'utf8');
      manifests.push(...parseManifests(text, file === '-' ? 'STDIN' : file));
    }
  }
  return manifests;
}

/** Every object in a YAML/JSON text, in document order; empty documents are skipped. */
export function parseManifests(text: string, source: string): Manifest[] {
  const manifests: Manifest[] = [];
  for (const doc of parseAllDocuments(text)) {
    const [problem] = doc.errors;
    if (problem) throw new CliError(`error parsing ${source}: ${problem.message.split('\n')[0]}`);
    const value: unknown = doc.toJS();
    if (value === null || value === undefined) continue;
    for (const object of expandList(value, source)) manifests.push({ source, object });
  }
  return manifests;
}

function expandList(value: unknown, source: string): KubeObject[] {
  const object = validated(value, source);
  if (object.kind.endsWith('List') && Array.isArray(object.items)) return object.items.flatMap((item: unknown) => expandList(item, source));
  return [object];
}

/** kubectl's "error validating data: [apiVersion not set, kind not set]". */
function validated(value: unknown, source: string): KubeObject {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new CliError(`error validating "${source}": error validating data: the document is not an object`);
  }
  const object = value as Partial<KubeObject>;
  const problems = [
    ...(typeof object.apiVersion === 'string' && object.apiVersion ? [] : ['apiVersion not set']),
    ...(typeof object.kind === 'string' && object.kind ? [] : ['kind not set']),
  ];
  if (problems.length > 0) throw new CliError(`error validating "${source}": error validating data: [${problems.join(', ')}]`);
  return { ...object, metadata: object.metadata ?? {} } as KubeObject;
}

async function filesOf(p: string): Promise<string[]> {
  let stat;
  try {
    stat = await fs.stat(p);
  } catch {
    throw new CliError(`the path "${p}" does not exist`);
  }
  if (!stat.isDirectory()) return [p];
  const entries = await fs.readdir(p, { withFileTypes: true });
  return entries
    .filter((e) => e.isFile() && MANIFEST_EXTENSIONS.has(path.extname(e.name)))
    .map((e) => path.join(p, e.name))
    .sort();
}

async function readAll(stream: AsyncIterable<Buffer | string>): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks).toString('utf8');
}
