/** Web sign-in and sessions over app.request(): cookies, expiry, sign-out, password change, throttle. */
import { describe, expect, it } from 'vitest';
import { SESSION_POLICY } from '../../src/app/web-sessions.js';
import { sha256Hex } from '../../src/app/secrets.js';
import { plainHasher } from '../support/authorization-table.js';
import { createTestApp } from '../support/http-app.js';
import { WebClient, formToken } from '../support/web-client.js';

const HOST = 'home.dyn.example.test';

async function world(env: Record<string, string> = {}) {
  const clock = { now: Date.parse('2026-01-01T00:00:00Z') };
  const t = await createTestApp(env, { hasher: plainHasher, now: () => clock.now });
  await t.addUser('alice', 'alice-password', [HOST]);
  return { t, clock };
}

describe('web sign-in', () => {
  it('signs in with username and password, sets an HttpOnly SameSite=Lax session cookie and keeps only its hash', async () => {
    const { t } = await world();
    const w = new WebClient(t.app);
    const res = await w.signIn('alice', 'alice-password');
    expect(res.status).toBe(303);
    const cookie = res.headers.getSetCookie().find((c) => c.startsWith('signpost_session='))!;
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Lax/);
    expect(cookie).not.toMatch(/Secure/); // plain HTTP, no trusted proxy
    const id = w.cookies.get('signpost_session')!;
    expect(Buffer.from(id, 'base64url')).toHaveLength(16); // 128 random bits
    const [session] = await t.store.listSessions('alice');
    expect(session?.idHash).toBe(sha256Hex(id));
    expect(JSON.stringify(session)).not.toContain(id);
    expect((await w.get('/')).body).toContain('Your hosts');
  });

  it('marks the cookie Secure when a trusted proxy says the request came over HTTPS, not when the client says so', async () => {
    const { t } = await world({ SIGNPOST_TRUSTED_PROXIES: '10.0.0.0/8' });
    const viaProxy = new WebClient(t.app, { peer: '10.0.0.2' });
    await viaProxy.get('/');
    const token = formToken((await viaProxy.get('/', { 'x-forwarded-proto': 'https' })).body);
    const res = await viaProxy.post('/sign-in', { form_token: token, username: 'alice', password: 'alice-password' }, { headers: { 'x-forwarded-proto': 'https' }, origin: 'https://localhost' });
    expect(res.status).toBe(303);
    expect(res.headers.getSetCookie().find((c) => c.startsWith('signpost_session='))).toMatch(/; Secure/);

    const direct = new WebClient(t.app, { peer: '198.51.100.1' });
    const page = await direct.get('/');
    const res2 = await direct.post('/sign-in', { form_token: formToken(page.body), username: 'alice', password: 'alice-password' }, { headers: { 'x-forwarded-proto': 'https' } });
    expect(res2.status).toBe(303);
    expect(res2.headers.getSetCookie().find((c) => c.startsWith('signpost_session='))).not.toMatch(/Secure/);
  });

  it('answers an unknown user exactly like a wrong password, and per-host tokens do not sign in', async () => {
    const { t } = await world();
    const token = (await t.core.accounts.createToken('alice', HOST)).token;
    const answers: { status: number; body: string }[] = [];
    for (const [user, pass] of [['alice', 'wrong-password'], ['nobody', 'wrong-password'], ['alice', token], [HOST, token]] as const) {
      const w = new WebClient(t.app, { peer: `198.51.100.${answers.length + 1}` });
      const res = await w.signIn(user, pass);
      answers.push({ status: res.status, body: res.body.replace(/value="[^"]*"/g, '') });
      expect(w.cookies.has('signpost_session')).toBe(false);
    }
    expect(answers[0]?.status).toBe(401);
    for (const a of answers) expect(a).toEqual(answers[0]);
    expect(await t.store.listSessions('alice')).toEqual([]);
  });

  it('pays one password verification for an unknown user as for a wrong password', async () => {
    const verified: string[] = [];
    const counting = { ...plainHasher, verify: async (hash: string, password: string) => (verified.push(hash), plainHasher.verify(hash, password)) };
    const t = await createTestApp({}, { hasher: counting });
    await t.addUser('alice', 'alice-password', [HOST]);
    await new WebClient(t.app, { peer: '198.51.100.1' }).signIn('alice', 'wrong-password');
    await new WebClient(t.app, { peer: '198.51.100.2' }).signIn('nobody', 'wrong-password');
    expect(verified).toEqual(['plain:alice-password', plainHasher.unknownUserHash]);
  });

  it('throttles repeated failures for one user with 429 and Retry-After', async () => {
    const { t } = await world();
    const statuses: number[] = [];
    let last: Awaited<ReturnType<WebClient['signIn']>> | undefined;
    for (let i = 0; i < 8; i++) {
      const w = new WebClient(t.app, { peer: `198.51.100.${i + 1}` });
      last = await w.signIn('alice', `wrong-${i}`);
      statuses.push(last.status);
    }
    expect(statuses).toContain(429);
    expect(last?.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(last?.body).toContain('Too many failed attempts');
    expect(await t.core.metrics.text()).toMatch(/signpost_logins_throttled_total\{door="web"\} [1-9]/);
  });

  it('refuses a sign-in form without the token its cookie holds, or from another origin', async () => {
    const { t } = await world();
    const w = new WebClient(t.app);
    await w.get('/');
    expect((await w.post('/sign-in', { form_token: 'forged', username: 'alice', password: 'alice-password' })).status).toBe(403);
    const token = formToken((await w.get('/')).body);
    expect((await w.post('/sign-in', { form_token: token, username: 'alice', password: 'alice-password' }, { origin: 'https://evil.example' })).status).toBe(403);
    expect((await w.post('/sign-in', { form_token: token, username: 'alice', password: 'alice-password' }, { origin: null, headers: { 'sec-fetch-site': 'cross-site' } })).status).toBe(403);
    expect(w.cookies.has('signpost_session')).toBe(false);
    expect((await w.post('/sign-in', { form_token: token, username: 'alice', password: 'alice-password' })).status).toBe(303);
  });
});

describe('web sessions end', () => {
  it('after the idle time without a page view', async () => {
    const { t, clock } = await world();
    const w = new WebClient(t.app);
    await w.signIn('alice', 'alice-password');
    clock.now += SESSION_POLICY.idleMs - 1000;
    expect((await w.get('/')).body).toContain('Your hosts'); // a view keeps it alive
    clock.now += SESSION_POLICY.idleMs - 1000;
    expect((await w.get('/')).body).toContain('Your hosts');
    clock.now += SESSION_POLICY.idleMs;
    expect((await w.get('/')).body).toContain('Sign in');
    expect(await t.store.listSessions('alice')).toEqual([]);
  });

  it('at the absolute limit however busy', async () => {
    const { t, clock } = await world();
    const w = new WebClient(t.app);
    await w.signIn('alice', 'alice-password');
    const end = clock.now + SESSION_POLICY.absoluteMs;
    while (clock.now + SESSION_POLICY.idleMs / 2 < end) {
      clock.now += SESSION_POLICY.idleMs / 2;
      expect((await w.get('/')).body).toContain('Your hosts');
    }
    clock.now = end;
    expect((await w.get('/')).body).toContain('Sign in');
  });

  it('on sign-out: the old cookie no longer works', async () => {
    const { t } = await world();
    const w = new WebClient(t.app);
    await w.signIn('alice', 'alice-password');
    const stolen = w.cookies.get('signpost_session')!;
    const res = await w.submit('/', '/sign-out', {});
    expect(res.status).toBe(303);
    expect(w.cookies.has('signpost_session')).toBe(false);
    const thief = new WebClient(t.app);
    thief.cookies.set('signpost_session', stolen);
    expect((await thief.get('/')).body).toContain('Sign in');
  });

  it('when the user is deleted, and is not inherited by a new account of the same name', async () => {
    const { t, clock } = await world();
    const w = new WebClient(t.app);
    await w.signIn('alice', 'alice-password');
    const id = w.cookies.get('signpost_session')!;
    await t.core.accounts.deleteUser('alice');
    clock.now += 1;
    await t.addUser('alice', 'other-password', []);
    const again = new WebClient(t.app);
    again.cookies.set('signpost_session', id);
    expect((await again.get('/')).body).toContain('Sign in');
  });

  it('on password change: every other session ends, this one stays, the new password works', async () => {
    const { t } = await world();
    const here = new WebClient(t.app);
    const elsewhere = new WebClient(t.app, { peer: '198.51.100.50' });
    await here.signIn('alice', 'alice-password');
    await elsewhere.signIn('alice', 'alice-password');
    const wrong = await here.submit('/account/password', '/account/password', { current: 'not-it', next: 'new-password-1' });
    expect(wrong.status).toBe(401);
    expect((await elsewhere.get('/')).body).toContain('Your hosts');
    const short = await here.submit('/account/password', '/account/password', { current: 'alice-password', next: 'short' });
    expect(short.status).toBe(400);
    const ok = await here.submit('/account/password', '/account/password', { current: 'alice-password', next: 'new-password-1' });
    expect(ok.status).toBe(200);
    expect(ok.body).toContain('Password changed');
    expect((await here.get('/')).body).toContain('Your hosts');
    expect((await elsewhere.get('/')).body).toContain('Sign in');
    expect((await new WebClient(t.app, { peer: '198.51.100.60' }).signIn('alice', 'alice-password')).status).toBe(401);
    expect((await new WebClient(t.app, { peer: '198.51.100.61' }).signIn('alice', 'new-password-1')).status).toBe(303);
  });

  it('ignores malformed and unknown cookies', async () => {
    const { t } = await world();
    for (const value of ['', 'x', 'A'.repeat(22), '<script>', 'A'.repeat(5000)]) {
      const w = new WebClient(t.app);
      w.cookies.set('signpost_session', value);
      const res = await w.get('/');
      expect(res.status).toBe(200);
      expect(res.body).toContain('Sign in');
    }
  });
});
