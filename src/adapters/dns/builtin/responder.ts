/**
 * Turns one request message into its response message(s), independent of
 * sockets: the query → answer flow. Plain queries are answered from, or
 * added to, the answer cache (answer-cache.ts); zone transfers are
 * transfer.ts; the wire format of answers is encoding.ts. UPDATE requests,
 * when accepted, take the asynchronous path (`updating`, update-listener.ts).
 */
import { AnswerCache } from './answer-cache.js';
import { DnsCounters } from './counters.js';
import { encode, errorResponse, truncate, udpLimit } from './encoding.js';
import { lookup } from './lookup.js';
import { parseMessage, type Query } from './message.js';
import { transfer, type TransferPolicy } from './transfer.js';
import { sign, signTsigError, verifyRequest, type TsigKey } from './tsig.js';
import { isUpdateRequest, type UpdateListener } from './update-listener.js';
import { CLASS, OPCODE, RCODE, TYPE } from './wire.js';
import type { ZoneSnapshot } from './zone.js';

/** Where the responder finds zones; `version` changes whenever any snapshot is swapped. */
export interface ZoneSource {
  readonly version: number;
  find(qname: string): ZoneSnapshot | undefined;
}

export interface ResponderOptions {
  readonly zones: ZoneSource;
  readonly transfer: TransferPolicy;
  /** Seconds since the epoch (TSIG time checks). */
  readonly now?: () => number;
  readonly cacheLimit?: number;
  /** Where answers are counted (metrics); a private set when not given. */
  readonly counters?: DnsCounters;
}

export class Responder {
  private readonly cache: AnswerCache;
  private readonly counters: DnsCounters;
  private readonly now: () => number;
  private updates: UpdateListener | undefined;

  constructor(private readonly options: ResponderOptions) {
    this.counters = options.counters ?? new DnsCounters();
    this.cache = new AnswerCache(options.zones, options.cacheLimit ?? 200_000, this.counters.cached);
    this.now = options.now ?? (() => Math.floor(Date.now() / 1000));
  }

  /**
   * The answer to `msg` straight from the answer cache, or undefined when it
   * is not a cache hit (then `respond` gives the answer). The hot path of a
   * busy server: no strings, no parse, one copy of the cached bytes.
   */
  cached(msg: Buffer, tcp: boolean): Buffer | undefined {
    return this.cache.get(msg, tcp);
  }

  /** From now on, UPDATE requests go to `listener` (without one they answer NOTIMP). */
  acceptUpdates(listener: UpdateListener): void {
    this.updates = listener;
  }

  /**
   * The asynchronous path, taken only while updates are accepted: an UPDATE
   * request, or a query signed with a key that is not one of the transfer
   * keys (a user's key: certbot signs the SOA lookups that find the zone).
   * Either comes back as a promise of its answer (undefined inside: none).
   * For any other message undefined, and `respond` answers it; that costs a
   * header check, plus a parse for the rare message that has additional
   * records and is not a plain (cacheable) query.
   */
  updating(buf: Buffer, remote: string, tcp: boolean): Promise<Uint8Array | undefined> | undefined {
    const updates = this.updates;
    if (!updates) return undefined;
    if (isUpdateRequest(buf)) return updates.handle(buf, remote, tcp).then((answer) => this.counted(buf, answer, tcp));
    if (buf.length < 12 || (buf[10] === 0 && buf[11] === 0) || this.cache.accepts(buf, tcp)) return undefined;
    const parsed = parseMessage(buf);
    if (!parsed?.ok || !parsed.query.tsig || parsed.query.opcode !== OPCODE.QUERY || this.options.transfer.keys.has(parsed.query.tsig.keyName)) return undefined;
    const q = parsed.query;
    if (q.edns && q.edns.version > 0) return undefined;
    const answer = updates.verifySigned(buf, q.tsig!, remote, tcp).then((verdict) => {
      if (verdict === 'refused') return errorResponse(buf, RCODE.REFUSED, q.qnameEnd + 4, q.edns);
      if (!verdict.ok) return this.tsigFailure(buf, q, verdict.error, verdict.key, verdict.mac);
      // A user's key answers queries only: it never opens a zone transfer.
      if (q.qtype === TYPE.AXFR || q.qtype === TYPE.IXFR) return sign(errorResponse(buf, RCODE.REFUSED, q.qnameEnd + 4, q.edns), verdict.key, { time: this.now(), requestMac: verdict.mac }).message;
      return [...this.answer(buf, q, remote, tcp, false, verdict.key, verdict.mac)][0];
    });
    return answer.then((a) => this.counted(buf, a, tcp));
  }

