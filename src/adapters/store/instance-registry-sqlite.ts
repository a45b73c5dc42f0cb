/**
 * The instance registry in the self-hosted SQLite file (tables from
 * migration 2 in sqlite-migrations.ts). It opens its own connection to the
 * store's file and applies the same migrations the same way SqliteStore
 * does (idempotent, in an IMMEDIATE transaction), so either may open first.
 */
import type { DatabaseSync } from 'node:sqlite';
import { ConflictError } from '../../domain/errors.js';
import type { InstanceRecord, InstanceRegistration, InstanceState, RecordRef } from '../../domain/instances/types.js';
import type { RecordType } from '../../domain/records.js';
import type { InstanceRegistry } from '../../ports/instance-registry.js';
import { immediateTransaction, openSqliteDatabase } from './sqlite-database.js';

interface InstanceRow {
  instance_id: string;
  state: string;
  last_event_at: number;
  version: number;
  updated_at: number;
}

interface RecordRow {
  zone_id: string;
  zone_name: string;
  name: string;
  type: string;
  ttl: number;
  values_json: string;
}

export class SqliteInstanceRegistry implements InstanceRegistry {
  private readonly db: DatabaseSync;

  constructor(path: string) {
    this.db = openSqliteDatabase(path);
  }

  async get(instanceId: string): Promise<InstanceRegistration | undefined> {
    const row = this.db.prepare('SELECT * FROM instances WHERE instance_id = ?').get(instanceId) as InstanceRow | undefined;
    return row && this.toRegistration(row);
  }

  async put(registration: InstanceRegistration, expectedVersion: number | null): Promise<void> {
    immediateTransaction(this.db, () => {
      const current = this.db.prepare('SELECT version FROM instances WHERE instance_id = ?').get(registration.instanceId) as { version: number } | undefined;
      if ((current?.version ?? null) !== expectedVersion) throw new ConflictError(`instance ${registration.instanceId} changed meanwhile`);
      const id = registration.instanceId;
      this.db
        .prepare(
          `INSERT INTO instances (instance_id, state, last_event_at, version, updated_at) VALUES (?, ?, ?, ?, ?)
           ON CONFLICT(instance_id) DO UPDATE SET state = excluded.state, last_event_at = excluded.last_event_at, version = excluded.version, updated_at = excluded.updated_at`,
        )
        .run(id, registration.state, registration.lastEventAt, registration.version, registration.updatedAt);
      // Release what this instance drops, but only where it is still the owner.
      this.db
        .prepare(
          `DELETE FROM instance_record_owners WHERE instance_id = ? AND (zone_id, name, type) IN (SELECT zone_id, name, type FROM instance_records WHERE instance_id = ?)`,
        )
        .run(id, id);
      this.db.prepare('DELETE FROM instance_records WHERE instance_id = ?').run(id);
      const insert = this.db.prepare('INSERT INTO instance_records (instance_id, zone_id, zone_name, name, type, ttl, values_json) VALUES (?, ?, ?, ?, ?, ?, ?)');
      const own = this.db.prepare(
        'INSERT INTO instance_record_owners (zone_id, name, type, instance_id) VALUES (?, ?, ?, ?) ON CONFLICT(zone_id, name, type) DO UPDATE SET instance_id = excluded.instance_id',
      );
      for (const r of registration.records) {
        insert.run(id, r.zoneId, r.zoneName, r.name, r.type, r.ttl, JSON.stringify(r.values));
        own.run(r.zoneId, r.name, r.type, id);
      }
    });
  }

  async ownerOf(record: RecordRef): Promise<string | undefined> {
    const row = this.db.prepare('SELECT instance_id FROM instance_record_owners WHERE zone_id = ? AND name = ? AND type = ?').get(record.zoneId, record.name, record.type) as
      | { instance_id: string }
      | undefined;
    return row?.instance_id;
  }

  async list(): Promise<InstanceRegistration[]> {
    const rows = this.db.prepare('SELECT * FROM instances ORDER BY instance_id').all() as unknown as InstanceRow[];
    return rows.map((row) => this.toRegistration(row));
  }

  async close(): Promise<void> {
    this.db.close();
  }

  private toRegistration(row: InstanceRow): InstanceRegistration {
    const records = this.db.prepare('SELECT * FROM instance_records WHERE instance_id = ? ORDER BY zone_id, name, type').all(row.instance_id) as unknown as RecordRow[];
    return {
      instanceId: row.instance_id,
      state: row.state as InstanceState,
      lastEventAt: row.last_event_at,
      version: row.version,
      updatedAt: row.updated_at,
      records: records.map(
        (r): InstanceRecord => ({ zoneId: r.zone_id, zoneName: r.zone_name, name: r.name, type: r.type as RecordType, ttl: r.ttl, values: JSON.parse(r.values_json) as string[] }),
      ),
    };
  }
}
