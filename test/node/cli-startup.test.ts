/**
 * `signpost --help` and `--version` must not pay for what only commands use:
 * the modules cli.ts imports statically (and theirs, transitively) may load
 * commander and Node built-ins, nothing else from node_modules (no zod,
 * pino, SQLite, Hono or AWS SDK; those are imported inside the commands).
 */
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ALLOWED_PACKAGES = new Set(['commander']);

/** Static, value-level imports of a TypeScript module (`import type` is erased, `import()` is lazy). */
function staticImports(file: string): string[] {
  const source = readFileSync(file, 'utf8');
  return [...source.matchAll(/^(?:import|export)\s+(?!type\s)(?:[^'";]*?\sfrom\s+)?['"]([^'"]+)['"]/gm)].map((m) => m[1]!);
}

function packagesLoadedBy(entry: string): { packages: Set<string>; files: string[] } {
  const packages = new Set<string>();
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const specifier of staticImports(file)) {
      if (specifier.startsWith('node:')) continue;
      if (specifier.startsWith('.')) visit(resolve(dirname(file), specifier.replace(/\.js$/, '.ts')));
      else packages.add(specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : specifier.split('/')[0]!);
    }
  };
  visit(entry);
  return { packages, files: [...seen] };
}

describe('CLI start-up', () => {
  it('cli.ts loads only commander and Node built-ins before a command runs', () => {
    const { packages, files } = packagesLoadedBy(join(process.cwd(), 'src/entrypoints/node/cli.ts'));
    expect([...packages].filter((p) => !ALLOWED_PACKAGES.has(p))).toEqual([]);
    expect(files.length).toBeLessThan(10);
  });

  it('the core every command and the server build loads no AWS SDK client (instance registration imports EC2 when on)', () => {
    const { packages } = packagesLoadedBy(join(process.cwd(), 'src/config/services.ts'));
    expect([...packages].filter((p) => p.startsWith('@aws-sdk/'))).toEqual([]);
  });

  it('the import scanner sees what the server module loads', () => {
    const { packages } = packagesLoadedBy(join(process.cwd(), 'src/entrypoints/node/server.ts'));
    expect(packages).toContain('@hono/node-server');
    expect(packages).toContain('zod');
  });
});
