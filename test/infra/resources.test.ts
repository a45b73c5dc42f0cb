/** Function, table, least-privilege IAM, alerts, and the optional custom domain and static egress variants. */
import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { LAMBDA_ARCH } from '../../infra/lib/bundling.js';
import { DYNAMODB_ACTIONS, ROUTE53_RECORD_TYPES } from '../../infra/lib/signpost-stack.js';
import { GLOBAL_SECONDARY_INDEXES, TABLE_KEYS } from '../../src/adapters/store/dynamodb-schema.js';
import { loadLambdaSettings } from '../../src/config/lambda-env.js';
import { addStack, build, logicalId, resources, testApp, type Built } from './support.js';

let plain: Built;
beforeAll(() => {
  plain = build();
});

const partitionArn = (suffix: string) => ({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, suffix]] });

describe('the HTTP function', () => {
  it('runs Node 24 on the architecture whose Argon2 binary is bundled, with its config in the environment', () => {
    const fns = resources(plain.template, 'AWS::Lambda::Function');
    expect(Object.keys(fns)).toHaveLength(2); // and the challenge expiry (test/infra/challenge-expiry.test.ts)
    const fn = fns[logicalId(plain.stack, plain.stack.httpFunction)]!.Properties;
    expect(fn).toMatchObject({
      Runtime: 'nodejs24.x',
      Architectures: [LAMBDA_ARCH],
      Handler: 'index.handler',
      MemorySize: 1024,
      Timeout: 20,
      LoggingConfig: { LogGroup: { Ref: logicalId(plain.stack, plain.stack.httpFunction.logGroup as never) } },
    });
    expect(fn.ReservedConcurrentExecutions).toBeUndefined();
    expect(fn.VpcConfig).toBeUndefined();
    expect(fn.Environment.Variables).toEqual({
      NODE_ENV: 'production',
      SIGNPOST_TABLE_NAME: { Ref: logicalId(plain.stack, plain.stack.table) },
      SIGNPOST_ZONES: 'dyn.example.com',
      SIGNPOST_HOSTED_ZONE_IDS: 'Z0123456789ABCDEFGHIJ',
      SIGNPOST_ZONE_VISIBILITY: 'public',
      SIGNPOST_ROUTE53_WAIT_SECONDS: '0',
      SIGNPOST_TTL: '60',
      SIGNPOST_ACME_DNS_ZONE: 'acme.dyn.example.com',
      SIGNPOST_ADMIN_AUTH: 'api-gateway',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', // every function (infra/lib/lambda-function.ts)
    });
    // the environment is what the entry point's own loader accepts
    const settings = loadLambdaSettings({ ...fn.Environment.Variables, SIGNPOST_TABLE_NAME: 'signpost-test-table' });
    expect(settings).toMatchObject({
      tableName: 'signpost-test-table',
      zonesConfigured: true,
      route53: { visibility: 'public', hostedZoneIds: ['Z0123456789ABCDEFGHIJ'], waitForSyncMs: 0 },
      admin: { mode: 'api-gateway' },
    });
    expect(settings.core.zones).toEqual(['dyn.example.com']);
  });

  it('keeps its logs for the configured retention', () => {
    const logs = resources(plain.template, 'AWS::Logs::LogGroup');
    const id = logicalId(plain.stack, plain.stack.httpFunction.logGroup as never);
    expect(logs[id]!.Properties.RetentionInDays).toBe(30);
    for (const group of Object.values(logs)) expect(group.Properties.RetentionInDays).toBeGreaterThan(0);
    const custom = build({ logRetentionDays: '90', reservedConcurrency: '5', memorySize: '512' });
    custom.template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 90 });
    custom.template.hasResourceProperties('AWS::Lambda::Function', { ReservedConcurrentExecutions: 5, MemorySize: 512 });
  });
});

