/**
 * The acme-dns door: joohoi/acme-dns's HTTP API under /acme-dns, answered as
 * that server answers (status codes and `{"error": "<word>"}` bodies), so
 * lego, acme.sh, Traefik and cert-manager work unchanged with
 * `<server>/acme-dns` as their acme-dns URL. Registration needs a Signpost
 * user's Basic credentials (or an address in SIGNPOST_ACME_DNS_REGISTER_FROM);
 * `/acme-dns/cname` is Signpost's own addition, with Signpost's error shape.
 */
import type { Context, Hono } from 'hono';
import * as z from 'zod';
import type { AcmeDnsAccounts } from '../../app/acme-dns-accounts.js';
import type { KeyGuard } from '../../app/key-guard.js';
import { MAX_ALLOW_FROM, isAcmeDnsTxt, parseAllowFrom } from '../../domain/acme-dns.js';
import { SignpostError, ThrottledError } from '../../domain/errors.js';
import type { CidrSet } from '../../domain/ip.js';
import { limitBody } from './body-limit.js';
import { basicPrincipal, type BasicLoginDeps } from './basic-login.js';
import { jsonBody } from './json-body.js';
import { logFailedLogin } from './key-check.js';
import { ACME_DNS_PATHS } from './routes.js';

export interface AcmeDnsDeps extends BasicLoginDeps {
  readonly acmeDns: AcmeDnsAccounts;
  readonly keyGuard: KeyGuard;
  /** SIGNPOST_ACME_DNS_REGISTER_FROM: who may register without a Signpost account. */
  readonly registerFrom: CidrSet;
}

/** A registration or an update is well under 1 KiB; an allowfrom list of MAX_ALLOW_FROM entries fits in this. */
const MAX_ACME_DNS_BODY_BYTES = 4 * 1024;

const cnameSchema = z.object({ domain: z.string().min(1).max(255), subdomain: z.string().min(1).max(64) }).strict();

export function registerAcmeDns(app: Hono, deps: AcmeDnsDeps): void {
  app.use(`${ACME_DNS_PATHS.base}/*`, limitBody(MAX_ACME_DNS_BODY_BYTES));
  app.post(ACME_DNS_PATHS.register, (c) => register(c, deps));
  app.post(ACME_DNS_PATHS.update, (c) => update(c, deps));
  app.post(ACME_DNS_PATHS.cname, async (c) => {
    const username = await signpostUser(c, deps);
    const body = await jsonBody(c, cnameSchema);
    return c.json(await deps.acmeDns.link(username, body.domain, body.subdomain), 201);
  });
  app.delete(ACME_DNS_PATHS.cname, async (c) => {
    const username = await signpostUser(c, deps);
    const body = await jsonBody(c, cnameSchema);
    await deps.acmeDns.unlink(username, body.domain, body.subdomain);
    return c.body(null, 204);
  });
}

/** acme-dns's error answer. */
const refuse = (c: Context, word: string, status: 400 | 401) => c.json({ error: word }, status);

async function register(c: Context, deps: AcmeDnsDeps): Promise<Response> {
  const principal = await basicPrincipal(c, deps, 'acme-dns');
  let owner: string;
  if (principal === 'missing') {
    const source = deps.clientAddress(c);
    if (source === undefined || deps.registerFrom.size === 0 || !deps.registerFrom.contains(source)) {
      c.header('www-authenticate', CHALLENGE);
      return refuse(c, 'forbidden', 401);
    }
    owner = ''; // an anonymous account: its CNAME is made by hand, in a zone Signpost does not serve
  } else if (principal === 'refused' || principal.kind !== 'user') {
    // An update token may change one host's addresses, not open accounts.
    return refuse(c, 'forbidden', 401);
  } else {
    owner = principal.username;
  }
  const text = await c.req.text();
  let allowFrom: unknown = [];
  if (text.length > 0) {
    try {
      allowFrom = (JSON.parse(text) as { allowfrom?: unknown } | null)?.allowfrom ?? [];
    } catch {
      return refuse(c, 'malformed_json_payload', 400);
    }
  }
  if (!Array.isArray(allowFrom) || !allowFrom.every((e) => typeof e === 'string')) return refuse(c, 'malformed_json_payload', 400);
  const cidrs = allowFrom.length <= MAX_ALLOW_FROM ? parseAllowFrom(allowFrom) : undefined;
  if (!cidrs) return refuse(c, 'invalid_allowfrom_cidr', 400);
  const registration = await deps.acmeDns.register(owner, cidrs);
  if (!registration) return c.json({ error: 'too_many_accounts' }, 403);
  deps.logger.info({ owner, account: registration.username, subdomain: registration.subdomain }, 'acme-dns account registered');
  return c.json(registration, 201);
}

async function update(c: Context, deps: AcmeDnsDeps): Promise<Response> {
  const source = deps.clientAddress(c);
  const user = c.req.header('x-api-user') ?? '';
  const account = await deps.acmeDns.authenticate(user, c.req.header('x-api-key') ?? '');
  try {
    // Its own backoff key per address: guessing acme-dns keys must not lock the address out of the admin API.
    deps.keyGuard.check(`acme-dns ${source ?? 'unknown'}`, () => account !== undefined, 'forbidden');
  } catch (error) {
    const throttled = error instanceof ThrottledError;
    if (throttled) deps.metrics.loginsThrottled.inc({ door: 'acme-dns' });
    logFailedLogin(deps, 'acme-dns', user, source ?? 'unknown', throttled ? 'throttled' : 'forbidden');
    if (throttled) throw error;
    return refuse(c, 'forbidden', 401);
  }
  // A body that is not JSON names no subdomain, so it is refused like a wrong one (acme-dns does the same).
  const body = (await c.req.json().catch(() => ({}))) as { subdomain?: unknown; txt?: unknown } | null;
  if (deps.acmeDns.refusal(account!, body?.subdomain, source) !== undefined) {
    logFailedLogin(deps, 'acme-dns', user, source ?? 'unknown', 'forbidden');
    return refuse(c, 'forbidden', 401);
  }
  const txt = body?.txt;
  if (typeof txt !== 'string' || !isAcmeDnsTxt(txt)) return refuse(c, 'bad_txt', 400);
  await deps.acmeDns.update(account!, txt);
  return c.json({ txt }, 200);
}

const CHALLENGE = 'Basic realm="Signpost", charset="UTF-8"';

/** The Signpost user (password login) making a Signpost-shaped request; bad_credentials (401) otherwise. */
async function signpostUser(c: Context, deps: AcmeDnsDeps): Promise<string> {
  const principal = await basicPrincipal(c, deps, 'acme-dns');
  if (principal === 'missing' || principal === 'refused' || principal.kind !== 'user') {
    c.header('www-authenticate', CHALLENGE);
    throw new SignpostError('bad_credentials', 'this endpoint needs a Signpost user name and password (HTTP Basic)');
  }
  return principal.username;
}
