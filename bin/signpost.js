#!/bin/sh
":" //; self=$(readlink -f "$0" 2>/dev/null || echo "$0"); pinned="${self%/*}/../node_modules/node/bin/node"; if [ -x "$pinned" ]; then exec "$pinned" "$self" "$@"; else exec node "$self" "$@"; fi
// The `signpost` command from a checkout, with no build step to remember.
//
// The line above is both shell and JavaScript: run as a program, /bin/sh
// replaces itself with the Node.js the project pins (the `node` package in
// node_modules, the runtime the tests and production use) — no second Node
// process in between, so signals reach the CLI directly. For Node it is a
// string and a comment. Run with some other `node`, it needs at least the
// oldest version the project supports.
//
// The CLI is loaded from a bundle of src/ cached in node_modules/.cache and
// rebuilt whenever a source file changed (bin/source-bundle.js): no
// TypeScript compiler in the start-up path, and never a stale bundle.
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
const { bundledEntry } = await import('./source-bundle.js');
const { main } = await import(await bundledEntry({ root: ROOT, entry: 'src/entrypoints/node/cli.ts' }));
process.exitCode = await main(process.argv);
