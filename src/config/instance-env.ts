/**
 * Settings of instance registration (EC2 events), from environment
 * variables, for both runtimes. Validated once.
 *
 * | variable                                | meaning                                                                  |
 * |-----------------------------------------|--------------------------------------------------------------------------|
 * | SIGNPOST_INSTANCE_EVENTS                | `true` enables POST /events/ec2 (self-hosted; on Lambda the function is the switch) |
 * | SIGNPOST_INSTANCE_EVENTS_KEY_SHA256     | hex SHA-256 of the API key an EventBridge API destination sends          |
 * | SIGNPOST_INSTANCE_EVENTS_KEY_HEADER     | the header it arrives in (default `x-signpost-events-key`); the admin X-API-KEY works too |
 * | SIGNPOST_INSTANCE_ZONE_TAGS             | tag keys naming the zone, first present wins (default `signpost:zone,ZONE`) |
 * | SIGNPOST_INSTANCE_NAME_TAGS             | tag keys with the vanity name (default `signpost:name`)                  |
 * | SIGNPOST_INSTANCE_CNAME_TAGS            | tag keys with a CNAME (default `signpost:cname,CNAME`)                   |
 * | SIGNPOST_INSTANCE_PRIVATE_ZONES         | built-in server: served zones that get private addresses (others get public ones) |
 * | SIGNPOST_INSTANCE_TTL                   | TTL of instance records (default SIGNPOST_TTL, else 60)                  |
 * | SIGNPOST_INSTANCE_ASSOCIATE_VPC         | Route 53: associate a private zone with the instance VPC if needed (default false) |
 * | SIGNPOST_INSTANCE_CREATE_REVERSE_ZONES  | Route 53: create a missing reverse zone as a private zone (default false); zones it created stay writable beside the ids below |
 * | SIGNPOST_INSTANCE_HOSTED_ZONE_IDS      | Lambda: hosted zone ids (public and private) instance records may go to; unset = all |
 * | SIGNPOST_ALERT_WEBHOOK_URL              | self-hosted: POST alerts here as JSON                                    |
 * | SIGNPOST_ALERT_TOPIC_ARN                | Lambda: publish alerts to this SNS topic                                 |
 */
import * as z from 'zod';
import { canonicalName } from '../domain/names.js';
import type { InstanceEventSettings } from '../app/instance-events.js';
import { parseEnv } from './env.js';
import { flag as boolFlag, wholeNumber } from './env-values.js';

const list = (v: string | undefined) =>
  (v ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
const flag = boolFlag().default(false);
const keys = (fallback: string) => z.string().default(fallback).transform(list).refine((l) => l.length > 0, 'must name at least one tag key');

const schema = z.object({
  SIGNPOST_INSTANCE_EVENTS: flag,
  SIGNPOST_INSTANCE_EVENTS_KEY_SHA256: z.string().regex(/^[0-9a-fA-F]{64}$/, 'must be 64 hex digits (a SHA-256)').transform((s) => s.toLowerCase()).optional(),
  SIGNPOST_INSTANCE_EVENTS_KEY_HEADER: z.string().regex(/^[A-Za-z0-9-]{1,64}$/, 'must be an HTTP header name').default('x-signpost-events-key').transform((s) => s.toLowerCase()),
  SIGNPOST_INSTANCE_ZONE_TAGS: keys('signpost:zone,ZONE'),
  SIGNPOST_INSTANCE_NAME_TAGS: keys('signpost:name'),
  SIGNPOST_INSTANCE_CNAME_TAGS: keys('signpost:cname,CNAME'),
  SIGNPOST_INSTANCE_PRIVATE_ZONES: z.string().optional().transform((v) => list(v).map(canonicalName)),
  SIGNPOST_INSTANCE_TTL: wholeNumber(1, 86400, 'seconds').optional(),
  SIGNPOST_TTL: wholeNumber(1, 86400, 'seconds').default(60),
  SIGNPOST_INSTANCE_ASSOCIATE_VPC: flag,
  SIGNPOST_INSTANCE_CREATE_REVERSE_ZONES: flag,
  SIGNPOST_INSTANCE_HOSTED_ZONE_IDS: z
    .string()
    .optional()
    .transform((v) => list(v).map((id) => id.replace(/^\/?hostedzone\//, '')))
    .refine((ids) => ids.every((id) => /^[A-Z0-9]{1,32}$/.test(id)), 'must be comma-separated hosted zone ids like Z0123456789ABC'),
  SIGNPOST_ALERT_WEBHOOK_URL: z.url({ error: 'must be a URL, e.g. https://hooks.example.com/signpost' }).optional(),
  SIGNPOST_ALERT_TOPIC_ARN: z.string().regex(/^arn:aws[a-z-]*:sns:/, 'must be an SNS topic ARN').optional(),
  AWS_REGION: z.string().optional(),
});

export interface InstanceSettings {
  readonly enabled: boolean;
  readonly eventsKeySha256?: string;
  readonly eventsKeyHeader: string;
  readonly privateZones: readonly string[];
  readonly hostedZoneIds: readonly string[];
  readonly alertWebhookUrl?: string;
  readonly alertTopicArn?: string;
  readonly use: InstanceEventSettings;
}

/** The variables instance registration reads (for spotting misspelt ones, see known-variables.ts). */
export const INSTANCE_VARIABLES: readonly string[] = Object.keys(schema.shape);

export function loadInstanceSettings(env: Record<string, string | undefined>): InstanceSettings {
  const c = parseEnv(schema, env, 'instance registration configuration', ['AWS_REGION']);
  return {
    enabled: c.SIGNPOST_INSTANCE_EVENTS,
    ...(c.SIGNPOST_INSTANCE_EVENTS_KEY_SHA256 ? { eventsKeySha256: c.SIGNPOST_INSTANCE_EVENTS_KEY_SHA256 } : {}),
    eventsKeyHeader: c.SIGNPOST_INSTANCE_EVENTS_KEY_HEADER,
    privateZones: c.SIGNPOST_INSTANCE_PRIVATE_ZONES,
    hostedZoneIds: c.SIGNPOST_INSTANCE_HOSTED_ZONE_IDS,
    ...(c.SIGNPOST_ALERT_WEBHOOK_URL ? { alertWebhookUrl: c.SIGNPOST_ALERT_WEBHOOK_URL } : {}),
    ...(c.SIGNPOST_ALERT_TOPIC_ARN ? { alertTopicArn: c.SIGNPOST_ALERT_TOPIC_ARN } : {}),
    use: {
      ttl: c.SIGNPOST_INSTANCE_TTL ?? c.SIGNPOST_TTL,
      tagKeys: { zone: c.SIGNPOST_INSTANCE_ZONE_TAGS, name: c.SIGNPOST_INSTANCE_NAME_TAGS, cname: c.SIGNPOST_INSTANCE_CNAME_TAGS },
      associateVpc: c.SIGNPOST_INSTANCE_ASSOCIATE_VPC,
      createReverseZones: c.SIGNPOST_INSTANCE_CREATE_REVERSE_ZONES,
      ...(c.AWS_REGION ? { region: c.AWS_REGION } : {}),
    },
  };
}
