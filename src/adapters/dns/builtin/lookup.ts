/**
 * The authoritative lookup, CoreDNS style: a pure function from a zone
 * snapshot and a question to the sections of the answer. No sockets, no
 * wire format; the responder encodes the result.
 */
import { isWithin } from '../../../domain/names.js';
import { targetName, type RData } from './rdata.js';
import { RCODE, TYPE } from './wire.js';
import type { WireSet, ZoneSnapshot } from './zone.js';

export interface RR {
  readonly name: string;
  readonly type: number;
  readonly ttl: number;
  readonly rdata: RData;
}

export interface LookupResult {
  readonly rcode: number;
  /** Authoritative answer; false for referrals and refusals. */
  readonly aa: boolean;
  readonly answer: RR[];
  readonly authority: RR[];
  readonly additional: RR[];
}

export interface LookupOptions {
  /** RFC 8482: over UDP answer ANY with one RRset; over TCP with all of them. */
  readonly fullAny?: boolean;
}

const MAX_CNAME_CHAIN = 8;
/** Which RRset a minimal ANY answer prefers: the ones a host is most likely asked about. */
const ANY_PREFERENCE = [TYPE.A, TYPE.AAAA, TYPE.CNAME, TYPE.TXT, TYPE.MX, TYPE.PTR, TYPE.NS, TYPE.SOA];

export function refused(): LookupResult {
  return { rcode: RCODE.REFUSED, aa: false, answer: [], authority: [], additional: [] };
}

const rrs = (name: string, set: WireSet, ttl = set.ttl): RR[] => set.rdata.map((rdata) => ({ name, type: set.type, ttl, rdata }));

/** SOA for negative answers: TTL is min(SOA TTL, SOA minimum) (RFC 2308 §5). */
function negativeSoa(zone: ZoneSnapshot): RR[] {
  const soa = zone.soa;
  const minimum = soa.rdata[0]?.kind === 'soa' ? soa.rdata[0].minimum : soa.ttl;
  return rrs(zone.apex, soa, Math.min(soa.ttl, minimum));
}

/** `qname` must already be canonical (lower case, no trailing dot). */
export function lookup(zone: ZoneSnapshot | undefined, qname: string, qtype: number, options: LookupOptions = {}): LookupResult {
  if (!zone || !isWithin(qname, zone.apex)) return refused();
  const answer: RR[] = [];
  let name = qname;
  for (let hop = 0; ; hop++) {
    const step = lookupName(zone, name, qtype, options);
    if (step.kind === 'referral') {
      // A referral is only a valid whole answer when no CNAME led here.
      return { rcode: RCODE.NOERROR, aa: answer.length > 0, answer, authority: step.authority, additional: step.additional };
    }
    if (step.kind === 'nxdomain') return { rcode: RCODE.NXDOMAIN, aa: true, answer, authority: negativeSoa(zone), additional: [] };
    if (step.kind === 'nodata') return { rcode: RCODE.NOERROR, aa: true, answer, authority: negativeSoa(zone), additional: [] };
    answer.push(...step.answer);
    if (step.kind === 'answer') return { rcode: RCODE.NOERROR, aa: true, answer, authority: [], additional: additionalFor(zone, step.answer) };
    // CNAME: follow it while it stays inside this zone (we never recurse).
    if (!isWithin(step.target, zone.apex) || hop >= MAX_CNAME_CHAIN || answer.some((rr, i) => i < answer.length - 1 && rr.name === step.target)) {
      return { rcode: RCODE.NOERROR, aa: true, answer, authority: [], additional: [] };
    }
    name = step.target;
  }
}

type Step =
  | { kind: 'answer'; answer: RR[] }
  | { kind: 'cname'; answer: RR[]; target: string }
  | { kind: 'nodata' }
  | { kind: 'nxdomain' }
  | { kind: 'referral'; authority: RR[]; additional: RR[] };

function lookupName(zone: ZoneSnapshot, name: string, qtype: number, options: LookupOptions): Step {
  if (zone.delegations > 0) {
    const cut = findCut(zone, name);
    if (cut) {
      const ns = cut.sets.get(TYPE.NS)!;
      const authority = rrs(cut.name, ns);
      return { kind: 'referral', authority, additional: additionalFor(zone, authority) };
    }
  }
  // A name that does not exist may be answered from a wildcard (RFC 4592); the owner stays `name`.
  const node = zone.node(name) ?? sourceOfSynthesis(zone, name);
  if (!node) return { kind: 'nxdomain' };
  if (qtype === TYPE.ANY) {
    if (node.sets.size === 0) return { kind: 'nodata' };
    if (options.fullAny) return { kind: 'answer', answer: [...node.sets.values()].flatMap((s) => rrs(name, s)) };
    for (const t of ANY_PREFERENCE) {
      const set = node.sets.get(t);
      if (set) return { kind: 'answer', answer: rrs(name, set) };
    }
    return { kind: 'answer', answer: rrs(name, node.sets.values().next().value!) };
  }
  const set = node.sets.get(qtype);
  if (set) return { kind: 'answer', answer: rrs(name, set) };
  const cname = node.sets.get(TYPE.CNAME);
  if (cname && cname.rdata[0]) return { kind: 'cname', answer: rrs(name, cname), target: targetName(cname.rdata[0])! };
  return { kind: 'nodata' };
}

/**
 * RFC 4592 §3.3.1 for a name that does not exist: its closest encloser is
 * the longest ancestor that exists — empty non-terminals count, so nothing
 * is synthesized below an existing name — and the source of synthesis is
 * `*.<closest encloser>` if that exists. Without one the name is NXDOMAIN;
 * a source without the asked type (or an empty non-terminal `*`) is NODATA.
 */
function sourceOfSynthesis(zone: ZoneSnapshot, name: string) {
  let encloser = name;
  do {
    encloser = encloser.slice(encloser.indexOf('.') + 1);
  } while (encloser !== zone.apex && !zone.node(encloser));
  return zone.node(`*.${encloser}`);
}

/** The closest delegation point (NS below the apex) at or above `name`. */
function findCut(zone: ZoneSnapshot, name: string) {
  const below = name.length - zone.apex.length - 1;
  if (below <= 0) return undefined;
  // Walk from just under the apex downwards: the topmost cut wins.
  const labels = name.slice(0, below).split('.');
  let current = zone.apex;
  for (let i = labels.length - 1; i >= 0; i--) {
    current = `${labels[i]}.${current}`;
    const node = zone.node(current);
    if (!node) return undefined;
    if (node.sets.has(TYPE.NS)) return node;
  }
  return undefined;
}

/** Glue / additional addresses for NS and MX targets inside the zone. */
function additionalFor(zone: ZoneSnapshot, records: readonly RR[]): RR[] {
  const out: RR[] = [];
  for (const rr of records) {
    if (rr.type !== TYPE.NS && rr.type !== TYPE.MX) continue;
    const target = targetName(rr.rdata);
    if (!target || !isWithin(target, zone.apex)) continue;
    const node = zone.node(target);
    for (const t of [TYPE.A, TYPE.AAAA]) {
      const set = node?.sets.get(t);
      if (set) out.push(...rrs(target, set));
    }
  }
  return out;
}
