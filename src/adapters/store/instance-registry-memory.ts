import { ConflictError } from '../../domain/errors.js';
import { recordRefKey, type InstanceRegistration, type RecordRef } from '../../domain/instances/types.js';
import type { InstanceRegistry } from '../../ports/instance-registry.js';

/** The instance registry in memory (tests, and a store-less self-hosted run). */
export class MemoryInstanceRegistry implements InstanceRegistry {
  private readonly regs = new Map<string, InstanceRegistration>();
  private readonly owners = new Map<string, string>();

  async get(instanceId: string): Promise<InstanceRegistration | undefined> {
    return this.regs.get(instanceId);
  }

  async put(registration: InstanceRegistration, expectedVersion: number | null): Promise<void> {
    const current = this.regs.get(registration.instanceId);
    if ((current?.version ?? null) !== expectedVersion) throw new ConflictError(`instance ${registration.instanceId} changed meanwhile`);
    const kept = new Set(registration.records.map(recordRefKey));
    for (const r of current?.records ?? []) {
      const key = recordRefKey(r);
      if (!kept.has(key) && this.owners.get(key) === registration.instanceId) this.owners.delete(key);
    }
    for (const key of kept) this.owners.set(key, registration.instanceId);
    this.regs.set(registration.instanceId, structuredClone(registration));
  }

  async ownerOf(record: RecordRef): Promise<string | undefined> {
    return this.owners.get(recordRefKey(record));
  }

  async list(): Promise<InstanceRegistration[]> {
    return [...this.regs.values()].sort((a, b) => (a.instanceId < b.instanceId ? -1 : 1));
  }
}
