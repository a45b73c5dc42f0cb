import { describe, expect, it } from 'vitest';
import { MemoryDnsProvider } from '../../src/adapters/dns/memory.js';
import { createLogger } from '../../src/adapters/observability/logger.js';
import { MemoryStore } from '../../src/adapters/store/memory.js';
import { unknownVariableWarnings } from '../../src/config/known-variables.js';
import { loadLambdaSettings } from '../../src/config/lambda-env.js';
import { createHandler } from '../../src/entrypoints/lambda/create-handler.js';

describe('Lambda configuration warnings', () => {
  it('logs a misspelt SIGNPOST_* variable once per cold start, naming the closest known one', async () => {
    const env = { SIGNPOST_TABLE_NAME: 'signpost', SIGNPOST_ZONES: 'dyn.example.test', SIGNPOST_ADMIN_KEY_SHA: 'x'.repeat(64) };
    const lines: { level: number; msg: string }[] = [];
    const logger = createLogger('warn', { write: (line: string) => void lines.push(JSON.parse(line) as { level: number; msg: string }) });
    const handler = createHandler({
      settings: loadLambdaSettings(env),
      store: new MemoryStore(),
      provider: new MemoryDnsProvider(['dyn.example.test']),
      overrides: { logger },
      warnings: unknownVariableWarnings(env),
    });
    await handler.ready();
    expect(lines.map((l) => l.msg)).toContain('SIGNPOST_ADMIN_KEY_SHA is not a Signpost setting and is ignored; did you mean SIGNPOST_ADMIN_KEY_SHA256?');
  });
});
