/**
 * ACME challenge expiry on AWS: an EventBridge schedule invokes a small
 * function (src/entrypoints/lambda/challenge-sweep.ts) every few minutes,
 * which drops the challenge values past their lifetime from the store and
 * from Route 53. On Node the server's own timer does this; a Lambda has no
 * timer that outlives a request.
 *
 * Least privilege: the table's item operations the challenge rows use, and
 * Route 53 changes of TXT records only, only at challenge names
 * (`_acme-challenge.…`) and acme-dns subdomains in the stack's zones.
 */
import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { Effect, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { Function as BundledFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { alertOnAny } from './alarms.js';
import { lambdaEntry } from './bundling.js';
import { SignpostFunction } from './lambda-function.js';

export const CHALLENGE_SWEEP_ENTRY = lambdaEntry('challenge-sweep');

/** How often expired values are swept: a value outlives its lifetime by at most this. */
export const CHALLENGE_SWEEP_RATE = Duration.minutes(5);

/**
 * The table operations a sweep makes (src/adapters/store/dynamodb.ts): one
 * Query of the challenge rows' item collection, then per expired name a
 * read, a conditional write or delete, and the reads of the owner sources
 * (GetItem). No index, no scan.
 */
export const CHALLENGE_SWEEP_DYNAMODB_ACTIONS = ['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:PutItem', 'dynamodb:DeleteItem'] as const;

export interface ChallengeExpiryProps {
  readonly stage: string;
  readonly table: ITable;
  readonly alerts: ITopic;
  readonly zones: readonly { readonly zoneName: string; readonly hostedZoneId: string }[];
  /** The acme-dns zone (SIGNPOST_ACME_DNS_ZONE) whose subdomains hold acme-dns values. */
  readonly acmeDnsZone: string;
  /** The HTTP function's environment: the sweep reads the same settings (zones, lifetime, TTL). */
  readonly environment: Readonly<Record<string, string>>;
  readonly logRetention: RetentionDays;
}

export class ChallengeExpiry extends Construct {
  readonly function: BundledFunction;
  readonly rule: Rule;
  readonly role: Role;

  constructor(scope: Construct, id: string, props: ChallengeExpiryProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const logGroup = new LogGroup(this, 'Logs', { retention: props.logRetention, removalPolicy: RemovalPolicy.DESTROY });
    this.role = new Role(this, 'Role', { assumedBy: new ServicePrincipal('lambda.amazonaws.com'), description: `Signpost ${props.stage} challenge expiry` });
    logGroup.grantWrite(this.role);

    this.function = new SignpostFunction(this, 'Function', {
      entry: CHALLENGE_SWEEP_ENTRY,
      memorySize: 256,
      timeout: Duration.minutes(1),
      role: this.role,
      logGroup,
      // One sweep at a time; a missed or failed run is caught up by the next one, so no retries.
      reservedConcurrentExecutions: 1,
      retryAttempts: 0,
      environment: { ...props.environment },
    });

    const allow = (sid: string, actions: readonly string[], resources: string[], conditions?: Record<string, unknown>) =>
      this.role.addToPolicy(new PolicyStatement({ sid, effect: Effect.ALLOW, actions: [...actions], resources, ...(conditions ? { conditions } : {}) }));
    const zoneArns = props.zones.map((z) => `arn:${stack.partition}:route53:::hostedzone/${z.hostedZoneId}`);
    allow('Route53ExpireChallengeValues', ['route53:ChangeResourceRecordSets'], zoneArns, {
      'ForAllValues:StringEquals': { 'route53:ChangeResourceRecordSetsRecordTypes': ['TXT'] },
      'ForAllValues:StringLike': { 'route53:ChangeResourceRecordSetsNormalizedRecordNames': challengeNamePatterns(props.zones.map((z) => z.zoneName), props.acmeDnsZone) },
    });
    allow('Route53ReadOwnZones', ['route53:ListResourceRecordSets'], zoneArns);
    allow('Route53ListZones', ['route53:ListHostedZones'], ['*']);
    allow('ChallengeRows', CHALLENGE_SWEEP_DYNAMODB_ACTIONS, [props.table.tableArn]);

    this.rule = new Rule(this, 'Schedule', {
      description: 'Signpost: drop ACME challenge values past their lifetime',
      schedule: Schedule.rate(CHALLENGE_SWEEP_RATE),
      targets: [new LambdaFunction(this.function, { retryAttempts: 0 })],
    });
    alertOnAny(this, 'ErrorsAlarm', this.function.metricErrors({ period: CHALLENGE_SWEEP_RATE, statistic: 'Sum' }), 'Signpost challenge expiry failed (the next run retries)', props.alerts);

    const policy = this.role.node.tryFindChild('DefaultPolicy')!;
    Validations.of(policy).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'route53:ListHostedZones supports no resource-level permissions (read-only listing; the provider finds zones by suffix).',
    });
  }
}

/** Record names a sweep may change: challenge names in each zone, acme-dns subdomains. */
export function challengeNamePatterns(zones: readonly string[], acmeDnsZone: string): string[] {
  return [...zones.flatMap((zone) => [`_acme-challenge.${zone}`, `_acme-challenge.*.${zone}`]), `*.${acmeDnsZone}`];
}
