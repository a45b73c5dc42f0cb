/**
 * Zone transfers: AXFR, and IXFR answered AXFR-style (RFC 1995 §4 allows it)
 * unless the client is current. The messages are produced lazily from one
 * snapshot: snapshots never change, so the socket layer can stream a large
 * zone across many turns of the event loop and still send one consistent
 * version.
 */
import type { CidrSet } from '../../../domain/ip.js';
import { errorResponse } from './encoding.js';
import type { RR } from './lookup.js';
import type { Query } from './message.js';
import { soaRecord, writeRR } from './record-writer.js';
import { serialLessThan } from './serial.js';
import { sign, type KeyRing, type TsigKey } from './tsig.js';
import { FLAG, RCODE, TYPE, Writer } from './wire.js';
import type { ZoneSnapshot } from './zone.js';

export interface TransferPolicy {
  /** Addresses allowed to transfer without TSIG. */
  readonly allow: CidrSet;
  /** hmac-sha256 keys; a request signed with one of them may transfer from anywhere. */
  readonly keys: KeyRing;
}

const TRANSFER_MESSAGE_SIZE = 16_000;

export interface TransferRequest {
  readonly msg: Buffer;
  readonly query: Query;
  readonly remote: string;
  /** The zone the question names, if served here. */
  readonly zone: ZoneSnapshot | undefined;
  /** Set when the request carried a valid TSIG signature. */
  readonly tsig?: { readonly key: TsigKey; readonly requestMac: Uint8Array };
}

/** The transfer's messages, or one NOTAUTH / REFUSED answer. */
export function transfer(request: TransferRequest, policy: TransferPolicy, now: () => number): Iterable<Uint8Array> {
  const { msg, query: q, zone, tsig } = request;
  const questionEnd = q.qnameEnd + 4;
  if (!zone || zone.apex !== q.qname) return [errorResponse(msg, RCODE.NOTAUTH, questionEnd, q.edns)];
  if (!tsig && !policy.allow.contains(request.remote)) return [errorResponse(msg, RCODE.REFUSED, questionEnd, q.edns)];
  const current = q.qtype === TYPE.IXFR && q.clientSerial !== undefined && !serialLessThan(q.clientSerial, zone.serial);
  const question = Buffer.from(msg.subarray(12, questionEnd));
  return transferMessages(zone, current, { id: q.id, flags: q.flags, question }, tsig ? { ...tsig, now } : undefined);
}

/** SOA, every record, SOA (RFC 5936 §2.2); only the SOA when the client is current. */
function* transferRecords(zone: ZoneSnapshot, current: boolean): Generator<RR> {
  const soaRR = soaRecord(zone);
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
