/**
 * The Lambda entry point for EventBridge EC2 events (state changes and tag
 * changes). SDK clients and the use case are created once per execution
 * environment, at module scope. A failure throws after alerting, so the
 * asynchronous invocation is retried and then kept in the dead-letter queue.
 *
 * Environment: SIGNPOST_TABLE_NAME (the store's table, which holds the
 * instance registry too), SIGNPOST_ALERT_TOPIC_ARN, and the
 * SIGNPOST_INSTANCE_* settings of src/config/instance-env.ts.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EC2Client } from '@aws-sdk/client-ec2';
import { Route53Client } from '@aws-sdk/client-route-53';
import { SNSClient } from '@aws-sdk/client-sns';
import { LoggingAlertSink } from '../../adapters/alerts/log.js';
import { SnsAlertSink } from '../../adapters/alerts/sns.js';
import { sdkRoute53Api } from '../../adapters/dns/route53-api.js';
import { sdkRoute53VpcApi } from '../../adapters/dns/route53-vpc-api.js';
import { sdkEc2Api } from '../../adapters/ec2/ec2-api.js';
import { Ec2ApiReader } from '../../adapters/ec2/reader.js';
import { createLogger } from '../../adapters/observability/logger.js';
import { DynamoDbInstanceRegistry } from '../../adapters/store/instance-registry-dynamodb.js';
import { loadInstanceSettings } from '../../config/instance-env.js';
import { wireRoute53Instances } from '../../config/instances-route53.js';
import { createEc2EventHandler } from './ec2-event-handler.js';

const settings = loadInstanceSettings(process.env);
const tableName = process.env.SIGNPOST_TABLE_NAME ?? '';
if (!/^[A-Za-z0-9_.-]{3,255}$/.test(tableName)) throw new Error('SIGNPOST_TABLE_NAME must name the DynamoDB table');
const logger = createLogger(process.env.SIGNPOST_LOG_LEVEL ?? 'info');

const route53 = new Route53Client({});
const instances = wireRoute53Instances(settings, {
  route53: { ...sdkRoute53Api(route53), ...sdkRoute53VpcApi(route53) },
  registry: new DynamoDbInstanceRegistry({ client: new DynamoDBClient({}), tableName }),
  ec2: new Ec2ApiReader(sdkEc2Api(new EC2Client({}))),
  alerts: new LoggingAlertSink(logger, settings.alertTopicArn ? new SnsAlertSink(new SNSClient({}), settings.alertTopicArn) : undefined),
});

export const handler = createEc2EventHandler({ instances: () => instances, log: logger });
