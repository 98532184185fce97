import { findByKind } from '../../actors/kinds/registry';
import type { ResourceType } from '../../actors/kinds/types';

/** The registry's ResourceType for a kind, or a thrown error: tests name only kinds that exist. */
export function typeOf(apiVersion: string, kind: string): ResourceType {
  const t = findByKind(apiVersion, kind);
  if (!t) throw new Error(`no ${kind}`);
  return t;
}
