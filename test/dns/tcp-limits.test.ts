/** Slow, idle and too many TCP clients cannot pin the server. */
import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseZoneText, rawUdp, startTestDns, ZONE, type TestDns } from './support.js';

const QUERY = Buffer.from('abcd0100000100000000000004686f73740364796e076578616d706c6504746573740000010001', 'hex'); // host.dyn.example.test A

function open(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect(port, '127.0.0.1', () => resolve(s));
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
