/**
 * The Lambda entry point for every HTTP route (API Gateway REST v1, HTTP API
 * v2, Function URL). Configuration and AWS SDK clients are created once per
 * execution environment, at module scope, and reused by every invocation;
 * the hosted-zone list is cached inside the publisher.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { Route53Client } from '@aws-sdk/client-route-53';
import { sdkRoute53Api } from '../../adapters/dns/route53-api.js';
import { Route53Publisher } from '../../adapters/dns/route53.js';
import { DynamoDbStore } from '../../adapters/store/dynamodb.js';
import { loadLambdaSettings } from '../../config/lambda-env.js';
import { createHandler } from './create-handler.js';

const settings = loadLambdaSettings(process.env);
const dynamo = new DynamoDBClient({});
const route53 = new Route53Client({});

const publisher = new Route53Publisher({
  api: sdkRoute53Api(route53),
  visibility: settings.route53.visibility,
  hostedZoneIds: settings.route53.hostedZoneIds,
  ...(settings.route53.waitForSyncMs > 0 ? { waitForSync: { timeoutMs: settings.route53.waitForSyncMs, intervalMs: 2000 } } : {}),
});

export const handler = createHandler({
  settings,
  store: new DynamoDbStore({ client: dynamo, tableName: settings.tableName, historyLimit: settings.core.historyLimit }),
  publisher,
  hostedZones: publisher,
});

// Start initialising during the INIT phase; a failure is retried by the first invocation.
handler.ready().catch(() => undefined);
