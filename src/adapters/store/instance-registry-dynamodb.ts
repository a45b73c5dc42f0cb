/**
 * The instance registry in Signpost's DynamoDB table (same table as the
 * store; docs: dynamodb-schema.ts). Items:
 * - `INSTANCE#<id>` / `STATE`: state, last event time, version and the typed
 *   records (a list of maps), listed through gsi1 (`INSTANCES`).
 * - `IREC#<zone id>|<name>|<type>` / `OWNER`: which instance owns a record.
 * No transactions (dynalite has none, see TOOLING.md): the registration is a
 * single-item conditional write on its version; ownership items follow it.
 * A crash in between leaves ownership behind the registration, which the
 * next event for the instance rewrites (put is idempotent).
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { ConflictError } from '../../domain/errors.js';
import { recordRefKey, type InstanceRecord, type InstanceRegistration, type InstanceState, type RecordRef } from '../../domain/instances/types.js';
import type { RecordType } from '../../domain/records.js';
import type { InstanceRegistry } from '../../ports/instance-registry.js';
import { conditional } from './dynamodb-conditional.js';

type Item = Record<string, unknown>;

const instancePk = (id: string) => `INSTANCE#${id}`;
const ownerPk = (r: RecordRef) => `IREC#${recordRefKey(r)}`;

export class DynamoDbInstanceRegistry implements InstanceRegistry {
  private readonly doc: DynamoDBDocumentClient;

  constructor(private readonly options: { readonly client: DynamoDBClient; readonly tableName: string }) {
    this.doc = DynamoDBDocumentClient.from(options.client, { marshallOptions: { removeUndefinedValues: true } });
  }

  async get(instanceId: string): Promise<InstanceRegistration | undefined> {
    const out = await this.doc.send(new GetCommand({ TableName: this.options.tableName, Key: { pk: instancePk(instanceId), sk: 'STATE' }, ConsistentRead: true }));
    return out.Item ? toRegistration(out.Item) : undefined;
  }

  async put(registration: InstanceRegistration, expectedVersion: number | null): Promise<void> {
    const id = registration.instanceId;
    const before = await this.get(id);
    await conditional(
      this.doc.send(
        new PutCommand({
          TableName: this.options.tableName,
          Item: {
            pk: instancePk(id),
            sk: 'STATE',
            entity: 'instance',
            instanceId: id,
            state: registration.state,
            lastEventAt: registration.lastEventAt,
            version: registration.version,
            updatedAt: registration.updatedAt,
            records: registration.records.map((r) => ({ zoneId: r.zoneId, zoneName: r.zoneName, name: r.name, type: r.type, ttl: r.ttl, values: [...r.values] })),
            gsi1pk: 'INSTANCES',
            gsi1sk: id,
          },
          ConditionExpression: expectedVersion === null ? 'attribute_not_exists(pk)' : 'version = :v',
          ...(expectedVersion === null ? {} : { ExpressionAttributeValues: { ':v': expectedVersion } }),
        }),
      ),
      () => new ConflictError(`instance ${id} changed meanwhile`),
    );
    for (const r of registration.records) {
      await this.doc.send(new PutCommand({ TableName: this.options.tableName, Item: { pk: ownerPk(r), sk: 'OWNER', entity: 'instance-record-owner', instanceId: id } }));
    }
    const kept = new Set(registration.records.map(recordRefKey));
    for (const r of before?.records ?? []) {
      if (kept.has(recordRefKey(r))) continue;
      // Only while still ours: a replacement instance may have taken the record over.
      await conditional(
        this.doc.send(
          new DeleteCommand({ TableName: this.options.tableName, Key: { pk: ownerPk(r), sk: 'OWNER' }, ConditionExpression: 'instanceId = :me', ExpressionAttributeValues: { ':me': id } }),
        ),
      );
    }
  }

  async ownerOf(record: RecordRef): Promise<string | undefined> {
    const out = await this.doc.send(new GetCommand({ TableName: this.options.tableName, Key: { pk: ownerPk(record), sk: 'OWNER' }, ConsistentRead: true }));
    return out.Item ? String(out.Item.instanceId) : undefined;
  }

  async list(): Promise<InstanceRegistration[]> {
    const items: Item[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const out = await this.doc.send(
        new QueryCommand({
          TableName: this.options.tableName,
          IndexName: 'gsi1',
          KeyConditionExpression: 'gsi1pk = :p',
          ExpressionAttributeValues: { ':p': 'INSTANCES' },
          ExclusiveStartKey: start,
        }),
      );
      items.push(...((out.Items ?? []) as Item[]));
      start = out.LastEvaluatedKey;
    } while (start);
    return items.map(toRegistration).sort((a, b) => (a.instanceId < b.instanceId ? -1 : 1));
  }
}

function toRegistration(item: Item): InstanceRegistration {
  const records = ((item.records ?? []) as Item[]).map(
    (r): InstanceRecord => ({
      zoneId: String(r.zoneId),
      zoneName: String(r.zoneName),
      name: String(r.name),
      type: String(r.type) as RecordType,
      ttl: Number(r.ttl),
      values: (r.values as unknown[]).map(String),
    }),
  );
  return {
    instanceId: String(item.instanceId),
    state: String(item.state) as InstanceState,
    lastEventAt: Number(item.lastEventAt),
    version: Number(item.version),
    updatedAt: Number(item.updatedAt),
    records,
  };
}
