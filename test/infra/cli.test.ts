/** The CDK CLI wiring: pinned local CLI, offline flags, cdk.json settings, the CI synth line. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../infra/lib/bundling.js';

const read = (file: string) => readFileSync(join(REPO_ROOT, file), 'utf8');
const pkg = JSON.parse(read('package.json')) as { scripts: Record<string, string>; devDependencies: Record<string, string> };
const cdkJson = JSON.parse(read('cdk.json')) as Record<string, unknown>;

describe('CDK CLI wiring', () => {
  it('pins the CLI to the version that synthesizes with aws-cdk-lib 2.x', () => {
    expect(pkg.devDependencies['aws-cdk']).toBe('2.1148.1');
  });

  it('runs synth/deploy/destroy through the local CLI, offline and quiet', () => {
    for (const name of ['synth', 'deploy', 'destroy']) {
      const script = pkg.scripts[name]!;
      expect(script, name).toMatch(/(^| )cdk (synth|deploy|destroy)\b/);
      expect(script, name).not.toMatch(/npx (-y )?(aws-)?cdk/); // never a CLI fetched from the registry
      for (const part of ['CDK_DISABLE_VERSION_CHECK=1', 'CDK_DISABLE_CLI_TELEMETRY=true', 'CDK_HOME=.cdk', '--no-notices', '--no-lookups']) expect(script, name).toContain(part);
    }
  });

  it('runs the app with tsx and disables notices and version reporting', () => {
    expect(cdkJson).toMatchObject({ app: 'npx tsx infra/bin/signpost.ts', notices: false, versionReporting: false });
  });

  it('synthesizes in CI without credentials, before the tests', () => {
    const ci = read('.ci/run');
    const synth = ci.indexOf('npm run synth');
    expect(synth).toBeGreaterThan(-1);
    expect(synth).toBeLessThan(ci.lastIndexOf('npm test'));
    expect(ci).toMatch(/env -u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY -u AWS_SESSION_TOKEN -u AWS_PROFILE/);
  });

  it('keeps CDK output and CLI state out of git', () => {
    const ignore = read('.gitignore').split('\n');
    expect(ignore).toEqual(expect.arrayContaining(['cdk.out/', '.cdk/']));
  });
});
