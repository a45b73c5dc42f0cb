/**
 * Parsing an incoming message far enough to answer it: header, the one
 * question, the OPT record (EDNS), a trailing TSIG record and, for IXFR, the
 * client's SOA serial. Every read is bounds-checked; malformed input yields
 * a FORMERR verdict, never an exception escaping to the socket.
 */
import { CLASS, FLAG, HEADER_LENGTH, RCODE, TYPE, WireError, readName, skipName } from './wire.js';

export interface Edns {
  readonly udpSize: number;
  readonly version: number;
  readonly dnssecOk: boolean;
}

export interface TsigRecord {
  /** Offset of the TSIG RR in the message (everything before it is signed). */
  readonly offset: number;
  readonly keyName: string;
  readonly algorithm: string;
  readonly timeSigned: number;
  readonly fudge: number;
  readonly mac: Uint8Array;
  readonly originalId: number;
  readonly error: number;
  readonly other: Uint8Array;
}

export interface Query {
  readonly id: number;
  readonly flags: number;
  readonly opcode: number;
  readonly qname: string;
  readonly qtype: number;
  readonly qclass: number;
  /** End of the question's name; the name itself starts at 12 and is never compressed. */
  readonly qnameEnd: number;
  readonly edns?: Edns;
  readonly tsig?: TsigRecord;
  /** IXFR: the serial the client has (from the authority section). */
  readonly clientSerial?: number;
}

export type Parsed =
  | { readonly ok: true; readonly query: Query }
  /** Answer with this rcode (header id/flags/opcode echoed, question copied when known). */
  | { readonly ok: false; readonly rcode: number; readonly id: number; readonly flags: number; readonly questionEnd?: number; readonly edns?: Edns }
  /** Not worth an answer: too short to have an id, or itself a response. */
  | null;

export function parseMessage(buf: Uint8Array): Parsed {
  if (buf.length < HEADER_LENGTH) return null;
  const id = (buf[0]! << 8) | buf[1]!;
  const flags = (buf[2]! << 8) | buf[3]!;
  if (flags & FLAG.QR) return null; // never answer answers: avoids reflection loops
  const count = (at: number) => (buf[at]! << 8) | buf[at + 1]!;
  const qdcount = count(4);
  const ancount = count(6);
  const nscount = count(8);
  const arcount = count(10);
  const formerr = (questionEnd?: number, edns?: Edns): Parsed => ({ ok: false, rcode: RCODE.FORMERR, id, flags, ...(questionEnd ? { questionEnd } : {}), ...(edns ? { edns } : {}) });
  if (qdcount !== 1) return formerr();
  try {
    const q = readName(buf, HEADER_LENGTH);
    if (q.next - HEADER_LENGTH !== q.wireLength) return formerr(); // a pointer in the question
    if (q.next + 4 > buf.length) return formerr();
    const qtype = (buf[q.next]! << 8) | buf[q.next + 1]!;
    const qclass = (buf[q.next + 2]! << 8) | buf[q.next + 3]!;
    const questionEnd = q.next + 4;
    let pos = questionEnd;
    let edns: Edns | undefined;
    let tsig: TsigRecord | undefined;
    let clientSerial: number | undefined;
    const total = ancount + nscount + arcount;
    for (let i = 0; i < total; i++) {
      const start = pos;
      const owner = i >= ancount + nscount ? readName(buf, pos) : undefined;
      pos = owner ? owner.next : skipName(buf, pos);
      if (pos + 10 > buf.length) return formerr(questionEnd, edns);
      const type = (buf[pos]! << 8) | buf[pos + 1]!;
      const klass = (buf[pos + 2]! << 8) | buf[pos + 3]!;
      const ttl = ((buf[pos + 4]! << 24) | (buf[pos + 5]! << 16) | (buf[pos + 6]! << 8) | buf[pos + 7]!) >>> 0;
      const rdlength = (buf[pos + 8]! << 8) | buf[pos + 9]!;
      const rdata = pos + 10;
      pos = rdata + rdlength;
      if (pos > buf.length) return formerr(questionEnd, edns);
      if (i >= ancount && i < ancount + nscount && type === TYPE.SOA && qtype === TYPE.IXFR) {
        // SOA RDATA: mname, rname, then the serial.
        const afterNames = skipName(buf, skipName(buf, rdata));
        if (afterNames + 4 > pos) return formerr(questionEnd, edns);
        clientSerial = ((buf[afterNames]! << 24) | (buf[afterNames + 1]! << 16) | (buf[afterNames + 2]! << 8) | buf[afterNames + 3]!) >>> 0;
      }
      if (!owner) continue;
      if (type === TYPE.OPT) {
        if (edns || owner.name !== '' || tsig) return formerr(questionEnd);
        edns = { udpSize: klass, version: (ttl >>> 16) & 0xff, dnssecOk: (ttl & 0x8000) !== 0 };
      } else if (type === TYPE.TSIG) {
        // TSIG must be the last record (RFC 8945 §5.1).
        if (i !== total - 1 || klass !== CLASS.ANY) return formerr(questionEnd, edns);
        tsig = parseTsig(buf, start, owner.name, rdata, pos);
        if (!tsig) return formerr(questionEnd, edns);
      }
    }
    const opcode = (flags >> 11) & 0xf;
    return { ok: true, query: { id, flags, opcode, qname: q.name, qtype, qclass, qnameEnd: q.next, ...(edns ? { edns } : {}), ...(tsig ? { tsig } : {}), ...(clientSerial !== undefined ? { clientSerial } : {}) } };
  } catch (error) {
    if (error instanceof WireError) return formerr();
    throw error;
  }
}

function parseTsig(buf: Uint8Array, offset: number, keyName: string, rdata: number, end: number): TsigRecord | undefined {
  const alg = readName(buf, rdata);
  let p = alg.next;
  if (p + 10 > end) return undefined;
  const timeSigned = (((buf[p]! << 8) | buf[p + 1]!) * 2 ** 32) + (((buf[p + 2]! << 24) | (buf[p + 3]! << 16) | (buf[p + 4]! << 8) | buf[p + 5]!) >>> 0);
  const fudge = (buf[p + 6]! << 8) | buf[p + 7]!;
  const macSize = (buf[p + 8]! << 8) | buf[p + 9]!;
  p += 10;
  if (p + macSize + 6 > end) return undefined;
  // Copies (Buffer#slice would be a view): a streamed transfer keeps using the MAC after this message is gone.
  const mac = Uint8Array.prototype.slice.call(buf, p, p + macSize);
  p += macSize;
  const originalId = (buf[p]! << 8) | buf[p + 1]!;
  const error = (buf[p + 2]! << 8) | buf[p + 3]!;
  const otherLen = (buf[p + 4]! << 8) | buf[p + 5]!;
  if (p + 6 + otherLen !== end) return undefined;
  return { offset, keyName, algorithm: alg.name, timeSigned, fudge, mac, originalId, error, other: Uint8Array.prototype.slice.call(buf, p + 6, end) };
}
