/** EventBridge events for the scenarios, built from the AWS documentation examples in fixtures/. */
import { readFileSync } from 'node:fs';

const load = (name: string) => JSON.parse(readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8')) as Record<string, any>;
const BASE = Date.parse('2024-05-01T10:00:00Z');

/** Seconds after the scenario epoch as EventBridge's ISO time (second granularity). */
export const at = (seconds: number) => new Date(BASE + seconds * 1000).toISOString().replace('.000Z', 'Z');

export function stateEvent(instanceId: string, state: string, seconds: number): Record<string, any> {
  const e = load('state-change.json');
  e.time = at(seconds);
  e.resources = [`arn:aws:ec2:us-east-1:123456789012:instance/${instanceId}`];
  e.detail = { 'instance-id': instanceId, state };
  return e;
}

export function tagEvent(instanceId: string, tags: Record<string, string>, seconds: number): Record<string, any> {
  const e = load('tag-change.json');
  e.time = at(seconds);
  e.resources = [`arn:aws:ec2:us-east-1:123456789012:instance/${instanceId}`];
  e.detail = { ...e.detail, 'changed-tag-keys': Object.keys(tags), tags };
  return e;
}
