/** The Lambda handler beyond the dyndns2 table: admin auth modes, races, zones, Route 53 behaviour. */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeRoute53 } from '../route53/fake-route53.js';
import { startDynalite, type LocalDynamo } from '../support/dynalite.js';
import { TABLE_PEER, TABLE_UA } from '../support/dyndns2-table.js';
import { basic } from '../support/http-app.js';
import { Route53DnsProvider } from '../../src/adapters/dns/route53.js';
import { createLogger } from '../../src/adapters/observability/logger.js';
import { DynamoDbStore } from '../../src/adapters/store/dynamodb.js';
import { loadLambdaSettings } from '../../src/config/lambda-env.js';
import { createHandler } from '../../src/entrypoints/lambda/create-handler.js';
import { fromResult, lambdaContext, toEvent, type EventKind } from './events.js';
import { createLambdaTarget, type LambdaTarget } from './lambda-target.js';

const ADMIN_KEY = 'spk_lambda-admin-key-0123456789abcdef';
const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

let dynamo: LocalDynamo;
beforeAll(async () => {
  dynamo = await startDynalite();
});
afterAll(async () => {
  await dynamo.close();
});

const postUser = (kind: EventKind, body: unknown, key: string | null, apiKey?: string) =>
  toEvent(kind, {
    method: 'POST',
    path: '/user',
    headers: { 'content-type': 'application/json', ...(key !== null ? { 'x-api-key': key } : {}) },
    body: JSON.stringify(body),
    sourceIp: TABLE_PEER,
    ...(apiKey ? { apiKey } : {}),
  });

const update = (t: LambdaTarget, kind: EventKind, query: string, auth: [string, string] = ['carol', 'carol-password']) =>
  t.invoke(toEvent(kind, { path: '/nic/update', query, headers: { 'user-agent': TABLE_UA, authorization: basic(...auth) }, sourceIp: TABLE_PEER }));

