import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { connect, type Socket } from 'node:net';
import * as dnsPacket from 'dns-packet';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { MemoryDnsProvider } from '../../src/adapters/dns/memory.js';
import type { ZoneRef } from '../../src/ports/dns-provider.js';
import { createLogger } from '../../src/adapters/observability/logger.js';
import type { Changes } from '../../src/domain/plan.js';
import { loadConfig } from '../../src/config/env.js';
import { startServer, type RunningServer } from '../../src/entrypoints/node/server.js';
import { rawUdp, waitFor } from '../dns/support.js';

const dirs: string[] = [];
let server: RunningServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
  dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true }));
});

const config = (extra: Record<string, string> = {}) => {
  const dir = mkdtempSync(join(tmpdir(), 'signpost-server-'));
  dirs.push(dir);
  return loadConfig({ SIGNPOST_DATA_DIR: dir, SIGNPOST_HOST: '127.0.0.1', SIGNPOST_HTTP_PORT: '0', SIGNPOST_DNS_PORT: '0', ...extra });
};
const quiet = { logger: createLogger('silent') };
const auth = `Basic ${Buffer.from('alice:alice-password').toString('base64')}`;

/** A provider that holds every plan until released, to catch a request in flight. */
class SlowPublisher extends MemoryDnsProvider {
  release: () => void = () => undefined;
  private onStart: () => void = () => undefined;
  readonly started = new Promise<void>((resolve) => (this.onStart = resolve));
  override async apply(zone: ZoneRef | string, changes: Changes): Promise<void> {
    this.onStart();
    await new Promise<void>((resolve) => (this.release = resolve));
    return super.apply(zone, changes);
  }
}

describe('Node server', () => {
  it('generates an admin key on first start, keeps only its hash, and does not print it again', async () => {
    const c = config();
    server = await startServer(c, quiet);
    const key = server.adminKey.generated;
    expect(key).toMatch(/^spk_/);
    expect(await server.core.store.getSetting('admin_key_sha256')).not.toContain(key);
    const res = await fetch(`${server.url}/users`, { headers: { 'x-api-key': key ?? '' } });
    expect(res.status).toBe(200);
    await server.close();
    server = await startServer(c, quiet);
    expect(server.adminKey.generated).toBeUndefined();
    expect(server.adminKey.verify(key ?? '')).toBe(true);
  });

  it('uses SIGNPOST_ADMIN_KEY when given', async () => {
    server = await startServer(config({ SIGNPOST_ADMIN_KEY: 'configured-admin-key-1' }), quiet);
    expect(server.adminKey.generated).toBeUndefined();
    expect((await fetch(`${server.url}/users`, { headers: { 'x-api-key': 'configured-admin-key-1' } })).status).toBe(200);
  });

  it('finishes in-flight updates on shutdown, then closes the store', async () => {
    const publisher = new SlowPublisher(['dyn.example.test']);
    server = await startServer(config(), { ...quiet, provider: publisher });
    await server.core.accounts.createUser({ username: 'alice', password: 'alice-password', domains: ['home.dyn.example.test'] });
    const inFlight = fetch(`${server.url}/nic/update?hostname=home.dyn.example.test&myip=192.0.2.1`, {
      headers: { authorization: auth, 'user-agent': 'test/1.0' },
    });
    await publisher.started;
    const closing = server.close();
    publisher.release();
    const res = await inFlight;
    expect(await res.text()).toBe('good 192.0.2.1');
    await closing;
    await expect(fetch(`${server.url}/healthz`)).rejects.toThrow();
    await expect(server.core.store.getHost('home.dyn.example.test')).rejects.toThrow(/not open|finalized/);
  });

  it('a restart with another SIGNPOST_TTL serves existing hosts with it, without another update', async () => {
    const first = config({ SIGNPOST_TTL: '60' });
    server = await startServer(first, quiet);
    await server.core.accounts.createUser({ username: 'alice', password: 'alice-password', domains: ['home.dyn.example.test'] });
    const res = await fetch(`${server.url}/nic/update?hostname=home.dyn.example.test&myip=192.0.2.1`, { headers: { authorization: auth, 'user-agent': 'test/1.0' } });
    expect(await res.text()).toBe('good 192.0.2.1');
    const ttlServed = async () => {
      const query = dnsPacket.encode({ type: 'query', id: 1, flags: 0, questions: [{ type: 'A', name: 'home.dyn.example.test' }] });
      const answer = await rawUdp(server!.dnsPort!, query);
      return dnsPacket.decode(answer!).answers?.map((a) => [(a as { ttl: number }).ttl, (a as { data: string }).data]);
    };
    expect(await ttlServed()).toEqual([[60, '192.0.2.1']]);
    await server.close();

    server = await startServer(config({ SIGNPOST_DATA_DIR: first.dataDir, SIGNPOST_TTL: '300' }), quiet);
    await waitFor(async () => (await ttlServed())?.[0]?.[0] === 300, 5000); // moved in the background, right after start
    expect(await ttlServed()).toEqual([[300, '192.0.2.1']]);
    expect(await server.core.store.getHost('home.dyn.example.test')).toMatchObject({ ttl: 300, version: 2 });
  });

  it('answers with Content-Length over a real socket and keeps the IPv4 peer address', async () => {
    server = await startServer(config(), quiet);
    const res = await fetch(`${server.url}/nic/checkip`);
    expect(res.headers.get('content-length')).toBe('9');
    expect(await res.text()).toBe('127.0.0.1');
  });
});

