import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { MemoryPublisher } from '../../src/adapters/dns/memory.js';
import { createLogger } from '../../src/adapters/observability/logger.js';
import type { Changes } from '../../src/domain/plan.js';
import { loadConfig } from '../../src/config/env.js';
import { startServer, type RunningServer } from '../../src/entrypoints/node/server.js';

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

/** A publisher that holds every plan until released, to catch a request in flight. */
class SlowPublisher extends MemoryPublisher {
  release: () => void = () => undefined;
  private onStart: () => void = () => undefined;
  readonly started = new Promise<void>((resolve) => (this.onStart = resolve));
  override async applyChanges(zone: string, changes: Changes): Promise<void> {
    this.onStart();
    await new Promise<void>((resolve) => (this.release = resolve));
    return super.applyChanges(zone, changes);
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
    const publisher = new SlowPublisher();
    server = await startServer(config(), { ...quiet, publisher });
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
