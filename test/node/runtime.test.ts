/**
 * Everything runs on the Node.js the project pins (the `node` package): the
 * tests themselves, and `./bin/signpost.js` even when the PATH finds another
 * node first. The CLI runs from JavaScript compiled at install (dist/) while
 * it matches src/, else from a bundle of src/ that is rebuilt as soon as a
 * source file changes, so an edit always takes effect.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { buildDist, bundledEntry, compiledEntry, sourceFingerprint } from '../../bin/source-bundle.js';
import { REPO_ROOT } from '../support/child-server.js';

const pinned = (JSON.parse(readFileSync(join(REPO_ROOT, 'node_modules/node/package.json'), 'utf8')) as { version: string }).version;
const temp: string[] = [];
afterAll(() => temp.forEach((d) => rmSync(d, { recursive: true, force: true })));
const tempDir = (prefix: string) => {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  temp.push(dir);
  return dir;
};

describe('runtime', () => {
  it('runs the tests on the pinned Node.js 24', () => {
    expect(pinned).toMatch(/^24\./);
    expect(process.version).toBe(`v${pinned}`);
  });

  it('runs ./bin/signpost.js on the pinned Node.js even when PATH finds another node first', () => {
    const preload = join(tempDir('signpost-runtime-'), 'print-version.cjs');
    writeFileSync(preload, "process.stderr.write(`node=${process.version}\\n`);\n");
    const r = spawnSync(join(REPO_ROOT, 'bin/signpost.js'), ['--help'], {
      cwd: tmpdir(),
      env: { ...process.env, PATH: '/usr/local/bin:/usr/bin:/bin', NODE_OPTIONS: `--require ${preload}` },
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('Usage: signpost');
    expect(r.stderr).toContain(`node=v${pinned}\n`);
  });
});

describe('the source bundle behind ./bin/signpost.js', () => {
  const project = () => {
    const root = tempDir('signpost-bundle-');
    mkdirSync(join(root, 'src', 'lib'), { recursive: true });
    writeFileSync(join(root, 'package.json'), '{"type":"module"}\n');
    writeFileSync(join(root, 'tsconfig.json'), '{"compilerOptions":{"target":"ES2022"}}\n');
    writeFileSync(join(root, 'src', 'main.ts'), "import { answer } from './lib/answer.js';\nexport const value: number = answer();\n");
    writeFileSync(join(root, 'src', 'lib', 'answer.ts'), 'export const answer = (): number => 1;\n');
    return { root, options: { root, entry: 'src/main.ts', cacheDir: join(root, '.cache') } };
  };
  const load = async (url: string) => ((await import(url)) as { value: number }).value;

  it('reuses the bundle while nothing changed and rebuilds it when a source file changes', async () => {
    const { root, options } = project();
    const first = await bundledEntry(options);
    expect(await load(first)).toBe(1);
    const builtAt = statSync(new URL(first)).mtimeMs;
    expect(await bundledEntry(options)).toBe(first);
    expect(statSync(new URL(first)).mtimeMs).toBe(builtAt);

    writeFileSync(join(root, 'src', 'lib', 'answer.ts'), 'export const answer = (): number => 2;\n');
    const second = await bundledEntry(options);
    expect(second).not.toBe(first);
    expect(await load(second)).toBe(2);
  });

  it('changes its key when a file is added or removed, or tsconfig.json changes', () => {
    const { root } = project();
    const keys = new Set([sourceFingerprint(root, 'src')]);
    writeFileSync(join(root, 'src', 'extra.ts'), 'export {};\n');
    keys.add(sourceFingerprint(root, 'src'));
    unlinkSync(join(root, 'src', 'extra.ts'));
    writeFileSync(join(root, 'tsconfig.json'), '{"compilerOptions":{"target":"ES2023"}}\n');
    keys.add(sourceFingerprint(root, 'src'));
    expect(keys.size).toBe(3);
  });
});

describe('the build that npm install makes (dist/)', () => {
  const project = () => {
    const root = tempDir('signpost-dist-');
    mkdirSync(join(root, 'src'), { recursive: true });
    writeFileSync(join(root, 'package.json'), '{"type":"module"}\n');
    writeFileSync(join(root, 'src', 'main.ts'), 'export const value: number = 1;\n');
    return { root, options: { root, entry: 'src/main.ts', cacheDir: join(root, '.cache') } };
  };

  it('is what runs while the sources match it, and is never stale', async () => {
    const { root, options } = project();
    const built = await buildDist(options);
    expect(await compiledEntry(options)).toBe(pathToFileURL(built).href);
    expect(existsSync(options.cacheDir)).toBe(false); // nothing written at start

    writeFileSync(join(root, 'src', 'main.ts'), 'export const value: number = 2;\n');
    const edited = await compiledEntry(options);
    expect(edited.startsWith(pathToFileURL(options.cacheDir).href)).toBe(true);
    expect(((await import(edited)) as { value: number }).value).toBe(2);
  });

  it('runs alone when there are no sources (an image that ships dist/ only)', async () => {
    const { root, options } = project();
    const built = await buildDist(options);
    rmSync(join(root, 'src'), { recursive: true });
    expect(await compiledEntry(options)).toBe(pathToFileURL(built).href);
  });

  it('is built by npm install (prepare) and not committed', () => {
    const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    expect(pkg.scripts.prepare).toBe('node bin/build.js');
    expect(execFileSync('git', ['check-ignore', 'dist/cli.js'], { cwd: REPO_ROOT, encoding: 'utf8' }).trim()).toBe('dist/cli.js');
  });
});
