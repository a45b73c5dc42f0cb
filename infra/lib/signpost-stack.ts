/**
 * Signpost on AWS: API Gateway (REST, v1) → one Lambda running the same Hono
 * app as the Node server → DynamoDB (store) and Route 53 (DNS).
 *
 * The function's environment follows src/config/lambda-env.ts: the table,
 * the zones and their hosted zone ids, the zone visibility (public/private),
 * and SIGNPOST_ADMIN_AUTH=api-gateway: the admin routes require the API
 * Gateway API key (usage plan), and the app accepts only a key that API
 * Gateway validated for the request (`requestContext.identity.apiKey`).
 */
import { CfnOutput, Duration, RemovalPolicy, Stack, Token, Validations, type CfnElement, type StackProps } from 'aws-cdk-lib';
import {
  AccessLogFormat,
  ApiKeySourceType,
  EndpointType,
  LambdaIntegration,
  LogGroupLogDestination,
  MethodLoggingLevel,
  Model,
  RequestValidator,
  ResponseType,
  RestApi,
  SecurityPolicy,
  type IModel,
  type IResource,
  type MethodOptions,
} from 'aws-cdk-lib/aws-apigateway';
import { Certificate, CertificateValidation } from 'aws-cdk-lib/aws-certificatemanager';
import type { IMetric } from 'aws-cdk-lib/aws-cloudwatch';
import { alertOnAny } from './alarms.js';
import { AttributeType, BillingMode, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import { FlowLogDestination, FlowLogTrafficType, GatewayVpcEndpointAwsService, IpAddresses, SubnetType, Vpc } from 'aws-cdk-lib/aws-ec2';
import { Effect, Policy, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import { AaaaRecord, ARecord, HostedZone, RecordTarget } from 'aws-cdk-lib/aws-route53';
import { ApiGatewayDomain } from 'aws-cdk-lib/aws-route53-targets';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription, UrlSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type { Construct } from 'constructs';
import { HTTP_ROUTES, routeKey, type HttpRoute } from '../../src/adapters/http/routes.js';
import { adminJsonSchemas } from '../../src/app/schemas.js';
import { GLOBAL_SECONDARY_INDEXES, TABLE_KEYS } from '../../src/adapters/store/dynamodb-schema.js';
import { LAMBDA_ENTRIES } from './bundling.js';
import type { SignpostConfig } from './config.js';
import { ChallengeExpiry } from './challenge-expiry.js';
import { CHECKIP_METHOD_OPTIONS, checkipIntegration, GATEWAY_ANSWERED_ROUTES } from './checkip.js';
import { InstanceRegistration } from './instance-registration.js';
import { toDraft04 } from './json-schema.js';
import { SignpostFunction } from './lambda-function.js';

/** Record types the function may change in Route 53: host addresses, ACME challenge values (TXT) and acme-dns delegations (CNAME). */
export const ROUTE53_RECORD_TYPES = ['A', 'AAAA', 'TXT', 'CNAME'] as const;

/** The table actions the DynamoDB store uses (no streams, no table management). */
export const DYNAMODB_ACTIONS = [
  'dynamodb:GetItem',
  'dynamodb:BatchGetItem',
  'dynamodb:Query',
  'dynamodb:Scan',
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
  'dynamodb:BatchWriteItem',
  'dynamodb:ConditionCheckItem',
] as const;

type AdminModel = keyof ReturnType<typeof adminJsonSchemas>;

/**
 * App routes API Gateway does not route, and why. Every other route of the
 * app's table (HTTP_ROUTES, src/adapters/http/routes.ts) gets an API Gateway
 * method: the app's table is the one list of routes.
 */
export const UNROUTED: Readonly<Record<string, string>> = {
  'GET /metrics': 'the counters of one Lambda container mean nothing to a scraper, and would be public',
  'POST /events/ec2': 'EventBridge invokes the instance-event function directly (instance-registration.ts)',
  // TSIG keys sign RFC 2136 UPDATEs to the built-in DNS server, which only the self-hosted process runs.
  ...Object.fromEntries(
    ['POST /users/:username/tsig-keys', 'GET /users/:username/tsig-keys', 'DELETE /users/:username/tsig-keys/:name'].map((route) => [route, 'self-hosted only: RFC 2136 UPDATE (and so TSIG) is served by the built-in DNS server, not on AWS']),
  ),
};

/** The app's routes API Gateway routes, with paths in its syntax (`{name}` for `:name`). */
export const GATEWAY_ROUTES: readonly (HttpRoute & { readonly gatewayPath: string })[] = HTTP_ROUTES.filter((r) => !(routeKey(r) in UNROUTED)).map((r) => ({
  ...r,
  gatewayPath: r.path.replace(/:(\w+)/g, '{$1}'),
}));

export interface SignpostStackProps extends StackProps {
  readonly config: SignpostConfig;
}

export class SignpostStack extends Stack {
  readonly api: RestApi;
  readonly table: Table;
  readonly httpFunction: LambdaFunction;
  readonly alerts: Topic;
  readonly challengeExpiry: ChallengeExpiry;

  constructor(scope: Construct, id: string, props: SignpostStackProps) {
    super(scope, id, props);
    const { config } = props;
    const removalPolicy = config.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;

    // ── store ──────────────────────────────────────────────────────────
    this.table = new Table(this, 'Table', {
      partitionKey: { name: TABLE_KEYS.partitionKey, type: AttributeType.STRING },
      sortKey: { name: TABLE_KEYS.sortKey, type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: TableEncryption.AWS_MANAGED,
      deletionProtection: config.retainData,
      removalPolicy,
    });
    for (const index of GLOBAL_SECONDARY_INDEXES) {
      this.table.addGlobalSecondaryIndex({
        indexName: index.indexName,
        partitionKey: { name: index.partitionKey, type: AttributeType.STRING },
        sortKey: { name: index.sortKey, type: AttributeType.STRING },
      });
    }

    // ── alerts ─────────────────────────────────────────────────────────
    this.alerts = new Topic(this, 'Alerts', { displayName: `Signpost ${config.stage} alerts`, enforceSSL: true });
    for (const email of config.alertEmails) this.alerts.addSubscription(new EmailSubscription(email));
    for (const url of config.alertHttpsUrls) this.alerts.addSubscription(new UrlSubscription(url));

    // ── optional static egress: private subnets behind one NAT gateway with an Elastic IP ──
    const vpc = config.staticEgressIp
      ? new Vpc(this, 'Vpc', {
          ipAddresses: IpAddresses.cidr('10.80.0.0/20'),
          maxAzs: 2,
          natGateways: 1,
          subnetConfiguration: [
            { name: 'public', subnetType: SubnetType.PUBLIC, cidrMask: 24 },
            { name: 'private', subnetType: SubnetType.PRIVATE_WITH_EGRESS, cidrMask: 24 },
          ],
          gatewayEndpoints: { DynamoDb: { service: GatewayVpcEndpointAwsService.DYNAMODB } },
          flowLogs: {
            rejected: {
              trafficType: FlowLogTrafficType.REJECT,
              destination: FlowLogDestination.toCloudWatchLogs(
                new LogGroup(this, 'FlowLogs', { retention: config.logRetention, removalPolicy: RemovalPolicy.DESTROY }),
              ),
            },
          },
        })
      : undefined;

    // ── the function ───────────────────────────────────────────────────
    const acmeDnsZone = `acme.${config.zones[0]!.zoneName}`;
    const http = LAMBDA_ENTRIES.find((e) => e.name === 'http')!;
    const logGroup = new LogGroup(this, 'HttpLogs', { retention: config.logRetention, removalPolicy: RemovalPolicy.DESTROY });
    const role = new Role(this, 'HttpRole', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `Signpost ${config.stage} HTTP function`,
    });
    logGroup.grantWrite(role);

    const functionEnvironment = {
      NODE_ENV: 'production',
      SIGNPOST_TABLE_NAME: this.table.tableName,
      SIGNPOST_ZONES: config.zones.map((z) => z.zoneName).join(','),
      SIGNPOST_HOSTED_ZONE_IDS: config.zones.map((z) => z.hostedZoneId).join(','),
      SIGNPOST_ZONE_VISIBILITY: config.privateZone ? 'private' : 'public',
      SIGNPOST_ROUTE53_WAIT_SECONDS: String(config.route53WaitSeconds),
      SIGNPOST_TTL: String(config.ttl),
      // named, not defaulted, so the sweep's IAM names the same zone the function writes
      SIGNPOST_ACME_DNS_ZONE: acmeDnsZone,
    };
    this.httpFunction = new SignpostFunction(this, 'Http', {
      entry: http,
      memorySize: config.memorySize,
      timeout: Duration.seconds(20),
      role,
      logGroup,
      ...(config.reservedConcurrency !== undefined ? { reservedConcurrentExecutions: config.reservedConcurrency } : {}),
      ...(vpc ? { vpc, vpcSubnets: { subnetType: SubnetType.PRIVATE_WITH_EGRESS } } : {}),
      environment: { ...functionEnvironment, SIGNPOST_ADMIN_AUTH: 'api-gateway' },
    });

    // ── least privilege ────────────────────────────────────────────────
    const zoneArns = config.zones.map((z) => `arn:${this.partition}:route53:::hostedzone/${z.hostedZoneId}`);
    role.addToPolicy(
      new PolicyStatement({
        sid: 'Route53ChangeOwnZones',
        effect: Effect.ALLOW,
        actions: ['route53:ChangeResourceRecordSets'],
        resources: zoneArns,
        conditions: {
          'ForAllValues:StringEquals': { 'route53:ChangeResourceRecordSetsRecordTypes': [...ROUTE53_RECORD_TYPES] },
          'ForAllValues:StringLike': {
            'route53:ChangeResourceRecordSetsNormalizedRecordNames': config.zones.flatMap((z) => [z.zoneName, `*.${z.zoneName}`]),
          },
        },
      }),
    );
    role.addToPolicy(
      new PolicyStatement({
        sid: 'Route53ReadOwnZones',
        effect: Effect.ALLOW,
        actions: ['route53:ListResourceRecordSets'],
        resources: zoneArns,
      }),
    );
    role.addToPolicy(
      new PolicyStatement({
        sid: 'Route53GetChange',
        effect: Effect.ALLOW,
        actions: ['route53:GetChange'],
        resources: [`arn:${this.partition}:route53:::change/*`],
      }),
    );
    role.addToPolicy(
      new PolicyStatement({
        sid: 'Route53ListZones',
        effect: Effect.ALLOW,
        actions: ['route53:ListHostedZones'],
        resources: ['*'],
      }),
    );
    role.addToPolicy(
      new PolicyStatement({
        sid: 'DynamoDbOwnTable',
        effect: Effect.ALLOW,
        actions: [...DYNAMODB_ACTIONS],
        resources: [this.table.tableArn, `${this.table.tableArn}/index/*`],
      }),
    );
    // In a VPC the function needs its network interfaces (what AWSLambdaVPCAccessExecutionRole grants); CDK adds
    // that only to roles it creates itself. A separate policy, so its wildcard is acknowledged on its own.
    const vpcAccess = vpc
      ? new Policy(this, 'HttpVpcAccess', {
          roles: [role],
          statements: [
            new PolicyStatement({
              sid: 'LambdaVpcNetworkInterfaces',
              effect: Effect.ALLOW,
              actions: [
                'ec2:CreateNetworkInterface',
                'ec2:DescribeNetworkInterfaces',
                'ec2:DescribeSubnets',
                'ec2:DeleteNetworkInterface',
                'ec2:AssignPrivateIpAddresses',
                'ec2:UnassignPrivateIpAddresses',
              ],
              resources: ['*'],
            }),
          ],
        })
      : undefined;
    if (vpcAccess) this.httpFunction.node.addDependency(vpcAccess);

    // ── API ────────────────────────────────────────────────────────────
    const accessLogs = new LogGroup(this, 'ApiAccessLogs', { retention: config.logRetention, removalPolicy: RemovalPolicy.DESTROY });
    this.api = new RestApi(this, 'Api', {
      restApiName: `signpost-${config.stage}`,
      description: `Signpost dynamic DNS (${config.stage})`,
      endpointConfiguration: { types: [EndpointType.REGIONAL] },
      apiKeySourceType: ApiKeySourceType.HEADER,
      cloudWatchRole: false,
      deployOptions: {
        stageName: config.stage,
        accessLogDestination: new LogGroupLogDestination(accessLogs),
        accessLogFormat: AccessLogFormat.jsonWithStandardFields({
          caller: false,
          httpMethod: true,
          ip: true,
          protocol: true,
          requestTime: true,
          resourcePath: true,
          responseLength: true,
          status: true,
          user: false,
        }),
        loggingLevel: MethodLoggingLevel.OFF,
        dataTraceEnabled: false,
        metricsEnabled: true,
        throttlingRateLimit: config.throttle.rateLimit,
        throttlingBurstLimit: config.throttle.burstLimit,
      },
    });
    // Gateway-made errors in the app's error shape ({"error":{"code","message"}}).
    const errorTemplate = (code: string, message: string) => ({ 'application/json': `{"error":{"code":"${code}","message":${message}}}` });
    this.api.addGatewayResponse('BadBody', {
      type: ResponseType.BAD_REQUEST_BODY,
      statusCode: '400',
      templates: errorTemplate('invalid_request', '"$util.escapeJavaScript($context.error.validationErrorString)"'),
    });
    this.api.addGatewayResponse('BadParameters', {
      type: ResponseType.BAD_REQUEST_PARAMETERS,
      statusCode: '400',
      templates: errorTemplate('invalid_request', '$context.error.messageString'),
    });
    this.api.addGatewayResponse('InvalidApiKey', {
      type: ResponseType.INVALID_API_KEY,
      statusCode: '403',
      templates: errorTemplate('admin_key_invalid', '"this endpoint needs a valid X-API-KEY header"'),
    });
    this.api.addGatewayResponse('NoRoute', {
      type: ResponseType.MISSING_AUTHENTICATION_TOKEN,
      statusCode: '404',
      templates: errorTemplate('not_found', '"no such route"'),
    });

    const integration = new LambdaIntegration(this.httpFunction, { proxy: true });
    const validator = new RequestValidator(this, 'Validator', {
      restApi: this.api,
      requestValidatorName: 'body-and-parameters',
      validateRequestBody: true,
      validateRequestParameters: true,
    });
    const models = new Map<AdminModel, IModel>();
    for (const [name, schema] of Object.entries(adminJsonSchemas()) as [AdminModel, unknown][]) {
      models.set(
        name,
        new Model(this, `Model${name[0]!.toUpperCase()}${name.slice(1)}`, {
          restApi: this.api,
          contentType: 'application/json',
          modelName: name,
          schema: toDraft04(schema),
        }),
      );
    }

    // Every app route but the UNROUTED ones. dyndns2, acme-dns, httpreq and /healthz need no API key (each
    // protocol authenticates in the app); admin routes need it, with bodies and path parameters validated.
    // GET checkip is answered by API Gateway itself (checkip.ts): no function invocation.
    const checkip = checkipIntegration();
    for (const route of GATEWAY_ROUTES) {
      const resource = resourceFor(this.api.root, route.gatewayPath);
      if (GATEWAY_ANSWERED_ROUTES.includes(routeKey(route))) {
        resource.addMethod(route.method, checkip, CHECKIP_METHOD_OPTIONS);
        continue;
      }
      if (route.access !== 'admin') {
        resource.addMethod(route.method, integration);
        continue;
      }
      const parameters = [...route.gatewayPath.matchAll(/\{(\w+)\}/g)].map((m) => `method.request.path.${m[1]!}`);
      const options: MethodOptions = {
        apiKeyRequired: true,
        requestValidator: validator,
        ...(parameters.length > 0 ? { requestParameters: Object.fromEntries(parameters.map((p) => [p, true])) } : {}),
        ...(route.model ? { requestModels: { 'application/json': models.get(route.model)! } } : {}),
      };
      resource.addMethod(route.method, integration, options);
    }

    const adminKey = this.api.addApiKey('AdminKey', {
      apiKeyName: `signpost-${config.stage}-admin`,
      description: `Signpost ${config.stage} admin API key (send as X-API-KEY)`,
    });
    const plan = this.api.addUsagePlan('AdminPlan', {
      name: `signpost-${config.stage}-admin`,
      description: 'Admin API: requests must carry the admin API key',
      apiStages: [{ api: this.api, stage: this.api.deploymentStage }],
      throttle: { rateLimit: 10, burstLimit: 20 },
    });
    plan.addApiKey(adminKey);

    // ── optional custom domain ─────────────────────────────────────────
    if (config.domainName !== undefined) {
      const domainName = config.domainName;
      const zone = [...config.zones]
        .filter((z) => domainName === z.zoneName || domainName.endsWith(`.${z.zoneName}`))
        .sort((a, b) => b.zoneName.length - a.zoneName.length)[0]!;
      const hostedZone = HostedZone.fromHostedZoneAttributes(this, 'DomainZone', { hostedZoneId: zone.hostedZoneId, zoneName: zone.zoneName });
      const certificate = new Certificate(this, 'Certificate', { domainName, validation: CertificateValidation.fromDns(hostedZone) });
      const domain = this.api.addDomainName('Domain', {
        domainName,
        certificate,
        endpointType: EndpointType.REGIONAL,
        securityPolicy: SecurityPolicy.TLS_1_2,
      });
      const target = RecordTarget.fromAlias(new ApiGatewayDomain(domain));
      new ARecord(this, 'DomainA', { zone: hostedZone, recordName: domainName, target });
      new AaaaRecord(this, 'DomainAAAA', { zone: hostedZone, recordName: domainName, target });
      new CfnOutput(this, 'CustomDomainUpdateUrl', { value: `https://${domainName}/nic/update`, description: 'dyndns2 update URL on the custom domain' });
    }

    // ── alarms → SNS ───────────────────────────────────────────────────
    const alarm = (id: string, metric: IMetric, description: string) => alertOnAny(this, id, metric, description, this.alerts);
    const period = Duration.minutes(5);
    alarm('HttpErrors', this.httpFunction.metricErrors({ period, statistic: 'Sum' }), 'Signpost HTTP function errors');
    alarm('HttpThrottles', this.httpFunction.metricThrottles({ period, statistic: 'Sum' }), 'Signpost HTTP function throttled');
    alarm('Api5xx', this.api.metricServerError({ period, statistic: 'Sum' }), 'Signpost API answered 5xx');

    // ── outputs ────────────────────────────────────────────────────────
    new CfnOutput(this, 'UpdateUrl', { value: `${this.api.url}nic/update`, description: 'dyndns2 update URL: point routers here' });
    new CfnOutput(this, 'ApiUrl', { value: this.api.url, description: 'API base URL (admin API needs the X-API-KEY header)' });
    new CfnOutput(this, 'AdminApiKeyId', {
      value: adminKey.keyId,
      description: 'aws apigateway get-api-key --include-value --api-key <id> prints the admin key',
    });
    new CfnOutput(this, 'AlertsTopicArn', { value: this.alerts.topicArn });
    new CfnOutput(this, 'TableName', { value: this.table.tableName });
    if (vpc) {
      const eips = vpc.publicSubnets.flatMap((s) => s.node.children).filter((c) => c.node.id === 'EIP');
      for (const [i, eip] of eips.entries()) {
        new CfnOutput(this, `EgressIp${i === 0 ? '' : i}`, { value: (eip as unknown as { ref: string }).ref, description: 'static egress IP of the functions' });
      }
    }

    // ── ACME challenge values expire on a schedule (a Lambda has no timer of its own) ──
    this.challengeExpiry = new ChallengeExpiry(this, 'ChallengeExpiry', {
      stage: config.stage,
      table: this.table,
      alerts: this.alerts,
      zones: config.zones,
      acmeDnsZone,
      environment: functionEnvironment,
      logRetention: config.logRetention,
    });

    // ── instance registration (issue 5): EC2 events → records; its own construct, off unless -c instanceEvents=true ──
    if (config.instances.enabled) {
      new InstanceRegistration(this, 'Instances', {
        stage: config.stage,
        table: this.table,
        alerts: this.alerts,
        hostedZoneIds: config.instances.hostedZoneIds,
        ttl: config.ttl,
        logRetention: config.logRetention,
        associateVpc: config.instances.associateVpc,
        createReverseZones: config.instances.createReverseZones,
      });
    }

    this.acknowledgeNagFindings(vpcAccess);
  }

  /**
   * cdk-nag (AwsSolutions) findings accepted on purpose, each with its reason.
   * Acknowledged one finding at a time (`Rule[finding]`), so a new wildcard
   * or a new resource still fails the check.
   */
  private acknowledgeNagFindings(vpcAccess: Policy | undefined): void {
    const id = (c: Construct) => this.getLogicalId(c.node.defaultChild as CfnElement);
    // cdk-nag names findings after the flattened ARN: a literal partition when the region is known at synth
    const partition = Token.isUnresolved(this.partition) ? '<AWS::Partition>' : this.partition;
    const policy = this.httpFunction.role!.node.tryFindChild('DefaultPolicy')!;
    const wildcards: [string, string][] = [
      ['Resource::*', 'route53:ListHostedZones supports no resource-level permissions (read-only listing; the publisher finds zones by suffix).'],
      [`Resource::arn:${partition}:route53:::change/*`, 'route53:GetChange: change ids are not known in advance; read-only.'],
      [`Resource::<${id(this.table)}.Arn>/index/*`, "Queries on the indexes of Signpost's own table (index names are part of the store's schema)."],
    ];
    for (const [finding, reason] of wildcards) Validations.of(policy).acknowledge({ id: `AwsSolutions-IAM5[${finding}]`, reason });
    if (vpcAccess) {
      Validations.of(vpcAccess).acknowledge({
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason:
          'A function in a VPC manages its network interfaces; ec2:CreateNetworkInterface and friends support no resource-level ' +
          'scoping (the same statements as the AWS-managed AWSLambdaVPCAccessExecutionRole). Only with the static egress IP option.',
      });
    }
    Validations.of(this.alerts).acknowledge({
      id: 'AwsSolutions-SNS2',
      reason:
        'Alarm notifications carry no secrets, and CloudWatch alarms cannot publish to a topic encrypted with the AWS-managed SNS key; ' +
        'a customer-managed KMS key would cost money to protect nothing. Publishing requires TLS (enforceSSL).',
    });
    const api: [string, string][] = [
      ['AwsSolutions-APIG3', 'No WAF: the traffic is a few router updates per hour; stage and usage-plan throttling bound abuse and the app limits updates per host.'],
      [
        'AwsSolutions-APIG4',
        'dyndns2, acme-dns and httpreq routes authenticate in the function (HTTP Basic, update tokens, acme-dns keys: the protocols ' +
          'routers and ACME clients speak); admin routes require ' +
          'the API Gateway API key through a usage plan. No IAM or Cognito authorizer fits router clients.',
      ],
      ['AwsSolutions-COG4', 'Routers cannot use Cognito; see AwsSolutions-APIG4 for how each route is authenticated.'],
      [
        'AwsSolutions-APIG6',
        'Execution logging needs the account-wide API Gateway CloudWatch role, which one stage stack should not own, and could log ' +
          'credentials; JSON access logs are on and the function logs every request with secrets redacted.',
      ],
    ];
    for (const [rule, reason] of api) Validations.of(this.api).acknowledge({ id: rule, reason });
  }
}

/** The resource for `path` under `root`, creating the missing segments. */
function resourceFor(root: IResource, path: string): IResource {
  let resource = root;
  for (const part of path.split('/').filter((p) => p !== '')) resource = resource.getResource(part) ?? resource.addResource(part);
  return resource;
}
