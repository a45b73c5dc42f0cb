/**
 * Challenge records for administrators: the admin API's listing, the CLI's
 * `challenge list`, and what a failed unpublish answers (502 publish_failed,
 * nothing removed) when an account goes.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/env.js';
import { openStore } from '../../src/config/services.js';
import { main } from '../../src/entrypoints/node/cli.js';
import { createTestApp } from '../support/http-app.js';

const ZONE = 'dyn.example.test';
const NAME = `_acme-challenge.home.${ZONE}`;
const T0 = Date.UTC(2026, 0, 1);
const fastHasher = { hash: async (p: string) => `plain:${p}`, verify: async (h: string, p: string) => h === `plain:${p}` };

describe('GET /users/:username/challenges', () => {
  it('lists the names a user holds with their live values and expiries, or their alias', async () => {
    const clock = { now: T0 };
    const t = await createTestApp({}, { hasher: fastHasher, now: () => clock.now });
    await t.addUser('alice', 'alice-password', [`home.${ZONE}`, `*.lab.${ZONE}`]);
    await t.core.challenges.add(NAME, 'first', 'alice');
    clock.now += 60_000;
    await t.core.challenges.add(NAME, 'second', 'alice');
    await t.core.challenges.setAlias(`_acme-challenge.x.lab.${ZONE}`, `sub.acme.${ZONE}`, 'alice');

    const res = await t.admin('GET', '/users/alice/challenges');
    expect(res.status).toBe(200);
    expect(res.json).toEqual({
      challenges: [
        { name: NAME, zone: ZONE, owner: 'alice', alias: null, values: [{ value: 'first', expiresAt: '2026-01-01T01:00:00.000Z' }, { value: 'second', expiresAt: '2026-01-01T01:01:00.000Z' }] },
        { name: `_acme-challenge.x.lab.${ZONE}`, zone: ZONE, owner: 'alice', alias: `sub.acme.${ZONE}`, values: [] },
      ],
    });
    clock.now = T0 + 60 * 60_000; // `first` expired (not swept yet): no longer shown
    expect((await t.admin('GET', '/users/alice/challenges')).json.challenges[0].values.map((v: { value: string }) => v.value)).toEqual(['second']);

    expect((await t.admin('GET', '/users/carol/challenges')).json.error.code).toBe('user_not_found');
    expect((await t.admin('GET', '/users/alice/challenges', undefined, null)).status).toBe(401);
  });
});

describe('removing an account whose records cannot be unpublished', () => {
  it('answers 502 publish_failed and keeps the account; a retry removes everything', async () => {
    const t = await createTestApp({}, { hasher: fastHasher });
    await t.addUser('alice', 'alice-password', [`home.${ZONE}`]);
    await t.core.challenges.add(NAME, 'token', 'alice');
    t.provider.failNext();
    const res = await t.admin('DELETE', '/users/alice');
    expect([res.status, res.json.error.code]).toEqual([502, 'publish_failed']);
    expect(await t.store.getUser('alice')).toBeDefined();
    // The row stays (emptied) while its record may still be published, so the name stays claimed.
    expect(await t.store.getChallenge(NAME)).toBeDefined();
    expect((await t.provider.records(ZONE)).map((r) => r.name)).toEqual([NAME]);
    expect((await t.admin('DELETE', '/users/alice')).status).toBe(204);
    expect(await t.provider.records(ZONE)).toEqual([]);
    expect(await t.store.listChallenges()).toEqual([]);
  });
});

describe('signpost challenge list', () => {
  const dir = mkdtempSync(join(tmpdir(), 'signpost-cli-challenges-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("prints a user's challenge names and values as JSON; an unknown user fails", async () => {
    const store = openStore(loadConfig({ SIGNPOST_DATA_DIR: dir }));
    const expiresAt = Date.now() + 3_600_000;
    await store.createUser({ username: 'alice', passwordHash: 'x', createdAt: 0, admin: false });
    await store.putChallenge({ name: NAME, zone: ZONE, owner: 'alice', values: [{ value: 'token', writtenAt: Date.now(), expiresAt }], version: 1 }, null);
    await store.close();
    const run = async (args: string[]) => {
      const out = { text: '', isTTY: false, write: (chunk: string) => ((out.text += chunk), true) };
      const err = { text: '', isTTY: false, write: (chunk: string) => ((err.text += chunk), true) };
      const code = await main(['node', 'signpost', ...args], { env: { SIGNPOST_DATA_DIR: dir, SIGNPOST_ZONES: ZONE }, stdin: Readable.from([]), stdout: out as never, stderr: err as never });
      return { code, out: out.text, err: err.text };
    };
    const listed = await run(['challenge', 'list', 'alice']);
    expect(listed.code).toBe(0);
    expect(JSON.parse(listed.out)).toEqual([{ name: NAME, zone: ZONE, owner: 'alice', alias: null, values: [{ value: 'token', expiresAt: new Date(expiresAt).toISOString() }] }]);
    const unknown = await run(['challenge', 'list', 'carol']);
    expect(unknown.code).toBe(1);
    expect(unknown.err).toMatch(/no user carol/);
  });
});
