/** Slow, idle and too many TCP clients cannot pin the server, nor can one client starve the others. */
import { connect, type Socket } from 'node:net';
import * as dnsPacket from 'dns-packet';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parseZoneText, rawUdp, startTestDns, ZONE, type TestDns } from './support.js';

const QUERY = Buffer.from('abcd0100000100000000000004686f73740364796e076578616d706c6504746573740000010001', 'hex'); // host.dyn.example.test A

/** A TCP connection to the server; `from` picks the client address (any 127/8 address is loopback on Linux). */
function open(port: number, from?: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect({ port, host: '127.0.0.1', ...(from ? { localAddress: from } : {}) }, () => resolve(s));
    s.on('error', () => undefined);
    s.once('error', reject);
  });
}
const closed = (s: Socket) => new Promise<number>((resolve) => {
  const t = Date.now();
  if (s.destroyed) return resolve(0);
  s.once('close', () => resolve(Date.now() - t));
});
const framed = (m: Buffer) => Buffer.concat([Buffer.of(m.length >> 8, m.length & 0xff), m]);

describe('TCP limits', () => {
  let server: TestDns;
  beforeAll(async () => {
    server = await startTestDns(parseZoneText(ZONE, 'host A 192.0.2.1'), { SIGNPOST_DNS_TCP_IDLE_SECONDS: '0.3', SIGNPOST_DNS_MAX_TCP: '5' });
  });
  afterAll(async () => server?.close());

  it('answers over TCP and keeps the connection for more queries', async () => {
    const s = await open(server.port);
    const data: Buffer[] = [];
    s.on('data', (d) => data.push(d));
    s.write(Buffer.concat([framed(QUERY), framed(QUERY)]));
    await new Promise((r) => setTimeout(r, 100));
    const all = Buffer.concat(data);
    const first = all.readUInt16BE(0);
    expect(all.length).toBe(2 * (first + 2));
    expect(all.subarray(2 + first - 4, 2 + first)).toEqual(Buffer.of(192, 0, 2, 1));
    s.destroy();
  });

  it('closes an idle connection after the idle timeout', async () => {
    const s = await open(server.port);
    const ms = await closed(s);
    expect(ms).toBeGreaterThan(200);
    expect(ms).toBeLessThan(1500);
  });

  it('closes a client that trickles bytes without completing a message', async () => {
    const s = await open(server.port);
    const frame = framed(QUERY);
    let i = 0;
    const timer = setInterval(() => !s.destroyed && i < frame.length && s.write(frame.subarray(i, ++i)), 50);
    const ms = await closed(s);
    clearInterval(timer);
    expect(ms).toBeLessThan(1500);
  });

  it('caps concurrent connections; UDP keeps answering meanwhile', async () => {
    const sockets = await Promise.all(Array.from({ length: 12 }, () => open(server.port).catch(() => undefined)));
    await new Promise((r) => setTimeout(r, 100));
    const alive = sockets.filter((s) => s && !s.destroyed);
    expect(alive.length).toBeLessThanOrEqual(5);
    const answer = await rawUdp(server.port, QUERY);
    expect(answer?.subarray(-4)).toEqual(Buffer.of(192, 0, 2, 1));
    for (const s of sockets) s?.destroy();
    await new Promise((r) => setTimeout(r, 100));
    const again = await open(server.port);
    const data: Buffer[] = [];
    again.on('data', (d) => data.push(d));
    again.write(framed(QUERY));
    await new Promise((r) => setTimeout(r, 100));
    expect(Buffer.concat(data).length).toBeGreaterThan(12);
    again.destroy();
  });
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Sends one query on `s` and resolves with the first answer's bytes (undefined if none within 1 s). */
function ask(s: Socket, query: Buffer = QUERY): Promise<Buffer | undefined> {
  return new Promise((resolve) => {
    let data = Buffer.alloc(0);
    const done = (answer: Buffer | undefined) => {
      clearTimeout(timer);
      s.off('data', onData);
      s.off('close', onClose);
      resolve(answer);
    };
    const onData = (d: Buffer) => {
      data = Buffer.concat([data, d]);
      if (data.length >= 2 && data.length >= 2 + data.readUInt16BE(0)) done(data.subarray(2, 2 + data.readUInt16BE(0)));
    };
    const onClose = () => done(undefined);
    const timer = setTimeout(() => done(undefined), 1000);
    s.on('data', onData);
    s.once('close', onClose);
    if (!s.destroyed) s.write(framed(query));
  });
}

/** Opens `count` connections from `from`, one after another, each answering a query so the server has filed it. */
async function flood(port: number, from: string, count: number): Promise<Socket[]> {
  const sockets: Socket[] = [];
  for (let i = 0; i < count; i++) {
    const s = await open(port, from);
    await ask(s);
    sockets.push(s);
  }
  return sockets;
}
const alive = (sockets: Socket[]) => sockets.filter((s) => !s.destroyed && !s.readableEnded).length;

describe('TCP connections per client', () => {
  let server: TestDns | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('one source cannot starve another: it keeps at most its own share of the table', async () => {
    server = await startTestDns(parseZoneText(ZONE, 'host A 192.0.2.1'), { SIGNPOST_DNS_MAX_TCP: '8', SIGNPOST_DNS_MAX_TCP_PER_CLIENT: '3' });
    const flooder = await flood(server.port, '127.0.0.2', 12);
    await sleep(50);
    expect(alive(flooder)).toBe(3);
    // The newest survive: the flooder's least recently active connections made room for its newer ones.
    expect(flooder.slice(-3).every((s) => !s.destroyed && !s.readableEnded)).toBe(true);
    const other = await open(server.port, '127.0.0.3');
    expect((await ask(other))?.subarray(-4)).toEqual(Buffer.of(192, 0, 2, 1));
    for (const s of [...flooder, other]) s.destroy();
  });

  it('admits a newcomer when the table is full by closing an idle connection of the heaviest source', async () => {
    server = await startTestDns(parseZoneText(ZONE, 'host A 192.0.2.1'), { SIGNPOST_DNS_MAX_TCP: '6', SIGNPOST_DNS_MAX_TCP_PER_CLIENT: '4' });
    const heavy = await flood(server.port, '127.0.0.2', 4);
    const light = await flood(server.port, '127.0.0.3', 2);
    await sleep(50);
    expect(alive(heavy) + alive(light)).toBe(6);
    const newcomer = await open(server.port, '127.0.0.4');
    expect((await ask(newcomer))?.subarray(-4)).toEqual(Buffer.of(192, 0, 2, 1));
    await sleep(50);
    expect(alive(light)).toBe(2);
    expect(alive(heavy)).toBe(3);
    expect(heavy[0]!.destroyed || heavy[0]!.readableEnded).toBe(true); // the least recently active one went
    for (const s of [...heavy, ...light, newcomer]) s.destroy();
  });

  it('AXFR still works while a flood from many sources holds every connection', async () => {
    const records = Array.from({ length: 2000 }, (_, i) => `h${i} A 192.0.2.${i % 250}`).join('\n');
    server = await startTestDns(parseZoneText(ZONE, records), { SIGNPOST_DNS_MAX_TCP: '8', SIGNPOST_DNS_MAX_TCP_PER_CLIENT: '2' });
    const port = server.port;
    const flooders = (await Promise.all(['127.0.0.2', '127.0.0.3', '127.0.0.4', '127.0.0.5', '127.0.0.6'].map((from) => flood(port, from, 3)))).flat();
    // Each flooder keeps querying, so none of its connections ever goes quiet for long.
    const keepBusy = setInterval(() => flooders.forEach((s) => !s.destroyed && s.write(framed(QUERY))), 20);
    try {
      expect(alive(flooders)).toBe(8);
      const xfr = await open(port);
      const records = await axfr(xfr);
      expect(records.filter((r) => r.type === 'SOA')).toHaveLength(2);
      expect(records.filter((r) => r.type === 'A' && r.name.startsWith('h'))).toHaveLength(2000);
      xfr.destroy();
    } finally {
      clearInterval(keepBusy);
      for (const s of flooders) s.destroy();
    }
  });
});

/** A raw AXFR of the test zone over `s`: every record of every answer message, up to the closing SOA. */
function axfr(s: Socket): Promise<dnsPacket.Answer[]> {
  return new Promise((resolve, reject) => {
    const records: dnsPacket.Answer[] = [];
    let data = Buffer.alloc(0);
    const timer = setTimeout(() => reject(new Error(`AXFR incomplete after 5 s: ${records.length} records`)), 5000);
    s.on('data', (d: Buffer) => {
      data = Buffer.concat([data, d]);
      while (data.length >= 2 && data.length >= 2 + data.readUInt16BE(0)) {
        const message = dnsPacket.decode(data.subarray(2, 2 + data.readUInt16BE(0)));
        data = data.subarray(2 + data.readUInt16BE(0));
        if (message.id !== 7) continue; // answers to nothing else are expected, but be strict about what counts
        records.push(...(message.answers ?? []));
        if (records.length > 1 && records.at(-1)!.type === 'SOA') {
          clearTimeout(timer);
          resolve(records);
        }
      }
    });
    s.once('close', () => reject(new Error(`connection closed during AXFR after ${records.length} records`)));
    s.write(dnsPacket.streamEncode({ type: 'query', id: 7, flags: 0, questions: [{ type: 'AXFR', name: ZONE }] }));
  });
}
