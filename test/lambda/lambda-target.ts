/**
 * The Lambda HTTP handler wired as on AWS, but to dynalite and the strict
 * Route 53 fake: settings from a Lambda-style environment, a fresh table,
 * hosted zones for the table's zones.
 */
import { Route53DnsProvider } from '../../src/adapters/dns/route53.js';
import { createLogger } from '../../src/adapters/observability/logger.js';
import { DynamoDbStore } from '../../src/adapters/store/dynamodb.js';
import { loadLambdaSettings } from '../../src/config/lambda-env.js';
import type { Core, CoreOverrides } from '../../src/config/core.js';
import { createHandler, type LambdaHttpHandler } from '../../src/entrypoints/lambda/create-handler.js';
import type { LambdaHttpEvent } from '../../src/entrypoints/lambda/event.js';
import { FakeRoute53 } from '../route53/fake-route53.js';
import { TABLE_ZONES, type TableResponse } from '../support/dyndns2-table.js';
import type { LocalDynamo } from '../support/dynalite.js';
import { fromResult, lambdaContext } from './events.js';

export interface LambdaTarget {
  readonly handler: LambdaHttpHandler;
  readonly core: Core;
  readonly route53: FakeRoute53;
  readonly store: DynamoDbStore;
  readonly hostedZoneIds: Record<string, string>;
  invoke(event: LambdaHttpEvent): Promise<TableResponse>;
  /** Published A/AAAA records of dyn.example.test as `name TYPE value`, sorted. */
  records(): Promise<string[]>;
}

export async function createLambdaTarget(
  dynamo: LocalDynamo,
  options: { zones?: 'from-route53' | string; env?: Record<string, string>; route53?: FakeRoute53; logs?: string[]; overrides?: Pick<CoreOverrides, 'hasher' | 'now'> } = {},
): Promise<LambdaTarget> {
  const route53 = options.route53 ?? new FakeRoute53();
  const hostedZoneIds: Record<string, string> = {};
  if (!options.route53) for (const zone of TABLE_ZONES) hostedZoneIds[zone] = route53.addHostedZone(zone);
  route53.addHostedZone('dyn.example.test', { private: true }); // same name, other visibility: must never be written
  const tableName = await dynamo.freshTable();
  const env: Record<string, string> = {
    SIGNPOST_TABLE_NAME: tableName,
    SIGNPOST_ZONE_VISIBILITY: 'public',
    SIGNPOST_LOG_LEVEL: 'silent',
    ...(options.zones === undefined || options.zones === 'from-route53' ? {} : { SIGNPOST_ZONES: options.zones }),
    ...options.env,
  };
  const settings = loadLambdaSettings(env);
  const store = new DynamoDbStore({ client: dynamo.client, tableName: settings.tableName, historyLimit: settings.core.historyLimit });
  const publisher = new Route53DnsProvider({
    api: route53,
    visibility: settings.route53.visibility,
    hostedZoneIds: settings.route53.hostedZoneIds,
    sleep: async () => undefined,
  });
  const logs = options.logs;
  const logger = logs ? createLogger('info', { write: (line: string) => void logs.push(line) }) : createLogger('silent');
  const handler = createHandler({ settings, store, provider: publisher, overrides: { ...options.overrides, logger } });
  const core = await handler.ready();
  return {
    handler,
    core,
    route53,
    store,
    hostedZoneIds,
    invoke: async (event) => fromResult(await handler(event, lambdaContext)),
    records: async () => (await publisher.records((await publisher.zones()).find((z) => z.name === 'dyn.example.test')!)).map((r) => `${r.name} ${r.type} ${r.values.join(' ')}`).sort(),
  };
}
