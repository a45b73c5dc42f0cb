/** An HTTPS listener that cannot start stops the start with a sentence naming the variable, and releases what it opened. */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/env.js';
import { createLogger } from '../../src/adapters/observability/logger.js';
import { explainListenError } from '../../src/entrypoints/node/listen-errors.js';
import { startServer } from '../../src/entrypoints/node/server.js';

const dir = mkdtempSync(join(tmpdir(), 'signpost-https-start-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const config = (extra: Record<string, string>) =>
  loadConfig({ SIGNPOST_DATA_DIR: dir, SIGNPOST_HOST: '127.0.0.1', SIGNPOST_HTTP_PORT: '0', SIGNPOST_DNS_PORT: '0', SIGNPOST_LOG_LEVEL: 'silent', ...extra });

describe('an HTTPS listener that cannot start', () => {
  it('names SIGNPOST_TLS_CERT and SIGNPOST_TLS_KEY when the files do not load', async () => {
    const start = startServer(config({ SIGNPOST_HTTPS_PORT: '0', SIGNPOST_TLS_CERT: join(dir, 'missing.pem'), SIGNPOST_TLS_KEY: join(dir, 'missing.key') }), { logger: createLogger('silent') });
    await expect(start).rejects.toThrow(ConfigError);
    await expect(start).rejects.toThrow(/SIGNPOST_TLS_CERT \(.*missing\.pem\) and SIGNPOST_TLS_KEY .* must be a readable PEM certificate/);
  });

  it('names SIGNPOST_HTTPS_PORT when its port is taken', async () => {
    const busy: Server = createServer();
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
    const port = (busy.address() as { port: number }).port;
    try {
      const c = config({ SIGNPOST_HTTPS_PORT: String(port), SIGNPOST_PUBLIC_NAME: 'ddns.dyn.example.test' });
      const error = await startServer(c, { logger: createLogger('silent') }).then(() => undefined, (e: unknown) => e);
      expect(explainListenError(error, c)?.message).toBe(`cannot listen on 127.0.0.1:${port}: another process already uses it; choose another port with SIGNPOST_HTTPS_PORT`);
    } finally {
      busy.close();
    }
  });
});
