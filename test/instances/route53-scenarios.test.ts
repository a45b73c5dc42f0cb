import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { DynamoDbInstanceRegistry } from '../../src/adapters/store/instance-registry-dynamodb.js';
import { SqliteInstanceRegistry } from '../../src/adapters/store/instance-registry-sqlite.js';
import { startDynalite, type LocalDynamo } from '../support/dynalite.js';
import { instanceScenarios } from './scenarios.js';
import { route53World } from './route53-world.js';

let dynamo: LocalDynamo;
const dir = mkdtempSync(join(tmpdir(), 'signpost-scenarios-'));
let n = 0;
beforeAll(async () => {
  dynamo = await startDynalite();
});
afterAll(async () => {
  await dynamo.close();
  rmSync(dir, { recursive: true, force: true });
});

instanceScenarios('Route 53, Lambda event handler, memory registry', () => route53World());
instanceScenarios('Route 53, Lambda event handler, SQLite registry', () => route53World({ registry: new SqliteInstanceRegistry(join(dir, `r${n++}.db`)) }));
instanceScenarios('Route 53, Lambda event handler, DynamoDB registry', async () =>
  route53World({ registry: new DynamoDbInstanceRegistry({ client: dynamo.client, tableName: await dynamo.freshTable() }) }),
);
