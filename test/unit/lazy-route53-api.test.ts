/** The Lambda's Route 53 API is loaded on first use, once, and a failed load is retried. */
import { describe, expect, it, vi } from 'vitest';
import { lazyRoute53Api } from '../../src/adapters/dns/lazy-route53-api.js';
import type { Route53Api } from '../../src/adapters/dns/route53-api.js';

const fakeApi = (): Route53Api => ({
  listHostedZones: async () => ({ HostedZones: [{ Id: '/hostedzone/Z1', Name: 'dyn.example.com.' }], IsTruncated: false }),
  listResourceRecordSets: async () => ({ ResourceRecordSets: [], IsTruncated: false }),
  changeResourceRecordSets: async () => ({ ChangeInfo: { Id: '/change/C1', Status: 'PENDING' } }),
  getChange: async () => ({ ChangeInfo: { Id: '/change/C1', Status: 'INSYNC' } }),
});

describe('lazyRoute53Api', () => {
  it('loads nothing until the first call, then loads once for every method and concurrent call', async () => {
    const load = vi.fn(async () => fakeApi());
    const api = lazyRoute53Api(load);
    expect(load).not.toHaveBeenCalled();
    const [zones, change] = await Promise.all([api.listHostedZones({}), api.changeResourceRecordSets({ HostedZoneId: 'Z1', ChangeBatch: { Changes: [] } })]);
    expect(zones.HostedZones[0]!.Id).toBe('/hostedzone/Z1');
    expect(change.ChangeInfo.Status).toBe('PENDING');
    expect((await api.getChange({ Id: '/change/C1' })).ChangeInfo.Status).toBe('INSYNC');
    expect((await api.listResourceRecordSets({ HostedZoneId: 'Z1' })).IsTruncated).toBe(false);
    expect(load).toHaveBeenCalledTimes(1);
  });

  it('passes a failed load to the caller and tries again on the next call', async () => {
    const load = vi.fn<() => Promise<Route53Api>>().mockRejectedValueOnce(new Error('chunk missing')).mockImplementation(async () => fakeApi());
    const api = lazyRoute53Api(load);
    await expect(api.listHostedZones({})).rejects.toThrow('chunk missing');
    expect((await api.listHostedZones({})).HostedZones).toHaveLength(1);
    expect(load).toHaveBeenCalledTimes(2);
  });
});
