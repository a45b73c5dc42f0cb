/**
 * Wiring of the use cases around a chosen store and DNS provider, with no
 * adapter selection: `createCore` (services.ts) picks the self-hosted
 * adapters (SQLite, built-in DNS) and calls this; the Lambda entry point
 * calls it with DynamoDB and Route 53, so a Lambda bundle never pulls in
 * native or self-hosted-only modules.
 */
import type { Logger } from 'pino';
import { Accounts } from '../app/accounts.js';
import { AcmeDnsAccounts } from '../app/acme-dns-accounts.js';
import { Authenticator } from '../app/authenticator.js';
import { ChallengeOwners } from '../app/challenge-owners.js';
import { ChallengeRecords } from '../app/challenge-records.js';
import { HostOwners } from '../app/dns-owners.js';
import { DnsRegistry } from '../app/dns-registry.js';
import { DnsUpdates } from '../app/dns-updates.js';
import { KeyGuard } from '../app/key-guard.js';
import { KeyedMutex } from '../app/keyed-mutex.js';
import { LoginGuard } from '../app/login-guard.js';
import { Reconciler } from '../app/reconcile.js';
import { SetHostAddresses } from '../app/set-host-addresses.js';
import { TsigKeys } from '../app/tsig-keys.js';
import { UpdateHosts } from '../app/update-hosts.js';
import { UserHosts } from '../app/user-hosts.js';
import { WebSessions } from '../app/web-sessions.js';
import { WriteHealth, storeHealth, watchWrites } from '../app/write-health.js';
import { AbuseTracker } from '../domain/abuse.js';
import { Backoff, LoginThrottle, type BackoffPolicy, type LoginThrottlePolicy } from '../domain/throttle.js';
import type { DnsProvider } from '../ports/dns-provider.js';
import type { PasswordHasher } from '../ports/password-hasher.js';
import type { SecretBox } from '../ports/secret-box.js';
import type { Store } from '../ports/store.js';
import { Argon2Hasher } from '../adapters/crypto/argon2.js';
import type { BuiltinDns } from '../adapters/dns/builtin/index.js';
import { createLogger } from '../adapters/observability/logger.js';
import { PlainMetrics } from '../adapters/observability/plain-metrics.js';
import type { Metrics } from '../ports/metrics.js';
import type { InstanceEventsEndpoint } from '../adapters/http/instance-event-routes.js';
import { acmeDnsReservedName, zoneReservedNames, type ReservedName } from '../domain/reserved.js';
import type { Config } from './env.js';
import type { InstanceOverrides } from './instances.js';

export interface Core {
  readonly config: Config;
  readonly store: Store;
  readonly provider: DnsProvider;
  /** What Signpost owns in the provider, and the one way records change there. */
  readonly dnsRegistry: DnsRegistry;
  /** ACME DNS-01 TXT values (and acme-dns aliases) at challenge names, each value expiring on its own. */
  readonly challenges: ChallengeRecords;
  /** acme-dns accounts (the /acme-dns API): their credentials, values and delegations. */
  readonly acmeDns: AcmeDnsAccounts;
  readonly accounts: Accounts;
  readonly updateHosts: UpdateHosts;
  readonly setHostAddresses: SetHostAddresses;
  readonly reconciler: Reconciler;
  readonly authenticator: Authenticator;
  /** dyndns2 logins through the failed-login throttle. */
  readonly loginGuard: LoginGuard;
  /** Admin and instance-event key checks through the per-address backoff. */
  readonly keyGuard: KeyGuard;
  /** The web page's sign-in sessions and what a signed-in user may see and change. */
  readonly webSessions: WebSessions;
  readonly userHosts: UserHosts;
  /** Users' TSIG keys for RFC 2136 UPDATE (creating one needs `CoreParts.secretBox`). */
  readonly tsigKeys: TsigKeys;
  /** RFC 2136 UPDATE, signed with a user's TSIG key (the built-in DNS server's listener calls it). */
  readonly dnsUpdates: DnsUpdates;
  readonly metrics: Metrics;
  readonly logger: Logger;
  /** For /healthz: the store answers and its last write (or a probe write after a failed one) went through. */
  readonly healthy: () => Promise<boolean>;
  /** The built-in DNS server, unless a provider override replaced it (or the CLI, which never serves DNS). */
  readonly dns?: BuiltinDns;
  /** Instance registration (POST /events/ec2), when enabled. */
  readonly instanceEvents?: InstanceEventsEndpoint;
  /** Closes what the core opened: extra connections first, then the store. */
  close(): Promise<void>;
}

const MINUTE = 60_000;

/**
 * Failed-login throttling (README, "Operations"). An address gets 10 free
 * failures, then waits 1 s, 2 s, 4 s … up to 15 min between tries; a user
 * name gets 5, then up to 1 min, which bounds the Argon2 work one name can
 * cost at one hash a minute while a router with a cached credential, or an
 * address the user logged in from, still gets through.
 */
export const LOGIN_THROTTLE: LoginThrottlePolicy = {
  source: { freeFailures: 10, baseDelayMs: 1000, maxDelayMs: 15 * MINUTE, forgetAfterMs: 60 * MINUTE, maxKeys: 100_000 },
  user: { freeFailures: 5, baseDelayMs: 1000, maxDelayMs: MINUTE, forgetAfterMs: 60 * MINUTE, maxKeys: 100_000 },
  maxTrustedPairs: 100_000,
  trustForMs: 30 * 24 * 60 * MINUTE,
};
export const KEY_THROTTLE: BackoffPolicy = { freeFailures: 10, baseDelayMs: 1000, maxDelayMs: 15 * MINUTE, forgetAfterMs: 60 * MINUTE, maxKeys: 100_000 };

