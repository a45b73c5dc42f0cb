import { html } from 'hono/html';
import type { HistoryEntry } from '../../../domain/model.js';
import type { HostAddresses } from '../../../domain/records.js';
import type { OwnHost, OwnToken } from '../../../app/user-hosts.js';
import { message, tokenField, type Markup } from './layout.js';
import type { RouterSettings } from './router-setup.js';

/** A time as people read it (UTC, to the second), machine-readable in `datetime`. */
export const when = (iso: string | number): Markup => {
  const d = new Date(iso);
  return html`<time datetime="${d.toISOString()}">${d.toISOString().slice(0, 19).replace('T', ' ')} UTC</time>`;
};

const addresses = (a: HostAddresses): string => [a.v4, a.v6].filter(Boolean).join(', ') || 'none';
const hostHref = (name: string) => `/host/${encodeURIComponent(name)}`;

export function signInView(token: string, problem?: string, username = ''): Markup {
  return html`<h1>Sign in</h1>
${problem ? message('error', problem) : ''}
<form method="post" action="/sign-in">
${tokenField(token)}
<label for="username">Username</label>
<input id="username" name="username" type="text" autocomplete="username" autocapitalize="none" spellcheck="false" required maxlength="64" value="${username}">
<label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="current-password" required maxlength="256">
<button type="submit">Sign in</button>
</form>
<p class="hint">Sign in with your account's password. Per-host update tokens work only for updates, not here.</p>`;
}

export function hostsView(hosts: readonly OwnHost[], waiting: readonly string[]): Markup {
  return html`<h1>Your hosts</h1>
${hosts.length === 0 && waiting.length === 0 ? html`<p>No names are granted to you yet. Ask your administrator.</p>` : ''}
${hosts.length > 0
  ? html`<div class="table"><table class="cards">
<thead><tr><th scope="col">Host</th><th scope="col">IPv4</th><th scope="col">IPv6</th><th scope="col">Last update</th><th scope="col">From</th><th scope="col">Client</th><th scope="col">State</th><th scope="col">TTL</th></tr></thead>
<tbody>
${hosts.map(
  (h) => html`<tr>
<td class="long"><a href="${hostHref(h.hostname)}">${h.hostname}</a></td>
<td data-label="IPv4">${h.ipv4 ?? '—'}</td>
<td data-label="IPv6">${h.ipv6 ?? '—'}</td>
<td data-label="Last update">${when(h.updatedAt)}</td>
<td data-label="From">${h.last?.sourceAddress || '—'}</td>
<td class="long" data-label="Client">${h.last?.userAgent || '—'}</td>
<td data-label="State">${h.blocked ? html`<span class="blocked">blocked</span>` : 'active'}</td>
<td data-label="TTL">${h.ttl} s</td>
</tr>`,
)}
</tbody></table></div>`
  : ''}
${waiting.length > 0
  ? html`<h2>Waiting for a first update</h2><ul>${waiting.map((n) => html`<li><a href="${hostHref(n)}">${n}</a></li>`)}</ul>`
  : ''}`;
}

export interface HostViewModel {
  readonly name: string;
  readonly host: OwnHost | null;
  readonly tokens: readonly OwnToken[];
  readonly history: readonly HistoryEntry[];
  readonly formToken: string;
  readonly notice?: string | undefined;
  readonly problem?: string | undefined;
  /** A token just created: its secret, shown this once. */
  readonly newToken?: { readonly id: string; readonly token: string } | undefined;
  /** What the address form shows after a refused save (what was typed). */
  readonly typed?: { readonly v4: string; readonly v6: string } | undefined;
}

