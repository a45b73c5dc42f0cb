/** Our small codec: names (compression, loops, limits), message parsing verdicts, TSIG. */
import { describe, expect, it } from 'vitest';
import { parseMessage } from '../../src/adapters/dns/builtin/message.js';
import { Responder } from '../../src/adapters/dns/builtin/responder.js';
import { createHmac } from 'node:crypto';
import { sign, signTsigError, verifyRequest, parseKeys } from '../../src/adapters/dns/builtin/tsig.js';
import { RCODE, TSIG_ERROR, Writer, readName } from '../../src/adapters/dns/builtin/wire.js';
import { BuiltinDnsPublisher } from '../../src/adapters/dns/builtin/publisher.js';
import { CidrSet } from '../../src/domain/ip.js';
import { dnsEnv, ZONE } from './support.js';

const header = (qd = 1, ar = 0) => Buffer.from([0x12, 0x34, 0x01, 0x00, 0, qd, 0, 0, 0, 0, 0, ar]);
const question = (name: string, type = 1) => Buffer.concat([...name.split('.').map((l) => Buffer.concat([Buffer.of(l.length), Buffer.from(l)])), Buffer.of(0, type >> 8, type & 255, 0, 1)]);

describe('names', () => {
  it('reads compressed names and lower-cases them', () => {
    const w = new Writer();
    w.u16(0);
    w.name('Host.Example.test');
    w.name('www.Example.test');
    const buf = w.finish();
    expect(buf.length).toBe(2 + 19 + 4 + 2); // second name: one label + pointer
    expect(readName(buf, 2).name).toBe('host.example.test');
    expect(readName(buf, 21)).toMatchObject({ name: 'www.example.test', next: 27 });
  });

  it('compresses case-sensitively so data keeps its case', () => {
    const w = new Writer();
    w.name('A.example.test');
    w.name('b.EXAMPLE.test'); // shares only "test"
    expect(w.length).toBe(16 + 1 + 1 + 8 + 2);
  });

  it.each([
    ['pointer to itself', [0xc0, 0x00]],
    ['forward pointer', [0xc0, 0x05, 0, 0, 0, 1, 0]],
    ['two-pointer loop', [0x01, 0x61, 0xc0, 0x04, 0xc0, 0x00]],
    ['label past the end', [0x3f, 0x61]],
    ['reserved label type', [0x80, 0x61, 0]],
  ])('rejects a %s', (_name, bytes) => {
    expect(() => readName(Uint8Array.from(bytes), bytes[0] === 0x01 ? 4 : 0)).toThrow();
  });

  it('rejects names longer than 255 octets', () => {
    const long = Buffer.concat([...Array.from({ length: 5 }, () => Buffer.concat([Buffer.of(63), Buffer.alloc(63, 0x61)])), Buffer.of(0)]);
    expect(() => readName(long, 0)).toThrow('255');
  });
});

describe('message verdicts', () => {
  it('drops what is too short or is itself a response', () => {
    expect(parseMessage(Buffer.alloc(11))).toBeNull();
    const response = Buffer.concat([header(), question('a.test')]);
    response[2]! |= 0x80;
    expect(parseMessage(response)).toBeNull();
  });

  it.each([
    ['no question', Buffer.concat([header(0)])],
    ['two questions', Buffer.concat([header(2), question('a.test'), question('b.test')])],
    ['a pointer in the question', Buffer.concat([header(), Buffer.of(0xc0, 0x0c, 0, 1, 0, 1)])],
    ['a truncated question', Buffer.concat([header(), question('a.test')]).subarray(0, 20)],
    ['two OPT records', Buffer.concat([header(1, 2), question('a.test'), Buffer.from('00002904d0000000000000', 'hex'), Buffer.from('00002904d0000000000000', 'hex')])],
    ['an OPT with an owner name', Buffer.concat([header(1, 1), question('a.test'), Buffer.from('0161002904d0000000000000', 'hex')])],
    ['an additional count past the end', Buffer.concat([header(1, 9), question('a.test')])],
  ])('FORMERR for %s', (_name, msg) => {
    expect(parseMessage(msg)).toMatchObject({ ok: false, rcode: RCODE.FORMERR });
  });

  it('reads EDNS version, payload size and DO', () => {
    const m = parseMessage(Buffer.concat([header(1, 1), question('a.test'), Buffer.from('00002910000001800000', 'hex'), Buffer.of(0)]));
    expect(m).toMatchObject({ ok: true, query: { edns: { udpSize: 4096, version: 1, dnssecOk: true } } });
  });
});

