/**
 * Record data: presentation values (as stored in RRSet.values) parsed once
 * into a form the writer can emit quickly. Names inside RDATA stay names so
 * the writer can compress them (allowed for NS/CNAME/SOA/PTR/MX, RFC 3597 §4).
 */
import ipaddr from 'ipaddr.js';
import type { RecordType } from '../../../domain/records.js';
import { TYPE, WireError, type Writer } from './wire.js';

export type RData =
  /** IPv4 as a number: a typed array per A record would cost ~100 bytes more in million-record zones. */
  | { readonly kind: 'ipv4'; readonly address: number }
  | { readonly kind: 'bytes'; readonly bytes: Uint8Array }
  | { readonly kind: 'name'; readonly name: string }
  | { readonly kind: 'mx'; readonly preference: number; readonly name: string }
  | { readonly kind: 'soa'; readonly mname: string; readonly rname: string; readonly serial: number; readonly refresh: number; readonly retry: number; readonly expire: number; readonly minimum: number };

export const TYPE_CODE: Record<RecordType, number> = { A: TYPE.A, AAAA: TYPE.AAAA, TXT: TYPE.TXT, CNAME: TYPE.CNAME, NS: TYPE.NS, SOA: TYPE.SOA, PTR: TYPE.PTR, MX: TYPE.MX };

const absolute = (name: string) => (name.endsWith('.') ? name.slice(0, -1) : name).toLowerCase();

/** Parses one presentation value; throws on anything that would not encode. */
export function parseRData(type: RecordType, value: string): RData {
  switch (type) {
    case 'A':
      if (!ipaddr.IPv4.isValidFourPartDecimal(value)) throw new WireError(`bad A value ${value}`);
      return { kind: 'ipv4', address: ipaddr.IPv4.parse(value).toByteArray().reduce((n, b) => n * 256 + b, 0) };
    case 'AAAA':
      if (!ipaddr.IPv6.isValid(value) || value.includes('%')) throw new WireError(`bad AAAA value ${value}`);
      return { kind: 'bytes', bytes: Uint8Array.from(ipaddr.IPv6.parse(value).toByteArray()) };
    case 'TXT':
      return { kind: 'bytes', bytes: txtBytes(value) };
    case 'CNAME':
    case 'NS':
    case 'PTR':
      return { kind: 'name', name: absolute(value) };
    case 'MX': {
      const [pref, host] = value.trim().split(/\s+/);
      const preference = Number(pref);
      if (!host || !Number.isInteger(preference) || preference < 0 || preference > 65535) throw new WireError(`bad MX value ${value}`);
      return { kind: 'mx', preference, name: absolute(host) };
    }
    case 'SOA': {
      const parts = value.trim().split(/\s+/);
      const nums = parts.slice(2).map(Number);
      if (parts.length !== 7 || nums.some((n) => !Number.isInteger(n) || n < 0 || n > 0xffffffff)) throw new WireError(`bad SOA value ${value}`);
      const [serial, refresh, retry, expire, minimum] = nums as [number, number, number, number, number];
      return { kind: 'soa', mname: absolute(parts[0]!), rname: absolute(parts[1]!), serial, refresh, retry, expire, minimum };
    }
  }
}

/**
 * TXT presentation: one or more quoted strings, or bare text. Each
 * character-string is at most 255 octets, so long text is split (dns-packet
 * gets this wrong, see TOOLING.md).
 */
function txtBytes(value: string): Uint8Array {
  const strings: number[][] = [];
  const quoted = /"((?:[^"\\]|\\.)*)"/g;
  const trimmed = value.trim();
  if (trimmed.startsWith('"')) {
    for (const m of trimmed.matchAll(quoted)) strings.push(unescape(m[1]!));
  } else {
    strings.push([...Buffer.from(trimmed, 'utf8')]);
  }
  const out: number[] = [];
  for (const s of strings) {
    if (s.length === 0) out.push(0);
    for (let i = 0; i < s.length; i += 255) {
      const chunk = s.slice(i, i + 255);
      out.push(chunk.length, ...chunk);
    }
  }
  return Uint8Array.from(out);
}

function unescape(s: string): number[] {
  const bytes: number[] = [];
  const raw = Buffer.from(s, 'utf8');
  for (let i = 0; i < raw.length; i++) {
    if (raw[i] === 0x5c && i + 1 < raw.length) {
      const d = /^\d{3}/.exec(raw.subarray(i + 1, i + 4).toString('latin1'));
      if (d) {
        bytes.push(Number(d[0]) & 0xff);
        i += 3;
      } else bytes.push(raw[++i]!);
    } else bytes.push(raw[i]!);
  }
  return bytes;
}

/** Writes RDLENGTH + RDATA at the writer's position. */
export function writeRData(w: Writer, rdata: RData): void {
  const lengthAt = w.length;
  w.u16(0);
  switch (rdata.kind) {
    case 'ipv4':
      w.u32(rdata.address);
      break;
    case 'bytes':
      w.bytes(rdata.bytes);
      break;
    case 'name':
      w.name(rdata.name);
      break;
    case 'mx':
      w.u16(rdata.preference);
      w.name(rdata.name);
      break;
    case 'soa':
      w.name(rdata.mname);
      w.name(rdata.rname);
      w.u32(rdata.serial);
      w.u32(rdata.refresh);
      w.u32(rdata.retry);
      w.u32(rdata.expire);
      w.u32(rdata.minimum);
      break;
  }
  w.setU16(lengthAt, w.length - lengthAt - 2);
}

/** The name a record points at, for additional-section processing and CNAME chasing. */
export function targetName(rdata: RData): string | undefined {
  return rdata.kind === 'name' || rdata.kind === 'mx' ? rdata.name : undefined;
}
