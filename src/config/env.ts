/**
 * Configuration from environment variables, validated once at start. A bad
 * value stops the process with a message naming the variable.
 */
import * as z from 'zod';
import type { AbusePolicy } from '../domain/abuse.js';
import { CidrSet, parseIp } from '../domain/ip.js';
import { canonicalName } from '../domain/names.js';
import { dnsConfig, dnsEnvShape, type DnsConfig } from '../adapters/dns/builtin/settings.js';
import { httpServerConfig, httpServerEnvShape, type HttpServerConfig } from '../adapters/net/http-server-settings.js';
import { httpsConfig, httpsEnvShape, type HttpsConfig } from '../adapters/tls/https-settings.js';
import { ConfigError } from './config-error.js';
import { publisherConfig, rfc2136EnvShape, type PublisherConfig } from './rfc2136-env.js';
import { decimalNumber, oneOf, port as portNumber, wholeNumber } from './env-values.js';

export { ConfigError } from './config-error.js';

const ZONE = /^(?!-)[a-z0-9-]{1,63}(?<!-)(\.(?!-)[a-z0-9-]{1,63}(?<!-))*$/;

const port = (fallback: number) => portNumber().default(fallback);
const positive = (fallback: number) => wholeNumber(0).default(fallback);
/** A listen address: an IP literal, since a name could resolve to anything (or nothing) at bind time. */
export const listenAddress = () => z.string().refine((s) => parseIp(s) !== undefined, 'must be an IP address of this machine, such as 0.0.0.0, :: or 127.0.0.1');
/** A comma-separated variable as a list of trimmed, non-empty items. */
export const list = (value: string | undefined): string[] =>
  (value ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');

const schema = z.object({
  SIGNPOST_DATA_DIR: z.string().min(1).default('./data'),
  SIGNPOST_HOST: listenAddress().default('0.0.0.0'),
  SIGNPOST_HTTP_PORT: port(8080),
  SIGNPOST_DNS_PORT: port(5353),
  SIGNPOST_ZONES: z
    .string()
    .default('dyn.example.test')
    .transform((v) => list(v).map(canonicalName))
    .refine((zones) => zones.length > 0, 'must name at least one zone')
    .refine((zones) => zones.every((zone) => ZONE.test(zone)), 'must be comma-separated domain names, e.g. dyn.example.com'),
  SIGNPOST_ADMIN_KEY: z.string().min(16, 'must be at least 16 characters long').optional(),
  SIGNPOST_TRUSTED_PROXIES: z
    .string()
    .optional()
    .transform(list)
    .refine((cidrs) => cidrs.every(CidrSet.isValid), 'must be a comma-separated list of IP addresses or CIDR ranges'),
  SIGNPOST_TTL: wholeNumber(1, 86400, 'seconds').default(60),
  SIGNPOST_LOG_LEVEL: oneOf(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  SIGNPOST_ABUSE_WINDOW_SECONDS: wholeNumber(1, undefined, 'seconds').default(3600),
  SIGNPOST_ABUSE_MAX_UPDATES: positive(60),
  SIGNPOST_ABUSE_MAX_NOCHG: positive(10),
  SIGNPOST_ABUSE_NOCHG_INTERVAL_SECONDS: wholeNumber(1, undefined, 'seconds').default(60),
  SIGNPOST_ABUSE_BLOCK_SECONDS: positive(3600),
  SIGNPOST_HISTORY_LIMIT: wholeNumber(1, 100_000).default(100),
  SIGNPOST_CREDENTIAL_CACHE_SECONDS: positive(300),
  SIGNPOST_BLOCKED_USER_AGENTS: z
    .string()
    .optional()
    .transform((v) => list(v).map((s) => s.toLowerCase())),
  SIGNPOST_PUBLIC_URL: z
    .string()
    .optional()
    .refine((v) => v === undefined || /^https?:\/\/[^/?#\s]+\/?$/.test(v), 'must be the server\'s base URL, such as https://ddns.example.com')
    .transform((v) => v?.replace(/\/$/, '')),
  SIGNPOST_SHUTDOWN_GRACE_SECONDS: decimalNumber(0, undefined, 'seconds').default(10),
  SIGNPOST_CHALLENGE_LIFETIME_SECONDS: wholeNumber(60, 7 * 86400, 'seconds').default(3600),
  SIGNPOST_ACME_DNS_ZONE: z
    .string()
    .optional()
    .transform((v) => (v === undefined ? undefined : canonicalName(v)))
    .refine((v) => v === undefined || ZONE.test(v), 'must be a domain name inside one of SIGNPOST_ZONES, e.g. acme.dyn.example.com'),
  SIGNPOST_ACME_DNS_REGISTER_FROM: z
    .string()
    .optional()
    .transform(list)
    .refine((cidrs) => cidrs.every(CidrSet.isValid), 'must be a comma-separated list of IP addresses or CIDR ranges'),
  SIGNPOST_SECRET_KEY: z.string().optional(),
  ...dnsEnvShape,
  ...rfc2136EnvShape,
  ...httpServerEnvShape,
  ...httpsEnvShape,
});

export interface Config {
  readonly dataDir: string;
  readonly host: string;
  readonly httpPort: number;
  readonly dnsPort: number;
  readonly zones: readonly string[];
  readonly adminKey?: string;
  readonly trustedProxies: readonly string[];
  readonly ttl: number;
  readonly logLevel: string;
  readonly abuse: AbusePolicy;
  readonly historyLimit: number;
  readonly credentialCacheMs: number;
  readonly blockedUserAgents: readonly string[];
  readonly shutdownGraceMs: number;
  /** The base URL routers reach this server at (the web page's router settings); else derived from each request. */
  readonly publicUrl?: string;
  /** Built-in DNS server: zones' SOA/NS, transfers, NOTIFY (SIGNPOST_DNS_*). */
  readonly dns: DnsConfig;
  /** Where records are published (SIGNPOST_PUBLISHER, SIGNPOST_RFC2136_*, SIGNPOST_DNS). */
  readonly publisher: PublisherConfig;
  /** Node HTTP server sockets: connection caps and timeouts (SIGNPOST_HTTP_*). */
  readonly http: HttpServerConfig;
  /** The HTTPS listener beside the plain one (SIGNPOST_HTTPS_PORT, SIGNPOST_TLS_*, SIGNPOST_ACME_*); off when undefined. */
  readonly https?: HttpsConfig;
  /** ACME DNS-01 challenge records (TXT at `_acme-challenge.<name>`). */
  readonly challenges: ChallengeConfig;
  /** The acme-dns compatible API. */
  readonly acmeDns: AcmeDnsConfig;
  /** Base64 of the 32-byte key that seals stored secrets (TSIG secrets); else `secret.key` in the data directory. */
  readonly secretKey?: string;
}

export interface ChallengeConfig {
  /** How long a value lives when the client never deletes it (SIGNPOST_CHALLENGE_LIFETIME_SECONDS, default one hour). */
  readonly lifetimeMs: number;
  /** TTL of the published TXT sets: the host TTL (SIGNPOST_TTL). */
  readonly ttl: number;
}

export interface AcmeDnsConfig {
  /** Where acme-dns subdomains live (SIGNPOST_ACME_DNS_ZONE, default `acme.<first zone>`); inside a served zone. */
  readonly zone: string;
  /** Addresses that may register without a Signpost account (SIGNPOST_ACME_DNS_REGISTER_FROM); empty = nobody. */
  readonly registerFrom: readonly string[];
}

/** The variables this schema reads (for spotting misspelt ones, see known-variables.ts). */
export const CONFIG_VARIABLES: readonly string[] = Object.keys(schema.shape);

/** Variables whose values are secrets: an error names them but never shows the value. */
const SECRET_VARIABLES = new Set(['SIGNPOST_ADMIN_KEY', 'SIGNPOST_DNS_TSIG_KEYS', 'SIGNPOST_RFC2136_KEY', 'SIGNPOST_SECRET_KEY']);

/**
 * Validates the non-empty SIGNPOST_* variables (plus `extra` names) with a
 * zod schema; a failure throws a ConfigError with one sentence per bad
 * variable, naming it and the value it got (secrets excepted).
 */
export function parseEnv<T>(
  schema: z.ZodType<T>,
  env: Record<string, string | undefined>,
  what: string,
  extra: readonly string[] = [],
): T {
  const present = Object.fromEntries(
    Object.entries(env).filter(([k, v]) => (k.startsWith('SIGNPOST_') || extra.includes(k)) && v !== undefined && v !== ''),
  );
  // jitless: the environment is parsed once per process, so compiling a fast path for it would be pure cost at start
  const result = schema.safeParse(present, { jitless: true });
  if (result.success) return result.data;
  const lines = result.error.issues.map((i) => {
    const name = String(i.path[0] ?? 'configuration');
    const got = SECRET_VARIABLES.has(name) ? 'got a value that is not shown' : `got '${env[name] ?? ''}'`;
    // Our schemas phrase every message as "must …"; anything else is a library message, kept as a clause.
    return i.message.startsWith('must ') ? `${name} ${i.message}, ${got}` : `${name} is not valid (${i.message}), ${got}`;
  });
  throw new ConfigError(`invalid ${what}:\n  ${lines.join('\n  ')}`);
}

export function loadConfig(env: Record<string, string | undefined>): Config {
  const c = parseEnv(schema, env, 'configuration');
  let dns: DnsConfig;
  let publisher: PublisherConfig;
  let https: HttpsConfig | undefined;
  try {
    dns = dnsConfig(c, c.SIGNPOST_ZONES); // cross-variable checks (zones file vs SIGNPOST_ZONES)
    publisher = publisherConfig(c, c.SIGNPOST_ZONES, c.SIGNPOST_DNS_ZONES_FILE);
    https = httpsConfig(c, c.SIGNPOST_ZONES);
  } catch (error) {
    throw new ConfigError(`invalid configuration:\n  ${(error as Error).message}`);
  }
  return {
    dataDir: c.SIGNPOST_DATA_DIR,
    host: c.SIGNPOST_HOST,
    httpPort: c.SIGNPOST_HTTP_PORT,
    dnsPort: c.SIGNPOST_DNS_PORT,
    zones: c.SIGNPOST_ZONES,
    ...(c.SIGNPOST_ADMIN_KEY ? { adminKey: c.SIGNPOST_ADMIN_KEY } : {}),
    trustedProxies: c.SIGNPOST_TRUSTED_PROXIES,
    ttl: c.SIGNPOST_TTL,
    logLevel: c.SIGNPOST_LOG_LEVEL,
    abuse: {
      windowMs: c.SIGNPOST_ABUSE_WINDOW_SECONDS * 1000,
      maxUpdates: c.SIGNPOST_ABUSE_MAX_UPDATES,
      maxNochg: c.SIGNPOST_ABUSE_MAX_NOCHG,
      nochgIntervalMs: c.SIGNPOST_ABUSE_NOCHG_INTERVAL_SECONDS * 1000,
      blockMs: c.SIGNPOST_ABUSE_BLOCK_SECONDS * 1000,
    },
    historyLimit: c.SIGNPOST_HISTORY_LIMIT,
    credentialCacheMs: c.SIGNPOST_CREDENTIAL_CACHE_SECONDS * 1000,
    blockedUserAgents: c.SIGNPOST_BLOCKED_USER_AGENTS,
    shutdownGraceMs: c.SIGNPOST_SHUTDOWN_GRACE_SECONDS * 1000,
    ...(c.SIGNPOST_PUBLIC_URL ? { publicUrl: c.SIGNPOST_PUBLIC_URL } : {}),
    dns,
    publisher,
    http: httpServerConfig(c),
    ...(https ? { https } : {}),
    challenges: { lifetimeMs: c.SIGNPOST_CHALLENGE_LIFETIME_SECONDS * 1000, ttl: c.SIGNPOST_TTL },
    acmeDns: { zone: acmeDnsZone(c.SIGNPOST_ACME_DNS_ZONE, c.SIGNPOST_ZONES), registerFrom: c.SIGNPOST_ACME_DNS_REGISTER_FROM },
    ...(c.SIGNPOST_SECRET_KEY ? { secretKey: c.SIGNPOST_SECRET_KEY } : {}),
  };
}

/** The acme-dns zone: as configured (it must lie inside a served zone), else `acme.<first zone>`. */
function acmeDnsZone(configured: string | undefined, zones: readonly string[]): string {
  if (configured === undefined) return `acme.${zones[0]!}`;
  // Strictly below a zone: the acme-dns zone is reserved, and reserving a served zone's apex would reserve every name in it.
  if (!zones.some((zone) => configured.endsWith(`.${zone}`))) {
    throw new ConfigError(`invalid configuration:\n  SIGNPOST_ACME_DNS_ZONE must lie below one of SIGNPOST_ZONES (${zones.join(', ')}), got '${configured}'`);
  }
  return configured;
}
