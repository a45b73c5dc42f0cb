import { Hono, type Context, type MiddlewareHandler } from 'hono';
import type { HonoOptions } from 'hono/hono-base';
import type { Logger } from 'pino';
import type { AcmeDnsAccounts } from '../../app/acme-dns-accounts.js';
import type { Accounts } from '../../app/accounts.js';
import type { AdminKey } from '../../app/admin-key.js';
import type { ChallengeRecords } from '../../app/challenge-records.js';
import { NoZoneError } from '../../app/dns-registry.js';
import type { KeyGuard } from '../../app/key-guard.js';
import type { LoginGuard } from '../../app/login-guard.js';
import type { SetHostAddresses } from '../../app/set-host-addresses.js';
import type { TsigKeys } from '../../app/tsig-keys.js';
import type { UpdateHosts } from '../../app/update-hosts.js';
import type { UserHosts } from '../../app/user-hosts.js';
import type { WebSessions } from '../../app/web-sessions.js';
import { SignpostError, ThrottledError } from '../../domain/errors.js';
import type { CidrSet } from '../../domain/ip.js';
import { PublishError } from '../../ports/dns-provider.js';
import { MAX_USER_AGENT_LENGTH, clip } from '../../domain/text.js';
import { redactUrl } from '../observability/logger.js';
import { isStorageFull } from '../store/storage-errors.js';
import type { Metrics } from '../observability/metrics.js';
import { registerAcmeDns } from './acme-dns-routes.js';
import { registerAdmin } from './admin-routes.js';
import { MAX_BODY_BYTES, limitBody } from './body-limit.js';
import { resolveClientAddress } from './client-address.js';
import { registerDyndns2 } from './dyndns2-routes.js';
import { registerHttpreq } from './httpreq-routes.js';
import { registerInstanceEvents, type InstanceEventsEndpoint } from './instance-event-routes.js';
import { HTTP_STATUS, errorBody } from './errors.js';
import { keyCheck } from './key-check.js';
import { nameRoute, routeName, UNMATCHED_ROUTE } from './route-name.js';
import { HEALTH_PATH, METRICS_PATH } from './routes.js';
import { registerAdminPages } from './web/admin-pages.js';
import { registerWeb } from './web/routes.js';

export interface HttpAppDeps {
  readonly accounts: Accounts;
  readonly adminKey: AdminKey;
  readonly loginGuard: LoginGuard;
  readonly keyGuard: KeyGuard;
  readonly updateHosts: UpdateHosts;
  readonly setHostAddresses: SetHostAddresses;
  readonly tsigKeys: TsigKeys;
  readonly webSessions: WebSessions;
  readonly userHosts: UserHosts;
  readonly challenges: ChallengeRecords;
  /** SIGNPOST_PUBLIC_URL: the base URL the web page's router settings name. */
  readonly config: { readonly publicUrl?: string | undefined };
  readonly metrics: Metrics;
  readonly logger: Logger;
  readonly trustedProxies: CidrSet;
  readonly blockedUserAgents: readonly string[];
  /** The socket peer address; runtime-specific (Node socket, Lambda event). */
  readonly peerAddress: (c: Context) => string | undefined;
  readonly healthy: () => Promise<boolean>;
  /** Runtime-specific middleware run first on every request (e.g. reading facts from the Lambda event). */
  readonly middleware?: readonly MiddlewareHandler[];
  /** acme-dns accounts; `challenges` takes the values of both certificate doors. */
  readonly acmeDns: AcmeDnsAccounts;
  /** SIGNPOST_ACME_DNS_REGISTER_FROM: who may register an acme-dns account without a Signpost account. */
  readonly acmeDnsRegisterFrom: CidrSet;
  /** POST /events/ec2 (instance registration), when enabled. */
  readonly instanceEvents?: InstanceEventsEndpoint;
  /** Hono's router; Hono's default (SmartRouter) unless the runtime picks one (the Lambda handler picks one that is cheap to build). */
  readonly router?: HonoOptions<{}>['router'];
}

/** The one HTTP app: the same on Node and on Lambda. Tests call `app.request()`. */
export function buildHttpApp(deps: HttpAppDeps): Hono {
  const app = new Hono(deps.router ? { router: deps.router } : {});
  const clientAddress = (c: Context) => resolveClientAddress(deps.peerAddress(c), c.req.header('x-forwarded-for'), deps.trustedProxies);
  for (const middleware of deps.middleware ?? []) app.use('*', middleware);

  app.use('*', async (c, next) => {
    const started = performance.now();
    await next();
    // The route pattern that answered, never the raw URL, whose variety has no bound.
    deps.metrics.httpRequest(routeName(c), METHODS.has(c.req.method) ? c.req.method : 'other', c.res.status);
    const url = new URL(c.req.url);
    deps.logger.info(
      {
        method: c.req.method,
        url: redactUrl(url.pathname + url.search),
        status: c.res.status,
        ms: Math.round((performance.now() - started) * 100) / 100,
        client: clientAddress(c),
        userAgent: clipOptional(c.req.header('user-agent'), MAX_USER_AGENT_LENGTH),
      },
      'request',
    );
  });
  // Before any route (and so before authentication) reads a body.
  app.use('*', limitBody(MAX_BODY_BYTES));

  app.get(HEALTH_PATH, async (c) => {
    const ok = await deps.healthy().catch(() => false);
    return c.json({ status: ok ? 'ok' : 'unavailable' }, ok ? 200 : 503);
  });
  app.get(METRICS_PATH, async () => new Response(await deps.metrics.text(), { headers: { 'content-type': deps.metrics.contentType } }));

  registerDyndns2(app, { ...deps, clientAddress, realm: 'Signpost' });
  const kit = registerWeb(app, { ...deps, clientAddress, publicUrl: deps.config.publicUrl });
  registerAdminPages(app, kit, deps);
  const checkKey = keyCheck(deps.keyGuard, deps, clientAddress);
  registerAdmin(app, { ...deps, checkKey, clientAddress });
  registerAcmeDns(app, { ...deps, clientAddress, registerFrom: deps.acmeDnsRegisterFrom });
  registerHttpreq(app, { ...deps, clientAddress });
  if (deps.instanceEvents) registerInstanceEvents(app, deps.instanceEvents, deps.adminKey, checkKey);

  app.notFound((c) => {
    nameRoute(c, UNMATCHED_ROUTE);
    return c.json(errorBody('not_found', `no route for ${c.req.method} ${c.req.path}`), 404);
  });
  app.onError((error, c) => {
    if (error instanceof ThrottledError) return c.json(errorBody(error.code, error.message), 429, { 'retry-after': String(error.retryAfterSeconds) });
    if (error instanceof SignpostError) return c.json(errorBody(error.code, error.message), HTTP_STATUS[error.code]);
    if (error instanceof PublishError || error instanceof NoZoneError) {
      // The store holds the change; the next sync or reconcile publishes it (the DNS side is never half-applied).
      deps.logger.error({ err: error }, 'publishing failed');
      return c.json(errorBody('publish_failed', 'DNS refused the change or did not answer; try again'), 502);
    }
    if (isStorageFull(error)) {
      deps.logger.error({ err: error }, 'store full: write refused');
      return c.json(errorBody('storage_full', 'the server has no room to store this change; nothing was changed'), 507);
    }
    deps.logger.error({ err: error }, 'unhandled error');
    return c.json(errorBody('internal', 'internal error'), 500);
  });
  return app;
}

const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

const clipOptional = (text: string | undefined, max: number) => (text === undefined ? undefined : clip(text, max));
