/**
 * How the Lambda functions are bundled: one build (`buildLambda`, esbuild's
 * JS API with plugins) shared by the CDK stack (local bundling of
 * `Code.fromAsset`, see lambda-function.ts), the bundle benchmark and the
 * bundle test, so the benchmark measures what is deployed.
 *
 * Argon2 (`@node-rs/argon2`) is a native module: esbuild cannot inline it, so
 * it stays external and is copied next to the bundle, together with the
 * prebuilt binary package for the function's architecture.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BuildOptions, Metafile, Plugin } from 'esbuild';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

export type LambdaArch = 'x86_64' | 'arm64';

/** The architecture the functions run on; its Argon2 binary must be installed (`npm ci` on linux-x64 does that). */
export const LAMBDA_ARCH: LambdaArch = 'x86_64';

export interface LambdaEntry {
  /** Logical name, also the benchmark's row label. */
  readonly name: string;
  /** Path from the repository root. */
  readonly entry: string;
  readonly handler: string;
}

/** Every Lambda function the stack deploys. */
export const LAMBDA_ENTRIES: readonly LambdaEntry[] = [
  { name: 'http', entry: 'src/entrypoints/lambda/http.ts', handler: 'handler' },
  // instance registration (infra/lib/instance-registration.ts), deployed with -c instanceEvents=true
  { name: 'ec2-event', entry: 'src/entrypoints/lambda/ec2-event.ts', handler: 'handler' },
  // ACME challenge values past their lifetime, on a schedule (infra/lib/challenge-expiry.ts)
  { name: 'challenge-sweep', entry: 'src/entrypoints/lambda/challenge-sweep.ts', handler: 'handler' },
];

/** The entry named `name` (throws on a typo). */
export function lambdaEntry(name: string): LambdaEntry {
  const entry = LAMBDA_ENTRIES.find((e) => e.name === name);
  if (!entry) throw new Error(`no Lambda entry named ${name}`);
  return entry;
}

/** `require` for the CommonJS dependencies of an ESM bundle. */
export const ESM_REQUIRE_BANNER = "import { createRequire as __signpostCreateRequire } from 'node:module'; const require = __signpostCreateRequire(import.meta.url);";

/** Packages left out of the bundle: native code, copied into the asset by `copyNativeModules`. */
export const NATIVE_MODULES = ['@node-rs/argon2'] as const;

/**
 * The self-hosted SQLite store (`node:sqlite`, built into Node) is reachable
 * from the shared factory (src/config/services.ts) by a static import, so its
 * JavaScript is bundled; no database is ever opened on Lambda.
 */
export const EXTERNAL_MODULES = [...NATIVE_MODULES];

/**
 * zod's `locales` namespace (error messages in ~50 languages, ~255 KiB)
 * reduced to English, the only locale Signpost uses (zod registers `en` by
 * default). esbuild cannot tree-shake the namespace: zod re-exports it with
 * `export * as locales`, and namespace objects that escape keep every member.
 * Only the namespace import is redirected; zod's own `en` import is untouched.
 */
export const zodEnglishOnly: Plugin = {
  name: 'zod-english-only',
  setup(b) {
    b.onResolve({ filter: /^\.\.\/locales\/index\.js$/ }, (args) =>
      /[\\/]zod[\\/]v4[\\/]/.test(args.importer) ? { path: join(args.resolveDir, '..', 'locales', 'en.js'), namespace: 'zod-en' } : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: 'zod-en' }, (args) => ({ contents: `export { default as en } from ${JSON.stringify(args.path)};`, resolveDir: REPO_ROOT }));
  },
};

/** A generated AWS SDK v3 schema module (one per client). */
export const AWS_SDK_SCHEMAS = /[\\/]@aws-sdk[\\/]client-[^\\/]+[\\/]dist-es[\\/]schemas[\\/]schemas_\d+\.js$/;

/**
 * Makes the AWS SDK's generated schemas tree-shakeable: they spell member
 * traits as object literals with computed keys (`{ [_xN]: _m4 }`, where
 * `const _xN = "xmlName"` is declared at the top of the same module), and
 * esbuild keeps every object literal with a computed key (evaluating the key
 * could have side effects), so each client ships the schema of its whole API
 * whatever commands are used: 540 KiB for EC2. The keys are replaced by the
 * string constants they name, as a minifier's constant inlining would; only
 * module-level `const _x = "…"` string constants are inlined, nothing else
 * changes (test/infra/sdk-schemas.test.ts compares the exports with and
 * without). Unused schemas then drop out: EC2's shrink to ~32 KiB.
 */