describe('TSIG hmac-sha256', () => {
  const keys = parseKeys([`k1:${Buffer.from('0123456789abcdef0123456789abcdef').toString('base64')}`]);
  const key = keys.get('k1')!;
  const now = 1_700_000_000;
  const signedQuery = (time = now) => Buffer.from(sign(Buffer.concat([header(), question(ZONE, 252)]), key, { time }).message);

  it('verifies what it signs and rejects tampering, unknown keys and stale times', () => {
    const msg = signedQuery();
    const parsed = parseMessage(msg);
    if (!parsed || !parsed.ok) throw new Error('parse');
    expect(verifyRequest(msg, parsed.query.tsig!, keys, now)).toMatchObject({ ok: true });
    expect(verifyRequest(msg, parsed.query.tsig!, new Map(), now)).toMatchObject({ ok: false, error: TSIG_ERROR.BADKEY });
    expect(verifyRequest(msg, parsed.query.tsig!, keys, now + 1000)).toMatchObject({ ok: false, error: TSIG_ERROR.BADTIME });
    const tampered = Buffer.from(msg);
    tampered[14]! ^= 0x20; // case change in the question: signed bytes differ
    const p2 = parseMessage(tampered);
    if (!p2 || !p2.ok) throw new Error('parse');
    expect(verifyRequest(tampered, p2.query.tsig!, keys, now)).toMatchObject({ ok: false, error: TSIG_ERROR.BADSIG });
  });

  it('signs every message of a transfer, chaining MACs, and answers bad signatures with NOTAUTH', () => {
    const publisher = new BuiltinDnsPublisher(dnsEnv().dns.zones, { initialSerial: 5 });
    const responder = new Responder({ zones: publisher, transfer: { allow: new CidrSet([]), keys }, now: () => now });
    const out = [...responder.respond(signedQuery(), '192.0.2.1', true)];
    expect(out.length).toBeGreaterThan(0);
    for (const m of out) expect(Buffer.from(m).includes(Buffer.from('hmac-sha256'))).toBe(true);
    const refused = [...responder.respond(Buffer.concat([header(), question(ZONE, 252)]), '192.0.2.1', true)];
    expect(refused[0]![3]! & 0x0f).toBe(RCODE.REFUSED);
    const stale = [...responder.respond(signedQuery(now - 1000), '192.0.2.1', true)];
    expect(stale[0]![3]! & 0x0f).toBe(RCODE.NOTAUTH);
  });

  it('honours the request fudge only up to maxFudge', () => {
    const msg = Buffer.from(sign(Buffer.concat([header(), question(ZONE)]), key, { time: now, fudge: 600 }).message);
    const parsed = parseMessage(msg);
    if (!parsed || !parsed.ok) throw new Error('parse');
    expect(verifyRequest(msg, parsed.query.tsig!, keys, now + 500)).toMatchObject({ ok: true });
    expect(verifyRequest(msg, parsed.query.tsig!, keys, now + 500, 300)).toMatchObject({ ok: false, error: TSIG_ERROR.BADTIME });
    expect(verifyRequest(msg, parsed.query.tsig!, keys, now + 300, 300)).toMatchObject({ ok: true });
  });

  it('writes TSIG error answers byte for byte as RFC 8945 §5.3.2 has them', () => {
    const request = sign(Buffer.concat([header(), question(ZONE)]), key, { time: now - 1000 });
    const parsed = parseMessage(Buffer.from(request.message));
    if (!parsed || !parsed.ok) throw new Error('parse');
    const base = Buffer.from([0x12, 0x34, 0x81, 0x09, 0, 0, 0, 0, 0, 0, 0, 0]);
    const name = (s: string) => Buffer.concat([...s.split('.').map((l) => Buffer.concat([Buffer.of(l.length), Buffer.from(l)])), Buffer.of(0)]);
    const u16 = (v: number) => Buffer.of(v >> 8, v & 255);
    const u48 = (v: number) => Buffer.of(0, 0, v >>> 24, (v >>> 16) & 255, (v >>> 8) & 255, v & 255);
    const rr = (rdata: Buffer) => Buffer.concat([name('k1'), u16(250), u16(255), Buffer.alloc(4), u16(rdata.length), rdata]);
    const withAr = (b: Buffer) => Buffer.concat([b.subarray(0, 11), Buffer.of(1), b.subarray(12)]);
    // BADTIME: the request's time, the server's time in Other Data, MAC over request MAC + answer + variables.
    const other = u48(now);
    const variables = Buffer.concat([name('k1'), u16(255), Buffer.alloc(4), name('hmac-sha256'), u48(now - 1000), u16(300), u16(18), u16(6), other]);
    const mac = createHmac('sha256', key.secret).update(Buffer.concat([u16(32), request.mac, base, variables])).digest();
    const badTime = Buffer.concat([withAr(base), rr(Buffer.concat([name('hmac-sha256'), u48(now - 1000), u16(300), u16(32), mac, u16(0x1234), u16(18), u16(6), other]))]);
    expect(Buffer.from(signTsigError(base, parsed.query.tsig!, TSIG_ERROR.BADTIME, key, request.mac, now)).equals(badTime)).toBe(true);
    // BADKEY: no MAC, the server's time, the request's algorithm named back.
    const stranger = { ...parsed.query.tsig!, algorithm: 'hmac-sha512' };
    const badKey = Buffer.concat([withAr(base), rr(Buffer.concat([name('hmac-sha512'), u48(now), u16(300), u16(0), u16(0x1234), u16(17), u16(0)]))]);
    expect(Buffer.from(signTsigError(base, stranger, TSIG_ERROR.BADKEY, undefined, undefined, now)).equals(badKey)).toBe(true);
  });

  it('parses key configuration strictly', () => {
    expect(() => parseKeys(['nocolon'])).toThrow();
    expect(parseKeys(['hmac-sha256:Key.Name.:c2VjcmV0']).get('key.name')?.secret.toString()).toBe('secret');
  });
});

