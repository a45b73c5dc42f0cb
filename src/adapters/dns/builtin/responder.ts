/**
 * Turns one request message into its response message(s), independent of
 * sockets. Plain queries go through a cache of finished wire answers per
 * (exact question bytes, EDNS, transport): a hit only copies the bytes and
 * patches the ID and the RD/CD/DO bits. The cache is dropped
 * whenever any zone's snapshot is swapped.
 */
import type { CidrSet } from '../../../domain/ip.js';
import { lookup, type LookupResult, type RR } from './lookup.js';
import { parseMessage, type Edns, type Query } from './message.js';
import { writeRData } from './rdata.js';
import { serialLessThan } from './serial.js';
import { sign, verifyRequest, type KeyRing, type TsigKey } from './tsig.js';
import { CLASS, FLAG, OPCODE, RCODE, TSIG_ERROR, TYPE, Writer } from './wire.js';
import type { ZoneSnapshot } from './zone.js';

/** Where the responder finds zones; `version` changes whenever any snapshot is swapped. */
export interface ZoneSource {
  readonly version: number;
  find(qname: string): ZoneSnapshot | undefined;
}

export interface TransferPolicy {
  /** Addresses allowed to transfer without TSIG. */
  readonly allow: CidrSet;
  /** hmac-sha256 keys; a request signed with one of them may transfer from anywhere. */
  readonly keys: KeyRing;
}

export interface ResponderOptions {
  readonly zones: ZoneSource;
  readonly transfer: TransferPolicy;
  /** Seconds since the epoch (TSIG time checks). */
  readonly now?: () => number;
  readonly cacheLimit?: number;
}

/** The EDNS payload size we advertise and honour at most (DNS flag day 2020). */
export const EDNS_UDP_SIZE = 1232;
const TRANSFER_MESSAGE_SIZE = 16_000;
const OPT_LENGTH = 11;

/**
 * What `fastQuestion` found, written into one reused object (no allocation
 * per query). `hash` covers the question bytes, the EDNS flag and the transport.
 */
interface FastQuestion {
  /** End of the question (after type and class). */
  questionEnd: number;
  edns: boolean;
  udpSize: number;
  dnssecOk: boolean;
  hash: number;
}

/** A cached canonical answer (ID 0, RD/CD/DO clear) and the exact question it answers; entries sharing a hash are chained. */
interface CacheEntry {
  /** Question bytes (offset 12 to the end of the question) as asked. */
  readonly question: Buffer;
  readonly edns: boolean;
  readonly tcp: boolean;
  readonly answer: Buffer;
  next: CacheEntry | undefined;
}

export class Responder {
  private cache = new Map<number, CacheEntry>();
  private cacheSize = 0;
  private cacheVersion = -1;
  private readonly fast: FastQuestion = { questionEnd: 0, edns: false, udpSize: 512, dnssecOk: false, hash: 0 };
  private readonly cacheLimit: number;
  private readonly now: () => number;

  constructor(private readonly options: ResponderOptions) {
    this.cacheLimit = options.cacheLimit ?? 200_000;
    this.now = options.now ?? (() => Math.floor(Date.now() / 1000));
  }

  /**
   * The answer to `msg` straight from the answer cache, or undefined when it
   * is not a cache hit (then `respond` gives the answer). The hot path of a
   * busy server: no strings, no parse, one copy of the cached bytes.
   */
  cached(msg: Buffer, tcp: boolean): Buffer | undefined {
    if (this.cacheVersion !== this.options.zones.version) {
      this.cache = new Map();
      this.cacheSize = 0;
      this.cacheVersion = this.options.zones.version;
      return undefined;
    }
    const fast = this.fast;
    if (!fastQuestion(msg, tcp, fast)) return undefined;
    const entry = findEntry(this.cache.get(fast.hash), msg, fast, tcp);
    return entry ? finish(entry.answer, msg, fast, tcp) : undefined;
  }

