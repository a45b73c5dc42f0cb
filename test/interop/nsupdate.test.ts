/**
 * BIND's `nsupdate` against the real server with per-user TSIG keys: alice
 * sets her address and ACME challenge values, and dig sees them in the very
 * next query; she cannot write bob's names or repoint bob's address
 * (REFUSED, nothing changes); unsigned, wrong-secret and revoked-key
 * updates are refused too.
 */
import { writeFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requirePeer } from '../support/peers.js';
import { dig } from '../dns/support.js';
import { ADMIN_KEY, makeTempDir, run, startTestServer, ZONE, type TestServer } from './harness.js';

const nsupdate = requirePeer('nsupdate');
const digPeer = requirePeer('dig');

interface CreatedKey {
  readonly name: string;
  readonly algorithm: string;
  readonly secret: string;
}

describe.skipIf(!nsupdate.available || !digPeer.available)('nsupdate with per-user TSIG keys', () => {
  let server: TestServer;
  let dir: string;
  let alice: CreatedKey;
  let bob: CreatedKey;
  let scripts = 0;

  const admin = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${server.url}${path}`, { method, headers: { 'x-api-key': ADMIN_KEY, 'content-type': 'application/json' }, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
    return { status: res.status, json: res.status === 204 ? undefined : await res.json() };
  };

  /** Runs nsupdate on `lines` (after `server` and `zone`), signed with `key` when given. */
  const update = async (lines: string[], key?: { name: string; algorithm: string; secret: string }, extra: string[] = []) => {
    const file = join(dir, `script-${++scripts}`);
    await writeFile(file, [`server 127.0.0.1 ${server.dnsPort}`, `zone ${ZONE}`, ...lines, 'send', ''].join('\n'));
    return run(nsupdate.path, [...(key ? ['-y', `${key.algorithm}:${key.name}:${key.secret}`] : []), '-t', '5', ...extra, file]);
  };
  const answer = async (name: string, type: string) => (await dig(digPeer.path, server.dnsPort!, ['+short', name, type])).stdout.trim().split('\n').filter(Boolean).sort();

  beforeAll(async () => {
    server = await startTestServer();
    dir = await makeTempDir('nsupdate');
    for (const [username, domains] of [['alice', [`alice.${ZONE}`, `*.alice.${ZONE}`]], ['bob', [`bob.${ZONE}`]]] as const) {
      expect((await admin('POST', '/user', { username, password: 'correct horse battery', domains })).status).toBe(201);
    }
    alice = (await admin('POST', '/users/alice/tsig-keys', { name: 'laptop.alice' })).json;
    bob = (await admin('POST', '/users/bob/tsig-keys', {})).json;
    const set = await update([`update add bob.${ZONE} 60 A 192.0.2.66`], bob);
    expect(set.code, set.output).toBe(0);
  }, 60_000);
  afterAll(async () => {
    await server?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('alice sets her A record and two challenge values; dig sees them at once, with AA on the challenge name’s SOA', async () => {
    const result = await update([`update add alice.${ZONE} 60 A 192.0.2.10`, `update add _acme-challenge.alice.${ZONE} 60 TXT "token-one"`, `update add _acme-challenge.alice.${ZONE} 60 TXT "token-two"`], alice);
    expect(result.code, result.output).toBe(0);
    expect(await answer(`alice.${ZONE}`, 'A')).toEqual(['192.0.2.10']);
    expect(await answer(`_acme-challenge.alice.${ZONE}`, 'TXT')).toEqual(['"token-one"', '"token-two"']);
    // certbot and lego find the zone by asking for the challenge name's SOA.
    const soa = await dig(digPeer.path, server.dnsPort!, [`_acme-challenge.alice.${ZONE}`, 'SOA']);
    expect(soa.stdout).toMatch(/flags: qr aa/);
    expect(soa.stdout).toMatch(new RegExp(`^${ZONE.replaceAll('.', '\\.')}\\.\\s+\\d+\\s+IN\\s+SOA\\s`, 'm'));
    // Over TCP (-v) too; one value removed, the other stays.
    const removed = await update([`update delete _acme-challenge.alice.${ZONE} TXT "token-one"`], alice, ['-v']);
    expect(removed.code, removed.output).toBe(0);
    expect(await answer(`_acme-challenge.alice.${ZONE}`, 'TXT')).toEqual(['"token-two"']);
  });

  it('alice cannot write bob’s names or repoint bob’s address: REFUSED, nothing changes', async () => {
    for (const lines of [
      [`update add bob.${ZONE} 60 A 192.0.2.99`],
      [`update delete bob.${ZONE} A`, `update add bob.${ZONE} 60 A 192.0.2.99`],
      [`update add _acme-challenge.bob.${ZONE} 60 TXT "not-alice"`],
      [`update add carol.${ZONE} 60 A 192.0.2.98`],
      // all or nothing: her own name in the same message stays as it was
      [`update add alice.${ZONE} 60 A 192.0.2.11`, `update delete alice.${ZONE} A 192.0.2.10`, `update add bob.${ZONE} 60 TXT "x"`],
    ]) {
      const result = await update(lines, alice);
      expect(result.code, lines.join('; ')).not.toBe(0);
      expect(result.output, lines.join('; ')).toContain('REFUSED');
    }
    expect(await answer(`bob.${ZONE}`, 'A')).toEqual(['192.0.2.66']);
    expect(await answer(`alice.${ZONE}`, 'A')).toEqual(['192.0.2.10']);
    expect(await answer(`_acme-challenge.bob.${ZONE}`, 'TXT')).toEqual([]);
    expect(await answer(`carol.${ZONE}`, 'A')).toEqual([]);
  });

  it('refuses unsigned updates and wrong secrets; a revoked key stops working at once', async () => {
    const unsigned = await update([`update add alice.${ZONE} 60 A 192.0.2.12`]);
    expect(unsigned.output).toContain('REFUSED');
    const wrong = await update([`update add alice.${ZONE} 60 A 192.0.2.13`], { ...alice, secret: Buffer.alloc(32, 7).toString('base64') });
    expect(wrong.code).not.toBe(0);
    expect(wrong.output).toMatch(/NOTAUTH|BADSIG|tsig/i);
    expect(await answer(`alice.${ZONE}`, 'A')).toEqual(['192.0.2.10']);

    expect((await admin('DELETE', `/users/alice/tsig-keys/${alice.name}`)).status).toBe(204);
    const revoked = await update([`update add alice.${ZONE} 60 A 192.0.2.14`], alice);
    expect(revoked.code).not.toBe(0);
    expect(revoked.output).toMatch(/NOTAUTH|BADKEY|tsig/i);
    expect(await answer(`alice.${ZONE}`, 'A')).toEqual(['192.0.2.10']);
  });
});