describe('answer cache', () => {
  it('serves a hit only for the same question bytes, EDNS presence and transport, and matches an uncached answer', () => {
    const publisher = new BuiltinDnsPublisher(dnsEnv().dns.zones, { initialSerial: 5 });
    const responder = new Responder({ zones: publisher, transfer: { allow: new CidrSet([]), keys: new Map() } });
    const fresh = () => new Responder({ zones: publisher, transfer: { allow: new CidrSet([]), keys: new Map() } });
    const opt = (flags = 0) => Buffer.from([0, 0, 41, 0x04, 0xd0, 0, 0, flags, 0, 0, 0]);
    const variants: [string, Buffer, boolean][] = [];
    for (const name of [ZONE, ZONE.toUpperCase(), `Nope.${ZONE}`, `nope.${ZONE}`])
      for (const type of [1, 6, 28]) {
        variants.push([`${name}/${type}`, Buffer.concat([header(), question(name, type)]), false]);
        variants.push([`${name}/${type} tcp`, Buffer.concat([header(), question(name, type)]), true]);
        variants.push([`${name}/${type} edns`, Buffer.concat([header(1, 1), question(name, type), opt()]), false]);
        variants.push([`${name}/${type} edns do`, Buffer.concat([header(1, 1), question(name, type), opt(0x80)]), false]);
      }
    // Warm the cache with every variant, then ask again in reverse order with other IDs.
    for (const [, msg, tcp] of variants) responder.respond(msg, '192.0.2.1', tcp);
    for (const [label, msg, tcp] of [...variants].reverse()) {
      const again = Buffer.from(msg);
      again[0] = 0xab;
      again[1] = 0xcd;
      const hit = responder.cached(again, tcp);
      expect(hit, label).toBeDefined();
      expect(Buffer.from(hit!).equals(Buffer.from([...fresh().respond(again, '192.0.2.1', tcp)][0]!)), label).toBe(true);
      expect(hit!.subarray(12, msg.length - (msg[11] ? 11 : 0)).equals(msg.subarray(12, msg.length - (msg[11] ? 11 : 0))), label).toBe(true);
    }
  });
});
