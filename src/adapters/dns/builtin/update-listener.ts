/**
 * DNS UPDATE (RFC 2136) on the built-in server's port, for users' TSIG
 * keys: decode the message, check its signature with the key its TSIG
 * names (looked up on every message, so a revoked key stops at once),
 * refuse replays, hand the request to the use case and sign its answer
 * (RFC 8945 §5.3). Asynchronous, unlike queries: the responder sends
 * UPDATEs here and answers queries without ever waiting on one.
 *
 * Answers, in the order they are decided:
 * - more than `maxInFlight` updates being handled → SERVFAIL (busy: try again);
 * - a client address backed off after failures → REFUSED, unchecked;
 * - malformed, no zone section or more than one, zone type not SOA → FORMERR;
 *   an OPT of a version other than 0 → BADVERS;
 * - unsigned → REFUSED; unknown key or another algorithm → NOTAUTH/BADKEY;
 *   wrong MAC → NOTAUTH/BADSIG; outside min(fudge, 300 s) → NOTAUTH/BADTIME;
 *   a MAC already accepted inside its window (a replay) → REFUSED;
 * - otherwise the use case's RCODE.
 */
import type { DnsUpdateService, UpdateKey } from '../../../domain/dns-update.js';
import { UPDATE_RCODES } from '../../../domain/dns-update.js';
import { MAX_CLIENT_TOKEN_LENGTH, clip } from '../../../domain/text.js';
import { Backoff, type BackoffPolicy } from '../../../domain/throttle.js';
import { decodeUpdate, type UpdateMessage } from '../rfc2136/update-message.js';
import { errorResponse } from './encoding.js';
import type { Edns, TsigRecord } from './message.js';
import { ReplayCache } from './replay-cache.js';
import { sign, signTsigError, verifyRequest, type TsigKey, type Verdict } from './tsig.js';
import { toUpdateRequest } from './update-request.js';
import { FLAG, HEADER_LENGTH, OPCODE, RCODE, TSIG_ERROR, TYPE, readName } from './wire.js';

export interface UpdateListenerLog {
  warn(context: Record<string, unknown>, message: string): void;
  error(context: Record<string, unknown>, message: string): void;
}

export interface UpdateListenerOptions {
  readonly service: DnsUpdateService;
  readonly log?: UpdateListenerLog;
  /** Milliseconds since the epoch. */
  readonly now?: () => number;
  readonly maxInFlight?: number;
  readonly throttle?: BackoffPolicy;
  readonly replayCapacity?: number;
}

/** Why an UPDATE was refused before reaching the use case, as the log line says it. */
export type UpdateFailure = 'throttled' | 'unsigned' | 'badkey' | 'badsig' | 'badtime' | 'replay';

/** RFC 8945 §5.2.3 recommends 300 s; a client's larger fudge would only widen the replay window. */
export const MAX_FUDGE = 300;
export const DEFAULT_MAX_IN_FLIGHT = 32;

const MINUTE = 60_000;
/** As for the admin key (README, "Operations"): 10 free failures, then 1 s, 2 s, 4 s … up to 15 min. */
export const UPDATE_THROTTLE: BackoffPolicy = { freeFailures: 10, baseDelayMs: 1000, maxDelayMs: 15 * MINUTE, forgetAfterMs: 60 * MINUTE, maxKeys: 100_000 };

/** Opcode UPDATE and not a response: the messages this listener takes. Cheap enough for every packet. */
export function isUpdateRequest(msg: Uint8Array): boolean {
  return msg.length >= HEADER_LENGTH && (msg[2]! & (FLAG.QR >> 8)) === 0 && ((msg[2]! >> 3) & 0xf) === OPCODE.UPDATE;
}

type ZonedUpdate = UpdateMessage & { readonly zone: NonNullable<UpdateMessage['zone']> };

