#!/usr/bin/env node
// Runs the TypeScript CLI directly (no build step): tsx compiles on load.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/entrypoints/node/cli.ts');
process.exitCode = await main(process.argv);
