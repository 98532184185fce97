/**
 * Kubernetes' protobuf request bodies, decoded by hand (kubectl-compat §10).
 *
 * client-go's typed clients (kubectl auth can-i / whoami, and the `kubectl create configmap|secret|
 * namespace|deployment` generators) POST `application/vnd.kubernetes.protobuf`, and a 415 does not
 * make them retry with JSON. So these bodies are decoded here into the JSON the same request would
 * have carried, and everything after this file sees JSON only.
 *
 * Every kind is a field-number table (a `Schema`) read by one generic decoder instead of code per
 * kind: the tables are transcriptions of k8s.io/api's generated.proto, checkable line by line, and a
 * new kind costs a table, not a function. Fields that no table lists are skipped, as protobuf does.
 */
import { Rejection, failure, reject } from '../../actors/rejection';
import type { Json } from '../../actors/kinds/types';

export const PROTOBUF_MEDIA_TYPE = 'application/vnd.kubernetes.protobuf';

/** "k8s\0": the prefix of every Kubernetes protobuf body, before its runtime.Unknown envelope. */
const MAGIC = Buffer.from([0x6b, 0x38, 0x73, 0x00]);

// ---- wire format ----------------------------------------------------------------------------------

const WIRE = { varint: 0, fixed64: 1, bytes: 2, fixed32: 5 } as const;

/** One field as it sits on the wire: a varint's value, or a length-delimited field's bytes. */
type WireField = Readonly<{ field: number; wire: number; varint: bigint; bytes: Buffer }>;

function malformed(why: string): Rejection {
  return reject.badRequest(`error decoding protobuf body: ${why}`);
}

class WireReader {
  private pos = 0;
  constructor(private readonly buf: Buffer) {}

  done(): boolean {
    return this.pos >= this.buf.length;
  }

  /** Base-128, least significant group first; ten bytes at most (a 64-bit value). */
  varint(): bigint {
    let value = 0n;
    for (let shift = 0n; shift < 70n; shift += 7n) {
      if (this.done()) throw malformed('truncated varint');
      const byte = this.buf[this.pos++];
      value |= BigInt(byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) return value;
    }
    throw malformed('varint longer than 10 bytes');
  }

  take(length: number): Buffer {
    if (length > this.buf.length - this.pos) throw malformed(`a field claims ${length} bytes but only ${this.buf.length - this.pos} remain`);
    const out = this.buf.subarray(this.pos, this.pos + length);
    this.pos += length;
    return out;
  }

  next(): WireField {
    const key = this.varint();
    const field = Number(key >> 3n);
    const wire = Number(key & 7n);
    if (field === 0) throw malformed('field number 0');
    switch (wire) {
      case WIRE.varint:
        return { field, wire, varint: this.varint(), bytes: EMPTY };
      case WIRE.bytes:
        return { field, wire, varint: 0n, bytes: this.take(Number(this.varint())) };
      // Fixed-width fields appear in no table here; they are read past so that unknown ones skip cleanly.
      case WIRE.fixed64:
        return { field, wire, varint: 0n, bytes: this.take(8) };
      case WIRE.fixed32:
        return { field, wire, varint: 0n, bytes: this.take(4) };
      default:
        throw malformed(`unsupported wire type ${wire} for field ${field}`);
    }
  }
}

const EMPTY = Buffer.alloc(0);

type JsonObject = { [key: string]: Json };

function* wireFields(buf: Buffer): Generator<WireField> {
  const reader = new WireReader(buf);
  while (!reader.done()) yield reader.next();
}

// ---- the envelope ---------------------------------------------------------------------------------

/** runtime.Unknown: the object's TypeMeta travels outside the object's own bytes (`raw`). */
export type Envelope = Readonly<{ apiVersion: string; kind: string; raw: Buffer; contentEncoding: string; contentType: string }>;

