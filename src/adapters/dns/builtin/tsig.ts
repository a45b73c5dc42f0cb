/**
 * TSIG (RFC 8945) with hmac-sha256 and hmac-sha512, both directions: a
 * server verifies signed requests and signs its responses (including the
 * multi-message form of a transfer where each message chains the previous
 * MAC); a client signs its requests and verifies the responses, again
 * message by message for a transfer. dns-packet has no TSIG codec, so this
 * is ours.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { TsigRecord } from './message.js';
import { CLASS, TSIG_ERROR, TYPE, canonicalNameWire } from './wire.js';

export const HMAC_SHA256 = 'hmac-sha256';
export const HMAC_SHA512 = 'hmac-sha512';
export type TsigAlgorithm = typeof HMAC_SHA256 | typeof HMAC_SHA512;
export const TSIG_ALGORITHMS: readonly TsigAlgorithm[] = [HMAC_SHA256, HMAC_SHA512];
export const DEFAULT_FUDGE = 300;

export interface TsigKey {
  readonly name: string;
  readonly secret: Buffer;
  /** hmac-sha256 when left out. */
  readonly algorithm?: TsigAlgorithm;
}

export const algorithmOf = (key: TsigKey): TsigAlgorithm => key.algorithm ?? HMAC_SHA256;
const DIGEST: Record<TsigAlgorithm, string> = { [HMAC_SHA256]: 'sha256', [HMAC_SHA512]: 'sha512' };

export type KeyRing = ReadonlyMap<string, TsigKey>;

export type Verdict = { readonly ok: true; readonly key: TsigKey; readonly mac: Uint8Array } | { readonly ok: false; readonly error: number; readonly key?: TsigKey; readonly mac?: Uint8Array };

const u16 = (v: number) => Uint8Array.of((v >>> 8) & 0xff, v & 0xff);
const u48 = (v: number) => Uint8Array.of(Math.floor(v / 2 ** 40) & 0xff, Math.floor(v / 2 ** 32) & 0xff, (v >>> 24) & 0xff, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff);

function variables(key: TsigKey, time: number, fudge: number, error: number, other: Uint8Array): Uint8Array[] {
  return [canonicalNameWire(key.name), u16(CLASS.ANY), Uint8Array.of(0, 0, 0, 0), canonicalNameWire(algorithmOf(key)), u48(time), u16(fudge), u16(error), u16(other.length), other];
}

function hmac(key: TsigKey, parts: readonly Uint8Array[]): Uint8Array {
  const h = createHmac(DIGEST[algorithmOf(key)], key.secret);
  for (const p of parts) h.update(p);
  return new Uint8Array(h.digest());
}

/** The message as it was before the TSIG was added: original id, ARCOUNT without it, no TSIG record. */
function unsignedForm(buf: Uint8Array, tsig: TsigRecord): Uint8Array {
  // A copy: Buffer#slice would be a view, and the message must stay intact.
  const signed = Uint8Array.prototype.slice.call(buf, 0, tsig.offset);
  signed[0] = tsig.originalId >>> 8;
  signed[1] = tsig.originalId & 0xff;
  const arcount = ((signed[10]! << 8) | signed[11]!) - 1;
  signed[10] = arcount >>> 8;
  signed[11] = arcount & 0xff;
  return signed;
}

/** Only full-length MACs are accepted: truncation (RFC 8945 §5.2.2.1) buys nothing here. */
const sameMac = (mac: Uint8Array, expected: Uint8Array) => mac.length === expected.length && timingSafeEqual(mac, expected);

/**
 * Checks the TSIG on a request; `now` in seconds since the epoch. The
 * request's own fudge is honoured up to `maxFudge` seconds when given (a
 * client cannot widen the window in which its message may be replayed).
 */
