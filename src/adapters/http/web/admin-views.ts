import { html } from 'hono/html';
import type { HostView, UserView } from '../../../app/accounts.js';
import { HISTORY_RESULTS, type HistoryEntry } from '../../../domain/model.js';
import type { HostAddresses } from '../../../domain/records.js';
import { message, tokenField, type Markup } from './layout.js';
import { when } from './user-views.js';

const userHref = (username: string) => `/admin/users/${encodeURIComponent(username)}`;
const addresses = (a: HostAddresses): string => [a.v4, a.v6].filter(Boolean).join(', ') || 'none';
const notices = (notice?: string, problem?: string): Markup => html`${notice ? message('notice', notice) : ''}${problem ? message('error', problem) : ''}`;

export function usersView(users: readonly UserView[], formToken: string, notice?: string): Markup {
  return html`<h1>Users</h1>
${notices(notice)}
<div class="table"><table class="cards">
<thead><tr><th scope="col">User</th><th scope="col">Role</th><th scope="col">Names</th><th scope="col">Created</th></tr></thead>
<tbody>${users.map(
    (u) => html`<tr><td class="long"><a href="${userHref(u.username)}">${u.username}</a></td><td data-label="Role">${u.admin ? 'admin' : 'user'}</td><td class="long" data-label="Names">${u.domains.join(', ') || '—'}</td><td data-label="Created">${when(u.createdAt)}</td></tr>`,
  )}</tbody></table></div>
<h2>Create a user</h2>
<form method="post" action="/admin/users">
${tokenField(formToken)}
<label for="new-username">Username</label>
<input id="new-username" name="username" type="text" autocomplete="off" autocapitalize="none" spellcheck="false" required maxlength="64">
<label for="new-password">Password</label>
<input id="new-password" name="password" type="password" autocomplete="new-password" required minlength="8" maxlength="256">
<label for="new-names">Names</label>
<textarea id="new-names" name="names" rows="3" autocapitalize="none" spellcheck="false" aria-describedby="new-names-hint"></textarea>
<p class="hint" id="new-names-hint">Names (or *.suffix patterns) the user may update, one per line. May be left empty.</p>
<label class="check"><input type="checkbox" name="admin" value="true"> Admin</label>
<button type="submit">Create user</button>
</form>`;
}

export interface UserPageModel {
  readonly user: UserView;
  readonly hosts: readonly HostView[];
  readonly formToken: string;
  /** The signed-in admin: their own role and account are not offered for removal here. */
  readonly self: boolean;
  readonly notice?: string | undefined;
}

export function userView(m: UserPageModel): Markup {
  const { user } = m;
  const action = (path: string) => `${userHref(user.username)}${path}`;
  return html`<h1>${user.username}</h1>
${notices(m.notice)}
<dl><dt>Role</dt><dd>${user.admin ? 'admin' : 'user'}</dd><dt>Created</dt><dd>${when(user.createdAt)}</dd></dl>
<h2>Names</h2>
${user.domains.length === 0
  ? html`<p>No names granted.</p>`
  : html`<ul>${user.domains.map(
      (d) => html`<li><code>${d}</code>
<form class="inline" method="post" action="${action('/grants/remove')}">${tokenField(m.formToken)}<input type="hidden" name="name" value="${d}"><button class="secondary" type="submit" aria-label="Remove ${d}">Remove</button></form></li>`,
    )}</ul>`}
<form method="post" action="${action('/grants')}">
${tokenField(m.formToken)}
<label for="grant-name">Name to grant</label>
<input id="grant-name" name="name" type="text" autocomplete="off" autocapitalize="none" spellcheck="false" required maxlength="255">
<p class="hint">A name such as home.example.com, or *.example.com for every name below it. Removing a name removes its hosts.</p>
<button type="submit">Grant</button>
</form>
<h2>Hosts</h2>
${hostsTable(m.hosts, m.formToken)}
<h2>Reset password</h2>
<form method="post" action="${action('/password')}">
${tokenField(m.formToken)}
<label for="reset-password">New password</label>
<input id="reset-password" name="password" type="password" autocomplete="new-password" required minlength="8" maxlength="256">
<p class="hint">Signs the user out everywhere; routers using tokens keep working.</p>
<button type="submit">Reset password</button>
</form>
<h2>Role and account</h2>
${m.self
  ? html`<p class="hint">This is your own account: another admin (or the CLI) can change its role or delete it.</p>`
  : html`<form method="post" action="${action('/role')}">${tokenField(m.formToken)}<input type="hidden" name="admin" value="${user.admin ? 'false' : 'true'}"><button type="submit">${user.admin ? 'Remove admin role' : 'Make admin'}</button></form>
<form method="post" action="${action('/delete')}">${tokenField(m.formToken)}<button class="danger" type="submit">Delete user ${user.username}</button></form>
<p class="hint">Deleting removes the user's names, tokens and hosts (their DNS records too).</p>`}`;
}

