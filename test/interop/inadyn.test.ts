/**
 * inadyn 2.10 (Debian; what UniFi OS runs) against the real server, with the
 * PROTOCOL.md config. It speaks HTTP/1.0, sends `Host:` without the port, and
 * exits non-zero on any body that is not good/nochg.
 */
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requirePeer } from '../support/peers.js';
import { hostOf, makeTempDir, run, startTestServer, type TestServer } from './harness.js';

const inadyn = requirePeer('inadyn');
const HOST = 'host.dyn.example.test';

describe.skipIf(!inadyn.available)('inadyn 2.10', () => {
  let server: TestServer;
  let dir: string;

  beforeAll(async () => {
    server = await startTestServer();
    dir = await makeTempDir('inadyn');
    await server.core.accounts.createUser({ username: 'alice', password: 's3cretpass', domains: [HOST] });
  });
  afterAll(async () => {
    await server?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  async function runInadyn(name: string, ip: string, password = 's3cretpass') {
    const file = join(dir, `${name}.conf`);
    const cacheDir = join(dir, `${name}-cache`);
    await mkdir(cacheDir, { recursive: true }); // inadyn does not create it (and then caches nothing)
    const config = `period = 300
custom local {
    ssl             = false
    username        = alice
    password        = ${password}
    checkip-command = "echo ${ip}"
    ddns-server     = 127.0.0.1:${server.port}
    ddns-path       = "/nic/update?hostname=%h&myip=%i"
    hostname        = ${HOST}
}
`;
    await writeFile(file, config, { mode: 0o600 });
    return run(inadyn.path, ['--once', '--foreground', '--no-pidfile', '-l', 'debug', '-f', file, `--cache-dir=${cacheDir}`]);
  }

  it('updates a host over HTTP/1.0 with a port-less Host header', async () => {
    const result = await runInadyn('ok', '1.2.3.4');
    expect(result.output).toContain(`GET /nic/update?hostname=${HOST}&myip=1.2.3.4 HTTP/1.0`);
    expect(result.output).toMatch(/^Host: 127\.0\.0\.1\r?$/m); // no port: the server must not care
    expect(result.output).toMatch(/good 1\.2\.3\.4/);
    expect(result.output).toContain(`Successful alias table update for ${HOST} => new IP# 1.2.3.4`);
    expect(result.output).toContain(`Updating cache for ${HOST}`);
    expect(result.code).toBe(0);
    expect(await hostOf(server, HOST)).toMatchObject({ owner: 'alice', ipv4: '1.2.3.4' });
  });

  it('updates again when the address changes, and sends nothing when it does not', async () => {
    const changed = await runInadyn('ok', '5.6.7.8');
    expect(changed.code).toBe(0);
    expect(changed.output).toContain(`new IP# 5.6.7.8`);
    expect((await hostOf(server, HOST))?.ipv4).toBe('5.6.7.8');

    const same = await runInadyn('ok', '5.6.7.8');
    expect(same.code).toBe(0);
    expect(same.output).toContain('No IP# change detected');
    expect(same.output).not.toContain('GET /nic/update');
  });

  it('exits with an error on badauth and changes nothing', async () => {
    const result = await runInadyn('bad', '9.9.9.9', 'wrong');
    expect(result.output).toMatch(/badauth/);
    expect(result.output).toContain('Error response from DDNS server');
    expect(result.code).not.toBe(0);
    expect((await hostOf(server, HOST))?.ipv4).toBe('5.6.7.8');
  });
});
