/**
 * curl against the real server: every credential channel (query string,
 * Basic up front, Basic after a 401 challenge as MikroTik and wget do), IPv6
 * and dual-stack `myip`, and every dyndns2 return code of PROTOCOL.md, each
 * answer with a Content-Length (also for HEAD).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryDnsProvider } from '../../src/adapters/dns/memory.js';
import { openStore } from '../../src/config/services.js';
import type { Store } from '../../src/ports/store.js';
import { requirePeer } from '../support/peers.js';
import { ADMIN_KEY, hostOf, run, startTestServer, type TestServer } from './harness.js';

const curl = requirePeer('curl');
const UA = 'signpost-interop/1.0 curl';
const ALICE = { username: 'alice', password: 'alice secret pw' };
const BOB = { username: 'bob', password: 'bob-secret-pw!' };
const a = (label: string) => `${label}.alice.dyn.example.test`;
const b = (label: string) => `${label}.bob.dyn.example.test`;

interface CurlResult {
  readonly status: number;
  readonly headers: Record<string, string[]>;
  readonly body: string;
  /** curl's -v trace (only with `verbose`). */
  readonly trace: string;
}

interface CurlOptions {
  /** Basic credentials: sent up front (`--basic`) or only after a 401 (`--anyauth`). */
  readonly auth?: { user: string; password: string; mode: 'basic' | 'anyauth' };
  /** null = no User-Agent header at all. */
  readonly userAgent?: string | null;
  readonly head?: boolean;
  readonly verbose?: boolean;
  readonly extra?: readonly string[];
}

const MARK = '\n@@signpost-curl@@';

/** One curl run; asserts the answer announces its length (ddclient 3.10 misreads chunked bodies). */
async function curlUpdate(server: TestServer, pathAndQuery: string, options: CurlOptions = {}): Promise<CurlResult> {
  const args = ['-sS', '-g', '--path-as-is', '-w', `${MARK}%{http_code}${MARK}%{header_json}`];
  if (options.userAgent === null) args.push('-H', 'User-Agent:');
  else args.push('-A', options.userAgent ?? UA);
  if (options.auth) args.push(`--${options.auth.mode}`, '-u', `${options.auth.user}:${options.auth.password}`);
  if (options.head) args.push('--head');
  if (options.verbose) args.push('-v');
  args.push(...(options.extra ?? []), `${server.url}${pathAndQuery}`);
  const result = await run(curl.path, args);
  expect(result.code, result.stderr).toBe(0);
  const [body = '', status = '', headerJson = '{}'] = result.stdout.split(MARK);
  const headers = JSON.parse(headerJson) as Record<string, string[]>;
  const parsed: CurlResult = { status: Number(status), headers, body: options.head ? '' : body, trace: result.stderr };
  expect(headers['content-length'], `Content-Length missing for ${pathAndQuery}`).toHaveLength(1);
  if (!options.head) expect(Number(headers['content-length']?.[0])).toBe(Buffer.byteLength(body));
  expect(headers['transfer-encoding']).toBeUndefined();
  return parsed;
}

const q = (params: Record<string, string>) => `?${new URLSearchParams(params).toString()}`;
const asAlice = { auth: { user: ALICE.username, password: ALICE.password, mode: 'basic' } } as const;
const asBob = { auth: { user: BOB.username, password: BOB.password, mode: 'basic' } } as const;

