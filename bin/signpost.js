#!/bin/sh
":" //; self=$(readlink -f "$0" 2>/dev/null || echo "$0"); pinned="${self%/*}/../node_modules/node/bin/node"; if [ -x "$pinned" ]; then exec "$pinned" "$self" "$@"; else exec node "$self" "$@"; fi
// The `signpost` command, also what a supervisor starts (`signpost serve`).
//
// The line above is both shell and JavaScript: run as a program, /bin/sh
// replaces itself with the Node.js the project pins (the `node` package in
// node_modules, the runtime the tests and production use) — no second Node
// process in between, so signals reach the server directly. For Node it is a
// string and a comment. Run with some other `node`, it needs at least the
// oldest version the project supports.
//
// It runs the JavaScript that `npm install` compiled into dist/ while that
// still matches src/; in a checkout edited since (or installed with
// --ignore-scripts) it bundles src/ into node_modules/.cache on first use
// instead (bin/source-bundle.js). No TypeScript compiler in the start-up
// path either way, and never a stale build.
import module from 'node:module';
import { fileURLToPath } from 'node:url';

const MIN_NODE = [22, 13];
const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
if (major < MIN_NODE[0] || (major === MIN_NODE[0] && minor < MIN_NODE[1])) {
  process.stderr.write(
    `signpost: needs Node.js >= ${MIN_NODE.join('.')}, this is ${process.version}.\n` +
      '  Run `npm install`, then ./bin/signpost.js (or `npm run signpost --`), which use the Node.js it installs.\n',
  );
  process.exit(78);
}

const ROOT = fileURLToPath(new URL('..', import.meta.url));
// V8's compiled code for the dependencies, reused across runs (keyed by content, so never stale).
module.enableCompileCache?.(fileURLToPath(new URL('../node_modules/.cache/signpost/v8', import.meta.url)));
process.setSourceMapsEnabled(true);
const { compiledEntry } = await import('./source-bundle.js');
const { main } = await import(await compiledEntry({ root: ROOT, entry: 'src/entrypoints/node/cli.ts' }));
process.exitCode = await main(process.argv);
