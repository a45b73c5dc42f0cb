/**
 * The environment a Lambda module is imported under in tests: local
 * credentials, DynamoDB on dynalite, and every other AWS service at a closed
 * port on 127.0.0.1 (an unexpected call fails fast, locally). `vi.stubEnv`
 * so `vi.unstubAllEnvs()` restores it.
 */
import { vi } from 'vitest';
import type { LocalDynamo } from './dynalite.js';

const CLOSED = 'http://127.0.0.1:9';

export async function stubLambdaEnv(dynamo: LocalDynamo, extra: Record<string, string> = {}): Promise<void> {
  const env: Record<string, string> = {
    SIGNPOST_TABLE_NAME: await dynamo.freshTable(),
    SIGNPOST_LOG_LEVEL: 'silent',
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
    AWS_ENDPOINT_URL_ROUTE_53: CLOSED,
    AWS_ENDPOINT_URL_EC2: CLOSED,
    AWS_ENDPOINT_URL_SNS: CLOSED,
    ...extra,
  };
  for (const [k, v] of Object.entries(env)) vi.stubEnv(k, v);
}
