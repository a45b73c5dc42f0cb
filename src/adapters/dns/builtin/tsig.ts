/**
 * TSIG (RFC 8945) with hmac-sha256: verifying signed requests (zone
 * transfers) and signing responses, including the multi-message form of a
 * transfer where each message chains the previous MAC. dns-packet has no
 * TSIG codec, so this is ours.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { TsigRecord } from './message.js';
import { CLASS, TSIG_ERROR, TYPE, canonicalNameWire } from './wire.js';

export const HMAC_SHA256 = 'hmac-sha256';
export const DEFAULT_FUDGE = 300;

export interface TsigKey {
  readonly name: string;
  readonly secret: Buffer;
}

export type KeyRing = ReadonlyMap<string, TsigKey>;

export type Verdict = { readonly ok: true; readonly key: TsigKey; readonly mac: Uint8Array } | { readonly ok: false; readonly error: number; readonly key?: TsigKey; readonly mac?: Uint8Array };

const u16 = (v: number) => Uint8Array.of((v >>> 8) & 0xff, v & 0xff);
const u48 = (v: number) => Uint8Array.of(Math.floor(v / 2 ** 40) & 0xff, Math.floor(v / 2 ** 32) & 0xff, (v >>> 24) & 0xff, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff);

function variables(key: TsigKey, time: number, fudge: number, error: number, other: Uint8Array): Uint8Array[] {
  return [canonicalNameWire(key.name), u16(CLASS.ANY), Uint8Array.of(0, 0, 0, 0), canonicalNameWire(HMAC_SHA256), u48(time), u16(fudge), u16(error), u16(other.length), other];
}

function hmac(key: TsigKey, parts: readonly Uint8Array[]): Uint8Array {
  const h = createHmac('sha256', key.secret);
  for (const p of parts) h.update(p);
  return new Uint8Array(h.digest());
}

/** Checks the TSIG on a request; `now` in seconds since the epoch. */
export function verifyRequest(buf: Uint8Array, tsig: TsigRecord, keys: KeyRing, now: number): Verdict {
  const key = keys.get(tsig.keyName);
  if (!key || tsig.algorithm !== HMAC_SHA256) return { ok: false, error: TSIG_ERROR.BADKEY };
  // A copy: Buffer#slice would be a view, and the request must stay intact.
  const signed = Uint8Array.prototype.slice.call(buf, 0, tsig.offset);
  signed[0] = tsig.originalId >>> 8;
  signed[1] = tsig.originalId & 0xff;
  const arcount = ((signed[10]! << 8) | signed[11]!) - 1;
  signed[10] = arcount >>> 8;
  signed[11] = arcount & 0xff;
  const expected = hmac(key, [signed, ...variables(key, tsig.timeSigned, tsig.fudge, tsig.error, tsig.other)]);
  // Only full-length MACs are accepted: truncation (RFC 8945 §5.2.2.1) buys nothing here.
  if (tsig.mac.length !== expected.length || !timingSafeEqual(tsig.mac, expected)) return { ok: false, error: TSIG_ERROR.BADSIG, key };
  if (Math.abs(now - tsig.timeSigned) > tsig.fudge) return { ok: false, error: TSIG_ERROR.BADTIME, key, mac: tsig.mac };
  return { ok: true, key, mac: tsig.mac };
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
  const rdata = Buffer.concat([canonicalNameWire(HMAC_SHA256), u48(options.time), u16(fudge), u16(mac.length), mac, u16(originalId), u16(error), u16(other.length), other]);
  const rr = Buffer.concat([canonicalNameWire(key.name), u16(TYPE.TSIG), u16(CLASS.ANY), Uint8Array.of(0, 0, 0, 0), u16(rdata.length), rdata]);
  const out = Buffer.concat([message, rr]);
  const arcount = ((out[10]! << 8) | out[11]!) + 1;
  out[10] = arcount >>> 8;
  out[11] = arcount & 0xff;
  return { message: new Uint8Array(out.buffer, out.byteOffset, out.length), mac };
}

/** Parses `name:base64secret` pairs (hmac-sha256) from configuration. */
/** Standard base64 with its padding, as `openssl rand -base64` and tsig-keygen print it. */
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

export function parseKeys(entries: readonly string[]): Map<string, TsigKey> {
  const ring = new Map<string, TsigKey>();
  for (const entry of entries) {
    const i = entry.lastIndexOf(':');
    const name = entry.slice(0, i).replace(/^hmac-sha256:/i, '').toLowerCase().replace(/\.$/, '');
    const encoded = entry.slice(i + 1);
    // Buffer.from skips what is not base64; a mistyped secret must not silently become another key.
    const secret = BASE64.test(encoded) ? Buffer.from(encoded, 'base64') : Buffer.alloc(0);
    if (i <= 0 || name === '' || secret.length === 0) throw new Error(`bad TSIG key ${JSON.stringify(entry.slice(0, Math.max(i, 0)))}: expected name:base64secret`);
    ring.set(name, { name, secret });
  }
  return ring;
}
