/**
 * dyndns2 extras end to end: an update with wildcard=ON, mx and backmx, then
 * `dig` against the built-in DNS server sees synthesized wildcard answers
 * and the MX set; ddclient's own wildcard/mx/backupmx options turn them off.
 */
import { chmod, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requirePeer } from '../support/peers.js';
import { makeTempDir, run, startTestServer, type TestServer } from '../interop/harness.js';
import { dig, statusOf, ZONE } from './support.js';

const ddclient = requirePeer('ddclient');
const digPeer = requirePeer('dig');
const HOST = 'host.dyn.example.test';

describe.skipIf(!ddclient.available || !digPeer.available)('dyndns2 wildcard and MX → dig', () => {
  let server: TestServer;
  let dir: string;
  const q = (...args: string[]) => dig(digPeer.path, server.dnsPort!, args);
  const short = async (...args: string[]) => (await q(...args, '+short')).stdout.trim().split('\n').filter(Boolean).sort();

  beforeAll(async () => {
    server = await startTestServer({ SIGNPOST_ZONES: ZONE });
    dir = await makeTempDir('wildcard-dns');
    await server.core.accounts.createUser({ username: 'alice', password: 's3cret pass', domains: [HOST, `sub.${HOST}`] });
  });
  afterAll(async () => {
    await server?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const update = async (query: string) => {
    const res = await fetch(`http://127.0.0.1:${server.port}/nic/update?${query}`, {
      headers: { authorization: `Basic ${Buffer.from('alice:s3cret pass').toString('base64')}`, 'user-agent': 'phpDynDNS/0.7' },
    });
    return res.text();
  };

  async function ddclientSets(ip: string, options: string) {
    const file = join(dir, `${ip}.conf`);
    const config = ['daemon=0', 'syslog=no', 'ssl=no', 'protocol=dyndns2', `server=127.0.0.1:${server.port}`, 'login=alice', "password='s3cret pass'", `use=ip, ip=${ip}`, options, HOST, ''].join('\n');
    await writeFile(file, config, { mode: 0o600 });
    await chmod(file, 0o600);
    return run(ddclient.path, ['-daemon=0', '-foreground', '-file', file, '-cache', join(dir, 'cache'), '-verbose', '-noquiet', '-force']);
  }

  it("ddclient's wildcard/mx/backupmx: names below the host answer from *.host with the asked name as owner, and the MX lists the host first", async () => {
    const r = await ddclientSets('192.0.2.44', 'wildcard=yes, mx=mail.example.net, backupmx=yes');
    expect(r.output).toContain(`SUCCESS:  updating ${HOST}: good: IP address set to 192.0.2.44`);
    expect(await short(`www.${HOST}`, 'A')).toEqual(['192.0.2.44']);
    expect(await short(`a.b.${HOST}`, 'A')).toEqual(['192.0.2.44']);
    const answer = await q(`www.${HOST}`, 'A', '+noall', '+answer');
    expect(answer.stdout).toMatch(/^www\.host\.dyn\.example\.test\.\s+60\s+IN\s+A\s+192\.0\.2\.44$/m);
    expect(statusOf((await q(`www.${HOST}`, 'TXT')).stdout)).toBe('NOERROR');
    expect(await short(HOST, 'MX')).toEqual([`10 ${HOST}.`, '20 mail.example.net.']);
    // Another host below it is not covered by the wildcard, nor is anything below that host.
    expect(await update(`hostname=sub.${HOST}&myip=192.0.2.45`)).toBe('good 192.0.2.45');
    expect(await short(`sub.${HOST}`, 'A')).toEqual(['192.0.2.45']);
    expect(statusOf((await q(`x.sub.${HOST}`, 'A')).stdout)).toBe('NXDOMAIN');
  });

  it("pfSense's wildcard=OFF&mx=&backmx=NO removes the wildcard and the MX", async () => {
    expect(await update(`system=dyndns&hostname=${HOST}&myip=192.0.2.46&wildcard=OFF&mx=&backmx=NO`)).toBe('good 192.0.2.46');
    expect(statusOf((await q(`www.${HOST}`, 'A')).stdout)).toBe('NXDOMAIN');
    expect(await short(HOST, 'MX')).toEqual([]);
    expect(await short(HOST, 'A')).toEqual(['192.0.2.46']);
  });
});
