/**
 * Getting a message to a DNS server and its answer back: UDP for messages
 * that fit in 512 octets (RFC 1035 §4.2.1), TCP for larger ones and when the
 * answer comes back truncated (TC), TCP streams for zone transfers. Each try
 * has a timeout; `withRetries` repeats transport failures only, with backoff.
 */
import { createSocket } from 'node:dgram';
import { isIPv6 } from 'node:net';
import { connect } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { FLAG } from '../builtin/wire.js';

export interface ServerAddress {
  readonly host: string;
  readonly port: number;
}

/** The server could not be reached, did not answer in time, or answered garbage: worth another try. */
export class TransportError extends Error {
  override name = 'TransportError';
}

export const UDP_LIMIT = 512;
const MAX_TCP_STREAM = 64 * 1024 * 1024; // a zone transfer larger than this is not one Signpost wrote

const idOf = (m: Uint8Array) => (m[0]! << 8) | m[1]!;
const where = (s: ServerAddress) => (isIPv6(s.host) ? `[${s.host}]:${s.port}` : `${s.host}:${s.port}`);

/** Sends one request and returns the answer: UDP when it fits, TCP when it does not or the answer is truncated. */
export async function exchange(server: ServerAddress, request: Uint8Array, timeoutMs: number): Promise<Uint8Array> {
  if (request.length <= UDP_LIMIT) {
    const answer = await udpExchange(server, request, timeoutMs);
    if ((((answer[2]! << 8) | answer[3]!) & FLAG.TC) === 0) return answer;
  }
  let answer: Uint8Array | undefined;
  await tcpStream(server, request, timeoutMs, (m) => {
    answer = m;
    return true;
  });
  return answer!;
}

export function udpExchange(server: ServerAddress, request: Uint8Array, timeoutMs: number): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    const socket = createSocket(isIPv6(server.host) ? 'udp6' : 'udp4');
    const done = (error: Error | undefined, answer?: Uint8Array) => {
      clearTimeout(timer);
      socket.close();
      if (error) reject(error);
      else resolve(answer!);
    };
    const timer = setTimeout(() => done(new TransportError(`no answer from ${where(server)} over UDP within ${timeoutMs} ms`)), timeoutMs);
    socket.on('error', (e) => done(new TransportError(`UDP to ${where(server)} failed: ${e.message}`, { cause: e })));
    socket.on('message', (msg, from) => {
      // Only an answer to this request from this server counts; anything else is ignored, not trusted.
      if (from.port !== server.port || msg.length < 12 || idOf(msg) !== idOf(request) || (msg[2]! & 0x80) === 0) return;
      done(undefined, new Uint8Array(msg));
    });
    socket.connect(server.port, server.host, () => socket.send(request));
  });
}

/**
 * Sends `request` over TCP and hands each framed answer to `onMessage` until
 * it returns true (the last message). `timeoutMs` bounds each wait for data.
 */
export function tcpStream(server: ServerAddress, request: Uint8Array, timeoutMs: number, onMessage: (message: Uint8Array) => boolean): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: server.host, port: server.port });
    let pending = Buffer.alloc(0);
    let total = 0;
    let finished = false;
    const finish = (error?: Error) => {
      if (finished) return;
      finished = true;
      socket.destroy();
      if (error) reject(error);
      else resolve();
    };
    socket.setTimeout(timeoutMs, () => finish(new TransportError(`no answer from ${where(server)} over TCP within ${timeoutMs} ms`)));
    socket.on('error', (e) => finish(new TransportError(`TCP to ${where(server)} failed: ${e.message}`, { cause: e })));
    socket.on('close', () => finish(new TransportError(`${where(server)} closed the TCP connection before the answer was complete`)));
    socket.on('connect', () => {
      const frame = Buffer.alloc(2 + request.length);
      frame.writeUInt16BE(request.length, 0);
      frame.set(request, 2);
      socket.write(frame);
    });
    socket.on('data', (chunk) => {
      total += chunk.length;
      if (total > MAX_TCP_STREAM) return finish(new TransportError(`answer from ${where(server)} exceeds ${MAX_TCP_STREAM} octets`));
      pending = Buffer.concat([pending, chunk]);
      while (!finished && pending.length >= 2) {
        const length = pending.readUInt16BE(0);
        if (pending.length < 2 + length) break;
        const message = new Uint8Array(pending.subarray(2, 2 + length));
        pending = pending.subarray(2 + length);
        if (message.length < 12 || idOf(message) !== idOf(request)) return finish(new TransportError(`unexpected message from ${where(server)} over TCP`));
        try {
          if (onMessage(message)) finish();
        } catch (error) {
          finish(error as Error);
        }
      }
    });
  });
}

export interface RetryPolicy {
  /** Further tries after the first. */
  readonly retries: number;
  /** Wait before the first retry; doubled for each further one. */
  readonly backoffMs: number;
}

/** Runs `attempt` again after a TransportError, up to `retries` more times; other errors pass straight through. */
export async function withRetries<T>(policy: RetryPolicy, attempt: (n: number) => Promise<T>): Promise<T> {
  for (let n = 0; ; n++) {
    try {
      return await attempt(n);
    } catch (error) {
      if (!(error instanceof TransportError) || n >= policy.retries) throw error;
      await sleep(policy.backoffMs * 2 ** n);
    }
  }
}
