/**
 * Instance registration on AWS (issue 5): EventBridge rules for EC2
 * state changes and instance tag changes → one Lambda
 * (src/entrypoints/lambda/ec2-event.ts) → Route 53 records, the instance
 * registry in the store's DynamoDB table, alerts to the stack's SNS topic.
 *
 * Failures: the function throws after alerting; Lambda retries the
 * asynchronous invocation twice, EventBridge retries delivery, and both then
 * put the event in an encrypted SQS dead-letter queue whose first message
 * raises an alarm. IAM is least privilege: exactly the EC2 describe calls
 * and Route 53 calls the code makes (src/adapters/ec2/ec2-api.ts,
 * src/adapters/dns/route53*.ts), record changes only of the types written
 * and only in the configured hosted zones, plus (when reverse zones are
 * created) PTR records under in-addr.arpa in any zone: a zone created at run
 * time cannot be named in advance.
 */
import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { alertOnAny } from './alarms.js';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { Rule, type IRuleTarget } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { Effect, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { Function as BundledFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { EC2_ACTIONS } from '../../src/adapters/ec2/ec2-api.js';
import { lambdaEntry } from './bundling.js';
import { SignpostFunction } from './lambda-function.js';

/** Bundled like every function (infra/lib/bundling.ts, LAMBDA_ENTRIES). */
export const INSTANCE_ENTRY = lambdaEntry('ec2-event');

/** The states whose events the rule forwards: running creates records, the others remove them. */
export const INSTANCE_STATES_FORWARDED = ['running', 'stopping', 'stopped', 'shutting-down', 'terminated'] as const;

/** Record types instance registration writes (src/domain/instances/records.ts). */
export const INSTANCE_RECORD_TYPES = ['A', 'AAAA', 'CNAME', 'PTR'] as const;

/** Reverse zones Signpost creates lie under this name (src/adapters/dns/route53-private-zones.ts recognises them). */
export const REVERSE_ZONE_SUFFIX = 'in-addr.arpa';

/** The registry's item operations (src/adapters/store/instance-registry-dynamodb.ts; `list` is not used on Lambda). */
export const INSTANCE_DYNAMODB_ACTIONS = ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:DeleteItem'] as const;

export interface InstanceRegistrationProps {
  readonly stage: string;
  readonly table: ITable;
  readonly alerts: ITopic;
  /** Hosted zones (public and private) instance records may be written to. */
  readonly hostedZoneIds: readonly string[];
  readonly ttl: number;
  readonly logRetention: RetentionDays;
  readonly associateVpc: boolean;
  readonly createReverseZones: boolean;
}

export class InstanceRegistration extends Construct {
  readonly function: BundledFunction;
  readonly deadLetterQueue: Queue;
  readonly stateRule: Rule;
  readonly tagRule: Rule;
  readonly role: Role;

  constructor(scope: Construct, id: string, props: InstanceRegistrationProps) {
    super(scope, id);
    const stack = Stack.of(this);

    this.deadLetterQueue = new Queue(this, 'DeadLetters', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });

    const logGroup = new LogGroup(this, 'Logs', { retention: props.logRetention, removalPolicy: RemovalPolicy.DESTROY });
    this.role = new Role(this, 'Role', { assumedBy: new ServicePrincipal('lambda.amazonaws.com'), description: `Signpost ${props.stage} instance registration` });
    logGroup.grantWrite(this.role);

    this.function = new SignpostFunction(this, 'Function', {
      entry: INSTANCE_ENTRY,
      memorySize: 512,
      timeout: Duration.seconds(60),
      role: this.role,
      logGroup,
      // Events for one instance are serialised per container only; a small ceiling keeps Route 53 under its 5 req/s limit.
      reservedConcurrentExecutions: 5,
      retryAttempts: 2,
      maxEventAge: Duration.hours(6),
      deadLetterQueue: this.deadLetterQueue,
      environment: {
        NODE_ENV: 'production',
        SIGNPOST_TABLE_NAME: props.table.tableName,
        SIGNPOST_ALERT_TOPIC_ARN: props.alerts.topicArn,
        SIGNPOST_INSTANCE_HOSTED_ZONE_IDS: props.hostedZoneIds.join(','),
        SIGNPOST_INSTANCE_TTL: String(props.ttl),
        SIGNPOST_INSTANCE_ASSOCIATE_VPC: String(props.associateVpc),
        SIGNPOST_INSTANCE_CREATE_REVERSE_ZONES: String(props.createReverseZones),
      },
    });

    // ── least privilege ────────────────────────────────────────────────
    const zoneArns = props.hostedZoneIds.map((z) => `arn:${stack.partition}:route53:::hostedzone/${z}`);
    const allow = (sid: string, actions: readonly string[], resources: string[], conditions?: Record<string, unknown>) =>
      this.role.addToPolicy(new PolicyStatement({ sid, effect: Effect.ALLOW, actions: [...actions], resources, ...(conditions ? { conditions } : {}) }));
    allow('Ec2DescribeInstancesAndVpcs', EC2_ACTIONS, ['*']);
    allow('Route53ChangeInstanceRecords', ['route53:ChangeResourceRecordSets'], zoneArns, {
      'ForAllValues:StringEquals': { 'route53:ChangeResourceRecordSetsRecordTypes': [...INSTANCE_RECORD_TYPES] },
    });
    allow('Route53ListZones', ['route53:ListHostedZones', 'route53:ListHostedZonesByVPC'], ['*']);
    if (props.associateVpc || props.createReverseZones) {
      allow('Route53AssociateVpc', ['route53:AssociateVPCWithHostedZone'], props.createReverseZones ? ['*'] : zoneArns);
    }
    if (props.createReverseZones) {
      allow('Route53CreateReverseZones', ['route53:CreateHostedZone'], ['*']);
      // A zone created at run time has no id to list here, and Route 53 authorizes nothing by tag:
      // any hosted zone, but only PTR records under in-addr.arpa (the runtime writes only zones it created).
      allow('Route53ChangeCreatedReverseZones', ['route53:ChangeResourceRecordSets'], [`arn:${stack.partition}:route53:::hostedzone/*`], {
        'ForAllValues:StringEquals': { 'route53:ChangeResourceRecordSetsRecordTypes': ['PTR'] },
        'ForAllValues:StringLike': { 'route53:ChangeResourceRecordSetsNormalizedRecordNames': [`*.${REVERSE_ZONE_SUFFIX}`] },
      });
    }
    allow('RegistryItems', INSTANCE_DYNAMODB_ACTIONS, [props.table.tableArn]);
    allow('PublishAlerts', ['sns:Publish'], [props.alerts.topicArn]);

    // ── events ─────────────────────────────────────────────────────────
    const target = (): IRuleTarget => new LambdaFunction(this.function, { deadLetterQueue: this.deadLetterQueue, retryAttempts: 8, maxEventAge: Duration.hours(6) });
    this.stateRule = new Rule(this, 'StateChanges', {
      description: 'EC2 instance state changes → Signpost instance registration',
      eventPattern: { source: ['aws.ec2'], detailType: ['EC2 Instance State-change Notification'], detail: { state: [...INSTANCE_STATES_FORWARDED] } },
      targets: [target()],
    });
    this.tagRule = new Rule(this, 'TagChanges', {
      description: 'EC2 instance tag changes (tags set after launch) → Signpost instance registration',
      eventPattern: { source: ['aws.tag'], detailType: ['Tag Change on Resource'], detail: { service: ['ec2'], 'resource-type': ['instance'] } },
      targets: [target()],
    });

    alertOnAny(
      this,
      'DeadLettersAlarm',
      this.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5), statistic: 'Maximum' }),
      'Signpost instance events failed after retries and wait in the dead-letter queue',
      props.alerts,
    );
    alertOnAny(
      this,
      'ErrorsAlarm',
      this.function.metricErrors({ period: Duration.minutes(5), statistic: 'Sum' }),
      'Signpost instance registration function errors (each is retried)',
      props.alerts,
    );

    this.acknowledgeNagFindings(props.createReverseZones);
  }

  /** cdk-nag findings accepted on purpose, one finding at a time, each with its reason. */
  private acknowledgeNagFindings(createReverseZones: boolean): void {
    const policy = this.role.node.tryFindChild('DefaultPolicy')!;
    Validations.of(policy).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'EC2 Describe* calls and route53:ListHostedZones/ListHostedZonesByVPC support no resource-level permissions (read-only); ' +
        'CreateHostedZone/AssociateVPCWithHostedZone for reverse zones (only when that option is on) cannot name a zone that does not exist yet.',
    });
    if (createReverseZones) {
      Validations.of(policy).acknowledge({
        id: 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:route53:::hostedzone/*]',
        reason:
          'Reverse zones Signpost creates at run time cannot be named in advance and Route 53 supports no tag conditions: ' +
          'record changes in any zone are limited to PTR records whose names end in in-addr.arpa.',
      });
    }
    Validations.of(this.deadLetterQueue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason: 'This queue is the dead-letter queue of the instance registration function and its EventBridge targets; a DLQ needs no DLQ.',
    });
  }
}
