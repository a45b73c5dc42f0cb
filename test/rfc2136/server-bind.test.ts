/**
 * The Node server with SIGNPOST_PUBLISHER=rfc2136 publishing to a real BIND 9
 * primary: dyndns2 updates land there (the built-in server stays off), a
 * record the primary lost is put back when Signpost starts, and after an
 * outage (BIND paused) the client gets `dnserr`, the store keeps the old
 * address and the resync puts it back on the primary once it answers again.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/env.js';
import { startServer, type RunningServer } from '../../src/entrypoints/node/server.js';
import { dig, waitFor } from '../dns/support.js';
import { startBindPrimary, type BindPrimary } from '../support/bind-primary.js';
import { requirePeer } from '../support/peers.js';

const named = requirePeer('named');
const digPeer = requirePeer('dig');
const nsupdate = requirePeer('nsupdate');
const ZONE = 'home.example.test';
const HOST = `router.${ZONE}`;
const KEY = { name: 'signpost', algorithm: 'hmac-sha256' as const, secret: Buffer.from('server-bind-test-secret-0123456789') };
const OTHER = { name: 'admin', algorithm: 'hmac-sha256' as const, secret: Buffer.from('server-bind-other-secret-012345678') };

describe.skipIf(!named.available || !digPeer.available || !nsupdate.available)('Signpost publishing to BIND 9 over RFC 2136', () => {
  let bind: BindPrimary;
  let dataDir: string;
  let server: RunningServer | undefined;
  const start = async (extra: Record<string, string> = {}) => {
    const config = loadConfig({
      SIGNPOST_DATA_DIR: dataDir,
      SIGNPOST_HOST: '127.0.0.1',
      SIGNPOST_HTTP_PORT: '0',
      SIGNPOST_DNS_PORT: '0',
      SIGNPOST_ADMIN_KEY: 'rfc2136-admin-key-0123456789',
      SIGNPOST_LOG_LEVEL: 'silent',
      SIGNPOST_SHUTDOWN_GRACE_SECONDS: '1',
      SIGNPOST_ZONES: ZONE,
      SIGNPOST_PUBLISHER: 'rfc2136',
      SIGNPOST_RFC2136_SERVER: `127.0.0.1:${bind.port}`,
      SIGNPOST_RFC2136_KEY: `${KEY.name}:${KEY.secret.toString('base64')}`,
      ...extra,
    });
    server = await startServer(config);
    return server;
  };
  const update = async (ip: string) => {
    const res = await fetch(`${server!.url}/nic/update?hostname=${HOST}&myip=${ip}`, { headers: { authorization: `Basic ${Buffer.from('alice:s3cret pass').toString('base64')}`, 'user-agent': 'signpost-test/1.0' } });
    return (await res.text()).trim();
  };
  const onBind = async () => (await dig(digPeer.path, bind.port, [HOST, 'A', '+short', '+norec'])).stdout.trim();

  beforeAll(async () => {
    bind = await startBindPrimary(named.path, { zone: ZONE, keys: [KEY, OTHER], allowUpdate: [KEY.name, OTHER.name], allowTransfer: [KEY.name] });
    dataDir = await mkdtemp(join(tmpdir(), 'signpost-rfc2136-server-'));
  });
  afterAll(async () => {
    bind?.process.kill('SIGCONT');
    await server?.close();
    await bind?.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('publishes dyndns2 updates to the primary, with the built-in server off', async () => {
    await start();
    expect(server!.dnsPort).toBeUndefined();
    await server!.core.accounts.createUser({ username: 'alice', password: 's3cret pass', domains: [HOST] });
    expect(await update('192.0.2.10')).toBe('good 192.0.2.10');
    expect(await onBind()).toBe('192.0.2.10');
    expect(await update('192.0.2.10')).toBe('nochg 192.0.2.10');
  });

  it('puts back at start what the primary lost meanwhile', async () => {
    await server!.close();
    server = undefined;
    await bind.nsupdate(nsupdate.path, OTHER, `update delete ${HOST} A`);
    expect(await onBind()).toBe('');
    await start();
    await waitFor(async () => (await onBind()) === '192.0.2.10', 5000, 50);
  });

  it('answers dnserr during an outage, keeps the stored address, and resyncs the primary afterwards', async () => {
    bind.process.kill('SIGSTOP');
    let answer: string;
    try {
      answer = await update('192.0.2.20');
    } finally {
      bind.process.kill('SIGCONT');
    }
    expect(answer).toBe('dnserr');
    const host = await server!.core.store.getHost(HOST);
    expect(host?.addresses.v4).toBe('192.0.2.10');
    // Resumed, BIND processes the queued tries (the first applies .20); the resync then restores the store's .10.
    await waitFor(async () => (await onBind()) === '192.0.2.20', 900, 10);
    await waitFor(async () => (await onBind()) === '192.0.2.10', 15_000, 100);
    await new Promise((r) => setTimeout(r, 1500));
    expect(await onBind()).toBe('192.0.2.10');
  });

  it('with SIGNPOST_DNS=on, the built-in server also answers what the primary accepted, from start on', async () => {
    await server!.close();
    server = undefined;
    await start({ SIGNPOST_DNS: 'on' });
    const onBuiltin = async () => (await dig(digPeer.path, server!.dnsPort!, [HOST, 'A', '+short', '+norec'])).stdout.trim();
    expect(server!.dnsPort).toBeGreaterThan(0);
    expect(await onBuiltin()).toBe('192.0.2.10'); // loaded from the store at start
    expect(await update('192.0.2.30')).toBe('good 192.0.2.30');
    expect(await onBind()).toBe('192.0.2.30');
    expect(await onBuiltin()).toBe('192.0.2.30');
  });
});
