import type { Context, MiddlewareHandler } from 'hono';
import { csrf } from 'hono/csrf';
import { HTTPException } from 'hono/http-exception';
import { secureHeaders } from 'hono/secure-headers';
import type { SignedIn } from '../../../app/web-sessions.js';
import { SignpostError, ThrottledError } from '../../../domain/errors.js';
import { HTTP_STATUS } from '../errors.js';
import { limitBody } from '../body-limit.js';
import { message, page, type Markup, type PageShell } from './layout.js';
import { allowedOrigin, formTokenMatches, readSession, type WebRequestDeps } from './session.js';
import { html } from 'hono/html';
import type { ContentfulStatusCode } from 'hono/utils/http-status';

/** Every path the web pages own; the page middleware (headers, CSRF, body cap) applies to these only. */
export const WEB_PATHS = ['/', '/sign-in', '/sign-out', '/host/*', '/account/*', '/admin/*', '/static/*'] as const;

/** The admin pages' links, in every admin's navigation. */
const ADMIN_NAV = [
  { href: '/admin/users', label: 'Users' },
  { href: '/admin/hosts', label: 'All hosts' },
  { href: '/admin/activity', label: 'Activity' },
] as const;

/** A web form is a few hundred bytes; this leaves room for long values and refuses anything else early. */
export const MAX_FORM_BYTES = 16 * 1024;

/** The headers every page carries: no inline script or style, no framing, no sniffing, no referrer to other sites. */
export const pageHeaders = (): MiddlewareHandler =>
  secureHeaders({
    contentSecurityPolicy: {
      defaultSrc: ["'none'"],
      scriptSrc: ["'self'"],
      styleSrc: ["'self'"],
      imgSrc: ["'self'"],
      connectSrc: ["'self'"],
      formAction: ["'self'"],
      frameAncestors: ["'none'"],
      baseUri: ["'none'"],
    },
    referrerPolicy: 'same-origin',
    // Not for subdomains: other names under this domain may be served by something else, over plain HTTP.
    strictTransportSecurity: 'max-age=15552000',
    xFrameOptions: 'DENY',
    crossOriginOpenerPolicy: 'same-origin',
    crossOriginResourcePolicy: 'same-origin',
  });

/**
 * What every page handler needs: who is signed in, the form body, rendering
 * with the page shell, and the refusals. Shared by the user pages and the
 * admin pages.
 */
export class WebKit {
  constructor(readonly deps: WebRequestDeps) {}

  /** Middleware for WEB_PATHS: security headers, no caching of personal pages, body cap, Origin check on posts. */
  middleware(): MiddlewareHandler[] {
    const origin = csrf({ origin: (o, c) => allowedOrigin(o, c, this.deps) });
    const checkOrigin: MiddlewareHandler = async (c, next) => {
      try {
        await origin(c, next);
      } catch (error) {
        if (!(error instanceof HTTPException) || error.status !== 403) throw error;
        return this.refuseForm(c);
      }
    };
    const noStore: MiddlewareHandler = async (c, next) => {
      await next();
      if (!c.req.path.startsWith('/static/')) c.header('cache-control', 'no-store');
    };
    return [pageHeaders(), noStore, limitBody(MAX_FORM_BYTES), checkOrigin];
  }

  signedIn(c: Context): Promise<SignedIn | undefined> {
    return readSession(c, this.deps);
  }

  /** The posted form's text fields (files are not accepted anywhere). */
  async form(c: Context): Promise<Record<string, string>> {
    const body = await c.req.parseBody().catch(() => ({}) as Record<string, unknown>);
    const fields: Record<string, string> = {};
    for (const [k, v] of Object.entries(body)) if (typeof v === 'string') fields[k] = v;
    return fields;
  }

  /** The form of a signed-in user, or undefined when its form token is missing or wrong (then refuse). */
  async checkedForm(c: Context, who: SignedIn): Promise<Record<string, string> | undefined> {
    const form = await this.form(c);
    return formTokenMatches(this.deps, who, form) ? form : undefined;
  }

  async render(c: Context, who: SignedIn | undefined, shell: Omit<PageShell, 'user'>, status: ContentfulStatusCode = 200): Promise<Response> {
    const user = who ? { username: who.username, formToken: this.deps.webSessions.formToken(who) } : undefined;
    const nav = who?.admin ? [...ADMIN_NAV, ...(shell.nav ?? [])] : shell.nav;
    return c.html(page({ ...shell, ...(user ? { user } : {}), ...(nav ? { nav } : {}) }), status);
  }

  /** Not signed in: GET goes to the sign-in page, anything else is refused. */
  signInFirst(c: Context): Response | Promise<Response> {
    return c.req.method === 'GET' ? c.redirect('/', 303) : c.html(page({ title: 'Signed out', body: this.signedOutBody() }), 401);
  }

  /** A form without a valid token or from another site: nothing was changed. */
  refuseForm(c: Context): Response | Promise<Response> {
    return c.html(
      page({ title: 'Refused', body: html`<h1>Refused</h1>${message('error', 'This form was not sent from this page (or it expired). Nothing was changed.')}<p><a href="/">Back</a></p>` }),
      403,
    );
  }

  /** A use case's refusal as a page; `host_not_found` reads the same for a missing name and another user's. */
  error(c: Context, who: SignedIn | undefined, error: unknown): Response | Promise<Response> {
    if (error instanceof ThrottledError) c.header('retry-after', String(error.retryAfterSeconds));
    if (!(error instanceof SignpostError)) throw error;
    const status = HTTP_STATUS[error.code];
    const title = status === 404 ? 'Not found' : 'Not done';
    return this.render(c, who, { title, body: html`<h1>${title}</h1>${message('error', error.message)}<p><a href="/">Back to your hosts</a></p>` }, status);
  }

  private signedOutBody(): Markup {
    return html`<h1>Signed out</h1>${message('error', 'Your session has ended. Nothing was changed.')}<p><a href="/">Sign in</a></p>`;
  }
}
