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