function hostsTable(hosts: readonly HostView[], formToken: string): Markup {
  if (hosts.length === 0) return html`<p>No hosts.</p>`;
  return html`<div class="table"><table class="cards">
<thead><tr><th scope="col">Host</th><th scope="col">Owner</th><th scope="col">IPv4</th><th scope="col">IPv6</th><th scope="col">Last update</th><th scope="col">State</th></tr></thead>
<tbody>${hosts.map(
    (h) => html`<tr>
<td class="long">${h.hostname}</td>
<td data-label="Owner"><a href="${userHref(h.owner)}">${h.owner}</a></td>
<td data-label="IPv4">${h.ipv4 ?? '—'}</td>
<td data-label="IPv6">${h.ipv6 ?? '—'}</td>
<td data-label="Last update">${when(h.updatedAt)}</td>
<td data-label="State">${h.blocked
      ? html`<span class="blocked">blocked</span>: ${h.blocked.reason}
<form class="inline" method="post" action="/admin/hosts/${encodeURIComponent(h.hostname)}/unblock">${tokenField(formToken)}<button class="secondary" type="submit" aria-label="Unblock ${h.hostname}">Unblock</button></form>`
      : 'active'}</td>
</tr>`,
  )}</tbody></table></div>`;
}

export function allHostsView(hosts: readonly HostView[], formToken: string, notice?: string): Markup {
  return html`<h1>All hosts</h1>
${notices(notice)}
${hostsTable(hosts, formToken)}`;
}

export interface ActivityFilterForm {
  readonly user: string;
  readonly host: string;
  readonly result: string;
}

export function activityView(entries: readonly HistoryEntry[], filter: ActivityFilterForm, problem?: string): Markup {
  return html`<h1>Activity</h1>
<form method="get" action="/admin/activity" class="filters">
<label for="filter-user">User</label>
<input id="filter-user" name="user" type="text" autocomplete="off" autocapitalize="none" spellcheck="false" maxlength="64" value="${filter.user}">
<label for="filter-host">Host</label>
<input id="filter-host" name="host" type="text" autocomplete="off" autocapitalize="none" spellcheck="false" maxlength="255" value="${filter.host}">
<label for="filter-result">Result</label>
<select id="filter-result" name="result">
<option value="">any</option>
${HISTORY_RESULTS.map((r) => html`<option value="${r}"${r === filter.result ? html` selected` : ''}>${r}</option>`)}
</select>
<button type="submit">Filter</button>
</form>
${notices(undefined, problem)}
${entries.length === 0
  ? html`<p>No activity matches.</p>`
  : html`<div class="table"><table class="cards">
<thead><tr><th scope="col">Time</th><th scope="col">Host</th><th scope="col">User</th><th scope="col">Before</th><th scope="col">After</th><th scope="col">Result</th><th scope="col">From</th><th scope="col">Client</th></tr></thead>
<tbody>${entries.map(
      (e) => html`<tr><td data-label="Time">${when(e.at)}</td><td class="long" data-label="Host">${e.hostname}</td><td data-label="User">${e.owner || '—'}</td><td data-label="Before">${addresses(e.before)}</td><td data-label="After">${addresses(e.after)}</td><td data-label="Result">${e.result}</td><td data-label="From">${e.sourceAddress || '—'}</td><td class="long" data-label="Client">${e.userAgent || '—'}</td></tr>`,
    )}</tbody></table></div>`}`;
}