export function verifyRequest(buf: Uint8Array, tsig: TsigRecord, keys: KeyRing, now: number, maxFudge = Infinity): Verdict {
  const key = keys.get(tsig.keyName);
  if (!key || tsig.algorithm !== algorithmOf(key)) return { ok: false, error: TSIG_ERROR.BADKEY };
  const expected = hmac(key, [unsignedForm(buf, tsig), ...variables(key, tsig.timeSigned, tsig.fudge, tsig.error, tsig.other)]);
  if (!sameMac(tsig.mac, expected)) return { ok: false, error: TSIG_ERROR.BADSIG, key };
  if (Math.abs(now - tsig.timeSigned) > Math.min(tsig.fudge, maxFudge)) return { ok: false, error: TSIG_ERROR.BADTIME, key, mac: tsig.mac };
  return { ok: true, key, mac: tsig.mac };
}

/**
 * Why a response's signature was not accepted: `unsigned` (no TSIG record
 * where one was due), `key` (another key or algorithm), `signature` (wrong
 * MAC), `time` (outside the fudge), or the server's own TSIG error code
 * (BADKEY/BADSIG/BADTIME: it did not accept our request's signature).
 */
export type ResponseVerdict = { readonly ok: true } | { readonly ok: false; readonly reason: 'unsigned' | 'key' | 'signature' | 'time' | 'server'; readonly error?: number };

/**
 * Verifies the responses to one signed request (RFC 8945 §5.3): the first
 * answer chains the request MAC with all TSIG variables; each later message
 * of a transfer chains the previous MAC with the timers only, and may follow
 * up to 99 unsigned messages (§5.3.1), which the next signature covers.
 */
export class ResponseVerifier {
  private priorMac: Uint8Array;
  private first = true;
  private unsigned: Uint8Array[] = [];

  constructor(
    private readonly key: TsigKey,
    requestMac: Uint8Array,
  ) {
    this.priorMac = requestMac;
  }

  /** `tsig` is the message's parsed TSIG record, if it has one; `now` in seconds since the epoch. */
  check(buf: Uint8Array, tsig: TsigRecord | undefined, now: number): ResponseVerdict {
    if (!tsig) {
      // The first message must be signed; later ones may skip, but not forever.
      if (this.first || this.unsigned.length >= 99) return { ok: false, reason: 'unsigned' };
      this.unsigned.push(Uint8Array.prototype.slice.call(buf));
      return { ok: true };
    }
    if (tsig.keyName !== this.key.name.toLowerCase() || tsig.algorithm !== algorithmOf(this.key)) return { ok: false, reason: 'key' };
    // The server rejected our signature: its answer carries no usable MAC (BADKEY/BADSIG) or says our clock is off.
    if (tsig.error !== 0 && tsig.mac.length === 0) return { ok: false, reason: 'server', error: tsig.error };
    const parts: Uint8Array[] = [u16(this.priorMac.length), this.priorMac, ...this.unsigned, unsignedForm(buf, tsig)];
    if (this.first) parts.push(...variables(this.key, tsig.timeSigned, tsig.fudge, tsig.error, tsig.other));
    else parts.push(u48(tsig.timeSigned), u16(tsig.fudge));
    if (!sameMac(tsig.mac, hmac(this.key, parts))) return { ok: false, reason: 'signature' };
    if (tsig.error !== 0) return { ok: false, reason: 'server', error: tsig.error };
    if (Math.abs(now - tsig.timeSigned) > tsig.fudge) return { ok: false, reason: 'time' };
    this.priorMac = tsig.mac;
    this.first = false;
    this.unsigned = [];
    return { ok: true };
  }
}

export interface SignOptions {
  readonly time: number;
  readonly fudge?: number;
  readonly error?: number;
  readonly other?: Uint8Array;
  /** The request's MAC, for the first (or only) message of a response. */
  readonly requestMac?: Uint8Array;
  /** The previous message's MAC, for later messages of a transfer (timers only). */
  readonly priorMac?: Uint8Array;
}

