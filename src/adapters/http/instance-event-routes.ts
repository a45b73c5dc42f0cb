/**
 * POST /events/ec2: EventBridge events delivered to a self-hosted Signpost
 * by an API destination. Authenticated by the connection's API key (its own
 * header, compared as SHA-256 in constant time) or the admin X-API-KEY.
 * Answers 200 with the outcome, 400 `invalid_request` for anything that is
 * not an EC2 instance event (EventBridge does not retry 4xx), 503
 * `event_failed` when a DNS change failed (EventBridge retries 5xx, then
 * its dead-letter queue keeps the event).
 */
import type { Hono } from 'hono';
import type { AdminKey } from '../../app/admin-key.js';
import { InstanceEventError, type InstanceEvents } from '../../app/instance-events.js';
import { parseInstanceEvent } from '../../app/instance-event-schema.js';
import { digestsEqual, sha256Hex } from '../../app/secrets.js';
import { SignpostError } from '../../domain/errors.js';
import { adminKeyRequest } from './admin-key-request.js';
import { MAX_BODY_BYTES, limitBody } from './body-limit.js';
import { errorBody } from './errors.js';
import type { KeyCheck } from './key-check.js';
import { INSTANCE_EVENTS_PATH } from './routes.js';

export interface InstanceEventsEndpoint {
  readonly instances: InstanceEvents;
  readonly keySha256?: string;
  /** Lower-case header name the API destination sends the key in. */
  readonly keyHeader: string;
}

export function registerInstanceEvents(app: Hono, endpoint: InstanceEventsEndpoint, adminKey: AdminKey, checkKey: KeyCheck): void {
  app.post(INSTANCE_EVENTS_PATH, limitBody(MAX_BODY_BYTES), async (c) => {
    const eventsKey = c.req.header(endpoint.keyHeader);
    const admin = c.req.header('x-api-key');
    if (!eventsKey && !admin) throw new SignpostError('admin_key_missing', `this endpoint needs the ${endpoint.keyHeader} or X-API-KEY header`);
    const valid = () => (eventsKey !== undefined && endpoint.keySha256 !== undefined && digestsEqual(endpoint.keySha256, sha256Hex(eventsKey))) || (admin !== undefined && adminKey.verify(admin, adminKeyRequest(c)));
    checkKey(c, 'events', valid, 'the API key is not valid');
    let raw: unknown;
    try {
      raw = await c.req.json();
    } catch {
      throw new SignpostError('invalid_request', 'the body must be a JSON EventBridge event');
    }
    const parsed = parseInstanceEvent(raw);
    if (!parsed.ok) throw new SignpostError('invalid_request', parsed.reason);
    try {
      const outcome = await endpoint.instances.handle(parsed.event);
      return c.json({ result: outcome });
    } catch (error) {
      if (error instanceof InstanceEventError) return c.json(errorBody('event_failed', error.message), 503);
      throw error;
    }
  });
}
