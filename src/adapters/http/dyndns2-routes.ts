import type { Context, Hono } from 'hono';
import type { Logger } from 'pino';
import type { LoginGuard } from '../../app/login-guard.js';
import type { UpdateHosts } from '../../app/update-hosts.js';
import { MAX_NAME_TEXT_LENGTH, clip } from '../../domain/text.js';
import { parseUpdate, renderResults, type HostResult, type RequestCode } from '../../domain/dyndns2.js';
import type { Metrics } from '../observability/metrics.js';
import { limitBody } from './body-limit.js';
import { extractCredentials } from './credentials.js';
import { logFailedLogin } from './key-check.js';
import { nameRoute } from './route-name.js';
import { plain } from './plain.js';
import { CHECKIP_PATHS, DYNDNS2_METHODS, UPDATE_PATHS } from './routes.js';

export interface Dyndns2Deps {
  readonly loginGuard: LoginGuard;
  readonly updateHosts: UpdateHosts;
  readonly metrics: Metrics;
  readonly logger: Logger;
  readonly blockedUserAgents: readonly string[];
  readonly realm: string;
  readonly clientAddress: (c: Context) => string | undefined;
}

/** A table path, also with extra leading slashes (`//nic/update` from clients that join URLs carelessly) or a trailing one. */
const forgiving = (paths: readonly string[]) => new RegExp(`^/+(${paths.map((p) => p.slice(1).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|')})/?$`);
const UPDATE_PATH = forgiving(UPDATE_PATHS);
const CHECKIP_PATH = forgiving(CHECKIP_PATHS);
/** A form-posted update is a few hundred bytes; anything near this is not a dyndns2 client. */
const MAX_UPDATE_BODY_BYTES = 16 * 1024;

type Params = (name: string) => readonly string[];

/** The dyndns2 source: HTTP quirks in, typed command to the use case, return codes out. */
export function registerDyndns2(app: Hono, deps: Dyndns2Deps): void {
  const limit = limitBody(MAX_UPDATE_BODY_BYTES);
  app.post('*', async (c, next) => (UPDATE_PATH.test(c.req.path) ? limit(c, next) : next()));
  app.on([...DYNDNS2_METHODS], '*', async (c, next) => {
    const path = c.req.path;
    const checkip = CHECKIP_PATH.exec(path);
    if (checkip) {
      nameRoute(c, `/${checkip[1]}`);
      return plain(deps.clientAddress(c) ?? 'unknown');
    }
    const update = UPDATE_PATH.exec(path);
    if (!update) return next();
    nameRoute(c, `/${update[1]}`); // the table path, whatever slashes the client added
    const started = performance.now();
    try {
      return await handleUpdate(c, deps);
    } finally {
      deps.metrics.updateDuration.observe((performance.now() - started) / 1000);
    }
  });
}

async function handleUpdate(c: Context, deps: Dyndns2Deps): Promise<Response> {
  const once = (code: RequestCode, status = 200, headers: Record<string, string> = {}) => {
    deps.metrics.updates.inc({ result: code });
    return plain(code, status, headers);
  };
  const userAgent = c.req.header('user-agent')?.trim() ?? '';
  if (userAgent === '' || deps.blockedUserAgents.some((b) => userAgent.toLowerCase().includes(b))) return once('badagent');

  const params = await requestParams(c);
  const first = (name: string) => params(name)[0];
  const credentials = extractCredentials(c.req.header('authorization'), first);
  if (credentials === undefined) {
    return once('badauth', 401, { 'www-authenticate': `Basic realm="${deps.realm}", charset="UTF-8"` });
  }
  const parsed = parseUpdate(params);
  if (!parsed.ok) return once(parsed.code);
  if (credentials === 'malformed') return once('badauth');

  const sourceAddress = deps.clientAddress(c);
  const login = await deps.loginGuard.login(credentials.username, credentials.password, sourceAddress ?? 'unknown');
  if (!login.ok) {
    // dyndns2 has no "slow down" code; a throttled client hears badauth, which makes ddclient and inadyn back off.
    if (login.result === 'throttled') deps.metrics.loginsThrottled.inc({ door: 'dyndns2' });
    logFailedLogin(deps, 'dyndns2', credentials.username, sourceAddress ?? 'unknown', login.result);
    return once('badauth');
  }
  const { principal } = login;
  let results: HostResult[];
  try {
    results = await deps.updateHosts.execute({ principal, query: parsed.query, sourceAddress: sourceAddress ?? '', userAgent });
  } catch (error) {
    deps.logger.error({ err: error }, 'update failed');
    return once('911');
  }
  for (const r of results) deps.metrics.updates.inc({ result: r.code });
  deps.logger.info({ user: principal.username, hosts: parsed.query.hostnames.map((h) => clip(h, MAX_NAME_TEXT_LENGTH)), results: results.map((r) => r.code) }, 'update');
  return plain(renderResults(results));
}

/** Query parameters, plus form fields for POST (some clients post the same fields). */
async function requestParams(c: Context): Promise<Params> {
  const url = new URL(c.req.url);
  const query = url.searchParams;
  let form: URLSearchParams | undefined;
  if (c.req.method === 'POST' && (c.req.header('content-type') ?? '').includes('application/x-www-form-urlencoded')) {
    // limitBody has already capped the body at MAX_UPDATE_BODY_BYTES.
    form = new URLSearchParams(await c.req.text().catch(() => ''));
  }
  return (name) => [...query.getAll(name), ...(form?.getAll(name) ?? [])];
}
