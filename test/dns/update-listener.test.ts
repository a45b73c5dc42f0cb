/**
 * The UPDATE listener of the built-in server with a fake use case: every
 * TSIG outcome (signed answers checked with the client-side verifier),
 * replays, revocation taking effect at once, malformed messages, the bound
 * on updates in flight, the failure throttle and its log line, and over real
 * sockets that queries never wait on an update.
 */
import { createConnection } from 'node:net';
import { describe, expect, it } from 'vitest';
import { BuiltinDns } from '../../src/adapters/dns/builtin/index.js';
import { BuiltinDnsPublisher } from '../../src/adapters/dns/builtin/publisher.js';
import { createLogger } from '../../src/adapters/observability/logger.js';
import { Responder } from '../../src/adapters/dns/builtin/responder.js';
import { ResponseVerifier, sign, type TsigKey } from '../../src/adapters/dns/builtin/tsig.js';
import { UpdateListener, type UpdateListenerLog } from '../../src/adapters/dns/builtin/update-listener.js';
import { CLASS, RCODE, TSIG_ERROR, TYPE } from '../../src/adapters/dns/builtin/wire.js';
import { CidrSet } from '../../src/domain/ip.js';
import { decodeMessage, encodeQuery, encodeUpdate, UPDATE_REQUEST_FLAGS, type UpdateRecord } from '../../src/adapters/dns/rfc2136/update-message.js';
import type { DnsUpdateRequest, DnsUpdateService, UpdateKey, UpdateRcode } from '../../src/domain/dns-update.js';
import { readmeFailregex } from '../support/readme.js';
import { dnsEnv, rawUdp, startTestDns, ZONE } from './support.js';

const NOW = 1_800_000_000;
const ALICE: UpdateKey = { name: 'alice-key', algorithm: 'hmac-sha256', secret: Buffer.from('alice-secret-0123456789abcdef0123'), username: 'alice' };
const aliceTsig: TsigKey = { name: ALICE.name, secret: Buffer.from(ALICE.secret), algorithm: 'hmac-sha256' };

class FakeService implements DnsUpdateService {
  readonly keys = new Map<string, UpdateKey>([[ALICE.name, ALICE]]);
  readonly requests: DnsUpdateRequest[] = [];
  rcode: UpdateRcode = 'NOERROR';
  gate: Promise<void> | undefined;
  async resolveKey(name: string) {
    return this.keys.get(name);
  }
  async execute(request: DnsUpdateRequest) {
    this.requests.push(request);
    await this.gate;
    if (this.rcode === ('throw' as UpdateRcode)) throw new Error('store down');
    return this.rcode;
  }
}

class Lines implements UpdateListenerLog {
  readonly warnings: Record<string, unknown>[] = [];
  readonly errors: Record<string, unknown>[] = [];
  warn(context: Record<string, unknown>, message: string) {
    this.warnings.push({ ...context, msg: message });
  }
  error(context: Record<string, unknown>, message: string) {
    this.errors.push({ ...context, msg: message });
  }
}

const txt = (s: string) => ({ kind: 'bytes' as const, bytes: Uint8Array.from([s.length, ...Buffer.from(s)]) });
const UPDATES: UpdateRecord[] = [
  { name: `_acme-challenge.alice.${ZONE}`, type: TYPE.TXT, class: CLASS.IN, ttl: 60, rdata: txt('token-1') },
  { name: `alice.${ZONE}`, type: TYPE.A, class: CLASS.IN, ttl: 60, rdata: { kind: 'ipv4', address: 0xc0000201 } },
  { name: `alice.${ZONE}`, type: TYPE.AAAA, class: CLASS.ANY, ttl: 0 },
  { name: `alice.${ZONE}`, type: 99, class: CLASS.IN, ttl: 60, rdata: { kind: 'bytes', bytes: Uint8Array.of(1, 2, 0xab) } },
  { name: `old.alice.${ZONE}`, type: TYPE.ANY, class: CLASS.ANY, ttl: 0 },
];
const PREREQS: UpdateRecord[] = [{ name: `alice.${ZONE}`, type: TYPE.CNAME, class: CLASS.NONE, ttl: 0 }];

