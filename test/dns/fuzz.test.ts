/**
 * Robustness: 1,000,000 random and mutated messages (truncated headers,
 * pointer loops, huge counts, bad EDNS, label overflows, garbage TCP
 * framing); none may throw inside the responder, and afterwards the server
 * still answers correctly.
 *
 * Most go straight to the responder, the code that parses them, so the count
 * does not depend on how fast a busy machine moves packets; a share goes over
 * real UDP and TCP sockets to the running server (socket handling, framing),
 * bounded by a time budget with its own minimum count.
 */
import { createSocket } from 'node:dgram';
import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BuiltinDns } from '../../src/adapters/dns/builtin/index.js';
import { Responder } from '../../src/adapters/dns/builtin/responder.js';
import { startDnsServer, type RunningDnsServer } from '../../src/adapters/dns/builtin/server.js';
import { sign } from '../../src/adapters/dns/builtin/tsig.js';
import { dnsEnv, parseZoneText, rawUdp, ZONE } from './support.js';

const TARGET = 1_000_000;
/** Of TARGET, at least this many reach the server over its sockets. */
const OVER_SOCKETS = 100_000;
const TCP_SHARE = 0.5;
const BUDGET_MS = 100_000;
const SEED = Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 31);
const SECRET = Buffer.from('fuzz-secret-fuzz-secret');

/** xorshift32: reproducible with FUZZ_SEED. */
function rng(seed: number) {
  let x = seed || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 2 ** 32;
  };
}

function query(name: string, type: number, opts: { edns?: boolean; id?: number; opcode?: number } = {}): Buffer {
  const labels = name.split('.').filter(Boolean);
  const qname = Buffer.concat([...labels.map((l) => Buffer.concat([Buffer.of(l.length), Buffer.from(l)])), Buffer.of(0)]);
  const header = Buffer.alloc(12);
  header.writeUInt16BE(opts.id ?? 0x1234, 0);
  header.writeUInt16BE(((opts.opcode ?? 0) << 11) | 0x0100, 2);
  header.writeUInt16BE(1, 4);
  header.writeUInt16BE(opts.edns ? 1 : 0, 10);
  const q = Buffer.concat([header, qname, Buffer.of(type >> 8, type & 0xff, 0, 1)]);
  return opts.edns ? Buffer.concat([q, Buffer.from('00002904d0000000000000', 'hex')]) : q;
}

const SEEDS: Buffer[] = [
  query('host.dyn.example.test', 1),
  query('host.dyn.example.test', 28, { edns: true }),
  query('a.b.c.dyn.example.test', 255, { edns: true }),
  query('missing.dyn.example.test', 16),
  query('dyn.example.test', 252),
  query('dyn.example.test', 251, { edns: true }),
  query('example.com', 1),
  query('dyn.example.test', 6, { opcode: 4 }),
  Buffer.from(sign(query('dyn.example.test', 252), { name: 'fuzz', secret: SECRET }, { time: Math.floor(Date.now() / 1000) }).message),
];

/** One hostile message. Each strategy targets a parser edge. */
function mutate(r: () => number): Buffer {
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(r() * xs.length)]!;
  const base = Buffer.from(pick(SEEDS));
  switch (Math.floor(r() * 10)) {
    case 0: // bit flips
      for (let i = 0, n = 1 + Math.floor(r() * 4); i < n; i++) base[Math.floor(r() * base.length)]! ^= 1 << Math.floor(r() * 8);
      return base;
    case 1: // truncation, including inside the header
      return base.subarray(0, Math.floor(r() * base.length));
    case 2: // huge section counts
      base.writeUInt16BE(Math.floor(r() * 0x10000), 4 + 2 * Math.floor(r() * 4));
      return base;
    case 3: // compression pointer loops and forward pointers in the question
      return Buffer.concat([base.subarray(0, 12), Buffer.from(pick(['c00c', 'c00e0000', '01410c0c', 'c0ff', '03616263c00f', 'c012']), 'hex'), Buffer.of(0, 1, 0, 1)]);
    case 4: // label length overflow and reserved label types
      base[12] = pick([0x40, 0x3f, 0x80, 0xff, 0x7f]);
      return base;
    case 5: {
      // bad EDNS: two OPTs, non-root owner, option lengths past the end, version > 0
      const opt = Buffer.from(pick(['00002904d0000000000000', '0100290200000000000000', '00002904d000010000ffff', '00002904d00000000000040008000fff']), 'hex');
      const m = Buffer.concat([query('host.dyn.example.test', 1), opt, r() < 0.5 ? opt : Buffer.alloc(0)]);
      m.writeUInt16BE(1 + Math.floor(r() * 3), 10);
      return m;
    }
    case 6: // pure noise
      return Buffer.from(Array.from({ length: Math.floor(r() * 80) }, () => Math.floor(r() * 256)));
    case 7: // valid header, random tail
      return Buffer.concat([base.subarray(0, 12), Buffer.from(Array.from({ length: Math.floor(r() * 300) }, () => Math.floor(r() * 256)))]);
    case 8: // overwrite random bytes
      for (let i = 0, n = 1 + Math.floor(r() * 8); i < n; i++) base[Math.floor(r() * base.length)] = Math.floor(r() * 256);
      return base;
    default: // well-formed (keeps the cache and transfer paths busy too)
      return base;
  }
}

