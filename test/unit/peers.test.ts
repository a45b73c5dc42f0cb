import { describe, expect, it } from 'vitest';
import { isCi, requirePeer } from '../support/peers.js';

describe('requirePeer', () => {
  const missing = 'signpost-no-such-peer';

  it('fails (throws) for a missing peer under CI=true', () => {
    expect(() => requirePeer(missing, { CI: 'true', PATH: '' })).toThrow(/signpost-no-such-peer.*required under CI=true/);
  });

  it('outside CI, reports a missing peer as unavailable with a reason', () => {
    const peer = requirePeer(missing, { PATH: '' });
    expect(peer).toMatchObject({ available: false, path: '' });
    expect(peer.reason).toContain(missing);
  });

  it('finds an installed binary and returns its absolute path', () => {
    const peer = requirePeer('sh', { CI: 'true', PATH: '/usr/bin:/bin' });
    expect(peer.available).toBe(true);
    expect(peer.path).toMatch(/^\/.*\/sh$/);
  });

  it('reads CI as GitHub and others set it', () => {
    expect(isCi({ CI: 'true' })).toBe(true);
    expect(isCi({ CI: '1' })).toBe(true);
    expect(isCi({ CI: 'false' })).toBe(false);
    expect(isCi({})).toBe(false);
  });
});