function unsignedUpdate(o: { id?: number; zoneType?: number; updates?: UpdateRecord[] } = {}): Uint8Array {
  return encodeUpdate({ id: o.id ?? 0x1234, flags: UPDATE_REQUEST_FLAGS, zone: { name: ZONE, class: CLASS.IN }, prerequisites: PREREQS, updates: o.updates ?? UPDATES, additional: [] });
}

function signedUpdate(o: { key?: TsigKey; time?: number; fudge?: number; id?: number; updates?: UpdateRecord[] } = {}) {
  return sign(unsignedUpdate(o), o.key ?? aliceTsig, { time: o.time ?? NOW, ...(o.fudge !== undefined ? { fudge: o.fudge } : {}) });
}

function setup(options: { maxInFlight?: number } = {}) {
  const service = new FakeService();
  const log = new Lines();
  let clock = NOW * 1000;
  const listener = new UpdateListener({ service, log, now: () => clock, ...options });
  return { service, log, listener, advance: (ms: number) => (clock += ms) };
}

const rcodeOf = (answer: Uint8Array | undefined) => answer![3]! & 0x0f;

describe('UPDATE listener', () => {
  it('hands a verified request to the use case in presentation form and signs its answer', async () => {
    const { service, listener } = setup();
    const request = signedUpdate();
    const answer = await listener.handle(request.message, '192.0.2.7', false);
    expect(service.requests).toEqual([
      {
        zone: ZONE,
        zoneClass: 'IN',
        prerequisites: [{ name: `alice.${ZONE}`, type: 'CNAME', class: 'NONE', ttl: 0 }],
        updates: [
          { name: `_acme-challenge.alice.${ZONE}`, type: 'TXT', class: 'IN', ttl: 60, value: '"token-1"' },
          { name: `alice.${ZONE}`, type: 'A', class: 'IN', ttl: 60, value: '192.0.2.1' },
          { name: `alice.${ZONE}`, type: 'AAAA', class: 'ANY', ttl: 0 },
          { name: `alice.${ZONE}`, type: 'TYPE99', class: 'IN', ttl: 60, value: '\\# 3 0102ab' },
          { name: `old.alice.${ZONE}`, type: 'ANY', class: 'ANY', ttl: 0 },
        ],
        keyName: 'alice-key',
        username: 'alice',
        sourceAddress: '192.0.2.7',
      },
    ]);
    const decoded = decodeMessage(answer!);
    expect(decoded.id).toBe(0x1234);
    expect((decoded.flags >> 11) & 0xf).toBe(5);
    expect(decoded.flags & 0x8000).toBe(0x8000);
    expect(decoded.questions).toEqual([{ name: ZONE, type: TYPE.SOA, class: CLASS.IN }]);
    expect(rcodeOf(answer)).toBe(RCODE.NOERROR);
    expect(new ResponseVerifier(aliceTsig, request.mac).check(answer!, decoded.tsig, NOW)).toEqual({ ok: true });
  });

  it('answers with the use case’s RCODE, signed', async () => {
    const { service, listener } = setup();
    for (const [rcode, code] of [['REFUSED', 5], ['NXRRSET', 8], ['NOTZONE', 10], ['YXDOMAIN', 6]] as const) {
      service.rcode = rcode;
      const request = signedUpdate({ time: NOW + code });
      const answer = await listener.handle(request.message, '192.0.2.7', true);
      expect(rcodeOf(answer)).toBe(code);
      expect(new ResponseVerifier(aliceTsig, request.mac).check(answer!, decodeMessage(answer!).tsig, NOW)).toEqual({ ok: true });
    }
  });

  it('refuses an unsigned UPDATE without calling the use case', async () => {
    const { service, listener, log } = setup();
    const answer = await listener.handle(unsignedUpdate(), '192.0.2.7', false);
    expect(rcodeOf(answer)).toBe(RCODE.REFUSED);
    expect(decodeMessage(answer!).tsig).toBeUndefined();
    expect(service.requests).toEqual([]);
    expect(log.warnings).toEqual([{ door: 'dns-update', source: '192.0.2.7', result: 'unsigned', msg: 'login failed' }]);
  });

  it('answers NOTAUTH with BADKEY for an unknown key or another algorithm, without a MAC', async () => {
    const { service, listener, log } = setup();
    const stranger: TsigKey = { name: 'nobody', secret: Buffer.from('x'.repeat(32)) };
    for (const key of [stranger, { ...aliceTsig, algorithm: 'hmac-sha512' as const }]) {
      const request = signedUpdate({ key });
      const answer = await listener.handle(request.message, '192.0.2.7', false);
      expect(rcodeOf(answer)).toBe(RCODE.NOTAUTH);
      const tsig = decodeMessage(answer!).tsig!;
      expect(tsig).toMatchObject({ error: TSIG_ERROR.BADKEY, mac: new Uint8Array(0), keyName: key.name });
      expect(new ResponseVerifier(key, request.mac).check(answer!, tsig, NOW)).toEqual({ ok: false, reason: 'server', error: TSIG_ERROR.BADKEY });
    }
    expect(service.requests).toEqual([]);
    expect(log.warnings.map((w) => [w.key, w.result])).toEqual([['nobody', 'badkey'], ['alice-key', 'badkey']]);
  });

  it('answers NOTAUTH with BADSIG for a wrong MAC', async () => {
    const { service, listener, log } = setup();
    const request = signedUpdate({ key: { ...aliceTsig, secret: Buffer.from('not-alice-secret-0123456789abcdef') } });
    const answer = await listener.handle(request.message, '192.0.2.7', false);
    expect(rcodeOf(answer)).toBe(RCODE.NOTAUTH);
    expect(decodeMessage(answer!).tsig).toMatchObject({ error: TSIG_ERROR.BADSIG, mac: new Uint8Array(0) });
    expect(service.requests).toEqual([]);
    expect(log.warnings[0]).toMatchObject({ key: 'alice-key', result: 'badsig' });
  });

  it('answers NOTAUTH with BADTIME outside min(fudge, 300 s), signed, with the server’s time in Other Data', async () => {
    const { service, listener, log } = setup();
    for (const [time, fudge] of [[NOW - 301, 300], [NOW + 400, 600], [NOW - 20, 10]] as const) {
      const request = signedUpdate({ time, fudge });
      const answer = await listener.handle(request.message, '192.0.2.7', false);
      expect(rcodeOf(answer)).toBe(RCODE.NOTAUTH);
      const tsig = decodeMessage(answer!).tsig!;
      expect(tsig).toMatchObject({ error: TSIG_ERROR.BADTIME, timeSigned: time, other: Uint8Array.from(Buffer.from(`0000${NOW.toString(16)}`, 'hex')) });
      // Signed with alice's key over the request MAC: the verifier accepts the MAC, then reports the server's error.
      expect(new ResponseVerifier(aliceTsig, request.mac).check(answer!, tsig, NOW)).toEqual({ ok: false, reason: 'server', error: TSIG_ERROR.BADTIME });
    }
    expect(service.requests).toEqual([]);
    expect(log.warnings.map((w) => w.result)).toEqual(['badtime', 'badtime', 'badtime']);
    // Inside the window it is accepted.
    expect(rcodeOf(await listener.handle(signedUpdate({ time: NOW - 299 }).message, '192.0.2.7', false))).toBe(RCODE.NOERROR);
  });

  it('refuses a replay of an accepted message, signed, and applies it once', async () => {
    const { service, listener, log, advance } = setup();
    const request = signedUpdate();
    expect(rcodeOf(await listener.handle(request.message, '192.0.2.7', false))).toBe(RCODE.NOERROR);
    advance(30_000);
    const again = await listener.handle(request.message, '198.51.100.9', true);
    expect(rcodeOf(again)).toBe(RCODE.REFUSED);
    expect(new ResponseVerifier(aliceTsig, request.mac).check(again!, decodeMessage(again!).tsig, NOW + 30)).toEqual({ ok: true });
    expect(service.requests).toHaveLength(1);
    expect(log.warnings).toEqual([{ door: 'dns-update', key: 'alice-key', source: '198.51.100.9', result: 'replay', msg: 'login failed' }]);
    // Once its window has closed the time check refuses it.
    advance(300_000);
    expect(decodeMessage((await listener.handle(request.message, '198.51.100.9', true))!).tsig?.error).toBe(TSIG_ERROR.BADTIME);
  });

  it('stops accepting a revoked key with the next message', async () => {
    const { service, listener } = setup();
    expect(rcodeOf(await listener.handle(signedUpdate({ id: 1 }).message, '192.0.2.7', false))).toBe(RCODE.NOERROR);
    service.keys.delete(ALICE.name);
    const answer = await listener.handle(signedUpdate({ id: 2 }).message, '192.0.2.7', false);
    expect(rcodeOf(answer)).toBe(RCODE.NOTAUTH);
    expect(decodeMessage(answer!).tsig?.error).toBe(TSIG_ERROR.BADKEY);
    expect(service.requests).toHaveLength(1);
  });

  it('answers FORMERR to malformed messages, a missing zone section and a zone type other than SOA', async () => {
    const { service, listener } = setup();
    const good = signedUpdate().message;
    const noZone = Uint8Array.from(good);
    noZone[5] = 0;
    const aZone = Uint8Array.from(good);
    const typeAt = 12 + ZONE.length + 2;
    aZone[typeAt + 1] = TYPE.A;
    const twoZones = Uint8Array.from(good);
    twoZones[5] = 2;
    for (const msg of [good.subarray(0, 12), good.subarray(0, good.length - 3), noZone, aZone, twoZones, Uint8Array.from([...good, 0])]) {
      const answer = await listener.handle(msg, '192.0.2.7', false);
      expect(rcodeOf(answer)).toBe(RCODE.FORMERR);
    }
    expect(service.requests).toEqual([]);
  });

  it('answers SERVFAIL, signed, when the use case throws, and logs it', async () => {
    const { service, listener, log } = setup();
    service.rcode = 'throw' as UpdateRcode;
    const request = signedUpdate();
    const answer = await listener.handle(request.message, '192.0.2.7', false);
    expect(rcodeOf(answer)).toBe(RCODE.SERVFAIL);
    expect(new ResponseVerifier(aliceTsig, request.mac).check(answer!, decodeMessage(answer!).tsig, NOW)).toEqual({ ok: true });
    expect(log.errors[0]).toMatchObject({ key: 'alice-key', source: '192.0.2.7', msg: 'dns update failed' });
  });

  it('answers SERVFAIL past the bound on updates in flight, and takes more once they finish', async () => {
    const { service, listener } = setup({ maxInFlight: 4 });
    let release!: () => void;
    service.gate = new Promise((resolve) => (release = resolve));
    const pending = [1, 2, 3, 4].map((id) => listener.handle(signedUpdate({ id }).message, '192.0.2.7', false));
    const busy = await listener.handle(signedUpdate({ id: 5 }).message, '192.0.2.7', false);
    expect(rcodeOf(busy)).toBe(RCODE.SERVFAIL);
    release();
    expect((await Promise.all(pending)).map(rcodeOf)).toEqual([0, 0, 0, 0]);
    expect(rcodeOf(await listener.handle(signedUpdate({ id: 6 }).message, '192.0.2.7', false))).toBe(RCODE.NOERROR);
  });

  it('backs off an address after 10 failures, even for the right key; UDP failures leave its TCP alone', async () => {
    const { service, listener, log, advance } = setup();
    for (let i = 0; i < 11; i++) await listener.handle(unsignedUpdate(), '203.0.113.5', false);
    const refused = await listener.handle(signedUpdate().message, '203.0.113.5', false);
    expect(rcodeOf(refused)).toBe(RCODE.REFUSED);
    expect(service.requests).toEqual([]);
    expect(log.warnings.at(-1)).toEqual({ door: 'dns-update', source: '203.0.113.5', result: 'throttled', msg: 'login failed' });
    // A UDP source can be forged: the same address over TCP is still heard.
    expect(rcodeOf(await listener.handle(signedUpdate({ id: 2 }).message, '203.0.113.5', true))).toBe(RCODE.NOERROR);
    advance(2_000);
    expect(rcodeOf(await listener.handle(signedUpdate({ id: 3 }).message, '203.0.113.5', false))).toBe(RCODE.NOERROR);
    // TCP failures back off both.
    for (let i = 0; i < 11; i++) await listener.handle(unsignedUpdate(), '203.0.113.6', true);
    expect(rcodeOf(await listener.handle(signedUpdate({ id: 4 }).message, '203.0.113.6', false))).toBe(RCODE.REFUSED);
    // No line carries a MAC or the secret.
    const lines = JSON.stringify(log.warnings);
    expect(lines).not.toContain(Buffer.from(ALICE.secret).toString('base64'));
    expect(lines).not.toContain(Buffer.from(signedUpdate().mac).toString('base64'));
  });
});