describe('fuzz: a million hostile messages over UDP and TCP', () => {
  let dns: BuiltinDns;
  let server: RunningDnsServer;
  let handled = 0;
  let udpHandled = 0;
  const errors: unknown[] = [];

  beforeAll(async () => {
    dns = new BuiltinDns(dnsEnv({ SIGNPOST_DNS_TSIG_KEYS: `fuzz:${SECRET.toString('base64')}`, SIGNPOST_DNS_TCP_IDLE_SECONDS: '5' }).dns);
    dns.publisher.load(ZONE, parseZoneText(ZONE, 'host A 192.0.2.1\nhost AAAA 2001:db8::1\na.b.c TXT "x"'));
    const counting = Object.create(dns.responder) as Responder;
    counting.respond = (msg, remote, tcp) => {
      handled++;
      if (!tcp) udpHandled++;
      return dns.responder.respond(msg, remote, tcp);
    };
    server = await startDnsServer({ host: '127.0.0.1', port: 0, responder: counting, tcpIdleMs: 5000, maxTcpConnections: 64, onError: (e) => errors.push(e) });
  });
  afterAll(async () => server?.close());

  it(`survives ${TARGET.toLocaleString('en')} messages and still answers correctly`, { timeout: BUDGET_MS + 120_000 }, async () => {
    const r = rng(SEED);
    const started = Date.now();
    const udp = createSocket('udp4');
    udp.on('message', () => undefined);
    await new Promise<void>((resolve) => udp.bind(0, '127.0.0.1', resolve));

    // TCP: a few connections carrying many framed messages, plus garbage framing that must only cost its own connection.
    let tcpSent = 0;
    const tcpTarget = OVER_SOCKETS * TCP_SHARE;
    const openTcp = () =>
      new Promise<Socket>((resolve, reject) => {
        const s = connect(server.port, '127.0.0.1', () => resolve(s));
        s.on('data', () => undefined);
        s.on('error', () => undefined);
        s.once('error', reject);
      });
    const tcpWork = (async () => {
      while (tcpSent < tcpTarget && Date.now() - started < BUDGET_MS) {
        const s = await openTcp();
        const frames: Buffer[] = [];
        for (let i = 0; i < 2000; i++) {
          const m = mutate(r);
          const len = Buffer.alloc(2);
          len.writeUInt16BE(m.length);
          frames.push(len, m);
        }
        if (r() < 0.1) frames.push(Buffer.from([0xff, 0xff, 1, 2, 3])); // a frame that never completes
        tcpSent += 2000;
        await new Promise<void>((resolve) => s.write(Buffer.concat(frames), () => resolve()));
        await new Promise((res) => setTimeout(res, 5));
        s.destroy();
      }
    })();

    let udpSent = 0;
    while (handled < OVER_SOCKETS && Date.now() - started < BUDGET_MS) {
      const base = udpHandled;
      for (let i = 0; i < 256; i++) udp.send(mutate(r), server.port, '127.0.0.1');
      udpSent += 256;
      // Flow control: let the server drain most of a burst before the next, so the socket buffer does not overflow.
      const until = Date.now() + 20;
      while (udpHandled < base + 240 && Date.now() < until) await new Promise((res) => setImmediate(res));
    }
    await tcpWork;
    await new Promise((res) => setTimeout(res, 200));
    udp.close();
    const overSockets = handled;
    expect(overSockets).toBeGreaterThanOrEqual(OVER_SOCKETS);
    expect(tcpSent).toBeGreaterThan(0);

    // The rest straight into the responder, as the server calls it, half as UDP and half as TCP.
    for (let i = overSockets; i < TARGET; i++) {
      try {
        for (const _answer of dns.responder.respond(mutate(r), '127.0.0.1', r() < TCP_SHARE)) void _answer;
        handled++;
      } catch (error) {
        errors.push(error);
      }
    }
    const seconds = (Date.now() - started) / 1000;
    process.stderr.write(`fuzz seed=${SEED}: ${handled} messages handled (${overSockets} over sockets: udp sent ${udpSent}, tcp sent ${tcpSent}) in ${seconds.toFixed(1)} s\n`);

    expect(errors).toEqual([]);
    expect(handled).toBeGreaterThanOrEqual(TARGET);

    const answer = await rawUdp(server.port, query('host.dyn.example.test', 1, { id: 0xbeef }));
    expect(answer?.readUInt16BE(0)).toBe(0xbeef);
    expect(answer?.[3]! & 0x0f).toBe(0);
    expect(answer?.subarray(-4)).toEqual(Buffer.of(192, 0, 2, 1));

    // TCP too: a fresh connection gets a framed, correct answer.
    const tcpAnswer = await new Promise<Buffer>((resolve, reject) => {
      const q = query('host.dyn.example.test', 1, { id: 0xcafe });
      const s = connect(server.port, '127.0.0.1', () => s.write(Buffer.concat([Buffer.of(0, q.length), q])));
      let buf = Buffer.alloc(0);
      s.on('data', (d) => {
        buf = Buffer.concat([buf, d]);
        if (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
          s.destroy();
          resolve(buf.subarray(2));
        }
      });
      s.on('error', reject);
    });
    expect(tcpAnswer.readUInt16BE(0)).toBe(0xcafe);
    expect(tcpAnswer.subarray(-4)).toEqual(Buffer.of(192, 0, 2, 1));
  });
});
