/** The built-in publisher refuses what Route 53 refuses: a CNAME beside other data of its name (RFC 1034 §3.6.2). */
import { expect, it } from 'vitest';
import { BuiltinDnsPublisher } from '../../src/adapters/dns/builtin/publisher.js';
import { loadConfig } from '../../src/config/env.js';
import type { RRSet } from '../../src/domain/records.js';
import { PublishError } from '../../src/ports/dns-provider.js';

const a: RRSet = { name: 'www.corp.example', type: 'A', ttl: 60, values: ['10.0.0.1'] };
const cname: RRSet = { name: 'www.corp.example', type: 'CNAME', ttl: 60, values: ['web.corp.example.'] };
const none = { create: [], update: [], delete: [] };

it('refuses a CNAME beside an A and an A beside a CNAME, but allows replacing one by the other in one plan', async () => {
  const p = new BuiltinDnsPublisher(loadConfig({ SIGNPOST_ZONES: 'corp.example' }).dns.zones, { initialSerial: 1 });
  await p.apply('corp.example', { ...none, create: [a] });
  await expect(p.apply('corp.example', { ...none, create: [cname] })).rejects.toBeInstanceOf(PublishError);
  await p.apply('corp.example', { ...none, delete: [a], create: [cname] });
  expect(await p.records('corp.example')).toEqual([cname]);
  await expect(p.apply('corp.example', { ...none, create: [a] })).rejects.toThrow(/CNAME cannot coexist/);
  await expect(p.apply('corp.example', { ...none, create: [{ ...a, type: 'AAAA', values: ['2001:db8::1'] }] })).rejects.toBeInstanceOf(PublishError);
  expect(await p.records('corp.example')).toEqual([cname]);
});
