/**
 * A real Signpost server (SQLite in a temp dir, built-in DNS) on ephemeral
 * ports, for tests that need a socket: browsers, dig.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '../../src/adapters/observability/logger.js';
import { loadConfig } from '../../src/config/env.js';
import { startServer, type RunningServer } from '../../src/entrypoints/node/server.js';

export interface WebServer {
  readonly server: RunningServer;
  readonly url: string;
  readonly dnsPort: number;
  addUser(username: string, password: string, domains: string[]): Promise<void>;
  /** A dyndns2 update as a router would send it. */
  update(username: string, password: string, query: string, userAgent?: string): Promise<string>;
  close(): Promise<void>;
}

export async function startWebServer(env: Record<string, string> = {}): Promise<WebServer> {
  const dir = mkdtempSync(join(tmpdir(), 'signpost-web-'));
  const config = loadConfig({
    SIGNPOST_DATA_DIR: dir,
    SIGNPOST_HOST: '127.0.0.1',
    SIGNPOST_HTTP_PORT: '0',
    SIGNPOST_DNS_PORT: '0',
    SIGNPOST_ZONES: 'dyn.example.test',
    SIGNPOST_ADMIN_KEY: 'web-test-admin-key-0123456789',
    ...env,
  });
  const server = await startServer(config, { logger: createLogger('silent') });
  return {
    server,
    url: server.url,
    dnsPort: server.dnsPort ?? 0,
    addUser: async (username, password, domains) => {
      await server.core.accounts.createUser({ username, password, domains });
    },
    update: async (username, password, query, userAgent = 'ddclient/3.10.0') => {
      const res = await fetch(`${server.url}/nic/update?${query}`, {
        headers: { authorization: `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`, 'user-agent': userAgent },
      });
      return res.text();
    },
    close: async () => {
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