describe('UPDATE through the responder and the sockets', () => {
  it('logs each refusal as a failed login that the README’s fail2ban filter matches, a hostile key name included', async () => {
    const lines: string[] = [];
    const dns = new BuiltinDns(dnsEnv().dns, createLogger('info', { write: (line: string) => void lines.push(line) }));
    dns.acceptUpdates(new FakeService());
    const now = Math.floor(Date.now() / 1000);
    const hostile: TsigKey = { name: 'x","source":"192.0.2.254","result":"badkey', secret: Buffer.from('0123456789abcdef') };
    await dns.responder.updating(Buffer.from(unsignedUpdate()), '198.51.100.7', true);
    await dns.responder.updating(Buffer.from(signedUpdate({ time: now, key: { ...aliceTsig, secret: Buffer.from('wrong-secret') } }).message), '198.51.100.8', false);
    await dns.responder.updating(Buffer.from(signedUpdate({ time: now, key: hostile }).message), '2001:db8::5', true);
    const failed = lines.filter((l) => l.includes('"msg":"login failed"'));
    expect(failed.map((l) => JSON.parse(l))).toMatchObject([
      { level: 40, door: 'dns-update', source: '198.51.100.7', result: 'unsigned' },
      { level: 40, door: 'dns-update', key: 'alice-key', source: '198.51.100.8', result: 'badsig' },
      { level: 40, door: 'dns-update', key: 'x","source":"192.0.2.254","result":"badkey', source: '2001:db8::5', result: 'badkey' },
    ]);
    const regex = readmeFailregex();
    expect(failed.map((l) => regex.exec(l.trimEnd())?.groups?.host)).toEqual(['198.51.100.7', '198.51.100.8', '2001:db8::5']);
  });

  it('answers NOTIMP while updates are not accepted', () => {
    const publisher = new BuiltinDnsPublisher(dnsEnv().dns.zones, { initialSerial: 5 });
    const responder = new Responder({ zones: publisher, transfer: { allow: new CidrSet([]), keys: new Map() } });
    expect(responder.updating(Buffer.from(signedUpdate().message), '192.0.2.7', false)).toBeUndefined();
    const [answer] = [...responder.respond(Buffer.from(unsignedUpdate()), '192.0.2.7', false)];
    expect(rcodeOf(answer)).toBe(RCODE.NOTIMP);
  });

  it('answers a query signed with a user’s key (certbot’s SOA lookup) signed, never a transfer; a bad signature is NOTAUTH', async () => {
    const publisher = new BuiltinDnsPublisher(dnsEnv().dns.zones, { initialSerial: 5 });
    const responder = new Responder({ zones: publisher, transfer: { allow: new CidrSet(['0.0.0.0/0']), keys: new Map() }, now: () => NOW });
    const service = new FakeService();
    responder.acceptUpdates(new UpdateListener({ service, now: () => NOW * 1000 }));
    const query = (type: number, key = aliceTsig) => sign(encodeQuery(3, `_acme-challenge.alice.${ZONE}`.replace(type === TYPE.AXFR ? '_acme-challenge.alice.' : '', ''), type), key, { time: NOW });
    const soa = query(TYPE.SOA);
    const answer = await responder.updating(Buffer.from(soa.message), '192.0.2.7', true)!;
    const decoded = decodeMessage(answer!);
    expect(answer![2]! & 0x04).toBe(0x04); // AA
    expect(decoded.sections[1].map((rr) => rr.type)).toEqual([TYPE.SOA]); // NODATA with the zone's SOA
    expect(new ResponseVerifier(aliceTsig, soa.mac).check(answer!, decoded.tsig, NOW)).toEqual({ ok: true });

    const axfr = query(TYPE.AXFR);
    const refused = await responder.updating(Buffer.from(axfr.message), '192.0.2.7', true)!;
    expect(rcodeOf(refused)).toBe(RCODE.REFUSED);
    expect(new ResponseVerifier(aliceTsig, axfr.mac).check(refused!, decodeMessage(refused!).tsig, NOW)).toEqual({ ok: true });

    const forged = await responder.updating(Buffer.from(query(TYPE.SOA, { ...aliceTsig, secret: Buffer.from('wrong') }).message), '192.0.2.7', true)!;
    expect([rcodeOf(forged), decodeMessage(forged!).tsig?.error]).toEqual([RCODE.NOTAUTH, TSIG_ERROR.BADSIG]);
    // Unsigned and plain queries stay on the synchronous path.
    expect(responder.updating(Buffer.from(encodeQuery(4, ZONE, TYPE.SOA)), '192.0.2.7', true)).toBeUndefined();
    expect(service.requests).toEqual([]);
  });

  it('answers over UDP and TCP, and queries do not wait while an update is in the use case', async () => {
    const server = await startTestDns([{ name: `alice.${ZONE}`, type: 'A', ttl: 60, values: ['192.0.2.1'] }]);
    try {
      const service = new FakeService();
      let release!: () => void;
      service.gate = new Promise((resolve) => (release = resolve));
      server.dns.acceptUpdates(service);
      const now = Math.floor(Date.now() / 1000);
      const viaUdp = rawUdp(server.port, signedUpdate({ time: now, id: 7 }).message);
      await expect.poll(() => service.requests.length).toBe(1);
      const query = await rawUdp(server.port, encodeQuery(9, `alice.${ZONE}`, TYPE.A));
      expect(decodeMessage(query!).sections[0]).toHaveLength(1); // answered while the update waits
      release();
      expect(rcodeOf(await viaUdp)).toBe(RCODE.NOERROR);
      const viaTcp = await rawTcp(server.port, signedUpdate({ time: now, id: 8 }).message);
      expect(rcodeOf(viaTcp)).toBe(RCODE.NOERROR);
      expect(decodeMessage(viaTcp).id).toBe(8);
    } finally {
      await server.close();
    }
  });
});

function rawTcp(port: number, msg: Uint8Array): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    let got = Buffer.alloc(0);
    socket.on('connect', () => socket.write(Buffer.concat([Buffer.from([msg.length >> 8, msg.length & 0xff]), msg])));
    socket.on('data', (chunk) => {
      got = Buffer.concat([got, chunk]);
      if (got.length >= 2 && got.length >= 2 + got.readUInt16BE(0)) {
        socket.destroy();
        resolve(got.subarray(2, 2 + got.readUInt16BE(0)));
      }
    });
    socket.on('error', reject);
    setTimeout(() => reject(new Error('no TCP answer')), 5000).unref();
  });
}
