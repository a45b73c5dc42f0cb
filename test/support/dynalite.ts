/**
 * An in-process DynamoDB API (dynalite) on an ephemeral 127.0.0.1 port, and
 * a helper that creates a fresh Signpost table in it.
 */
import { CreateTableCommand, DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import dynalite from 'dynalite';
import { createTableInput } from '../../src/adapters/store/dynamodb-schema.js';

export interface LocalDynamo {
  readonly client: DynamoDBClient;
  readonly endpoint: string;
  /** Creates an empty table with Signpost's schema and returns its name. */
  freshTable(): Promise<string>;
  close(): Promise<void>;
}

export async function startDynalite(): Promise<LocalDynamo> {
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const client = new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
  });
  return {
    client,
    endpoint,
    async freshTable() {
      const name = `signpost-${randomUUID()}`;
      await client.send(new CreateTableCommand(createTableInput(name)));
      // dynalite turns a table ACTIVE on a timer even with createTableMs 0; a write before that is
      // answered ResourceNotFoundException (seen once on a busy machine), so wait for it.
      for (let i = 0; i < 200; i++) {
        const { Table } = await client.send(new DescribeTableCommand({ TableName: name }));
        if (Table?.TableStatus === 'ACTIVE') break;
        await new Promise((r) => setTimeout(r, 10));
      }
      return name;
    },
    async close() {
      client.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
