import { Packr } from 'msgpackr';
import type { Envelope } from './types';

/**
 * msgpackr encoding of envelopes. Plain maps (no shared structures): records outlive the process
 * that wrote them, and a self-describing encoding needs no structure registry to be read years later.
 */
const packr = new Packr({ useRecords: false, moreTypes: false, variableMapSize: true });

export type Upcaster = (envelope: Envelope) => Envelope;

/** Old payload shapes → current, keyed by `${type}@${schema}`. Each step bumps schema by one. */
const upcasters = new Map<string, Upcaster>();

export function registerUpcaster(type: string, fromSchema: number, upcast: Upcaster): void {
  upcasters.set(`${type}@${fromSchema}`, upcast);
}

export function encodeEnvelope(envelope: Envelope): Uint8Array {
  return packr.pack(envelope);
}

export function decodeEnvelope(bytes: Uint8Array): Envelope {
  let envelope = packr.unpack(bytes) as Envelope;
  for (let step = upcasters.get(`${envelope.type}@${envelope.schema}`); step; step = upcasters.get(`${envelope.type}@${envelope.schema}`)) {
    envelope = step(envelope);
  }
  return envelope;
}

export function encodeValue(value: unknown): Uint8Array {
  return packr.pack(value);
}

export function decodeValue<T>(bytes: Uint8Array): T {
  return packr.unpack(bytes) as T;
}
