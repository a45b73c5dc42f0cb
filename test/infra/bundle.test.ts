/**
 * The one test that bundles for real: synthesize the stack with its own local
 * esbuild bundling (`Code.fromAsset` + infra/lib/bundling.ts, run by CDK at
 * synth time; infra/lib/lambda-function.ts), then load the built asset in fresh
 * `node` processes under the OS temp dir, where no project node_modules can
 * be resolved. Proves the asset carries a working Argon2 for the function's
 * architecture and that the bundle serves requests with the environment the
 * stack gives it.
 */
import { App } from 'aws-cdk-lib';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LAMBDA_ARCH } from '../../infra/lib/bundling.js';
import { startDynalite, type LocalDynamo } from '../support/dynalite.js';
import { toEvent } from '../lambda/events.js';
import { addStack, cdkJsonContext } from './support.js';

const run = promisify(execFile);
const BINARY_PACKAGE = LAMBDA_ARCH === 'arm64' ? '@node-rs/argon2-linux-arm64-gnu' : '@node-rs/argon2-linux-x64-gnu';

let outdir: string;
let assetDir: string;
let instanceAssetDir: string;
let sweepAssetDir: string;
let stackEnv: Record<string, string>;
let synthesized: { Resources: Record<string, { Type: string; Properties: any }> };
const template = () => synthesized;

beforeAll(() => {
  outdir = mkdtempSync(join(tmpdir(), 'signpost-cdk-bundle-'));
  const app = new App({ outdir, context: cdkJsonContext() });
  // with instance registration on: both functions are bundled
  const stack = addStack(app, { stage: 'bundle', instanceEvents: 'true', instanceHostedZoneIds: 'Z0123456789ABCDEFGHIJ' });
  const assembly = app.synth();
  const template = assembly.getStackByName(stack.stackName).template as { Resources: Record<string, { Type: string; Properties: any }> };
  const functions = Object.entries(template.Resources).filter(([, r]) => r.Type === 'AWS::Lambda::Function');
  const assetOf = (fn: { Properties: any }) => join(outdir, `asset.${String(fn.Properties.Code.S3Key).replace(/\.zip$/, '')}`);
  const fn = functions.find(([id]) => id.startsWith('Http'))![1];
  assetDir = assetOf(fn);
  instanceAssetDir = assetOf(functions.find(([id]) => id.startsWith('Instances'))![1]);
  sweepAssetDir = assetOf(functions.find(([id]) => id.startsWith('ChallengeExpiry'))![1]);
  stackEnv = fn.Properties.Environment.Variables;
  synthesized = template;
}, 180_000);

afterAll(() => {
  if (outdir) rmSync(outdir, { recursive: true, force: true });
});

/** Runs an ES module in a fresh node process inside the asset directory; returns its last stdout line as JSON. */
async function runInAsset(source: string, env: Record<string, string> = {}, dir = assetDir): Promise<any> {
  const file = join(dir, `check-${process.pid}-${Math.random().toString(36).slice(2)}.mjs`);
  writeFileSync(file, source);
  try {
    // asynchronous: the test process keeps serving dynalite while the child runs
    const { stdout } = await run(process.execPath, [file], { cwd: dir, env: { PATH: process.env.PATH ?? '', ...env }, encoding: 'utf8', timeout: 60_000 });
    return JSON.parse(stdout.trim().split('\n').pop()!);
  } finally {
    rmSync(file, { force: true });
  }
}

