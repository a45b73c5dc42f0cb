/** ACME challenge expiry in the CDK stack: a schedule, a small function with the HTTP function's settings, least-privilege IAM. */
import { beforeAll, describe, expect, it } from 'vitest';
import { CHALLENGE_SWEEP_DYNAMODB_ACTIONS } from '../../infra/lib/challenge-expiry.js';
import { GATEWAY_ROUTES, ROUTE53_RECORD_TYPES } from '../../infra/lib/signpost-stack.js';
import { loadLambdaSettings } from '../../src/config/lambda-env.js';
import { build, logicalId, resources, type Built } from './support.js';

let b: Built;
let fnId: string;
beforeAll(() => {
  b = build({ zone: 'dyn.example.com,example.org', hostedZoneId: 'Z0123456789ABCDEFGHIJ,ZORG0123456789ABCDEF' });
  fnId = logicalId(b.stack, b.stack.challengeExpiry.function);
});

const statementsOf = (roleId: string) =>
  Object.values(resources(b.template, 'AWS::IAM::Policy'))
    .filter((p) => p.Properties.Roles.some((r: any) => r.Ref === roleId))
    .flatMap((p) => p.Properties.PolicyDocument.Statement);

describe('challenge expiry (always on)', () => {
  it('a rule invokes the sweep function every five minutes, with no retries (the next run catches up)', () => {
    const rules = Object.values(resources(b.template, 'AWS::Events::Rule')).map((r) => r.Properties);
    expect(rules).toHaveLength(1);
    expect(rules[0]).toMatchObject({ ScheduleExpression: 'rate(5 minutes)', State: 'ENABLED' });
    expect(rules[0]!.Targets).toEqual([expect.objectContaining({ Arn: { 'Fn::GetAtt': [fnId, 'Arn'] }, RetryPolicy: { MaximumRetryAttempts: 0 } })]);
    b.template.hasResourceProperties('AWS::Lambda::Permission', { FunctionName: { 'Fn::GetAtt': [fnId, 'Arn'] }, Principal: 'events.amazonaws.com' });
  });

  it('runs the sweep entry with the HTTP function’s settings, one at a time', () => {
    const fns = resources(b.template, 'AWS::Lambda::Function');
    const fn = fns[fnId]!.Properties;
    const http = fns[logicalId(b.stack, b.stack.httpFunction)]!.Properties;
    expect(fn).toMatchObject({ Runtime: 'nodejs24.x', Handler: 'index.handler', ReservedConcurrentExecutions: 1 });
    const { SIGNPOST_ADMIN_AUTH: _admin, ...shared } = http.Environment.Variables;
    expect(fn.Environment.Variables).toEqual(shared);
    const settings = loadLambdaSettings({ ...fn.Environment.Variables, SIGNPOST_TABLE_NAME: 'signpost-test-table' });
    expect(settings.core.zones).toEqual(['dyn.example.com', 'example.org']);
    expect(settings.core.acmeDns.zone).toBe('acme.dyn.example.com');
    b.template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', { FunctionName: { Ref: fnId }, MaximumRetryAttempts: 0 });
  });

  it('may change only TXT records at challenge names and acme-dns subdomains of its zones, and the table', () => {
    const roleId = resources(b.template, 'AWS::Lambda::Function')[fnId]!.Properties.Role['Fn::GetAtt'][0];
    const bySid = Object.fromEntries(statementsOf(roleId).filter((s: any) => s.Sid).map((s: any) => [s.Sid, s]));
    expect(Object.keys(bySid).sort()).toEqual(['ChallengeRows', 'Route53ExpireChallengeValues', 'Route53ListZones', 'Route53ReadOwnZones']);
    const zoneArn = (id: string) => ({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:route53:::hostedzone/${id}`]] });
    expect(bySid.Route53ExpireChallengeValues).toMatchObject({
      Action: 'route53:ChangeResourceRecordSets',
      Resource: [zoneArn('Z0123456789ABCDEFGHIJ'), zoneArn('ZORG0123456789ABCDEF')],
      Condition: {
        'ForAllValues:StringEquals': { 'route53:ChangeResourceRecordSetsRecordTypes': ['TXT'] },
        'ForAllValues:StringLike': {
          'route53:ChangeResourceRecordSetsNormalizedRecordNames': [
            '_acme-challenge.dyn.example.com',
            '_acme-challenge.*.dyn.example.com',
            '_acme-challenge.example.org',
            '_acme-challenge.*.example.org',
            '*.acme.dyn.example.com',
          ],
        },
      },
    });
    expect(bySid.Route53ListZones).toMatchObject({ Action: 'route53:ListHostedZones', Resource: '*' });
    expect(bySid.ChallengeRows.Action).toEqual([...CHALLENGE_SWEEP_DYNAMODB_ACTIONS]);
    expect(bySid.ChallengeRows.Resource).toEqual({ 'Fn::GetAtt': [logicalId(b.stack, b.stack.table), 'Arn'] }); // no index
  });

  it('alarms to the alerts topic when a sweep fails', () => {
    b.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'Errors',
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: fnId } }],
      AlarmActions: [{ Ref: logicalId(b.stack, b.stack.alerts) }],
    });
  });
});

describe('the certificate doors on API Gateway', () => {
  it('route acme-dns and httpreq without an API key, like dyndns2', () => {
    const methods = Object.values(resources(b.template, 'AWS::ApiGateway::Method')).map((m) => m.Properties);
    const certificateRoutes = GATEWAY_ROUTES.filter((r) => r.path.startsWith('/acme-dns/') || r.path.startsWith('/httpreq/'));
    expect(certificateRoutes.map((r) => `${r.method} ${r.path}`).sort()).toEqual([
      'DELETE /acme-dns/cname',
      'POST /acme-dns/cname',
      'POST /acme-dns/register',
      'POST /acme-dns/update',
      'POST /httpreq/cleanup',
      'POST /httpreq/present',
    ]);
    for (const r of certificateRoutes) {
      const method = methods.find((m) => m.HttpMethod === r.method && JSON.stringify(m.ResourceId).includes(r.path.split('/').pop()!.replace(/-/g, '')));
      expect(method, `${r.method} ${r.path}`).toBeDefined();
      expect(method!.ApiKeyRequired ?? false).toBe(false);
    }
  });

  it('the HTTP function may write TXT and CNAME records (challenge values, acme-dns delegations) besides addresses', () => {
    expect([...ROUTE53_RECORD_TYPES]).toEqual(expect.arrayContaining(['A', 'AAAA', 'TXT', 'CNAME']));
    const roleId = resources(b.template, 'AWS::Lambda::Function')[logicalId(b.stack, b.stack.httpFunction)]!.Properties.Role['Fn::GetAtt'][0];
    const change = statementsOf(roleId).find((s: any) => s.Sid === 'Route53ChangeOwnZones');
    expect(change.Condition['ForAllValues:StringEquals']['route53:ChangeResourceRecordSetsRecordTypes']).toEqual(expect.arrayContaining(['TXT', 'CNAME']));
  });
});