describe('admin API on Lambda', () => {
  it('two concurrent POST /user for one name give exactly one 201 and one 409', async () => {
    const t = await createLambdaTarget(dynamo, { env: { SIGNPOST_ADMIN_KEY_SHA256: sha256(ADMIN_KEY) } });
    const body = { username: 'carol', password: 'carol-password', domains: ['carol.dyn.example.test'] };
    const results = await Promise.all([t.invoke(postUser('v1', body, ADMIN_KEY)), t.invoke(postUser('v2', { ...body, password: 'other-password' }, ADMIN_KEY))]);
    expect(results.map((r) => r.status).sort()).toEqual([201, 409]);
    const conflict = results.find((r) => r.status === 409);
    expect(JSON.parse(conflict?.body ?? '{}')).toMatchObject({ error: { code: 'user_exists' } });
    expect(await t.store.listGrants('carol')).toEqual([{ username: 'carol', pattern: 'carol.dyn.example.test' }]);
  });

  it('many concurrent creates of one name across two handler instances (two Lambda containers): one 201', async () => {
    const first = await createLambdaTarget(dynamo, { env: { SIGNPOST_ADMIN_KEY_SHA256: sha256(ADMIN_KEY) } });
    // A second "container" on the same table and the same Route 53.
    const second = await createLambdaTarget(dynamo, { route53: first.route53, env: { SIGNPOST_ADMIN_KEY_SHA256: sha256(ADMIN_KEY), SIGNPOST_TABLE_NAME: tableOf(first) } });
    const body = { username: 'dave', password: 'dave-password' };
    const results = await Promise.all(Array.from({ length: 6 }, (_, i) => (i % 2 ? first : second).invoke(postUser(i % 2 ? 'v1' : 'url', body, ADMIN_KEY))));
    expect(results.filter((r) => r.status === 201)).toHaveLength(1);
    expect(results.filter((r) => r.status === 409)).toHaveLength(5);
  });

  it('key mode: the presented key must hash to SIGNPOST_ADMIN_KEY_SHA256', async () => {
    const t = await createLambdaTarget(dynamo, { env: { SIGNPOST_ADMIN_KEY_SHA256: sha256(ADMIN_KEY) } });
    const body = { username: 'erin', password: 'erin-password' };
    expect((await t.invoke(postUser('v2', body, null))).status).toBe(401);
    expect((await t.invoke(postUser('v2', body, `${ADMIN_KEY}x`))).status).toBe(403);
    expect((await t.invoke(postUser('v2', body, ADMIN_KEY))).status).toBe(201);
  });

  it('key mode without any configured key refuses every admin request (fails closed)', async () => {
    const t = await createLambdaTarget(dynamo);
    expect((await t.invoke(postUser('v1', { username: 'erin', password: 'erin-password' }, ADMIN_KEY, ADMIN_KEY))).status).toBe(403);
  });

  it('api-gateway mode: only a key API Gateway validated (REST v1) is accepted', async () => {
    const t = await createLambdaTarget(dynamo, { env: { SIGNPOST_ADMIN_AUTH: 'api-gateway' } });
    const body = { username: 'frank', password: 'frank-password' };
    expect((await t.invoke(postUser('v2', body, ADMIN_KEY))).status).toBe(403); // HTTP API: nothing validated
    expect((await t.invoke(postUser('url', body, ADMIN_KEY))).status).toBe(403); // Function URL bypasses API Gateway
    expect((await t.invoke(postUser('v1', body, ADMIN_KEY))).status).toBe(403); // v1 without a validated key
    expect((await t.invoke(postUser('v1', body, 'another-key', ADMIN_KEY))).status).toBe(403); // header differs from the validated key
    expect((await t.invoke(postUser('v1', body, ADMIN_KEY, ADMIN_KEY))).status).toBe(201);
  });

  it('api-gateway mode: concurrent invocations each see only the key validated for their own event', async () => {
    const t = await createLambdaTarget(dynamo, { env: { SIGNPOST_ADMIN_AUTH: 'api-gateway' } });
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) => {
        const validated = i % 2 === 0 ? ADMIN_KEY : 'someone-elses-usage-plan-key';
        return t.invoke(postUser('v1', { username: `conc${i}`, password: 'conc-password' }, ADMIN_KEY, validated));
      }),
    );
    expect(results.map((r) => r.status)).toEqual([201, 403, 201, 403, 201, 403, 201, 403]);
  });

  it('api-gateway mode with a hash configured requires both', async () => {
    const t = await createLambdaTarget(dynamo, { env: { SIGNPOST_ADMIN_AUTH: 'api-gateway', SIGNPOST_ADMIN_KEY_SHA256: sha256(ADMIN_KEY) } });
    const body = { username: 'gina', password: 'gina-password' };
    expect((await t.invoke(postUser('v1', body, 'other-valid-usage-plan-key', 'other-valid-usage-plan-key'))).status).toBe(403);
    expect((await t.invoke(postUser('v1', body, ADMIN_KEY, ADMIN_KEY))).status).toBe(201);
  });
});

