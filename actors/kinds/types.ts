/** Kubernetes object shapes shared by every kind skiff stores. Field names are Kubernetes' own. */

export type OwnerReference = {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
};

export type ManagedFieldsEntry = {
  manager: string;
  operation: 'Apply' | 'Update';
  apiVersion: string;
  time: string;
  fieldsType: 'FieldsV1';
  fieldsV1: Record<string, unknown>;
  subresource?: string;
};

export type ObjectMeta = {
  name?: string;
  generateName?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  deletionGracePeriodSeconds?: number;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: OwnerReference[];
  finalizers?: string[];
  managedFields?: ManagedFieldsEntry[];
};

/** Any stored object: apiVersion, kind, metadata, and kind-specific top-level fields (spec, status, data …). */
export type KubeObject = {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  [field: string]: unknown;
};

/** A JSON value, for patches and free-form fields. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** One field-level problem, as Kubernetes reports it in Status.details.causes. */
export type FieldCause = {
  reason:
    | 'FieldValueRequired'
    | 'FieldValueInvalid'
    | 'FieldValueNotSupported'
    | 'FieldValueTypeInvalid'
    | 'FieldValueForbidden'
    | 'FieldValueDuplicate'
    | 'FieldValueTooLong'
    | 'FieldValueNotFound';
  /** e.g. "Required value: name or generateName is required" */
  message: string;
  /** e.g. "metadata.name", "spec.containers[0].image" */
  field: string;
};

export type Subresource = 'status' | 'scale' | 'log' | 'exec' | 'attach' | 'portforward' | 'binding' | 'eviction' | 'finalize';

/** Everything the API and the actors need to know about one kind. */
export type ResourceType = Readonly<{
  group: string; // '' for core
  version: string;
  kind: string;
  listKind: string;
  plural: string;
  singular: string;
  shortNames: readonly string[];
  namespaced: boolean;
  categories: readonly string[];
  subresources: readonly Subresource[];
  /** metadata.generation is kept and bumped when spec changes (Deployment and ReplicaSet, as in Kubernetes 1.32). */
  hasGeneration: boolean;
  /** Has a status that the main resource endpoint does not change (writes go to /status). */
  hasStatus: boolean;
  verbs: readonly string[];
}>;
