/**
 * Publishing to a primary DNS server the user runs (BIND, Knot, PowerDNS)
 * with signed DNS UPDATE (RFC 2136, TSIG RFC 8945). One plan = one UPDATE
 * message, so the server applies it atomically, each change guarded by
 * prerequisites (plan-update.ts) so a set someone else changed is never
 * overwritten. Reading is a TSIG-signed AXFR.
 *
 * No per-name read (`recordsAt`): a query at a name may be answered by a
 * wildcard, follow a CNAME or be answered minimally (ANY, RFC 8482), so only
 * a transfer tells exactly which sets exist at a name; the registry filters
 * the zone's records instead.
 */
import { randomInt } from 'node:crypto';
import type { Logger } from 'pino';
import { isEmpty, type Changes } from '../../../domain/plan.js';
import { rrsetKey, type RecordType, type RRSet } from '../../../domain/records.js';
import { PublishError, type DnsProvider, type ZoneRef } from '../../../ports/dns-provider.js';
import { TYPE_CODE } from '../builtin/rdata.js';
import { ResponseVerifier, sign, type TsigAlgorithm, type TsigKey } from '../builtin/tsig.js';
import { TYPE, WireError } from '../builtin/wire.js';
import { rcodeError, tsigError, type Target } from './outcome.js';
import { planToUpdate } from './plan-update.js';
import { presentRData } from './rdata-read.js';
import { exchange, tcpStream, withRetries, TransportError, type ServerAddress } from './transport.js';
import { UPDATE_RCODE, decodeMessage, encodeQuery, encodeUpdate, isResponse, rcodeOf, type DecodedMessage } from './update-message.js';

export interface Rfc2136Zone {
  /** The zone's apex (canonical: lower case, no trailing dot). */
  readonly name: string;
  readonly server: ServerAddress;
  readonly key: { readonly name: string; readonly algorithm: TsigAlgorithm; readonly secret: Buffer };
}

export interface Rfc2136Options {
  readonly zones: readonly Rfc2136Zone[];
  /** Per try; default 2000. */
  readonly timeoutMs?: number;
  /** Further tries after a transport failure; default 2. */
  readonly retries?: number;
  /** Wait before the first retry, doubled after each; default 200. */
  readonly backoffMs?: number;
  readonly logger?: Logger;
  /** Seconds since the epoch, for TSIG; a test may move the clock. */
  readonly now?: () => number;
}

const PREREQUISITE_FAILURES: ReadonlySet<number> = new Set([UPDATE_RCODE.NXRRSET, UPDATE_RCODE.YXRRSET, UPDATE_RCODE.NXDOMAIN, UPDATE_RCODE.YXDOMAIN]);
const MODELED: ReadonlyMap<number, RecordType> = new Map((['A', 'AAAA', 'TXT', 'CNAME', 'MX', 'PTR', 'NS'] as const).map((t) => [TYPE_CODE[t], t]));

export class Rfc2136Provider implements DnsProvider {
  readonly exclusive = false;
  private readonly byName: ReadonlyMap<string, Rfc2136Zone>;
  private readonly timeoutMs: number;
  private readonly retry: { retries: number; backoffMs: number };
  private readonly now: () => number;

  constructor(private readonly options: Rfc2136Options) {
    this.byName = new Map(options.zones.map((z) => [z.name, z]));
    this.timeoutMs = options.timeoutMs ?? 2000;
    this.retry = { retries: options.retries ?? 2, backoffMs: options.backoffMs ?? 200 };
    this.now = options.now ?? (() => Math.floor(Date.now() / 1000));
  }

  async zones(): Promise<readonly ZoneRef[]> {
    return this.options.zones.map((z) => ({ id: z.name, name: z.name, private: false }));
  }

  async apply(zone: ZoneRef, changes: Changes): Promise<void> {
    if (isEmpty(changes)) return;
    const z = this.zone(zone);
    const t = target(z);
    let request: Uint8Array;
    try {
      request = encodeUpdate(planToUpdate(z.name, changes, 0));
    } catch (error) {
      // A value the wire cannot carry (a bad address, a label over 63 octets) is the plan's fault, not the server's.
      if (error instanceof WireError) throw new PublishError('refused', `cannot encode the update for zone ${z.name}: ${error.message}`, { cause: error });
      throw error;
    }
    const { answer, retried } = await this.signedExchange(z, request, (signed) => exchange(z.server, signed, this.timeoutMs));
    const failure = rcodeError(rcodeOf(answer.flags), t);
    // A retry after a lost answer meets the prerequisites the first try already changed: if the
    // server now holds exactly the plan's result, that first try was ours and it succeeded.
    if (failure && retried && PREREQUISITE_FAILURES.has(rcodeOf(answer.flags)) && (await this.holdsResult(zone, changes))) return;
    if (failure) throw failure;
    this.options.logger?.debug({ zone: z.name, server: t.server, create: changes.create.length, update: changes.update.length, delete: changes.delete.length }, 'rfc2136 update applied');
  }

