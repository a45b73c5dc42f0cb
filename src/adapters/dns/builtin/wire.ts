/**
 * The small DNS wire codec the built-in server needs on its hot path:
 * constants, a bounds-checked reader for names, and a writer that compresses
 * names. dns-packet does not compress when encoding and cannot express TSIG,
 * so the server speaks the wire format itself.
 */

export const TYPE = { A: 1, NS: 2, CNAME: 5, SOA: 6, PTR: 12, MX: 15, TXT: 16, AAAA: 28, OPT: 41, TSIG: 250, IXFR: 251, AXFR: 252, MAILB: 253, MAILA: 254, ANY: 255 } as const;
export const CLASS = { IN: 1, CH: 3, NONE: 254, ANY: 255 } as const;
export const OPCODE = { QUERY: 0, NOTIFY: 4, UPDATE: 5 } as const;
export const RCODE = { NOERROR: 0, FORMERR: 1, SERVFAIL: 2, NXDOMAIN: 3, NOTIMP: 4, REFUSED: 5, NOTAUTH: 9, BADVERS: 16 } as const;
/** TSIG error codes (RFC 8945), carried in the TSIG record, not the header. */
export const TSIG_ERROR = { BADSIG: 16, BADKEY: 17, BADTIME: 18 } as const;

export const FLAG = { QR: 0x8000, AA: 0x0400, TC: 0x0200, RD: 0x0100, RA: 0x0080, AD: 0x0020, CD: 0x0010 } as const;

export const HEADER_LENGTH = 12;
const MAX_NAME_WIRE = 255;
const MAX_POINTER_HOPS = 64;

export class WireError extends Error {
  override name = 'WireError';
}

/**
 * Reads a possibly compressed name starting at `offset`. Returns the name in
 * lower case (our canonical form, no trailing dot, '' for the root) and the
 * offset just past it in the original stream. Pointer loops, forward jumps
 * past the end, over-long names and reserved label types throw WireError.
 */
export function readName(buf: Uint8Array, offset: number): { name: string; next: number; wireLength: number } {
  let pos = offset;
  let next = -1;
  let hops = 0;
  let wireLength = 1;
  const labels: string[] = [];
  for (;;) {
    if (pos >= buf.length) throw new WireError('name runs past the message');
    const len = buf[pos]!;
    if (len === 0) {
      if (next < 0) next = pos + 1;
      break;
    }
    const kind = len & 0xc0;
    if (kind === 0xc0) {
      if (pos + 1 >= buf.length) throw new WireError('truncated pointer');
      const target = ((len & 0x3f) << 8) | buf[pos + 1]!;
      // Pointers must point backwards; together with the hop cap this stops loops.
      if (target >= pos || ++hops > MAX_POINTER_HOPS) throw new WireError('bad compression pointer');
      if (next < 0) next = pos + 2;
      pos = target;
      continue;
    }
    if (kind !== 0) throw new WireError('reserved label type');
    if (pos + 1 + len > buf.length) throw new WireError('label runs past the message');
    wireLength += len + 1;
    if (wireLength > MAX_NAME_WIRE) throw new WireError('name longer than 255 octets');
    let label = '';
    for (let i = pos + 1; i <= pos + len; i++) {
      let c = buf[i]!;
      if (c >= 0x41 && c <= 0x5a) c |= 0x20;
      // Bytes that would be ambiguous in our dotted form are escaped like zone files do.
      label += c === 0x2e || c === 0x5c || c <= 0x20 || c >= 0x7f ? `\\${c.toString().padStart(3, '0')}` : String.fromCharCode(c);
    }
    labels.push(label);
    pos += len + 1;
  }
  return { name: labels.join('.'), next, wireLength };
}

/** Skips a name without decoding it (for sections we do not interpret). */
export function skipName(buf: Uint8Array, offset: number): number {
  let pos = offset;
  for (;;) {
    if (pos >= buf.length) throw new WireError('name runs past the message');
    const len = buf[pos]!;
    if (len === 0) return pos + 1;
    if ((len & 0xc0) === 0xc0) {
      if (pos + 1 >= buf.length) throw new WireError('truncated pointer');
      return pos + 2;
    }
    if ((len & 0xc0) !== 0) throw new WireError('reserved label type');
    pos += len + 1;
  }
}

