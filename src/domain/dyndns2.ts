/**
 * The dyndns2 update protocol, pure: turning request parameters into a typed
 * query and results into the response body. No HTTP here; the source adapter
 * hands in a parameter getter and writes out what `renderResults` returns.
 */
import { domainToASCII } from 'node:url';
import { parseIPv4, parseIPv6, unwrapMappedIPv4 } from './ip.js';
import { canonicalName, isFqdn } from './names.js';
import type { ExtrasChange } from './records.js';

export const MAX_HOSTS_PER_REQUEST = 20;

/** Codes answered once per request. */
export type RequestCode = 'badauth' | 'notfqdn' | 'numhost' | 'badagent' | 'badsys' | 'dnserr' | '911';
/** Codes answered once per host, in request order. */
export type HostResult =
  | { readonly code: 'good' | 'nochg'; readonly addresses: readonly string[] }
  | { readonly code: 'notfqdn' | 'nohost' | 'abuse' | 'dnserr' | '911' };
export type HostCode = HostResult['code'];

export interface UpdateQuery {
  /** Canonical names in request order (not yet validated: each may still be `notfqdn`). */
  readonly hostnames: readonly string[];
  /** Requested addresses; a family that is absent stays unchanged. */
  readonly v4?: string;
  readonly v6?: string;
  /** The dyndns2 extras the request sets; absent (or a field of it absent) stays unchanged. */
  readonly extras?: ExtrasChange;
}

export type ParsedUpdate = { readonly ok: true; readonly query: UpdateQuery } | { readonly ok: false; readonly code: RequestCode };

/** Returns every value given for a parameter, in order. */
export type ParamSource = (name: string) => readonly string[];

const SYSTEMS = new Set(['dyndns', 'statdns', 'custom']);
const V4_ALIASES = ['myipv4', 'ipv4', 'ip'];
const V6_ALIASES = ['myipv6', 'myip6', 'ipv6'];

/** Empty values and unsubstituted router placeholders mean "not given". */
export function isPlaceholder(value: string): boolean {
  const v = value.trim();
  return v === '' || v === '0.0.0.0' || v === '::' || /^<[^<>]*>$/.test(v);
}

/** Lower-cases, strips the trailing dot and converts an IDN to its A-label form ('' if impossible). */
export function toAsciiHostname(raw: string): string {
  const name = canonicalName(raw);
  // eslint-disable-next-line no-control-regex
  return /^[\x00-\x7f]*$/.test(name) ? name : domainToASCII(name);
}

type Addresses = { v4?: string; v6?: string };

function collectAddresses(params: ParamSource): Addresses | 'invalid' {
  const found: Addresses = {};
  const add = (family: 'v4' | 'v6' | 'any', raw: string): boolean => {
    for (const part of raw.split(',')) {
      if (isPlaceholder(part)) continue;
      const value = part.trim();
      const anyV6 = parseIPv6(value);
      const mapped = anyV6 ? unwrapMappedIPv4(anyV6) : undefined;
      const v4 = family !== 'v6' ? (parseIPv4(value) ?? mapped) : undefined;
      const v6 = family !== 'v4' && !mapped ? anyV6 : undefined;
      if (v4) {
        if (found.v4 && found.v4 !== v4) return false; // round robin is not a dyndns2 thing
        found.v4 = v4;
      } else if (v6) {
        if (found.v6 && found.v6 !== v6) return false;
        found.v6 = v6;
      } else {
        return false;
      }
    }
    return true;
  };
  for (const raw of params('myip')) if (!add('any', raw)) return 'invalid';
  for (const alias of V4_ALIASES) for (const raw of params(alias)) if (!add('v4', raw)) return 'invalid';
  for (const alias of V6_ALIASES) for (const raw of params(alias)) if (!add('v6', raw)) return 'invalid';
  return found;
}

/**
 * Parses the request-scoped part of an update. Failures answer once:
 * `badsys` for an unknown system, `notfqdn` when no hostname (or an address
 * that is not an address: nothing can be pointed at it), `numhost` for more
 * than 20 names.
 */
export function parseUpdate(params: ParamSource): ParsedUpdate {
  const system = params('system')[0]?.trim().toLowerCase() || 'dyndns';
  if (!SYSTEMS.has(system)) return { ok: false, code: 'badsys' };

  const hostnames = params('hostname')
    .flatMap((v) => v.split(','))
    .map((h) => h.trim())
    .filter((h) => h !== '')
    .map(toAsciiHostname);
  if (hostnames.length === 0) return { ok: false, code: 'notfqdn' };
  if (hostnames.length > MAX_HOSTS_PER_REQUEST) return { ok: false, code: 'numhost' };

  const addresses = collectAddresses(params);
  if (addresses === 'invalid') return { ok: false, code: 'notfqdn' };
  const extras = parseExtras(params);
  if (extras === 'invalid') return { ok: false, code: 'notfqdn' };
  return { ok: true, query: { hostnames, ...addresses, extras } };
}

/**
 * Dyn's `wildcard`, `mx` and `backmx`, as its specification words them:
 * NOCHG (or leaving the parameter out) keeps the current setting; ON (or
 * YES) enables wildcard / backup MX and any other value disables it — never
 * an error, since routers send what they send. `mx` names the exchanger; an
 * empty `mx=` (pfSense sends it whenever its MX field is blank) means no mail
 * exchanger. Only an `mx` that is not a host name is refused (`notfqdn`):
 * nothing could deliver mail to it.
 */
export function parseExtras(params: ParamSource): ExtrasChange | 'invalid' {
  const flag = (name: string): boolean | undefined => {
    const raw = params(name)[0];
    if (raw === undefined) return undefined;
    const value = raw.trim().toUpperCase();
    if (value === 'NOCHG') return undefined;
    return value === 'ON' || value === 'YES';
  };
  const wildcard = flag('wildcard');
  const backmx = flag('backmx');
  const rawMx = params('mx')[0];
  let mx: string | null | undefined;
  if (rawMx !== undefined && rawMx.trim().toUpperCase() !== 'NOCHG') {
    mx = rawMx.trim() === '' ? null : toAsciiHostname(rawMx);
    if (mx !== null && !isFqdn(mx)) return 'invalid';
  }
  return { ...(wildcard !== undefined ? { wildcard } : {}), ...(mx !== undefined ? { mx } : {}), ...(backmx !== undefined ? { backmx } : {}) };
}

export function renderHostResult(result: HostResult): string {
  return 'addresses' in result ? `${result.code} ${result.addresses.join(',')}` : result.code;
}

/** One line per host, in request order. */
export function renderResults(results: readonly HostResult[]): string {
  return results.map(renderHostResult).join('\n');
}
