/**
 * Writes resource records in wire format, the one way every message of the
 * built-in server does: answers, zone transfers and NOTIFY.
 */
import type { RR } from './lookup.js';
import { writeRData } from './rdata.js';
import { CLASS, TYPE, type Writer } from './wire.js';
import type { ZoneSnapshot } from './zone.js';

/** Owner name (compressed against what `w` remembers), type, class IN, TTL, RDATA. */
export function writeRR(w: Writer, rr: RR): void {
  w.name(rr.name);
  w.u16(rr.type);
  w.u16(CLASS.IN);
  w.u32(rr.ttl);
  writeRData(w, rr.rdata);
}

/** The zone's SOA as a record: it opens and closes a transfer and rides along with a NOTIFY. */
export function soaRecord(zone: ZoneSnapshot): RR {
  return { name: zone.apex, type: TYPE.SOA, ttl: zone.soa.ttl, rdata: zone.soa.rdata[0]! };
}
