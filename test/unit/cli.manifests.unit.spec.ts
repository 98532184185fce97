import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { parseManifests, readManifests } from '../../cli/manifests';

const names = (ms: readonly { object: { kind: string; metadata: { name?: string } } }[]): string[] => ms.map((m) => `${m.object.kind}/${m.object.metadata.name}`);

describe('cli manifests: multi-document YAML', () => {
  it('splits documents, skips empty ones and comments-only ones', () => {
    const text = ['---', 'apiVersion: v1', 'kind: ConfigMap', 'metadata: {name: a}', '---', '# nothing here', '---', '', '---', 'apiVersion: apps/v1', 'kind: Deployment', 'metadata:', '  name: web', '...', ''].join('\n');
    expect(names(parseManifests(text, 'x.yaml'))).toEqual(['ConfigMap/a', 'Deployment/web']);
  });

  it('reads JSON, and expands kind: List', () => {
    const list = JSON.stringify({ apiVersion: 'v1', kind: 'List', items: [{ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' } }, { apiVersion: 'v1', kind: 'Service', metadata: { name: 's' } }] });
    expect(names(parseManifests(list, 'l.json'))).toEqual(['Pod/p', 'Service/s']);
  });

  it('an object without metadata gets an empty one; the source is kept', () => {
    expect(parseManifests('apiVersion: v1\nkind: Namespace\n', 'ns.yaml')).toEqual([{ source: 'ns.yaml', object: { apiVersion: 'v1', kind: 'Namespace', metadata: {} } }]);
  });

  it.each([
    ['metadata: {name: x}\n', 'error validating "f.yaml": error validating data: [apiVersion not set, kind not set]'],
    ['- a\n- b\n', 'error validating "f.yaml": error validating data: the document is not an object'],
    ['a: [\n', 'error parsing f.yaml: '],
  ])('%j → %s', (text, message) => {
    expect(() => parseManifests(text, 'f.yaml')).toThrow(message);
  });
});

describe('cli manifests: -f FILE|DIR|-', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'skiff-cli-manifests-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const cm = (name: string): string => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n`;

  it('a directory gives its .yaml/.yml/.json files in name order, not sub-directories or other files', async () => {
    writeFileSync(path.join(dir, 'b.yaml'), cm('b'));
    writeFileSync(path.join(dir, 'a.yml'), `${cm('a1')}---\n${cm('a2')}`);
    writeFileSync(path.join(dir, 'c.json'), JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' } }));
    writeFileSync(path.join(dir, 'README.md'), '# not a manifest');
    mkdirSync(path.join(dir, 'sub'));
    writeFileSync(path.join(dir, 'sub', 'z.yaml'), cm('z'));
    const manifests = await readManifests([dir], Readable.from([]));
    expect(names(manifests)).toEqual(['ConfigMap/a1', 'ConfigMap/a2', 'ConfigMap/b', 'ConfigMap/c']);
    expect(manifests[0].source).toBe(path.join(dir, 'a.yml'));
  });

  it('- reads stdin, in order with files', async () => {
    writeFileSync(path.join(dir, 'f.yaml'), cm('file'));
    const manifests = await readManifests([path.join(dir, 'f.yaml'), '-'], Readable.from([Buffer.from(cm('stdin').slice(0, 30)), Buffer.from(cm('stdin').slice(30))]));
    expect(names(manifests)).toEqual(['ConfigMap/file', 'ConfigMap/stdin']);
    expect(manifests[1].source).toBe('STDIN');
  });

  it('a missing path is one clear error', async () => {
    await expect(readManifests([path.join(dir, 'nope.yaml')], Readable.from([]))).rejects.toThrow(`the path "${path.join(dir, 'nope.yaml')}" does not exist`);
  });
});
