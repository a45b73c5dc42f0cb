/**
 * Builds the Lambda HTTP handler around the one Hono app: the same routes,
 * protocol code and use cases as the Node server, translated by
 * `hono/aws-lambda` (REST API v1, HTTP API v2 and Function URL events).
 * Stores and DNS providers are injected, so tests drive it in-process against
 * dynalite and the Route 53 fake; http.ts wires the real AWS clients.
 */
import type { APIGatewayProxyResult, APIGatewayProxyStructuredResultV2, Context as LambdaContext } from 'aws-lambda';
import { handle } from 'hono/aws-lambda';
import { LinearRouter } from 'hono/router/linear-router';
import { PlainMetrics } from '../../adapters/observability/plain-metrics.js';
import { ConfigError } from '../../config/env.js';
import { route53ReservedNames } from '../../config/reserved-names.js';
import type { LambdaSettings } from '../../config/lambda-env.js';
import { wireCore, type Core, type CoreOverrides } from '../../config/core.js';
import { composeHttpApp } from '../../config/http-app.js';
import type { DnsProvider } from '../../ports/dns-provider.js';
import type { Store } from '../../ports/store.js';
import { lambdaAdminKey } from './admin-key.js';
import { sourceIp, type LambdaHttpEvent } from './event.js';
import { gatewayApiKey } from './gateway-api-key.js';

export interface LambdaHttpDeps {
  readonly settings: LambdaSettings;
  readonly store: Store;
  /** The DNS provider; its zones are served when SIGNPOST_ZONES is not set. */
  readonly provider: DnsProvider;
  readonly overrides?: Omit<CoreOverrides, 'store' | 'provider'>;
  /** Configuration warnings (e.g. misspelt SIGNPOST_* variables), logged once per cold start. */
  readonly warnings?: readonly string[];
}

export type LambdaHttpResult = APIGatewayProxyResult | APIGatewayProxyStructuredResultV2;

export interface LambdaHttpHandler {
  (event: LambdaHttpEvent, context: LambdaContext): Promise<LambdaHttpResult>;
  /** Initialises once (config, zones, use cases); the module calls it at load so a cold start overlaps INIT. */
  ready(): Promise<Core>;
}

export function createHandler(deps: LambdaHttpDeps): LambdaHttpHandler {
  let built: Promise<{ core: Core; handler: (e: LambdaHttpEvent, c: LambdaContext) => Promise<LambdaHttpResult> }> | undefined;

  const build = async () => {
    const { settings } = deps;
    const core = await createLambdaCore(deps);
    const adminKey = lambdaAdminKey({
      mode: settings.admin.mode,
      ...(settings.admin.keySha256 ? { keySha256: settings.admin.keySha256 } : {}),
      ...(settings.core.adminKey ? { plainKey: settings.core.adminKey } : {}),
    });
    for (const warning of deps.warnings ?? []) core.logger.warn(warning);
    if (settings.admin.mode === 'key' && !settings.admin.keySha256 && !settings.core.adminKey) {
      core.logger.warn('no admin key configured (SIGNPOST_ADMIN_KEY_SHA256): the admin API refuses every request');
    }
    const app = composeHttpApp(core, {
      adminKey,
      peerAddress: (c) => sourceIp((c.env as { event?: LambdaHttpEvent } | undefined)?.event),
      middleware: [gatewayApiKey],
      // A container's app serves few requests after a cold start: a router that costs nothing to build (Hono's
      // LinearRouter) beats the default one, which compiles every route into one RegExp on the first request.
      router: new LinearRouter(),
    });
    return { core, handler: handle(app) as (e: LambdaHttpEvent, c: LambdaContext) => Promise<LambdaHttpResult> };
  };

  const init = () => {
    built ??= build().catch((error: unknown) => {
      built = undefined; // retry on the next invocation instead of caching a failed cold start
      throw error;
    });
    return built;
  };

  const handler = (async (event, context) => {
    const { handler: inner } = await init();
    return inner(event, context);
  }) as LambdaHttpHandler;
  handler.ready = async () => (await init()).core;
  return handler;
}

/**
 * The use cases wired to the store and the DNS provider, as every Lambda
 * function of the stack sees them (the HTTP handler, the challenge sweep).
 */
export async function createLambdaCore(deps: Omit<LambdaHttpDeps, 'warnings'>): Promise<Core> {
  const { settings } = deps;
  const zones = await resolveZones(settings, deps.provider);
  // Zones read from Route 53 were not known when the settings defaulted the acme-dns zone to the first one.
  const acmeDns = settings.acmeDnsZoneConfigured ? settings.core.acmeDns : { ...settings.core.acmeDns, zone: `acme.${zones[0]!}` };
  return wireCore(
    { ...settings.core, zones, acmeDns },
    { metrics: new PlainMetrics(), ...deps.overrides, store: deps.store, provider: deps.provider, reserved: route53ReservedNames(zones, settings.nameservers) },
  );
}

/**
 * The zones the use cases serve: SIGNPOST_ZONES when set (no Route 53 call at
 * cold start; a zone that no writable hosted zone holds then answers
 * `dnserr`, logged), else every writable hosted zone. A name outside them
 * answers `nohost`.
 */
async function resolveZones(settings: LambdaSettings, provider: DnsProvider): Promise<readonly string[]> {
  if (settings.zonesConfigured) return settings.core.zones;
  const hosted = (await provider.zones()).map((z) => z.name);
  if (hosted.length === 0) {
    throw new ConfigError(`no ${settings.route53.visibility} hosted zone to serve: set SIGNPOST_ZONES or SIGNPOST_HOSTED_ZONE_IDS`);
  }
  return hosted;
}
