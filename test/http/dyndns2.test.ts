import { beforeEach, describe, expect, it, vi } from 'vitest';
import { createTestApp, type TestApp } from '../support/http-app.js';

let t: TestApp;

beforeEach(async () => {
  t = await createTestApp({ SIGNPOST_TRUSTED_PROXIES: '10.0.0.0/8' });
  await t.addUser('alice', 'alice-password', ['home.dyn.example.test', 'office.dyn.example.test', '*.alice.dyn.example.test']);
  await t.addUser('bob', 'bob-password', ['bob.dyn.example.test']);
});

const records = async () => (await t.provider.records('dyn.example.test')).map((r) => `${r.name} ${r.type} ${r.values.join(' ')}`).sort();

describe('good and nochg', () => {
  it('answers good with the address, publishes it and stores it', async () => {
    const res = await t.update('hostname=home.dyn.example.test&myip=192.0.2.1');
    expect(res).toMatchObject({ status: 200, body: 'good 192.0.2.1' });
    expect(res.headers.get('content-length')).toBe('14');
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(await records()).toEqual(['home.dyn.example.test A 192.0.2.1']);
    expect((await t.store.getHost('home.dyn.example.test'))?.addresses).toEqual({ v4: '192.0.2.1' });
  });

  it('answers nochg for the same address and republishes nothing', async () => {
    await t.update('hostname=home.dyn.example.test&myip=192.0.2.1');
    const apply = vi.spyOn(t.provider, 'apply');
    expect((await t.update('hostname=home.dyn.example.test&myip=192.0.2.1')).body).toBe('nochg 192.0.2.1');
    expect(apply).not.toHaveBeenCalled();
  });

  it('answers one line per host, in request order', async () => {
    await t.update('hostname=office.dyn.example.test&myip=192.0.2.7');
    const res = await t.update('system=dyndns&hostname=home.dyn.example.test,office.dyn.example.test,bob.dyn.example.test&myip=192.0.2.7');
    expect(res.body).toBe('good 192.0.2.7\nnochg 192.0.2.7\nnohost');
  });

  it('sets both families from a dual-stack myip', async () => {
    expect((await t.update('hostname=home.dyn.example.test&myip=192.0.2.1,2001:DB8:0:0::1')).body).toBe('good 192.0.2.1,2001:db8::1');
    expect(await records()).toEqual(['home.dyn.example.test A 192.0.2.1', 'home.dyn.example.test AAAA 2001:db8::1']);
  });

  it('leaves a family that is not given unchanged', async () => {
    await t.update('hostname=home.dyn.example.test&myip=192.0.2.1');
    expect((await t.update('hostname=home.dyn.example.test&myip=2001:db8::5')).body).toBe('good 2001:db8::5');
    expect(await records()).toEqual(['home.dyn.example.test A 192.0.2.1', 'home.dyn.example.test AAAA 2001:db8::5']);
    expect((await t.update('hostname=home.dyn.example.test&myip=192.0.2.9')).body).toBe('good 192.0.2.9');
    expect(await records()).toEqual(['home.dyn.example.test A 192.0.2.9', 'home.dyn.example.test AAAA 2001:db8::5']);
  });

  it('unwraps an IPv4-mapped IPv6 myip into an A record', async () => {
    expect((await t.update('hostname=home.dyn.example.test&myip=::ffff:192.0.2.77')).body).toBe('good 192.0.2.77');
    expect(await records()).toEqual(['home.dyn.example.test A 192.0.2.77']);
  });

  it.each(['myipv6', 'myip6', 'ipv6'])('accepts the IPv6 alias %s', async (alias) => {
    expect((await t.update(`hostname=home.dyn.example.test&${alias}=2001:db8::2`)).body).toBe('good 2001:db8::2');
  });

  it.each(['myipv4', 'ipv4', 'ip'])('accepts the IPv4 alias %s', async (alias) => {
    expect((await t.update(`hostname=home.dyn.example.test&${alias}=192.0.2.44`)).body).toBe('good 192.0.2.44');
  });

  it('treats placeholders and empty values as not given, falling back to the caller', async () => {
    const res = await t.update('hostname=home.dyn.example.test&myip=%3Cipaddr%3E&myipv6=%3Cip6addr%3E&ip=&ipv4=0.0.0.0&ipv6=::');
    expect(res.body).toBe('good 203.0.113.9');
  });

  it('uses the connection address when no myip is given (IPv4 and IPv6 peers)', async () => {
    expect((await t.update('hostname=home.dyn.example.test')).body).toBe('good 203.0.113.9');
    expect((await t.update('hostname=home.dyn.example.test', { peer: '::ffff:198.51.100.4' })).body).toBe('good 198.51.100.4');
    expect((await t.update('hostname=home.dyn.example.test', { peer: '2001:db8::99' })).body).toBe('good 2001:db8::99');
    expect(await records()).toEqual(['home.dyn.example.test A 198.51.100.4', 'home.dyn.example.test AAAA 2001:db8::99']);
  });

  it('believes X-Forwarded-For only from a trusted proxy', async () => {
    const xff = { 'x-forwarded-for': '198.51.100.50, 10.1.1.1' };
    expect((await t.update('hostname=home.dyn.example.test', { headers: xff })).body).toBe('good 203.0.113.9');
    expect((await t.update('hostname=home.dyn.example.test', { headers: xff, peer: '10.2.2.2' })).body).toBe('good 198.51.100.50');
  });

  it('normalises host names: case, trailing dot, spaces', async () => {
    expect((await t.update('hostname=HOME.Dyn.Example.TEST.,%20office.dyn.example.test&myip=192.0.2.3')).body).toBe('good 192.0.2.3\ngood 192.0.2.3');
  });

  it('updates names below a wildcard grant', async () => {
    expect((await t.update('hostname=nas.alice.dyn.example.test,a.b.alice.dyn.example.test&myip=192.0.2.3')).body).toBe(
      'good 192.0.2.3\ngood 192.0.2.3',
    );
    expect((await t.update('hostname=alice.dyn.example.test&myip=192.0.2.3')).body).toBe('nohost');
  });

  it('accepts wildcard, mx, backmx and offline in any form (pfSense sends mx=&backmx=NO)', async () => {
    const res = await t.update('system=dyndns&hostname=home.dyn.example.test&myip=192.0.2.1&wildcard=OFF&mx=&backmx=NO&offline=NOCHG');
    expect(res.body).toBe('good 192.0.2.1');
    expect((await t.update('hostname=home.dyn.example.test&myip=192.0.2.1&wildcard=maybe&offline=YES')).body).toBe('nochg 192.0.2.1');
  });

  it('accepts system statdns and custom', async () => {
    expect((await t.update('system=statdns&hostname=home.dyn.example.test&myip=192.0.2.1')).body).toBe('good 192.0.2.1');
    expect((await t.update('system=CUSTOM&hostname=home.dyn.example.test&myip=192.0.2.1')).body).toBe('nochg 192.0.2.1');
  });
});

