import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Rejection } from '../../actors/rejection';
import { PROTOBUF_MEDIA_TYPE, decodeEnvelope, decodeProtobufObject } from '../../gateways/api/protobuf';
import { parseBody } from '../../gateways/api/http';

/** Bodies kubectl 1.32.4 POSTed, captured on the wire (see test/fixtures/protobuf/README.md). */
const fixture = (name: string) => readFileSync(path.join(__dirname, '../fixtures/protobuf', `${name}.bin`));

// ---- a minimal encoder, for the cases kubectl never sends ------------------------------------------

const varint = (n: bigint): Buffer => {
  const out: number[] = [];
  let v = BigInt.asUintN(64, n);
  do {
    const low = Number(v & 0x7fn);
    v >>= 7n;
    out.push(v > 0n ? low | 0x80 : low);
  } while (v > 0n);
  return Buffer.from(out);
};
const key = (field: number, wire: number) => varint(BigInt((field << 3) | wire));
const num = (field: number, n: number | bigint) => Buffer.concat([key(field, 0), varint(BigInt(n))]);
const bytes = (field: number, b: Buffer) => Buffer.concat([key(field, 2), varint(BigInt(b.length)), b]);
const str = (field: number, s: string) => bytes(field, Buffer.from(s, 'utf8'));
const msg = (field: number, ...parts: Buffer[]) => bytes(field, Buffer.concat(parts));
const entry = (field: number, k: string, v: string) => msg(field, str(1, k), str(2, v));
const envelope = (apiVersion: string, kind: string, raw: Buffer, ...extra: Buffer[]) =>
  Buffer.concat([Buffer.from('k8s\0', 'latin1'), msg(1, str(1, apiVersion), str(2, kind)), bytes(2, raw), ...extra]);

function rejectionOf(fn: () => unknown): Rejection {
  try {
    fn();
  } catch (err) {
    if (err instanceof Rejection) return err;
    throw err;
  }
  throw new Error('expected a Rejection');
}

