/**
 * The one factory that knows every adapter: it wires configuration, store,
 * publisher and use cases together. Entry points (Node server, CLI) call it
 * and add only their runtime's glue. The use-case wiring itself is
 * `wireCore` (core.ts), which the Lambda entry point calls with DynamoDB and
 * Route 53 so its bundle never loads SQLite or the built-in DNS server.
 */
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { Store } from '../ports/store.js';
import { BuiltinDns } from '../adapters/dns/builtin/index.js';
import { createLogger } from '../adapters/observability/logger.js';
import { Metrics } from '../adapters/observability/metrics.js';
import { SqliteStore } from '../adapters/store/sqlite.js';
import { wireCore, type Core, type CoreOverrides } from './core.js';
import type { Config } from './env.js';
import { wireSelfHostedInstances } from './instances.js';
import { rfc2136Publishing } from './providers.js';
import { builtinReservedNames } from './reserved-names.js';

export type { Core, CoreOverrides } from './core.js';

/** The SQLite file the server and the CLI share. */
export const databasePath = (config: Config): string => join(config.dataDir, 'signpost.db');

export function openStore(config: Config, logger?: Logger): Store {
  return new SqliteStore(databasePath(config), config.historyLimit, logger);
}

export async function createCore(config: Config, overrides: CoreOverrides = {}): Promise<Core> {
  const logger = overrides.logger ?? createLogger(config.logLevel);
  const store = overrides.store ?? openStore(config, logger);
  const dns = overrides.publisher || !config.publisher.builtinDns ? undefined : new BuiltinDns(config.dns, logger);
  await dns?.loadFrom(store);
  const rfc2136 = !overrides.publisher && config.publisher.kind === 'rfc2136' ? rfc2136Publishing(config, store, logger, dns) : undefined;
  const publisher = overrides.publisher ?? rfc2136?.publisher ?? dns!.publisher;
  const instances = await wireSelfHostedInstances(config, dns, logger, overrides.instances);
  const core = wireCore(config, {
    ...overrides,
    // from the DNS configuration even when a test replaces the publisher: the names are reserved by configuration
    reserved: builtinReservedNames(config.dns, config.zones),
    metrics: overrides.metrics ?? new Metrics(), // prom-client with process metrics on Node
    logger,
    store,
    publisher,
    ...(dns ? { dns } : {}),
    ...(instances ? { instanceEvents: instances.endpoint, managedElsewhere: instances.managedElsewhere } : {}),
    release: async () => {
      rfc2136?.close();
      await instances?.close();
    },
  });
  // After an outage of the RFC 2136 primary, put the store's records back.
  rfc2136?.setReconcile(() => core.reconciler.reconcile());
  return core;
}
