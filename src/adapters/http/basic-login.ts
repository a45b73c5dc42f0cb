/**
 * HTTP Basic logins for the JSON doors (acme-dns registration and CNAME,
 * lego httpreq): a Signpost user's password or a per-host update token,
 * through the same failed-login throttle and log line as dyndns2.
 */
import type { Context } from 'hono';
import type { Logger } from 'pino';
import type { Principal } from '../../app/authenticator.js';
import type { LoginGuard } from '../../app/login-guard.js';
import { ThrottledError } from '../../domain/errors.js';
import type { Metrics } from '../observability/metrics.js';
import { extractCredentials } from './credentials.js';
import { logFailedLogin, type Door } from './key-check.js';

export interface BasicLoginDeps {
  readonly loginGuard: LoginGuard;
  readonly metrics: Metrics;
  readonly logger: Logger;
  readonly clientAddress: (c: Context) => string | undefined;
}

/**
 * The principal the request's Basic credentials name; `missing` when it
 * sent none, `refused` when they are wrong (logged). A throttled caller
 * gets ThrottledError (429 with Retry-After) without a password check.
 */
export async function basicPrincipal(c: Context, deps: BasicLoginDeps, door: Door): Promise<Principal | 'missing' | 'refused'> {
  const credentials = extractCredentials(c.req.header('authorization'), () => undefined);
  if (credentials === undefined) return 'missing';
  const source = deps.clientAddress(c) ?? 'unknown';
  if (credentials === 'malformed') {
    logFailedLogin(deps, door, undefined, source, 'badauth');
    return 'refused';
  }
  const login = await deps.loginGuard.login(credentials.username, credentials.password, source);
  if (login.ok) return login.principal;
  logFailedLogin(deps, door, credentials.username, source, login.result);
  if (login.result === 'throttled') {
    deps.metrics.loginsThrottled.inc({ door });
    throw new ThrottledError(Math.max(1, Math.ceil(login.retryAfterMs / 1000)));
  }
  return 'refused';
}