  async records(zone: ZoneRef): Promise<RRSet[]> {
    const z = this.zone(zone);
    const t = target(z);
    const sets = new Map<string, { name: string; type: RecordType; ttl: number; values: string[] }>();
    await this.transfer(async () => {
      sets.clear();
      const id = randomInt(0, 0x10000);
      const { message, mac } = sign(encodeQuery(id, z.name, TYPE.AXFR), tsigKey(z), { time: this.now() });
      const verifier = new ResponseVerifier(tsigKey(z), mac);
      let soas = 0;
      await tcpStream(z.server, message, this.timeoutMs, (raw) => {
        const m = this.checked(raw, verifier, t);
        const failure = rcodeOf(m.flags) === 0 ? undefined : new PublishError(rcodeOf(m.flags) === 2 ? 'unavailable' : 'refused', `${t.server} refused the zone transfer of ${z.name} (${rcodeOf(m.flags) === 5 ? `REFUSED: allow the key ${t.keyName} to transfer it, e.g. BIND allow-transfer { key "${t.keyName}"; };` : `RCODE ${rcodeOf(m.flags)}`})`);
        if (failure) throw failure;
        for (const rr of m.sections[0]) {
          if (rr.type === TYPE.SOA) {
            soas++;
            continue;
          }
          const type = MODELED.get(rr.type);
          if (!type || !rr.rdata || (type === 'NS' && rr.name === z.name)) continue;
          const key = `${rr.name}|${type}`;
          const set = sets.get(key) ?? { name: rr.name, type, ttl: rr.ttl, values: [] };
          set.values.push(presentRData(rr.type, rr.rdata));
          set.ttl = Math.min(set.ttl, rr.ttl);
          sets.set(key, set);
        }
        // A transfer starts and ends with the zone's SOA (RFC 5936 §2.2).
        return soas >= 2;
      });
    }, t);
    return [...sets.values()];
  }

  private async transfer(attempt: () => Promise<void>, t: Target): Promise<void> {
    try {
      await withRetries(this.retry, attempt);
    } catch (error) {
      throw asPublishError(error, t);
    }
  }

  private async holdsResult(zone: ZoneRef, changes: Changes): Promise<boolean> {
    const now = new Map((await this.records(zone)).map((r) => [rrsetKey(r), r]));
    const sameValues = (a: readonly string[], b: readonly string[]) => a.length === b.length && [...a].sort().every((v, i) => v === [...b].sort()[i]);
    return (
      [...changes.create, ...changes.update.map((u) => u.to)].every((want) => sameValues(now.get(rrsetKey(want))?.values ?? [], want.values)) &&
      changes.delete.every((gone) => !now.has(rrsetKey(gone)))
    );
  }

  private zone(zone: ZoneRef): Rfc2136Zone {
    const z = this.byName.get(zone.name);
    if (!z) throw new PublishError('refused', `zone ${zone.name} is not configured for RFC 2136 publishing`);
    return z;
  }

  /** Signs a fresh copy per try (new id, current time), sends it, and accepts only an answer signed by the key. */
  private async signedExchange(z: Rfc2136Zone, unsigned: Uint8Array, send: (signed: Uint8Array) => Promise<Uint8Array>): Promise<{ answer: DecodedMessage; retried: boolean }> {
    const t = target(z);
    try {
      return await withRetries(this.retry, async (n) => {
        const request = Uint8Array.from(unsigned);
        const id = randomInt(0, 0x10000);
        request[0] = id >>> 8;
        request[1] = id & 0xff;
        const { message, mac } = sign(request, tsigKey(z), { time: this.now() });
        const raw = await send(message);
        return { answer: this.checked(raw, new ResponseVerifier(tsigKey(z), mac), t), retried: n > 0 };
      });
    } catch (error) {
      throw asPublishError(error, t);
    }
  }

  /** Decodes an answer and checks its signature; an unsigned error answer is taken at its word (it can only make us fail). */
  private checked(raw: Uint8Array, verifier: ResponseVerifier, t: Target): DecodedMessage {
    let m: DecodedMessage;
    try {
      m = decodeMessage(raw);
    } catch (error) {
      throw new TransportError(`malformed answer from ${t.server}: ${(error as Error).message}`);
    }
    if (!isResponse(m.flags)) throw new TransportError(`${t.server} sent a query, not an answer`);
    if (!m.tsig && rcodeOf(m.flags) !== 0) return m;
    const verdict = verifier.check(raw, m.tsig, this.now());
    if (!verdict.ok) throw tsigError(verdict, t);
    return m;
  }
}

function asPublishError(error: unknown, t: Target): unknown {
  if (error instanceof TransportError) return new PublishError('unavailable', `${error.message} (zone ${t.zone})`, { cause: error });
  return error;
}

const tsigKey = (z: Rfc2136Zone): TsigKey => ({ name: z.key.name.toLowerCase().replace(/\.$/, ''), secret: z.key.secret, algorithm: z.key.algorithm });
const target = (z: Rfc2136Zone): Target => ({ zone: z.name, server: z.server.host.includes(':') ? `[${z.server.host}]:${z.server.port}` : `${z.server.host}:${z.server.port}`, keyName: z.key.name });