/** Wraps a store so that chosen methods fail on their next call (for `911`). */
function flakyStore(inner: Store): { store: Store; failNext(method: keyof Store): void } {
  const failing = new Set<string>();
  const store = new Proxy(inner, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        if (failing.delete(String(property))) return Promise.reject(new Error(`simulated ${String(property)} failure`));
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return { store, failNext: (method) => void failing.add(method) };
}

describe.skipIf(!curl.available)('curl', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer({ SIGNPOST_BLOCKED_USER_AGENTS: 'evilbot' });
    await server.core.accounts.createUser({ ...ALICE, domains: ['*.alice.dyn.example.test'] });
    await server.core.accounts.createUser({ ...BOB, domains: ['*.bob.dyn.example.test'] });
  });
  afterAll(async () => server?.stop());

  describe('credentials', () => {
    it('accepts query-string credentials (username/password and user/pass)', async () => {
      const first = await curlUpdate(server, `/nic/update${q({ hostname: a('query'), myip: '192.0.2.1', username: ALICE.username, password: ALICE.password })}`);
      expect(first).toMatchObject({ status: 200, body: 'good 192.0.2.1' });
      const second = await curlUpdate(server, `/nic/update${q({ hostname: a('query'), myip: '192.0.2.1', user: ALICE.username, pass: ALICE.password })}`);
      expect(second).toMatchObject({ status: 200, body: 'nochg 192.0.2.1' });
      expect(await hostOf(server, a('query'))).toMatchObject({ owner: 'alice', ipv4: '192.0.2.1' });
    });

    it('accepts Basic sent up front', async () => {
      const res = await curlUpdate(server, `/nic/update${q({ hostname: a('basic'), myip: '192.0.2.2' })}`, asAlice);
      expect(res).toMatchObject({ status: 200, body: 'good 192.0.2.2' });
    });

    it('challenges with 401 + WWW-Authenticate, then accepts Basic (curl --anyauth)', async () => {
      const res = await curlUpdate(server, `/nic/update${q({ hostname: a('anyauth'), myip: '192.0.2.3' })}`, {
        auth: { user: ALICE.username, password: ALICE.password, mode: 'anyauth' },
        verbose: true,
      });
      expect(res).toMatchObject({ status: 200, body: 'good 192.0.2.3' });
      const requests = res.trace.split('\n').filter((l) => l.startsWith('> GET /nic/update'));
      expect(requests).toHaveLength(2); // first without credentials, then with them
      expect(res.trace).toMatch(/< HTTP\/1\.1 401[^\n]*\n(?:< [^\n]*\n)*< www-authenticate: Basic realm="Signpost"/i);
      const authorizations = res.trace.split('\n').filter((l) => /^> Authorization: Basic /i.test(l));
      expect(authorizations).toHaveLength(1);
    });

    it('MikroTik style: no credentials → 401 badauth with a Basic challenge; retry with Basic → good', async () => {
      const path = `/nic/update${q({ hostname: a('mikrotik'), myip: '192.0.2.4' })}`;
      const challenge = await curlUpdate(server, path, { userAgent: 'MikroTik' });
      expect(challenge).toMatchObject({ status: 401, body: 'badauth' });
      expect(challenge.headers['www-authenticate']?.[0]).toMatch(/^Basic realm="[^"]+"/);
      const retry = await curlUpdate(server, path, { ...asAlice, userAgent: 'MikroTik' });
      expect(retry).toMatchObject({ status: 200, body: 'good 192.0.2.4' });
    });

    it('answers badauth (HTTP 200) for a wrong password and for an unknown user alike', async () => {
      const path = `/nic/update${q({ hostname: a('wrong'), myip: '192.0.2.5' })}`;
      const wrong = await curlUpdate(server, path, { auth: { user: 'alice', password: 'nope', mode: 'basic' } });
      const unknown = await curlUpdate(server, path, { auth: { user: 'mallory', password: 'nope', mode: 'basic' } });
      expect(wrong).toMatchObject({ status: 200, body: 'badauth' });
      expect(unknown).toMatchObject({ status: 200, body: 'badauth' });
      expect(await hostOf(server, a('wrong'))).toBeUndefined();
    });
  });

  describe('addresses', () => {
    it('sets IPv6 alone, then IPv4 alone, each leaving the other family as it is', async () => {
      const v6 = await curlUpdate(server, `/nic/update${q({ hostname: a('v6'), myip: '2001:db8::1' })}`, asAlice);
      expect(v6.body).toBe('good 2001:db8::1');
      expect(await hostOf(server, a('v6'))).toMatchObject({ ipv4: null, ipv6: '2001:db8::1' });
      const v4 = await curlUpdate(server, `/nic/update${q({ hostname: a('v6'), myip: '192.0.2.6' })}`, asAlice);
      expect(v4.body).toBe('good 192.0.2.6');
      expect(await hostOf(server, a('v6'))).toMatchObject({ ipv4: '192.0.2.6', ipv6: '2001:db8::1' });
    });

    it('accepts the IPv6 aliases (myipv6, ipv6)', async () => {
      const res = await curlUpdate(server, `/nic/update${q({ hostname: a('alias6'), myipv6: '2001:db8::a' })}`, asAlice);
      expect(res.body).toBe('good 2001:db8::a');
      const again = await curlUpdate(server, `/nic/update${q({ hostname: a('alias6'), ipv6: '2001:db8::a' })}`, asAlice);
      expect(again.body).toBe('nochg 2001:db8::a');
    });

    it('sets dual stack from myip=v4,v6 and from myip + myipv6', async () => {
      const both = await curlUpdate(server, `/nic/update${q({ hostname: a('dual'), myip: '192.0.2.7,2001:db8::7' })}`, asAlice);
      expect(both.body).toBe('good 192.0.2.7,2001:db8::7');
      expect(await hostOf(server, a('dual'))).toMatchObject({ ipv4: '192.0.2.7', ipv6: '2001:db8::7' });
      const split = await curlUpdate(server, `/nic/update${q({ hostname: a('dual'), myip: '192.0.2.8', myipv6: '2001:db8::8' })}`, asAlice);
      expect(split.body).toBe('good 192.0.2.8,2001:db8::8');
      expect(await hostOf(server, a('dual'))).toMatchObject({ ipv4: '192.0.2.8', ipv6: '2001:db8::8' });
    });

    it('falls back to the connection address when myip is absent or a placeholder', async () => {
      const absent = await curlUpdate(server, `/nic/update${q({ hostname: a('conn') })}`, asAlice);
      expect(absent.body).toBe('good 127.0.0.1');
      const placeholder = await curlUpdate(server, `/nic/update?hostname=${a('conn')}&myip=<ipaddr>&myipv6=`, asAlice);
      expect(placeholder.body).toBe('nochg 127.0.0.1');
    });
  });

  describe('return codes', () => {
    it('good, then nochg for the same address (nothing is rewritten)', async () => {
      const path = `/nic/update${q({ hostname: a('codes'), myip: '198.51.100.1' })}`;
      expect((await curlUpdate(server, path, asAlice)).body).toBe('good 198.51.100.1');
      const before = await hostOf(server, a('codes'));
      expect((await curlUpdate(server, path, asAlice)).body).toBe('nochg 198.51.100.1');
      expect(await hostOf(server, a('codes'))).toEqual(before);
    });

    it('notfqdn per host for a bare label; once with no hostname; once for an invalid myip', async () => {
      expect((await curlUpdate(server, `/nic/update${q({ hostname: 'localhost', myip: '198.51.100.2' })}`, asAlice)).body).toBe('notfqdn');
      expect((await curlUpdate(server, `/nic/update${q({ myip: '198.51.100.2' })}`, asAlice)).body).toBe('notfqdn');
      expect((await curlUpdate(server, `/nic/update${q({ hostname: `${a('x')},${a('y')}`, myip: '300.1.2.3' })}`, asAlice)).body).toBe('notfqdn');
      expect(await hostOf(server, a('x'))).toBeUndefined();
    });

    it('nohost for a name not granted, and for a name outside every served zone', async () => {
      expect((await curlUpdate(server, `/nic/update${q({ hostname: 'other.dyn.example.test', myip: '198.51.100.3' })}`, asAlice)).body).toBe('nohost');
      expect((await curlUpdate(server, `/nic/update${q({ hostname: 'www.example.com', myip: '198.51.100.3' })}`, asAlice)).body).toBe('nohost');
      expect(await hostOf(server, 'other.dyn.example.test')).toBeUndefined();
    });

    it('numhost once for 21 hostnames (20 are fine)', async () => {
      const names = (n: number) => Array.from({ length: n }, (_, i) => a(`n${i}`)).join(',');
      const over = await curlUpdate(server, `/nic/update${q({ hostname: names(21), myip: '198.51.100.4' })}`, asAlice);
      expect(over.body).toBe('numhost');
      expect(await hostOf(server, a('n0'))).toBeUndefined();
      const twenty = await curlUpdate(server, `/nic/update${q({ hostname: names(20), myip: '198.51.100.4' })}`, asAlice);
      expect(twenty.body.split('\n')).toEqual(Array.from({ length: 20 }, () => 'good 198.51.100.4'));
    });

    it('badagent once without a User-Agent, and for a blocked one', async () => {
      const path = `/nic/update${q({ hostname: a('agent'), myip: '198.51.100.5' })}`;
      expect(await curlUpdate(server, path, { ...asAlice, userAgent: null })).toMatchObject({ status: 200, body: 'badagent' });
      expect(await curlUpdate(server, path, { ...asAlice, userAgent: 'EvilBot/2.0' })).toMatchObject({ status: 200, body: 'badagent' });
      expect(await hostOf(server, a('agent'))).toBeUndefined();
    });

    it('badsys once for an unknown system; dyndns, statdns and custom are accepted', async () => {
      expect((await curlUpdate(server, `/nic/update${q({ system: 'bogus', hostname: a('sys'), myip: '198.51.100.6' })}`, asAlice)).body).toBe('badsys');
      for (const system of ['dyndns', 'statdns', 'custom']) {
        const res = await curlUpdate(server, `/nic/update${q({ system, hostname: a('sys'), myip: '198.51.100.6' })}`, asAlice);
        expect(res.body).toMatch(/^(good|nochg) 198\.51\.100\.6$/);
      }
    });

    it('answers host-scoped codes one line per host, in request order', async () => {
      const hostname = [a('order1'), 'nope.dyn.example.test', 'bare', b('order')].join(',');
      const res = await curlUpdate(server, `/nic/update${q({ hostname, myip: '198.51.100.7', wildcard: 'OFF', mx: '', backmx: 'NO' })}`, asAlice);
      expect(res.body.split('\n')).toEqual(['good 198.51.100.7', 'nohost', 'notfqdn', 'nohost']);
    });

    it('serves the aliases /v3/update, /update, //nic/update and POST form fields', async () => {
      const params = { hostname: a('paths'), myip: '198.51.100.8' };
      expect((await curlUpdate(server, `/v3/update${q(params)}`, asAlice)).body).toBe('good 198.51.100.8');
      expect((await curlUpdate(server, `/update${q(params)}`, asAlice)).body).toBe('nochg 198.51.100.8');
      expect((await curlUpdate(server, `//nic/update${q(params)}`, asAlice)).body).toBe('nochg 198.51.100.8');
      const posted = await curlUpdate(server, '/nic/update', { ...asAlice, extra: ['--data', new URLSearchParams({ ...params, myip: '198.51.100.9' }).toString()] });
      expect(posted.body).toBe('good 198.51.100.9');
    });

    it('HEAD answers carry the Content-Length of the GET answer', async () => {
      const path = `/nic/update${q({ hostname: a('head'), myip: '198.51.100.10' })}`;
      await curlUpdate(server, path, asAlice);
      const head = await curlUpdate(server, path, { ...asAlice, head: true });
      expect(head.status).toBe(200);
      expect(head.headers['content-length']).toEqual([String('nochg 198.51.100.10'.length)]);
      const challenge = await curlUpdate(server, path, { head: true });
      expect(challenge.status).toBe(401);
      expect(challenge.headers['content-length']).toEqual([String('badauth'.length)]);
    });

    it('checkip answers the caller address', async () => {
      expect((await curlUpdate(server, '/nic/checkip')).body.trim()).toContain('127.0.0.1');
    });
  });

  describe('authorization', () => {
    it("user A cannot update user B's names (nohost), and B's record stays as it was", async () => {
      expect((await curlUpdate(server, `/nic/update${q({ hostname: b('home'), myip: '203.0.113.1' })}`, asBob)).body).toBe('good 203.0.113.1');
      const attack = await curlUpdate(server, `/nic/update${q({ hostname: `${a('home')},${b('home')}`, myip: '203.0.113.66' })}`, asAlice);
      expect(attack.body.split('\n')).toEqual(['good 203.0.113.66', 'nohost']);
      expect(await hostOf(server, b('home'))).toMatchObject({ owner: 'bob', ipv4: '203.0.113.1' });
      const viaQuery = await curlUpdate(server, `/nic/update${q({ hostname: b('home'), myip: '203.0.113.67', username: 'alice', password: ALICE.password })}`);
      expect(viaQuery.body).toBe('nohost');
      expect((await hostOf(server, b('home')))?.ipv4).toBe('203.0.113.1');
    });
  });
});

