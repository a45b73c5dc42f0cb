import ipaddr from 'ipaddr.js';

/** Strict dotted-quad IPv4 in its canonical form, or undefined. */
export function parseIPv4(raw: string): string | undefined {
  if (!ipaddr.IPv4.isValidFourPartDecimal(raw)) return undefined;
  return ipaddr.IPv4.parse(raw).toString();
}

/** IPv6 in RFC 5952 canonical form, or undefined. Zone ids are refused. */
export function parseIPv6(raw: string): string | undefined {
  if (raw.includes('%') || !ipaddr.IPv6.isValid(raw)) return undefined;
  return ipaddr.IPv6.parse(raw).toRFC5952String();
}

export type IpFamily = 'v4' | 'v6';

export function parseIp(raw: string): { family: IpFamily; address: string } | undefined {
  const v4 = parseIPv4(raw);
  if (v4) return { family: 'v4', address: v4 };
  const v6 = parseIPv6(raw);
  if (v6) return { family: 'v6', address: v6 };
  return undefined;
}

/** `::ffff:192.0.2.1` is an IPv4 address in IPv6 clothing (dual-stack sockets, some routers): unwrap it. */
export function unwrapMappedIPv4(v6: string): string | undefined {
  const parsed = ipaddr.IPv6.parse(v6);
  return parsed.isIPv4MappedAddress() ? parsed.toIPv4Address().toString() : undefined;
}

/** A socket address as the update API should see it: IPv4-mapped IPv6 unwrapped. */
export function normalizeRemoteAddress(raw: string | undefined): string | undefined {
  if (!raw) return undefined;
  const parsed = parseIp(raw);
  if (parsed?.family === 'v6') return unwrapMappedIPv4(parsed.address) ?? parsed.address;
  return parsed?.address;
}

/** Parsed CIDR list; membership test used for trusted proxies. */
export class CidrSet {
  private readonly ranges: [ipaddr.IPv4 | ipaddr.IPv6, number][];

  constructor(cidrs: readonly string[]) {
    this.ranges = cidrs.map((c) => (c.includes('/') ? ipaddr.parseCIDR(c) : [ipaddr.parse(c), c.includes(':') ? 128 : 32]));
  }

  static isValid(cidr: string): boolean {
    try {
      if (cidr.includes('/')) ipaddr.parseCIDR(cidr);
      else ipaddr.parse(cidr);
      return true;
    } catch {
      return false;
    }
  }

  get size(): number {
    return this.ranges.length;
  }

  contains(address: string): boolean {
    let parsed: ipaddr.IPv4 | ipaddr.IPv6;
    try {
      parsed = ipaddr.process(address);
    } catch {
      return false;
    }
    return this.ranges.some(([range, bits]) => parsed.kind() === range.kind() && parsed.match(range, bits));
  }
}
