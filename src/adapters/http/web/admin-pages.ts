import type { Context, Hono } from 'hono';
import { html } from 'hono/html';
import type { Accounts } from '../../../app/accounts.js';
import { activityQuerySchema, createUserSchema, grantPatternSchema, hostnameSchema, passwordSchema, usernameSchema } from '../../../app/schemas.js';
import type { SignedIn, WebSessions } from '../../../app/web-sessions.js';
import { SignpostError } from '../../../domain/errors.js';
import { message } from './layout.js';
import type { WebKit } from './kit.js';
import { activityView, allHostsView, userView, usersView } from './admin-views.js';

export interface AdminPagesDeps {
  readonly accounts: Accounts;
  readonly webSessions: WebSessions;
}

const ACTIVITY_SHOWN = 100;

/** What a finished form reports on the page it returns to (`?done=`); anything else shows nothing. */
const DONE: Record<string, string> = {
  created: 'User created.',
  deleted: 'User deleted.',
  granted: 'Name granted.',
  removed: 'Name removed; hosts it covered are gone.',
  password: 'Password reset; the user is signed out everywhere.',
  role: 'Role changed.',
  unblocked: 'Host unblocked.',
};

/**
 * The admin pages: users, all hosts and activity for a signed-in user who
 * holds the admin role now. Everyone else gets the same 404 as an unknown
 * page, on every GET and every POST, before any form is read. Forms carry
 * the session's form token like the user pages (the Origin check is the
 * page middleware's). Acting on their own account, an admin cannot demote or
 * delete it (the use case refuses; the page does not offer it).
 */
export function registerAdminPages(app: Hono, kit: WebKit, deps: AdminPagesDeps): void {
  const { accounts } = deps;

  const notFound = (c: Context, who: SignedIn) =>
    kit.render(c, who, { title: 'Not found', body: html`<h1>Not found</h1>${message('error', 'There is no such page.')}<p><a href="/">Back to your hosts</a></p>` }, 404);

  const adminOnly = (handler: (c: Context, who: SignedIn) => Promise<Response>) => async (c: Context) => {
    const who = await kit.signedIn(c);
    if (!who) return kit.signInFirst(c);
    if (!who.admin) return notFound(c, who);
    try {
      return await handler(c, who);
    } catch (error) {
      return kit.error(c, who, error);
    }
  };
  const posted = (handler: (c: Context, who: SignedIn, form: Record<string, string>) => Promise<Response>) =>
    adminOnly(async (c, who) => {
      const form = await kit.checkedForm(c, who);
      return form ? handler(c, who, form) : kit.refuseForm(c);
    });
  const formToken = (who: SignedIn) => deps.webSessions.formToken(who);
  const notice = (c: Context) => DONE[c.req.query('done') ?? ''];
  const userParam = (c: Context) => valid(usernameSchema, c.req.param('username'), 'username');
  const back = (c: Context, path: string, done: string) => c.redirect(`${path}?done=${done}`, 303);
  const userPath = (username: string) => `/admin/users/${encodeURIComponent(username)}`;

  app.get('/admin', adminOnly(async (c) => c.redirect('/admin/users', 303)));

  app.get('/admin/users', adminOnly(async (c, who) =>
    kit.render(c, who, { title: 'Users', body: usersView(await accounts.listUsers(), formToken(who), notice(c)) }),
  ));

  app.post('/admin/users', posted(async (c, _who, form) => {
    const names = (form.names ?? '').split(/[\s,]+/).filter((n) => n !== '');
    const input = valid(createUserSchema, { username: form.username ?? '', password: form.password ?? '', domains: names, admin: form.admin === 'true' }, 'new user');
    const created = await accounts.createUser(input);
    return back(c, userPath(created.username), 'created');
  }));

  app.get('/admin/users/:username', adminOnly(async (c, who) => {
    const username = userParam(c);
    const [user, hosts] = await Promise.all([accounts.getUser(username), accounts.listHosts(username)]);
    const body = userView({ user, hosts, formToken: formToken(who), self: username === who.username, notice: notice(c) });
    return kit.render(c, who, { title: user.username, body });
  }));

  app.post('/admin/users/:username/delete', posted(async (c, who) => {
    await accounts.deleteUser(userParam(c), who.username);
    return back(c, '/admin/users', 'deleted');
  }));

  app.post('/admin/users/:username/password', posted(async (c, _who, form) => {
    const username = userParam(c);
    await accounts.resetPassword(username, valid(passwordSchema, form.password ?? '', 'password'));
    return back(c, userPath(username), 'password');
  }));

  app.post('/admin/users/:username/grants', posted(async (c, _who, form) => {
    const username = userParam(c);
    await accounts.addGrant(username, valid(grantPatternSchema, form.name ?? '', 'name'));
    return back(c, userPath(username), 'granted');
  }));

  app.post('/admin/users/:username/grants/remove', posted(async (c, _who, form) => {
    const username = userParam(c);
    await accounts.removeGrant(username, valid(grantPatternSchema, form.name ?? '', 'name'));
    return back(c, userPath(username), 'removed');
  }));

  app.post('/admin/users/:username/role', posted(async (c, who, form) => {
    const username = userParam(c);
    if (form.admin !== 'true' && form.admin !== 'false') throw new SignpostError('invalid_request', 'admin: true or false');
    await accounts.setAdmin(username, form.admin === 'true', who.username);
    return back(c, userPath(username), 'role');
  }));

  app.get('/admin/hosts', adminOnly(async (c, who) =>
    kit.render(c, who, { title: 'All hosts', body: allHostsView(await accounts.listHosts(), formToken(who), notice(c)) }),
  ));

  app.post('/admin/hosts/:name/unblock', posted(async (c) => {
    await accounts.unblock(valid(hostnameSchema, c.req.param('name'), 'host'));
    return back(c, '/admin/hosts', 'unblocked');
  }));

  app.get('/admin/activity', adminOnly(async (c, who) => {
    const raw = { user: c.req.query('user') ?? '', host: c.req.query('host') ?? '', result: c.req.query('result') ?? '' };
    const parsed = activityQuerySchema.safeParse({ ...raw, limit: String(ACTIVITY_SHOWN) });
    if (!parsed.success) {
      const problem = `Not a valid filter: ${issues(parsed.error.issues)}.`;
      return kit.render(c, who, { title: 'Activity', body: activityView([], raw, problem) }, 400);
    }
    const { user, host, result, limit } = parsed.data;
    const entries = await accounts.activity({ ...(user ? { owner: user } : {}), ...(host ? { hostname: host } : {}), ...(result ? { result } : {}) }, limit);
    return kit.render(c, who, { title: 'Activity', body: activityView(entries, raw) });
  }));
}

type Issues = readonly { readonly path: readonly PropertyKey[]; readonly message: string }[];
const issues = (list: Issues) => list.map((i) => `${i.path.map(String).join('.') || 'value'}: ${i.message}`).join('; ');

function valid<T>(schema: { safeParse(v: unknown): { success: true; data: T } | { success: false; error: { issues: Issues } } }, value: unknown, what: string): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw new SignpostError('invalid_request', `${what}: ${issues(result.error.issues)}`);
}
