import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { DynamoDbInstanceRegistry } from '../../src/adapters/store/instance-registry-dynamodb.js';
import { MemoryInstanceRegistry } from '../../src/adapters/store/instance-registry-memory.js';
import { SqliteInstanceRegistry } from '../../src/adapters/store/instance-registry-sqlite.js';
import { SqliteStore } from '../../src/adapters/store/sqlite.js';
import { startDynalite, type LocalDynamo } from '../support/dynalite.js';
import { registryContract } from './registry.contract.js';

const dirs: string[] = [];
let dynamo: LocalDynamo;
beforeAll(async () => {
  dynamo = await startDynalite();
});
afterAll(async () => {
  await dynamo.close();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
const freshPath = () => {
  const dir = mkdtempSync(join(tmpdir(), 'signpost-instances-'));
  dirs.push(dir);
  return join(dir, 'signpost.db');
};

registryContract('memory', async () => new MemoryInstanceRegistry());
registryContract('sqlite', async () => new SqliteInstanceRegistry(freshPath()));
registryContract('dynamodb (dynalite)', async () => new DynamoDbInstanceRegistry({ client: dynamo.client, tableName: await dynamo.freshTable() }));

it('SQLite: the registry and the store share one file, whichever opens first, and the registry survives reopening', async () => {
  const path = freshPath();
  const registry = new SqliteInstanceRegistry(path);
  const store = new SqliteStore(path);
  await store.createUser({ username: 'alice', passwordHash: 'h', createdAt: 1 });
  await registry.put({ instanceId: 'i-1', state: 'running', lastEventAt: 1, version: 1, updatedAt: 1, records: [] }, null);
  await registry.close();
  const again = new SqliteInstanceRegistry(path);
  expect(await again.get('i-1')).toMatchObject({ state: 'running' });
  expect(await store.getUser('alice')).toBeDefined();
  await again.close();
  await store.close();
});