describe('requests Node accepts but no URL can be built from', () => {
  it('answer 400 with a Content-Length', async () => {
    const { connect } = await import('node:net');
    server = await startServer(config(), quiet);
    const raw = await new Promise<string>((resolve, reject) => {
      const socket = connect(server!.port, '127.0.0.1', () => socket.end('GET /nic/checkip HTTP/1.1\r\nHost: exa mple\r\nConnection: close\r\n\r\n'));
      let data = '';
      socket.on('data', (chunk) => (data += chunk.toString()));
      socket.on('end', () => resolve(data));
      socket.on('error', reject);
    });
    expect(raw).toMatch(/^HTTP\/1\.1 400/);
    expect(raw).toMatch(/content-length: 11/i);
    expect(raw.endsWith('bad request')).toBe(true);
  });
});

/** A keep-alive connection from `from` (any 127/8 address is loopback on Linux) that has had one answered request. */
async function keptAlive(port: number, from: string): Promise<Socket> {
  const socket = connect({ port, host: '127.0.0.1', localAddress: from });
  socket.on('error', () => undefined);
  await new Promise<void>((resolve, reject) => {
    let data = '';
    socket.once('close', () => reject(new Error(`closed before an answer from ${from}`)));
    socket.on('data', function onData(chunk) {
      data += chunk.toString();
      const length = /content-length: (\d+)/i.exec(data);
      if (length && data.length >= data.indexOf('\r\n\r\n') + 4 + Number(length[1])) {
        socket.off('data', onData);
        socket.removeAllListeners('close');
        resolve();
      }
    });
    socket.write('GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n');
  });
  return socket;
}
const open = (sockets: Socket[]) => sockets.filter((s) => !s.destroyed && !s.readableEnded).length;
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('HTTP connection limits', () => {
  const sockets: Socket[] = [];
  afterEach(() => sockets.splice(0).forEach((s) => s.destroy()));

  it('one client keeps at most its share of keep-alive connections; another client is still served', async () => {
    server = await startServer(config({ SIGNPOST_HTTP_MAX_CONNECTIONS: '8', SIGNPOST_HTTP_MAX_CONNECTIONS_PER_CLIENT: '3' }), quiet);
    for (let i = 0; i < 10; i++) sockets.push(await keptAlive(server.port, '127.0.0.2'));
    await pause(50);
    expect(open(sockets)).toBe(3);
    expect(sockets.slice(-3).every((s) => !s.destroyed && !s.readableEnded)).toBe(true); // its oldest idle ones went
    sockets.push(await keptAlive(server.port, '127.0.0.3'));
  });

  it('a full table admits a newcomer by closing the oldest idle connection of the heaviest client', async () => {
    server = await startServer(config({ SIGNPOST_HTTP_MAX_CONNECTIONS: '5', SIGNPOST_HTTP_MAX_CONNECTIONS_PER_CLIENT: '5' }), quiet);
    const heavy: Socket[] = [];
    for (let i = 0; i < 3; i++) heavy.push(await keptAlive(server.port, '127.0.0.2'));
    const light = [await keptAlive(server.port, '127.0.0.3'), await keptAlive(server.port, '127.0.0.3')];
    sockets.push(...heavy, ...light);
    const newcomer = await keptAlive(server.port, '127.0.0.4');
    sockets.push(newcomer);
    await pause(50);
    expect(open(light)).toBe(2);
    expect(open(heavy)).toBe(2);
    expect(heavy[0]!.destroyed || heavy[0]!.readableEnded).toBe(true);
  });

  it('trusted proxies are held only to the total', async () => {
    server = await startServer(config({ SIGNPOST_HTTP_MAX_CONNECTIONS: '8', SIGNPOST_HTTP_MAX_CONNECTIONS_PER_CLIENT: '2', SIGNPOST_TRUSTED_PROXIES: '127.0.0.2' }), quiet);
    for (let i = 0; i < 5; i++) sockets.push(await keptAlive(server.port, '127.0.0.2'));
    await pause(50);
    expect(open(sockets)).toBe(5);
  });

  it('closes idle keep-alive connections and connections whose request does not arrive in time', async () => {
    server = await startServer(config({ SIGNPOST_HTTP_KEEPALIVE_SECONDS: '0.2', SIGNPOST_HTTP_REQUEST_TIMEOUT_SECONDS: '0.3' }), quiet);
    const idle = await keptAlive(server.port, '127.0.0.1');
    const silent = connect(server.port, '127.0.0.1');
    const slow = connect(server.port, '127.0.0.1', () => slow.write('GET /healthz HTTP/1.1\r\nHost: local'));
    sockets.push(idle, silent, slow);
    const closedWithin = (s: Socket) => new Promise<number>((resolve) => {
      const start = Date.now();
      s.on('error', () => undefined);
      s.resume(); // a socket must read the server's FIN to see it close
      s.once('close', () => resolve(Date.now() - start));
    });
    const [a, b, c] = await Promise.all([closedWithin(idle), closedWithin(silent), closedWithin(slow)]);
    expect(a).toBeLessThan(2500); // Node waits a further second past keepAliveTimeout, for clients racing it
    expect(b).toBeLessThan(1500);
    expect(c).toBeLessThan(1500);
  });

  it('defaults: 512 connections, an eighth per client, 5 s keep-alive, 10 s for headers, 30 s per request', () => {
    expect(config().http).toEqual({ maxConnections: 512, maxConnectionsPerClient: 64, keepAliveMs: 5000, headersTimeoutMs: 10_000, requestTimeoutMs: 30_000 });
  });
});

describe('a start that cannot listen', () => {
  it('closes the store it opened before failing (HTTP port taken, then DNS port taken)', async () => {
    const { MemoryStore } = await import('../../src/adapters/store/memory.js');
    const { createServer } = await import('node:net');
    const busy = createServer();
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
    const port = String((busy.address() as { port: number }).port);
    try {
      const cases: Record<string, string>[] = [{ SIGNPOST_HTTP_PORT: port }, { SIGNPOST_DNS_PORT: port }];
      for (const taken of cases) {
        let closed = 0;
        const store = Object.assign(new MemoryStore(), { close: async () => void closed++ });
        await expect(startServer(config(taken), { ...quiet, store })).rejects.toThrow(/EADDRINUSE/);
        expect(closed).toBe(1);
      }
    } finally {
      await new Promise<void>((resolve) => busy.close(() => resolve()));
    }
  });
});