  /**
   * Response(s) to `msg`, or an empty list when the message deserves none.
   * Never throws on bad input. Zone transfers come back as a lazy iterable.
   */
  respond(msg: Buffer, remote: string, tcp: boolean): Iterable<Uint8Array> {
    const hit = this.cached(msg, tcp);
    if (hit) return [hit];
    const fast = fastQuestion(msg, tcp, this.fast) ? this.fast : undefined;
    const parsed = parseMessage(msg);
    if (!parsed) return [];
    if (!parsed.ok) return [errorResponse(msg, parsed.rcode, parsed.questionEnd, parsed.edns)];
    const q = parsed.query;
    const questionEnd = q.qnameEnd + 4;
    if (q.edns && q.edns.version > 0) return [errorResponse(msg, RCODE.BADVERS, questionEnd, q.edns)];

    let key: TsigKey | undefined;
    let requestMac: Uint8Array | undefined;
    if (q.tsig) {
      const verdict = verifyRequest(msg, q.tsig, this.options.transfer.keys, this.now());
      if (!verdict.ok) return [this.tsigFailure(msg, q, verdict.error, verdict.key, verdict.mac)];
      key = verdict.key;
      requestMac = verdict.mac;
    }
    const signed = (m: Uint8Array) => (key ? sign(m, key, { time: this.now(), requestMac: requestMac! }).message : m);

    if (q.opcode !== OPCODE.QUERY) return [signed(errorResponse(msg, RCODE.NOTIMP, questionEnd, q.edns))];
    if (q.qtype === TYPE.AXFR || q.qtype === TYPE.IXFR) {
      if (!tcp) return [signed(errorResponse(msg, RCODE.NOTIMP, questionEnd, q.edns))];
      return this.transfer(msg, q, remote, key, requestMac);
    }
    if (q.qtype === TYPE.OPT || q.qtype === TYPE.TSIG || q.qtype === 0) return [signed(errorResponse(msg, RCODE.FORMERR, questionEnd, q.edns))];
    if (q.qtype === TYPE.MAILA || q.qtype === TYPE.MAILB) return [signed(errorResponse(msg, RCODE.NOTIMP, questionEnd, q.edns))];
    if (q.qclass !== CLASS.IN) return [signed(errorResponse(msg, RCODE.REFUSED, questionEnd, q.edns))];

    const result = lookup(this.options.zones.find(q.qname), q.qname, q.qtype, { fullAny: tcp });
    if (fast && !key) {
      const canonical = encode(result, { id: 0, flags: 0, question: msg.subarray(12, questionEnd), edns: q.edns ? { ...q.edns, dnssecOk: false } : undefined });
      if (this.cacheSize >= this.cacheLimit) {
        this.cache.clear();
        this.cacheSize = 0;
      }
      const head = this.cache.get(fast.hash);
      if (!findEntry(head, msg, fast, tcp)) {
        this.cache.set(fast.hash, { question: Buffer.from(msg.subarray(12, questionEnd)), edns: fast.edns, tcp, answer: canonical, next: head });
        this.cacheSize++;
      }
      return [finish(canonical, msg, fast, tcp)];
    }
    const out = encode(result, { id: q.id, flags: q.flags, question: msg.subarray(12, questionEnd), edns: q.edns });
    const limit = tcp ? 65535 : udpLimit(q.edns);
    return [signed(out.length > limit ? truncate(out, questionEnd, q.edns !== undefined) : out)];
  }

  /**
   * AXFR, and IXFR answered AXFR-style (RFC 1995 §4 allows it) unless the
   * client is current. The messages are produced lazily from one snapshot:
   * snapshots never change, so the socket layer can stream a large zone
   * across many turns of the event loop and still send one consistent version.
   */
  private transfer(msg: Buffer, q: Query, remote: string, key: TsigKey | undefined, requestMac: Uint8Array | undefined): Iterable<Uint8Array> {
    const questionEnd = q.qnameEnd + 4;
    const zone = this.options.zones.find(q.qname);
    if (!zone || zone.apex !== q.qname) return [errorResponse(msg, RCODE.NOTAUTH, questionEnd, q.edns)];
    if (!key && !this.options.transfer.allow.contains(remote)) return [errorResponse(msg, RCODE.REFUSED, questionEnd, q.edns)];
    const current = q.qtype === TYPE.IXFR && q.clientSerial !== undefined && !serialLessThan(q.clientSerial, zone.serial);
    const question = Buffer.from(msg.subarray(12, questionEnd));
    return transferMessages(zone, current, { id: q.id, flags: q.flags, question }, key ? { key, requestMac: requestMac!, now: this.now } : undefined);
  }

  /** RFC 8945 §5.2: NOTAUTH, with a TSIG record carrying the error. */
  private tsigFailure(msg: Buffer, q: Query, error: number, key: TsigKey | undefined, mac: Uint8Array | undefined): Uint8Array {
    const base = errorResponse(msg, RCODE.NOTAUTH, q.qnameEnd + 4, q.edns);
    const now = this.now();
    const replyKey = key ?? { name: q.tsig!.keyName, secret: Buffer.alloc(0) };
    const other = error === TSIG_ERROR.BADTIME ? Uint8Array.of(0, 0, (now >>> 24) & 0xff, (now >>> 16) & 0xff, (now >>> 8) & 0xff, now & 0xff) : undefined;
    return sign(base, replyKey, { time: error === TSIG_ERROR.BADTIME ? q.tsig!.timeSigned : now, error, ...(other ? { other } : {}), ...(mac ? { requestMac: mac } : {}) }).message;
  }
}

