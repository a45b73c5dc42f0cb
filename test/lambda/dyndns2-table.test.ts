/**
 * The dyndns2 table through the in-process app (what the Node server
 * serves) and through the Lambda handler with REST v1, HTTP API v2 and
 * Function URL events, on dynalite + the strict Route 53 fake.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { basic, createTestApp } from '../support/http-app.js';
import { DYNDNS2_TABLE, TABLE_PEER, TABLE_UA, TABLE_USERS, TABLE_ZONES, type TableCase, type TableRequest, type TableTarget } from '../support/dyndns2-table.js';
import { startDynalite, type LocalDynamo } from '../support/dynalite.js';
import { createLambdaTarget } from './lambda-target.js';
import { toEvent, type EventKind } from './events.js';

let dynamo: LocalDynamo;
beforeAll(async () => {
  dynamo = await startDynalite();
});
afterAll(async () => {
  await dynamo.close();
});

export function headersFor(req: TableRequest): Record<string, string> {
  const headers: Record<string, string> = { ...(req.headers ?? { 'user-agent': TABLE_UA }) };
  const auth = req.auth === undefined ? (['alice', 'alice-password'] as const) : req.auth;
  if (auth) headers.authorization = basic(auth[0], auth[1]);
  return headers;
}

async function run(target: TableTarget, c: TableCase): Promise<void> {
  for (const req of c.before ?? []) await target.request(req);
  if (c.failDns) target.failDnsNext();
  const res = await target.request(c.request);
  expect(res.body).toBe(c.body);
  expect(res.status).toBe(c.status ?? 200);
  for (const [name, pattern] of Object.entries(c.headers ?? {})) expect(res.headers.get(name) ?? '').toMatch(pattern);
  if (c.records) expect(await target.records()).toEqual(c.records);
}

describe('dyndns2 table: in-process app (Node)', () => {
  it.each(DYNDNS2_TABLE.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const t = await createTestApp({ SIGNPOST_ZONES: TABLE_ZONES.join(',') });
    for (const u of TABLE_USERS) await t.addUser(u.username, u.password, [...u.domains]);
    const target: TableTarget = {
      async request(req) {
        const init: RequestInit = { method: req.method ?? 'GET', headers: headersFor(req) };
        if (req.body !== undefined) init.body = req.body;
        const res = await t.app.request(`${req.path ?? '/nic/update'}${req.query ? `?${req.query}` : ''}`, init, { peer: req.peer ?? TABLE_PEER });
        return { status: res.status, body: await res.text(), headers: res.headers };
      },
      records: async () => (await t.publisher.records('dyn.example.test')).map((r) => `${r.name} ${r.type} ${r.values.join(' ')}`).sort(),
      failDnsNext: () => t.publisher.failNext(),
    };
    await run(target, c);
  });
});

for (const kind of ['v1', 'v2', 'url'] as const satisfies readonly EventKind[]) {
  describe(`dyndns2 table: Lambda handler, ${kind} events, DynamoDB + Route 53`, () => {
    it.each(DYNDNS2_TABLE.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
      const t = await createLambdaTarget(dynamo, { zones: 'from-route53' });
      for (const u of TABLE_USERS) await t.core.accounts.createUser({ username: u.username, password: u.password, domains: [...u.domains] });
      await run(
        {
          request: (req) =>
            t.invoke(
              toEvent(kind, {
                method: req.method ?? 'GET',
                path: req.path ?? '/nic/update',
                ...(req.query !== undefined ? { query: req.query } : {}),
                headers: headersFor(req),
                ...(req.body !== undefined ? { body: req.body } : {}),
                sourceIp: req.peer ?? TABLE_PEER,
              }),
            ),
          records: () => t.records(),
          failDnsNext: () => t.route53.inject('changeResourceRecordSets', { name: 'ServiceUnavailable', message: 'injected outage' }),
        },
        c,
      );
    });
  });
}
