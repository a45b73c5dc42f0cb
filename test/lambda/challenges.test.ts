/**
 * Certificates on the serverless path: the httpreq and acme-dns doors
 * through the Lambda handler on DynamoDB (dynalite) and the strict Route 53
 * fake — several TXT values at one name, two Lambda containers racing on
 * one name (both values published, none dropped), and the scheduled sweep
 * that expires what clients never cleaned up.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createChallengeSweepHandler } from '../../src/entrypoints/lambda/challenge-sweep-handler.js';
import type { PasswordHasher } from '../../src/ports/password-hasher.js';
import { FakeRoute53 } from '../route53/fake-route53.js';
import { startDynalite, type LocalDynamo } from '../support/dynalite.js';
import { basic } from '../support/http-app.js';
import { toEvent, type EventKind } from './events.js';
import { createLambdaTarget, type LambdaTarget } from './lambda-target.js';

const ZONE = 'dyn.example.test';
const NAME = `_acme-challenge.home.${ZONE}`;
const PEER = '198.51.100.20';
const plainHasher: PasswordHasher = { hash: async (p) => `plain:${p}`, verify: async (h, p) => h === `plain:${p}` };

let dynamo: LocalDynamo;
beforeAll(async () => {
  dynamo = await startDynalite();
});
afterAll(async () => {
  await dynamo.close();
});

async function target(options: { first?: LambdaTarget; clock?: { now: number } } = {}): Promise<LambdaTarget> {
  const env: Record<string, string> = { SIGNPOST_ZONES: ZONE, SIGNPOST_CHALLENGE_LIFETIME_SECONDS: '600' };
  if (options.first) env.SIGNPOST_TABLE_NAME = tableOf(options.first);
  const clock = options.clock;
  const t = await createLambdaTarget(dynamo, {
    env,
    ...(options.first ? { route53: options.first.route53 } : {}),
    overrides: { hasher: plainHasher, ...(clock ? { now: () => clock.now } : {}) },
  });
  if (!options.first) await t.core.accounts.createUser({ username: 'alice', password: 'alice-password', domains: [`home.${ZONE}`] });
  return t;
}

/** The table a target's store writes (a second "container" opens the same one). */
const tableOf = (t: LambdaTarget) => (t.store as unknown as { table: string }).table;

const present = (t: LambdaTarget, value: string, kind: EventKind = 'v1', action = 'present') =>
  t.invoke(
    toEvent(kind, {
      method: 'POST',
      path: `/httpreq/${action}`,
      headers: { 'content-type': 'application/json', authorization: basic('alice', 'alice-password') },
      body: JSON.stringify({ fqdn: `${NAME}.`, value }),
      sourceIp: PEER,
    }),
  );

/** TXT values Route 53 holds at a name, unquoted and sorted. */
function txtIn(t: LambdaTarget, name = NAME): string[] {
  const line = t.route53.dump(t.hostedZoneIds[ZONE]!).find((l) => l.startsWith(`${name}. TXT `));
  return line ? line.split(' ')[3]!.split(',').map((v) => v.slice(1, -1)).sort() : [];
}

