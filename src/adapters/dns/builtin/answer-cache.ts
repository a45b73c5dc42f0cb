/**
 * A cache of finished wire answers per (exact question bytes, EDNS,
 * transport), for the common query shape. A hit only copies the bytes and
 * patches the ID and the RD/CD/DO bits: no strings, no parse. The whole
 * cache is dropped whenever any zone's snapshot is swapped. Each entry
 * knows its counter slot (counters.ts), so counting a hit is one increment.
 */
import { answerSlot } from './counters.js';
import { EDNS_UDP_SIZE, OPT_LENGTH, truncate } from './encoding.js';
import { TYPE } from './wire.js';

/** What the cache is valid for: `version` changes whenever any zone snapshot is swapped. */
export interface Versioned {
  readonly version: number;
}

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
  /** Where hits on this entry are counted (question type, response code, transport). */
  readonly slot: number;
  next: CacheEntry | undefined;
}

export class AnswerCache {
  private entries = new Map<number, CacheEntry>();
  private size = 0;
  private version = -1;
  private readonly fast: FastQuestion = { questionEnd: 0, edns: false, udpSize: 512, dnssecOk: false, hash: 0 };

  constructor(
    private readonly zones: Versioned,
    private readonly limit: number,
    /** Hits by counter slot (DnsCounters.cached). */
    private readonly hits: Float64Array,
  ) {}

  /** The answer to `msg` from the cache, or undefined when it is not a hit. */
  get(msg: Buffer, tcp: boolean): Buffer | undefined {
    if (this.version !== this.zones.version) {
      this.entries = new Map();
      this.size = 0;
      this.version = this.zones.version;
      return undefined;
    }
    const fast = this.fast;
    if (!fastQuestion(msg, tcp, fast)) return undefined;
    const entry = findEntry(this.entries.get(fast.hash), msg, fast, tcp);
    if (entry === undefined) return undefined;
    this.hits[entry.slot]!++;
    return finish(entry.answer, msg, fast, tcp);
  }

  /**
   * Whether `msg` has the shape the cache keeps (opcode QUERY, one
   * uncompressed question, at most a version-0 OPT). When true, `put` may
   * be called for this same message next.
   */
  accepts(msg: Buffer, tcp: boolean): boolean {
    return fastQuestion(msg, tcp, this.fast);
  }

  /**
   * Keeps `canonical` (the answer with ID 0, RD/CD/DO clear) for the message
   * `accepts` just recognised, and returns it made specific to that message.
   */
  put(msg: Buffer, tcp: boolean, canonical: Buffer): Buffer {
    const fast = this.fast;
    if (this.size >= this.limit) {
      this.entries.clear();
      this.size = 0;
    }
    const head = this.entries.get(fast.hash);
    if (!findEntry(head, msg, fast, tcp)) {
      const qtype = (msg[fast.questionEnd - 4]! << 8) | msg[fast.questionEnd - 3]!;
      this.entries.set(fast.hash, { question: Buffer.from(msg.subarray(12, fast.questionEnd)), edns: fast.edns, tcp, answer: canonical, slot: answerSlot(qtype, canonical, tcp), next: head });
      this.size++;
    }
    return finish(canonical, msg, fast, tcp);
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
