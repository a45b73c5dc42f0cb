/** Instance registration in the CDK stack: rules, function, dead-letter queue, least-privilege IAM, cdk-nag clean. */
import { Validations } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { INSTANCE_DYNAMODB_ACTIONS, INSTANCE_RECORD_TYPES, INSTANCE_STATES_FORWARDED } from '../../infra/lib/instance-registration.js';
import { EC2_ACTIONS } from '../../src/adapters/ec2/ec2-api.js';
import { loadInstanceSettings } from '../../src/config/instance-env.js';
import { build, logicalId, resources, type Built } from './support.js';
import { stateEvent } from '../instances/events.js';
import { route53World } from '../instances/route53-world.js';
import { instance, VPC } from '../instances/scenarios.js';

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
    expect(Object.values(resources(off.template, 'AWS::Events::Rule')).filter((r) => r.Properties.EventPattern)).toEqual([]); // the challenge expiry's schedule only
    expect(resources(off.template, 'AWS::SQS::Queue')).toEqual({});
    expect(() => build({ instanceEvents: 'true' })).toThrow(/instanceHostedZoneIds/);
  });

  it('has a rule for the five state changes and one for instance tag changes, both targeting the function with the DLQ', () => {
    const rules = Object.values(resources(on.template, 'AWS::Events::Rule'))
      .map((r) => r.Properties)
      .filter((r) => r.EventPattern); // not the challenge expiry's schedule
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

/** The string an ARN or value in the template stands for (the partition is `aws`). */
function resolve(value: unknown): string {
  if (typeof value === 'string') return value;
  const v = value as Record<string, any>;
  if (v.Ref === 'AWS::Partition') return 'aws';
  if (v['Fn::Join']) return (v['Fn::Join'][1] as unknown[]).map(resolve).join(v['Fn::Join'][0]);
  throw new Error(`test bug: cannot resolve ${JSON.stringify(value)}`);
}
const like = (pattern: string, value: string) => new RegExp(`^${pattern.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`).test(value);

/**
 * Whether one of `statements` allows route53:ChangeResourceRecordSets of this batch in this zone:
 * the resource, and the two ForAllValues conditions the policy uses (record types, normalized names).
 */
function allowsChange(statements: any[], zoneId: string, changes: { ResourceRecordSet: { Name: string; Type: string } }[]): boolean {
  const arn = `arn:aws:route53:::hostedzone/${zoneId}`;
  const context: Record<string, string[]> = {
    'route53:ChangeResourceRecordSetsRecordTypes': changes.map((c) => c.ResourceRecordSet.Type),
    'route53:ChangeResourceRecordSetsNormalizedRecordNames': changes.map((c) => c.ResourceRecordSet.Name.toLowerCase().replace(/\.$/, '')),
  };
  return statements.some((s) => {
    if (s.Effect !== 'Allow' || ![s.Action].flat().includes('route53:ChangeResourceRecordSets')) return false;
    if (![s.Resource].flat().map(resolve).some((r) => like(r, arn))) return false;
    return Object.entries((s.Condition ?? {}) as Record<string, Record<string, string[]>>).every(([operator, keys]) =>
      Object.entries(keys).every(([key, allowed]) => {
        const match = operator === 'ForAllValues:StringEquals' ? (v: string) => allowed.includes(v) : operator === 'ForAllValues:StringLike' ? (v: string) => allowed.some((p) => like(p, v)) : undefined;
        if (!match) throw new Error(`test bug: condition operator ${operator}`);
        return (context[key] ?? []).every(match);
      }),
    );
  });
}

const roleStatements = (b: Built): any[] => {
  const fn = Object.values(resources(b.template, 'AWS::Lambda::Function')).find((r) => r.Properties.Environment?.Variables?.SIGNPOST_INSTANCE_HOSTED_ZONE_IDS)!;
  const roleId = fn.Properties.Role['Fn::GetAtt'][0];
  return Object.values(resources(b.template, 'AWS::IAM::Policy'))
    .filter((p) => p.Properties.Roles.some((r: any) => r.Ref === roleId))
    .flatMap((p) => p.Properties.PolicyDocument.Statement);
};
/** The function's environment as synthesized (tokens such as the table name left out). */
const functionEnvOf = (b: Built): Record<string, string> => {
  const fn = Object.values(resources(b.template, 'AWS::Lambda::Function')).find((r) => r.Properties.Environment?.Variables?.SIGNPOST_INSTANCE_HOSTED_ZONE_IDS)!;
  return Object.fromEntries(Object.entries(fn.Properties.Environment.Variables as Record<string, unknown>).filter((e): e is [string, string] => typeof e[1] === 'string'));
};

describe('reverse zones Signpost creates (-c instanceCreateReverseZones=true)', () => {
  it('the function, run with the template’s settings, makes only record changes the template’s policy allows, in the listed zones and in the zones it created', { timeout: 60_000 }, async () => {
    let built: Built | undefined;
    const w = await route53World({
      functionEnv: (ids) => functionEnvOf((built = build({ instanceEvents: 'true', instanceHostedZoneIds: ids.join(','), instanceCreateReverseZones: 'true' }))),
    });
    const statements = roleStatements(built!);
    w.ec2.addSubnet('subnet-0c3', VPC, '10.2.0.0/16');
    const tags = { 'signpost:zone': 'corp.example', 'signpost:name': 'web', 'signpost:cname': 'www' };
    w.ec2.launch(instance({ subnetId: 'subnet-0c3', privateIp: '10.2.3.4', ipv6: ['2001:db8::5'], tags }));
    w.ec2.launch(instance({ id: 'i-0fedcba9876543210', subnetId: 'subnet-0c3', privateIp: '10.2.3.5', publicIp: '203.0.113.10', tags: { 'signpost:zone': 'split.example' } }));
    expect(await w.send(stateEvent(instance().id, 'running', 1))).toEqual({ ok: true });
    expect(await w.send(stateEvent('i-0fedcba9876543210', 'running', 2))).toEqual({ ok: true });
    w.ec2.forget(instance().id);
    expect(await w.send(stateEvent(instance().id, 'terminated', 3))).toEqual({ ok: true });
    expect(w.alerts).toEqual([]);

    const created = (await w.r53.listHostedZones({})).HostedZones.find((z) => z.Name === '2.10.in-addr.arpa.')!.Id.replace('/hostedzone/', '');
    expect(w.r53.dump(created)).toEqual(['5.3.2.10.in-addr.arpa. PTR 60 ip-10-2-3-5.split.example.']);
    const writes = w.r53.calls.filter((c) => c.method === 'changeResourceRecordSets').map((c) => c.input as { HostedZoneId: string; ChangeBatch: { Changes: any[] } });
    expect(writes.some((c) => c.HostedZoneId === created)).toBe(true);
    for (const c of writes) expect({ zone: c.HostedZoneId, allowed: allowsChange(statements, c.HostedZoneId, c.ChangeBatch.Changes) }).toEqual({ zone: c.HostedZoneId, allowed: true });

    // and no more: other types or names in the created zone, or anything in an unlisted zone, are denied
    const ptr = { ResourceRecordSet: { Name: '6.3.2.10.in-addr.arpa.', Type: 'PTR' } };
    expect(allowsChange(statements, created, [ptr])).toBe(true);
    expect(allowsChange(statements, created, [{ ResourceRecordSet: { Name: '6.3.2.10.in-addr.arpa.', Type: 'A' } }])).toBe(false);
    expect(allowsChange(statements, 'ZSOMEONEELSE', [{ ResourceRecordSet: { Name: 'www.example.org.', Type: 'PTR' } }])).toBe(false);
    expect(allowsChange(statements, 'ZSOMEONEELSE', [ptr, { ResourceRecordSet: { Name: 'www.example.org.', Type: 'A' } }])).toBe(false);
    // with creation off, nothing outside the listed zones
    expect(allowsChange(roleStatements(on), created, [ptr])).toBe(false);
  });
});