describe('the table', () => {
  it('is on-demand with point-in-time recovery and the store schema keys and indexes', () => {
    const tables = Object.values(resources(plain.template, 'AWS::DynamoDB::Table'));
    expect(tables).toHaveLength(1);
    expect(tables[0]!.Properties).toMatchObject({
      BillingMode: 'PAY_PER_REQUEST',
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      SSESpecification: { SSEEnabled: true },
      KeySchema: [
        { AttributeName: TABLE_KEYS.partitionKey, KeyType: 'HASH' },
        { AttributeName: TABLE_KEYS.sortKey, KeyType: 'RANGE' },
      ],
      GlobalSecondaryIndexes: GLOBAL_SECONDARY_INDEXES.map((i) => ({
        IndexName: i.indexName,
        KeySchema: [
          { AttributeName: i.partitionKey, KeyType: 'HASH' },
          { AttributeName: i.sortKey, KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'ALL' },
      })),
    });
    expect(tables[0]!.Properties.ProvisionedThroughput).toBeUndefined();
  });

  it('is kept on destroy for prod (and deletion-protected), removed for other stages', () => {
    const table = (b: Built) => Object.values(b.template.toJSON().Resources as Record<string, any>).find((r) => r.Type === 'AWS::DynamoDB::Table');
    expect(table(plain)).toMatchObject({ DeletionPolicy: 'Delete' });
    const prod = build({ stage: 'prod' });
    expect(table(prod)).toMatchObject({ DeletionPolicy: 'Retain', Properties: { DeletionProtectionEnabled: true } });
  });
});

describe('least-privilege IAM', () => {
  const statementsOf = (b: Built) => {
    const role = logicalId(b.stack, b.stack.httpFunction.role as never);
    const policies = Object.values(resources(b.template, 'AWS::IAM::Policy')).filter((p) => JSON.stringify(p.Properties.Roles) === JSON.stringify([{ Ref: role }]));
    return policies.flatMap((p) => p.Properties.PolicyDocument.Statement as Record<string, unknown>[]);
  };

  it('grants exactly: own log group, own hosted zones, read-only zone listing, own table and indexes', () => {
    const table = logicalId(plain.stack, plain.stack.table);
    const logGroup = logicalId(plain.stack, plain.stack.httpFunction.logGroup as never);
    expect(statementsOf(plain)).toEqual([
      { Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Effect: 'Allow', Resource: { 'Fn::GetAtt': [logGroup, 'Arn'] } },
      {
        Sid: 'Route53ChangeOwnZones',
        Action: 'route53:ChangeResourceRecordSets',
        Effect: 'Allow',
        Resource: partitionArn(':route53:::hostedzone/Z0123456789ABCDEFGHIJ'),
        Condition: {
          'ForAllValues:StringEquals': { 'route53:ChangeResourceRecordSetsRecordTypes': [...ROUTE53_RECORD_TYPES] },
          'ForAllValues:StringLike': { 'route53:ChangeResourceRecordSetsNormalizedRecordNames': ['dyn.example.com', '*.dyn.example.com'] },
        },
      },
      { Sid: 'Route53ReadOwnZones', Action: 'route53:ListResourceRecordSets', Effect: 'Allow', Resource: partitionArn(':route53:::hostedzone/Z0123456789ABCDEFGHIJ') },
      { Sid: 'Route53GetChange', Action: 'route53:GetChange', Effect: 'Allow', Resource: partitionArn(':route53:::change/*') },
      { Sid: 'Route53ListZones', Action: 'route53:ListHostedZones', Effect: 'Allow', Resource: '*' },
      {
        Sid: 'DynamoDbOwnTable',
        Action: [...DYNAMODB_ACTIONS],
        Effect: 'Allow',
        Resource: [{ 'Fn::GetAtt': [table, 'Arn'] }, { 'Fn::Join': ['', [{ 'Fn::GetAtt': [table, 'Arn'] }, '/index/*']] }],
      },
    ]);
    expect(DYNAMODB_ACTIONS.some((a) => /\*|CreateTable|DeleteTable|UpdateTable/.test(a))).toBe(false);
  });

  it('has no managed policies and no other policy on the function role', () => {
    const roles = Object.values(resources(plain.template, 'AWS::IAM::Role'));
    for (const role of roles) expect(role.Properties.ManagedPolicyArns).toBeUndefined();
    const text = JSON.stringify(plain.template.toJSON());
    expect(text).not.toMatch(/"(route53|dynamodb|sns|logs):\*"/);
  });

  it('scopes record changes to every configured zone and only those', () => {
    const two = build({ zone: 'dyn.example.com,home.example.net', hostedZoneId: 'ZAAAAAAAAAAAAA,ZBBBBBBBBBBBBB' });
    const change = statementsOf(two).find((s) => s.Sid === 'Route53ChangeOwnZones')!;
    expect(change.Resource).toEqual([partitionArn(':route53:::hostedzone/ZAAAAAAAAAAAAA'), partitionArn(':route53:::hostedzone/ZBBBBBBBBBBBBB')]);
    expect(change.Condition).toMatchObject({
      'ForAllValues:StringLike': { 'route53:ChangeResourceRecordSetsNormalizedRecordNames': ['dyn.example.com', '*.dyn.example.com', 'home.example.net', '*.home.example.net'] },
    });
    const fn = Object.values(resources(two.template, 'AWS::Lambda::Function'))[0]!.Properties;
    expect(fn.Environment.Variables).toMatchObject({ SIGNPOST_ZONES: 'dyn.example.com,home.example.net', SIGNPOST_HOSTED_ZONE_IDS: 'ZAAAAAAAAAAAAA,ZBBBBBBBBBBBBB' });
  });
});

describe('alerts', () => {
  it('has a topic with no subscription unless the context gives one (no address in the code)', () => {
    plain.template.resourceCountIs('AWS::SNS::Topic', 1);
    plain.template.resourceCountIs('AWS::SNS::Subscription', 0);
    expect(JSON.stringify(plain.template.toJSON())).not.toMatch(/[\w.+-]+@[\w-]+\.[\w.]+/);
  });

  it('subscribes the e-mail addresses and https endpoints from the context', () => {
    const b = build({ alertEmails: 'ops@example.org, oncall@example.org', alertHttpsUrls: 'https://hooks.example.org/signpost' });
    const subs = Object.values(resources(b.template, 'AWS::SNS::Subscription')).map((s) => [s.Properties.Protocol, s.Properties.Endpoint]);
    expect(subs.sort()).toEqual([
      ['email', 'oncall@example.org'],
      ['email', 'ops@example.org'],
      ['https', 'https://hooks.example.org/signpost'],
    ]);
  });

  it('alarms on function errors, function throttles and API 5xx, notifying the topic', () => {
    const topic = { Ref: logicalId(plain.stack, plain.stack.alerts) };
    const alarms = Object.values(resources(plain.template, 'AWS::CloudWatch::Alarm')).map((a) => a.Properties);
    // Lambda errors twice: the HTTP function and the challenge expiry (test/infra/challenge-expiry.test.ts)
    expect(alarms.map((a) => `${a.Namespace}/${a.MetricName}`).sort()).toEqual(['AWS/ApiGateway/5XXError', 'AWS/Lambda/Errors', 'AWS/Lambda/Errors', 'AWS/Lambda/Throttles']);
    for (const alarm of alarms) {
      expect(alarm).toMatchObject({
        AlarmActions: [topic],
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        Statistic: 'Sum',
        Period: 300,
        TreatMissingData: 'notBreaching',
      });
    }
    // the topic only accepts TLS publishers
    plain.template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) },
    });
  });
});

