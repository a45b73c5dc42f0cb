/**
 * The Lambda entry point of the scheduled challenge sweep (EventBridge,
 * infra/lib/challenge-expiry.ts): the same settings, store and Route 53
 * provider as the HTTP function, created once per execution environment at
 * module scope; each invocation drops the ACME challenge values whose
 * lifetime (SIGNPOST_CHALLENGE_LIFETIME_SECONDS) has passed.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { Route53Client } from '@aws-sdk/client-route-53';
import { sdkRoute53Api } from '../../adapters/dns/route53-api.js';
import { Route53DnsProvider } from '../../adapters/dns/route53.js';
import { createLogger } from '../../adapters/observability/logger.js';
import { DynamoDbStore } from '../../adapters/store/dynamodb.js';
import { loadLambdaSettings } from '../../config/lambda-env.js';
import { createChallengeSweepHandler } from './challenge-sweep-handler.js';
import { createLambdaCore } from './create-handler.js';

const settings = loadLambdaSettings(process.env);
const logger = createLogger(settings.core.logLevel);
const provider = new Route53DnsProvider({
  api: sdkRoute53Api(new Route53Client({})),
  visibility: settings.route53.visibility,
  hostedZoneIds: settings.route53.hostedZoneIds,
});
const store = new DynamoDbStore({ client: new DynamoDBClient({}), tableName: settings.tableName, historyLimit: settings.core.historyLimit });

let core: ReturnType<typeof createLambdaCore> | undefined;
/** Built on first use and kept; a failed build is retried by the next invocation. */
const challenges = async () => {
  core ??= createLambdaCore({ settings, store, provider, overrides: { logger } }).catch((error: unknown) => {
    core = undefined;
    throw error;
  });
  return (await core).challenges;
};

export const handler = createChallengeSweepHandler({ challenges, log: logger });
