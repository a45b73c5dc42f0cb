/**
 * An RFC 2136 UPDATE as the use case sees it: the wire codec and TSIG are
 * the built-in DNS adapter's job; what remains is the zone, the
 * prerequisite and update records in presentation form, and who signed it.
 * The answer is one RCODE.
 */
import type { TsigAlgorithmName } from './model.js';

/** The record classes UPDATE gives meaning to (RFC 2136 §2.4, §2.5); any other class as `CLASS<n>`. */
export type UpdateClass = 'IN' | 'ANY' | 'NONE' | `CLASS${number}`;

/** One record of the prerequisite or update section. */
export interface UpdateRR {
  /** Canonical owner name (lower case, no trailing dot). */
  readonly name: string;
  /** A RecordType (`A`, `TXT`, …), `ANY`, `SOA`, or `TYPE<n>` for types Signpost does not model. */
  readonly type: string;
  readonly class: UpdateClass;
  readonly ttl: number;
  /**
   * The RDATA in presentation form, as RRSet values hold it (a TXT value is
   * one or more quoted strings, an unknown type `\# <len> <hex>`); absent
   * for empty RDATA (the value-independent forms).
   */
  readonly value?: string;
}

export interface DnsUpdateRequest {
  /** The zone section's name, canonical, and its class. */
  readonly zone: string;
  readonly zoneClass: UpdateClass;
  readonly prerequisites: readonly UpdateRR[];
  readonly updates: readonly UpdateRR[];
  /** The TSIG key that signed the request (already verified) and the user it belongs to. */
  readonly keyName: string;
  readonly username: string;
  /** The client's address, for history and logs. */
  readonly sourceAddress: string;
}

/** The RCODEs an UPDATE answer carries (RFC 2136 §2.2). */
export const UPDATE_RCODES = ['NOERROR', 'FORMERR', 'SERVFAIL', 'NXDOMAIN', 'NOTIMP', 'REFUSED', 'YXDOMAIN', 'YXRRSET', 'NXRRSET', 'NOTAUTH', 'NOTZONE'] as const;
export type UpdateRcode = (typeof UPDATE_RCODES)[number];

/** A user's TSIG key with its secret opened: what verifying a signed UPDATE needs. */
export interface UpdateKey {
  readonly name: string;
  readonly algorithm: TsigAlgorithmName;
  readonly secret: Uint8Array;
  readonly username: string;
}

/**
 * What the DNS server's UPDATE listener calls: find a key by the name a
 * message carries (read on every message, so a revoked key stops working at
 * once), and apply a verified request.
 */
export interface DnsUpdateService {
  resolveKey(name: string): Promise<UpdateKey | undefined>;
  execute(request: DnsUpdateRequest): Promise<UpdateRcode>;
}