/** SOA, every record, SOA (RFC 5936 §2.2); only the SOA when the client is current. */
function* transferRecords(zone: ZoneSnapshot, current: boolean): Generator<RR> {
  const soa = zone.soa;
  const soaRR: RR = { name: zone.apex, type: TYPE.SOA, ttl: soa.ttl, rdata: soa.rdata[0]! };
  yield soaRR;
  if (current) return;
  for (const node of zone.nodes()) {
    for (const set of node.sets.values()) {
      if (set.type === TYPE.SOA && node.name === zone.apex) continue;
      for (const rdata of set.rdata) yield { name: node.name, type: set.type, ttl: set.ttl, rdata };
    }
  }
  yield soaRR;
}

/** Packs the records into messages of ~16 kB; with TSIG, each message chains the previous MAC. */
function* transferMessages(
  zone: ZoneSnapshot,
  current: boolean,
  request: { id: number; flags: number; question: Uint8Array },
  tsig: { key: TsigKey; requestMac: Uint8Array; now: () => number } | undefined,
): Generator<Uint8Array> {
  const records = transferRecords(zone, current);
  let next = records.next();
  let mac = tsig?.requestMac;
  for (let first = true; first || !next.done; first = false) {
    const w = new Writer(TRANSFER_MESSAGE_SIZE + 512);
    w.u16(request.id);
    w.u16(FLAG.QR | FLAG.AA | (request.flags & FLAG.RD));
    w.u16(first ? 1 : 0);
    w.u16(0);
    w.u16(0);
    w.u16(0);
    if (first) {
      w.bytes(request.question);
      w.remember(12);
    }
    let count = 0;
    while (!next.done && (count === 0 || w.length < TRANSFER_MESSAGE_SIZE)) {
      writeRR(w, next.value);
      count++;
      next = records.next();
    }
    w.setU16(6, count);
    let out = w.finish();
    if (tsig) {
      const s = sign(out, tsig.key, first ? { time: tsig.now(), requestMac: mac! } : { time: tsig.now(), priorMac: mac! });
      out = s.message;
      mac = s.mac;
    }
    yield out;
  }
}

/**
 * Recognises the common query shape without a full parse: opcode QUERY, one
 * uncompressed question, nothing else but an optional version-0 OPT. Fills
 * `out` and returns true when it matches.
 */
function fastQuestion(msg: Buffer, tcp: boolean, out: FastQuestion): boolean {
  const len = msg.length;
  if (len < 17 || (msg[2]! & 0xf8) !== 0) return false;
  if (msg[4] !== 0 || msg[5] !== 1 || msg[6] !== 0 || msg[7] !== 0 || msg[8] !== 0 || msg[9] !== 0 || msg[10] !== 0 || msg[11]! > 1) return false;
  // FNV-1a over the question bytes, labels walked on the way.
  let h = 0x811c9dc5;
  let p = 12;
  for (;;) {
    if (p >= len) return false;
    const l = msg[p]!;
    if (l > 63) return false;
    if (l === 0) break;
    const end = p + l + 1;
    if (end >= len) return false;
    for (; p < end; p++) h = Math.imul(h ^ msg[p]!, 0x01000193);
  }
  const nameEnd = p + 1;
  if (nameEnd - 12 > 255) return false;
  const questionEnd = nameEnd + 4;
  if (questionEnd > len) return false;
  for (; p < questionEnd; p++) h = Math.imul(h ^ msg[p]!, 0x01000193);
  let edns = false;
  let udpSize = 512;
  let dnssecOk = false;
  if (msg[11] === 1) {
    const o = questionEnd;
    if (o + OPT_LENGTH > len || msg[o] !== 0 || msg[o + 1] !== 0 || msg[o + 2] !== TYPE.OPT || msg[o + 6] !== 0) return false;
    if (o + OPT_LENGTH + ((msg[o + 9]! << 8) | msg[o + 10]!) !== len) return false;
    edns = true;
    udpSize = (msg[o + 3]! << 8) | msg[o + 4]!;
    dnssecOk = (msg[o + 7]! & 0x80) !== 0;
  } else if (questionEnd !== len) return false;
  h = Math.imul(h ^ ((edns ? 2 : 0) | (tcp ? 1 : 0)), 0x01000193);
  out.questionEnd = questionEnd;
  out.edns = edns;
  out.udpSize = udpSize;
  out.dnssecOk = dnssecOk;
  out.hash = h & 0x3fffffff; // a small integer: cheap Map key
  return true;
}

/**
 * The entry for exactly this question (its bytes as asked: answers compress
 * against the question case-sensitively), EDNS presence and transport.
 */