export class UpdateListener {
  private inFlight = 0;
  private readonly now: () => number;
  private readonly maxInFlight: number;
  /**
   * Failures per client address, over UDP and over TCP apart: a UDP source
   * can be forged, so failures sent in someone else's name can shut their
   * UDP only; TCP (whose peer address is real) still reaches the server.
   */
  private readonly udpFailures: Backoff;
  private readonly tcpFailures: Backoff;
  private readonly replays: ReplayCache;

  constructor(private readonly options: UpdateListenerOptions) {
    this.now = options.now ?? Date.now;
    this.maxInFlight = options.maxInFlight ?? DEFAULT_MAX_IN_FLIGHT;
    this.udpFailures = new Backoff(options.throttle ?? UPDATE_THROTTLE);
    this.tcpFailures = new Backoff(options.throttle ?? UPDATE_THROTTLE);
    this.replays = new ReplayCache(options.replayCapacity);
  }

  /** The answer to an UPDATE request (`isUpdateRequest`); undefined when it deserves none. Never rejects. */
  async handle(msg: Uint8Array, remote: string, tcp: boolean): Promise<Uint8Array | undefined> {
    if (this.inFlight >= this.maxInFlight) return errorResponse(msg, RCODE.SERVFAIL, zoneSectionEnd(msg), undefined);
    this.inFlight++;
    try {
      return await this.answer(msg, remote, tcp);
    } catch (error) {
      this.options.log?.error({ err: error, source: remote }, 'dns update failed');
      return errorResponse(msg, RCODE.SERVFAIL, zoneSectionEnd(msg), undefined);
    } finally {
      this.inFlight--;
    }
  }

  private async answer(msg: Uint8Array, remote: string, tcp: boolean): Promise<Uint8Array | undefined> {
    const zoneEnd = zoneSectionEnd(msg);
    const nowMs = this.now();
    const backedOff = this.tcpFailures.retryAfter(remote, nowMs) > 0 || (!tcp && this.udpFailures.retryAfter(remote, nowMs) > 0);
    if (backedOff) {
      this.failed(remote, tcp, undefined, 'throttled', false);
      return errorResponse(msg, RCODE.REFUSED, zoneEnd, undefined);
    }
    let message: UpdateMessage;
    let edns: Edns | undefined;
    try {
      message = decodeUpdate(msg);
      edns = ednsOf(message);
    } catch {
      return errorResponse(msg, RCODE.FORMERR, zoneEnd, undefined);
    }
    if (!message.zone || zoneEnd === undefined) return errorResponse(msg, RCODE.FORMERR, zoneEnd, edns);
    if (edns && edns.version > 0) return errorResponse(msg, RCODE.BADVERS, zoneEnd, edns);
    const tsig = message.tsig;
    if (!tsig) {
      this.failed(remote, tcp, undefined, 'unsigned');
      return errorResponse(msg, RCODE.REFUSED, zoneEnd, edns);
    }

    const now = Math.floor(nowMs / 1000);
    const { verdict, found } = await this.verify(msg, tsig, remote, tcp, now);
    if (!verdict.ok) return signTsigError(errorResponse(msg, RCODE.NOTAUTH, zoneEnd, edns), tsig, verdict.error, verdict.key, verdict.mac, now);
    const signed = (rcode: number) => sign(errorResponse(msg, rcode, zoneEnd, edns), verdict.key, { time: now, requestMac: verdict.mac }).message;
    if (!this.replays.admit(tsig.mac, tsig.timeSigned, Math.min(tsig.fudge, MAX_FUDGE), now)) {
      this.failed(remote, tcp, tsig.keyName, 'replay');
      return signed(RCODE.REFUSED);
    }

    const request = toUpdateRequest(message as ZonedUpdate, { keyName: found!.name, username: found!.username }, remote);
    let rcode: number;
    try {
      rcode = UPDATE_RCODES.indexOf(await this.options.service.execute(request));
    } catch (error) {
      this.options.log?.error({ err: error, key: tsig.keyName, source: remote }, 'dns update failed');
      rcode = RCODE.SERVFAIL;
    }
    return signed(rcode < 0 ? RCODE.SERVFAIL : rcode);
  }