export function inlineSchemaKeys(source: string): { code: string; inlined: number } {
  const constants = new Map<string, string>();
  for (const m of source.matchAll(/^const (_[A-Za-z0-9_]+) = ("(?:[^"\\\n]|\\.)*");$/gm)) constants.set(m[1]!, m[2]!);
  let inlined = 0;
  const code = source.replace(/\[(_[A-Za-z0-9_]+)\]:/g, (all, id: string) => {
    const value = constants.get(id);
    if (value === undefined || value === '"__proto__"') return all; // a literal __proto__ key would set the prototype
    inlined++;
    return `${value}:`;
  });
  return { code, inlined };
}

export const awsSdkSchemaKeys: Plugin = {
  name: 'aws-sdk-schema-keys',
  setup(b) {
    b.onLoad({ filter: AWS_SDK_SCHEMAS }, (args) => ({ contents: inlineSchemaKeys(readFileSync(args.path, 'utf8')).code, loader: 'js' }));
  },
};

/** The plugins of every Lambda build. */
export const LAMBDA_PLUGINS: readonly Plugin[] = [zodEnglishOnly, awsSdkSchemaKeys];

/**
 * esbuild options for every function: ESM, minified, tree-shaken, module
 * entry points first, code splitting (modules behind a dynamic `import()`,
 * e.g. the Route 53 client, land in chunks loaded on first use, not at cold
 * start), zod in English only, AWS SDK schemas tree-shakeable (plugins).
 */
export const ESBUILD_OPTIONS = {
  bundle: true,
  platform: 'node',
  target: 'node24',
  format: 'esm',
  minify: true,
  treeShaking: true,
  sourcemap: false,
  splitting: true,
  outExtension: { '.js': '.mjs' },
  entryNames: '[name]',
  chunkNames: 'chunks/[name]-[hash]',
  mainFields: ['module', 'main'],
  banner: { js: ESM_REQUIRE_BANNER },
  external: EXTERNAL_MODULES,
  legalComments: 'none',
  logLevel: 'warning',
} as const satisfies BuildOptions;

export interface BuiltLambda {
  /** The handler module (`index.mjs`). */
  readonly entryFile: string;
  /** Every JavaScript file written (entry + chunks), with sizes. */
  readonly files: readonly { readonly path: string; readonly bytes: number }[];
  readonly totalBytes: number;
  readonly metafile: Metafile;
}

/**
 * Bundles one function into `outDir` (`index.mjs` + `chunks/`), then copies
 * Argon2 next to it if the function uses it. The one build the stack, the benchmark and the bundle
 * test use.
 */
export async function buildLambda(fn: LambdaEntry, outDir: string, arch: LambdaArch = LAMBDA_ARCH): Promise<BuiltLambda> {
  const { build } = await import('esbuild');
  mkdirSync(outDir, { recursive: true });
  const result = await build({
    ...ESBUILD_OPTIONS,
    mainFields: [...ESBUILD_OPTIONS.mainFields],
    external: [...ESBUILD_OPTIONS.external],
    absWorkingDir: REPO_ROOT,
    entryPoints: { index: join(REPO_ROOT, fn.entry) },
    outdir: outDir,
    metafile: true,
    plugins: [...LAMBDA_PLUGINS],
  });
  const files = Object.keys(result.metafile.outputs)
    .map((p) => resolve(REPO_ROOT, p))
    .map((path) => ({ path, bytes: statSync(path).size }));
  // Argon2 only for the functions that load it (src/adapters/crypto/argon2.ts requires it by name at run time)
  const code = files.map((f) => readFileSync(f.path, 'utf8'));
  if (code.some((c) => NATIVE_MODULES.some((m) => c.includes(JSON.stringify(m))))) copyNativeModules(outDir, arch);
  return { entryFile: join(outDir, 'index.mjs'), files, totalBytes: files.reduce((n, f) => n + f.bytes, 0), metafile: result.metafile };
}

/**
 * `buildLambda` for CDK's synchronous local bundling hook: esbuild's
 * synchronous API takes no plugins, so the build runs in a child `node`
 * process (TypeScript through tsx, as the CDK app itself runs).
 */
export function buildLambdaSync(fn: LambdaEntry, outDir: string, arch: LambdaArch = LAMBDA_ARCH): void {
  execFileSync(process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'infra', 'bin', 'bundle-lambda.ts'), fn.name, outDir, arch], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'ignore', 'inherit'],
    timeout: 120_000,
  });
  if (!existsSync(join(outDir, 'index.mjs'))) throw new Error(`bundling ${fn.name} into ${outDir} produced no index.mjs`);
}

const BINARY_PACKAGE: Record<LambdaArch, string> = {
  x86_64: '@node-rs/argon2-linux-x64-gnu',
  arm64: '@node-rs/argon2-linux-arm64-gnu',
};

/** The package directories to ship in the asset's `node_modules` (the loader and the prebuilt binary). */
export function nativePackageDirs(arch: LambdaArch = LAMBDA_ARCH): { name: string; dir: string }[] {
  const require = createRequire(join(REPO_ROOT, 'package.json'));
  const loader = dirname(require.resolve('@node-rs/argon2/package.json'));
  const binaryName = BINARY_PACKAGE[arch];
  // the binary is an optional dependency of the loader: resolve it from there
  const fromLoader = createRequire(join(loader, 'package.json'));
  let binary: string;
  try {
    binary = dirname(fromLoader.resolve(`${binaryName}/package.json`));
  } catch {
    throw new Error(
      `${binaryName} is not installed, so the ${arch} Lambda would have no Argon2. ` +
        `Install it with: npm install --no-save --os=linux --cpu=${arch === 'x86_64' ? 'x64' : 'arm64'} --libc=glibc ${binaryName}@${versionOf(loader)}`,
    );
  }
  return [
    { name: '@node-rs/argon2', dir: loader },
    { name: binaryName, dir: binary },
  ];
}

function versionOf(packageDir: string): string {
  return (JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')) as { version: string }).version;
}

/** Copies the native packages into `<outDir>/node_modules`. */
export function copyNativeModules(outDir: string, arch: LambdaArch = LAMBDA_ARCH): void {
  for (const { name, dir } of nativePackageDirs(arch)) {
    const target = join(outDir, 'node_modules', name);
    mkdirSync(dirname(target), { recursive: true });
    cpSync(dir, target, { recursive: true, dereference: true });
    if (!existsSync(join(target, 'package.json'))) throw new Error(`copying ${name} into ${outDir} failed`);
  }
}
