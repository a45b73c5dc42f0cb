/** On Lambda/Route 53 the apex of every served zone, and NS names configured with SIGNPOST_DNS_NS, are reserved too. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDynalite, type LocalDynamo } from '../support/dynalite.js';
import { createLambdaTarget } from './lambda-target.js';

let dynamo: LocalDynamo;
beforeAll(async () => {
  dynamo = await startDynalite();
});
afterAll(async () => {
  await dynamo.close();
});

const bob = { username: 'bob', password: 'bob-password', domains: ['*.dyn.example.test'] };

describe('reserved names on Lambda', () => {
  it('zones read from Route 53: each apex is refused as a grant; ns1 is an ordinary name without SIGNPOST_DNS_NS', async () => {
    const t = await createLambdaTarget(dynamo, { zones: 'from-route53' });
    await t.core.accounts.createUser(bob);
    await expect(t.core.accounts.addGrant('bob', 'example.org')).rejects.toMatchObject({ code: 'name_reserved' });
    await expect(t.core.accounts.addGrant('bob', 'dyn.example.test')).rejects.toMatchObject({ code: 'name_reserved' });
    const principal = (await t.core.authenticator.authenticate('bob', 'bob-password'))!;
    const results = await t.core.updateHosts.execute({ principal, query: { hostnames: ['ns1.dyn.example.test'], v4: '192.0.2.5' }, sourceAddress: '203.0.113.9', userAgent: 'test/1.0' });
    expect(results).toEqual([{ code: 'good', addresses: ['192.0.2.5'] }]);
  });

  it('NS names configured with SIGNPOST_DNS_NS are refused as grants and answer nohost to a wildcard holder', async () => {
    const t = await createLambdaTarget(dynamo, { zones: 'from-route53', env: { SIGNPOST_DNS_NS: 'ns1.{zone},ns.example.net' } });
    await t.core.accounts.createUser(bob);
    await expect(t.core.accounts.addGrant('bob', 'ns1.example.org')).rejects.toMatchObject({ code: 'name_reserved' });
    const principal = (await t.core.authenticator.authenticate('bob', 'bob-password'))!;
    const results = await t.core.updateHosts.execute({ principal, query: { hostnames: ['ns1.dyn.example.test', 'www.dyn.example.test'], v4: '192.0.2.5' }, sourceAddress: '203.0.113.9', userAgent: 'test/1.0' });
    expect(results.map((r) => r.code)).toEqual(['nohost', 'good']);
    expect(await t.records()).toEqual(['www.dyn.example.test A 192.0.2.5']);
  });
});
