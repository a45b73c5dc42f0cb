import { RequestError, getRequestListener } from '@hono/node-server';
import type { Server } from 'node:http';
import { getConnInfo } from '@hono/node-server/conninfo';
import type { AddressInfo } from 'node:net';
import { loadAdminKey, type AdminKey } from '../../app/admin-key.js';
import { createBoundedHttpServer } from '../../adapters/net/http-server.js';
import { plain } from '../../adapters/http/plain.js';
import { CidrSet } from '../../domain/ip.js';
import type { Config } from '../../config/env.js';
import { composeHttpApp } from '../../config/http-app.js';
import { createCore, type Core, type CoreOverrides } from '../../config/services.js';
import { listenHttps, type HttpsListener } from './https-listener.js';

export interface RunningServer {
  readonly core: Core;
  readonly adminKey: AdminKey;
  readonly url: string;
  readonly port: number;
  /** The bound DNS port (UDP and TCP) of the built-in server; undefined when a provider override replaced it. */
  readonly dnsPort?: number;
  /** The HTTPS listener (SIGNPOST_HTTPS_PORT): its URL, bound port, and a forced renewal of an automatic certificate. */
  readonly https?: { readonly url: string; readonly port: number; renew?(): Promise<void> };
  /** Stops accepting, lets in-flight requests finish (up to the grace period), then closes the store. */
  close(): Promise<void>;
}

export async function startServer(config: Config, overrides: CoreOverrides = {}): Promise<RunningServer> {
  const core = await createCore(config, overrides);
  const adminKey = await loadAdminKey(core.store, config.adminKey);
  const trustedProxies = new CidrSet(config.trustedProxies);
  const app = composeHttpApp(core, { adminKey, peerAddress: (c) => getConnInfo(c).remote.address });
  const listener = getRequestListener(app.fetch, {
    // A request Node parsed but no URL can be built from (e.g. `Host: exa mple`) never reaches the app.
    errorHandler: (error) => (error instanceof RequestError ? plain('bad request', 400) : plain('internal error', 500)),
  });
  const server: Server = createBoundedHttpServer(listener, config.http, (address) => trustedProxies.contains(address));
  // A port that cannot be bound ends the start: release the store (and DNS state) before saying so.
  const release = async (error: unknown): Promise<never> => {
    await core.close().catch(() => undefined);
    throw error;
  };
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.httpPort, config.host, () => resolve());
  }).catch(release);
  const port = (server.address() as AddressInfo).port;
  const dns = await core.dns?.listen(config.dns.host ?? config.host, config.dnsPort).catch(async (error: unknown) => {
    server.close();
    return release(error);
  });
  if (dns) core.logger.info({ host: dns.host, port: dns.port, zones: config.zones }, 'dns listening (udp, tcp)');
  // After the DNS server: an automatic certificate's DNS-01 challenge is answered there.
  const https: HttpsListener | undefined = config.https
    ? await listenHttps(config.https, core, listener, (address) => trustedProxies.contains(address), config.host).catch(async (error: unknown) => {
        server.close();
        await dns?.close();
        return release(error);
      })
    : undefined;
  const stopStartReconcile = config.publisher.kind === 'rfc2136' && !overrides.provider ? reconcileOnStart(core) : async () => undefined;
  const stopSync = syncExternalChanges(core);
  const stopTtl = moveToConfiguredTtl(core);
  const stopSweep = sweepChallenges(core);
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  const reachable = host === '0.0.0.0' || host === '[::]' ? '127.0.0.1' : host;
  let closing: Promise<void> | undefined;
  return {
    core,
    adminKey,
    port,
    ...(dns ? { dnsPort: dns.port } : {}),
    url: `http://${reachable}:${port}`,
    ...(https ? { https: { url: `https://${reachable}:${https.port}`, port: https.port, ...(https.renew ? { renew: https.renew } : {}) } } : {}),
    close: () =>
      (closing ??= (async () => {
        await stopStartReconcile();
        await stopSync();
        await stopTtl();
        await stopSweep();
        await https?.stop();
        await Promise.all([server, ...(https ? [https.server] : [])].map((s) => closeGracefully(s, config.shutdownGraceMs)));
        await dns?.close();
        await core.close();
      })()),
  };
}

