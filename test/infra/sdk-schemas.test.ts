/**
 * The bundler's AWS SDK schema transform (infra/lib/bundling.ts,
 * `awsSdkSchemaKeys`) changes no schema: each client's generated schema
 * module, bundled with and without it, exports deep-equal values.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { afterAll, describe, expect, it } from 'vitest';
import { AWS_SDK_SCHEMAS, awsSdkSchemaKeys, inlineSchemaKeys, REPO_ROOT } from '../../infra/lib/bundling.js';

const require = createRequire(join(REPO_ROOT, 'package.json'));
const CLIENTS = ['@aws-sdk/client-ec2', '@aws-sdk/client-route-53', '@aws-sdk/client-dynamodb', '@aws-sdk/client-sns'];
const dir = mkdtempSync(join(tmpdir(), 'signpost-sdk-schemas-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function load(file: string, name: string, transformed: boolean): Promise<Record<string, unknown>> {
  const out = join(dir, `${name.replace(/\W/g, '_')}-${transformed ? 'inlined' : 'original'}.mjs`);
  await build({
    stdin: { contents: `export * from ${JSON.stringify(file)};`, resolveDir: REPO_ROOT },
    bundle: true,
    platform: 'node',
    format: 'esm',
    outfile: out,
    logLevel: 'error',
    plugins: transformed ? [awsSdkSchemaKeys] : [],
  });
  return (await import(pathToFileURL(out).href)) as Record<string, unknown>;
}

/** Structural equality; schema thunks (`() => X$`) are followed, cycles cut. */
function same(a: unknown, b: unknown, path: string, seen = new Set<unknown>()): void {
  if (typeof a === 'function' && typeof b === 'function') {
    if (a.length === 0 && !/^class\b/.test(Function.prototype.toString.call(a))) {
      if (seen.has(a)) return;
      seen.add(a);
      same((a as () => unknown)(), (b as () => unknown)(), `${path}()`, seen);
    } else expect(b.name, path).toBe(a.name);
    return;
  }
  if (Array.isArray(a) || (a !== null && typeof a === 'object' && Object.getPrototypeOf(a) === Object.prototype)) {
    if (seen.has(a)) return;
    seen.add(a);
    expect(Object.keys(b as object), path).toEqual(Object.keys(a as object));
    expect(Object.getPrototypeOf(b), path).toBe(Object.getPrototypeOf(a));
    for (const k of Object.keys(a as object)) same((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], `${path}.${k}`, seen);
    return;
  }
  if (a !== null && typeof a === 'object') {
    expect((b as object).constructor.name, path).toBe((a as object).constructor.name); // TypeRegistry instances
    return;
  }
  expect(b, path).toBe(a);
}

describe('AWS SDK schema key inlining', () => {
  it('inlines only module-level string constants used as computed keys', () => {
    const source = ['const _a = "alpha";', 'const _p = "__proto__";', 'let _b = "beta";', 'export var X$ = [{ [_a]: 1, [_b]: 2, [_p]: 3, [_c]: 4 }];'].join('\n');
    const { code, inlined } = inlineSchemaKeys(source);
    expect(inlined).toBe(1);
    expect(code).toContain('{ "alpha": 1, [_b]: 2, [_p]: 3, [_c]: 4 }');
  });

  for (const client of CLIENTS) {
    it(`keeps every schema of ${client} identical`, async () => {
      const file = join(dirname(require.resolve(`${client}/package.json`)), 'dist-es', 'schemas', 'schemas_0.js');
      expect(file).toMatch(AWS_SDK_SCHEMAS);
      const [original, inlined] = await Promise.all([load(file, client, false), load(file, client, true)]);
      expect(Object.keys(inlined).sort()).toEqual(Object.keys(original).sort());
      expect(Object.keys(original).length).toBeGreaterThan(10);
      for (const name of Object.keys(original)) same(original[name], inlined[name], name);
    }, 60_000);
  }
});