export function decodeEnvelope(body: Buffer): Envelope {
  if (body.length < MAGIC.length || !body.subarray(0, MAGIC.length).equals(MAGIC)) throw malformed('missing the "k8s\\x00" prefix');
  let typeMeta: JsonObject = {};
  let raw: Buffer = EMPTY;
  let contentEncoding = '';
  let contentType = '';
  for (const f of wireFields(body.subarray(MAGIC.length))) {
    if (f.field === 1) typeMeta = decodeMessage(expectBytes(f, 'Unknown.typeMeta'), TYPE_META);
    else if (f.field === 2) raw = expectBytes(f, 'Unknown.raw');
    else if (f.field === 3) contentEncoding = expectBytes(f, 'Unknown.contentEncoding').toString('utf8');
    else if (f.field === 4) contentType = expectBytes(f, 'Unknown.contentType').toString('utf8');
  }
  const text = (v: Json | undefined): string => (typeof v === 'string' ? v : '');
  return { apiVersion: text(typeMeta.apiVersion), kind: text(typeMeta.kind), raw, contentEncoding, contentType };
}

/**
 * A protobuf request body as the JSON object it stands for, apiVersion and kind included.
 * Malformed bytes are a 400; a kind without a table here is a 415 that says to send JSON.
 */
export function decodeProtobufObject(body: Buffer): JsonObject {
  const envelope = decodeEnvelope(body);
  if (envelope.contentEncoding !== '') throw unsupported(`content encoding "${envelope.contentEncoding}" inside a protobuf body is not supported`);
  const schema = KINDS.get(`${envelope.apiVersion}/${envelope.kind}`);
  if (!schema) {
    throw unsupported(`skiff cannot decode protobuf bodies of kind "${envelope.kind}" (apiVersion "${envelope.apiVersion}"); send it as JSON or YAML instead (e.g. kubectl create -f, or kubectl create … --dry-run=client -o yaml | kubectl create -f -)`);
  }
  return { apiVersion: envelope.apiVersion, kind: envelope.kind, ...decodeMessage(envelope.raw, schema) };
}

function unsupported(message: string): Rejection {
  return new Rejection(failure(415, 'UnsupportedMediaType', message));
}

// ---- schemas and the generic decoder --------------------------------------------------------------

/** time = metav1.Time {seconds, nanos}; quantity = resource.Quantity {string}: both are strings in JSON. */
type Scalar = 'string' | 'bytes' | 'int' | 'bool' | 'time' | 'quantity';
type FieldType = Scalar | Readonly<{ message: Schema }> | Readonly<{ map: Scalar }>;
type Field = Readonly<{
  name: string;
  type: FieldType;
  repeated?: true;
  /** A Go pointer (proto2 `optional` that JSON keeps when zero): sent only when set, so zero means zero. */
  pointer?: true;
}>;
type Schema = Readonly<{ name: string; fields: Readonly<Record<number, Field>> }>;

const str = (name: string): Field => ({ name, type: 'string' });
const strings = (name: string): Field => ({ name, type: 'string', repeated: true });
const int = (name: string): Field => ({ name, type: 'int' });
const pointer = (field: Field): Field => ({ ...field, pointer: true });
const bool = (name: string): Field => ({ name, type: 'bool' });
const message = (name: string, schema: Schema): Field => ({ name, type: { message: schema } });
const messages = (name: string, schema: Schema): Field => ({ name, type: { message: schema }, repeated: true });
const map = (name: string, values: Scalar): Field => ({ name, type: { map: values } });

/**
 * Go's encoder writes every non-pointer field, zero or not, where JSON's `omitempty` leaves zeros out;
 * dropping zero scalars gives the JSON shape. Messages are kept even when empty: their presence can
 * matter (`emptyDir: {}`).
 */
function decodeMessage(buf: Buffer, schema: Schema): JsonObject {
  const out: JsonObject = {};
  for (const wire of wireFields(buf)) {
    const field = schema.fields[wire.field];
    if (!field) continue;
    const where = `${schema.name}.${field.name}`;
    if (typeof field.type === 'object' && 'map' in field.type) {
      const [key, value] = decodeMapEntry(expectBytes(wire, where), field.type.map, where);
      // Defined, not assigned: a key "__proto__" stays an entry, as JSON.parse keeps it.
      Object.defineProperty((out[field.name] ??= {}), key, { value, enumerable: true, writable: true, configurable: true });
    } else if (field.repeated) {
      ((out[field.name] ??= []) as Json[]).push(decodeValue(wire, field.type, where) ?? zeroOf(field.type));
    } else {
      const value = decodeValue(wire, field.type, where);
      if (value !== undefined && (field.pointer || !isZero(value))) out[field.name] = value;
    }
  }
  return out;
}

