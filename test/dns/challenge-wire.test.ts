/**
 * Challenge records as resolvers see them: the built-in DNS server answers
 * every live value of a name (over TCP: sixteen long values do not fit a
 * plain UDP answer), drops a value once it expired and the sweep ran, and a
 * restart on the same SQLite file serves the values still alive.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { loadConfig } from '../../src/config/env.js';
import { startServer, type RunningServer } from '../../src/entrypoints/node/server.js';
import { requirePeer } from '../support/peers.js';
import { dig, waitFor, ZONE } from './support.js';

const digPeer = requirePeer('dig');
const NAME = `_acme-challenge.home.${ZONE}`;
const MINUTE = 60_000;

/** The TXT values `dig +tcp` gets for the name, unquoted and sorted. */
async function txtOverTcp(port: number, name = NAME): Promise<string[]> {
  const r = await dig(digPeer.path, port, ['+tcp', '+noall', '+answer', name, 'TXT']);
  return [...r.stdout.matchAll(/\sTXT\s+"([^"]*)"/g)].map((m) => m[1]!).sort();
}

describe.skipIf(!digPeer.available)('challenge records over the wire (built-in DNS, SQLite)', () => {
  let dir: string;
  const clock = { now: Date.UTC(2026, 0, 1) };
  const start = (): Promise<RunningServer> =>
    startServer(loadConfig({ SIGNPOST_DATA_DIR: dir, SIGNPOST_HOST: '127.0.0.1', SIGNPOST_HTTP_PORT: '0', SIGNPOST_DNS_PORT: '0', SIGNPOST_LOG_LEVEL: 'silent', SIGNPOST_ZONES: ZONE }), { now: () => clock.now });

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'signpost-challenge-wire-'));
  });
  afterAll(async () => rm(dir, { recursive: true, force: true }));

  it('serves many values at once, each until it expires, and across a restart', async () => {
    const early = Array.from({ length: 4 }, (_, i) => `early-${i}-${'e'.repeat(200)}`);
    const late = Array.from({ length: 8 }, (_, i) => `late-${i}-${'l'.repeat(200)}`);
    const first = await start();
    try {
      for (const v of early) await first.core.challenges.add(NAME, v, 'alice');
      clock.now += 30 * MINUTE;
      for (const v of late) await first.core.challenges.add(NAME, v, 'alice');
      expect(await txtOverTcp(first.dnsPort!)).toEqual([...early, ...late].sort());

      clock.now += 31 * MINUTE; // the early values are an hour and a minute old
      expect(await first.core.challenges.sweep()).toBe(1);
      expect(await txtOverTcp(first.dnsPort!)).toEqual(late.sort());
    } finally {
      await first.close();
    }

    clock.now += 10 * MINUTE;
    const second = await start();
    try {
      expect(await txtOverTcp(second.dnsPort!)).toEqual(late.sort());
    } finally {
      await second.close();
    }

    // Down past every value's expiry: nothing is served, and the sweep at start clears the row.
    clock.now += 60 * MINUTE;
    const third = await start();
    try {
      expect(await txtOverTcp(third.dnsPort!)).toEqual([]);
      await waitFor(async () => (await third.core.store.getChallenge(NAME)) === undefined, 5000);
      expect(await third.core.store.getChallenge(NAME)).toBeUndefined();
    } finally {
      await third.close();
    }
  });

  it('the running server sweeps expired values every minute', async () => {
    // Only the interval timers are simulated: sockets and waits keep real time.
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    const server = await start();
    try {
      const name = `_acme-challenge.swept.${ZONE}`;
      await server.core.challenges.add(name, 'short-lived', 'alice');
      expect(await txtOverTcp(server.dnsPort!, name)).toEqual(['short-lived']);
      clock.now += 61 * MINUTE;
      expect(await txtOverTcp(server.dnsPort!, name)).toEqual(['short-lived']); // expired, not yet swept
      await vi.advanceTimersByTimeAsync(MINUTE);
      await waitFor(async () => (await server.core.store.getChallenge(name)) === undefined, 5000);
      expect(await txtOverTcp(server.dnsPort!, name)).toEqual([]);
    } finally {
      vi.useRealTimers();
      await server.close();
    }
  });
});
