import type { Context, Hono } from 'hono';
import type { Logger } from 'pino';
import { passwordSchema } from '../../../app/schemas.js';
import type { UserHosts } from '../../../app/user-hosts.js';
import type { SignedIn } from '../../../app/web-sessions.js';
import { SignpostError } from '../../../domain/errors.js';
import { parseIPv4, parseIPv6 } from '../../../domain/ip.js';
import { MAX_USER_AGENT_LENGTH, clip } from '../../../domain/text.js';
import { logFailedLogin } from '../key-check.js';
import type { Metrics } from '../../observability/metrics.js';
import { ASSET_PATHS, COPY_SCRIPT, ICON, STYLESHEET } from './assets.js';
import { WEB_PATHS, WebKit } from './kit.js';
import { routerSettings } from './router-setup.js';
import { clearSessionCookie, publicBase, setSessionCookie, signInToken, signInTokenMatches, type WebRequestDeps } from './session.js';
import { hostPageView, hostsView, passwordView, setupView, signInView, type HostViewModel } from './user-views.js';

export interface WebDeps extends WebRequestDeps {
  readonly userHosts: UserHosts;
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly clientAddress: (c: Context) => string | undefined;
}

const HISTORY_SHOWN = 50;

/** The web page for users, served by the same app as the APIs: sign-in, hosts, a host, router setup, password. */
export function registerWeb(app: Hono, deps: WebDeps): WebKit {
  const kit = new WebKit(deps);
  for (const path of WEB_PATHS) app.use(path, ...kit.middleware());
  registerAssets(app);

  const source = (c: Context) => deps.clientAddress(c) ?? 'unknown';

  app.get('/', async (c) => {
    const who = await kit.signedIn(c);
    if (!who) return kit.render(c, undefined, { title: 'Sign in', body: signInView(signInToken(c, deps)) });
    const { hosts, waiting } = await deps.userHosts.list(who.username);
    return kit.render(c, who, { title: 'Your hosts', body: hostsView(hosts, waiting) });
  });
  app.get('/sign-in', (c) => c.redirect('/', 303));

  app.post('/sign-in', async (c) => {
    const form = await kit.form(c);
    if (!signInTokenMatches(c, form)) return kit.refuseForm(c);
    const username = clip(form.username ?? '', 64);
    const password = form.password ?? '';
    const again = (status: 401 | 429, problem: string) =>
      kit.render(c, undefined, { title: 'Sign in', body: signInView(signInToken(c, deps), problem, username) }, status);
    if (username === '' || password === '' || password.length > 256) return again(401, 'Wrong username or password.');
    const outcome = await deps.webSessions.signIn(username, password, source(c));
    if (!outcome.ok) {
      logFailedLogin(deps, 'web', username, source(c), outcome.result);
      if (outcome.result === 'throttled') {
        deps.metrics.loginsThrottled.inc({ door: 'web' });
        const seconds = Math.max(1, Math.ceil(outcome.retryAfterMs / 1000));
        c.header('retry-after', String(seconds));
        return again(429, `Too many failed attempts. Try again in ${seconds} s.`);
      }
      return again(401, 'Wrong username or password.');
    }
    setSessionCookie(c, deps, outcome.sessionId);
    return c.redirect('/', 303);
  });

  app.post('/sign-out', async (c) => {
    const who = await kit.signedIn(c);
    if (!who) return kit.signInFirst(c);
    if (!(await kit.checkedForm(c, who))) return kit.refuseForm(c);
    await deps.webSessions.signOut(who.sessionId);
    clearSessionCookie(c, deps);
    return c.redirect('/', 303);
  });

  /** Signed-in pages: `handler` gets the user; a use case's refusal renders as a page. */
  const signedIn = (handler: (c: Context, who: SignedIn) => Promise<Response>) => async (c: Context) => {
    const who = await kit.signedIn(c);
    if (!who) return kit.signInFirst(c);
    try {
      return await handler(c, who);
    } catch (error) {
      return kit.error(c, who, error);
    }
  };
  /** Signed-in forms: also the form token, checked before anything is read from the form. */
  const posted = (handler: (c: Context, who: SignedIn, form: Record<string, string>) => Promise<Response>) =>
    signedIn(async (c, who) => {
      const form = await kit.checkedForm(c, who);
      return form ? handler(c, who, form) : kit.refuseForm(c);
    });

  const hostPage = async (c: Context, who: SignedIn, name: string, extra: Partial<HostViewModel> = {}, status: 200 | 400 | 409 | 422 | 502 = 200) => {
    const [{ name: canonical, host }, tokens, history] = await Promise.all([
      deps.userHosts.get(who.username, name),
      deps.userHosts.tokens(who.username, name),
      deps.userHosts.history(who.username, name, HISTORY_SHOWN),
    ]);
    const model: HostViewModel = { name: canonical, host, tokens, history, formToken: deps.webSessions.formToken(who), ...extra };
    return kit.render(c, who, { title: canonical, body: hostPageView(model), copyButtons: extra.newToken !== undefined }, status);
  };

  app.get('/host/:name', signedIn((c, who) => {
    const done = c.req.query('done');
    const notice = done === 'saved' ? 'Saved.' : done === 'revoked' ? 'Token revoked.' : undefined;
    return hostPage(c, who, c.req.param('name') ?? '', { notice });
  }));

  app.post('/host/:name/addresses', posted(async (c, who, form) => {
    const name = c.req.param('name') ?? '';
    const typed = { v4: (form.v4 ?? '').trim(), v6: (form.v6 ?? '').trim() };
    const v4 = typed.v4 === '' ? null : parseIPv4(typed.v4);
    const v6 = typed.v6 === '' ? null : parseIPv6(typed.v6);
    if (v4 === undefined || v4 === '0.0.0.0' || v6 === undefined || v6 === '::') {
      const problem = v4 === undefined || v4 === '0.0.0.0' ? `"${clip(typed.v4, 64)}" is not an IPv4 address.` : `"${clip(typed.v6, 64)}" is not an IPv6 address.`;
      return hostPage(c, who, name, { problem, typed }, 400);
    }
    const userAgent = c.req.header('user-agent');
    try {
      await deps.userHosts.setAddresses(who.username, name, v4, v6, source(c), clip(userAgent ? `web (${userAgent})` : 'web', MAX_USER_AGENT_LENGTH));
    } catch (error) {
      if (error instanceof SignpostError && error.code !== 'host_not_found') return hostPage(c, who, name, { problem: error.message, typed }, 409);
      throw error;
    }
    return c.redirect(`/host/${encodeURIComponent(name)}?done=saved`, 303);
  }));

  app.post('/host/:name/tokens', posted(async (c, who) => {
    const name = c.req.param('name') ?? '';
    const created = await deps.userHosts.createToken(who.username, name);
    return hostPage(c, who, name, { newToken: { id: created.id, token: created.token } });
  }));

  app.post('/host/:name/tokens/:id/revoke', posted(async (c, who) => {
    const name = c.req.param('name') ?? '';
    await deps.userHosts.revokeToken(who.username, name, c.req.param('id') ?? '');
    return c.redirect(`/host/${encodeURIComponent(name)}?done=revoked`, 303);
  }));

  app.get('/host/:name/setup', signedIn(async (c, who) => {
    const { name } = await deps.userHosts.get(who.username, c.req.param('name') ?? '');
    const base = publicBase(c, deps);
    return kit.render(c, who, { title: `Router setup for ${name}`, body: setupView(name, base, routerSettings(base, name, who.username)), copyButtons: true });
  }));

  app.get('/account/password', signedIn(async (c, who) =>
    kit.render(c, who, { title: 'Change password', body: passwordView(deps.webSessions.formToken(who)) }),
  ));

  app.post('/account/password', posted(async (c, who, form) => {
    const again = (status: 200 | 400 | 401 | 429, notice?: string, problem?: string) =>
      kit.render(c, who, { title: 'Change password', body: passwordView(deps.webSessions.formToken(who), notice, problem) }, status);
    const next = passwordSchema.safeParse(form.next ?? '');
    if (!next.success) return again(400, undefined, `The new password must have ${next.error.issues[0]?.message ?? 'at least 8 characters'}.`);
    const result = await deps.webSessions.changePassword(who, form.current ?? '', next.data, source(c));
    if (result === 'throttled') return again(429, undefined, 'Too many failed attempts. Try again later.');
    if (result === 'badauth') return again(401, undefined, 'The current password is not right.');
    return again(200, 'Password changed. Every other browser is signed out.');
  }));

  return kit;
}

function registerAssets(app: Hono): void {
  const asset = (body: string, type: string) => () =>
    new Response(body, { headers: { 'content-type': type, 'cache-control': 'public, max-age=3600' } });
  app.get(ASSET_PATHS.stylesheet, asset(STYLESHEET, 'text/css; charset=utf-8'));
  app.get(ASSET_PATHS.script, asset(COPY_SCRIPT, 'text/javascript; charset=utf-8'));
  app.get(ASSET_PATHS.icon, asset(ICON, 'image/svg+xml'));
}