function decodeValue(wire: WireField, type: Exclude<FieldType, { map: Scalar }>, where: string): Json | undefined {
  if (typeof type === 'object') return decodeMessage(expectBytes(wire, where), type.message);
  switch (type) {
    case 'string':
      return expectBytes(wire, where).toString('utf8');
    case 'bytes':
      return expectBytes(wire, where).toString('base64');
    case 'int':
      return toSafeNumber(expectVarint(wire, where), where);
    case 'bool':
      return expectVarint(wire, where) !== 0n;
    case 'time':
      return timeOf(decodeMessage(expectBytes(wire, where), TIME), where);
    case 'quantity':
      return (decodeMessage(expectBytes(wire, where), QUANTITY).string as string | undefined) ?? '';
    default: {
      const never: never = type;
      return never;
    }
  }
}

/** Protobuf maps are repeated {1 key, 2 value} entries; a missing half is the zero value. */
function decodeMapEntry(buf: Buffer, values: Scalar, where: string): [string, Json] {
  let key = '';
  let value: Json | undefined;
  for (const wire of wireFields(buf)) {
    if (wire.field === 1) key = expectBytes(wire, `${where} key`).toString('utf8');
    else if (wire.field === 2) value = decodeValue(wire, values, `${where}[${JSON.stringify(key)}]`);
  }
  return [key, value ?? zeroOf(values)];
}

function zeroOf(type: FieldType): Json {
  if (typeof type === 'object') return {};
  return type === 'int' ? 0 : type === 'bool' ? false : '';
}

function isZero(value: Json): boolean {
  return value === '' || value === 0 || value === false;
}

function expectBytes(wire: WireField, where: string): Buffer {
  if (wire.wire !== WIRE.bytes) throw malformed(`${where}: wire type ${wire.wire}, expected length-delimited`);
  return wire.bytes;
}

function expectVarint(wire: WireField, where: string): bigint {
  if (wire.wire !== WIRE.varint) throw malformed(`${where}: wire type ${wire.wire}, expected varint`);
  return wire.varint;
}

/** Varints carry int32/int64 as two's complement in 64 bits; JSON numbers hold 53 of them. */
function toSafeNumber(v: bigint, where: string): number {
  const n = Number(BigInt.asIntN(64, v));
  if (!Number.isSafeInteger(n)) throw malformed(`${where}: ${BigInt.asIntN(64, v)} is out of range`);
  return n;
}