describe('the synthesized Lambda asset', () => {
  it('holds the ESM bundle and Argon2 with the prebuilt binary for the function architecture', () => {
    expect(existsSync(join(assetDir, 'index.mjs'))).toBe(true);
    expect(existsSync(join(assetDir, 'node_modules/@node-rs/argon2/package.json'))).toBe(true);
    const binaries = readdirSync(join(assetDir, 'node_modules', BINARY_PACKAGE)).filter((f) => f.endsWith('.node'));
    expect(binaries).toHaveLength(1);
  });

  const bundleFiles = (dir: string) => readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.mjs') && !f.startsWith('node_modules') && !f.startsWith('check-'));

  it('leaves the self-hosted store and DNS server out of every function bundle', () => {
    for (const dir of [assetDir, instanceAssetDir, sweepAssetDir]) {
      const code = bundleFiles(dir).map((f) => readFileSync(join(dir, f), 'utf8')).join('\n');
      expect(code).toMatch(/DynamoDB/); // real code, so the absences below mean something
      expect(code).not.toMatch(/["']node:sqlite["']/);
      expect(code).not.toMatch(/["']node:dgram["']/); // the built-in DNS server's sockets
    }
  });

  it('keeps each function bundle (index.mjs and its chunks) under 1 MB, with zod in English only', () => {
    for (const dir of [assetDir, instanceAssetDir, sweepAssetDir]) {
      const files = bundleFiles(dir);
      expect(files).toContain('index.mjs');
      const bytes = files.reduce((n, f) => n + statSync(join(dir, f)).size, 0);
      expect(bytes).toBeLessThan(1024 * 1024);
      const code = files.map((f) => readFileSync(join(dir, f), 'utf8')).join('\n');
      expect(code).toContain('Too big: expected'); // zod's English messages are there…
      expect(code).not.toContain('Zu groß'); // …the German ones (and ~50 other locales) are not
    }
  });

  it('bundles each function from its own entry point (separate assets)', () => {
    expect(instanceAssetDir).not.toBe(assetDir);
    const code = (dir: string) => bundleFiles(dir).map((f) => readFileSync(join(dir, f), 'utf8')).join('\n');
    const [http, instances] = [code(assetDir), code(instanceAssetDir)];
    // the HTTP app's routes only in the HTTP function; the EC2 client only in instance registration
    expect([http.includes('checkip'), instances.includes('checkip')]).toEqual([true, false]);
    expect([http.includes('DescribeInstances'), instances.includes('DescribeInstances')]).toEqual([false, true]);
  });

  it('hashes and verifies a password with the Argon2 in the asset, in a fresh node process', async () => {
    const out = await runInAsset(`
      import { createRequire } from 'node:module';
      import { dirname } from 'node:path';
      const require = createRequire(new URL('./index.mjs', import.meta.url));
      const argon2 = require('@node-rs/argon2');
      const phc = await argon2.hash('correct horse battery staple');
      const loader = dirname(require.resolve('@node-rs/argon2/package.json'));
      const binding = createRequire(loader + '/index.js').resolve('${BINARY_PACKAGE}');
      console.log(JSON.stringify({
        phc,
        ok: await argon2.verify(phc, 'correct horse battery staple'),
        wrong: await argon2.verify(phc, 'correct horse battery stable'),
        loader,
        binding,
      }));
    `);
    expect(out.phc).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(out.ok).toBe(true);
    expect(out.wrong).toBe(false);
    expect(out.loader.startsWith(assetDir)).toBe(true);
    expect(out.binding.startsWith(join(assetDir, 'node_modules', BINARY_PACKAGE))).toBe(true);
  });

  describe('serving requests with the stack environment (DynamoDB = dynalite on 127.0.0.1)', () => {
    let dynamo: LocalDynamo;
    beforeAll(async () => {
      dynamo = await startDynalite();
    });
    afterAll(async () => {
      await dynamo?.close();
    });

    it('creates a user (Argon2 hash) and checks update credentials (Argon2 verify) inside the bundle', async () => {
      const apiKey = 'bundle-test-admin-key-0123456789';
      const auth = (password: string) => `Basic ${Buffer.from(`alice:${password}`).toString('base64')}`;
      const events = [
        toEvent('v1', { path: '/nic/checkip', sourceIp: '198.51.100.7', headers: { 'User-Agent': 'test' } }),
        toEvent('v1', {
          method: 'POST',
          path: '/user',
          sourceIp: '198.51.100.7',
          apiKey,
          headers: { 'x-api-key': apiKey, 'content-type': 'application/json' },
          body: JSON.stringify({ username: 'alice', password: 'alice password 1', domains: ['home.dyn.example.com'] }),
        }),
        toEvent('v1', { path: '/nic/update', query: 'hostname=home.dyn.example.com&myip=192.0.2.10', sourceIp: '198.51.100.7', headers: { 'User-Agent': 'test/1.0', Authorization: auth('wrong password!') } }),
        toEvent('v1', { path: '/nic/update', query: 'hostname=home.dyn.example.com&myip=192.0.2.10', sourceIp: '198.51.100.7', headers: { 'User-Agent': 'test/1.0', Authorization: auth('alice password 1') } }),
      ];
      const out = await runInAsset(
        `
        const { handler } = await import('./index.mjs');
        const events = JSON.parse(process.env.EVENTS);
        const context = { awsRequestId: 'test', functionName: 'test', getRemainingTimeInMillis: () => 20000 };
        const answers = [];
        for (const event of events) {
          const r = await handler(event, context);
          answers.push({ status: r.statusCode, body: String(r.body) });
        }
        console.log(JSON.stringify(answers));
      `,
        {
          ...stackEnv,
          SIGNPOST_TABLE_NAME: await dynamo.freshTable(),
          SIGNPOST_LOG_LEVEL: 'silent',
          EVENTS: JSON.stringify(events),
          AWS_REGION: 'us-east-1',
          AWS_ACCESS_KEY_ID: 'local',
          AWS_SECRET_ACCESS_KEY: 'local',
          AWS_EC2_METADATA_DISABLED: 'true',
          AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
          AWS_ENDPOINT_URL_ROUTE_53: 'http://127.0.0.1:9', // closed: publishing fails, answered as dnserr
        },
      );
      const [checkip, created, wrong, right] = out as { status: number; body: string }[];
      expect(checkip).toEqual({ status: 200, body: '198.51.100.7' });
      expect(created!.status).toBe(201);
      expect(JSON.parse(created!.body)).toMatchObject({ username: 'alice' });
      expect(wrong!.body.trim()).toBe('badauth');
      // Argon2 verified the password; publishing then fails on the closed Route 53 endpoint
      expect(right!.body.trim()).toBe('dnserr');
    });

    it('the challenge expiry bundle sweeps with the environment the stack gives it', async () => {
      const fn = Object.values(template().Resources).find((r) => r.Type === 'AWS::Lambda::Function' && String(r.Properties.Code.S3Key).includes(sweepAssetDir.split('asset.')[1]!))!;
      const out = await runInAsset(
        `
        const { handler } = await import('./index.mjs');
        console.log(JSON.stringify([await handler({ source: 'aws.events', 'detail-type': 'Scheduled Event' }), await handler({})]));
      `,
        {
          ...fn.Properties.Environment.Variables,
          SIGNPOST_TABLE_NAME: await dynamo.freshTable(),
          SIGNPOST_LOG_LEVEL: 'silent',
          AWS_REGION: 'us-east-1',
          AWS_ACCESS_KEY_ID: 'local',
          AWS_SECRET_ACCESS_KEY: 'local',
          AWS_EC2_METADATA_DISABLED: 'true',
          AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
          AWS_ENDPOINT_URL_ROUTE_53: 'http://127.0.0.1:9',
        },
        sweepAssetDir,
      );
      expect(out).toEqual([{ changed: 0 }, { changed: 0 }]);
    });
  });
});
