/**
 * The acme-dns protocol's rules (joohoi/acme-dns: validation.go, acmetxt.go),
 * pure: what a key, a TXT value, a subdomain and an `allowfrom` list must
 * look like, and whether an address may update. Clients such as lego,
 * acme.sh and cert-manager were written against that server, so the same
 * input gets the same answer here.
 */
import { CidrSet, parseIp } from './ip.js';

/** acme-dns passwords: 40 characters of the base64url alphabet. */
export const ACME_DNS_KEY_LENGTH = 40;
/** An ACME DNS-01 value: the base64url SHA-256 of a key authorization, 43 characters without padding. */
export const ACME_DNS_TXT_LENGTH = 43;
/** TXT values one acme-dns subdomain holds (acme-dns keeps two, enough for a name and its wildcard). */
export const ACME_DNS_KEPT_VALUES = 2;
/** The most acme-dns accounts one Signpost user may hold (one per certificate name is plenty; this bounds the store). */
export const MAX_ACME_DNS_ACCOUNTS_PER_USER = 100;
/** The most `allowfrom` entries one account keeps. */
export const MAX_ALLOW_FROM = 32;

const BASE64URL = /^[A-Za-z0-9_-]+$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const LABEL = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;

export const isAcmeDnsKey = (key: string): boolean => key.length === ACME_DNS_KEY_LENGTH && BASE64URL.test(key);
export const isAcmeDnsTxt = (txt: string): boolean => txt.length === ACME_DNS_TXT_LENGTH && BASE64URL.test(txt);
/** acme-dns user names and subdomains are UUIDs (lower case, as it makes them). */
export const isAcmeDnsUuid = (value: string): boolean => UUID.test(value);
/** acme-dns's own subdomain check (one DNS label). */
export const isAcmeDnsSubdomain = (value: string): boolean => LABEL.test(value);

/**
 * An `allowfrom` list as acme-dns reads it: every entry a CIDR with its
 * prefix length (Go's net.ParseCIDR; brackets around IPv6 are dropped
 * first), or undefined when one is not.
 */
export function parseAllowFrom(entries: readonly string[]): string[] | undefined {
  const out: string[] = [];
  for (const raw of entries) {
    const entry = raw.replace(/[[\]]/g, '');
    const slash = entry.indexOf('/');
    if (slash < 0 || !/^\d{1,3}$/.test(entry.slice(slash + 1))) return undefined;
    if (parseIp(entry.slice(0, slash)) === undefined || !CidrSet.isValid(entry)) return undefined;
    out.push(entry);
  }
  return out;
}

/** Whether an account that allows `allowFrom` may update from `address` (an empty list allows everyone). */
export function updateAllowedFrom(allowFrom: readonly string[], address: string | undefined): boolean {
  if (allowFrom.length === 0) return true;
  return address !== undefined && new CidrSet(allowFrom).contains(address);
}

/** The name an account's TXT values live at. */
export const acmeDnsFullDomain = (subdomain: string, zone: string): string => `${subdomain}.${zone}`;