describe('protobuf: the runtime.Unknown envelope', () => {
  it('reads typeMeta, raw and the (empty) content fields kubectl sends', () => {
    const e = decodeEnvelope(fixture('ssar-create-pods'));
    expect(e).toMatchObject({ apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectAccessReview', contentEncoding: '', contentType: '' });
    expect(e.raw.length).toBeGreaterThan(0);
  });
});

describe('protobuf: kubectl auth bodies decode to the JSON kubectl would have sent', () => {
  it.each([
    ['ssar-create-pods', { resourceAttributes: { namespace: 'default', verb: 'create', resource: 'pods' } }],
    ['ssar-get-deployments-apps-web-kube-system', { resourceAttributes: { namespace: 'kube-system', verb: 'get', group: 'apps', resource: 'deployments', name: 'web' } }],
    ['ssar-create-pods-exec', { resourceAttributes: { namespace: 'default', verb: 'create', resource: 'pods', subresource: 'exec' } }],
    ['ssar-get-healthz', { nonResourceAttributes: { path: '/healthz', verb: 'get' } }],
  ])('auth can-i: %s', (name, spec) => {
    expect(decodeProtobufObject(fixture(name))).toEqual({ apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectAccessReview', metadata: {}, spec });
  });

  it('auth can-i --list: SelfSubjectRulesReview with the namespace', () => {
    expect(decodeProtobufObject(fixture('ssrr-default'))).toEqual({
      apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectRulesReview', metadata: {}, spec: { namespace: 'default' },
    });
  });

  it('auth whoami: SelfSubjectReview, metadata only', () => {
    expect(decodeProtobufObject(fixture('ssr'))).toEqual({ apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview', metadata: {} });
  });
});

describe('protobuf: kubectl create generators', () => {
  it('configmap: data map, namespace when given', () => {
    expect(decodeProtobufObject(fixture('configmap-cm1'))).toEqual({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm1' }, data: { a: 'b', c: 'd' } });
    expect(decodeProtobufObject(fixture('configmap-cm2-kube-system'))).toEqual({
      apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm2', namespace: 'kube-system' }, data: { a: 'b' },
    });
  });

  it('namespace: an empty spec stays an object', () => {
    expect(decodeProtobufObject(fixture('namespace-ns1'))).toEqual({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'ns1' }, spec: {} });
  });

  it('secret: bytes values become base64, as in JSON; type when set', () => {
    expect(decodeProtobufObject(fixture('secret-s1'))).toEqual({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 's1' }, data: { password: 'aHVudGVyMg==' } });
    expect(decodeProtobufObject(fixture('secret-s2-basic-auth'))).toMatchObject({ data: { user: 'YWRtaW4=' }, type: 'kubernetes.io/basic-auth' });
  });

  it('deployment: selector, template, containers; Go zero values left out as omitempty does', () => {
    expect(decodeProtobufObject(fixture('deployment-web'))).toEqual({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web', labels: { app: 'web' } },
      spec: {
        replicas: 1,
        selector: { matchLabels: { app: 'web' } },
        template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'busybox', image: 'busybox', resources: {} }] } },
        strategy: {},
      },
    });
  });

  it('deployment: command and ports', () => {
    const d = decodeProtobufObject(fixture('deployment-web2-port-command')) as { spec: { replicas: number; template: { spec: { containers: unknown[] } } } };
    expect(d.spec.replicas).toBe(3);
    expect(d.spec.template.spec.containers).toEqual([{ name: 'busybox', image: 'busybox:1.36', command: ['sleep', '3600'], ports: [{ containerPort: 8080 }], resources: {} }]);
  });

  it('deployment: replicas is a pointer, so an explicit 0 is kept', () => {
    expect(decodeProtobufObject(fixture('deployment-zero-replicas'))).toMatchObject({ spec: { replicas: 0 } });
  });

  it('a kind without a table is a 415 that says to send JSON (kubectl create service)', () => {
    const r = rejectionOf(() => decodeProtobufObject(fixture('service-svc1')));
    expect(r.status).toMatchObject({ code: 415, reason: 'UnsupportedMediaType' });
    expect(r.status.message).toContain('skiff cannot decode protobuf bodies of kind "Service" (apiVersion "v1"); send it as JSON or YAML instead');
  });
});

describe('protobuf: ObjectMeta and the wire format beyond what kubectl sent', () => {
  const meta = msg(
    1,
    str(2, 'web-'), str(3, 'team'), str(5, 'u-1'), str(6, '42'), num(7, 3),
    msg(8, num(1, 1767225600), num(2, 0)),
    entry(11, 'app', 'web'), entry(11, 'tier', 'front'), entry(12, 'note', 'hi'),
    num(99, 7), // unknown varint
  );

  it('decodes every ObjectMeta field of §10.2, Time as RFC 3339', () => {
    expect(decodeProtobufObject(envelope('v1', 'ConfigMap', meta))).toEqual({
      apiVersion: 'v1', kind: 'ConfigMap',
      metadata: {
        generateName: 'web-', namespace: 'team', uid: 'u-1', resourceVersion: '42', generation: 3,
        creationTimestamp: '2026-01-01T00:00:00Z', labels: { app: 'web', tier: 'front' }, annotations: { note: 'hi' },
      },
    });
  });

  it('skips unknown fields of every wire type, in the object and in the envelope', () => {
    const fixed64 = Buffer.concat([key(20, 1), Buffer.alloc(8, 0xff)]);
    const fixed32 = Buffer.concat([key(21, 5), Buffer.alloc(4, 0xff)]);
    const raw = Buffer.concat([fixed64, meta, fixed32, str(22, 'ignored'), entry(2, 'k', 'v'), num(23, 1)]);
    const decoded = decodeProtobufObject(envelope('v1', 'ConfigMap', raw, str(4, ''), fixed32));
    expect(decoded).toMatchObject({ data: { k: 'v' }, metadata: { generation: 3 } });
  });

  it('reads negative ints (two\'s complement in ten bytes) and keeps map entries whose value is missing', () => {
    const raw = Buffer.concat([msg(1, num(7, -5n)), msg(2, str(1, 'empty'))]);
    expect(decodeProtobufObject(envelope('v1', 'ConfigMap', raw))).toEqual({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { generation: -5 }, data: { empty: '' } });
  });

  it('keeps a map key named __proto__ as an entry, as JSON.parse does', () => {
    const data = decodeProtobufObject(envelope('v1', 'ConfigMap', entry(2, '__proto__', 'x'))).data as Record<string, string>;
    expect(Object.keys(data)).toEqual(['__proto__']);
    expect(Object.getPrototypeOf(data)).toBe(Object.prototype);
  });

  it('keeps an explicit false for a pointer bool (immutable)', () => {
    expect(decodeProtobufObject(envelope('v1', 'ConfigMap', num(4, 0)))).toMatchObject({ immutable: false });
  });
});

describe('protobuf: malformed bodies are a 400 that says what is wrong', () => {
  const good = fixture('ssar-create-pods');
  it.each([
    ['no magic', Buffer.from('{"kind":"SelfSubjectAccessReview"}'), 'missing the "k8s\\x00" prefix'],
    ['truncated', good.subarray(0, good.length - 20), 'bytes but only'],
    ['a varint that never ends', Buffer.concat([Buffer.from('k8s\0', 'latin1'), Buffer.alloc(11, 0xff)]), 'varint longer than 10 bytes'],
    ['a varint cut off', Buffer.concat([Buffer.from('k8s\0', 'latin1'), Buffer.from([0x80])]), 'truncated varint'],
    ['wire type 3 (groups)', Buffer.concat([Buffer.from('k8s\0', 'latin1'), key(9, 3)]), 'unsupported wire type 3'],
    ['a string field sent as a varint', envelope('v1', 'ConfigMap', msg(1, num(1, 5))), 'ObjectMeta.name: wire type 0, expected length-delimited'],
  ])('%s', (_name, body, message) => {
    const r = rejectionOf(() => decodeProtobufObject(body));
    expect(r.status).toMatchObject({ code: 400, reason: 'BadRequest' });
    expect(r.status.message).toContain('error decoding protobuf body: ');
    expect(r.status.message).toContain(message);
  });

  it('refuses a content encoding inside the envelope (415)', () => {
    const r = rejectionOf(() => decodeProtobufObject(envelope('v1', 'ConfigMap', Buffer.alloc(0), str(3, 'gzip'))));
    expect(r.status).toMatchObject({ code: 415, message: 'content encoding "gzip" inside a protobuf body is not supported' });
  });
});

describe('protobuf: request bodies', () => {
  it('parseBody decodes application/vnd.kubernetes.protobuf like JSON', () => {
    expect(parseBody(fixture('ssr'), PROTOBUF_MEDIA_TYPE)).toEqual({ apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview', metadata: {} });
  });
});
