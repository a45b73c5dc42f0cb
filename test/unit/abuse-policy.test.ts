/**
 * The abuse rules through the update use case on a simulated clock: timer
 * pollers are never blocked, floods are, blocks expire, and an unblock made
 * by another process or container restarts the counters this one holds.
 */
import { describe, expect, it } from 'vitest';
import { MemoryDnsProvider } from '../../src/adapters/dns/memory.js';
import { createLogger } from '../../src/adapters/observability/logger.js';
import { MemoryStore } from '../../src/adapters/store/memory.js';
import { loadConfig } from '../../src/config/env.js';
import { createCore, type Core } from '../../src/config/services.js';
import type { PasswordHasher } from '../../src/ports/password-hasher.js';

const HOST = 'home.dyn.example.test';
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** Argon2 is beside the point here. */
const plainHasher: PasswordHasher = { hash: async (p) => `plain:${p}`, verify: async (h, p) => h === `plain:${p}` };

interface World {
  clock: { now: number };
  store: MemoryStore;
  publisher: MemoryDnsProvider;
  /** One process (or Lambda container) on the shared store, with its own in-memory counters. */
  process(): Promise<Core>;
}

async function world(env: Record<string, string> = {}): Promise<World> {
  const clock = { now: Date.UTC(2026, 0, 1) };
  const store = new MemoryStore();
  const config = loadConfig({ SIGNPOST_ZONES: 'dyn.example.test', ...env });
  const publisher = new MemoryDnsProvider(config.zones);
  const process = () => createCore(config, { store, provider: publisher, hasher: plainHasher, logger: createLogger('silent'), now: () => clock.now });
  const admin = await process();
  await admin.accounts.createUser({ username: 'alice', password: 'alice-password', domains: [HOST] });
  return { clock, store, publisher, process };
}

async function update(core: Core, v4: string): Promise<string> {
  const [result] = await core.updateHosts.execute({
    principal: { kind: 'user', username: 'alice' },
    query: { hostnames: [HOST], v4 },
    sourceAddress: '203.0.113.9',
    userAgent: 'test/1.0',
  });
  return result!.code;
}

describe('abuse: timer pollers', () => {
  it('a client polling every 5 minutes with the same address is never blocked over a day', async () => {
    const w = await world();
    const core = await w.process();
    expect(await update(core, '192.0.2.1')).toBe('good');
    const codes = new Set<string>();
    for (let t = 5 * MINUTE; t <= DAY; t += 5 * MINUTE) {
      w.clock.now += 5 * MINUTE;
      codes.add(await update(core, '192.0.2.1'));
    }
    expect([...codes]).toEqual(['nochg']);
  });

  it('a router re-sending each family as its own request every 5 minutes (± 30 s) is never blocked over a day', async () => {
    const w = await world();
    const core = await w.process();
    expect(await update(core, '192.0.2.1')).toBe('good');
    const codes = new Set<string>();
    for (let i = 0; i < 288; i++) {
      w.clock.now += 5 * MINUTE + ((i * 7919) % 61) * 1000 - 30_000; // deterministic jitter of -30..+30 s
      codes.add(await update(core, '192.0.2.1'));
      w.clock.now += 1000;
      codes.add(await update(core, '192.0.2.1'));
    }
    expect([...codes]).toEqual(['nochg']);
  });

  it('a client that changes its address every 5 minutes for a day is never blocked', async () => {
    const w = await world();
    const core = await w.process();
    for (let i = 0; i < 288; i++) {
      w.clock.now += 5 * MINUTE;
      expect(await update(core, `192.0.2.${(i % 2) + 1}`)).toBe('good');
    }
  });
});

describe('abuse: floods', () => {
  it('a flood of nochg is blocked after SIGNPOST_ABUSE_MAX_NOCHG answers', async () => {
    const w = await world();
    const core = await w.process();
    expect(await update(core, '192.0.2.1')).toBe('good');
    const codes: string[] = [];
    for (let i = 0; i < 12; i++) {
      w.clock.now += 1000;
      codes.push(await update(core, '192.0.2.1'));
    }
    expect(codes).toEqual([...Array(10).fill('nochg'), 'abuse', 'abuse']);
    expect((await core.accounts.getHost(HOST)).blocked).toMatchObject({ reason: 'repeated nochg' });
  });

  it('a client repeating itself every 10 seconds is blocked within an hour', async () => {
    const w = await world();
    const core = await w.process();
    expect(await update(core, '192.0.2.1')).toBe('good');
    let code = '';
    for (let t = 0; t < HOUR && code !== 'abuse'; t += 10_000) {
      w.clock.now += 10_000;
      code = await update(core, '192.0.2.1');
    }
    expect(code).toBe('abuse');
  });

  it('a flood of changes is blocked after SIGNPOST_ABUSE_MAX_UPDATES in the window', async () => {
    const w = await world();
    const core = await w.process();
    const codes: string[] = [];
    for (let i = 0; i < 62; i++) {
      w.clock.now += 1000;
      codes.push(await update(core, `192.0.2.${(i % 2) + 1}`));
    }
    expect(codes).toEqual([...Array(60).fill('good'), 'abuse', 'abuse']);
    expect((await core.accounts.getHost(HOST)).blocked).toMatchObject({ reason: 'too many updates' });
  });
});