/** metav1.Time marshals as RFC 3339 in whole seconds; the zero time is JSON null, i.e. left out. */
function timeOf(t: JsonObject, where: string): string | undefined {
  const seconds = (t.seconds as number | undefined) ?? 0;
  if (seconds === 0 && !t.nanos) return undefined;
  const date = new Date(seconds * 1000);
  if (Number.isNaN(date.getTime())) throw malformed(`${where}: ${seconds} seconds is not a time`);
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

// ---- tables: k8s.io/apimachinery and k8s.io/api generated.proto, request-side fields only ----------
// Status fields are not listed: clients do not set them on these requests, and servers ignore them.

const TYPE_META: Schema = { name: 'TypeMeta', fields: { 1: str('apiVersion'), 2: str('kind') } };
const TIME: Schema = { name: 'Time', fields: { 1: int('seconds'), 2: int('nanos') } };
const QUANTITY: Schema = { name: 'Quantity', fields: { 1: str('string') } };

const OBJECT_META: Schema = {
  name: 'ObjectMeta',
  fields: {
    1: str('name'), 2: str('generateName'), 3: str('namespace'), 5: str('uid'), 6: str('resourceVersion'),
    7: int('generation'), 8: { name: 'creationTimestamp', type: 'time' }, 11: map('labels', 'string'), 12: map('annotations', 'string'),
  },
};
const metadata = message('metadata', OBJECT_META);

const RESOURCE_ATTRIBUTES: Schema = {
  name: 'ResourceAttributes',
  fields: { 1: str('namespace'), 2: str('verb'), 3: str('group'), 4: str('version'), 5: str('resource'), 6: str('subresource'), 7: str('name') },
};
const NON_RESOURCE_ATTRIBUTES: Schema = { name: 'NonResourceAttributes', fields: { 1: str('path'), 2: str('verb') } };

const SELF_SUBJECT_ACCESS_REVIEW: Schema = {
  name: 'SelfSubjectAccessReview',
  fields: {
    1: metadata,
    2: message('spec', {
      name: 'SelfSubjectAccessReviewSpec',
      fields: { 1: message('resourceAttributes', RESOURCE_ATTRIBUTES), 2: message('nonResourceAttributes', NON_RESOURCE_ATTRIBUTES) },
    }),
  },
};
const SELF_SUBJECT_RULES_REVIEW: Schema = {
  name: 'SelfSubjectRulesReview',
  fields: { 1: metadata, 2: message('spec', { name: 'SelfSubjectRulesReviewSpec', fields: { 1: str('namespace') } }) },
};
const SELF_SUBJECT_REVIEW: Schema = { name: 'SelfSubjectReview', fields: { 1: metadata } };

const CONFIG_MAP: Schema = {
  name: 'ConfigMap',
  fields: { 1: metadata, 2: map('data', 'string'), 3: map('binaryData', 'bytes'), 4: pointer(bool('immutable')) },
};
const SECRET: Schema = {
  name: 'Secret',
  fields: { 1: metadata, 2: map('data', 'bytes'), 3: str('type'), 4: map('stringData', 'string'), 5: pointer(bool('immutable')) },
};
const NAMESPACE: Schema = {
  name: 'Namespace',
  fields: { 1: metadata, 2: message('spec', { name: 'NamespaceSpec', fields: { 1: strings('finalizers') } }) },
};

const LABEL_SELECTOR: Schema = {
  name: 'LabelSelector',
  fields: {
    1: map('matchLabels', 'string'),
    2: messages('matchExpressions', { name: 'LabelSelectorRequirement', fields: { 1: str('key'), 2: str('operator'), 3: strings('values') } }),
  },
};
const CONTAINER: Schema = {
  name: 'Container',
  fields: {
    1: str('name'), 2: str('image'), 3: strings('command'), 4: strings('args'), 5: str('workingDir'),
    6: messages('ports', { name: 'ContainerPort', fields: { 1: str('name'), 2: int('hostPort'), 3: int('containerPort'), 4: str('protocol'), 5: str('hostIP') } }),
    7: messages('env', { name: 'EnvVar', fields: { 1: str('name'), 2: str('value') } }),
    8: message('resources', { name: 'ResourceRequirements', fields: { 1: map('limits', 'quantity'), 2: map('requests', 'quantity') } }),
    14: str('imagePullPolicy'),
  },
};
const POD_TEMPLATE_SPEC: Schema = {
  name: 'PodTemplateSpec',
  fields: { 1: metadata, 2: message('spec', { name: 'PodSpec', fields: { 2: messages('containers', CONTAINER), 3: str('restartPolicy') } }) },
};
const DEPLOYMENT: Schema = {
  name: 'Deployment',
  fields: {
    1: metadata,
    2: message('spec', {
      name: 'DeploymentSpec',
      fields: {
        1: pointer(int('replicas')), 2: message('selector', LABEL_SELECTOR), 3: message('template', POD_TEMPLATE_SPEC),
        4: message('strategy', { name: 'DeploymentStrategy', fields: { 1: str('type') } }),
        5: int('minReadySeconds'), 6: pointer(int('revisionHistoryLimit')), 7: bool('paused'), 9: pointer(int('progressDeadlineSeconds')),
      },
    }),
  },
};

/** What can arrive as protobuf, keyed by "<apiVersion>/<kind>". */
const KINDS: ReadonlyMap<string, Schema> = new Map([
  ['authorization.k8s.io/v1/SelfSubjectAccessReview', SELF_SUBJECT_ACCESS_REVIEW],
  ['authorization.k8s.io/v1/SelfSubjectRulesReview', SELF_SUBJECT_RULES_REVIEW],
  ['authentication.k8s.io/v1/SelfSubjectReview', SELF_SUBJECT_REVIEW],
  ['v1/ConfigMap', CONFIG_MAP],
  ['v1/Secret', SECRET],
  ['v1/Namespace', NAMESPACE],
  ['apps/v1/Deployment', DEPLOYMENT],
]);