describe('custom domain (optional)', () => {
  it('is absent by default', () => {
    plain.template.resourceCountIs('AWS::CertificateManager::Certificate', 0);
    plain.template.resourceCountIs('AWS::ApiGateway::DomainName', 0);
    plain.template.resourceCountIs('AWS::Route53::RecordSet', 0);
  });

  it('adds an ACM certificate validated in the hosted zone, the domain mapping and alias records', () => {
    const b = build({ domainName: 'ddns.dyn.example.com' });
    b.template.hasResourceProperties('AWS::CertificateManager::Certificate', {
      DomainName: 'ddns.dyn.example.com',
      ValidationMethod: 'DNS',
      DomainValidationOptions: [{ DomainName: 'ddns.dyn.example.com', HostedZoneId: 'Z0123456789ABCDEFGHIJ' }],
    });
    b.template.hasResourceProperties('AWS::ApiGateway::DomainName', {
      DomainName: 'ddns.dyn.example.com',
      EndpointConfiguration: { Types: ['REGIONAL'] },
      SecurityPolicy: 'TLS_1_2',
    });
    b.template.hasResourceProperties('AWS::ApiGateway::BasePathMapping', { RestApiId: { Ref: logicalId(b.stack, b.stack.api) } });
    const records = Object.values(resources(b.template, 'AWS::Route53::RecordSet')).map((r) => r.Properties);
    expect(records.map((r) => r.Type).sort()).toEqual(['A', 'AAAA']);
    for (const r of records) expect(r).toMatchObject({ Name: 'ddns.dyn.example.com.', HostedZoneId: 'Z0123456789ABCDEFGHIJ', AliasTarget: expect.any(Object) });
    expect(Object.keys(b.template.toJSON().Outputs)).toContain('CustomDomainUpdateUrl');
  });

  it('refuses a domain outside the zones, or with a private zone', () => {
    expect(() => build({ domainName: 'ddns.example.org' })).toThrow(/domainName: must be inside one of the zones/);
    expect(() => build({ domainName: 'ddns.dyn.example.com', privateZone: 'true' })).toThrow(/public hosted zone/);
  });
});

