/**
 * Settings of the RFC 2136 publisher (SIGNPOST_PUBLISHER=rfc2136): the
 * primary server, the TSIG key(s), and per-zone overrides from the zones
 * file (`"rfc2136": { "server": "host:port", "key": "name" }`).
 */
import * as z from 'zod';
import { parseIp } from '../domain/ip.js';
import { parseKey, TSIG_ALGORITHMS, type TsigAlgorithm, type TsigKey } from '../adapters/dns/builtin/tsig.js';
import type { Rfc2136Zone } from '../adapters/dns/rfc2136/provider.js';
import { oneOf } from './env-values.js';

const list = (value: string | undefined) =>
  (value ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');

/** `192.0.2.53`, `192.0.2.53:5353`, `[2001:db8::53]:53`, `2001:db8::53` (port 53 when left out). */
export function parseServer(raw: string): { host: string; port: number } | undefined {
  const v6 = /^\[([^\]]+)\](?::(\d{1,5}))?$/.exec(raw);
  const v4 = /^([^:[\]]+)(?::(\d{1,5}))?$/.exec(raw);
  const [host, port] = v6 ? [v6[1]!, v6[2]] : v4 ? [v4[1]!, v4[2]] : [raw, undefined];
  const address = parseIp(host);
  const n = Number(port ?? 53);
  if (!address || !Number.isInteger(n) || n < 1 || n > 65535) return undefined;
  return { host: address.address, port: n };
}

const validKeys = (entries: string[]) => {
  try {
    entries.forEach((e) => parseKey(e));
    return true;
  } catch {
    return false;
  }
};

export const rfc2136EnvShape = {
  /** Where published records go: the built-in server (default) or an RFC 2136 primary. */
  SIGNPOST_PUBLISHER: oneOf(['builtin', 'rfc2136']).default('builtin'),
  /** The built-in DNS server: on by default with the built-in publisher, off with rfc2136 unless `on`. */
  SIGNPOST_DNS: oneOf(['on', 'off']).optional(),
  SIGNPOST_RFC2136_SERVER: z.string().trim().refine((s) => parseServer(s) !== undefined, 'must be the primary server as address[:port], e.g. 192.0.2.53:53 or [2001:db8::53]:53 (port 53 when left out)').optional(),
  /** `name:base64secret`, or several comma-separated (the first is the default; the zones file may pick another by name). Secret. */
  SIGNPOST_RFC2136_KEY: z
    .string()
    .optional()
    .transform(list)
    .refine(validKeys, 'must be name:base64secret (comma-separated for several keys, each optionally prefixed hmac-sha512:), the secret in base64 as tsig-keygen prints it'),
  SIGNPOST_RFC2136_ALGORITHM: oneOf(TSIG_ALGORITHMS as unknown as readonly [TsigAlgorithm, ...TsigAlgorithm[]]).default('hmac-sha256'),
};

type Rfc2136Env = z.output<z.ZodObject<typeof rfc2136EnvShape>>;

export interface ZoneRfc2136Override {
  readonly server?: string;
  readonly key?: string;
}

export interface PublisherConfig {
  readonly kind: 'builtin' | 'rfc2136';
  /** Whether the built-in DNS server runs (and serves what Signpost publishes). */
  readonly builtinDns: boolean;
  /** Per zone, for kind rfc2136. */
  readonly rfc2136Zones: readonly Rfc2136Zone[];
}

/** Cross-variable checks; throws an Error whose message is one sentence per problem. */
export function publisherConfig(env: Rfc2136Env, zones: readonly string[], overrides: Readonly<Record<string, { rfc2136?: ZoneRfc2136Override }>>): PublisherConfig {
  if (env.SIGNPOST_PUBLISHER === 'builtin') {
    if (env.SIGNPOST_DNS === 'off') throw new Error('SIGNPOST_DNS=off needs SIGNPOST_PUBLISHER=rfc2136: the built-in publisher is the built-in DNS server');
    return { kind: 'builtin', builtinDns: true, rfc2136Zones: [] };
  }
  const keys = env.SIGNPOST_RFC2136_KEY.map((e) => parseKey(e, env.SIGNPOST_RFC2136_ALGORITHM));
  const byName = new Map<string, TsigKey>(keys.map((k) => [k.name, k]));
  const problems: string[] = [];
  const rfc2136Zones: Rfc2136Zone[] = [];
  for (const name of zones) {
    const o = overrides[name]?.rfc2136 ?? {};
    const serverText = o.server ?? env.SIGNPOST_RFC2136_SERVER;
    const server = serverText === undefined ? undefined : parseServer(serverText);
    const keyName = o.key?.toLowerCase().replace(/\.$/, '');
    const key = keyName === undefined ? keys[0] : byName.get(keyName);
    if (serverText === undefined) problems.push(`SIGNPOST_PUBLISHER=rfc2136 needs SIGNPOST_RFC2136_SERVER (the primary's address:port) or a server for zone ${name} in SIGNPOST_DNS_ZONES_FILE`);
    else if (!server) problems.push(`SIGNPOST_DNS_ZONES_FILE: zone ${name} has rfc2136 server '${serverText}', which is not address[:port]`);
    if (keyName !== undefined && !key) problems.push(`SIGNPOST_DNS_ZONES_FILE: zone ${name} names rfc2136 key '${keyName}', which SIGNPOST_RFC2136_KEY does not define`);
    else if (!key) problems.push(`SIGNPOST_PUBLISHER=rfc2136 needs SIGNPOST_RFC2136_KEY (name:base64secret of a TSIG key the server allows to update zone ${name})`);
    if (server && key) rfc2136Zones.push({ name, server, key: { name: key.name, algorithm: key.algorithm ?? env.SIGNPOST_RFC2136_ALGORITHM, secret: key.secret } });
  }
  // One sentence per variable is enough when every zone lacks the same one.
  if (problems.length > 0) throw new Error([...new Set(problems.map((p) => (p.startsWith('SIGNPOST_PUBLISHER') ? p.replace(/ or a server for zone .*| of a TSIG key .*/, '') : p)))].join('\n  '));
  return { kind: 'rfc2136', builtinDns: env.SIGNPOST_DNS === 'on', rfc2136Zones };
}
