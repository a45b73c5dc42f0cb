/** Shared plumbing for the interop tests: a real server on an ephemeral port, and real client processes. */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, type Config } from '../../src/config/env.js';
import type { CoreOverrides } from '../../src/config/services.js';
import { startServer, type RunningServer } from '../../src/entrypoints/node/server.js';

export const ADMIN_KEY = 'interop-admin-key-0123456789';
export const ZONE = 'dyn.example.test';

export interface TestServer extends RunningServer {
  readonly dataDir: string;
  /** Admin API GET, parsed JSON (throws on a non-2xx answer). */
  admin<T = unknown>(path: string): Promise<T>;
  stop(): Promise<void>;
}

export interface HostView {
  hostname: string;
  owner: string;
  ipv4: string | null;
  ipv6: string | null;
  blocked: { at: string; reason: string } | null;
}

/** Starts the real Node server (SQLite in a temp dir, 127.0.0.1, port 0, silent logs). */
export async function startTestServer(
  env: Record<string, string> = {},
  overrides: CoreOverrides | ((config: Config) => CoreOverrides) = {},
): Promise<TestServer> {
  const dataDir = await mkdtemp(join(tmpdir(), 'signpost-interop-'));
  const config = loadConfig({
    SIGNPOST_DATA_DIR: dataDir,
    SIGNPOST_HOST: '127.0.0.1',
    SIGNPOST_HTTP_PORT: '0',
    SIGNPOST_DNS_PORT: '0',
    SIGNPOST_ADMIN_KEY: ADMIN_KEY,
    SIGNPOST_LOG_LEVEL: 'silent',
    SIGNPOST_SHUTDOWN_GRACE_SECONDS: '1',
    ...env,
  });
  const server = await startServer(config, typeof overrides === 'function' ? overrides(config) : overrides);
  return {
    ...server,
    dataDir,
    async admin<T>(path: string): Promise<T> {
      const res = await fetch(`${server.url}${path}`, { headers: { 'x-api-key': ADMIN_KEY } });
      if (!res.ok) throw new Error(`GET ${path}: ${res.status} ${await res.text()}`);
      return (await res.json()) as T;
    },
    async stop() {
      await server.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** The host as the admin API shows it, or undefined if it does not exist. */
export async function hostOf(server: TestServer, name: string): Promise<HostView | undefined> {
  const res = await fetch(`${server.url}/hosts/${name}`, { headers: { 'x-api-key': ADMIN_KEY } });
  if (res.status === 404) return undefined;
  if (!res.ok) throw new Error(`GET /hosts/${name}: ${res.status}`);
  return (await res.json()) as HostView;
}

export interface RunResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  readonly output: string;
}

/** Runs a program to completion (never through a shell); a non-zero exit is returned, not thrown. */
export function run(file: string, args: readonly string[], options: { timeoutMs?: number; env?: NodeJS.ProcessEnv } = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    execFile(
      file,
      args,
      { timeout: options.timeoutMs ?? 15_000, env: options.env ?? { PATH: process.env.PATH ?? '/usr/bin:/bin', LANG: 'C' }, maxBuffer: 4 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error && typeof error.code !== 'number') return reject(error);
        resolve({ code: error ? Number(error.code) : 0, stdout, stderr, output: `${stdout}${stderr}` });
      },
    );
  });
}

export async function makeTempDir(prefix: string): Promise<string> {
  return mkdtemp(join(tmpdir(), `signpost-${prefix}-`));
}