describe('static egress IP (optional)', () => {
  it('is absent by default', () => {
    for (const type of ['AWS::EC2::VPC', 'AWS::EC2::NatGateway', 'AWS::EC2::EIP']) plain.template.resourceCountIs(type, 0);
  });

  it('puts the function in private subnets behind one NAT gateway with an Elastic IP', () => {
    const b = build({ staticEgressIp: 'true' });
    b.template.resourceCountIs('AWS::EC2::VPC', 1);
    b.template.resourceCountIs('AWS::EC2::NatGateway', 1);
    const eips = resources(b.template, 'AWS::EC2::EIP');
    expect(Object.keys(eips)).toHaveLength(1);
    const eipId = Object.keys(eips)[0]!;
    b.template.hasResourceProperties('AWS::EC2::NatGateway', { AllocationId: { 'Fn::GetAtt': [eipId, 'AllocationId'] } });
    expect(b.template.toJSON().Outputs.EgressIp.Value).toEqual({ Ref: eipId });

    const privateSubnets = b.stack.node.findAll().filter((c) => c.node.path.includes('/Vpc/privateSubnet') && c.node.id === 'Subnet');
    expect(privateSubnets).toHaveLength(2);
    const fn = Object.values(resources(b.template, 'AWS::Lambda::Function'))[0]!.Properties;
    expect(fn.VpcConfig.SubnetIds).toEqual(privateSubnets.map((s) => ({ Ref: b.stack.getLogicalId(s as never) })));
    expect(fn.VpcConfig.SecurityGroupIds).toHaveLength(1);
    // private subnets route to the internet only through the NAT gateway; DynamoDB through a free gateway endpoint
    for (const route of Object.values(resources(b.template, 'AWS::EC2::Route'))) {
      if (JSON.stringify(route.Properties.RouteTableId).includes('privateSubnet')) expect(route.Properties.NatGatewayId).toBeDefined();
    }
    b.template.hasResourceProperties('AWS::EC2::VPCEndpoint', { VpcEndpointType: 'Gateway', ServiceName: Match.objectLike({}) });
    b.template.hasResourceProperties('AWS::EC2::FlowLog', { TrafficType: 'REJECT' });
    // the network-interface permissions a function in a VPC needs, in their own policy
    b.template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: [Match.objectLike({ Sid: 'LambdaVpcNetworkInterfaces', Action: Match.arrayWith(['ec2:CreateNetworkInterface']), Resource: '*' })] },
    });
  });
});

describe('stages', () => {
  it('names the stack and its named resources after the stage, so dev and prod coexist in one account', () => {
    const app = testApp();
    const stacks = [addStack(app, { stage: 'dev' }), addStack(app, { stage: 'prod' })];
    const [dev, prod] = stacks.map((stack) => ({ app, stack, template: Template.fromStack(stack) })) as [Built, Built];
    expect([dev.stack.stackName, prod.stack.stackName]).toEqual(['Signpost-dev', 'Signpost-prod']);
    const names = (b: Built) => {
      const out: string[] = [];
      for (const r of Object.values(resources(b.template))) for (const key of ['Name', 'UsagePlanName', 'StageName']) if (typeof r.Properties?.[key] === 'string') out.push(r.Properties[key]);
      return out;
    };
    const devNames = names(dev);
    expect(devNames).toEqual(expect.arrayContaining(['signpost-dev', 'signpost-dev-admin', 'dev']));
    for (const name of names(prod)) if (!['createUser', 'setPassword', 'setAdmin', 'grant', 'createToken', 'setAddresses', 'body-and-parameters'].includes(name)) expect(devNames).not.toContain(name);
  });

  it('rejects missing or malformed context with the flag to fix', () => {
    expect(() => build({ zone: undefined })).toThrow(/-c zone: required/);
    expect(() => build({ hostedZoneId: 'not-a-zone' })).toThrow(/-c hostedZoneId/);
    expect(() => build({ zone: 'a.example.com,b.example.com' })).toThrow(/one hosted zone id per zone/);
    expect(() => build({ stage: 'Prod!' })).toThrow(/-c stage/);
    expect(() => build({ alertEmails: 'not-an-address' })).toThrow(/-c alertEmails/);
    expect(() => build({ alertHttpsUrls: 'http://insecure.example.org' })).toThrow(/-c alertHttpsUrls/);
    expect(() => build({ logRetentionDays: '10' })).toThrow(/-c logRetentionDays/);
  });

  it('passes the private-zone flag and the INSYNC wait to the function', () => {
    const b = build({ privateZone: 'true' });
    const fn = Object.values(resources(b.template, 'AWS::Lambda::Function'))[0]!.Properties;
    expect(fn.Environment.Variables.SIGNPOST_ZONE_VISIBILITY).toBe('private');
    const wait = Object.values(resources(build({ route53WaitSeconds: '10' }).template, 'AWS::Lambda::Function'))[0]!.Properties;
    expect(wait.Environment.Variables.SIGNPOST_ROUTE53_WAIT_SECONDS).toBe('10');
  });
});