export function hostPageView(m: HostViewModel): Markup {
  const h = m.host;
  const action = (path: string) => `${hostHref(m.name)}${path}`;
  return html`<h1>${m.name}</h1>
${m.notice ? message('notice', m.notice) : ''}
${m.problem ? message('error', m.problem) : ''}
${h
  ? html`<dl>
<dt>IPv4</dt><dd>${h.ipv4 ?? '—'}</dd>
<dt>IPv6</dt><dd>${h.ipv6 ?? '—'}</dd>
<dt>Last update</dt><dd>${when(h.updatedAt)}${h.last ? html` from ${h.last.sourceAddress || 'unknown'} (${h.last.userAgent || 'no client name'})` : ''}</dd>
<dt>State</dt><dd>${h.blocked ? html`<span class="blocked">blocked</span> since ${when(h.blocked.at)}: ${h.blocked.reason}${h.blocked.until ? html`, until ${when(h.blocked.until)}` : ', until an administrator lifts it'}` : 'active'}</dd>
<dt>TTL</dt><dd>${h.ttl} s</dd>
</dl>`
  : html`<p>No update has reached this name yet. Set up your router below; its first update creates the host.</p>`}
<p><a href="${action('/setup')}">Router setup for ${m.name}</a></p>
${h
  ? html`<h2>Set addresses by hand</h2>
<form method="post" action="${action('/addresses')}">
${tokenField(m.formToken)}
<label for="v4">IPv4 address</label>
<input id="v4" name="v4" type="text" inputmode="decimal" autocomplete="off" spellcheck="false" maxlength="64" value="${m.typed?.v4 ?? h.ipv4 ?? ''}">
<label for="v6">IPv6 address</label>
<input id="v6" name="v6" type="text" autocomplete="off" spellcheck="false" maxlength="64" value="${m.typed?.v6 ?? h.ipv6 ?? ''}">
<p class="hint">Leave a field empty to remove that address.</p>
<button type="submit">Save</button>
</form>`
  : ''}
<h2>Update tokens</h2>
<p class="hint">A token updates this one name only. Use it as the router's password instead of your account's.</p>
${m.newToken
  ? html`<div class="notice" role="status"><p>New token (shown only now; copy it into your router):</p><pre data-copy="token">${m.newToken.token}</pre></div>`
  : ''}
${m.tokens.length > 0
  ? html`<ul>${m.tokens.map(
      (t) => html`<li>Token <code>${t.id.slice(0, 8)}</code> created ${when(t.createdAt)}
<form class="inline" method="post" action="${action(`/tokens/${encodeURIComponent(t.id)}/revoke`)}">${tokenField(m.formToken)}<button class="secondary" type="submit" aria-label="Revoke token ${t.id.slice(0, 8)}">Revoke</button></form></li>`,
    )}</ul>`
  : html`<p>No tokens.</p>`}
<form method="post" action="${action('/tokens')}">${tokenField(m.formToken)}<button type="submit">Create token</button></form>
<h2>History</h2>
${m.history.length === 0
  ? html`<p>No history yet.</p>`
  : html`<div class="table"><table class="cards">
<thead><tr><th scope="col">Time</th><th scope="col">Before</th><th scope="col">After</th><th scope="col">Result</th><th scope="col">From</th><th scope="col">Client</th></tr></thead>
<tbody>${m.history.map(
      (e) => html`<tr><td data-label="Time">${when(e.at)}</td><td data-label="Before">${addresses(e.before)}</td><td data-label="After">${addresses(e.after)}</td><td data-label="Result">${e.result}</td><td data-label="From">${e.sourceAddress || '—'}</td><td class="long" data-label="Client">${e.userAgent || '—'}</td></tr>`,
    )}</tbody></table></div>`}`;
}

export function setupView(name: string, base: string, settings: readonly RouterSettings[]): Markup {
  return html`<h1>Router setup for ${name}</h1>
<p>Server: <code>${base}</code>. Replace <code>YOUR-TOKEN</code> with a token from <a href="/host/${encodeURIComponent(name)}">the host's page</a> (or your account password).</p>
${settings.map(
  (s) => html`<section class="snippet" aria-labelledby="setup-${s.id}">
<h3 id="setup-${s.id}">${s.title}</h3>
<p class="hint">${s.where}</p>
<pre data-copy="${s.title} settings">${s.text}</pre>
</section>`,
)}`;
}

export function passwordView(formToken: string, notice?: string, problem?: string): Markup {
  return html`<h1>Change password</h1>
${notice ? message('notice', notice) : ''}
${problem ? message('error', problem) : ''}
<form method="post" action="/account/password">
${tokenField(formToken)}
<label for="current">Current password</label>
<input id="current" name="current" type="password" autocomplete="current-password" required maxlength="256">
<label for="next">New password</label>
<input id="next" name="next" type="password" autocomplete="new-password" required minlength="8" maxlength="256">
<p class="hint">At least 8 characters. Changing it signs out every other browser; routers using tokens keep working.</p>
<button type="submit">Change password</button>
</form>`;
}
