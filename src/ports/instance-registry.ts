import type { InstanceRegistration, RecordRef } from '../domain/instances/types.js';

/**
 * Where Signpost remembers, per instance, the last state it applied and
 * exactly the records it created. Separate from the `Store` of dyndns2
 * hosts. Every adapter (memory, SQLite, DynamoDB) passes the shared contract
 * suite in test/instances/registry.contract.ts.
 *
 * Contract:
 * - `put` is conditional: `expectedVersion` null means "must not exist", a
 *   number "must still be at this version"; otherwise ConflictError and
 *   nothing written. The stored version becomes `registration.version`.
 * - `ownerOf` answers which instance's registration holds a record (by zone
 *   id, name and type): the record whose registration was written last
 *   wins, and a registration that drops a record releases it only if it
 *   still owns it (a replacement instance may have taken it over).
 * - `list` returns every registration (tombstones included), by instance id.
 */
export interface InstanceRegistry {
  get(instanceId: string): Promise<InstanceRegistration | undefined>;
  put(registration: InstanceRegistration, expectedVersion: number | null): Promise<void>;
  ownerOf(record: RecordRef): Promise<string | undefined>;
  list(): Promise<InstanceRegistration[]>;
}
