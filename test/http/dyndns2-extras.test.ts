import { beforeEach, describe, expect, it, vi } from 'vitest';
import { createTestApp, type TestApp } from '../support/http-app.js';

let t: TestApp;

beforeEach(async () => {
  t = await createTestApp();
  await t.addUser('alice', 'alice-password', ['home.dyn.example.test']);
});

const records = async () => (await t.publisher.records('dyn.example.test')).map((r) => `${r.name} ${r.type} ${r.values.join(' ')}`).sort();
const HOME = 'hostname=home.dyn.example.test';

describe('dyndns2 wildcard, mx and backmx', () => {
  it('publishes *.host with the addresses in the same update, and follows address changes', async () => {
    expect((await t.update(`${HOME}&myip=192.0.2.1&wildcard=ON`)).body).toBe('good 192.0.2.1');
    expect(await records()).toEqual(['*.home.dyn.example.test A 192.0.2.1', 'home.dyn.example.test A 192.0.2.1']);
    expect((await t.update(`${HOME}&myip=2001:db8::1`)).body).toBe('good 2001:db8::1');
    expect(await records()).toEqual([
      '*.home.dyn.example.test A 192.0.2.1',
      '*.home.dyn.example.test AAAA 2001:db8::1',
      'home.dyn.example.test A 192.0.2.1',
      'home.dyn.example.test AAAA 2001:db8::1',
    ]);
    expect((await t.store.getHost('home.dyn.example.test'))?.wildcard).toBe(true);
  });

  it('answers good (not nochg) when only an extra changes, and nochg once nothing does', async () => {
    await t.update(`${HOME}&myip=192.0.2.1`);
    expect((await t.update(`${HOME}&myip=192.0.2.1&mx=Mail.Example.NET`)).body).toBe('good 192.0.2.1');
    expect(await records()).toEqual(['home.dyn.example.test A 192.0.2.1', 'home.dyn.example.test MX 10 mail.example.net.']);
    const apply = vi.spyOn(t.publisher, 'applyChanges');
    expect((await t.update(`${HOME}&myip=192.0.2.1&mx=mail.example.net&wildcard=NOCHG`)).body).toBe('nochg 192.0.2.1');
    expect(apply).not.toHaveBeenCalled();
  });

  it('stores backmx even before there is an mx, and lists the host as preferred MX once there is', async () => {
    await t.update(`${HOME}&myip=192.0.2.1`);
    expect((await t.update(`${HOME}&myip=192.0.2.1&backmx=YES`)).body).toBe('good 192.0.2.1');
    expect(await records()).toEqual(['home.dyn.example.test A 192.0.2.1']);
    expect((await t.update(`${HOME}&myip=192.0.2.1&mx=mx.example.net`)).body).toBe('good 192.0.2.1');
    expect(await records()).toEqual(['home.dyn.example.test A 192.0.2.1', 'home.dyn.example.test MX 10 home.dyn.example.test. 20 mx.example.net.']);
  });

  it("keeps extras a request leaves out, and pfSense's wildcard=OFF&mx=&backmx=NO turns them off", async () => {
    await t.update(`${HOME}&myip=192.0.2.1&wildcard=ON&mx=mx.example.net&backmx=YES`);
    expect((await t.update(`${HOME}&myip=192.0.2.2`)).body).toBe('good 192.0.2.2');
    expect(await records()).toEqual([
      '*.home.dyn.example.test A 192.0.2.2',
      'home.dyn.example.test A 192.0.2.2',
      'home.dyn.example.test MX 10 home.dyn.example.test. 20 mx.example.net.',
    ]);
    expect((await t.update(`system=dyndns&${HOME}&myip=192.0.2.2&wildcard=OFF&mx=&backmx=NO`)).body).toBe('good 192.0.2.2');
    expect(await records()).toEqual(['home.dyn.example.test A 192.0.2.2']);
    const stored = await t.store.getHost('home.dyn.example.test');
    expect([stored?.wildcard, stored?.mx, stored?.backmx]).toEqual([undefined, undefined, undefined]);
  });

  it('answers notfqdn for an mx that is not a host name and changes nothing', async () => {
    await t.update(`${HOME}&myip=192.0.2.1`);
    const res = await t.update(`${HOME}&myip=192.0.2.9&mx=${encodeURIComponent('not a name')}`);
    expect(res).toMatchObject({ status: 200, body: 'notfqdn' });
    expect(await records()).toEqual(['home.dyn.example.test A 192.0.2.1']);
  });

  it('records only addresses in the history', async () => {
    await t.update(`${HOME}&myip=192.0.2.1&wildcard=ON&mx=mx.example.net`);
    const [entry] = await t.store.listHistory('home.dyn.example.test', 1);
    expect(entry).toMatchObject({ before: {}, after: { v4: '192.0.2.1' }, result: 'good' });
  });
});
