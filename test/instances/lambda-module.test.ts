/**
 * The real Lambda module, imported as Lambda would, with SDK clients created
 * at module scope from the environment: DynamoDB on dynalite, EC2 and SNS
 * at a closed local port. An event it cannot process must throw (so the
 * asynchronous invocation is retried, then dead-lettered); an event that is
 * not an EC2 event is dropped without throwing.
 */
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { startDynalite, type LocalDynamo } from '../support/dynalite.js';
import { stateEvent } from './events.js';

let dynamo: LocalDynamo;
beforeAll(async () => {
  dynamo = await startDynalite();
});
afterAll(async () => {
  vi.unstubAllEnvs();
  await dynamo.close();
});

it('loads with module-scope clients; a failure throws for retry and DLQ; foreign events are dropped', async () => {
  const env: Record<string, string> = {
    SIGNPOST_TABLE_NAME: await dynamo.freshTable(),
    SIGNPOST_LOG_LEVEL: 'silent',
    SIGNPOST_ALERT_TOPIC_ARN: 'arn:aws:sns:us-east-1:123456789012:signpost-alerts',
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    AWS_MAX_ATTEMPTS: '1',
    AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
    AWS_ENDPOINT_URL_EC2: 'http://127.0.0.1:9',
    AWS_ENDPOINT_URL_SNS: 'http://127.0.0.1:9',
    AWS_ENDPOINT_URL_ROUTE_53: 'http://127.0.0.1:9',
  };
  for (const [k, v] of Object.entries(env)) vi.stubEnv(k, v);
  const { handler } = await import('../../src/entrypoints/lambda/ec2-event.js');
  expect(await handler({ source: 'aws.s3', 'detail-type': 'Object Created', detail: {} })).toMatchObject({ ignored: expect.any(String) });
  // pending changes nothing and needs no AWS call
  expect(await handler(stateEvent('i-0123456789abcdef0', 'pending', 1))).toMatchObject({ action: 'ignored' });
  await expect(handler(stateEvent('i-0123456789abcdef0', 'running', 2))).rejects.toMatchObject({ name: 'InstanceEventError' });
});
