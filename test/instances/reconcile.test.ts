import { expect, it } from 'vitest';
import { builtinWorld } from './builtin-world.js';
import { stateEvent } from './events.js';
import { instance } from './scenarios.js';

it('re-syncing DNS with the store (after a CLI change) leaves instance records alone', async () => {
  const w = await builtinWorld();
  w.ec2.launch(instance({ tags: { 'signpost:zone': 'corp.example', 'signpost:name': 'web' } }));
  await w.send(stateEvent(instance().id, 'running', 1));
  expect(await w.core.reconciler.reconcile()).toBe(0);
  expect(await w.records('private', 'corp.example')).toEqual(['web.corp.example A 10.0.1.5']);
  expect(await w.records('private', '1.0.10.in-addr.arpa')).toEqual(['5.1.0.10.in-addr.arpa PTR web.corp.example']);
});

it('an instance name that a dyndns2 host holds is left to the host (the registry knows the owner), with an alert', async () => {
  const w = await builtinWorld();
  await w.core.accounts.createUser({ username: 'alice', password: 'alice-password', domains: ['web.example.com'] });
  const principal = { kind: 'user', username: 'alice' } as const;
  const [result] = await w.core.updateHosts.execute({ principal, query: { hostnames: ['web.example.com'], v4: '192.0.2.80' }, sourceAddress: '192.0.2.80', userAgent: 'test' });
  expect(result).toEqual({ code: 'good', addresses: ['192.0.2.80'] });
  w.ec2.launch(instance({ publicIp: '203.0.113.10', tags: { 'signpost:zone': 'example.com', 'signpost:name': 'web' } }));
  await w.send(stateEvent(instance().id, 'running', 1));
  expect(await w.records('public', 'example.com')).toEqual(['web.example.com A 192.0.2.80']);
  expect(w.alerts.map((a) => a.cause)).toEqual([expect.stringMatching(/web\.example\.com A .*belongs to a host \(web\.example\.com\); left alone/)]);
  expect(await w.core.reconciler.reconcile()).toBe(0);
});
