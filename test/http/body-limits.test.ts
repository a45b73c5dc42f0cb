import { connect, type Socket } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnServer, type ChildServer } from '../support/child-server.js';
import { ADMIN_KEY, createTestApp, UA } from '../support/http-app.js';

const KiB = 1024;
const MiB = 1024 * KiB;

/** A body that never ends: 64 KiB chunks for as long as someone reads; counts what was read. */
function endlessBody(): { stream: ReadableStream<Uint8Array>; pulled: () => number } {
  let pulled = 0;
  const chunk = new Uint8Array(64 * KiB).fill(0x61);
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      pulled += chunk.length;
      controller.enqueue(chunk);
    },
  });
  return { stream, pulled: () => pulled };
}

describe('request bodies are capped before anything reads them (app.request)', () => {
  it('answers 413 body_too_large for a form-posted update over 16 KiB, before authentication', async () => {
    const t = await createTestApp();
    const body = `hostname=home.dyn.example.test&pad=${'x'.repeat(17 * KiB)}`;
    const res = await t.app.request('/nic/update', { method: 'POST', headers: { 'user-agent': UA, 'content-type': 'application/x-www-form-urlencoded' }, body });
    expect(res.status).toBe(413);
    expect(await res.json()).toEqual({ error: { code: 'body_too_large', message: 'the request body is larger than 16384 bytes' } });
  });

  it('still takes a small form-posted update', async () => {
    const t = await createTestApp();
    await t.addUser('alice', 'alice-password', ['home.dyn.example.test']);
    const res = await t.update('', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'hostname=home.dyn.example.test&myip=192.0.2.7',
    });
    expect(res).toMatchObject({ status: 200, body: 'good 192.0.2.7' });
  });

  it('cuts off a streamed body without Content-Length once it passes the cap', async () => {
    const t = await createTestApp();
    for (const [path, headers] of [
      ['/nic/update', { 'user-agent': UA, 'content-type': 'application/x-www-form-urlencoded' }],
      ['/users', { 'content-type': 'application/json', 'x-api-key': ADMIN_KEY }],
      ['/no/such/route', {}],
    ] as const) {
      const { stream, pulled } = endlessBody();
      const res = await t.app.request(path, { method: 'POST', headers, body: stream, duplex: 'half' } as RequestInit);
      expect(res.status, path).toBe(413);
      expect((await res.json()).error.code).toBe('body_too_large');
      // The app-wide cap (256 KiB) counts a stream first; what is read ahead of it is a few chunks.
      expect(pulled(), path).toBeLessThanOrEqual(256 * KiB + 512 * KiB);
    }
  });

  it('refuses a declared Content-Length above the cap on the admin API even without the admin key', async () => {
    const t = await createTestApp();
    const big = JSON.stringify({ username: 'bob', password: 'p'.repeat(70 * KiB), domains: [] });
    for (const key of [null, 'wrong-key', ADMIN_KEY]) {
      const res = await t.admin('POST', '/users', big, key);
      expect(res.status).toBe(413);
      expect(res.json.error.code).toBe('body_too_large');
    }
    expect(await t.store.getUser('bob')).toBeUndefined();
  });
});

/** Reads the server's resident set size from its own /metrics. */
async function serverRss(server: ChildServer): Promise<number> {
  const text = await (await fetch(`${server.url}/metrics`)).text();
  const match = /^signpost_process_resident_memory_bytes (\d+)/m.exec(text);
  if (!match) throw new Error('no RSS in /metrics');
  return Number(match[1]);
}

interface Exchange {
  readonly response: string;
  readonly bytesSent: number;
}

/**
 * Sends `head`, then up to `limit` body bytes in 64 KiB writes (chunked
 * framing when `chunked`), stopping as soon as the server answers or closes.
 */
function sendBody(port: number, head: string, limit: number, chunked: boolean): Promise<Exchange> {
  return new Promise((resolve, reject) => {
    const socket: Socket = connect(port, '127.0.0.1');
    let response = '';
    let bytesSent = 0;
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      socket.destroy();
      resolve({ response, bytesSent });
    };
    const timer = setTimeout(finish, 10_000);
    socket.on('data', (chunk) => {
      response += chunk.toString('latin1');
      if (/\r\n\r\n/.test(response)) setTimeout(() => { clearTimeout(timer); finish(); }, 50);
    });
    socket.on('close', () => { clearTimeout(timer); finish(); });
    socket.on('error', () => undefined); // the server may reset a connection it refused
    socket.on('connect', () => {
      socket.write(head);
      const payload = Buffer.alloc(64 * KiB, 0x61);
      const frame = chunked ? Buffer.concat([Buffer.from(`${payload.length.toString(16)}\r\n`), payload, Buffer.from('\r\n')]) : payload;
      const pump = () => {
        while (!done && bytesSent < limit) {
          bytesSent += payload.length;
          if (!socket.write(frame)) return void socket.once('drain', pump);
        }
      };
      pump();
    });
    socket.on('timeout', () => reject(new Error('timeout')));
  });
}

describe('request bodies over a real socket (node server)', () => {
  let server: ChildServer;
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'signpost-body-'));
    server = await spawnServer({ SIGNPOST_DATA_DIR: dir, SIGNPOST_ADMIN_KEY: ADMIN_KEY, SIGNPOST_LOG_LEVEL: 'warn' });
  }, 60_000);
  afterAll(async () => {
    await server?.kill();
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers 413 early to a declared 1 GiB update body and buffers none of it', async () => {
    const before = await serverRss(server);
    const head = `POST /nic/update HTTP/1.1\r\nHost: x\r\nUser-Agent: ${UA}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: ${1024 * MiB}\r\n\r\n`;
    const { response, bytesSent } = await sendBody(server.port, head, 10 * MiB, false);
    expect(response).toMatch(/^HTTP\/1\.1 413/);
    expect(response).toContain('"code":"body_too_large"');
    expect(bytesSent).toBeLessThanOrEqual(10 * MiB);
    expect((await serverRss(server)) - before).toBeLessThan(8 * MiB);
  });

  it('cuts off a chunked body with no Content-Length and buffers no more than the cap', async () => {
    const before = await serverRss(server);
    const head = `POST /nic/update HTTP/1.1\r\nHost: x\r\nUser-Agent: ${UA}\r\nContent-Type: application/x-www-form-urlencoded\r\nTransfer-Encoding: chunked\r\n\r\n`;
    const { response } = await sendBody(server.port, head, 10 * MiB, true);
    expect(response).toMatch(/^HTTP\/1\.1 413/);
    expect(response).toContain('"code":"body_too_large"');
    expect((await serverRss(server)) - before).toBeLessThan(8 * MiB);
  });

  it('refuses request headers and URLs past 16 KiB (Node maxHeaderSize) with 431', async () => {
    const huge = 'a'.repeat(17 * KiB);
    for (const head of [
      `GET /nic/update?hostname=${huge} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`,
      `GET /healthz HTTP/1.1\r\nHost: x\r\nX-Pad: ${huge}\r\nConnection: close\r\n\r\n`,
    ]) {
      const { response } = await sendBody(server.port, head, 0, false);
      expect(response).toMatch(/^HTTP\/1\.1 431/);
    }
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
  });
});
