/**
 * Environment variables of the built-in DNS server. Every one has a default,
 * so zero configuration still serves each zone in SIGNPOST_ZONES with an SOA
 * and an NS record. `{zone}` in a name stands for each zone's apex.
 */
import { readFileSync } from 'node:fs';
import * as z from 'zod';
import { CidrSet, parseIp } from '../../../domain/ip.js';
import { parseTarget } from './notify.js';
import { defaultPerClientLimit } from '../../net/connection-table.js';
import { parseKeys } from './tsig.js';
import type { ZoneSettings } from './zone.js';

const list = (value: string | undefined) =>
  (value ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
/** Plain digits in [min, max]; the message completes "SIGNPOST_X …, got 'value'" (config/env.ts). */
const whole = (min: number, max: number | undefined, what: string) =>
  z
    .string()
    .trim()
    .refine((s) => /^\d+$/.test(s) && Number(s) >= min && (max === undefined || Number(s) <= max), what)
    .transform(Number);
const seconds = (fallback: number) => whole(0, 0x7fffffff, 'must be a whole number of seconds between 0 and 2147483647').default(fallback);
/** A domain name (a mailbox in DNS form may hold `_`); `{zone}` stands for each zone's apex. */
const NAME = /^(\{zone\}|(?!-)[a-z0-9_-]{1,63}(?<!-))(\.(\{zone\}|(?!-)[a-z0-9_-]{1,63}(?<!-)))*\.?$/i;
/** A host name (letters, digits, hyphens: RFC 952/1123), as a name server must have. */
const HOST_NAME = /^(\{zone\}|(?!-)[a-z0-9-]{1,63}(?<!-))(\.(\{zone\}|(?!-)[a-z0-9-]{1,63}(?<!-)))*\.?$/i;
const validTsig = (entries: string[]) => {
  try {
    parseKeys(entries);
    return true;
  } catch {
    return false;
  }
};

const nsEntry = (e: string) => HOST_NAME.test(e.split('=')[0]!) && e.split('=').slice(1).join('=').split(/[ ;]+/).filter(Boolean).every((a) => parseIp(a) !== undefined);

/** Per-zone overrides from the optional JSON file (SIGNPOST_DNS_ZONES_FILE); any field may be left out. */
const zoneOverride = z
  .object({
    ns: z.array(z.string().refine(nsEntry, 'name[=address[;address]]')).min(1).optional(),
    rname: z.string().regex(NAME).optional(),
    refresh: z.number().int().min(0).optional(),
    retry: z.number().int().min(0).optional(),
    expire: z.number().int().min(0).optional(),
    minimum: z.number().int().min(0).optional(),
    soaTtl: z.number().int().min(0).optional(),
    nsTtl: z.number().int().min(0).optional(),
    /** Where the RFC 2136 publisher sends this zone's updates, and with which key (src/config/rfc2136-env.ts). */
    rfc2136: z.object({ server: z.string().optional(), key: z.string().optional() }).strict().optional(),
  })
  .strict();
export type ZoneOverride = z.infer<typeof zoneOverride>;

/** Merged into the main env schema (src/config/env.ts). */
export const dnsEnvShape = {
  /** Address the DNS server binds; defaults to SIGNPOST_HOST. */
  SIGNPOST_DNS_HOST: z.string().refine((s) => parseIp(s) !== undefined, 'must be an IP address of this machine, such as 0.0.0.0, :: or 127.0.0.1').optional(),
  /** Apex NS names, optionally with glue: `ns1.{zone}=192.0.2.53,ns2.example.net`. */
  SIGNPOST_DNS_NS: z
    .string()
    .default('ns1.{zone}')
    .transform(list)
    .refine((l) => l.length > 0, 'must name at least one name server')
    .refine((l) => l.every(nsEntry), 'must be comma-separated host names with optional glue, name[=address[;address]], e.g. ns1.{zone}=192.0.2.53,ns2.example.net'),
  SIGNPOST_DNS_SOA_RNAME: z.string().regex(NAME, 'must be a mailbox in DNS form, e.g. hostmaster.{zone}').default('hostmaster.{zone}'),
  SIGNPOST_DNS_SOA_REFRESH: seconds(3600),
  SIGNPOST_DNS_SOA_RETRY: seconds(600),
  SIGNPOST_DNS_SOA_EXPIRE: seconds(1_209_600),
  /** Negative-caching TTL (NXDOMAIN / NODATA), RFC 2308. */
  SIGNPOST_DNS_SOA_MINIMUM: seconds(60),
  SIGNPOST_DNS_SOA_TTL: seconds(3600),
  SIGNPOST_DNS_NS_TTL: seconds(3600),
  /** First SOA serial; by default the Unix time at start, so restarts move it forward. */
  SIGNPOST_DNS_SERIAL: whole(0, 0xffffffff, 'must be a whole number between 0 and 4294967295').optional(),
  /** Who may AXFR/IXFR without TSIG. */
  SIGNPOST_DNS_AXFR_ALLOW: z
    .string()
    .default('127.0.0.1,::1')
    .transform(list)
    .refine((l) => l.every(CidrSet.isValid), 'must be a comma-separated list of IP addresses or CIDR ranges'),
  /** hmac-sha256 keys that authorise transfers from anywhere: `name:base64secret,…`. */
  SIGNPOST_DNS_TSIG_KEYS: z.string().optional().transform(list).refine(validTsig, 'must be comma-separated name:secret entries, each secret in base64 (e.g. from `openssl rand -base64 32`)'),
  /** Secondaries to NOTIFY after each change: `192.0.2.2:53,[2001:db8::2]:53`. */
  SIGNPOST_DNS_NOTIFY: z
    .string()
    .optional()
    .transform(list)
    .refine((l) => l.every((t) => parseIp(parseTarget(t).host) !== undefined && Number.isInteger(parseTarget(t).port)), 'must be comma-separated address:port entries, e.g. 192.0.2.2:53,[2001:db8::2]:53'),
  /** Name of a SIGNPOST_DNS_TSIG_KEYS key to sign NOTIFY messages with (optional). */
  SIGNPOST_DNS_NOTIFY_KEY: z.string().min(1).optional(),
  /** Optional JSON file: `{ "<zone>": { "ns": [...], "rname", "refresh", "retry", "expire", "minimum", "soaTtl", "nsTtl" } }`. */
  SIGNPOST_DNS_ZONES_FILE: z
    .string()
    .optional()
    .transform((path, ctx): Record<string, ZoneOverride> => {
      if (!path) return {};
      try {
        const parsed = z.record(z.string(), zoneOverride).safeParse(JSON.parse(readFileSync(path, 'utf8')));
        if (parsed.success) return Object.fromEntries(Object.entries(parsed.data).map(([zone, o]) => [zone.toLowerCase().replace(/\.$/, ''), o]));
        ctx.addIssue({ code: 'custom', message: `must be a JSON file of per-zone overrides (${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')})` });
      } catch (error) {
        ctx.addIssue({ code: 'custom', message: `must be a readable JSON file of per-zone overrides (${(error as Error).message})` });
      }
      return z.NEVER;
    }),
  SIGNPOST_DNS_TCP_IDLE_SECONDS: z
    .string()
    .trim()
    .refine((s) => /^\d+(\.\d+)?$/.test(s) && Number(s) >= 0.05, 'must be a number of seconds of at least 0.05')
    .transform(Number)
    .default(10),
  SIGNPOST_DNS_MAX_TCP: whole(1, undefined, 'must be a whole number of at least 1').default(256),
  /** TCP connections one client (IPv4 address or IPv6 /64) may hold; default an eighth of SIGNPOST_DNS_MAX_TCP. */
  SIGNPOST_DNS_MAX_TCP_PER_CLIENT: whole(1, undefined, 'must be a whole number of at least 1').optional(),
};

type DnsEnv = z.output<z.ZodObject<typeof dnsEnvShape>>;

export interface DnsConfig {
  readonly host?: string;
  readonly zones: readonly ZoneSettings[];
  readonly serial?: number;
  readonly axfrAllow: readonly string[];
  /** Raw `name:secret` entries; parsed by the adapter. */
  readonly tsigKeys: readonly string[];
  readonly notify: readonly string[];
  readonly notifyKey?: string;
  readonly tcpIdleMs: number;
  readonly maxTcpConnections: number;
  readonly maxTcpPerClient: number;
}

/** A configured name with `{zone}` replaced by the apex, canonical. */
export const forZone = (name: string, zone: string) => name.replaceAll('{zone}', zone).toLowerCase().replace(/\.$/, '');

export function dnsConfig(env: DnsEnv, zones: readonly string[]): DnsConfig {
  const overrides = env.SIGNPOST_DNS_ZONES_FILE;
  const unknown = Object.keys(overrides).filter((z) => !zones.includes(z));
  // A typo in the file must not silently leave a zone on defaults.
  if (unknown.length > 0) throw new Error(`SIGNPOST_DNS_ZONES_FILE: ${unknown.join(', ')} not in SIGNPOST_ZONES`);
  return {
    ...(env.SIGNPOST_DNS_HOST ? { host: env.SIGNPOST_DNS_HOST } : {}),
    zones: zones.map((apex): ZoneSettings => {
      const o = overrides[apex] ?? {};
      const nameservers = (o.ns ?? env.SIGNPOST_DNS_NS).map((entry) => {
        const [name, addresses = ''] = entry.split('=');
        return { name: forZone(name!, apex), addresses: addresses.split(/[ ;]+/).filter(Boolean).map((a) => parseIp(a)!.address) };
      });
      return {
        apex,
        nameservers,
        nsTtl: o.nsTtl ?? env.SIGNPOST_DNS_NS_TTL,
        soa: {
          mname: nameservers[0]!.name,
          rname: forZone(o.rname ?? env.SIGNPOST_DNS_SOA_RNAME, apex),
          refresh: o.refresh ?? env.SIGNPOST_DNS_SOA_REFRESH,
          retry: o.retry ?? env.SIGNPOST_DNS_SOA_RETRY,
          expire: o.expire ?? env.SIGNPOST_DNS_SOA_EXPIRE,
          minimum: o.minimum ?? env.SIGNPOST_DNS_SOA_MINIMUM,
          ttl: o.soaTtl ?? env.SIGNPOST_DNS_SOA_TTL,
        },
      };
    }),
    ...(env.SIGNPOST_DNS_SERIAL !== undefined ? { serial: env.SIGNPOST_DNS_SERIAL } : {}),
    axfrAllow: env.SIGNPOST_DNS_AXFR_ALLOW,
    tsigKeys: env.SIGNPOST_DNS_TSIG_KEYS,
    notify: env.SIGNPOST_DNS_NOTIFY,
    ...(env.SIGNPOST_DNS_NOTIFY_KEY ? { notifyKey: env.SIGNPOST_DNS_NOTIFY_KEY.toLowerCase().replace(/\.$/, '') } : {}),
    tcpIdleMs: Math.round(env.SIGNPOST_DNS_TCP_IDLE_SECONDS * 1000),
    maxTcpConnections: env.SIGNPOST_DNS_MAX_TCP,
    maxTcpPerClient: env.SIGNPOST_DNS_MAX_TCP_PER_CLIENT ?? defaultPerClientLimit(env.SIGNPOST_DNS_MAX_TCP),
  };
}
