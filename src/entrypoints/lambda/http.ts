/**
 * The Lambda entry point for every HTTP route (API Gateway REST v1, HTTP API
 * v2, Function URL). Configuration and AWS SDK clients are created once per
 * execution environment, at module scope, and reused by every invocation;
 * the hosted-zone list is cached inside the DNS provider. The Route 53 client is
 * the exception that proves the rule: only publishing needs it, so its SDK
 * code is a separate chunk, imported and instantiated on the first Route 53
 * call and then kept at module scope like the others (cold starts of
 * requests that never publish skip it).
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { lazyRoute53Api } from '../../adapters/dns/lazy-route53-api.js';
import { Route53DnsProvider } from '../../adapters/dns/route53.js';
import { DynamoDbStore } from '../../adapters/store/dynamodb.js';
import { unknownVariableWarnings } from '../../config/known-variables.js';
import { loadLambdaSettings } from '../../config/lambda-env.js';
import { createHandler } from './create-handler.js';

const settings = loadLambdaSettings(process.env);
const dynamo = new DynamoDBClient({});
const route53Api = lazyRoute53Api(async () => {
  const [{ Route53Client }, { sdkRoute53Api }] = await Promise.all([import('@aws-sdk/client-route-53'), import('../../adapters/dns/route53-api.js')]);
  return sdkRoute53Api(new Route53Client({}));
});

const provider = new Route53DnsProvider({
  api: route53Api,
  visibility: settings.route53.visibility,
  hostedZoneIds: settings.route53.hostedZoneIds,
  ...(settings.route53.waitForSyncMs > 0 ? { waitForSync: { timeoutMs: settings.route53.waitForSyncMs, intervalMs: 2000 } } : {}),
});

export const handler = createHandler({
  settings,
  store: new DynamoDbStore({ client: dynamo, tableName: settings.tableName, historyLimit: settings.core.historyLimit }),
  provider,
  warnings: unknownVariableWarnings(process.env),
});

// Start initialising during the INIT phase; a failure is retried by the first invocation.
handler.ready().catch(() => undefined);
