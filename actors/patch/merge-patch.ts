import type { Json } from '../kinds/types';
import { hasKey, isJsonObject, withKey, withoutKey, type JsonObject } from './json';

/**
 * RFC 7386 JSON Merge Patch (`application/merge-patch+json`): objects merge key by key, `null` deletes a key,
 * anything else (arrays included) replaces the target. A non-object patch replaces the whole document.
 */
export function applyMergePatch(doc: Json, patch: Json): Json {
  if (!isJsonObject(patch)) return patch;
  const target: JsonObject = isJsonObject(doc) ? doc : {};
  return Object.entries(patch).reduce<JsonObject>(
    (result, [key, value]) =>
      value === null ? withoutKey(result, key) : withKey(result, key, applyMergePatch(hasKey(target, key) ? target[key] : null, value)),
    target,
  );
}
