/**
 * The transport against fake servers on 127.0.0.1: small messages over UDP,
 * large ones over TCP, a truncated UDP answer retried over TCP, answers with
 * another id ignored, a timeout per try, and retries (with backoff) for
 * transport failures only.
 */
import { createSocket, type Socket } from 'node:dgram';
import { createServer, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { TransportError, exchange, tcpStream, udpExchange, withRetries } from '../../src/adapters/dns/rfc2136/transport.js';

const closers: (() => void)[] = [];
afterEach(() => {
  for (const c of closers.splice(0)) c();
});

/** A message of `size` octets with id 0xabcd. */
const message = (size: number, flags = 0) => {
  const m = new Uint8Array(size);
  m[0] = 0xab;
  m[1] = 0xcd;
  m[2] = flags >> 8;
  m[3] = flags & 0xff;
  return m;
};
const answerOf = (request: Uint8Array, tc = false) => {
  const a = Uint8Array.from(request.subarray(0, 12));
  a[2] = 0x80 | (tc ? 0x02 : 0);
  return a;
};

async function udpServer(onMessage: (msg: Uint8Array, reply: (b: Uint8Array) => void) => void): Promise<{ port: number; socket: Socket; seen: number[] }> {
  const socket = createSocket('udp4');
  const seen: number[] = [];
  socket.on('message', (msg, from) => {
    seen.push(msg.length);
    onMessage(new Uint8Array(msg), (b) => socket.send(b, from.port, from.address));
  });
  await new Promise<void>((r) => socket.bind(0, '127.0.0.1', r));
  closers.push(() => socket.close());
  return { port: socket.address().port, socket, seen };
}

async function tcpServer(port: number | undefined, answers: (request: Uint8Array) => Uint8Array[]): Promise<{ port: number; server: Server; seen: number[] }> {
  const seen: number[] = [];
  const server = createServer((conn) => {
    let buf = Buffer.alloc(0);
    conn.on('data', (d) => {
      buf = Buffer.concat([buf, d]);
      if (buf.length < 2 || buf.length < 2 + buf.readUInt16BE(0)) return;
      const request = new Uint8Array(buf.subarray(2, 2 + buf.readUInt16BE(0)));
      seen.push(request.length);
      for (const a of answers(request)) {
        const frame = Buffer.alloc(2 + a.length);
        frame.writeUInt16BE(a.length);
        frame.set(a, 2);
        conn.write(frame);
      }
    });
  });
  await new Promise<void>((r) => server.listen(port ?? 0, '127.0.0.1', r));
  closers.push(() => server.close());
  return { port: (server.address() as { port: number }).port, server, seen };
}

describe('transport', () => {
  it('sends messages of up to 512 octets over UDP and larger ones over TCP', async () => {
    const udp = await udpServer((m, reply) => reply(answerOf(m)));
    const tcp = await tcpServer(udp.port, (m) => [answerOf(m)]);
    const server = { host: '127.0.0.1', port: udp.port };
    expect((await exchange(server, message(512), 1000))[2]! & 0x80).toBe(0x80);
    expect(udp.seen).toEqual([512]);
    expect(tcp.seen).toEqual([]);
    await exchange(server, message(513), 1000);
    expect(udp.seen).toEqual([512]);
    expect(tcp.seen).toEqual([513]);
  });

  it('repeats a request over TCP when the UDP answer is truncated', async () => {
    const udp = await udpServer((m, reply) => reply(answerOf(m, true)));
    const tcp = await tcpServer(udp.port, (m) => [answerOf(m)]);
    const answer = await exchange({ host: '127.0.0.1', port: udp.port }, message(100), 1000);
    expect(answer[2]! & 0x02).toBe(0);
    expect([udp.seen, tcp.seen]).toEqual([[100], [100]]);
  });

  it('ignores answers with another id and times out', async () => {
    const udp = await udpServer((m, reply) => {
      const wrong = answerOf(m);
      wrong[1] = 0;
      reply(wrong);
    });
    await expect(udpExchange({ host: '127.0.0.1', port: udp.port }, message(40), 150)).rejects.toThrow(/no answer from 127\.0\.0\.1:\d+ over UDP within 150 ms/);
  });

  it('streams TCP answers until the caller has the last one, and fails on a connection closed early', async () => {
    const tcp = await tcpServer(undefined, (m) => [answerOf(m), answerOf(m), answerOf(m)]);
    let count = 0;
    await tcpStream({ host: '127.0.0.1', port: tcp.port }, message(30), 1000, () => ++count === 3);
    expect(count).toBe(3);
    const short = await tcpServer(undefined, (m) => [answerOf(m)]);
    short.server.on('connection', (c) => setTimeout(() => c.end(), 50));
    await expect(tcpStream({ host: '127.0.0.1', port: short.port }, message(30), 1000, () => false)).rejects.toBeInstanceOf(TransportError);
  });

  it('retries transport failures with doubling backoff, a bounded number of times, and nothing else', async () => {
    const started: number[] = [];
    const t0 = Date.now();
    await expect(
      withRetries({ retries: 2, backoffMs: 40 }, async () => {
        started.push(Date.now() - t0);
        throw new TransportError('down');
      }),
    ).rejects.toThrow('down');
    expect(started.length).toBe(3);
    expect(started[1]! - started[0]!).toBeGreaterThanOrEqual(35);
    expect(started[2]! - started[1]!).toBeGreaterThanOrEqual(75);
    let tries = 0;
    await expect(
      withRetries({ retries: 5, backoffMs: 1 }, async () => {
        tries++;
        throw new Error('refused');
      }),
    ).rejects.toThrow('refused');
    expect(tries).toBe(1);
    expect(await withRetries({ retries: 3, backoffMs: 1 }, async (n) => (n < 2 ? Promise.reject(new TransportError('x')) : n))).toBe(2);
  });

  it('reports a closed port as a transport failure', async () => {
    const probe = await tcpServer(undefined, () => []);
    const port = probe.port;
    await new Promise((r) => probe.server.close(r));
    await expect(tcpStream({ host: '127.0.0.1', port }, message(30), 500, () => true)).rejects.toThrow(/TCP to 127\.0\.0\.1:\d+ failed/);
  });
});
