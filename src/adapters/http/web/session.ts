import type { Context } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { randomBytes } from 'node:crypto';
import { digestsEqual, sha256Hex } from '../../../app/secrets.js';
import type { SignedIn, WebSessions } from '../../../app/web-sessions.js';
import { SESSION_POLICY } from '../../../app/web-sessions.js';
import type { CidrSet } from '../../../domain/ip.js';
import { normalizeRemoteAddress } from '../../../domain/ip.js';
import { FORM_TOKEN_FIELD } from './layout.js';

export const SESSION_COOKIE = 'signpost_session';
/** The sign-in form's own token (double-submit: cookie and form field must match), before any session exists. */
export const SIGN_IN_COOKIE = 'signpost_sign_in';

export interface WebRequestDeps {
  readonly webSessions: WebSessions;
  readonly trustedProxies: CidrSet;
  readonly peerAddress: (c: Context) => string | undefined;
  /** SIGNPOST_PUBLIC_URL, without a trailing slash. */
  readonly publicUrl?: string | undefined;
}

/**
 * Whether the browser reached us over HTTPS: the request URL says so
 * (Lambda, TLS on Node), or a trusted proxy in front says so in
 * X-Forwarded-Proto. A client's own X-Forwarded-Proto is not believed.
 */
export function isHttps(c: Context, deps: WebRequestDeps): boolean {
  if (new URL(c.req.url).protocol === 'https:') return true;
  const peer = normalizeRemoteAddress(deps.peerAddress(c));
  if (!peer || !deps.trustedProxies.contains(peer)) return false;
  return c.req.header('x-forwarded-proto')?.split(',')[0]?.trim().toLowerCase() === 'https';
}

/** This server's base URL as routers should use it: SIGNPOST_PUBLIC_URL, else the request's own origin. */
export function publicBase(c: Context, deps: WebRequestDeps): string {
  if (deps.publicUrl) return deps.publicUrl;
  const url = new URL(c.req.url);
  return `${isHttps(c, deps) ? 'https' : 'http'}://${url.host}`;
}

/** Origins a form may be posted from (Hono's csrf middleware asks): this page's own, as the browser saw it. */
export function allowedOrigin(origin: string, c: Context, deps: WebRequestDeps): boolean {
  const own = [new URL(c.req.url).origin, new URL(publicBase(c, deps)).origin];
  return own.includes(origin);
}

const cookieOptions = (c: Context, deps: WebRequestDeps) =>
  ({ path: '/', httpOnly: true, sameSite: 'Lax', secure: isHttps(c, deps) }) as const;

/** The signed-in user of this request, if its session cookie names a live session. */
export async function readSession(c: Context, deps: WebRequestDeps): Promise<SignedIn | undefined> {
  const id = getCookie(c, SESSION_COOKIE);
  return id ? deps.webSessions.resume(id) : undefined;
}

export function setSessionCookie(c: Context, deps: WebRequestDeps, sessionId: string): void {
  // The cookie lives as long as the session may; the server decides earlier ends (idle, sign-out, password change).
  setCookie(c, SESSION_COOKIE, sessionId, { ...cookieOptions(c, deps), maxAge: Math.floor(SESSION_POLICY.absoluteMs / 1000) });
}

export function clearSessionCookie(c: Context, deps: WebRequestDeps): void {
  deleteCookie(c, SESSION_COOKIE, cookieOptions(c, deps));
}

/** The sign-in form's token: reuses the browser's cookie if it has one, else sets a new one. */
export function signInToken(c: Context, deps: WebRequestDeps): string {
  const existing = getCookie(c, SIGN_IN_COOKIE);
  if (existing && /^[A-Za-z0-9_-]{22}$/.test(existing)) return existing;
  const token = randomBytes(16).toString('base64url');
  setCookie(c, SIGN_IN_COOKIE, token, { ...cookieOptions(c, deps), maxAge: 3600 });
  return token;
}

/** Whether a posted sign-in form carries the token its cookie holds. */
export function signInTokenMatches(c: Context, form: Record<string, unknown>): boolean {
  const cookie = getCookie(c, SIGN_IN_COOKIE);
  const field = form[FORM_TOKEN_FIELD];
  return typeof cookie === 'string' && typeof field === 'string' && digestsEqual(sha256Hex(cookie), sha256Hex(field));
}

/** Whether a posted form carries this session's form token. */
export function formTokenMatches(deps: WebRequestDeps, who: SignedIn, form: Record<string, unknown>): boolean {
  const field = form[FORM_TOKEN_FIELD];
  return typeof field === 'string' && digestsEqual(sha256Hex(deps.webSessions.formToken(who)), sha256Hex(field));
}
