/**
 * The real sweep module (src/entrypoints/lambda/challenge-sweep.ts), imported
 * as Lambda would with the environment the stack gives it: DynamoDB on
 * dynalite, Route 53 at a closed port (an empty table needs no Route 53 call).
 */
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { startDynalite, type LocalDynamo } from '../support/dynalite.js';
import { stubLambdaEnv } from '../support/lambda-env.js';

let dynamo: LocalDynamo;
beforeAll(async () => {
  dynamo = await startDynalite();
});
afterAll(async () => {
  vi.unstubAllEnvs();
  await dynamo.close();
});

it('loads with module-scope clients and sweeps on each scheduled event', async () => {
  await stubLambdaEnv(dynamo, { SIGNPOST_ZONES: 'dyn.example.test', SIGNPOST_ACME_DNS_ZONE: 'acme.dyn.example.test' });
  const { handler } = await import('../../src/entrypoints/lambda/challenge-sweep.js');
  const scheduled = { version: '0', 'detail-type': 'Scheduled Event', source: 'aws.events', detail: {} };
  expect(await handler(scheduled)).toEqual({ changed: 0 });
  expect(await handler(scheduled)).toEqual({ changed: 0 });
});