function findEntry(entry: CacheEntry | undefined, msg: Buffer, fast: FastQuestion, tcp: boolean): CacheEntry | undefined {
  const qlen = fast.questionEnd - 12;
  outer: for (; entry !== undefined; entry = entry.next) {
    const q = entry.question;
    if (q.length !== qlen || entry.edns !== fast.edns || entry.tcp !== tcp) continue;
    for (let i = 0; i < qlen; i++) if (q[i] !== msg[12 + i]) continue outer;
    return entry;
  }
  return undefined;
}

/** A cached canonical answer made specific to this query. */
function finish(canonical: Buffer, msg: Buffer, fast: FastQuestion, tcp: boolean): Buffer {
  const length = canonical.length;
  const limit = tcp ? 65535 : fast.edns ? Math.min(Math.max(fast.udpSize, 512), EDNS_UDP_SIZE) : 512;
  const out = Buffer.allocUnsafe(length);
  out.set(canonical);
  out[0] = msg[0]!;
  out[1] = msg[1]!;
  out[2] = (canonical[2]! & ~0x01) | (msg[2]! & 0x01); // RD is copied (RFC 1035 §4.1.1)
  out[3] = (canonical[3]! & ~0x10) | (msg[3]! & 0x10); // so is CD (RFC 6840 §5.9)
  if (fast.edns && fast.dnssecOk) out[length - 4]! |= 0x80; // DO is echoed (RFC 3225); OPT is last
  return length > limit ? truncate(out, fast.questionEnd, fast.edns) : out;
}

function udpLimit(edns: Edns | undefined): number {
  if (!edns) return 512;
  return Math.min(Math.max(edns.udpSize, 512), EDNS_UDP_SIZE);
}

/** Header + question (+ OPT) with TC set: the client retries over TCP. */
function truncate(full: Uint8Array, questionEnd: number, edns: boolean): Buffer {
  const out = Buffer.alloc(questionEnd + (edns ? OPT_LENGTH : 0));
  out.set(full.subarray(0, questionEnd));
  out[2]! |= FLAG.TC >> 8;
  out.fill(0, 6, 12);
  if (edns) {
    out[11] = 1;
    out.set(full.subarray(full.length - OPT_LENGTH), questionEnd);
  }
  return out;
}

interface EncodeOptions {
  readonly id: number;
  readonly flags: number;
  /** The question exactly as asked (its letter case is echoed). */
  readonly question: Uint8Array;
  readonly edns: Edns | undefined;
}

function writeRR(w: Writer, rr: RR): void {
  w.name(rr.name);
  w.u16(rr.type);
  w.u16(CLASS.IN);
  w.u32(rr.ttl);
  writeRData(w, rr.rdata);
}

function writeOpt(w: Writer, edns: Edns, extendedRcode: number): void {
  w.u8(0);
  w.u16(TYPE.OPT);
  w.u16(EDNS_UDP_SIZE);
  w.u8(extendedRcode);
  w.u8(0);
  w.u16(edns.dnssecOk ? 0x8000 : 0);
  w.u16(0);
}

function encode(result: LookupResult, o: EncodeOptions): Buffer {
  const w = new Writer(512);
  w.u16(o.id);
  w.u16(FLAG.QR | (result.aa ? FLAG.AA : 0) | (o.flags & (FLAG.RD | FLAG.CD)) | result.rcode);
  w.u16(1);
  w.u16(result.answer.length);
  w.u16(result.authority.length);
  w.u16(result.additional.length + (o.edns ? 1 : 0));
  w.bytes(o.question);
  w.remember(12);
  for (const rr of result.answer) writeRR(w, rr);
  for (const rr of result.authority) writeRR(w, rr);
  for (const rr of result.additional) writeRR(w, rr);
  if (o.edns) writeOpt(w, o.edns, 0);
  const out = w.finish();
  return Buffer.from(out.buffer, out.byteOffset, out.length);
}

/** An answer carrying only an rcode (and the question and OPT when they could be read). */
export function errorResponse(msg: Uint8Array, rcode: number, questionEnd: number | undefined, edns: Edns | undefined): Buffer {
  const w = new Writer(64);
  w.u16((msg[0]! << 8) | msg[1]!);
  const flags = (msg[2]! << 8) | msg[3]!;
  w.u16(FLAG.QR | (flags & (0x7800 | FLAG.RD | FLAG.CD)) | (rcode & 0xf));
  w.u16(questionEnd ? 1 : 0);
  w.u16(0);
  w.u16(0);
  w.u16(edns ? 1 : 0);
  if (questionEnd) w.bytes(msg.subarray(12, questionEnd));
  if (edns) writeOpt(w, edns, rcode >> 4);
  const out = w.finish();
  return Buffer.from(out.buffer, out.byteOffset, out.length);
}
