/**
 * The web pages through the Lambda handler (API Gateway REST v1 events)
 * against dynalite: sessions live in DynamoDB, so a second container
 * (another handler on the same table) knows a session the first started.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDynalite, type LocalDynamo } from '../support/dynalite.js';
import { TABLE_PEER, TABLE_UA } from '../support/dyndns2-table.js';
import { basic } from '../support/http-app.js';
import { formToken } from '../support/web-client.js';
import { toEvent } from './events.js';
import { createLambdaTarget, type LambdaTarget } from './lambda-target.js';

const ORIGIN = 'https://id.execute-api.us-east-1.amazonaws.com'; // the REST v1 fixture's domain name
const HOST = 'web.dyn.example.test';

let dynamo: LocalDynamo;
beforeAll(async () => {
  dynamo = await startDynalite();
});
afterAll(async () => {
  await dynamo.close();
});

/** A browser's cookie jar over Lambda events. */
class LambdaBrowser {
  readonly cookies = new Map<string, string>();
  constructor(private target: LambdaTarget) {}
  use(target: LambdaTarget): void {
    this.target = target;
  }
  async request(method: string, path: string, form?: Record<string, string>) {
    const headers: Record<string, string> = { 'User-Agent': 'Mozilla/5.0 test', Host: 'id.execute-api.us-east-1.amazonaws.com' };
    if (this.cookies.size > 0) headers.Cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    if (form) Object.assign(headers, { 'Content-Type': 'application/x-www-form-urlencoded', Origin: ORIGIN });
    const res = await this.target.invoke(toEvent('v1', { method, path, headers, sourceIp: TABLE_PEER, ...(form ? { body: new URLSearchParams(form).toString() } : {}) }));
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const [name, value] = [pair!.slice(0, pair!.indexOf('=')), pair!.slice(pair!.indexOf('=') + 1)];
      if (value === '' || /Max-Age=0/i.test(line)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    return res;
  }
}

describe('web pages on Lambda (API Gateway v1, DynamoDB)', () => {
  it('signs in, lists hosts, sets an address in Route 53, and the session works in another container', async () => {
    const first = await createLambdaTarget(dynamo, { zones: 'dyn.example.test' });
    await first.core.accounts.createUser({ username: 'erin', password: 'erin-password', domains: [HOST] });
    const update = await first.invoke(
      toEvent('v1', { path: '/nic/update', query: `hostname=${HOST}&myip=192.0.2.44`, headers: { 'User-Agent': TABLE_UA, Authorization: basic('erin', 'erin-password') }, sourceIp: TABLE_PEER }),
    );
    expect(update.body).toBe('good 192.0.2.44');

    const browser = new LambdaBrowser(first);
    const signInPage = await browser.request('GET', '/');
    expect(signInPage.status).toBe(200);
    expect(signInPage.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    const wrong = await browser.request('POST', '/sign-in', { form_token: formToken(signInPage.body), username: 'erin', password: 'wrong-password' });
    expect(wrong.status).toBe(401);
    const signedIn = await browser.request('POST', '/sign-in', { form_token: formToken(wrong.body), username: 'erin', password: 'erin-password' });
    expect(signedIn.status).toBe(303);
    // API Gateway serves HTTPS only: the session cookie is Secure
    expect(signedIn.headers.getSetCookie().find((c) => c.startsWith('signpost_session='))).toMatch(/; Secure/);
    expect(await first.store.listSessions('erin')).toHaveLength(1);

    const list = await browser.request('GET', '/');
    expect(list.body).toContain('Your hosts');
    expect(list.body).toContain('192.0.2.44');

    const host = await browser.request('GET', `/host/${HOST}`);
    const saved = await browser.request('POST', `/host/${HOST}/addresses`, { form_token: formToken(host.body), v4: '198.51.100.44', v6: '2001:db8::44' });
    expect(saved.status).toBe(303);
    expect(await first.records()).toEqual([`${HOST} A 198.51.100.44`, `${HOST} AAAA 2001:db8::44`]);

    const setup = await browser.request('GET', `/host/${HOST}/setup`);
    expect(setup.body).toContain(`${ORIGIN}/nic/update?hostname=${HOST}`);

    // another container on the same table knows the session, and signing out there ends it everywhere
    const second = await createLambdaTarget(dynamo, { route53: first.route53, env: { SIGNPOST_TABLE_NAME: tableOf(first), SIGNPOST_ZONES: 'dyn.example.test' } });
    browser.use(second);
    const there = await browser.request('GET', '/');
    expect(there.body).toContain('Your hosts');
    expect((await browser.request('POST', '/sign-out', { form_token: formToken(there.body) })).status).toBe(303);
    browser.use(first);
    expect((await browser.request('GET', '/')).body).toContain('Sign in');
    expect(await first.store.listSessions('erin')).toEqual([]);
  });
});

/** The table a target's store writes to (from its settings, which name it). */
function tableOf(target: LambdaTarget): string {
  return (target.store as unknown as { table: string }).table;
}