describe('certificates on Lambda (DynamoDB + Route 53)', () => {
  it('httpreq: several values at one name in one Route 53 record set, removed one by one', async () => {
    const t = await target();
    expect((await present(t, 'for-the-name')).status).toBe(200);
    expect((await present(t, 'for-the-wildcard', 'v2')).status).toBe(200);
    expect(txtIn(t)).toEqual(['for-the-name', 'for-the-wildcard']);
    expect((await present(t, 'for-the-name', 'url', 'cleanup')).status).toBe(200);
    expect(txtIn(t)).toEqual(['for-the-wildcard']);
  });

  it('two Lambda containers (two cores, one table, one Route 53) racing on one name: every value ends up published', async () => {
    const first = await target();
    const second = await target({ first });
    const values = Array.from({ length: 8 }, (_, i) => `racing-value-${i}`);
    const answers = await Promise.all(values.map((v, i) => present(i % 2 ? first : second, v, i % 3 === 0 ? 'v2' : 'v1')));
    expect(answers.map((a) => a.status)).toEqual(values.map(() => 200));
    expect(txtIn(first)).toEqual([...values].sort());
    expect((await first.store.getChallenge(NAME))?.values.map((v) => v.value).sort()).toEqual([...values].sort());
  });

  it('acme-dns: register, update twice, the CNAME from the user’s name; the values live at the account’s subdomain', async () => {
    const t = await target();
    const call = async (path: string, body: unknown, headers: Record<string, string>) => {
      const res = await t.invoke(toEvent('v1', { method: 'POST', path, headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body), sourceIp: PEER }));
      return { status: res.status, json: JSON.parse(res.body || 'null') };
    };
    const auth = { authorization: basic('alice', 'alice-password') };
    const account = (await call('/acme-dns/register', {}, auth)).json;
    expect(account.fulldomain).toBe(`${account.subdomain}.acme.${ZONE}`);
    const keys = { 'x-api-user': account.username, 'x-api-key': account.password };
    for (const d of ['1', '2']) expect((await call('/acme-dns/update', { subdomain: account.subdomain, txt: d.repeat(43) }, keys)).status).toBe(200);
    expect(txtIn(t, account.fulldomain)).toEqual(['1'.repeat(43), '2'.repeat(43)]);
    expect((await call('/acme-dns/cname', { domain: `home.${ZONE}`, subdomain: account.subdomain }, auth)).status).toBe(201);
    expect(t.route53.dump(t.hostedZoneIds[ZONE]!)).toContain(`${NAME}. CNAME 60 ${account.fulldomain}.`);
  });

  it('acme-dns: a name and its wildcard updated at once from two containers both stay (the two newest values)', async () => {
    const first = await target();
    const second = await target({ first });
    const post = (t: LambdaTarget, path: string, body: unknown, headers: Record<string, string>) =>
      t.invoke(toEvent('v1', { method: 'POST', path, headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body), sourceIp: PEER }));
    const account = JSON.parse((await post(first, '/acme-dns/register', {}, { authorization: basic('alice', 'alice-password') })).body);
    const keys = { 'x-api-user': account.username, 'x-api-key': account.password };
    const [a, b] = ['A'.repeat(43), 'B'.repeat(43)];
    const answers = await Promise.all([post(first, '/acme-dns/update', { subdomain: account.subdomain, txt: a }, keys), post(second, '/acme-dns/update', { subdomain: account.subdomain, txt: b }, keys)]);
    expect(answers.map((r) => r.status)).toEqual([200, 200]);
    expect(txtIn(first, account.fulldomain)).toEqual([a, b]);
  });

  it('the acme-dns zone follows the zones read from Route 53 when none is configured', async () => {
    const route53 = new FakeRoute53();
    route53.addHostedZone('example.org');
    const t = await createLambdaTarget(dynamo, { zones: 'from-route53', route53 });
    expect(t.core.config.zones).toEqual(['example.org']);
    expect(t.core.config.acmeDns.zone).toBe('acme.example.org'); // not the default zone's
    const named = await createLambdaTarget(dynamo, { zones: 'from-route53', env: { SIGNPOST_ACME_DNS_ZONE: `certs.${ZONE}` } });
    expect(named.core.config.acmeDns.zone).toBe(`certs.${ZONE}`);
  });

  it('the scheduled sweep drops values past their lifetime from the table and from Route 53', async () => {
    const clock = { now: Date.UTC(2026, 0, 1) };
    const t = await target({ clock });
    const logged: unknown[] = [];
    const sweep = createChallengeSweepHandler({ challenges: async () => t.core.challenges, log: { info: (context) => void logged.push(context) } });
    expect((await present(t, 'never-cleaned-up')).status).toBe(200);
    clock.now += 5 * 60_000;
    expect((await present(t, 'younger')).status).toBe(200);
    expect(await sweep({})).toEqual({ changed: 0 });
    clock.now += 6 * 60_000; // the first value is 11 minutes old: past the 10-minute lifetime
    expect(await sweep({ source: 'aws.events', 'detail-type': 'Scheduled Event' })).toEqual({ changed: 1 });
    expect(txtIn(t)).toEqual(['younger']);
    clock.now += 10 * 60_000;
    expect(await sweep({})).toEqual({ changed: 1 });
    expect(txtIn(t)).toEqual([]);
    expect(await t.store.getChallenge(NAME)).toBeUndefined();
    expect(logged).toContainEqual({ changed: 1 });
  });
});
