/**
 * EventBridge events Signpost accepts, validated with zod (the Lambda
 * handler and the HTTP endpoint share this): "EC2 Instance State-change
 * Notification" from aws.ec2 and "Tag Change on Resource" from aws.tag for
 * EC2 instances. Anything else is refused with a reason.
 */
import * as z from 'zod';
import { INSTANCE_STATES, type InstanceEvent } from '../domain/instances/types.js';

const INSTANCE_ID = /^i-[0-9a-f]{8,17}$/;
const time = z.string().refine((t) => !Number.isNaN(Date.parse(t)), 'an ISO 8601 time');

const stateChange = z.object({
  source: z.literal('aws.ec2'),
  'detail-type': z.literal('EC2 Instance State-change Notification'),
  time,
  region: z.string().min(1).optional(),
  detail: z.object({ 'instance-id': z.string().regex(INSTANCE_ID, 'an instance id like i-0123456789abcdef0'), state: z.enum(INSTANCE_STATES) }),
});

const tagChange = z.object({
  source: z.literal('aws.tag'),
  // AWS documents "Tag Change on Resource"; some rule examples say "Tag Change Event on Resource".
  'detail-type': z.enum(['Tag Change on Resource', 'Tag Change Event on Resource']),
  time,
  region: z.string().min(1).optional(),
  resources: z.array(z.string()).min(1),
  detail: z.object({ service: z.literal('ec2'), 'resource-type': z.literal('instance') }),
});

export const instanceEventSchema = z.union([stateChange, tagChange]);

export type ParsedEvent = { ok: true; event: InstanceEvent } | { ok: false; reason: string };

export function parseInstanceEvent(raw: unknown): ParsedEvent {
  // Validate against the schema the source names, so the reason is specific (a union reports only "invalid").
  const source = typeof raw === 'object' && raw !== null ? (raw as { source?: unknown }).source : undefined;
  const result = (source === 'aws.tag' ? tagChange : source === 'aws.ec2' ? stateChange : instanceEventSchema).safeParse(raw);
  if (!result.success) {
    const detail = result.error.issues.map((i) => `${i.path.join('.') || 'event'}: ${i.message}`).join('; ');
    return { ok: false, reason: `not an EC2 state-change or instance tag-change event (${detail})` };
  }
  const e = result.data;
  const at = Date.parse(e.time);
  const region = e.region ? { region: e.region } : {};
  if (e.source === 'aws.ec2') return { ok: true, event: { kind: 'state', instanceId: e.detail['instance-id'], state: e.detail.state, time: at, ...region } };
  const id = e.resources.map((arn) => /:instance\/(i-[0-9a-f]+)$/.exec(arn)?.[1]).find((x) => x && INSTANCE_ID.test(x));
  if (!id) return { ok: false, reason: 'the tag-change event names no EC2 instance in resources' };
  return { ok: true, event: { kind: 'tags', instanceId: id, time: at, ...region } };
}
