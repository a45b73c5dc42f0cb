/**
 * The lego `httpreq` door (go-acme/lego providers/dns/httpreq): lego posts
 * `{"fqdn": "_acme-challenge.<name>.", "value": "…"}` to
 * `<endpoint>/present` and `<endpoint>/cleanup` with HTTP Basic
 * credentials — a Signpost user whose grants cover the name, or the
 * per-host update token of that very host. Traefik and anything else built
 * on lego use the same door. lego only looks at the status code; the body
 * says what happened, in Signpost's error shape when it failed.
 */
import type { Context, Hono } from 'hono';
import * as z from 'zod';
import type { Principal } from '../../app/authenticator.js';
import { CHALLENGE_LABEL, MAX_CHALLENGE_VALUE_LENGTH } from '../../domain/challenges.js';
import { SignpostError } from '../../domain/errors.js';
import { canonicalName } from '../../domain/names.js';
import { limitBody } from './body-limit.js';
import { basicPrincipal, type BasicLoginDeps } from './basic-login.js';
import { jsonBody } from './json-body.js';
import { HTTPREQ_PATHS } from './routes.js';

/** What this door needs of the challenge records (ChallengeRecords, src/app/challenge-records.ts). */
export interface ChallengeValues {
  mayWrite(username: string, name: string): Promise<boolean>;
  add(name: string, value: string, owner: string): Promise<void>;
  remove(name: string, value: string | undefined, owner: string): Promise<void>;
}

export interface HttpreqDeps extends BasicLoginDeps {
  readonly challenges: ChallengeValues;
}

/** One fqdn and one value: a few hundred bytes. */
const MAX_HTTPREQ_BODY_BYTES = 4 * 1024;

const messageSchema = z.object({ fqdn: z.string().min(1).max(255), value: z.string().min(1).max(MAX_CHALLENGE_VALUE_LENGTH) });
/** RAW mode's message (HTTPREQ_MODE=RAW): the domain and key authorization, leaving the digest to the server. */
const rawKeys = ['domain', 'token', 'keyAuth'];

export function registerHttpreq(app: Hono, deps: HttpreqDeps): void {
  app.use(`${HTTPREQ_PATHS.base}/*`, limitBody(MAX_HTTPREQ_BODY_BYTES));
  app.post(HTTPREQ_PATHS.present, async (c) => {
    const { principal, name, value } = await request(c, deps);
    await deps.challenges.add(name, value, principal.username);
    return c.json({ fqdn: `${name}.`, value }, 200);
  });
  app.post(HTTPREQ_PATHS.cleanup, async (c) => {
    const { principal, name, value } = await request(c, deps);
    await deps.challenges.remove(name, value, principal.username);
    return c.json({ fqdn: `${name}.`, value }, 200);
  });
}

async function request(c: Context, deps: HttpreqDeps): Promise<{ principal: Principal; name: string; value: string }> {
  const principal = await basicPrincipal(c, deps, 'httpreq');
  if (principal === 'missing' || principal === 'refused') {
    c.header('www-authenticate', 'Basic realm="Signpost", charset="UTF-8"');
    throw new SignpostError('bad_credentials', 'give a Signpost user name and password, or a host and its update token (HTTPREQ_USERNAME, HTTPREQ_PASSWORD)');
  }
  const raw = (await c.req.json().catch(() => undefined)) as Record<string, unknown> | undefined;
  if (raw && typeof raw === 'object' && !('fqdn' in raw) && rawKeys.some((k) => k in raw)) {
    throw new SignpostError('invalid_request', 'HTTPREQ_MODE=RAW is not supported: leave HTTPREQ_MODE unset so lego sends fqdn and value');
  }
  const body = await jsonBody(c, messageSchema);
  const name = canonicalName(body.fqdn);
  if (!(await allowed(principal, name, deps))) throw new SignpostError('challenge_not_allowed', `these credentials may not set records at ${name}`);
  return { principal, name, value: body.value };
}

/** A user's grants cover the challenge name; a host's token covers only its own. */
function allowed(principal: Principal, name: string, deps: HttpreqDeps): Promise<boolean> | boolean {
  if (principal.kind === 'token') return name === `${CHALLENGE_LABEL}.${principal.hostname}`;
  return deps.challenges.mayWrite(principal.username, name);
}
