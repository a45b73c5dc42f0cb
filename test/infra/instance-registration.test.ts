/** Instance registration in the CDK stack: rules, function, dead-letter queue, least-privilege IAM, cdk-nag clean. */
import { Validations } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { INSTANCE_DYNAMODB_ACTIONS, INSTANCE_RECORD_TYPES, INSTANCE_STATES_FORWARDED } from '../../infra/lib/instance-registration.js';
import { EC2_ACTIONS } from '../../src/adapters/ec2/ec2-api.js';
import { loadInstanceSettings } from '../../src/config/instance-env.js';
import { build, logicalId, resources, type Built } from './support.js';

const ZONES = 'ZPRIVATE0123456789AB,ZPUBLIC01234567890AB';
let on: Built;
let fnId: string;
beforeAll(() => {
  on = build({ instanceEvents: 'true', instanceHostedZoneIds: ZONES });
  fnId = Object.entries(resources(on.template, 'AWS::Lambda::Function')).find(([, r]) => r.Properties.Environment?.Variables?.SIGNPOST_INSTANCE_HOSTED_ZONE_IDS)![0];
});

const queueId = () => Object.keys(resources(on.template, 'AWS::SQS::Queue'))[0]!;

describe('instance registration (-c instanceEvents=true)', () => {
  it('is off by default, and needs hosted zone ids when on', () => {
    const off = build();
    expect(resources(off.template, 'AWS::Events::Rule')).toEqual({});
    expect(resources(off.template, 'AWS::SQS::Queue')).toEqual({});
    expect(() => build({ instanceEvents: 'true' })).toThrow(/instanceHostedZoneIds/);
  });

  it('has a rule for the five state changes and one for instance tag changes, both targeting the function with the DLQ', () => {
    const rules = Object.values(resources(on.template, 'AWS::Events::Rule')).map((r) => r.Properties);
    expect(rules.map((r) => r.EventPattern)).toEqual([
      { source: ['aws.ec2'], 'detail-type': ['EC2 Instance State-change Notification'], detail: { state: [...INSTANCE_STATES_FORWARDED] } },
      { source: ['aws.tag'], 'detail-type': ['Tag Change on Resource'], detail: { service: ['ec2'], 'resource-type': ['instance'] } },
    ]);
    for (const rule of rules) {
      expect(rule.Targets).toEqual([
        expect.objectContaining({
          Arn: { 'Fn::GetAtt': [fnId, 'Arn'] },
          DeadLetterConfig: { Arn: { 'Fn::GetAtt': [queueId(), 'Arn'] } },
          RetryPolicy: { MaximumEventAgeInSeconds: 21600, MaximumRetryAttempts: 8 },
        }),
      ]);
    }
  });

  it('runs the EC2 event entry point with its settings, async retries and the dead-letter queue', () => {
    const fn = resources(on.template, 'AWS::Lambda::Function')[fnId]!.Properties;
    expect(fn).toMatchObject({ Runtime: 'nodejs24.x', ReservedConcurrentExecutions: 5, DeadLetterConfig: { TargetArn: { 'Fn::GetAtt': [queueId(), 'Arn'] } } });
    const vars = fn.Environment.Variables;
    expect(vars).toMatchObject({ SIGNPOST_INSTANCE_HOSTED_ZONE_IDS: ZONES, SIGNPOST_INSTANCE_ASSOCIATE_VPC: 'false', SIGNPOST_INSTANCE_CREATE_REVERSE_ZONES: 'false', SIGNPOST_INSTANCE_TTL: '60' });
    expect(vars.SIGNPOST_TABLE_NAME).toEqual({ Ref: logicalId(on.stack, on.stack.table) });
    // what the entry point's own loader accepts
    const settings = loadInstanceSettings({ ...vars, SIGNPOST_TABLE_NAME: 't', SIGNPOST_ALERT_TOPIC_ARN: 'arn:aws:sns:us-east-1:123456789012:a' });
    expect(settings.hostedZoneIds).toEqual(ZONES.split(','));
    on.template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', { FunctionName: { Ref: fnId }, MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 21600 });
  });

  it('keeps failed events in an encrypted, TLS-only queue whose first message alarms to the alerts topic', () => {
    on.template.hasResourceProperties('AWS::SQS::Queue', { SqsManagedSseEnabled: true, MessageRetentionPeriod: 1209600 });
    on.template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) },
    });
    on.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [queueId(), 'QueueName'] } }],
      Threshold: 1,
      AlarmActions: [{ Ref: logicalId(on.stack, on.stack.alerts) }],
    });
  });

  it('grants exactly the EC2 describe calls and Route 53 calls used, record changes only in the given zones and of the written types', () => {
    const fn = resources(on.template, 'AWS::Lambda::Function')[fnId]!.Properties;
    const roleId = fn.Role['Fn::GetAtt'][0];
    const policies = Object.values(resources(on.template, 'AWS::IAM::Policy')).filter((p) => p.Properties.Roles.some((r: any) => r.Ref === roleId));
    const statements = policies.flatMap((p) => p.Properties.PolicyDocument.Statement);
    const bySid = Object.fromEntries(statements.filter((s: any) => s.Sid).map((s: any) => [s.Sid, s]));
    expect(Object.keys(bySid).sort()).toEqual(['Ec2DescribeInstancesAndVpcs', 'PublishAlerts', 'RegistryItems', 'Route53ChangeInstanceRecords', 'Route53ListZones']);
    expect(bySid.Ec2DescribeInstancesAndVpcs).toMatchObject({ Action: [...EC2_ACTIONS], Resource: '*' });
    expect(bySid.Route53ListZones).toMatchObject({ Action: ['route53:ListHostedZones', 'route53:ListHostedZonesByVPC'], Resource: '*' });
    const change = bySid.Route53ChangeInstanceRecords;
    expect(change.Action).toBe('route53:ChangeResourceRecordSets');
    expect(change.Resource).toEqual(ZONES.split(',').map((z) => ({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:route53:::hostedzone/${z}`]] })));
    expect(change.Condition).toEqual({ 'ForAllValues:StringEquals': { 'route53:ChangeResourceRecordSetsRecordTypes': [...INSTANCE_RECORD_TYPES] } });
    expect(bySid.RegistryItems).toMatchObject({ Action: [...INSTANCE_DYNAMODB_ACTIONS], Resource: { 'Fn::GetAtt': [logicalId(on.stack, on.stack.table), 'Arn'] } });
    expect(bySid.PublishAlerts).toMatchObject({ Action: 'sns:Publish', Resource: { Ref: logicalId(on.stack, on.stack.alerts) } });
    // the rest: writing its own logs and sending to its DLQ, nothing else
    const others = statements.filter((s: any) => !s.Sid).flatMap((s: any) => [s.Action].flat());
    expect(new Set(others)).toEqual(new Set(['logs:CreateLogStream', 'logs:PutLogEvents', 'sqs:SendMessage']));
    const all = statements.flatMap((s: any) => [s.Action].flat());
    for (const forbidden of ['route53:CreateHostedZone', 'route53:AssociateVPCWithHostedZone', 'route53:*', 'ec2:*', 'dynamodb:Scan']) expect(all).not.toContain(forbidden);
  });

  it('adds association and zone creation only when those options are on', () => {
    const assoc = build({ instanceEvents: 'true', instanceHostedZoneIds: ZONES, instanceAssociateVpc: 'true' });
    const actions = (t: Built) => Object.values(resources(t.template, 'AWS::IAM::Policy')).flatMap((p) => p.Properties.PolicyDocument.Statement).flatMap((s: any) => [s.Action].flat());
    expect(actions(assoc)).toContain('route53:AssociateVPCWithHostedZone');
    expect(actions(assoc)).not.toContain('route53:CreateHostedZone');
    const create = build({ instanceEvents: 'true', instanceHostedZoneIds: ZONES, instanceCreateReverseZones: 'true' });
    expect(actions(create)).toEqual(expect.arrayContaining(['route53:AssociateVPCWithHostedZone', 'route53:CreateHostedZone']));
  });

  it.each([
    ['plain', { instanceEvents: 'true', instanceHostedZoneIds: ZONES }],
    ['with zone management', { instanceEvents: 'true', instanceHostedZoneIds: ZONES, instanceCreateReverseZones: 'true' }],
  ])('passes cdk-nag AwsSolutions with every acknowledgment explained (%s)', { timeout: 90_000 }, (_name, context) => {
    const { app } = build(context);
    const report = new AwsSolutionsChecks(app, { verbose: true }).validateScope(app);
    expect(report.violations.map((v) => `${v.ruleName}: ${v.violatingResources.map((r) => r.constructPath).join(', ')}`)).toEqual([]);
    const acknowledged = app.node
      .findAll()
      .filter((c) => c.node.path.includes('/Instances'))
      .flatMap((c) => c.node.metadata.filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY))
      .flatMap((m) => Object.entries(m.data as Record<string, string>));
    expect(acknowledged.length).toBeGreaterThan(0);
    for (const [, reason] of acknowledged) expect(reason.length).toBeGreaterThan(40);
  });
});
