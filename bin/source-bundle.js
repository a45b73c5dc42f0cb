/**
 * Runs the TypeScript sources without a build step the user has to remember:
 * the entry is bundled with esbuild into node_modules/.cache on first use and
 * reused while nothing under the source folder changed. The cache key is a
 * hash of every source file's path and content (plus tsconfig.json and
 * package.json), so an edit, a checkout or a deleted file gives a new key and
 * a fresh bundle — a stale bundle never runs. Hashing the ~100 source files
 * costs milliseconds; timestamps would be cheaper but can miss an edit.
 * Dependencies stay external (loaded from node_modules as usual), so
 * updating them needs no rebuild.
 *
 * Plain JavaScript on purpose: it is what loads the TypeScript.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';

/** Inputs besides the sources that change what esbuild produces. */
const BUILD_INPUTS = ['tsconfig.json', 'package.json'];

/**
 * @param {string} root the project folder (holds package.json and node_modules)
 * @param {string} sourceDir folder whose files the bundle is built from (relative to root)
 * @returns {string} a hash of the path and content of every file under sourceDir and of the build inputs
 */
export function sourceFingerprint(root, sourceDir) {
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

/**
 * The file URL of a bundle of `entry` that matches the sources as they are
 * now, building it first when there is none.
 *
 * @param {{ root: string, entry: string, sourceDir?: string, cacheDir?: string }} options
 *   entry and sourceDir relative to root; cacheDir defaults to node_modules/.cache/signpost
 * @returns {Promise<string>}
 */
export async function bundledEntry({ root, entry, sourceDir = 'src', cacheDir = join(root, 'node_modules', '.cache', 'signpost') }) {
  const outName = entry.replace(/^.*[\\/]/, '').replace(/\.ts$/, '.js');
  const key = `${entry.replace(/[^A-Za-z0-9]+/g, '_')}-${sourceFingerprint(root, sourceDir)}`;
  const outDir = join(cacheDir, key);
  const outFile = join(outDir, outName);
  if (!existsSync(outFile)) await build(root, entry, cacheDir, outDir, key);
  return pathToFileURL(outFile).href;
}

/** Builds into a private folder, then renames it into place, so a concurrent run never sees half a bundle. */
async function build(root, entry, cacheDir, outDir, key) {
  const { build: esbuild } = await import('esbuild');
  mkdirSync(cacheDir, { recursive: true });
  const tmpDir = join(cacheDir, `.${key}.${process.pid}`);
  rmSync(tmpDir, { recursive: true, force: true });
  await esbuild({
    absWorkingDir: root,
    entryPoints: [entry],
    outdir: tmpDir,
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
