/**
 * How Rfc2136Provider reads answers, against a fake primary on 127.0.0.1
 * that verifies our TSIG and answers as told: each RCODE maps to the right
 * PublishError kind, an answer that is unsigned, or signed with another key,
 * is never taken as success, a truncated answer is fetched again over TCP,
 * and no message carries the secret.
 */
import { createSocket } from 'node:dgram';
import { createServer } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { parseKeys, sign, verifyRequest } from '../../src/adapters/dns/builtin/tsig.js';
import { Rfc2136Provider } from '../../src/adapters/dns/rfc2136/provider.js';
import { decodeMessage, decodeUpdate, encodeUpdate, UPDATE_RCODE } from '../../src/adapters/dns/rfc2136/update-message.js';
import { parseRData } from '../../src/adapters/dns/builtin/rdata.js';
import { CLASS, TYPE } from '../../src/adapters/dns/builtin/wire.js';
import { NO_CHANGES } from '../../src/domain/plan.js';
import { PublishError, type ZoneRef } from '../../src/ports/dns-provider.js';

const ZONE: ZoneRef = { id: 'example.test', name: 'example.test', private: false };
const SECRET = Buffer.from('provider-answers-secret-0123456789');
const KEY = { name: 'signpost', algorithm: 'hmac-sha512' as const, secret: SECRET };
const CHANGES = { ...NO_CHANGES, create: [{ name: 'h.example.test', type: 'A' as const, ttl: 60, values: ['192.0.2.1'] }] };
const closers: (() => void)[] = [];
afterEach(() => {
  for (const c of closers.splice(0)) c();
});

type Behaviour = {
  rcode?: number;
  unsigned?: boolean;
  signWith?: Buffer;
  tcOverUdp?: boolean;
  /** Lose the first UDP answer (the update was applied), then answer NXRRSET: the retry meets its own first try. */
  loseFirstAnswer?: boolean;
  /** A records of h.example.test a zone transfer returns. */
  zoneHolds?: string[];
};

/** Answers every UPDATE: verifies its TSIG, then replies per `behaviour`. Returns the port and what it received. */
async function fakePrimary(behaviour: Behaviour) {
  const received: { transport: string; zone?: string }[] = [];
  const answer = (req: Uint8Array, tc: boolean): Uint8Array => {
    const m = decodeUpdate(req);
    const verdict = verifyRequest(req, m.tsig!, parseKeys([`hmac-sha512:signpost:${SECRET.toString('base64')}`]), Math.floor(Date.now() / 1000));
    if (!verdict.ok) throw new Error('our request did not verify');
    const header = Uint8Array.from(req.subarray(0, 12));
    header[2] = 0xa8 | (tc ? 0x02 : 0); // QR, opcode UPDATE
    header[3] = behaviour.rcode ?? 0;
    header.fill(0, 4, 12);
    if (behaviour.unsigned) return header;
    const key = { name: 'signpost', secret: behaviour.signWith ?? SECRET, algorithm: 'hmac-sha512' as const };
    return sign(header, key, { time: Math.floor(Date.now() / 1000), requestMac: m.tsig!.mac }).message;
  };
  const udp = createSocket('udp4');
  udp.on('message', (msg, from) => {
    received.push({ transport: 'udp', zone: decodeUpdate(msg).zone?.name });
    if (behaviour.loseFirstAnswer && received.length === 1) {
      behaviour.rcode = UPDATE_RCODE.NXRRSET;
      return;
    }
    udp.send(answer(new Uint8Array(msg), behaviour.tcOverUdp ?? false), from.port, from.address);
  });
  /** A one-message AXFR answer: SOA, h.example.test A (zoneHolds), SOA. */
  const transfer = (req: Uint8Array): Uint8Array => {
    const q = decodeMessage(req);
    const soa = { name: 'example.test', type: TYPE.SOA, class: CLASS.IN, ttl: 60, rdata: parseRData('SOA', 'ns1.example.test hostmaster.example.test 1 3600 600 86400 60') };
    const a = (behaviour.zoneHolds ?? []).map((v) => ({ name: 'h.example.test', type: TYPE.A, class: CLASS.IN, ttl: 60, rdata: parseRData('A', v) }));
    const body = encodeUpdate({ id: q.id, flags: 0x8400, zone: { name: 'example.test', class: CLASS.IN }, prerequisites: [soa, ...a, soa], updates: [], additional: [] });
    return sign(body, { name: 'signpost', secret: SECRET, algorithm: 'hmac-sha512' }, { time: Math.floor(Date.now() / 1000), requestMac: q.tsig!.mac }).message;
  };
  await new Promise<void>((r) => udp.bind(0, '127.0.0.1', r));
  const port = udp.address().port;
  const tcp = createServer((conn) => {
    let buf = Buffer.alloc(0);
    conn.on('data', (d) => {
      buf = Buffer.concat([buf, d]);
      if (buf.length < 2 || buf.length < 2 + buf.readUInt16BE(0)) return;
      const req = new Uint8Array(buf.subarray(2, 2 + buf.readUInt16BE(0)));
      const isTransfer = ((req[2]! >> 3) & 0xf) === 0;
      received.push({ transport: isTransfer ? 'axfr' : 'tcp', ...(isTransfer ? {} : { zone: decodeUpdate(req).zone?.name }) });
      const a = isTransfer ? transfer(req) : answer(req, false);
      const frame = Buffer.alloc(2 + a.length);
      frame.writeUInt16BE(a.length);
      frame.set(a, 2);
      conn.write(frame);
    });
  });
  await new Promise<void>((r) => tcp.listen(port, '127.0.0.1', r));
  closers.push(() => udp.close(), () => tcp.close());
  const provider = new Rfc2136Provider({ zones: [{ name: ZONE.name, server: { host: '127.0.0.1', port }, key: KEY }], timeoutMs: 300, retries: behaviour.loseFirstAnswer ? 1 : 0, backoffMs: 10 });
  return { provider, received };
}

