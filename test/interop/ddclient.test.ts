/**
 * ddclient 3.10 (Debian) against the real server: the exact config of
 * PROTOCOL.md, two hosts in one request, its cache, and a wrong password.
 */
import { chmod, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requirePeer } from '../support/peers.js';
import { hostOf, makeTempDir, run, startTestServer, type TestServer } from './harness.js';

const ddclient = requirePeer('ddclient');
const HOSTS = ['host.dyn.example.test', 'two.dyn.example.test'] as const;

describe.skipIf(!ddclient.available)('ddclient 3.10', () => {
  let server: TestServer;
  let dir: string;

  beforeAll(async () => {
    server = await startTestServer();
    dir = await makeTempDir('ddclient');
    await server.core.accounts.createUser({ username: 'alice', password: 's3cret pass', domains: [...HOSTS] });
  });
  afterAll(async () => {
    await server?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  /** Writes the PROTOCOL.md config (chmod 600, as ddclient insists) and runs ddclient once in the foreground. */
  async function runDdclient(name: string, password: string) {
    const file = join(dir, `${name}.conf`);
    const config = [
      'daemon=0',
      'syslog=no',
      'ssl=no',
      'protocol=dyndns2',
      `server=127.0.0.1:${server.port}`,
      'login=alice',
      `password='${password}'`,
      'use=ip, ip=1.2.3.4',
      HOSTS.join(','),
      '',
    ].join('\n');
    await writeFile(file, config, { mode: 0o600 });
    await chmod(file, 0o600);
    return run(ddclient.path, ['-daemon=0', '-foreground', '-file', file, '-cache', join(dir, `${name}.cache`), '-verbose', '-noquiet']);
  }

  it('sends both hosts in one request and gets good per host', async () => {
    const result = await runDdclient('ok', 's3cret pass');
    expect(result.code).toBe(0);
    const requests = result.output.split('\n').filter((l) => l.includes('SENDING:  GET /nic/update'));
    expect(requests).toHaveLength(1);
    expect(requests[0]).toContain('hostname=host.dyn.example.test,two.dyn.example.test');
    expect(requests[0]).toContain('myip=1.2.3.4');
    expect(result.output).toMatch(/RECEIVE: {2}good 1\.2\.3\.4\n.*RECEIVE: {2}good 1\.2\.3\.4/);
    for (const host of HOSTS) expect(result.output).toContain(`SUCCESS:  updating ${host}: good: IP address set to 1.2.3.4`);
    expect(result.output).not.toMatch(/FAILED|WARNING/);

    for (const host of HOSTS) expect(await hostOf(server, host)).toMatchObject({ hostname: host, owner: 'alice', ipv4: '1.2.3.4', ipv6: null });
  });

  it('sends nothing on the second run (its cache says the address is set)', async () => {
    const history = async () => (await server.admin<{ history: unknown[] }>(`/hosts/${HOSTS[0]}/history`)).history.length;
    const before = await history();
    const result = await runDdclient('ok', 's3cret pass');
    expect(result.code).toBe(0);
    expect(result.output).not.toContain('SENDING:');
    for (const host of HOSTS) expect(result.output).toContain(`${host}: skipped: IP address was already set to 1.2.3.4`);
    expect(await history()).toBe(before);
  });

  it('reports badauth for a wrong password and changes nothing', async () => {
    const result = await runDdclient('bad', 'not the password');
    expect(result.output).toContain('RECEIVE:  badauth');
    expect(result.output).toMatch(/FAILED: {3}updating host\.dyn\.example\.test: badauth/);
    expect(result.output).not.toContain('SUCCESS:  updating');
    expect((await hostOf(server, HOSTS[0]))?.ipv4).toBe('1.2.3.4');
  });
});
