import { describe, expect, it } from 'vitest';
import { ADMIN_KEY, builtinWorld } from './builtin-world.js';
import { stateEvent } from './events.js';
import { instance, instanceScenarios } from './scenarios.js';

// One built-in server is one view: split horizon is covered on Route 53 and by two views below.
instanceScenarios('built-in DNS, POST /events/ec2', () => builtinWorld(), { splitHorizon: false });

describe('POST /events/ec2', () => {
  it('needs the API destination key or the admin key, with stable error codes', async () => {
    const w = await builtinWorld();
    w.ec2.launch(instance({ tags: { 'signpost:zone': 'corp.example' } }));
    const event = stateEvent(instance().id, 'running', 1);
    expect(await w.post(event, {})).toMatchObject({ status: 401, json: { error: { code: 'admin_key_missing' } } });
    expect(await w.post(event, { 'x-signpost-events-key': 'wrong' })).toMatchObject({ status: 403, json: { error: { code: 'admin_key_invalid' } } });
    expect(await w.post(event, { 'x-api-key': 'wrong' })).toMatchObject({ status: 403, json: { error: { code: 'admin_key_invalid' } } });
    expect(await w.records('private', 'corp.example')).toEqual([]);
    const ok = await w.post(event, { 'x-api-key': ADMIN_KEY });
    expect(ok).toMatchObject({ status: 200, json: { result: { instanceId: instance().id, action: 'applied', state: 'running', created: 2 } } });
  });

  it('refuses what is not an EC2 instance event with invalid_request (EventBridge does not retry 4xx)', async () => {
    const w = await builtinWorld();
    expect(await w.post('{not json')).toMatchObject({ status: 400, json: { error: { code: 'invalid_request' } } });
    expect(await w.post({ source: 'aws.s3', 'detail-type': 'Object Created', detail: {} })).toMatchObject({ status: 400, json: { error: { code: 'invalid_request' } } });
    const bad = stateEvent('i-0123456789abcdef0', 'exploded', 1);
    const res = await w.post(bad);
    expect(res.status).toBe(400);
    expect(res.json.error.message).toContain('detail.state');
    const notAnId = stateEvent('i-0123456789abcdef0', 'running', 1);
    notAnId.detail['instance-id'] = '../etc/passwd';
    expect((await w.post(notAnId)).status).toBe(400);
  });
});
