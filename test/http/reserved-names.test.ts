/** Names Signpost publishes itself (apex, name servers, glue) are neither grantable nor updatable. */
import { describe, expect, it } from 'vitest';
import { MemoryStore } from '../../src/adapters/store/memory.js';
import { createLogger } from '../../src/adapters/observability/logger.js';
import { loadConfig } from '../../src/config/env.js';
import { createCore } from '../../src/config/services.js';
import { TYPE } from '../../src/adapters/dns/builtin/wire.js';
import { plainHasher } from '../support/authorization-table.js';
import { createTestApp } from '../support/http-app.js';

const bob = { username: 'bob', password: 'bob-password', domains: [] };

describe('reserved names over the admin API and dyndns2', () => {
  it('refuses the apex and the default in-zone name server as grants and tokens (422 name_reserved)', async () => {
    const t = await createTestApp({}, { hasher: plainHasher });
    await t.admin('POST', '/users', bob);
    for (const domain of ['ns1.dyn.example.test', 'dyn.example.test', 'NS1.example.org.']) {
      const res = await t.admin('POST', '/users/bob/grants', { domain });
      expect([res.status, res.json.error.code], domain).toEqual([422, 'name_reserved']);
    }
    const create = await t.admin('POST', '/users', { username: 'carol', password: 'carol-password', domains: ['ns1.dyn.example.test'] });
    expect([create.status, create.json.error.code]).toEqual([422, 'name_reserved']);
    expect(await t.store.getUser('carol')).toBeUndefined();
    expect((await t.admin('GET', '/users/bob')).json.domains).toEqual([]);

    // a wildcard may cover them, but they stay out of its reach
    expect((await t.admin('POST', '/users/bob/grants', { domain: '*.dyn.example.test' })).status).toBe(200);
    const token = await t.admin('POST', '/users/bob/tokens', { hostname: 'ns1.dyn.example.test' });
    expect([token.status, token.json.error.code]).toEqual([422, 'name_reserved']);
    const auth: [string, string] = ['bob', 'bob-password'];
    expect((await t.update('hostname=ns1.dyn.example.test,www.dyn.example.test&myip=192.0.2.66', { auth })).body).toBe('nohost\ngood 192.0.2.66');
    expect(await t.store.getHost('ns1.dyn.example.test')).toBeUndefined();
    expect((await t.provider.records('dyn.example.test')).map((r) => r.name)).toEqual(['www.dyn.example.test']);
  });

  it('with glue configured, a wildcard holder gets nohost for the glue name, the glue stays, nothing is logged as an error', async () => {
    const logs: string[] = [];
    const core = await createCore(loadConfig({ SIGNPOST_ZONES: 'dyn.example.test', SIGNPOST_DNS_NS: 'ns1.{zone}=192.0.2.53' }), {
      store: new MemoryStore(),
      hasher: plainHasher,
      logger: createLogger('info', { write: (line: string) => void logs.push(line) }),
    });
    try {
      expect(core.dns).toBeDefined();
      await expect(core.accounts.createUser({ ...bob, domains: ['ns1.dyn.example.test'] })).rejects.toMatchObject({ code: 'name_reserved' });
      await core.accounts.createUser({ ...bob, domains: ['*.dyn.example.test'] });
      const principal = (await core.authenticator.authenticate('bob', 'bob-password'))!;
      const results = await core.updateHosts.execute({ principal, query: { hostnames: ['ns1.dyn.example.test'], v4: '198.51.100.66' }, sourceAddress: '203.0.113.9', userAgent: 'test/1.0' });
      expect(results).toEqual([{ code: 'nohost' }]);
      const glue = core.dns!.publisher.snapshot('dyn.example.test')!.node('ns1.dyn.example.test')!.sets.get(TYPE.A)!;
      expect(glue.rrset.values).toEqual(['192.0.2.53']);
      expect(glue.managed).toBe(false);
      expect(logs.filter((l) => JSON.parse(l).level >= 50)).toEqual([]);
    } finally {
      await core.close();
    }
  });
});