  private counted(request: Uint8Array, answer: Uint8Array | undefined, tcp: boolean): Uint8Array | undefined {
    if (answer) this.counters.answered(request, answer, tcp);
    return answer;
  }

  /**
   * Response(s) to `msg`, or an empty list when the message deserves none.
   * Never throws on bad input. Zone transfers come back as a lazy iterable.
   */
  respond(msg: Buffer, remote: string, tcp: boolean): Iterable<Uint8Array> {
    const hit = this.cache.get(msg, tcp);
    if (hit) return [hit];
    const out = this.compute(msg, remote, tcp);
    // A transfer (a lazy iterable) counts itself as it streams.
    if (Array.isArray(out)) for (const r of out as Uint8Array[]) this.counters.answered(msg, r, tcp);
    return out;
  }

  /** A response made the long way (not a cache hit). */
  private compute(msg: Buffer, remote: string, tcp: boolean): Iterable<Uint8Array> {
    const cacheable = this.cache.accepts(msg, tcp);
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
    return this.answer(msg, q, remote, tcp, cacheable, key, requestMac);
  }

  /** The answer to a parsed request whose signature, if any, was verified (`key`, `requestMac`). */
  private answer(msg: Buffer, q: Query, remote: string, tcp: boolean, cacheable: boolean, key: TsigKey | undefined, requestMac: Uint8Array | undefined): Iterable<Uint8Array> {
    const questionEnd = q.qnameEnd + 4;
    const signed = (m: Uint8Array) => (key ? sign(m, key, { time: this.now(), requestMac: requestMac! }).message : m);

    if (q.opcode !== OPCODE.QUERY) return [signed(errorResponse(msg, RCODE.NOTIMP, questionEnd, q.edns))];
    if (q.qtype === TYPE.AXFR || q.qtype === TYPE.IXFR) {
      if (!tcp) return [signed(errorResponse(msg, RCODE.NOTIMP, questionEnd, q.edns))];
      const zone = this.options.zones.find(q.qname);
      const messages = transfer({ msg, query: q, remote, zone, ...(key ? { tsig: { key, requestMac: requestMac! } } : {}) }, this.options.transfer, this.now);
      return this.countedTransfer(msg, q.qtype === TYPE.AXFR ? 'AXFR' : 'IXFR', messages);
    }
    if (q.qtype === TYPE.OPT || q.qtype === TYPE.TSIG || q.qtype === 0) return [signed(errorResponse(msg, RCODE.FORMERR, questionEnd, q.edns))];
    if (q.qtype === TYPE.MAILA || q.qtype === TYPE.MAILB) return [signed(errorResponse(msg, RCODE.NOTIMP, questionEnd, q.edns))];
    if (q.qclass !== CLASS.IN) return [signed(errorResponse(msg, RCODE.REFUSED, questionEnd, q.edns))];

    const result = lookup(this.options.zones.find(q.qname), q.qname, q.qtype, { fullAny: tcp });
    if (cacheable && !key) {
      const canonical = encode(result, { id: 0, flags: 0, question: msg.subarray(12, questionEnd), edns: q.edns ? { ...q.edns, dnssecOk: false } : undefined });
      return [this.cache.put(msg, tcp, canonical)];
    }
    const out = encode(result, { id: q.id, flags: q.flags, question: msg.subarray(12, questionEnd), edns: q.edns });
    const limit = tcp ? 65535 : udpLimit(q.edns);
    return [signed(out.length > limit ? truncate(out, questionEnd, q.edns !== undefined) : out)];
  }

  /**
   * A transfer's messages, counted: the first as the query's answer, the
   * whole as `completed` when the client read to the end, `aborted` when it
   * left before, or refused by the first message's response code.
   */
  private *countedTransfer(msg: Buffer, type: 'AXFR' | 'IXFR', messages: Iterable<Uint8Array>): Generator<Uint8Array> {
    let outcome: string | undefined;
    try {
      for (const m of messages) {
        if (outcome === undefined) {
          this.counters.answered(msg, m, true);
          outcome = (m[3]! & 0x0f) === RCODE.NOERROR ? 'aborted' : DnsCounters.rcodeName(m);
        }
        yield m;
      }
      if (outcome === 'aborted') outcome = 'completed';
    } finally {
      this.counters.transfer(type, outcome ?? 'aborted');
    }
  }

  /** RFC 8945 §5.2: NOTAUTH, with a TSIG record carrying the error. */
  private tsigFailure(msg: Buffer, q: Query, error: number, key: TsigKey | undefined, mac: Uint8Array | undefined): Uint8Array {
    return signTsigError(errorResponse(msg, RCODE.NOTAUTH, q.qnameEnd + 4, q.edns), q.tsig!, error, key, mac, this.now());
  }
}
