/** The CLI's core: no DNS server of its own; the store only with the built-in server, a shared provider written directly. */
import { describe, expect, it } from 'vitest';
import { MemoryDnsProvider } from '../../src/adapters/dns/memory.js';
import { createLogger } from '../../src/adapters/observability/logger.js';
import { MemoryStore } from '../../src/adapters/store/memory.js';
import { loadConfig } from '../../src/config/env.js';
import { createAdminCore } from '../../src/config/services.js';
import { plainHasher } from '../support/authorization-table.js';

const ZONE = 'dyn.example.test';
const config = loadConfig({ SIGNPOST_ZONES: ZONE, SIGNPOST_LOG_LEVEL: 'silent' });
const HOST = { name: `home.${ZONE}`, zone: ZONE, owner: 'alice', addresses: { v4: '192.0.2.1' }, ttl: 60, updatedAt: 0, version: 1 };

describe('createAdminCore', () => {
  it('with the built-in server: builds no DNS server and changes the store only (the running server reconciles)', async () => {
    const store = new MemoryStore();
    await store.putHost(HOST, null);
    const core = await createAdminCore(config, { store, hasher: plainHasher, logger: createLogger('silent') });
    expect(core.dns).toBeUndefined();
    const view = await core.setHostAddresses.execute({ name: HOST.name, v4: '192.0.2.2', sourceAddress: 'cli', userAgent: 'signpost CLI' });
    expect(view.ipv4).toBe('192.0.2.2');
    expect((await store.getHost(HOST.name))?.addresses).toEqual({ v4: '192.0.2.2' });
    expect(await core.provider.records((await core.provider.zones())[0]!)).toEqual([]);
  });

  it('with a shared provider: publishes directly, and a foreign record is refused there too', async () => {
    const store = new MemoryStore();
    await store.putHost(HOST, null);
    const provider = new MemoryDnsProvider([ZONE], { shared: true });
    provider.seed(ZONE, [{ name: HOST.name, type: 'A', ttl: 60, values: ['192.0.2.1'] }, { name: HOST.name, type: 'AAAA', ttl: 60, values: ['2001:db8::80'] }]);
    const core = await createAdminCore(config, { store, provider, hasher: plainHasher, logger: createLogger('silent') });
    await core.setHostAddresses.execute({ name: HOST.name, v4: '192.0.2.2', sourceAddress: 'cli', userAgent: 'signpost CLI' });
    expect((await provider.records(ZONE)).map((r) => `${r.type} ${r.values[0]}`).sort()).toEqual(['A 192.0.2.2', 'AAAA 2001:db8::80']);
    await expect(core.setHostAddresses.execute({ name: HOST.name, v6: '2001:db8::2', sourceAddress: 'cli', userAgent: 'signpost CLI' })).rejects.toMatchObject({ code: 'record_conflict' });
  });
});
