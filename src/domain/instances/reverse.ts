/**
 * Reverse (in-addr.arpa) names. The reverse zone follows the subnet mask on
 * octet boundaries: a /24 gives three labels, a /16 two, a /20 rounds down
 * to the /16.
 */
import { parseIPv4 } from '../ip.js';

/** `10.0.1.5` with /24 → `1.0.10.in-addr.arpa`; undefined for non-IPv4 or a mask shorter than /8. */
export function reverseZoneName(ip: string, prefixLength: number): string | undefined {
  const v4 = parseIPv4(ip);
  if (!v4 || !Number.isInteger(prefixLength) || prefixLength < 8 || prefixLength > 32) return undefined;
  const octets = Math.min(3, Math.floor(prefixLength / 8));
  return `${v4.split('.').slice(0, octets).reverse().join('.')}.in-addr.arpa`;
}

/** `10.0.1.5` → `5.1.0.10.in-addr.arpa`. */
export function ptrName(ip: string): string | undefined {
  const v4 = parseIPv4(ip);
  return v4 ? `${v4.split('.').reverse().join('.')}.in-addr.arpa` : undefined;
}