  /**
   * A query signed with a user's key (certbot signs the SOA lookups that
   * find the zone), checked as an UPDATE's signature is, with the same
   * backoff and log line, but no replay check (a query changes nothing).
   * `refused`: the address is backed off, or too many are in flight.
   */
  async verifySigned(msg: Uint8Array, tsig: TsigRecord, remote: string, tcp: boolean): Promise<Verdict | 'refused'> {
    if (this.inFlight >= this.maxInFlight) return 'refused';
    const nowMs = this.now();
    if (this.tcpFailures.retryAfter(remote, nowMs) > 0 || (!tcp && this.udpFailures.retryAfter(remote, nowMs) > 0)) {
      this.failed(remote, tcp, tsig.keyName, 'throttled', false);
      return 'refused';
    }
    this.inFlight++;
    try {
      return (await this.verify(msg, tsig, remote, tcp, Math.floor(nowMs / 1000))).verdict;
    } catch (error) {
      this.options.log?.error({ err: error, source: remote }, 'dns key lookup failed');
      return 'refused';
    } finally {
      this.inFlight--;
    }
  }

  /** The signature checked with the key the use case resolves now; a failure is counted and logged. */
  private async verify(msg: Uint8Array, tsig: TsigRecord, remote: string, tcp: boolean, now: number): Promise<{ verdict: Verdict; found: UpdateKey | undefined }> {
    const found = await this.options.service.resolveKey(tsig.keyName);
    const key = found ? tsigKeyOf(found) : undefined;
    const verdict = verifyRequest(msg, tsig, key ? new Map([[tsig.keyName, key]]) : new Map(), now, MAX_FUDGE);
    if (!verdict.ok) this.failed(remote, tcp, tsig.keyName, verdict.error === TSIG_ERROR.BADKEY ? 'badkey' : verdict.error === TSIG_ERROR.BADSIG ? 'badsig' : 'badtime');
    return { verdict, found };
  }

  /**
   * One warning line per refusal, in the same shape as a failed login (so
   * the README's fail2ban filter matches it): the key name as sent, the
   * address, the reason; never a MAC or a secret.
   */
  private failed(remote: string, tcp: boolean, keyName: string | undefined, result: UpdateFailure, count = true): void {
    if (count) (tcp ? this.tcpFailures : this.udpFailures).fail(remote, this.now());
    this.options.log?.warn({ door: 'dns-update', ...(keyName !== undefined ? { key: clip(keyName, MAX_CLIENT_TOKEN_LENGTH) } : {}), source: clip(remote, MAX_CLIENT_TOKEN_LENGTH), result }, 'login failed');
  }
}

function tsigKeyOf(key: UpdateKey): TsigKey {
  return { name: key.name, secret: Buffer.from(key.secret), algorithm: key.algorithm };
}

/** The EDNS settings of the request's OPT record, if it has one; two are malformed. */
function ednsOf(message: UpdateMessage): Edns | undefined {
  const opts = message.additional.filter((rr) => rr.type === TYPE.OPT);
  if (opts.length === 0) return undefined;
  if (opts.length > 1 || opts[0]!.name !== '') throw new Error('bad OPT');
  const { class: udpSize, ttl } = opts[0]!;
  return { udpSize, version: (ttl >>> 16) & 0xff, dnssecOk: (ttl & 0x8000) !== 0 };
}

/**
 * Where the zone section ends when it is exactly one uncompressed name plus
 * type and class, so answers can echo it as BIND's do; undefined otherwise
 * (the answer then has no zone section).
 */
function zoneSectionEnd(msg: Uint8Array): number | undefined {
  if (msg.length < HEADER_LENGTH || msg[4] !== 0 || msg[5] !== 1) return undefined;
  try {
    const zone = readName(msg, HEADER_LENGTH);
    if (zone.next - HEADER_LENGTH !== zone.wireLength || zone.next + 4 > msg.length) return undefined;
    return zone.next + 4;
  } catch {
    return undefined;
  }
}
