/**
 * Every route the HTTP app serves, in one table: the app registers its routes
 * from it and the CDK stack (infra/) builds the API Gateway resources from it,
 * so a route added here is served and routed, or the infra tests say why not.
 * Paths use Hono's syntax (`:name` for a path parameter).
 */
import { WEB_ROUTES } from './web/paths.js';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE' | 'HEAD';

/**
 * Who may call a route: `public` (no key; dyndns2, acme-dns and httpreq
 * authenticate in the app), `admin` (the X-API-KEY admin key), `events` (the
 * instance-event key or the admin key).
 */
export type RouteAccess = 'public' | 'admin' | 'events';

export interface HttpRoute {
  readonly method: HttpMethod;
  readonly path: string;
  readonly access: RouteAccess;
  /** The JSON body's schema, by its name in `adminJsonSchemas()` (src/app/schemas.ts). */
  readonly model?: string;
}

/** dyndns2 clients send GET, some POST a form, some probe with HEAD. */
export const DYNDNS2_METHODS = ['GET', 'POST', 'HEAD'] as const satisfies readonly HttpMethod[];
/** `/nic/update` and the aliases other providers' clients use. */
export const UPDATE_PATHS = ['/nic/update', '/v3/update', '/update'] as const;
/** "What is my address?": the dyndns2 checkip path and the short ones clients also try. */
export const CHECKIP_PATHS = ['/nic/checkip', '/myip', '/checkip'] as const;

/** The admin API, all behind the admin key; each key of the handler map in admin-routes.ts is one of these. */
export const ADMIN_ROUTES = [
  { method: 'POST', path: '/user', model: 'createUser' }, // the original design's endpoint
  { method: 'POST', path: '/users', model: 'createUser' },
  { method: 'GET', path: '/users' },
  { method: 'GET', path: '/users/:username' },
  { method: 'DELETE', path: '/users/:username' },
  { method: 'PUT', path: '/users/:username/password', model: 'setPassword' },
  { method: 'PUT', path: '/users/:username/admin', model: 'setAdmin' },
  { method: 'POST', path: '/users/:username/grants', model: 'grant' },
  { method: 'DELETE', path: '/users/:username/grants/:pattern' },
  { method: 'POST', path: '/users/:username/tokens', model: 'createToken' },
  { method: 'GET', path: '/users/:username/tokens' },
  { method: 'DELETE', path: '/tokens/:id' },
  { method: 'POST', path: '/users/:username/tsig-keys' },
  { method: 'GET', path: '/users/:username/tsig-keys' },
  { method: 'DELETE', path: '/users/:username/tsig-keys/:name' },
  { method: 'GET', path: '/hosts' },
  { method: 'GET', path: '/hosts/:name' },
  { method: 'GET', path: '/hosts/:name/history' },
  { method: 'GET', path: '/activity' },
  { method: 'POST', path: '/hosts/:name/unblock' },
  { method: 'PUT', path: '/hosts/:name/addresses', model: 'setAddresses' },
  { method: 'GET', path: '/users/:username/challenges' },
] as const satisfies readonly Omit<HttpRoute, 'access'>[];

type KeyOf<R> = R extends { readonly method: infer M extends string; readonly path: infer P extends string } ? `${M} ${P}` : never;
/** "METHOD /path" of an admin route. */
export type AdminRouteKey = KeyOf<(typeof ADMIN_ROUTES)[number]>;

/** The acme-dns compatible API (joohoi/acme-dns), plus Signpost's CNAME endpoint; clients take `<server>/acme-dns` as their URL. */
export const ACME_DNS_PATHS = {
  base: '/acme-dns',
  register: '/acme-dns/register',
  update: '/acme-dns/update',
  cname: '/acme-dns/cname',
} as const;
/** lego's httpreq provider: HTTPREQ_ENDPOINT=`<server>/httpreq`. */
export const HTTPREQ_PATHS = { base: '/httpreq', present: '/httpreq/present', cleanup: '/httpreq/cleanup' } as const;

export const HEALTH_PATH = '/healthz';
export const METRICS_PATH = '/metrics';
export const INSTANCE_EVENTS_PATH = '/events/ec2';

export const HTTP_ROUTES: readonly HttpRoute[] = [
  ...[...UPDATE_PATHS, ...CHECKIP_PATHS].flatMap((path) => DYNDNS2_METHODS.map((method) => ({ method, path, access: 'public' as const }))),
  { method: 'GET', path: HEALTH_PATH, access: 'public' },
  { method: 'GET', path: METRICS_PATH, access: 'public' },
  { method: 'POST', path: INSTANCE_EVENTS_PATH, access: 'events' },
  ...ADMIN_ROUTES.map((route) => ({ ...route, access: 'admin' as const })),
  // Certificates (ACME DNS-01): no key, each door authenticates in the app (HTTP Basic, acme-dns's X-Api-User/X-Api-Key).
  { method: 'POST', path: ACME_DNS_PATHS.register, access: 'public' },
  { method: 'POST', path: ACME_DNS_PATHS.update, access: 'public' },
  { method: 'POST', path: ACME_DNS_PATHS.cname, access: 'public' },
  { method: 'DELETE', path: ACME_DNS_PATHS.cname, access: 'public' },
  { method: 'POST', path: HTTPREQ_PATHS.present, access: 'public' },
  { method: 'POST', path: HTTPREQ_PATHS.cleanup, access: 'public' },
  // The web pages: no key, the app checks its own sessions and form tokens.
  ...WEB_ROUTES.map(([method, path]) => ({ method, path: path.replace(/\{(\w+)\}/g, ':$1'), access: 'public' as const })),
];

export const routeKey = (route: Pick<HttpRoute, 'method' | 'path'>): string => `${route.method} ${route.path}`;