describe.skipIf(!curl.available)('curl: abuse, dnserr and 911', () => {
  let server: TestServer;
  let publisher: MemoryDnsProvider;
  let flaky: ReturnType<typeof flakyStore>;

  beforeAll(async () => {
    publisher = new MemoryDnsProvider(['dyn.example.test', 'example.org']);
    server = await startTestServer({ SIGNPOST_ABUSE_MAX_UPDATES: '3', SIGNPOST_ABUSE_MAX_NOCHG: '1', SIGNPOST_ABUSE_WINDOW_SECONDS: '3600' }, (config) => {
      flaky = flakyStore(openStore(config));
      return { provider: publisher, store: flaky.store };
    });
    await server.core.accounts.createUser({ ...ALICE, domains: ['*.alice.dyn.example.test'] });
  });
  afterAll(async () => server?.stop());

  const update = (hostname: string, myip: string) => curlUpdate(server, `/nic/update${q({ hostname, myip })}`, asAlice);

  it('abuse after too many updates; an admin unblock lifts it', async () => {
    expect((await update(a('rate'), '192.0.2.1')).body).toBe('good 192.0.2.1');
    expect((await update(a('rate'), '192.0.2.2')).body).toBe('good 192.0.2.2');
    expect((await update(a('rate'), '192.0.2.3')).body).toBe('good 192.0.2.3');
    expect((await update(a('rate'), '192.0.2.4')).body).toBe('abuse');
    expect((await update(a('rate'), '192.0.2.5')).body).toBe('abuse');
    expect(await hostOf(server, a('rate'))).toMatchObject({ ipv4: '192.0.2.3', blocked: { reason: expect.any(String) } });

    const unblock = await fetch(`${server.url}/hosts/${a('rate')}/unblock`, { method: 'POST', headers: { 'x-api-key': ADMIN_KEY } });
    expect(unblock.status).toBe(200);
    expect((await update(a('rate'), '192.0.2.6')).body).toBe('good 192.0.2.6');
  });

  it('abuse after repeated nochg', async () => {
    expect((await update(a('repeat'), '192.0.2.9')).body).toBe('good 192.0.2.9');
    expect((await update(a('repeat'), '192.0.2.9')).body).toBe('nochg 192.0.2.9');
    expect((await update(a('repeat'), '192.0.2.9')).body).toBe('abuse');
    expect((await hostOf(server, a('repeat')))?.blocked).not.toBeNull();
  });

  it('dnserr when the DNS backend fails, with nothing half-applied; the other hosts proceed', async () => {
    publisher.failNext(1);
    const res = await curlUpdate(server, `/nic/update${q({ hostname: `${a('dns1')},${a('dns2')}`, myip: '192.0.2.20' })}`, asAlice);
    expect(res.body.split('\n')).toEqual(['dnserr', 'good 192.0.2.20']);
    expect(await hostOf(server, a('dns1'))).toBeUndefined();
    expect((await publisher.records('dyn.example.test')).some((r) => r.name === a('dns1'))).toBe(false);
    expect((await update(a('dns1'), '192.0.2.20')).body).toBe('good 192.0.2.20');
  });

  it('911 when the store fails after publishing (per host, DNS reverted) or before anything (once)', async () => {
    expect((await update(a('s911'), '192.0.2.30')).body).toBe('good 192.0.2.30');
    flaky.failNext('putHost');
    expect((await update(a('s911'), '192.0.2.31')).body).toBe('911');
    expect((await hostOf(server, a('s911')))?.ipv4).toBe('192.0.2.30');
    const published = (await publisher.records('dyn.example.test')).filter((r) => r.name === a('s911'));
    expect(JSON.stringify(published)).toContain('192.0.2.30');
    expect(JSON.stringify(published)).not.toContain('192.0.2.31');

    flaky.failNext('listGrants');
    expect((await curlUpdate(server, `/nic/update${q({ hostname: `${a('s911')},${a('other')}`, myip: '192.0.2.32' })}`, asAlice)).body).toBe('911');
    expect((await hostOf(server, a('s911')))?.ipv4).toBe('192.0.2.30');
  });
});
