/**
 * A decoded UPDATE message (rfc2136/update-message.ts) in the form the use
 * case takes (domain/dns-update.ts): classes and types by name, RDATA in the
 * presentation form RRSet values hold — the same printing the RFC 2136
 * provider uses for what it reads back by AXFR. A type Signpost does not
 * model travels as `TYPE<n>` with its RDATA in RFC 3597's `\# <len> <hex>`.
 */
import type { DnsUpdateRequest, UpdateClass, UpdateRR } from '../../../domain/dns-update.js';
import { presentRData } from '../rfc2136/rdata-read.js';
import type { UpdateMessage, UpdateRecord } from '../rfc2136/update-message.js';
import { CLASS, TYPE } from './wire.js';

/** The types with a presentation form of their own here: what Signpost models, plus ANY (whole-name forms). */
const NAMED_TYPES: ReadonlyMap<number, string> = new Map([
  [TYPE.A, 'A'],
  [TYPE.AAAA, 'AAAA'],
  [TYPE.TXT, 'TXT'],
  [TYPE.CNAME, 'CNAME'],
  [TYPE.NS, 'NS'],
  [TYPE.SOA, 'SOA'],
  [TYPE.PTR, 'PTR'],
  [TYPE.MX, 'MX'],
  [TYPE.ANY, 'ANY'],
]);

export function updateClass(klass: number): UpdateClass {
  if (klass === CLASS.IN) return 'IN';
  if (klass === CLASS.ANY) return 'ANY';
  if (klass === CLASS.NONE) return 'NONE';
  return `CLASS${klass}`;
}

function presentRecord(rr: UpdateRecord): UpdateRR {
  const named = NAMED_TYPES.get(rr.type);
  const base = { name: rr.name, type: named ?? `TYPE${rr.type}`, class: updateClass(rr.class), ttl: rr.ttl };
  // Types not named here are read as raw bytes, which print as RFC 3597's generic form.
  return rr.rdata ? { ...base, value: presentRData(rr.type, rr.rdata) } : base;
}

/** The request `message` (which has a zone section) asks for, signed by `keyName` of `username`. */
export function toUpdateRequest(message: UpdateMessage & { readonly zone: NonNullable<UpdateMessage['zone']> }, signer: { readonly keyName: string; readonly username: string }, sourceAddress: string): DnsUpdateRequest {
  return {
    zone: message.zone.name,
    zoneClass: updateClass(message.zone.class),
    prerequisites: message.prerequisites.map(presentRecord),
    updates: message.updates.map(presentRecord),
    keyName: signer.keyName,
    username: signer.username,
    sourceAddress,
  };
}