describe('abuse: failures on our side', () => {
  it('a client retrying while the DNS backend fails (dnserr) is not blocked for it', async () => {
    const w = await world({ SIGNPOST_ABUSE_MAX_UPDATES: '3' });
    const core = await w.process();
    expect(await update(core, '192.0.2.1')).toBe('good');
    w.publisher.failNext(10);
    for (let i = 0; i < 10; i++) {
      w.clock.now += MINUTE;
      expect(await update(core, '192.0.2.2')).toBe('dnserr');
    }
    w.clock.now += MINUTE;
    expect(await update(core, '192.0.2.2')).toBe('good');
  });
});

describe('abuse: blocks end', () => {
  async function flooded(env: Record<string, string> = {}) {
    const w = await world({ SIGNPOST_ABUSE_MAX_NOCHG: '2', ...env });
    const core = await w.process();
    expect(await update(core, '192.0.2.1')).toBe('good');
    expect(await update(core, '192.0.2.1')).toBe('nochg');
    expect(await update(core, '192.0.2.1')).toBe('nochg');
    expect(await update(core, '192.0.2.1')).toBe('abuse');
    return { w, core, blockedAt: w.clock.now };
  }

  it('a block expires after SIGNPOST_ABUSE_BLOCK_SECONDS (default 1 hour) and the counters start afresh', async () => {
    const { w, core, blockedAt } = await flooded();
    expect((await core.accounts.getHost(HOST)).blocked).toEqual({
      at: new Date(blockedAt).toISOString(),
      reason: 'repeated nochg',
      until: new Date(blockedAt + HOUR).toISOString(),
    });
    w.clock.now = blockedAt + HOUR - 1;
    expect(await update(core, '192.0.2.2')).toBe('abuse');
    w.clock.now = blockedAt + HOUR;
    expect((await core.accounts.getHost(HOST)).blocked).toBeNull();
    // The bucket is full again: two nochg, as after the first good.
    expect(await update(core, '192.0.2.1')).toBe('nochg');
    expect(await update(core, '192.0.2.1')).toBe('nochg');
    expect(await update(core, '192.0.2.2')).toBe('good');
  });

  it('SIGNPOST_ABUSE_BLOCK_SECONDS=0 keeps a block until an admin unblocks the host', async () => {
    const { w, core } = await flooded({ SIGNPOST_ABUSE_BLOCK_SECONDS: '0' });
    expect((await core.accounts.getHost(HOST)).blocked).toMatchObject({ until: null });
    w.clock.now += 30 * DAY;
    expect(await update(core, '192.0.2.2')).toBe('abuse');
    await core.accounts.unblock(HOST);
    expect(await update(core, '192.0.2.2')).toBe('good');
  });

  it('an unblock made by another process restarts the counters every process holds', async () => {
    const w = await world({ SIGNPOST_ABUSE_MAX_UPDATES: '3', SIGNPOST_ABUSE_BLOCK_SECONDS: '0' });
    const [a, b, cli] = [await w.process(), await w.process(), await w.process()];
    // b has counted three changes; a adds a fourth of its own... and the rate rule of a blocks the host.
    for (let i = 1; i <= 3; i++) expect(await update(b, `192.0.2.${i}`)).toBe('good');
    for (let i = 4; i <= 6; i++) expect(await update(a, `192.0.2.${i}`)).toBe('good');
    expect(await update(a, '192.0.2.7')).toBe('abuse');
    expect(await update(b, '192.0.2.7')).toBe('abuse');

    w.clock.now += 1000;
    await cli.accounts.unblock(HOST);
    w.clock.now += 1000;
    // Without the unblock time in the host, b would count its three old changes and block again at once.
    expect(await update(b, '192.0.2.8')).toBe('good');
    expect(await update(a, '192.0.2.9')).toBe('good');
    expect((await w.store.getHost(HOST))?.blocked).toBeUndefined();
  });
});

describe('abuse settings', () => {
  it('defaults to an hour-long block and one free nochg a minute; refuses an interval of 0 or a negative block', () => {
    expect(loadConfig({}).abuse).toEqual({ windowMs: HOUR, maxUpdates: 60, maxNochg: 10, nochgIntervalMs: MINUTE, blockMs: HOUR });
    expect(() => loadConfig({ SIGNPOST_ABUSE_NOCHG_INTERVAL_SECONDS: '0' })).toThrow(/SIGNPOST_ABUSE_NOCHG_INTERVAL_SECONDS must be a whole number of seconds of at least 1, got '0'/);
    expect(() => loadConfig({ SIGNPOST_ABUSE_BLOCK_SECONDS: '-1' })).toThrow(/SIGNPOST_ABUSE_BLOCK_SECONDS must be a whole number .*got '-1'/);
  });
});