describe('endpoints and methods', () => {
  it.each(['/nic/update', '/v3/update', '/update', '//nic/update'])('serves %s', async (path) => {
    expect((await t.update('hostname=home.dyn.example.test&myip=192.0.2.1', { path })).body).toMatch(/^(good|nochg) 192\.0\.2\.1$/);
  });

  it('accepts POST with query or form parameters', async () => {
    expect((await t.update('hostname=home.dyn.example.test&myip=192.0.2.1', { method: 'POST' })).body).toBe('good 192.0.2.1');
    const form = await t.update('', {
      method: 'POST',
      body: 'hostname=home.dyn.example.test&myip=192.0.2.2',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(form.body).toBe('good 192.0.2.2');
  });

  it('answers HEAD with the length of the GET answer and no body', async () => {
    const res = await t.update('hostname=home.dyn.example.test&myip=192.0.2.1', { method: 'HEAD' });
    expect(res.status).toBe(200);
    expect(res.body).toBe('');
    expect(res.headers.get('content-length')).toBe('14');
  });

  it('tells the caller its address at /nic/checkip and /myip', async () => {
    for (const path of ['/nic/checkip', '/myip']) {
      const res = await t.app.request(path, {}, { peer: '::ffff:198.51.100.8' });
      expect(await res.text()).toBe('198.51.100.8');
      expect(res.headers.get('content-length')).toBe('12');
    }
  });
});

describe('credentials', () => {
  it('challenges a request without credentials with 401 and WWW-Authenticate', async () => {
    const res = await t.update('hostname=home.dyn.example.test', { auth: null });
    expect(res.status).toBe(401);
    expect(res.body).toBe('badauth');
    expect(res.headers.get('www-authenticate')).toMatch(/^Basic realm="Signpost"/);
    expect(res.headers.get('content-length')).toBe('7');
  });

  it('accepts query-string credentials (username/password and user/pass)', async () => {
    expect((await t.update('username=alice&password=alice-password&hostname=home.dyn.example.test&myip=192.0.2.1', { auth: null })).body).toBe(
      'good 192.0.2.1',
    );
    expect((await t.update('user=alice&pass=alice-password&hostname=home.dyn.example.test&myip=192.0.2.1', { auth: null })).body).toBe(
      'nochg 192.0.2.1',
    );
  });

  it('answers badauth alike for a wrong password and an unknown user', async () => {
    const wrong = await t.update('hostname=home.dyn.example.test', { auth: ['alice', 'nope-nope'] });
    const unknown = await t.update('hostname=home.dyn.example.test', { auth: ['mallory', 'nope-nope'] });
    expect([wrong.status, wrong.body]).toEqual([200, 'badauth']);
    expect([unknown.status, unknown.body]).toEqual([200, 'badauth']);
    expect(await t.store.getHost('home.dyn.example.test')).toBeUndefined();
  });
});

describe('request-scoped errors answer once', () => {
  it('badagent without a User-Agent', async () => {
    const res = await t.update('hostname=home.dyn.example.test', { headers: { 'user-agent': '' } });
    expect(res.body).toBe('badagent');
  });

  it('badagent for a blocked agent', async () => {
    const blocked = await createTestApp({ SIGNPOST_BLOCKED_USER_AGENTS: 'DynDNS Service V1' });
    expect((await blocked.update('hostname=x.dyn.example.test', { headers: { 'user-agent': 'DynDNS Service V1.2' } })).body).toBe('badagent');
  });

  it('badsys for an unknown system', async () => {
    expect((await t.update('system=dyndns3&hostname=home.dyn.example.test')).body).toBe('badsys');
  });

  it('notfqdn once when no hostname is given', async () => {
    expect((await t.update('myip=192.0.2.1')).body).toBe('notfqdn');
    expect((await t.update('hostname=&myip=192.0.2.1')).body).toBe('notfqdn');
  });

  it('numhost for more than 20 hosts; 20 are fine', async () => {
    const names = (n: number) => Array.from({ length: n }, (_, i) => `h${i}.alice.dyn.example.test`).join(',');
    expect((await t.update(`hostname=${names(21)}&myip=192.0.2.1`)).body).toBe('numhost');
    expect((await t.update(`hostname=${names(20)}&myip=192.0.2.1`)).body.split('\n')).toHaveLength(20);
  });
});

describe('host-scoped errors', () => {
  it('notfqdn and nohost per host, in order, with the valid ones applied', async () => {
    const res = await t.update('hostname=home.dyn.example.test,localhost,bob.dyn.example.test,www.example.com&myip=192.0.2.1');
    expect(res.body).toBe('good 192.0.2.1\nnotfqdn\nnohost\nnohost');
  });

  it('user A cannot update user B’s names', async () => {
    expect((await t.update('hostname=bob.dyn.example.test&myip=192.0.2.66')).body).toBe('nohost');
    expect(await t.store.getHost('bob.dyn.example.test')).toBeUndefined();
    expect((await t.update('hostname=bob.dyn.example.test&myip=192.0.2.66', { auth: ['bob', 'bob-password'] })).body).toBe('good 192.0.2.66');
    expect((await t.update('hostname=bob.dyn.example.test&myip=192.0.2.67')).body).toBe('nohost');
    expect((await t.store.getHost('bob.dyn.example.test'))?.addresses).toEqual({ v4: '192.0.2.66' });
  });

  it('dnserr when the DNS backend fails, leaving store and DNS as they were', async () => {
    await t.update('hostname=home.dyn.example.test&myip=192.0.2.1');
    t.provider.failNext();
    expect((await t.update('hostname=home.dyn.example.test&myip=192.0.2.2')).body).toBe('dnserr');
    expect((await t.store.getHost('home.dyn.example.test'))?.addresses).toEqual({ v4: '192.0.2.1' });
    expect(await records()).toEqual(['home.dyn.example.test A 192.0.2.1']);
    expect((await t.update('hostname=home.dyn.example.test&myip=192.0.2.2')).body).toBe('good 192.0.2.2');
  });

  it('nohost for a name where DNS holds a record Signpost did not write, which stays untouched', async () => {
    t.provider.seed('dyn.example.test', [{ name: 'office.dyn.example.test', type: 'A', ttl: 3600, values: ['198.51.100.80'] }]);
    expect((await t.update('hostname=office.dyn.example.test&myip=192.0.2.1')).body).toBe('nohost');
    expect(await records()).toEqual(['office.dyn.example.test A 198.51.100.80']);
    expect(await t.store.getHost('office.dyn.example.test')).toBeUndefined();
    expect((await t.store.listHistory('office.dyn.example.test', 1))[0]?.result).toBe('nohost');
    // The family that is free still works for a host that has one: only the taken set is refused.
    t.provider.seed('dyn.example.test', [{ name: 'home.dyn.example.test', type: 'AAAA', ttl: 3600, values: ['2001:db8::80'] }]);
    expect((await t.update('hostname=home.dyn.example.test&myip=192.0.2.1')).body).toBe('good 192.0.2.1');
    expect((await t.update('hostname=home.dyn.example.test&myip=2001:db8::1')).body).toBe('nohost');
    expect(await records()).toEqual(['home.dyn.example.test A 192.0.2.1', 'home.dyn.example.test AAAA 2001:db8::80', 'office.dyn.example.test A 198.51.100.80']);
    expect((await t.store.getHost('home.dyn.example.test'))?.addresses).toEqual({ v4: '192.0.2.1' });
  });

  it('911 and a reverted publish when the store write fails after publishing', async () => {
    vi.spyOn(t.store, 'putHost').mockRejectedValueOnce(new Error('disk full'));
    expect((await t.update('hostname=home.dyn.example.test&myip=192.0.2.1')).body).toBe('911');
    expect(await records()).toEqual([]);
    expect(await t.store.getHost('home.dyn.example.test')).toBeUndefined();
  });
});

describe('abuse', () => {
  it('blocks a host that updates too often until an admin unblocks it', async () => {
    const limited = await createTestApp({ SIGNPOST_ABUSE_MAX_UPDATES: '3', SIGNPOST_ABUSE_MAX_NOCHG: '0' });
    await limited.addUser('alice', 'alice-password', ['home.dyn.example.test', 'office.dyn.example.test']);
    for (let i = 1; i <= 3; i++) expect((await limited.update(`hostname=home.dyn.example.test&myip=192.0.2.${i}`)).body).toBe(`good 192.0.2.${i}`);
    expect((await limited.update('hostname=home.dyn.example.test,office.dyn.example.test&myip=192.0.2.9')).body).toBe('abuse\ngood 192.0.2.9');
    expect((await limited.update('hostname=home.dyn.example.test&myip=192.0.2.10')).body).toBe('abuse');
    expect((await limited.store.getHost('home.dyn.example.test'))?.addresses).toEqual({ v4: '192.0.2.3' });
    const host = await limited.admin('GET', '/hosts/home.dyn.example.test');
    expect(host.json.blocked).toMatchObject({ reason: 'too many updates' });
    expect((await limited.admin('POST', '/hosts/home.dyn.example.test/unblock')).status).toBe(200);
    expect((await limited.update('hostname=home.dyn.example.test&myip=192.0.2.10')).body).toBe('good 192.0.2.10');
  });

  it('blocks a host after repeated nochg', async () => {
    const limited = await createTestApp({ SIGNPOST_ABUSE_MAX_NOCHG: '2' });
    await limited.addUser('alice', 'alice-password', ['home.dyn.example.test']);
    const q = 'hostname=home.dyn.example.test&myip=192.0.2.1';
    expect((await limited.update(q)).body).toBe('good 192.0.2.1');
    expect((await limited.update(q)).body).toBe('nochg 192.0.2.1');
    expect((await limited.update(q)).body).toBe('nochg 192.0.2.1');
    expect((await limited.update(q)).body).toBe('abuse');
    expect((await limited.update('hostname=home.dyn.example.test&myip=192.0.2.2')).body).toBe('abuse');
  });
});

describe('per-host update tokens', () => {
  it('update exactly one host, with the account or host name as username, until revoked', async () => {
    const created = await t.admin('POST', '/users/alice/tokens', { hostname: 'nas.alice.dyn.example.test' });
    expect(created.status).toBe(201);
    const { id, token } = created.json as { id: string; token: string };
    expect(token).toMatch(/^spt_/);
    expect((await t.update('hostname=nas.alice.dyn.example.test&myip=192.0.2.5', { auth: ['nas.alice.dyn.example.test', token] })).body).toBe(
      'good 192.0.2.5',
    );
    expect((await t.update('hostname=nas.alice.dyn.example.test&myip=192.0.2.6', { auth: ['alice', token] })).body).toBe('good 192.0.2.6');
    expect((await t.update('hostname=home.dyn.example.test&myip=192.0.2.6', { auth: ['alice', token] })).body).toBe('nohost');
    expect((await t.update('hostname=nas.alice.dyn.example.test', { auth: ['bob', token] })).body).toBe('badauth');
    expect((await t.admin('DELETE', `/tokens/${id}`)).status).toBe(204);
    expect((await t.update('hostname=nas.alice.dyn.example.test&myip=192.0.2.7', { auth: ['alice', token] })).body).toBe('badauth');
  });
});

describe('history and metrics', () => {
  it('records each update with source, agent, before and after', async () => {
    await t.update('hostname=home.dyn.example.test&myip=192.0.2.1');
    await t.update('hostname=home.dyn.example.test&myip=192.0.2.2');
    const res = await t.admin('GET', '/hosts/home.dyn.example.test/history');
    expect(res.json.history[0]).toMatchObject({
      hostname: 'home.dyn.example.test',
      sourceAddress: '203.0.113.9',
      userAgent: 'ddclient/3.10.0',
      before: { v4: '192.0.2.1' },
      after: { v4: '192.0.2.2' },
      result: 'good',
    });
    expect(res.json.history).toHaveLength(2);
  });

  it('counts updates by result code and exposes a latency histogram', async () => {
    await t.update('hostname=home.dyn.example.test,bob.dyn.example.test&myip=192.0.2.1');
    await t.update('hostname=home.dyn.example.test', { auth: ['alice', 'wrong-password'] });
    const text = await (await t.app.request('/metrics')).text();
    expect(text).toMatch(/signpost_updates_total\{result="good"\} 1/);
    expect(text).toMatch(/signpost_updates_total\{result="nohost"\} 1/);
    expect(text).toMatch(/signpost_updates_total\{result="badauth"\} 1/);
    expect(text).toMatch(/signpost_update_duration_seconds_count 2/);
  });

  it('reports health', async () => {
    const res = await t.app.request('/healthz');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok' });
  });
});
