/**
 * Runs the TypeScript sources as JavaScript, compiled ahead of time when
 * possible:
 *
 * - `npm install` / `npm ci` (the `prepare` script, bin/build.js) bundles the
 *   entry with esbuild into dist/ and records there which sources it was
 *   built from. A start uses dist/ while the sources still match — or when
 *   there are no sources at all (an image that ships dist/ alone). Nothing is
 *   written at start, so it runs from a read-only install (systemd's
 *   ProtectSystem=strict, a container's read-only layer).
 * - Otherwise (a developer's checkout mid-edit, an install with
 *   --ignore-scripts) the entry is bundled on first use into
 *   node_modules/.cache and reused while nothing under the source folder
 *   changed. Not tsx: its loader costs ~0.2 s on every start.
 *
 * Either way the key is a hash of every source file's path and content (plus
 * tsconfig.json and package.json), so an edit, a checkout or a deleted file
 * never runs a stale bundle. Hashing the ~100 source files costs
 * milliseconds; timestamps would be cheaper but can miss an edit.
 * Dependencies stay external (loaded from node_modules as usual), so
 * updating them needs no rebuild.
 *
 * Plain JavaScript on purpose: it is what loads the TypeScript.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';

/** Inputs besides the sources that change what esbuild produces. */
const BUILD_INPUTS = ['tsconfig.json', 'package.json'];

/**
 * @param {string} root the project folder (holds package.json and node_modules)
 * @param {string} sourceDir folder whose files the bundle is built from (relative to root)
 * @returns {string | undefined} a hash of the path and content of every file under sourceDir and of the build inputs; undefined when there is no sourceDir
 */
export function sourceFingerprint(root, sourceDir) {
  if (!existsSync(join(root, sourceDir))) return undefined;
  const hash = createHash('sha256');
  const files = readdirSync(join(root, sourceDir), { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile())
    .map((d) => join(d.parentPath, d.name))
    .sort();
  for (const file of [...files, ...BUILD_INPUTS.map((f) => join(root, f))]) {
    let content;
    try {
      content = readFileSync(file);
    } catch {
      content = 'missing';
    }
    hash.update(`${relative(root, file)}\0${content.length}\0`).update(content);
  }
  return hash.digest('hex').slice(0, 20);
}

/** The file a build of `entry` writes, and the record of the sources it was built from. */
const outputName = (entry) => entry.replace(/^.*[\\/]/, '').replace(/\.ts$/, '.js');
const BUILT_FROM = 'built-from.json';

/**
 * The file URL to import for `entry`: the ahead-of-time build in distDir when
 * it matches the sources (or there are none), else a cached bundle built
 * now if needed.
 *
 * @param {{ root: string, entry: string, sourceDir?: string, distDir?: string, cacheDir?: string }} options
 *   entry, sourceDir and distDir relative to root; cacheDir defaults to node_modules/.cache/signpost
 * @returns {Promise<string>}
 */
export async function compiledEntry({ root, entry, sourceDir = 'src', distDir = 'dist', cacheDir }) {
  const fingerprint = sourceFingerprint(root, sourceDir);
  const built = join(root, distDir, outputName(entry));
  if (existsSync(built)) {
    if (fingerprint === undefined) return pathToFileURL(built).href;
    try {
      const record = JSON.parse(readFileSync(join(root, distDir, BUILT_FROM), 'utf8'));
      if (record.entry === entry && record.fingerprint === fingerprint) return pathToFileURL(built).href;
    } catch {
      /* no record: built by something else, use the cache */
    }
  }
  if (fingerprint === undefined) throw new Error(`neither ${join(root, distDir, outputName(entry))} nor ${join(root, sourceDir)} exists`);
  return bundledEntry({ root, entry, sourceDir, cacheDir, fingerprint });
}

/**
 * Builds `entry` into distDir (replacing what was there) with a record of the
 * sources it was built from, for compiledEntry to trust.
 *
 * @param {{ root: string, entry: string, sourceDir?: string, distDir?: string }} options
 * @returns {Promise<string>} the path of the built entry
 */
export async function buildDist({ root, entry, sourceDir = 'src', distDir = 'dist' }) {
  const fingerprint = sourceFingerprint(root, sourceDir);
  if (fingerprint === undefined) throw new Error(`no ${join(root, sourceDir)} to build from`);
  const outDir = join(root, distDir);
  const tmpDir = `${outDir}.${process.pid}.tmp`;
  rmSync(tmpDir, { recursive: true, force: true });
  await esbuildInto(root, entry, tmpDir);
  writeFileSync(join(tmpDir, BUILT_FROM), `${JSON.stringify({ entry, fingerprint })}\n`);
  rmSync(outDir, { recursive: true, force: true });
  renameSync(tmpDir, outDir);
  return join(outDir, outputName(entry));
}

/**
 * The file URL of a bundle of `entry` that matches the sources as they are
 * now, building it into cacheDir first when there is none.
 *
 * @param {{ root: string, entry: string, sourceDir?: string, cacheDir?: string, fingerprint?: string }} options
 *   entry and sourceDir relative to root; cacheDir defaults to node_modules/.cache/signpost
 * @returns {Promise<string>}
 */
export async function bundledEntry({ root, entry, sourceDir = 'src', cacheDir = join(root, 'node_modules', '.cache', 'signpost'), fingerprint }) {
  const key = `${entry.replace(/[^A-Za-z0-9]+/g, '_')}-${fingerprint ?? sourceFingerprint(root, sourceDir)}`;
  const outDir = join(cacheDir, key);
  const outFile = join(outDir, outputName(entry));
  if (!existsSync(outFile)) await build(root, entry, cacheDir, outDir, key);
  return pathToFileURL(outFile).href;
}

/** Builds into a private folder, then renames it into place, so a concurrent run never sees half a bundle. */
async function build(root, entry, cacheDir, outDir, key) {
  mkdirSync(cacheDir, { recursive: true });
  const tmpDir = join(cacheDir, `.${key}.${process.pid}`);
  rmSync(tmpDir, { recursive: true, force: true });
  await esbuildInto(root, entry, tmpDir);
  try {
    renameSync(tmpDir, outDir);
  } catch {
    rmSync(tmpDir, { recursive: true, force: true }); // another run put the same bundle in place first
  }
  // Bundles of older sources of the same entry are never used again.
  const prefix = key.slice(0, key.lastIndexOf('-') + 1);
  for (const old of readdirSync(cacheDir)) {
    if (old.startsWith(prefix) && old !== key) rmSync(join(cacheDir, old), { recursive: true, force: true });
  }
}

async function esbuildInto(root, entry, outdir) {
  const { build: esbuild } = await import('esbuild');
  await esbuild({
    absWorkingDir: root,
    entryPoints: [entry],
    outdir,
    bundle: true,
    packages: 'external',
    platform: 'node',
    target: `node${process.versions.node.split('.')[0]}`,
    format: 'esm',
    splitting: true,
    keepNames: true,
    sourcemap: 'linked',
    logLevel: 'error',
  });
}
