/**
 * The one factory that knows every adapter: it wires configuration, store,
 * DNS provider and use cases together. Entry points (Node server, CLI) call it
 * and add only their runtime's glue. The use-case wiring itself is
 * `wireCore` (core.ts), which the Lambda entry point calls with DynamoDB and
 * Route 53 so its bundle never loads SQLite or the built-in DNS server.
 */
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { Store } from '../ports/store.js';
import { BuiltinDns } from '../adapters/dns/builtin/index.js';
import { DeferredDnsProvider } from '../adapters/dns/deferred.js';
import { TimedDnsProvider } from '../adapters/dns/timed.js';
import { createLogger } from '../adapters/observability/logger.js';
import { Metrics } from '../adapters/observability/metrics.js';
import { SqliteStore } from '../adapters/store/sqlite.js';
import { Inventory } from '../app/inventory.js';
import { dnsRegistryFor, wireCore, type Core, type CoreOverrides } from './core.js';
import type { Config } from './env.js';
import { loadInstanceSettings } from './instance-env.js';
import { wireSelfHostedInstances } from './instances.js';
import { createRfc2136Provider, rfc2136Publishing } from './providers.js';
import { builtinReservedNames } from './reserved-names.js';
import { secretBoxFor } from './secret-box.js';

export type { Core, CoreOverrides } from './core.js';

/** The SQLite file the server and the CLI share. */
export const databasePath = (config: Config): string => join(config.dataDir, 'signpost.db');

export function openStore(config: Config, logger?: Logger): Store {
  return new SqliteStore(databasePath(config), config.historyLimit, logger);
}

export async function createCore(config: Config, overrides: CoreOverrides = {}): Promise<Core> {
  const secretBox = secretBoxFor(config);
  const logger = overrides.logger ?? createLogger(config.logLevel);
  const store = overrides.store ?? openStore(config, logger);
  const instanceSettings = overrides.instances?.settings ?? loadInstanceSettings(process.env);
  const dns = overrides.provider || !config.publisher.builtinDns ? undefined : new BuiltinDns(config.dns, logger, instanceSettings.privateZones);
  const rfc2136 = !overrides.provider && config.publisher.kind === 'rfc2136' ? rfc2136Publishing(config, logger, dns) : undefined;
  const metrics = overrides.metrics ?? new Metrics(); // prom-client with process metrics on Node
  // Publish latency per backend: what the registry (every record change) goes through is timed.
  const backend = overrides.provider ? 'custom' : config.publisher.kind;
  const provider = new TimedDnsProvider(overrides.provider ?? rfc2136?.provider ?? dns!.publisher, (outcome, seconds) => metrics.publishDuration(backend, outcome, seconds));
  const dnsRegistry = dnsRegistryFor(config, provider, store, (message, error, context) => logger.error({ err: error, ...context }, message), overrides.now);
  const instances = await wireSelfHostedInstances(config, dnsRegistry, logger, { ...overrides.instances, settings: instanceSettings });
  // The built-in server starts from what every owner source wants (hosts, instance records), without serial churn.
  await dns?.loadFrom(store, (zone) => dnsRegistry.desiredIn(zone));
  const core = wireCore(config, {
    ...overrides,
    // from the DNS configuration even when a test replaces the provider: the names are reserved by configuration
    reserved: builtinReservedNames(config.dns, config.zones),
    metrics,
    logger,
    store,
    provider,
    dnsRegistry,
    secretBox,
    ...(dns ? { dns } : {}),
    ...(instances ? { instanceEvents: instances.endpoint } : {}),
    release: async () => {
      rfc2136?.close();
      await instances?.close();
    },
  });
  // Users' signed UPDATEs on the built-in server's port (README, "Certificates").
  dns?.acceptUpdates({ resolveKey: (name) => core.tsigKeys.resolve(name), execute: (request) => core.dnsUpdates.execute(request) });
  if (dns) metrics.watchDns(() => dns.traffic());
  const inventory = new Inventory(store, { now: overrides.now });
  metrics.watchInventory(() => inventory.counts());
  // After an outage of the RFC 2136 primary, put the store's records back.
  rfc2136?.setReconcile(() => core.reconciler.reconcile());
  return core;
}

/**
 * The core of an administrative command (the CLI). It never builds a DNS
 * server nobody would serve: with the built-in server, the command writes
 * the store only and the running server publishes (it reconciles when the
 * store's change counter moves). A provider other processes share (one that
 * is not the built-in server) is passed as `provider` and written directly.
 */
export async function createAdminCore(config: Config, overrides: CoreOverrides = {}): Promise<Core> {
  const secretBox = secretBoxFor(config);
  const logger = overrides.logger ?? createLogger(config.logLevel);
  const store = overrides.store ?? openStore(config, logger);
  // A primary other processes share is written directly; the built-in server publishes what the store says.
  const provider = overrides.provider ?? (config.publisher.kind === 'rfc2136' ? createRfc2136Provider(config, logger) : new DeferredDnsProvider(config.zones));
  return wireCore(config, { ...overrides, reserved: builtinReservedNames(config.dns, config.zones), logger, store, provider, secretBox });
}
