/**
 * The reverse of builtin/rdata.ts: RDATA read from the wire into the same
 * RData form (so a decoded record encodes back to the same bytes), and RData
 * printed in the presentation form RRSet.values hold.
 */
import ipaddr from 'ipaddr.js';
import type { RData } from '../builtin/rdata.js';
import { TYPE, WireError, readName } from '../builtin/wire.js';

/** A copy, never a view (Buffer#slice is one): decoded records outlive the datagram. */
export const copy = (buf: Uint8Array, start: number, end: number): Uint8Array => Uint8Array.prototype.slice.call(buf, start, end);

/** Reads `length` octets of RDATA of `type` at `offset`; names may be compressed (RFC 3597 §4 types). Unknown types stay raw bytes. */
export function readRData(buf: Uint8Array, type: number, offset: number, length: number): RData {
  const end = offset + length;
  if (end > buf.length) throw new WireError('RDATA runs past the message');
  const name = (at: number) => {
    const n = readName(buf, at);
    if (n.next > end) throw new WireError('name runs past its RDATA');
    return n;
  };
  const u32 = (at: number) => ((buf[at]! << 24) | (buf[at + 1]! << 16) | (buf[at + 2]! << 8) | buf[at + 3]!) >>> 0;
  switch (type) {
    case TYPE.A:
      if (length !== 4) throw new WireError('A RDATA is not 4 octets');
      return { kind: 'ipv4', address: u32(offset) };
    case TYPE.CNAME:
    case TYPE.NS:
    case TYPE.PTR: {
      const n = name(offset);
      if (n.next !== end) throw new WireError('trailing octets after a name');
      return { kind: 'name', name: n.name };
    }
    case TYPE.MX: {
      if (length < 3) throw new WireError('MX RDATA too short');
      const n = name(offset + 2);
      if (n.next !== end) throw new WireError('trailing octets after a name');
      return { kind: 'mx', preference: (buf[offset]! << 8) | buf[offset + 1]!, name: n.name };
    }
    case TYPE.SOA: {
      const m = name(offset);
      const r = name(m.next);
      if (r.next + 20 !== end) throw new WireError('bad SOA RDATA');
      const at = r.next;
      return { kind: 'soa', mname: m.name, rname: r.name, serial: u32(at), refresh: u32(at + 4), retry: u32(at + 8), expire: u32(at + 12), minimum: u32(at + 16) };
    }
    case TYPE.AAAA:
      if (length !== 16) throw new WireError('AAAA RDATA is not 16 octets');
      return { kind: 'bytes', bytes: copy(buf, offset, end) };
    case TYPE.TXT: {
      // Each character-string must fit exactly.
      for (let p = offset; p < end; p += buf[p]! + 1) if (p + buf[p]! + 1 > end) throw new WireError('TXT string runs past its RDATA');
      return { kind: 'bytes', bytes: copy(buf, offset, end) };
    }
    default:
      return { kind: 'bytes', bytes: copy(buf, offset, end) };
  }
}

/** Presentation form as RRSet.values hold it (names lower case and absolute, with the trailing dot; TXT as quoted strings). */
export function presentRData(type: number, rdata: RData): string {
  switch (rdata.kind) {
    case 'ipv4':
      return [rdata.address >>> 24, (rdata.address >>> 16) & 0xff, (rdata.address >>> 8) & 0xff, rdata.address & 0xff].join('.');
    case 'name':
      return `${rdata.name}.`;
    case 'mx':
      return `${rdata.preference} ${rdata.name}.`;
    case 'soa':
      return `${rdata.mname} ${rdata.rname} ${rdata.serial} ${rdata.refresh} ${rdata.retry} ${rdata.expire} ${rdata.minimum}`;
    case 'bytes':
      if (type === TYPE.AAAA) return ipaddr.fromByteArray([...rdata.bytes]).toString();
      if (type === TYPE.TXT) return txtStrings(rdata.bytes);
      return `\\# ${rdata.bytes.length} ${Buffer.from(rdata.bytes).toString('hex')}`; // RFC 3597 generic form
  }
}

function txtStrings(bytes: Uint8Array): string {
  const out: string[] = [];
  for (let p = 0; p < bytes.length; p += bytes[p]! + 1) {
    let s = '';
    for (const c of bytes.subarray(p + 1, p + 1 + bytes[p]!)) {
      if (c === 0x22 || c === 0x5c) s += `\\${String.fromCharCode(c)}`;
      else if (c < 0x20 || c >= 0x7f) s += `\\${c.toString().padStart(3, '0')}`;
      else s += String.fromCharCode(c);
    }
    out.push(`"${s}"`);
  }
  return out.join(' ');
}