export interface CoreOverrides {
  readonly store?: Store;
  readonly provider?: DnsProvider;
  readonly hasher?: PasswordHasher;
  readonly logger?: Logger;
  readonly metrics?: Metrics;
  readonly now?: () => number;
  /** Instance registration test seams (self-hosted wiring in instances.ts). */
  readonly instances?: InstanceOverrides;
}

export interface CoreParts extends CoreOverrides {
  readonly store: Store;
  readonly provider: DnsProvider;
  /** The registry around `provider`, when the caller added owner sources of its own (instances); else one is made here. */
  readonly dnsRegistry?: DnsRegistry;
  readonly dns?: BuiltinDns;
  readonly instanceEvents?: InstanceEventsEndpoint;
  /** Releases resources beyond the store (e.g. the instance registry's connection). */
  readonly release?: () => Promise<void>;
  /** Names Signpost publishes itself, from the DNS configuration; by default each zone's apex. */
  readonly reserved?: readonly ReservedName[];
  /** Seals stored secrets (TSIG keys); the self-hosted wiring has one, Lambda none. */
  readonly secretBox?: SecretBox;
}

export function wireCore(config: Config, parts: CoreParts): Core {
  const now = parts.now ?? Date.now;
  const logger = parts.logger ?? createLogger(config.logLevel);
  const { provider } = parts;
  const writes = new WriteHealth(now);
  const store = watchWrites(parts.store, writes);
  const hasher = parts.hasher ?? new Argon2Hasher();
  const abuse = new AbuseTracker(config.abuse);
  // The acme-dns zone is Signpost's on every runtime, whatever the DNS configuration reserves.
  const reserved = [...(parts.reserved ?? config.zones.flatMap((apex) => zoneReservedNames({ apex, nameservers: [] }, config.zones))), acmeDnsReservedName(config.acmeDns.zone)];
  const authenticator = new Authenticator(store, hasher, { cacheTtlMs: config.credentialCacheMs, cacheMaxEntries: 10_000, now });
  const onError = (message: string, error: unknown, context: Record<string, unknown>) => logger.error({ err: error, ...context }, message);
  const dns = parts.dnsRegistry ?? dnsRegistryFor(config, provider, store, onError, now);
  const { locks } = dns;
  const loginGuard = new LoginGuard(authenticator, new LoginThrottle(LOGIN_THROTTLE), now);
  const challenges = new ChallengeRecords({ store, dns, zones: config.zones, acmeDnsZone: config.acmeDns.zone, lifetimeMs: config.challenges.lifetimeMs, now, onError });
  const accounts = new Accounts({ store, hasher, dns, zones: config.zones, reserved, abuse, locks, now, challenges });
  const setHostAddresses = new SetHostAddresses({ store, dns, reserved, ttl: config.ttl, locks, now, onError });
  return {
    config,
    store,
    provider,
    dnsRegistry: dns,
    challenges,
    acmeDns: new AcmeDnsAccounts({ store, challenges, zone: config.acmeDns.zone, now }),
    logger,
    ...(parts.dns ? { dns: parts.dns } : {}),
    ...(parts.instanceEvents ? { instanceEvents: parts.instanceEvents } : {}),
    // prom-client only where the caller asks for it (createCore on Node); Lambda keeps its cold start light
    metrics: parts.metrics ?? new PlainMetrics(),
    healthy: storeHealth(store, writes),
    authenticator,
    loginGuard,
    keyGuard: new KeyGuard(new Backoff(KEY_THROTTLE), now),
    accounts,
    webSessions: new WebSessions({ store, loginGuard, accounts, now }),
    userHosts: new UserHosts({ store, accounts, setHostAddresses, now }),
    updateHosts: new UpdateHosts({ store, dns, zones: config.zones, reserved, ttl: config.ttl, abuse, locks, now, onError }),
    setHostAddresses,
    tsigKeys: new TsigKeys({ store, ...(parts.secretBox ? { box: parts.secretBox } : {}), now, onError }),
    dnsUpdates: new DnsUpdates({ store, dns, zones: config.zones, reserved, ttl: config.ttl, challenges: config.challenges, locks, now, onError, onNotice: (message, context) => logger.warn(context, message) }),
    reconciler: new Reconciler({ store, dns, zones: config.zones, onError }),
    close: async () => {
      await parts.release?.();
      await store.close();
    },
  };
}

/** The DNS registry around a provider with the owner sources every deployment has: dyndns2 hosts and challenge records. */
export function dnsRegistryFor(config: Config, provider: DnsProvider, store: Store, onError: (message: string, error: unknown, context: Record<string, unknown>) => void, now: () => number = Date.now): DnsRegistry {
  const registry = new DnsRegistry(provider, { locks: new KeyedMutex(), onError });
  registry.addSource(new HostOwners(store, config.zones, () => provider.zones()));
  registry.addSource(new ChallengeOwners(store, { servedZones: config.zones, providerZones: () => provider.zones(), ttl: config.challenges.ttl, now }));
  return registry;
}
