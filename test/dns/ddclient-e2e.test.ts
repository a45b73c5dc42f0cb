/**
 * End to end with real software on both sides: ddclient 3.10 updates a name
 * through the dyndns2 API, and the very next `dig` against the built-in DNS
 * server sees the new address and a higher SOA serial.
 */
import { chmod, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requirePeer } from '../support/peers.js';
import { makeTempDir, run, startTestServer, type TestServer } from '../interop/harness.js';
import { dig, ZONE } from './support.js';

const ddclient = requirePeer('ddclient');
const digPeer = requirePeer('dig');
const HOST = 'host.dyn.example.test';

describe.skipIf(!ddclient.available || !digPeer.available)('ddclient → Signpost → dig', () => {
  let server: TestServer;
  let dir: string;

  beforeAll(async () => {
    server = await startTestServer({ SIGNPOST_ZONES: ZONE });
    dir = await makeTempDir('ddclient-dns');
    await server.core.accounts.createUser({ username: 'alice', password: 's3cret pass', domains: [HOST] });
  });
  afterAll(async () => {
    await server?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  async function ddclientSets(ip: string) {
    const file = join(dir, `${ip}.conf`);
    const config = ['daemon=0', 'syslog=no', 'ssl=no', 'protocol=dyndns2', `server=127.0.0.1:${server.port}`, 'login=alice', "password='s3cret pass'", `use=ip, ip=${ip}`, HOST, ''].join('\n');
    await writeFile(file, config, { mode: 0o600 });
    await chmod(file, 0o600);
    return run(ddclient.path, ['-daemon=0', '-foreground', '-file', file, '-cache', join(dir, 'cache'), '-verbose', '-noquiet', '-force']);
  }
  const lookup = async () => (await dig(digPeer.path, server.dnsPort!, [HOST, 'A', '+short'])).stdout.trim();
  const serial = async () => Number((await dig(digPeer.path, server.dnsPort!, [ZONE, 'SOA', '+short'])).stdout.trim().split(/\s+/)[2]);

  it('the next query after "good" returns the new address', async () => {
    expect(await lookup()).toBe('');
    const first = await ddclientSets('192.0.2.44');
    expect(first.output).toContain(`SUCCESS:  updating ${HOST}: good: IP address set to 192.0.2.44`);
    expect(await lookup()).toBe('192.0.2.44');

    const before = await serial();
    const second = await ddclientSets('198.51.100.7');
    expect(second.output).toContain(`SUCCESS:  updating ${HOST}: good: IP address set to 198.51.100.7`);
    expect(await lookup()).toBe('198.51.100.7');
    expect(await serial()).toBe(before + 1);
  });
});
