/** cdk-nag AwsSolutions checks: no unacknowledged finding, and every acknowledgment says why. */
import { Validations, type App, type Environment } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { build } from './support.js';

const VARIANTS: Record<string, Record<string, unknown>> = {
  default: {},
  'region known at synth': { env: { account: '123456789012', region: 'eu-central-1' } },
  'everything on': {
    stage: 'prod',
    domainName: 'ddns.dyn.example.com',
    staticEgressIp: 'true',
    reservedConcurrency: '10',
    alertEmails: 'ops@example.org',
    alertHttpsUrls: 'https://hooks.example.org/x',
  },
  'private zone': { privateZone: 'true', staticEgressIp: 'true' },
};

describe.each(Object.entries(VARIANTS))('cdk-nag AwsSolutions (%s)', { timeout: 90_000 }, (_name, context) => {
  let app: App;
  beforeAll(() => {
    const { env, ...values } = context as { env?: Environment };
    app = build(values, env).app;
  }, 90_000);

  it('reports no unacknowledged error or warning', () => {
    const report = new AwsSolutionsChecks(app, { verbose: true }).validateScope(app);
    const findings = report.violations.map((v) => `${v.severity} ${v.ruleName}: ${v.violatingResources.map((r) => r.constructPath).join(', ')}`);
    expect(findings).toEqual([]);
    expect(report.success).toBe(true);
  });

  it('gives a reason for every acknowledgment', () => {
    const acknowledged = app.node
      .findAll()
      .flatMap((c) => c.node.metadata.filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY))
      .flatMap((m) => Object.entries(m.data as Record<string, string>));
    expect(acknowledged.length).toBeGreaterThan(0);
    for (const [id, reason] of acknowledged) {
      expect(id).toMatch(/AwsSolutions-|CloudFormation-Validate/);
      expect(reason.length, id).toBeGreaterThan(40);
    }
  });
});
