/**
 * The real Lambda module, imported as Lambda would, with SDK clients created
 * at module scope from the environment: DynamoDB on dynalite, EC2 and SNS
 * at a closed local port. An event it cannot process must throw (so the
 * asynchronous invocation is retried, then dead-lettered); an event that is
 * not an EC2 event is dropped without throwing.
 */
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { startDynalite, type LocalDynamo } from '../support/dynalite.js';
import { stubLambdaEnv } from '../support/lambda-env.js';
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
  await stubLambdaEnv(dynamo, { SIGNPOST_ALERT_TOPIC_ARN: 'arn:aws:sns:us-east-1:123456789012:signpost-alerts', AWS_MAX_ATTEMPTS: '1' });
  const { handler } = await import('../../src/entrypoints/lambda/ec2-event.js');
  expect(await handler({ source: 'aws.s3', 'detail-type': 'Object Created', detail: {} })).toMatchObject({ ignored: expect.any(String) });
  // pending changes nothing and needs no AWS call
  expect(await handler(stateEvent('i-0123456789abcdef0', 'pending', 1))).toMatchObject({ action: 'ignored' });
  await expect(handler(stateEvent('i-0123456789abcdef0', 'running', 2))).rejects.toMatchObject({ name: 'InstanceEventError' });
});