describe('zones and Route 53 on Lambda', () => {
  it('with SIGNPOST_ZONES set, makes no Route 53 call at cold start and lists hosted zones once across invocations', async () => {
    const t = await createLambdaTarget(dynamo, { zones: 'dyn.example.test' });
    expect(t.route53.count('listHostedZones')).toBe(0);
    await t.core.accounts.createUser({ username: 'carol', password: 'carol-password', domains: ['*.carol.dyn.example.test'] });
    for (let i = 0; i < 3; i++) expect((await update(t, 'v2', `hostname=h${i}.carol.dyn.example.test&myip=192.0.2.${i + 1}`)).body).toBe(`good 192.0.2.${i + 1}`);
    expect(t.route53.count('listHostedZones')).toBe(1);
    expect(t.route53.count('changeResourceRecordSets')).toBe(3);
    // example.org is hosted in Route 53 but not configured: its names are nohost, without a Route 53 call.
    expect((await update(t, 'v1', 'hostname=x.example.org&myip=192.0.2.1')).body).toBe('nohost');
    expect(t.route53.count('changeResourceRecordSets')).toBe(3);
  });

  it('answers dnserr (not nohost) for a configured zone that no writable hosted zone holds', async () => {
    const logs: string[] = [];
    const t = await createLambdaTarget(dynamo, { zones: 'dyn.example.test,unhosted.example', logs });
    await t.core.accounts.createUser({ username: 'carol', password: 'carol-password', domains: ['home.unhosted.example'] });
    expect((await update(t, 'v2', 'hostname=home.unhosted.example&myip=192.0.2.1')).body).toBe('dnserr');
    expect(logs.join('\n')).toMatch(/in no zone this deployment may write/);
    expect(await t.store.getHost('home.unhosted.example')).toBeUndefined();
  });

  it('writes only to the configured hosted zone ids, never the private zone of the same name', async () => {
    const t = await createLambdaTarget(dynamo);
    await t.core.accounts.createUser({ username: 'carol', password: 'carol-password', domains: ['home.dyn.example.test'] });
    expect((await update(t, 'v1', 'hostname=home.dyn.example.test&myip=192.0.2.1')).body).toBe('good 192.0.2.1');
    const zoneId = t.hostedZoneIds['dyn.example.test'] ?? '';
    expect(t.route53.dump(zoneId)).toEqual(['home.dyn.example.test. A 60 192.0.2.1']);
    const writes = t.route53.calls.filter((c) => c.method === 'changeResourceRecordSets').map((c) => (c.input as { HostedZoneId: string }).HostedZoneId);
    expect(writes).toEqual([zoneId]);
  });

  it('rides out Route 53 throttling and PriorRequestNotComplete', async () => {
    const t = await createLambdaTarget(dynamo);
    await t.core.accounts.createUser({ username: 'carol', password: 'carol-password', domains: ['home.dyn.example.test'] });
    t.route53.inject('changeResourceRecordSets', { name: 'ThrottlingException', message: 'Rate exceeded' }, { name: 'PriorRequestNotComplete' });
    expect((await update(t, 'v2', 'hostname=home.dyn.example.test&myip=192.0.2.1')).body).toBe('good 192.0.2.1');
    expect(await t.records()).toEqual(['home.dyn.example.test A 192.0.2.1']);
  });

  it('refuses to clobber a record changed outside Signpost (dnserr, store unchanged)', async () => {
    const t = await createLambdaTarget(dynamo);
    await t.core.accounts.createUser({ username: 'carol', password: 'carol-password', domains: ['home.dyn.example.test'] });
    await update(t, 'v2', 'hostname=home.dyn.example.test&myip=192.0.2.1');
    const zoneId = t.hostedZoneIds['dyn.example.test'] ?? '';
    await t.route53.changeResourceRecordSets({
      HostedZoneId: zoneId,
      ChangeBatch: { Changes: [{ Action: 'UPSERT', ResourceRecordSet: { Name: 'home.dyn.example.test.', Type: 'A', TTL: 60, ResourceRecords: [{ Value: '198.51.100.1' }] } }] },
    });
    expect((await update(t, 'v2', 'hostname=home.dyn.example.test&myip=192.0.2.2')).body).toBe('dnserr');
    expect(t.route53.dump(zoneId)).toEqual(['home.dyn.example.test. A 60 198.51.100.1']);
    expect((await t.store.getHost('home.dyn.example.test'))?.addresses).toEqual({ v4: '192.0.2.1' });
  });

  it('retries a failed cold start on the next invocation instead of caching the failure', async () => {
    const route53 = new FakeRoute53();
    route53.addHostedZone('dyn.example.test');
    const settings = loadLambdaSettings({ SIGNPOST_TABLE_NAME: await dynamo.freshTable(), SIGNPOST_LOG_LEVEL: 'silent' });
    const publisher = new Route53DnsProvider({ api: route53, visibility: 'public', retry: { maxAttempts: 1 } });
    const store = new DynamoDbStore({ client: dynamo.client, tableName: settings.tableName });
    const handler = createHandler({ settings, store, provider: publisher, overrides: { logger: createLogger('silent') } });
    route53.inject('listHostedZones', { name: 'ServiceUnavailable' });
    const checkip = toEvent('v2', { path: '/nic/checkip', sourceIp: TABLE_PEER });
    await expect(handler(checkip, lambdaContext)).rejects.toThrow(/ServiceUnavailable/);
    expect(fromResult(await handler(checkip, lambdaContext)).body).toBe(TABLE_PEER);
    expect((await handler.ready()).config.zones).toEqual(['dyn.example.test']);
  });
});

