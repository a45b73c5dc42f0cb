/**
 * How the Lambda functions are bundled: one description shared by the CDK
 * stack (`NodejsFunction`), the bundle benchmark and the bundle test, so the
 * benchmark measures what is deployed.
 *
 * Argon2 (`@node-rs/argon2`) is a native module: esbuild cannot inline it, so
 * it stays external and is copied next to the bundle, together with the
 * prebuilt binary package for the function's architecture.
 */
import { cpSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

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
export const LAMBDA_ENTRIES: readonly LambdaEntry[] = [{ name: 'http', entry: 'src/entrypoints/lambda/http.ts', handler: 'handler' }];

/** `require` for the CommonJS dependencies of an ESM bundle. */
export const ESM_REQUIRE_BANNER = "import { createRequire as __signpostCreateRequire } from 'node:module'; const require = __signpostCreateRequire(import.meta.url);";

/** Packages left out of the bundle: native code, copied into the asset by `copyNativeModules`. */
export const NATIVE_MODULES = ['@node-rs/argon2'] as const;

/**
 * The self-hosted SQLite store (better-sqlite3) is reachable from the shared
 * factory (src/config/services.ts) by a static import, so its JavaScript is
 * bundled; its native addon is only loaded when a database is opened, which
 * never happens on Lambda, so the addon is not shipped.
 */
export const EXTERNAL_MODULES = [...NATIVE_MODULES];

/** esbuild options (JS API spelling) matching the stack's `NodejsFunction` bundling. */
export const ESBUILD_OPTIONS = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  minify: true,
  sourcemap: false,
  mainFields: ['module', 'main'],
  banner: { js: ESM_REQUIRE_BANNER },
  external: EXTERNAL_MODULES,
  logLevel: 'warning',
} as const;

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

/** Copies the native packages into `<outDir>/node_modules` (what the stack's afterBundling hook does). */
export function copyNativeModules(outDir: string, arch: LambdaArch = LAMBDA_ARCH): void {
  for (const { name, dir } of nativePackageDirs(arch)) {
    const target = join(outDir, 'node_modules', name);
    mkdirSync(dirname(target), { recursive: true });
    cpSync(dir, target, { recursive: true, dereference: true });
    if (!existsSync(join(target, 'package.json'))) throw new Error(`copying ${name} into ${outDir} failed`);
  }
}

/** Shell commands for `NodejsFunction`'s afterBundling hook: same effect as `copyNativeModules`. */
export function copyNativeModulesCommands(outputDir: string, arch: LambdaArch = LAMBDA_ARCH): string[] {
  return nativePackageDirs(arch).flatMap(({ name, dir }) => {
    const target = `${outputDir}/node_modules/${name}`;
    return [`mkdir -p "${dirname(target)}"`, `cp -RL "${dir}" "${target}"`];
  });
}
