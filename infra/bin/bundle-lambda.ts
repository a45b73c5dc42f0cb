/**
 * `tsx infra/bin/bundle-lambda.ts <function name> <out dir> [arch]`: bundles
 * one Lambda function (infra/lib/bundling.ts). The CDK stack's local bundling
 * runs this in a child process, because CDK's bundling hook is synchronous
 * and esbuild's synchronous API takes no plugins.
 */
import { buildLambda, LAMBDA_ARCH, LAMBDA_ENTRIES, type LambdaArch } from '../lib/bundling.js';

const [name, outDir, arch = LAMBDA_ARCH] = process.argv.slice(2);
const fn = LAMBDA_ENTRIES.find((e) => e.name === name);
if (!fn || !outDir || (arch !== 'x86_64' && arch !== 'arm64')) {
  console.error(`usage: bundle-lambda.ts <${LAMBDA_ENTRIES.map((e) => e.name).join('|')}> <out dir> [x86_64|arm64]`);
  process.exit(2);
}
await buildLambda(fn, outDir, arch as LambdaArch);
