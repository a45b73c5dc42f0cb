/**
 * An in-process Signpost HTTP app on the memory store and the strict memory
 * publisher, driven through `app.request()` with no socket. The socket peer
 * address comes from the request's env (`{ peer }`), as a Node socket would.
 */
import type { Hono } from 'hono';
import { loadAdminKey } from '../../src/app/admin-key.js';
import { MemoryDnsProvider } from '../../src/adapters/dns/memory.js';
import { createLogger } from '../../src/adapters/observability/logger.js';
import { Metrics } from '../../src/adapters/observability/metrics.js';
import { MemoryStore } from '../../src/adapters/store/memory.js';
import { loadConfig } from '../../src/config/env.js';
import { composeHttpApp } from '../../src/config/http-app.js';
import { createCore, type Core } from '../../src/config/services.js';
import type { PasswordHasher } from '../../src/ports/password-hasher.js';
import type { Store } from '../../src/ports/store.js';

export const ADMIN_KEY = 'test-admin-key-0123456789';
export const DEFAULT_PEER = '203.0.113.9';
export const UA = 'ddclient/3.10.0';

export interface TestApp {
  readonly app: Hono;
  readonly core: Core;
  readonly store: Store;
  readonly provider: MemoryDnsProvider;
  readonly logs: string[];
  /** GET an update path with the given query, Basic credentials (or none) and headers. */
  update(query: string, options?: UpdateOptions): Promise<{ status: number; body: string; headers: Headers }>;
  admin(method: string, path: string, body?: unknown, key?: string | null): Promise<{ status: number; json: any }>;
  addUser(username: string, password: string, domains: string[]): Promise<void>;
}

export interface UpdateOptions {
  readonly auth?: [string, string] | null;
  readonly headers?: Record<string, string>;
  readonly peer?: string;
  readonly method?: string;
  readonly path?: string;
  readonly body?: string;
}

export const basic = (user: string, pass: string) => `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;

export interface TestAppOptions {
  /** Another store than the memory store (e.g. SQLite in a temp dir). */
  readonly store?: Store;
  /** A fast hasher for tests that create many accounts. */
  readonly hasher?: PasswordHasher;
  /** The clock the use cases read (session expiry, history times). */
  readonly now?: () => number;
}

export async function createTestApp(env: Record<string, string> = {}, options: TestAppOptions = {}): Promise<TestApp> {
  const config = loadConfig({ SIGNPOST_ZONES: 'dyn.example.test,example.org', ...env });
  const logs: string[] = [];
  const logger = createLogger('info', { write: (line: string) => void logs.push(line) });
  const store = options.store ?? new MemoryStore();
  const provider = new MemoryDnsProvider(config.zones);
  const core = await createCore(config, {
    store,
    provider,
    logger,
    metrics: new Metrics({ processMetrics: false }),
    ...(options.hasher ? { hasher: options.hasher } : {}),
    ...(options.now ? { now: options.now } : {}),
  });
  const adminKey = await loadAdminKey(store, ADMIN_KEY);
  const app = composeHttpApp(core, { adminKey, peerAddress: (c) => (c.env as { peer?: string } | undefined)?.peer ?? DEFAULT_PEER });

  const update: TestApp['update'] = async (query, options = {}) => {
    const headers: Record<string, string> = { 'user-agent': UA, ...options.headers };
    const auth: [string, string] | null = options.auth === undefined ? ['alice', 'alice-password'] : options.auth;
    if (auth) headers.authorization = basic(auth[0], auth[1]);
    const init: RequestInit = { method: options.method ?? 'GET', headers };
    if (options.body !== undefined) init.body = options.body;
    const res = await app.request(`${options.path ?? '/nic/update'}${query ? `?${query}` : ''}`, init, { peer: options.peer ?? DEFAULT_PEER });
    return { status: res.status, body: await res.text(), headers: res.headers };
  };

  const admin: TestApp['admin'] = async (method, path, body, key = ADMIN_KEY) => {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (key !== null) headers['x-api-key'] = key;
    const init: RequestInit = { method, headers };
    if (body !== undefined) init.body = typeof body === 'string' ? body : JSON.stringify(body);
    const res = await app.request(path, init);
    const text = await res.text();
    return { status: res.status, json: text ? JSON.parse(text) : null };
  };

  const addUser: TestApp['addUser'] = async (username, password, domains) => {
    await core.accounts.createUser({ username, password, domains });
  };

  return { app, core, store, provider, logs, update, admin, addUser };
}
