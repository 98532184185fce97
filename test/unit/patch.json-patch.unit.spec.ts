import type { Json } from '../../actors/kinds/types';
import { applyJsonPatch, MAX_JSON_PATCH_OPERATIONS } from '../../actors/patch/json-patch';
import { frozen, rejectionOf } from './patch.fixtures';

const NOT_APPLICABLE = {
  kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure',
  message: 'the server rejected our request due to an error in our request', reason: 'Invalid', details: {}, code: 422,
};

const deployment = (): Json => frozen({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', annotations: { 'deployment.kubernetes.io/revision': '2' }, labels: { app: 'web' } },
  spec: {
    replicas: 2,
    template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'nginx', image: 'nginx:1.28' }] } },
  },
});

describe('json patch: when kubectl rollout undo sends its two replace operations', () => {
  const template = { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'nginx', image: 'nginx:1.27' }] } };
  const annotations = { 'deployment.kubernetes.io/revision': '1' };
  const ops = [
    { op: 'replace', path: '/spec/template', value: template },
    { op: 'replace', path: '/metadata/annotations', value: annotations },
  ];

  it('replace /spec/template + /metadata/annotations → the old template and annotations, nothing else touched', () => {
    const doc = deployment();
    const result = applyJsonPatch(doc, ops) as { metadata: Json; spec: Json };
    expect(result.spec).toEqual({ replicas: 2, template });
    expect(result.metadata).toEqual({ name: 'web', annotations, labels: { app: 'web' } });
    expect(doc).toEqual(deployment());
  });
});

describe('json patch: when every operation applies', () => {
  const doc = frozen({ a: { 'x/y': 1, 'm~n': 2 }, list: ['p', 'q'] });

  it.each<[string, Json, Json]>([
    ['add to a map', [{ op: 'add', path: '/a/new', value: true }], { a: { 'x/y': 1, 'm~n': 2, new: true }, list: ['p', 'q'] }],
    ['tokens escaped with ~1 and ~0', [{ op: 'replace', path: '/a/x~1y', value: 9 }, { op: 'remove', path: '/a/m~0n' }], { a: { 'x/y': 9 }, list: ['p', 'q'] }],
    ['add "-" appends', [{ op: 'add', path: '/list/-', value: 'r' }], { a: { 'x/y': 1, 'm~n': 2 }, list: ['p', 'q', 'r'] }],
    ['add at an index inserts', [{ op: 'add', path: '/list/0', value: 'o' }], { a: { 'x/y': 1, 'm~n': 2 }, list: ['o', 'p', 'q'] }],
    ['add at the length appends', [{ op: 'add', path: '/list/2', value: 'r' }], { a: { 'x/y': 1, 'm~n': 2 }, list: ['p', 'q', 'r'] }],
    ['remove an item', [{ op: 'remove', path: '/list/0' }], { a: { 'x/y': 1, 'm~n': 2 }, list: ['q'] }],
    ['move', [{ op: 'move', from: '/list', path: '/a/list' }], { a: { 'x/y': 1, 'm~n': 2, list: ['p', 'q'] } }],
    ['copy', [{ op: 'copy', from: '/list/1', path: '/a/copied' }], { a: { 'x/y': 1, 'm~n': 2, copied: 'q' }, list: ['p', 'q'] }],
    ['test then replace the root', [{ op: 'test', path: '/list', value: ['p', 'q'] }, { op: 'replace', path: '', value: 1 }], 1],
  ])('%s → the patched document, the input untouched', (_name, ops, expected) => {
    expect(applyJsonPatch(doc, ops)).toEqual(expected);
  });

  it('a null body (Go decodes it as an empty patch) → the document unchanged', () => {
    expect(applyJsonPatch(doc, null)).toBe(doc);
  });
});

describe('json patch: when an operation cannot be applied → 422 Invalid, as kube-apiserver answers', () => {
  it.each<[string, Json]>([
    ['a failed test', [{ op: 'test', path: '/spec/replicas', value: 3 }]],
    ['replace of a path that does not exist', [{ op: 'replace', path: '/spec/paused', value: true }]],
    ['remove of a path that does not exist', [{ op: 'remove', path: '/metadata/labels/tier' }]],
    ['add under a parent that does not exist', [{ op: 'add', path: '/spec/strategy/type', value: 'Recreate' }]],
    ['an index past the end', [{ op: 'add', path: '/spec/template/spec/containers/2', value: {} }]],
    ['an index with a leading zero', [{ op: 'remove', path: '/spec/template/spec/containers/00' }]],
    ['an unknown op', [{ op: 'merge', path: '/spec', value: {} }]],
    ['an op without a value', [{ op: 'add', path: '/spec/paused' }]],
    ['a path without a leading slash', [{ op: 'remove', path: 'spec' }]],
    ['a move into its own child', [{ op: 'move', from: '/spec', path: '/spec/template/x' }]],
    ['a null operation', [null]],
  ])('%s → the fixed kube-apiserver Status', (_name, ops) => {
    expect(rejectionOf(() => applyJsonPatch(deployment(), ops))).toEqual(NOT_APPLICABLE);
  });
});

describe('json patch: when the body is not a list of operations → 400 BadRequest with Go\'s decode error', () => {
  it.each<[string, unknown, string]>([
    ['an object', { op: 'add' }, 'json: cannot unmarshal object into Go value of type jsonpatch.Patch'],
    ['a string', 'add', 'json: cannot unmarshal string into Go value of type jsonpatch.Patch'],
    ['a list holding a number', [1], 'json: cannot unmarshal number into Go value of type jsonpatch.Operation'],
  ])('%s → 400 with the decode error', (_name, body, message) => {
    expect(rejectionOf(() => applyJsonPatch(deployment(), body))).toMatchObject({ code: 400, reason: 'BadRequest', message });
  });

  it(`more than ${MAX_JSON_PATCH_OPERATIONS} operations → 413 RequestEntityTooLarge`, () => {
    const ops = Array.from({ length: MAX_JSON_PATCH_OPERATIONS + 1 }, () => ({ op: 'test', path: '', value: {} }));
    expect(rejectionOf(() => applyJsonPatch({}, ops))).toMatchObject({
      code: 413, reason: 'RequestEntityTooLarge',
      message: 'Request entity too large: The allowed maximum operations in a JSON patch is 10000, got 10001',
    });
  });
});
