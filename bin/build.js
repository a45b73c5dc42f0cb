/**
 * `npm run build`, also run by `npm install` / `npm ci` (the `prepare`
 * script): compiles the CLI and server (src/entrypoints/node/cli.ts and what
 * it imports) into dist/, which ./bin/signpost.js runs while the sources
 * still match it. dist/ is not committed.
 */
import { fileURLToPath } from 'node:url';
import { buildDist } from './source-bundle.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const started = performance.now();
const built = await buildDist({ root, entry: 'src/entrypoints/node/cli.ts' });
process.stderr.write(`signpost: built ${built.slice(root.length)} in ${Math.round(performance.now() - started)} ms\n`);
