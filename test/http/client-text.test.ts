import { describe, expect, it } from 'vitest';
import { MAX_USER_AGENT_LENGTH, clip } from '../../src/domain/text.js';
import { createTestApp } from '../support/http-app.js';

describe('client-controlled text is bounded where it is stored or logged', () => {
  it('stores and logs at most 256 characters of an 8,000-character User-Agent', async () => {
    const t = await createTestApp();
    await t.addUser('alice', 'alice-password', ['home.dyn.example.test']);
    const agent = `ddclient/3.10.0 ${'A'.repeat(8000)}`;
    const res = await t.update('hostname=home.dyn.example.test&myip=192.0.2.1', { headers: { 'user-agent': agent } });
    expect(res.body).toBe('good 192.0.2.1');
    const [entry] = await t.core.accounts.history('home.dyn.example.test', 1);
    expect(entry!.userAgent).toHaveLength(MAX_USER_AGENT_LENGTH);
    expect(entry!.userAgent.startsWith('ddclient/3.10.0 AAA')).toBe(true);
    expect(entry!.userAgent.endsWith('…')).toBe(true);
    const requestLine = t.logs.map((l) => JSON.parse(l)).find((l) => l.msg === 'request' && l.url.startsWith('/nic/update'));
    expect(requestLine.userAgent).toHaveLength(MAX_USER_AGENT_LENGTH);
    expect(t.logs.every((l) => !l.includes('A'.repeat(300)))).toBe(true);
  });

  it('clip leaves short text alone and never splits a surrogate pair', () => {
    expect(clip('short', 10)).toBe('short');
    expect(clip('abcdef', 4)).toBe('abc…');
    expect(clip('ab😀cd', 4)).toBe('ab…');
    expect(clip('x'.repeat(300), 256)).toHaveLength(256);
  });
});
