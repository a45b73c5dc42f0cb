/**
 * The one composition of the HTTP app from a wired core. The Node server, the
 * Lambda handler and the tests all call it, so what the app sees is the same
 * everywhere; `HttpRuntime` holds only what differs between runtimes.
 */
import type { Context, Hono, MiddlewareHandler } from 'hono';
import type { AdminKey } from '../app/admin-key.js';
import { buildHttpApp, type HttpAppDeps } from '../adapters/http/app.js';
import { CidrSet } from '../domain/ip.js';
import type { Core } from './core.js';

export interface HttpRuntime {
  /** Where the admin key comes from: the store on Node, the Lambda settings (and API Gateway) on Lambda. */
  readonly adminKey: AdminKey;
  /** The socket peer address: the Node socket, the Lambda event's source IP, a test's request env. */
  readonly peerAddress: (c: Context) => string | undefined;
  /** Middleware that reads what the runtime knows of a request into its context (Lambda: the key API Gateway validated). */
  readonly middleware?: readonly MiddlewareHandler[];
  /** The runtime's choice of Hono router (Lambda: one that is cheap to build on a cold start). */
  readonly router?: HttpAppDeps['router'];
}

export function composeHttpApp(core: Core, runtime: HttpRuntime): Hono {
  return buildHttpApp({
    ...core,
    adminKey: runtime.adminKey,
    trustedProxies: new CidrSet(core.config.trustedProxies),
    acmeDnsRegisterFrom: new CidrSet(core.config.acmeDns.registerFrom),
    blockedUserAgents: core.config.blockedUserAgents,
    peerAddress: runtime.peerAddress,
    ...(runtime.middleware ? { middleware: runtime.middleware } : {}),
    ...(runtime.router ? { router: runtime.router } : {}),
  });
}
