/**
 * Environment variables of the Node HTTP server's sockets: how many
 * connections it keeps, and how long a connection may sit idle or take to
 * send a request. (Lambda has no sockets of its own; API Gateway owns them.)
 */
import type * as z from 'zod';
import { decimalNumber, wholeNumber } from '../../config/env-values.js';
import { defaultPerClientLimit } from './connection-table.js';

const seconds = (fallback: number) => decimalNumber(0.05, 3600, 'seconds').default(fallback);

/** Merged into the main env schema (src/config/env.ts). */
export const httpServerEnvShape = {
  SIGNPOST_HTTP_MAX_CONNECTIONS: wholeNumber(1).default(512),
  /** Default: an eighth of SIGNPOST_HTTP_MAX_CONNECTIONS. Addresses in SIGNPOST_TRUSTED_PROXIES are exempt. */
  SIGNPOST_HTTP_MAX_CONNECTIONS_PER_CLIENT: wholeNumber(1).optional(),
  SIGNPOST_HTTP_KEEPALIVE_SECONDS: seconds(5),
  SIGNPOST_HTTP_REQUEST_TIMEOUT_SECONDS: seconds(30),
};

type HttpServerEnv = z.output<z.ZodObject<typeof httpServerEnvShape>>;

export interface HttpServerConfig {
  readonly maxConnections: number;
  readonly maxConnectionsPerClient: number;
  /** An idle keep-alive connection is closed after this long. */
  readonly keepAliveMs: number;
  /** The whole request must arrive within this long ... */
  readonly requestTimeoutMs: number;
  /** ... and its headers within this long (never more than the request timeout; Node insists). */
  readonly headersTimeoutMs: number;
}

/** Headers are a few hundred bytes: a client still sending them after 10 s is holding the socket, not using it. */
const HEADERS_TIMEOUT_MS = 10_000;

export function httpServerConfig(env: HttpServerEnv): HttpServerConfig {
  const requestTimeoutMs = Math.round(env.SIGNPOST_HTTP_REQUEST_TIMEOUT_SECONDS * 1000);
  return {
    maxConnections: env.SIGNPOST_HTTP_MAX_CONNECTIONS,
    maxConnectionsPerClient: env.SIGNPOST_HTTP_MAX_CONNECTIONS_PER_CLIENT ?? defaultPerClientLimit(env.SIGNPOST_HTTP_MAX_CONNECTIONS),
    keepAliveMs: Math.round(env.SIGNPOST_HTTP_KEEPALIVE_SECONDS * 1000),
    requestTimeoutMs,
    headersTimeoutMs: Math.min(HEADERS_TIMEOUT_MS, requestTimeoutMs),
  };
}
