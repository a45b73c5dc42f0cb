/**
 * The real module: import src/entrypoints/lambda/http.ts as Lambda would,
 * with SDK clients created at module scope from the environment. DynamoDB
 * is pointed at dynalite through the SDK's standard AWS_ENDPOINT_URL_*
 * variables; Route 53 at a closed local port (SIGNPOST_ZONES is set, so
 * serving these requests needs no Route 53 call).
 */
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { startDynalite, type LocalDynamo } from '../support/dynalite.js';
import { stubLambdaEnv } from '../support/lambda-env.js';
import { fromResult, lambdaContext, toEvent } from './events.js';

let dynamo: LocalDynamo;
beforeAll(async () => {
  dynamo = await startDynalite();
});
afterAll(async () => {
  vi.unstubAllEnvs();
  await dynamo.close();
});

it('loads with module-scope clients and serves v1 and v2 events', async () => {
  await stubLambdaEnv(dynamo, { SIGNPOST_ZONES: 'dyn.example.test' });
  const { handler } = await import('../../src/entrypoints/lambda/http.js');
  const health = fromResult(await handler(toEvent('v1', { path: '/healthz', sourceIp: '198.51.100.3' }), lambdaContext));
  expect(health).toMatchObject({ status: 200 });
  expect(JSON.parse(health.body)).toEqual({ status: 'ok' });
  const ip = fromResult(await handler(toEvent('v2', { path: '/nic/checkip', sourceIp: '198.51.100.3' }), lambdaContext));
  expect(ip.body).toBe('198.51.100.3');
  const admin = fromResult(await handler(toEvent('url', { path: '/users', headers: { 'x-api-key': 'guess' }, sourceIp: '198.51.100.3' }), lambdaContext));
  expect(admin.status).toBe(403); // no admin key configured: fail closed
});