/** Splits a canonical name into wire labels; '' is the root. Handles \DDD escapes. */
export function nameLabels(name: string): Uint8Array[] {
  if (name === '' || name === '.') return [];
  const trimmed = name.endsWith('.') ? name.slice(0, -1) : name;
  const labels: Uint8Array[] = [];
  let current: number[] = [];
  for (let i = 0; i < trimmed.length; i++) {
    const ch = trimmed.charCodeAt(i);
    if (ch === 0x5c && i + 1 < trimmed.length) {
      const digits = /^\d{3}/.exec(trimmed.slice(i + 1, i + 4));
      if (digits) {
        current.push(Number(digits[0]) & 0xff);
        i += 3;
      } else {
        current.push(trimmed.charCodeAt(++i));
      }
    } else if (ch === 0x2e) {
      labels.push(Uint8Array.from(current));
      current = [];
    } else {
      current.push(ch & 0xff);
    }
  }
  labels.push(Uint8Array.from(current));
  for (const l of labels) if (l.length === 0 || l.length > 63) throw new WireError(`bad label in ${name}`);
  return labels;
}

/** Uncompressed, lower-case wire form (TSIG's canonical form, RFC 8945 §4.3.3). */
export function canonicalNameWire(name: string): Uint8Array {
  const labels = nameLabels(name.toLowerCase());
  const out = new Uint8Array(labels.reduce((n, l) => n + l.length + 1, 1));
  let p = 0;
  for (const l of labels) {
    out[p++] = l.length;
    out.set(l, p);
    p += l.length;
  }
  return out;
}

/**
 * A growable message writer with name compression (RFC 1035 §4.1.4).
 * Matching is case-sensitive, as in BIND: a pointer never changes the letter
 * case a reader sees, so zone data keeps its case even when the question
 * was asked in another.
 */
export class Writer {
  private buf: Uint8Array;
  private view: DataView;
  length = 0;
  private readonly offsets = new Map<string, number>();
  compress = true;
  /**
   * Whether a name may point at a suffix of a single label (a TLD). BIND
   * never does (the pointer saves too little); a codec that must reproduce
   * BIND's bytes turns this off.
   */
  compressTopLabel = true;

  constructor(initial = 512) {
    this.buf = new Uint8Array(initial);
    this.view = new DataView(this.buf.buffer);
  }

  private ensure(n: number): void {
    if (this.length + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.length + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.length));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }

  u8(v: number): void {
    this.ensure(1);
    this.buf[this.length++] = v;
  }
  u16(v: number): void {
    this.ensure(2);
    this.view.setUint16(this.length, v);
    this.length += 2;
  }
  u32(v: number): void {
    this.ensure(4);
    this.view.setUint32(this.length, v >>> 0);
    this.length += 4;
  }
  bytes(b: Uint8Array): void {
    this.ensure(b.length);
    this.buf.set(b, this.length);
    this.length += b.length;
  }
  setU16(at: number, v: number): void {
    this.view.setUint16(at, v);
  }

  /** Writes a name, pointing at an earlier copy of its longest known suffix. */
  name(name: string): void {
    const labels = nameLabels(name);
    const keys: string[] = [];
    for (let i = 0; i < labels.length; i++) {
      const key = suffixKey(labels, i);
      const at = this.compress && (this.compressTopLabel || i < labels.length - 1) ? this.offsets.get(key) : undefined;
      if (at !== undefined) {
        this.u16(0xc000 | at);
        return;
      }
      keys.push(key);
      if (this.length < 0x3fff && this.compress) this.offsets.set(key, this.length);
      this.u8(labels[i]!.length);
      this.bytes(labels[i]!);
    }
    this.u8(0);
  }

  /** Registers the uncompressed name already written at `offset` (the question) as a compression target. */
  remember(offset: number): void {
    const labels: Uint8Array[] = [];
    const starts: number[] = [];
    for (let p = offset; p < this.length && this.buf[p]! !== 0 && this.buf[p]! < 64; p += this.buf[p]! + 1) {
      starts.push(p);
      labels.push(this.buf.subarray(p + 1, p + 1 + this.buf[p]!));
    }
    for (let i = 0; i < labels.length; i++) {
      const key = suffixKey(labels, i);
      if (!this.offsets.has(key) && starts[i]! < 0x3fff) this.offsets.set(key, starts[i]!);
    }
  }

  finish(): Uint8Array {
    return this.buf.slice(0, this.length);
  }
}

function suffixKey(labels: Uint8Array[], from: number): string {
  let key = '';
  for (let i = from; i < labels.length; i++) {
    const l = labels[i]!;
    for (let j = 0; j < l.length; j++) key += String.fromCharCode(l[j]!);
    key += '\u0000';
  }
  return key;
}