/** Appends a TSIG record to `message` (whose ARCOUNT excludes it). Returns the signed message and its MAC. */
export function sign(message: Uint8Array, key: TsigKey, options: SignOptions): { message: Uint8Array; mac: Uint8Array } {
  const fudge = options.fudge ?? DEFAULT_FUDGE;
  const error = options.error ?? 0;
  const other = options.other ?? new Uint8Array(0);
  const chained = options.priorMac ?? options.requestMac;
  const parts: Uint8Array[] = [];
  if (chained) parts.push(u16(chained.length), chained);
  parts.push(message);
  if (options.priorMac) parts.push(u48(options.time), u16(fudge));
  else parts.push(...variables(key, options.time, fudge, error, other));
  // BADSIG/BADKEY answers carry no MAC (RFC 8945 §5.3.2).
  const mac = error === TSIG_ERROR.BADSIG || error === TSIG_ERROR.BADKEY ? new Uint8Array(0) : hmac(key, parts);
  const originalId = (message[0]! << 8) | message[1]!;
  const rdata = Buffer.concat([canonicalNameWire(algorithmOf(key)), u48(options.time), u16(fudge), u16(mac.length), mac, u16(originalId), u16(error), u16(other.length), other]);
  const rr = Buffer.concat([canonicalNameWire(key.name), u16(TYPE.TSIG), u16(CLASS.ANY), Uint8Array.of(0, 0, 0, 0), u16(rdata.length), rdata]);
  const out = Buffer.concat([message, rr]);
  const arcount = ((out[10]! << 8) | out[11]!) + 1;
  out[10] = arcount >>> 8;
  out[11] = arcount & 0xff;
  return { message: new Uint8Array(out.buffer, out.byteOffset, out.length), mac };
}

/**
 * An error answer carrying a TSIG error (RFC 8945 §5.3.2), from `base` (an
 * answer whose ARCOUNT excludes the TSIG): BADKEY and BADSIG go out with an
 * empty MAC (the server cannot or will not sign for that key); BADTIME is
 * signed, keeps the request's Time Signed and puts the server's time in
 * Other Data, so the client can tell how far off its clock is.
 */
export function signTsigError(base: Uint8Array, request: TsigRecord, error: number, key: TsigKey | undefined, requestMac: Uint8Array | undefined, now: number): Uint8Array {
  // Without a key (BADKEY) nothing is computed: the answer only names the request's key and algorithm back.
  const replyKey = key ?? { name: request.keyName, secret: Buffer.alloc(0), algorithm: request.algorithm as TsigAlgorithm };
  const badTime = error === TSIG_ERROR.BADTIME;
  return sign(base, replyKey, { time: badTime ? request.timeSigned : now, error, ...(badTime ? { other: u48(now) } : {}), ...(requestMac ? { requestMac } : {}) }).message;
}

/** Standard base64 with its padding, as `openssl rand -base64` and tsig-keygen print it. */
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * Parses one `[algorithm:]name:base64secret` entry (algorithm hmac-sha256 or
 * hmac-sha512, hmac-sha256 when left out; `fallback` picks another default).
 * The error names the key but never shows the secret.
 */
export function parseKey(entry: string, fallback: TsigAlgorithm = HMAC_SHA256): TsigKey {
  const i = entry.lastIndexOf(':');
  let head = entry.slice(0, Math.max(i, 0));
  let algorithm = fallback;
  const prefix = /^(hmac-sha256|hmac-sha512):/i.exec(head);
  if (prefix) {
    algorithm = prefix[1]!.toLowerCase() as TsigAlgorithm;
    head = head.slice(prefix[0].length);
  }
  const name = head.toLowerCase().replace(/\.$/, '');
  const encoded = entry.slice(i + 1);
  // Buffer.from skips what is not base64; a mistyped secret must not silently become another key.
  const secret = BASE64.test(encoded) ? Buffer.from(encoded, 'base64') : Buffer.alloc(0);
  if (i <= 0 || name === '' || secret.length === 0) throw new Error(`bad TSIG key ${JSON.stringify(entry.slice(0, Math.max(i, 0)))}: expected name:base64secret`);
  return { name, secret, algorithm };
}

/** Parses `[algorithm:]name:base64secret` entries from configuration into a key ring by name. */
export function parseKeys(entries: readonly string[]): Map<string, TsigKey> {
  const ring = new Map<string, TsigKey>();
  for (const entry of entries) {
    const key = parseKey(entry);
    ring.set(key.name, key);
  }
  return ring;
}
