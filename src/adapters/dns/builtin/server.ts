/**
 * The sockets: one UDP socket and one TCP listener on the same port, both
 * handing raw messages to the Responder. TCP connections are capped in total
 * and per client (the heaviest client's idle connections make room for a
 * newcomer), and a connection that does not complete a message within the
 * idle timeout is closed, so slow, silent or numerous clients cannot pin
 * resources.
 */
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { lookup as dnsLookup } from 'node:dns';
import { createServer, type Server, type Socket } from 'node:net';
import { ConnectionTable, defaultPerClientLimit } from '../../net/connection-table.js';
import type { Responder } from './responder.js';

export interface DnsServerOptions {
  readonly host: string;
  /** 0 picks a free port (tests); UDP and TCP then share whatever UDP got. */
  readonly port: number;
  readonly responder: Responder;
  readonly tcpIdleMs?: number;
  readonly maxTcpConnections?: number;
  /** Per client (IPv4 address or IPv6 /64); defaults to an eighth of maxTcpConnections. */
  readonly maxTcpPerClient?: number;
  readonly onError?: (error: unknown, context: string) => void;
}

export interface RunningDnsServer {
  readonly port: number;
  readonly host: string;
  close(): Promise<void>;
}

const MAX_TCP_MESSAGE = 65535;
/** Parsed but unanswered messages per connection before reading pauses. */
const MAX_QUEUED = 64;