const outcome = async (behaviour: Behaviour) => {
  const { provider, received } = await fakePrimary(behaviour);
  const error = await provider.apply(ZONE, CHANGES).then(
    () => undefined,
    (e: unknown) => e as PublishError,
  );
  if (error) {
    expect(error).toBeInstanceOf(PublishError);
    expect(error.message).not.toContain(SECRET.toString('base64'));
    expect(error.message).not.toContain(SECRET.toString());
  }
  return { error, received };
};

describe('Rfc2136Provider answers', () => {
  it('succeeds on a NOERROR answer signed with the key', async () => {
    const { error, received } = await outcome({});
    expect(error).toBeUndefined();
    expect(received).toEqual([{ transport: 'udp', zone: 'example.test' }]);
  });

  it('fetches a truncated answer again over TCP', async () => {
    const { error, received } = await outcome({ tcOverUdp: true });
    expect(error).toBeUndefined();
    expect(received.map((r) => r.transport)).toEqual(['udp', 'tcp']);
  });

  it.each([
    ['NXRRSET', UPDATE_RCODE.NXRRSET, 'refused', /prerequisite failed \(NXRRSET\)/],
    ['YXRRSET', UPDATE_RCODE.YXRRSET, 'refused', /prerequisite failed \(YXRRSET\)/],
    ['NXDOMAIN', UPDATE_RCODE.NXDOMAIN, 'refused', /prerequisite failed \(NXDOMAIN\)/],
    ['YXDOMAIN', UPDATE_RCODE.YXDOMAIN, 'refused', /prerequisite failed \(YXDOMAIN\)/],
    ['NOTAUTH', UPDATE_RCODE.NOTAUTH, 'refused', /not authoritative for the zone, or does not accept the TSIG key signpost/],
    ['NOTZONE', UPDATE_RCODE.NOTZONE, 'refused', /NOTZONE: a name is outside the zone; is example\.test the zone the server holds\?/],
    ['REFUSED', UPDATE_RCODE.REFUSED, 'refused', /allow-update \{ key "signpost"; \}/],
    ['SERVFAIL', UPDATE_RCODE.SERVFAIL, 'unavailable', /SERVFAIL/],
  ])('%s is %s', async (_name, rcode, kind, message) => {
    const { error } = await outcome({ rcode });
    expect(error?.kind).toBe(kind);
    expect(error?.message).toMatch(message);
  });

  it('never takes an unsigned or wrongly signed NOERROR as success (outcome unknown: unavailable)', async () => {
    const unsigned = await outcome({ unsigned: true });
    expect(unsigned.error?.kind).toBe('unavailable');
    expect(unsigned.error?.message).toMatch(/did not verify with key signpost \(unsigned\)/);
    const forged = await outcome({ signWith: Buffer.from('someone else') });
    expect(forged.error?.kind).toBe('unavailable');
    expect(forged.error?.message).toMatch(/\(signature\)/);
  });

  it('takes a prerequisite failure after a lost answer as success when the server holds exactly the plan’s result', async () => {
    const applied = await outcome({ loseFirstAnswer: true, zoneHolds: ['192.0.2.1'] });
    expect(applied.error).toBeUndefined();
    expect(applied.received.map((r) => r.transport)).toEqual(['udp', 'udp', 'axfr']);
    // Someone else's value there: the refusal stands.
    const other = await outcome({ loseFirstAnswer: true, zoneHolds: ['198.51.100.1'] });
    expect(other.error?.kind).toBe('refused');
    // Without a retry a prerequisite failure is not second-guessed.
    const plain = await outcome({ rcode: UPDATE_RCODE.NXRRSET, zoneHolds: ['192.0.2.1'] });
    expect(plain.error?.kind).toBe('refused');
    expect(plain.received.map((r) => r.transport)).toEqual(['udp']);
  });

  it('refuses a zone it is not configured for, and values the wire cannot carry, without sending anything', async () => {
    const { provider, received } = await fakePrimary({});
    await expect(provider.apply({ ...ZONE, name: 'other.test' }, CHANGES)).rejects.toMatchObject({ kind: 'refused' });
    await expect(provider.apply(ZONE, { ...NO_CHANGES, create: [{ name: 'h.example.test', type: 'A', ttl: 60, values: ['not-an-address'] }] })).rejects.toMatchObject({ kind: 'refused', message: /bad A value/ });
    await provider.apply(ZONE, NO_CHANGES);
    expect(received).toEqual([]);
    expect(await provider.zones()).toEqual([ZONE]);
    expect(provider.exclusive).toBe(false);
  });
});
