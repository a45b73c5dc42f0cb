/**
 * A Lambda function bundled by our own esbuild build (infra/lib/bundling.ts)
 * at synth time, on this machine: `Code.fromAsset` with local bundling, so
 * the build can use esbuild plugins (which `NodejsFunction` cannot) and the
 * benchmark measures exactly what is deployed. The asset is the bundle
 * (`index.mjs` + `chunks/`) with Argon2 in `node_modules`; its hash is the
 * hash of that output.
 */
import { AssetHashType, DockerImage } from 'aws-cdk-lib';
import { Architecture, Code, Function, Runtime, type FunctionOptions } from 'aws-cdk-lib/aws-lambda';
import type { Construct } from 'constructs';
import { buildLambdaSync, LAMBDA_ARCH, REPO_ROOT, type LambdaEntry } from './bundling.js';

export interface SignpostFunctionProps extends FunctionOptions {
  /** Which entry of LAMBDA_ENTRIES this function runs. */
  readonly entry: LambdaEntry;
}

/** The code asset of one function: bundled locally; there is no Docker fallback. */
export function bundledCode(entry: LambdaEntry): Code {
  return Code.fromAsset(REPO_ROOT, {
    assetHashType: AssetHashType.OUTPUT,
    bundling: {
      // never pulled: local bundling always succeeds or throws
      image: DockerImage.fromRegistry('signpost-local-bundling-only'),
      // also what tells the functions' assets apart: CDK caches bundling by source path and these options
      command: ['npx', 'tsx', 'infra/bin/bundle-lambda.ts', entry.name, '/asset-output'],
      environment: { SIGNPOST_LAMBDA_ENTRY: entry.entry },
      local: {
        tryBundle(outputDir: string): boolean {
          buildLambdaSync(entry, outputDir, LAMBDA_ARCH);
          return true;
        },
      },
    },
  });
}

/**
 * Environment every function gets. The AWS SDK warns on each cold start under
 * Node < 22 that its releases after January 2027 will need Node 22; the SDK
 * versions are pinned in the lockfile, so the warning is noise in the logs
 * and ~5 ms of cold start (process.emitWarning). The SDK's documented switch
 * turns it off.
 */
export const FUNCTION_ENVIRONMENT = { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' } as const;

/**
 * Node.js 24 (Lambda's newest; Node 20 functions can no longer be created from 2027-02-01) on the configured
 * architecture, handler `index.<export>` from the entry's bundle. The bundle targets Node 24, the runtime the
 * project pins for its tests, server and CLI (package.json); Argon2 is an N-API addon, stable across Node
 * versions.
 */
export class SignpostFunction extends Function {
  constructor(scope: Construct, id: string, props: SignpostFunctionProps) {
    const { entry, ...options } = props;
    super(scope, id, {
      runtime: Runtime.NODEJS_24_X,
      architecture: LAMBDA_ARCH === 'arm64' ? Architecture.ARM_64 : Architecture.X86_64,
      ...options,
      environment: { ...FUNCTION_ENVIRONMENT, ...options.environment },
      code: bundledCode(entry),
      handler: `index.${entry.handler}`,
    });
  }
}