/** Stops accepting, lets in-flight requests finish (up to `graceMs`), then drops what is left. */
function closeGracefully(server: Server, graceMs: number): Promise<void> {
  return new Promise<void>((resolve) => {
    // Keep-alive connections turn idle as their last response is sent; close them as they do.
    const sweep = setInterval(() => server.closeIdleConnections(), 25);
    const timer = setTimeout(() => {
      server.closeAllConnections();
      clearInterval(sweep);
      resolve();
    }, graceMs);
    timer.unref();
    server.close(() => {
      clearTimeout(timer);
      clearInterval(sweep);
      resolve();
    });
  });
}

/**
 * Hosts written under an earlier SIGNPOST_TTL take the configured one, in
 * the background: each costs a durable store write (thousands of hosts can
 * take seconds), and serving the old TTL a little longer beats not serving. Stopping leaves the rest
 * for the next start.
 */
function moveToConfiguredTtl(core: Core): () => Promise<void> {
  const stop = new AbortController();
  const ttl = core.config.ttl;
  const done = core.reconciler
    .applyTtl(ttl, stop.signal)
    .then((hosts) => hosts > 0 && core.logger.info({ hosts, ttl }, 'moved hosts to the configured TTL'))
    .catch((error: unknown) => core.logger.error({ err: error }, 'could not move hosts to the configured TTL'));
  return async () => {
    stop.abort();
    await done;
  };
}

/**
 * An external primary may have lost records while Signpost was down (restored
 * from backup, rebuilt empty) or kept ones Signpost no longer wants: put it in
 * line with the store at start, in the background. If the server is down, the
 * outage decorator (src/app/resync-after-outage.ts) keeps retrying.
 */
function reconcileOnStart(core: Core): () => Promise<void> {
  const done = core.reconciler
    .reconcile()
    .then((changed) => changed > 0 && core.logger.info({ changed }, 'reconciled the DNS server with the store at start'))
    .catch((error: unknown) => core.logger.warn({ err: error }, 'could not reconcile the DNS server at start; will retry'));
  return async () => {
    await done;
  };
}

const CHALLENGE_SWEEP_INTERVAL_MS = 60_000;

/**
 * ACME clients that crash never remove their challenge values: every minute
 * (and once at start, for what expired while the server was down) expired
 * values are dropped and unpublished.
 */
function sweepChallenges(core: Core): () => Promise<void> {
  let running: Promise<unknown> = Promise.resolve();
  const tick = async () => {
    const changed = await core.challenges.sweep();
    if (changed > 0) core.logger.info({ changed }, 'removed expired challenge values');
  };
  const schedule = () => {
    running = running.then(tick).catch((error: unknown) => core.logger.error({ err: error }, 'challenge expiry failed'));
  };
  const timer = setInterval(schedule, CHALLENGE_SWEEP_INTERVAL_MS);
  timer.unref();
  schedule();
  return async () => {
    clearInterval(timer);
    await running;
  };
}

const SYNC_INTERVAL_MS = 1000;

/**
 * When another process (the CLI) changes the store, re-sync DNS with it, so
 * a host removed from the command line stops resolving within a second.
 */
function syncExternalChanges(core: Core): () => Promise<void> {
  const counter = core.store.externalChangeCounter?.bind(core.store);
  if (!counter) return async () => undefined;
  let last: number | undefined;
  let running: Promise<unknown> = Promise.resolve();
  const tick = async () => {
    const now = await counter();
    if (last !== undefined && now !== last) {
      const changed = await core.reconciler.reconcile();
      if (changed > 0) core.logger.info({ changed }, 'synced DNS with changes made by another process');
    }
    last = now;
  };
  const timer = setInterval(() => {
    running = running.then(tick).catch((error: unknown) => core.logger.error({ err: error }, 'store sync failed'));
  }, SYNC_INTERVAL_MS);
  timer.unref();
  running = tick().catch((error: unknown) => core.logger.error({ err: error }, 'store sync failed'));
  return async () => {
    clearInterval(timer);
    await running;
  };
}
