/**
 * Lambda configuration from environment variables, validated once per cold
 * start. The settings the Node server shares (zones, TTL, abuse limits, log
 * level, …) are parsed by `loadConfig` from env.ts; this module adds only
 * what exists on AWS: the DynamoDB table, the Route 53 hosted zones and how
 * the admin API is authenticated.
 *
 * | variable                              | meaning                                                        |
 * |---------------------------------------|----------------------------------------------------------------|
 * | SIGNPOST_TABLE_NAME (required)        | DynamoDB table (schema: adapters/store/dynamodb-schema.ts)     |
 * | SIGNPOST_ZONES                        | zones served; unset = every writable hosted zone (one Route 53 call per cold start) |
 * | SIGNPOST_HOSTED_ZONE_IDS              | comma-separated hosted zone ids Signpost may write; unset = all of the visibility |
 * | SIGNPOST_ZONE_VISIBILITY              | `public` (default) or `private`: which hosted zones are used   |
 * | SIGNPOST_ROUTE53_WAIT_SECONDS         | wait up to this long for INSYNC after a change (0 = don't wait, default) |
 * | SIGNPOST_ADMIN_AUTH                   | `key` (default) or `api-gateway`, see below                    |
 * | SIGNPOST_ADMIN_KEY_SHA256             | hex SHA-256 of the admin API key                               |
 * | SIGNPOST_ADMIN_KEY                    | the admin API key itself (prefer the hash on Lambda)           |
 *
 * Admin authentication on Lambda. The app's `X-API-KEY` check always runs
 * (a Function URL or a direct invoke bypasses API Gateway, so the app never
 * assumes API Gateway checked anything by itself):
 * - `key`: the presented key must hash to SIGNPOST_ADMIN_KEY_SHA256 (or
 *   equal SIGNPOST_ADMIN_KEY). With neither set, every admin request is
 *   refused (fail closed).
 * - `api-gateway`: the request must be an API Gateway REST (v1) event whose
 *   `requestContext.identity.apiKey` equals the presented header, i.e. API
 *   Gateway validated that key against a usage plan; if a hash is also
 *   configured it must match too. HTTP API / Function URL events carry no
 *   validated key and are refused.
 */
import * as z from 'zod';
import { list, loadConfig, parseEnv, type Config } from './env.js';
import { oneOf, wholeNumber } from './env-values.js';
import { canonicalName } from '../domain/names.js';

export type AdminAuthMode = 'key' | 'api-gateway';

export interface LambdaSettings {
  /** The shared settings, as on Node. `zones` is meaningful only when `zonesConfigured`. */
  readonly core: Config;
  readonly zonesConfigured: boolean;
  /** SIGNPOST_ACME_DNS_ZONE was given; else it follows the zones served (`acme.<first zone>`), known only once they are. */
  readonly acmeDnsZoneConfigured: boolean;
  readonly tableName: string;
  readonly route53: {
    readonly visibility: 'public' | 'private';
    readonly hostedZoneIds: readonly string[];
    readonly waitForSyncMs: number;
  };
  readonly admin: { readonly mode: AdminAuthMode; readonly keySha256?: string };
  /** NS names given in SIGNPOST_DNS_NS (`{zone}` not yet expanded); reserved besides each apex. Empty when unset. */
  readonly nameservers: readonly string[];
}

const schema = z.object({
  SIGNPOST_TABLE_NAME: z.string().regex(/^[A-Za-z0-9_.-]{3,255}$/, 'must be a DynamoDB table name (3 to 255 letters, digits, _ . -)'),
  SIGNPOST_HOSTED_ZONE_IDS: z
    .string()
    .optional()
    .transform((v) => list(v).map((id) => id.replace(/^\/?hostedzone\//, '')))
    .refine((ids) => ids.every((id) => /^[A-Z0-9]{1,32}$/.test(id)), 'must be comma-separated hosted zone ids like Z0123456789ABC'),
  SIGNPOST_ZONE_VISIBILITY: oneOf(['public', 'private']).default('public'),
  SIGNPOST_ROUTE53_WAIT_SECONDS: wholeNumber(0, 900, 'seconds').default(0),
  SIGNPOST_ADMIN_AUTH: oneOf(['key', 'api-gateway']).default('key'),
  SIGNPOST_ADMIN_KEY_SHA256: z
    .string()
    .regex(/^[0-9a-fA-F]{64}$/, 'must be 64 hex digits (a SHA-256)')
    .transform((s) => s.toLowerCase())
    .optional(),
});

/** The variables only Lambda reads (for spotting misspelt ones, see known-variables.ts). */
export const LAMBDA_VARIABLES: readonly string[] = Object.keys(schema.shape);

export function loadLambdaSettings(env: Record<string, string | undefined>): LambdaSettings {
  const c = parseEnv(schema, env, 'Lambda configuration');
  const core = loadConfig(env);
  return {
    core,
    zonesConfigured: list(env.SIGNPOST_ZONES).map(canonicalName).length > 0,
    acmeDnsZoneConfigured: (env.SIGNPOST_ACME_DNS_ZONE ?? '') !== '',
    tableName: c.SIGNPOST_TABLE_NAME,
    route53: { visibility: c.SIGNPOST_ZONE_VISIBILITY, hostedZoneIds: c.SIGNPOST_HOSTED_ZONE_IDS, waitForSyncMs: c.SIGNPOST_ROUTE53_WAIT_SECONDS * 1000 },
    admin: { mode: c.SIGNPOST_ADMIN_AUTH, ...(c.SIGNPOST_ADMIN_KEY_SHA256 ? { keySha256: c.SIGNPOST_ADMIN_KEY_SHA256 } : {}) },
    // only when set: the built-in server's default (ns1.{zone}) means nothing in a Route 53 zone
    nameservers: list(env.SIGNPOST_DNS_NS).map((entry) => entry.split('=')[0]!),
  };
}
