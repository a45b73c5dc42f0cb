/**
 * The one factory that knows every adapter: it wires configuration, store,
 * publisher and use cases together. Entry points (Node server, CLI, Lambda)
 * call it and add only their runtime's glue.
 */
import { join } from 'node:path';
import type { Logger } from 'pino';
import { Accounts } from '../app/accounts.js';
import { Authenticator } from '../app/authenticator.js';
import { KeyedMutex } from '../app/keyed-mutex.js';
import { Reconciler } from '../app/reconcile.js';
import { UpdateHosts } from '../app/update-hosts.js';
import { AbuseTracker } from '../domain/abuse.js';
import type { DnsPublisher } from '../ports/publisher.js';
import type { PasswordHasher } from '../ports/password-hasher.js';
import type { Store } from '../ports/store.js';
import { Argon2Hasher } from '../adapters/crypto/argon2.js';
import { BuiltinDns } from '../adapters/dns/builtin/index.js';
import { createLogger } from '../adapters/observability/logger.js';
import { Metrics } from '../adapters/observability/metrics.js';
import { SqliteStore } from '../adapters/store/sqlite.js';
import type { Config } from './env.js';

export interface Core {
  readonly config: Config;
  readonly store: Store;
  readonly publisher: DnsPublisher;
  readonly accounts: Accounts;
  readonly updateHosts: UpdateHosts;
  readonly reconciler: Reconciler;
  readonly authenticator: Authenticator;
  readonly metrics: Metrics;
  readonly logger: Logger;
  /** The built-in DNS server, unless a publisher override replaced it. */
  readonly dns?: BuiltinDns;
}

export interface CoreOverrides {
  readonly store?: Store;
  readonly publisher?: DnsPublisher;
  readonly hasher?: PasswordHasher;
  readonly logger?: Logger;
  readonly metrics?: Metrics;
  readonly now?: () => number;
}

export function openStore(config: Config): Store {
  return new SqliteStore(join(config.dataDir, 'signpost.db'), config.historyLimit);
}

export async function createCore(config: Config, overrides: CoreOverrides = {}): Promise<Core> {
  const now = overrides.now ?? Date.now;
  const logger = overrides.logger ?? createLogger(config.logLevel);
  const store = overrides.store ?? openStore(config);
  const dns = overrides.publisher ? undefined : new BuiltinDns(config.dns, logger);
  await dns?.loadFrom(store);
  const publisher = overrides.publisher ?? dns!.publisher;
  const hasher = overrides.hasher ?? new Argon2Hasher();
  const abuse = new AbuseTracker(config.abuse);
  const locks = new KeyedMutex();
  const onError = (message: string, error: unknown, context: Record<string, unknown>) => logger.error({ err: error, ...context }, message);
  return {
    config,
    store,
    publisher,
    logger,
    ...(dns ? { dns } : {}),
    metrics: overrides.metrics ?? new Metrics(),
    authenticator: new Authenticator(store, hasher, { cacheTtlMs: config.credentialCacheMs, cacheMaxEntries: 10_000, now }),
    accounts: new Accounts({ store, hasher, publisher, zones: config.zones, abuse, locks, now }),
    updateHosts: new UpdateHosts({ store, publisher, zones: config.zones, ttl: config.ttl, abuse, locks, now, onError }),
    reconciler: new Reconciler({ store, publisher, zones: config.zones, locks, onError }),
  };
}