export async function startDnsServer(options: DnsServerOptions): Promise<RunningDnsServer> {
  const family = options.host.includes(':') ? 'udp6' : 'udp4';
  for (let attempt = 0; ; attempt++) {
    const sendLookup = literalLookup(family);
    const udp = createSocket({ type: family, recvBufferSize: 4 << 20, sendBufferSize: 4 << 20, lookup: sendLookup.lookup } as Parameters<typeof createSocket>[0]);
    await new Promise<void>((resolve, reject) => {
      udp.once('error', reject);
      udp.bind(options.port, options.host, () => {
        udp.off('error', reject);
        resolve();
      });
    });
    const port = udp.address().port;
    try {
      const tcp = await listenTcp(options, port);
      sendLookup.bound();
      serveUdp(udp, options);
      return {
        port,
        host: options.host,
        close: async () => {
          await Promise.all([
            new Promise<void>((resolve) => udp.close(() => resolve())),
            new Promise<void>((resolve) => {
              tcp.server.close(() => resolve());
              for (const s of tcp.sockets) s.destroy();
            }),
          ]);
        },
      };
    } catch (error) {
      udp.close();
      // With port 0 the TCP side of the UDP port may be taken; try another port.
      if (options.port !== 0 || attempt >= 10 || (error as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw error;
    }
  }
}

function serveUdp(udp: UdpSocket, options: DnsServerOptions): void {
  const responder = options.responder;
  udp.on('error', (error) => options.onError?.(error, 'udp'));
  udp.on('message', (msg, rinfo) => {
    if (rinfo.port === 0) return; // cannot be answered (and send() would throw)
    // Cache hits (nearly every query under load) skip the generic path entirely.
    const hit = responder.cached(msg, false);
    if (hit) {
      udp.send(hit, rinfo.port, rinfo.address);
      return;
    }
    const update = responder.updating(msg, rinfo.address, false);
    if (update) {
      // Answered when the use case is done; queries meanwhile go on.
      update.then(
        (answer) => {
          if (answer) udp.send(answer, rinfo.port, rinfo.address);
        },
        (error: unknown) => options.onError?.(error, 'udp update'),
      );
      return;
    }
    let responses: Iterable<Uint8Array>;
    try {
      responses = responder.respond(msg, rinfo.address, false);
    } catch (error) {
      options.onError?.(error, 'udp respond');
      return;
    }
    for (const r of responses) udp.send(r, rinfo.port, rinfo.address);
  });
}

/**
 * dgram resolves the destination of every send() through `lookup`, by default
 * dns.lookup, which for an address literal still costs an IP regex and a
 * process.nextTick per packet. Replies go to `rinfo.address`, always a
 * literal, so once the socket is bound a literal is handed back synchronously;
 * anything else (and the bind itself) still goes through dns.lookup.
 */
function literalLookup(family: 'udp4' | 'udp6'): { lookup: typeof dnsLookup; bound(): void } {
  let bound = false;
  const lookup = ((address: string, options: unknown, callback: (error: Error | null, address: string, family: number) => void) => {
    if (bound && isLiteral(address, family)) callback(null, address, family === 'udp4' ? 4 : 6);
    else (dnsLookup as (a: string, o: unknown, c: typeof callback) => void)(address, options, callback);
  }) as typeof dnsLookup;
  return { lookup, bound: () => void (bound = true) };
}

function isLiteral(address: string, family: 'udp4' | 'udp6'): boolean {
  if (family === 'udp6') return address.includes(':');
  const n = address.length;
  if (n < 7 || n > 15) return false;
  for (let i = 0; i < n; i++) {
    const c = address.charCodeAt(i);
    if (c !== 46 && (c < 48 || c > 57)) return false;
  }
  return true;
}

async function listenTcp(options: DnsServerOptions, port: number): Promise<{ server: Server; sockets: Set<Socket> }> {
  const sockets = new Set<Socket>();
  const idleMs = options.tcpIdleMs ?? 10_000;
  const total = options.maxTcpConnections ?? 256;
  const table = new ConnectionTable<{ readonly busy: boolean; close(): void }>({ total, perClient: options.maxTcpPerClient ?? defaultPerClientLimit(total) });
  const server = createServer((socket) => {
    let busy = false;
    // Busy while answering (a transfer streams for a while): never evicted then.
    const connection = {
      get busy() {
        return busy;
      },
      close: () => socket.destroy(),
    };
    if (!table.admit(socket.remoteAddress ?? '', connection)) {
      socket.destroy();
      return;
    }
    sockets.add(socket);
    socket.setNoDelay(true);
    let pending = Buffer.alloc(0);
    const queue: Buffer[] = [];
    // The timer restarts only when a whole message arrives: trickling bytes does not keep a connection alive.
    let timer = setTimeout(() => socket.destroy(), idleMs);
    const restart = () => {
      clearTimeout(timer);
      timer = setTimeout(() => socket.destroy(), idleMs);
    };
    const writable = () =>
      new Promise<void>((resolve) => {
        const done = () => {
          socket.off('drain', done);
          socket.off('close', done);
          resolve();
        };
        socket.once('drain', done);
        socket.once('close', done);
      });

    /** Answers queued messages in order; a transfer streams with backpressure and yields to other clients. */
    const pump = async () => {
      if (busy) return;
      busy = true;
      try {
        while (queue.length > 0 && !socket.destroyed) {
          const msg = queue.shift()!;
          if (queue.length < MAX_QUEUED / 2 && socket.isPaused()) socket.resume();
          let sent = 0;
          const update = options.responder.updating(msg, socket.remoteAddress ?? '', true);
          const answers = update ? [await update].filter((a) => a !== undefined) : options.responder.respond(msg, socket.remoteAddress ?? '', true);
          for (const r of answers) {
            if (socket.destroyed) break;
            const framed = Buffer.allocUnsafe(2 + r.length);
            framed.writeUInt16BE(r.length, 0);
            framed.set(r, 2);
            if (!socket.write(framed)) await writable();
            else if (++sent % 16 === 0) await new Promise((resolve) => setImmediate(resolve));
            restart(); // a client that keeps reading a long transfer is not idle
          }
        }
      } catch (error) {
        options.onError?.(error, 'tcp respond');
        socket.destroy();
      } finally {
        busy = false;
      }
    };

    socket.on('data', (chunk) => {
      pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
      while (pending.length >= 2) {
        const length = pending.readUInt16BE(0);
        if (pending.length < 2 + length) break;
        queue.push(pending.subarray(2, 2 + length));
        pending = pending.subarray(2 + length);
        restart();
        table.touch(connection);
      }
      // A client that pipelines faster than it reads its answers is paused (TCP pushes back), not buffered.
      if (queue.length >= MAX_QUEUED) socket.pause();
      if (pending.length > 2 + MAX_TCP_MESSAGE) socket.destroy();
      void pump();
    });
    socket.on('error', () => socket.destroy());
    socket.on('close', () => {
      clearTimeout(timer);
      sockets.delete(socket);
      table.remove(connection);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port, host: options.host }, () => {
      server.off('error', reject);
      resolve();
    });
  });
  server.on('error', (error) => options.onError?.(error, 'tcp'));
  return { server, sockets };
}
