/**
 * One dyndns2 table through every shape Signpost runs in: the Node server
 * (real socket, SQLite, built-in DNS), the in-process app, and the Lambda
 * handler with REST v1, HTTP API v2 and Function URL events on dynalite +
 * the strict Route 53 fake.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createLogger } from '../../src/adapters/observability/logger.js';
import { loadConfig } from '../../src/config/env.js';
import { startServer } from '../../src/entrypoints/node/server.js';
import { PublishError } from '../../src/ports/dns-provider.js';
import { basic, createTestApp } from '../support/http-app.js';
import { DYNDNS2_TABLE, TABLE_PEER, TABLE_UA, TABLE_USERS, TABLE_ZONES, type TableCase, type TableRequest, type TableTarget } from '../support/dyndns2-table.js';
import { startDynalite, type LocalDynamo } from '../support/dynalite.js';
import { recordsIn } from '../support/zones.js';
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

describe('dyndns2 table: Node server (socket, SQLite, built-in DNS)', () => {
  it.each(DYNDNS2_TABLE.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const dir = mkdtempSync(join(tmpdir(), 'signpost-table-'));
    // The socket peer is 127.0.0.1; as a trusted proxy it forwards the table's client address.
    const config = loadConfig({
      SIGNPOST_DATA_DIR: dir,
      SIGNPOST_HOST: '127.0.0.1',
      SIGNPOST_HTTP_PORT: '0',
      SIGNPOST_DNS_PORT: '0',
      SIGNPOST_ZONES: TABLE_ZONES.join(','),
      SIGNPOST_TRUSTED_PROXIES: '127.0.0.1',
      SIGNPOST_ADMIN_KEY: 'table-admin-key-0123456789',
    });
    const server = await startServer(config, { logger: createLogger('silent') });
    try {
      for (const u of TABLE_USERS) await server.core.accounts.createUser({ username: u.username, password: u.password, domains: [...u.domains] });
      const target: TableTarget = {
        request: (req) => {
          const headers = headersFor(req);
          const peer = req.peer ?? TABLE_PEER;
          headers['x-forwarded-for'] = headers['x-forwarded-for'] ? `${headers['x-forwarded-for']}, ${peer}` : peer;
          if (req.body !== undefined) headers['content-length'] = String(Buffer.byteLength(req.body));
          const url = `${server.url}${req.path ?? '/nic/update'}${req.query ? `?${req.query}` : ''}`;
          return new Promise((resolve, reject) => {
            // node:http, not fetch: fetch would add a User-Agent of its own.
            const r = httpRequest(url, { method: req.method ?? 'GET', headers }, (res) => {
              const chunks: Buffer[] = [];
              res.on('data', (d: Buffer) => chunks.push(d));
              res.on('end', () => {
                const h = new Headers();
                for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) h.set(k, Array.isArray(v) ? v.join(', ') : v);
                resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), headers: h });
              });
            });
            r.on('error', reject);
            r.end(req.body);
          });
        },
        records: async () => (await recordsIn(server.core.provider, 'dyn.example.test')).map((r) => `${r.name} ${r.type} ${r.values.join(' ')}`).sort(),
        failDnsNext: () => void vi.spyOn(server.core.provider, 'apply').mockRejectedValueOnce(new PublishError('unavailable', 'injected outage')),
      };
      await run(target, c);
    } finally {
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

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
      records: async () => (await t.provider.records('dyn.example.test')).map((r) => `${r.name} ${r.type} ${r.values.join(' ')}`).sort(),
      failDnsNext: () => t.provider.failNext(),
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
