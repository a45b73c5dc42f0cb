/**
 * DNS UPDATE messages (RFC 2136 §2), encoded and decoded. The sections are
 * zone, prerequisite, update and additional; a record in the first two may
 * have empty RDATA (the "exists"/"delete" forms of §2.4 and §2.5), which
 * dns-packet cannot encode, so this codec is ours. Names are compressed as
 * BIND compresses them, so a decoded message encodes back to the same bytes.
 */
import type { TsigRecord } from '../builtin/message.js';
import { writeRData, type RData } from '../builtin/rdata.js';
import { CLASS, FLAG, HEADER_LENGTH, OPCODE, TYPE, WireError, Writer, canonicalNameWire, readName } from '../builtin/wire.js';
import { copy, readRData } from './rdata-read.js';

/** RCODEs an UPDATE answer may carry (RFC 2136 §2.2, RFC 8945 for NOTAUTH on TSIG failures). */
export const UPDATE_RCODE = { NOERROR: 0, FORMERR: 1, SERVFAIL: 2, NXDOMAIN: 3, NOTIMP: 4, REFUSED: 5, YXDOMAIN: 6, YXRRSET: 7, NXRRSET: 8, NOTAUTH: 9, NOTZONE: 10 } as const;

/** One resource record of an UPDATE section. */
export interface UpdateRecord {
  readonly name: string;
  readonly type: number;
  readonly class: number;
  readonly ttl: number;
  /** Absent: empty RDATA (RDLENGTH 0), as the value-independent prerequisites and the deletes of whole sets use. */
  readonly rdata?: RData;
}

export interface UpdateMessage {
  readonly id: number;
  /** The whole flags word: QR, OPCODE (5), the Z bits and RCODE. */
  readonly flags: number;
  /** The zone section (ZOCOUNT 1); some servers leave it out of answers. */
  readonly zone?: { readonly name: string; readonly class: number };
  readonly prerequisites: readonly UpdateRecord[];
  readonly updates: readonly UpdateRecord[];
  /** Additional records other than the TSIG record. */
  readonly additional: readonly UpdateRecord[];
  /** The TSIG record, last in the additional section, when the message is signed. */
  readonly tsig?: TsigRecord;
}

/** Flags of an UPDATE request (QR clear, OPCODE 5). */
export const UPDATE_REQUEST_FLAGS = OPCODE.UPDATE << 11;
export const rcodeOf = (flags: number) => flags & 0xf;
export const isResponse = (flags: number) => (flags & FLAG.QR) !== 0;

/**
 * Encodes the message. Without `tsig` the result is what `sign()` in
 * builtin/tsig.ts expects (ARCOUNT excludes the signature); with it (a
 * decoded message) the TSIG record is written back as it was.
 */
export function encodeUpdate(message: UpdateMessage): Uint8Array {
  const w = new Writer(512);
  w.compressTopLabel = false; // as BIND (nsupdate) encodes, so decode→encode reproduces its bytes
  w.u16(message.id);
  w.u16(message.flags);
  w.u16(message.zone ? 1 : 0);
  w.u16(message.prerequisites.length);
  w.u16(message.updates.length);
  w.u16(message.additional.length + (message.tsig ? 1 : 0));
  if (message.zone) {
    w.name(message.zone.name);
    w.u16(TYPE.SOA);
    w.u16(message.zone.class);
  }
  for (const rr of [...message.prerequisites, ...message.updates, ...message.additional]) writeRecord(w, rr);
  if (message.tsig) writeTsig(w, message.tsig);
  return w.finish();
}

function writeRecord(w: Writer, rr: UpdateRecord): void {
  w.name(rr.name);
  w.u16(rr.type);
  w.u16(rr.class);
  w.u32(rr.ttl);
  if (rr.rdata) writeRData(w, rr.rdata);
  else w.u16(0);
}

/** TSIG owner and algorithm names are never compressed (RFC 8945 §4.2). */
function writeTsig(w: Writer, t: TsigRecord): void {
  w.bytes(canonicalNameWire(t.keyName));
  w.u16(TYPE.TSIG);
  w.u16(CLASS.ANY);
  w.u32(0);
  const alg = canonicalNameWire(t.algorithm);
  w.u16(alg.length + 16 + t.mac.length + t.other.length);
  w.bytes(alg);
  w.u16(Math.floor(t.timeSigned / 2 ** 32));
  w.u32(t.timeSigned % 2 ** 32);
  w.u16(t.fudge);
  w.u16(t.mac.length);
  w.bytes(t.mac);
  w.u16(t.originalId);
  w.u16(t.error);
  w.u16(t.other.length);
  w.bytes(t.other);
}