describe('several containers and tokens', () => {
  it('keeps Route 53 and the store in step when two containers update one host at once', async () => {
    const a = await createLambdaTarget(dynamo);
    const b = await createLambdaTarget(dynamo, { route53: a.route53, env: { SIGNPOST_TABLE_NAME: tableOf(a) } });
    await a.core.accounts.createUser({ username: 'carol', password: 'carol-password', domains: ['home.dyn.example.test'] });
    expect((await update(a, 'v1', 'hostname=home.dyn.example.test&myip=192.0.2.1')).body).toBe('good 192.0.2.1');
    for (let round = 0; round < 5; round++) {
      const answers = await Promise.all([
        update(a, 'v1', `hostname=home.dyn.example.test&myip=198.51.100.${round * 2 + 10}`),
        update(b, 'v2', `hostname=home.dyn.example.test&myip=198.51.100.${round * 2 + 11}`),
      ]);
      for (const r of answers) expect(r.body).toMatch(/^(good \S+|dnserr|911)$/);
      expect(answers.some((r) => r.body.startsWith('good'))).toBe(true);
      const stored = await a.store.getHost('home.dyn.example.test');
      expect(await a.records()).toEqual([`home.dyn.example.test A ${stored?.addresses.v4}`]);
    }
  });

  it('authenticates a per-host token created through the admin API, and not after revocation', async () => {
    const t = await createLambdaTarget(dynamo, { env: { SIGNPOST_ADMIN_KEY_SHA256: sha256(ADMIN_KEY) } });
    const admin = (method: string, path: string, body?: unknown) =>
      t.invoke(toEvent('v1', { method, path, headers: { 'content-type': 'application/json', 'x-api-key': ADMIN_KEY }, ...(body ? { body: JSON.stringify(body) } : {}), sourceIp: TABLE_PEER }));
    expect((await admin('POST', '/user', { username: 'carol', password: 'carol-password', domains: ['*.carol.dyn.example.test'] })).status).toBe(201);
    const created = JSON.parse((await admin('POST', '/users/carol/tokens', { hostname: 'nas.carol.dyn.example.test' })).body) as { id: string; token: string };
    expect(created.token).toMatch(/^spt_/);
    const withToken = (host: string) => update(t, 'url', `hostname=${host}&myip=192.0.2.8`, ['nas.carol.dyn.example.test', created.token]);
    expect((await withToken('nas.carol.dyn.example.test')).body).toBe('good 192.0.2.8');
    expect((await withToken('tv.carol.dyn.example.test')).body).toBe('nohost');
    expect((await admin('DELETE', `/tokens/${created.id}`)).status).toBe(204);
    expect((await withToken('nas.carol.dyn.example.test')).body).toBe('badauth');
  });
});

describe('event handling', () => {
  it('takes the caller address from requestContext, never from headers', async () => {
    const t = await createLambdaTarget(dynamo);
    for (const kind of ['v1', 'v2', 'url'] as const) {
      const res = await t.invoke(toEvent(kind, { path: '/nic/checkip', headers: { 'x-forwarded-for': '198.51.100.77' }, sourceIp: '2001:db8::7' }));
      expect(res.body).toBe('2001:db8::7');
    }
  });

  it('answers HEAD like GET without a body, and unknown routes with a JSON 404', async () => {
    const t = await createLambdaTarget(dynamo);
    const anonymous = await t.invoke(toEvent('v1', { method: 'HEAD', path: '/nic/update', query: 'hostname=x.dyn.example.test', headers: { 'user-agent': TABLE_UA }, sourceIp: TABLE_PEER }));
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toMatch(/^Basic/);
    const head = await t.invoke(toEvent('v2', { method: 'HEAD', path: '/nic/checkip', sourceIp: TABLE_PEER }));
    expect(head).toMatchObject({ status: 200, body: '' });
    expect(head.headers.get('content-length')).toBe(String(TABLE_PEER.length));
    const missing = await t.invoke(toEvent('v2', { path: '/nope', sourceIp: TABLE_PEER }));
    expect(missing.status).toBe(404);
    expect(JSON.parse(missing.body)).toMatchObject({ error: { code: 'not_found' } });
  });
});

function tableOf(t: LambdaTarget): string {
  return (t.store as unknown as { table: string }).table;
}
