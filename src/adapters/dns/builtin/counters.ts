/**
 * The built-in server's traffic in plain numbers. An answer is counted in
 * one slot of a typed array, (question type, response code, transport):
 * the answer cache stores each entry's slot, so a cache hit costs one array
 * increment, no label strings. The metrics adapter turns the slots into
 * labelled series only when scraped (`traffic`).
 */
import type { DnsTraffic } from '../../../ports/metrics.js';
import { OPCODE } from './wire.js';

/** The question types a dashboard shows by name; the rest count as `other`. */
const QTYPE_NAMES: Record<number, string> = {
  1: 'A', 2: 'NS', 5: 'CNAME', 6: 'SOA', 12: 'PTR', 15: 'MX', 16: 'TXT', 28: 'AAAA', 33: 'SRV', 35: 'NAPTR',
  43: 'DS', 48: 'DNSKEY', 64: 'SVCB', 65: 'HTTPS', 99: 'SPF', 251: 'IXFR', 252: 'AXFR', 255: 'ANY', 257: 'CAA',
};
const QTYPES = [...Object.values(QTYPE_NAMES), 'other'];
const QTYPE_INDEX = new Map(Object.entries(QTYPE_NAMES).map(([code, name]) => [Number(code), QTYPES.indexOf(name)]));
const OTHER = QTYPES.length - 1;
/** Header response codes (4 bits). */
const RCODES = ['NOERROR', 'FORMERR', 'SERVFAIL', 'NXDOMAIN', 'NOTIMP', 'REFUSED', 'YXDOMAIN', 'YXRRSET', 'NXRRSET', 'NOTAUTH', 'NOTZONE', 'DSOTYPENI', 'RCODE12', 'RCODE13', 'RCODE14', 'RCODE15'];
const SLOTS = QTYPES.length * 16 * 2;

/** The slot of an answer: question type, header response code of the answer, transport. */
export function answerSlot(qtype: number, answer: Uint8Array, tcp: boolean): number {
  return ((QTYPE_INDEX.get(qtype) ?? OTHER) * 16 + (answer[3]! & 0x0f)) * 2 + (tcp ? 1 : 0);
}

/** The question type of a request (the first question's), or -1 when it has none readable. */
export function questionType(msg: Uint8Array): number {
  if (msg.length < 12 || msg[4] !== 0 || msg[5] === 0) return -1;
  let p = 12;
  while (p < msg.length && msg[p] !== 0) {
    if (msg[p]! > 63) return -1; // compressed or reserved: not a question we could answer by name
    p += msg[p]! + 1;
  }
  return p + 3 <= msg.length ? (msg[p + 1]! << 8) | msg[p + 2]! : -1;
}

export class DnsCounters {
  /** Answers from the answer cache, by slot (written by AnswerCache). */
  readonly cached = new Float64Array(SLOTS);
  /** Answers made the long way, by slot. */
  private readonly computed = new Float64Array(SLOTS);
  private readonly updates = new Float64Array(16);
  private readonly transfers = new Map<string, number>();
  private readonly notifies = new Map<string, number>();

  /** One answer made without the cache (an UPDATE's answer counts as an update, not a query). */
  answered(request: Uint8Array, answer: Uint8Array, tcp: boolean): void {
    if (answer.length < 4) return;
    if (((answer[2]! >> 3) & 0x0f) === OPCODE.UPDATE) this.updates[answer[3]! & 0x0f]!++;
    else this.computed[answerSlot(questionType(request), answer, tcp)]!++;
  }

  /** One zone transfer ended: `completed`, `aborted`, or the response code that refused it. */
  transfer(type: 'AXFR' | 'IXFR', outcome: string): void {
    const key = `${type} ${outcome}`;
    this.transfers.set(key, (this.transfers.get(key) ?? 0) + 1);
  }

  /** One NOTIFY acknowledged or given up on. */
  notify(outcome: 'acked' | 'failed'): void {
    this.notifies.set(outcome, (this.notifies.get(outcome) ?? 0) + 1);
  }

  /** The totals with their labels; `serials` are the zones' current SOA serials. */
  traffic(serials: DnsTraffic['serials']): DnsTraffic {
    const answers: DnsTraffic['answers'][number][] = [];
    for (let slot = 0; slot < SLOTS; slot++) {
      const cached = this.cached[slot]!;
      const count = cached + this.computed[slot]!;
      if (count === 0) continue;
      answers.push({ qtype: QTYPES[slot >> 5]!, rcode: RCODES[(slot >> 1) & 0x0f]!, transport: slot & 1 ? 'tcp' : 'udp', count, cached });
    }
    return {
      answers,
      updates: [...this.updates].flatMap((count, rcode) => (count > 0 ? [{ rcode: RCODES[rcode]!, count }] : [])),
      transfers: [...this.transfers].map(([key, count]) => {
        const [type, outcome] = key.split(' ') as [string, string];
        return { type, outcome, count };
      }),
      notifies: [...this.notifies].map(([outcome, count]) => ({ outcome, count })),
      serials,
    };
  }

  /** The response code's name, for outcomes (transfers refused). */
  static rcodeName(answer: Uint8Array): string {
    return RCODES[answer[3]! & 0x0f]!;
  }
}
