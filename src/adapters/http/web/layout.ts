import { html } from 'hono/html';
import type { HtmlEscapedString } from 'hono/utils/html';
import { ASSET_PATHS } from './assets.js';

/** What `html` templates produce; every interpolated string in them is escaped. */
export type Markup = HtmlEscapedString | Promise<HtmlEscapedString>;

export interface PageShell {
  readonly title: string;
  readonly body: Markup;
  /** The signed-in user: shows the navigation and the "Sign out" button. */
  readonly user?: { readonly username: string; readonly formToken: string };
  /** Extra links for the navigation (admins get theirs). */
  readonly nav?: readonly { readonly href: string; readonly label: string }[];
  /** Loads the copy-button script (router settings only). */
  readonly copyButtons?: boolean;
}

/** The name of the hidden field that carries the per-session form token. */
export const FORM_TOKEN_FIELD = 'form_token';

/** The hidden form-token field every state-changing form carries. */
export const tokenField = (formToken: string): Markup => html`<input type="hidden" name="${FORM_TOKEN_FIELD}" value="${formToken}">`;

/** The page around every view: one stylesheet, no inline script or style. */
export function page(shell: PageShell): Markup {
  const { user } = shell;
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${shell.title} · Signpost</title>
<link rel="stylesheet" href="${ASSET_PATHS.stylesheet}">
<link rel="icon" href="${ASSET_PATHS.icon}" type="image/svg+xml">
</head>
<body>
<header>
<a class="brand" href="/">Signpost</a>
${user
  ? html`<nav aria-label="Account">
<a href="/">Hosts</a>
${(shell.nav ?? []).map((link) => html`<a href="${link.href}">${link.label}</a>`)}
<a href="/account/password">Password</a>
<span class="hint">Signed in as <strong>${user.username}</strong></span>
<form class="inline" method="post" action="/sign-out">${tokenField(user.formToken)}<button class="secondary" type="submit">Sign out</button></form>
</nav>`
  : ''}
</header>
<main id="main">
${shell.body}
</main>
${shell.copyButtons ? html`<script src="${ASSET_PATHS.script}" defer></script>` : ''}
</body>
</html>`;
}

/** A message box: `notice` for done, `error` for refused. Messages are plain text (escaped). */
export const message = (kind: 'notice' | 'error', text: string): Markup => html`<p class="${kind}" role="${kind === 'error' ? 'alert' : 'status'}">${text}</p>`;