/** Any DNS message, section by section (for UPDATE, RFC 2136 calls them zone, prerequisite, update, additional). */
export interface DecodedMessage {
  readonly id: number;
  readonly flags: number;
  readonly questions: readonly { readonly name: string; readonly type: number; readonly class: number }[];
  /** Answer/prerequisite, authority/update, additional (without TSIG). */
  readonly sections: readonly [readonly UpdateRecord[], readonly UpdateRecord[], readonly UpdateRecord[]];
  readonly tsig?: TsigRecord;
}

/** Decodes any DNS message (the answers to queries and transfers too); anything malformed throws WireError. */
export function decodeMessage(buf: Uint8Array): DecodedMessage {
  if (buf.length < HEADER_LENGTH) throw new WireError('shorter than a DNS header');
  const u16 = (at: number) => {
    if (at + 2 > buf.length) throw new WireError('message truncated');
    return (buf[at]! << 8) | buf[at + 1]!;
  };
  const qdcount = u16(4);
  const counts = [u16(6), u16(8), u16(10)] as const;
  let pos = HEADER_LENGTH;
  const questions: { name: string; type: number; class: number }[] = [];
  for (let i = 0; i < qdcount; i++) {
    const n = readName(buf, pos);
    questions.push({ name: n.name, type: u16(n.next), class: u16(n.next + 2) });
    pos = n.next + 4;
  }
  const sections: [UpdateRecord[], UpdateRecord[], UpdateRecord[]] = [[], [], []];
  let tsig: TsigRecord | undefined;
  for (let s = 0; s < 3; s++) {
    for (let i = 0; i < counts[s]!; i++) {
      const start = pos;
      const owner = readName(buf, pos);
      pos = owner.next;
      const type = u16(pos);
      const klass = u16(pos + 2);
      const ttl = ((u16(pos + 4) << 16) | u16(pos + 6)) >>> 0;
      const rdlength = u16(pos + 8);
      const rdataAt = pos + 10;
      pos = rdataAt + rdlength;
      if (pos > buf.length) throw new WireError('RDATA runs past the message');
      if (type === TYPE.TSIG) {
        // Only in the additional section, and last (RFC 8945 §5.1).
        if (s !== 2 || i !== counts[2] - 1 || klass !== CLASS.ANY) throw new WireError('misplaced TSIG record');
        tsig = readTsig(buf, start, owner.name, rdataAt, pos);
        continue;
      }
      sections[s]!.push({ name: owner.name, type, class: klass, ttl, ...(rdlength > 0 ? { rdata: readRData(buf, type, rdataAt, rdlength) } : {}) });
    }
  }
  if (pos !== buf.length) throw new WireError('trailing octets after the last record');
  return { id: u16(0), flags: u16(2), questions, sections, ...(tsig ? { tsig } : {}) };
}

/** Decodes an UPDATE request or answer; anything malformed (or another opcode) throws WireError. */
export function decodeUpdate(buf: Uint8Array): UpdateMessage {
  const m = decodeMessage(buf);
  if (((m.flags >> 11) & 0xf) !== OPCODE.UPDATE) throw new WireError('not an UPDATE message');
  if (m.questions.length > 1) throw new WireError('more than one zone');
  const zone = m.questions[0];
  if (zone && zone.type !== TYPE.SOA) throw new WireError('zone section type is not SOA');
  const [prerequisites, updates, additional] = m.sections;
  return { id: m.id, flags: m.flags, ...(zone ? { zone: { name: zone.name, class: zone.class } } : {}), prerequisites, updates, additional, ...(m.tsig ? { tsig: m.tsig } : {}) };
}

/** A standard query (for a zone transfer: type AXFR), without TSIG. */
export function encodeQuery(id: number, name: string, type: number): Uint8Array {
  const w = new Writer(64);
  w.u16(id);
  w.u16(0);
  w.u16(1);
  w.u16(0);
  w.u16(0);
  w.u16(0);
  w.name(name);
  w.u16(type);
  w.u16(CLASS.IN);
  return w.finish();
}

function readTsig(buf: Uint8Array, offset: number, keyName: string, rdata: number, end: number): TsigRecord {
  const alg = readName(buf, rdata);
  let p = alg.next;
  const u16 = (at: number) => (buf[at]! << 8) | buf[at + 1]!;
  if (p + 10 > end) throw new WireError('TSIG RDATA too short');
  const timeSigned = u16(p) * 2 ** 32 + (((u16(p + 2) << 16) | u16(p + 4)) >>> 0);
  const fudge = u16(p + 6);
  const macSize = u16(p + 8);
  p += 10;
  if (p + macSize + 6 > end) throw new WireError('TSIG RDATA too short');
  const mac = copy(buf, p, p + macSize);
  p += macSize;
  const otherLength = u16(p + 4);
  if (p + 6 + otherLength !== end) throw new WireError('TSIG RDATA length mismatch');
  return { offset, keyName, algorithm: alg.name, timeSigned, fudge, mac, originalId: u16(p), error: u16(p + 2), other: copy(buf, p + 6, end) };
}
