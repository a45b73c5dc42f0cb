/** Call shapes of the real SDK binding, with aws-sdk-client-mock (no network, no credentials). */
import {
  ChangeResourceRecordSetsCommand,
  GetChangeCommand,
  ListHostedZonesCommand,
  ListResourceRecordSetsCommand,
  PriorRequestNotComplete,
  Route53Client,
} from '@aws-sdk/client-route-53';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { sdkRoute53Api } from '../../src/adapters/dns/route53-api.js';
import { Route53DnsProvider } from '../../src/adapters/dns/route53.js';
import { plan } from '../../src/domain/plan.js';
import { applyIn, recordsIn } from '../support/zones.js';

const client = new Route53Client({ region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
const mock = mockClient(client);
afterEach(() => mock.reset());

const publisher = () =>
  new Route53DnsProvider({ api: sdkRoute53Api(client), visibility: 'public', waitForSync: { timeoutMs: 10_000, intervalMs: 1 }, sleep: async () => {}, random: () => 0 });

describe('Route 53 SDK call shapes', () => {
  it('pages ListHostedZones with Marker, then sends one ChangeResourceRecordSets with DELETE+CREATE for an update, then polls GetChange', async () => {
    mock
      .on(ListHostedZonesCommand)
      .resolvesOnce({ HostedZones: [{ Id: '/hostedzone/ZAPEX', Name: 'example.com.', CallerReference: 'a', Config: { PrivateZone: false } }], IsTruncated: true, NextMarker: 'M2', Marker: '', MaxItems: 1 })
      .resolvesOnce({ HostedZones: [{ Id: '/hostedzone/ZDYN', Name: 'dyn.example.com.', CallerReference: 'b', Config: { PrivateZone: false } }], IsTruncated: false, Marker: 'M2', MaxItems: 1 });
    mock.on(ChangeResourceRecordSetsCommand).resolves({ ChangeInfo: { Id: '/change/C1', Status: 'PENDING', SubmittedAt: new Date() } });
    mock.on(GetChangeCommand).resolvesOnce({ ChangeInfo: { Id: '/change/C1', Status: 'PENDING', SubmittedAt: new Date() } }).resolves({ ChangeInfo: { Id: '/change/C1', Status: 'INSYNC', SubmittedAt: new Date() } });

    const from = { name: 'h.dyn.example.com', type: 'A' as const, ttl: 60, values: ['192.0.2.1'] };
    await applyIn(publisher(), 'dyn.example.com', plan([from], [{ ...from, values: ['192.0.2.2'] }, { name: 'h.dyn.example.com', type: 'AAAA', ttl: 60, values: ['2001:db8::1'] }]));

    const lists = mock.commandCalls(ListHostedZonesCommand).map((c) => c.args[0].input);
    expect(lists).toEqual([{ Marker: undefined }, { Marker: 'M2' }]);
    const changes = mock.commandCalls(ChangeResourceRecordSetsCommand);
    expect(changes).toHaveLength(1);
    expect(changes[0]?.args[0].input).toEqual({
      HostedZoneId: 'ZDYN',
      ChangeBatch: {
        Comment: 'signpost',
        Changes: [
          { Action: 'DELETE', ResourceRecordSet: { Name: 'h.dyn.example.com.', Type: 'A', TTL: 60, ResourceRecords: [{ Value: '192.0.2.1' }] } },
          { Action: 'CREATE', ResourceRecordSet: { Name: 'h.dyn.example.com.', Type: 'A', TTL: 60, ResourceRecords: [{ Value: '192.0.2.2' }] } },
          { Action: 'CREATE', ResourceRecordSet: { Name: 'h.dyn.example.com.', Type: 'AAAA', TTL: 60, ResourceRecords: [{ Value: '2001:db8::1' }] } },
        ],
      },
    });
    expect(mock.commandCalls(GetChangeCommand).map((c) => c.args[0].input)).toEqual([{ Id: '/change/C1' }, { Id: '/change/C1' }]);
  });

  it('retries the SDK PriorRequestNotComplete exception', async () => {
    mock.on(ListHostedZonesCommand).resolves({ HostedZones: [{ Id: '/hostedzone/ZDYN', Name: 'dyn.example.com.', CallerReference: 'b' }], IsTruncated: false, Marker: '', MaxItems: 100 });
    mock
      .on(ChangeResourceRecordSetsCommand)
      .rejectsOnce(new PriorRequestNotComplete({ message: 'The request was rejected because Route 53 was still processing a prior request.', $metadata: {} }))
      .resolves({ ChangeInfo: { Id: '/change/C2', Status: 'INSYNC', SubmittedAt: new Date() } });
    await applyIn(publisher(), 'dyn.example.com', plan([], [{ name: 'h.dyn.example.com', type: 'A', ttl: 60, values: ['192.0.2.1'] }]));
    expect(mock.commandCalls(ChangeResourceRecordSetsCommand)).toHaveLength(2);
    expect(mock.commandCalls(GetChangeCommand)).toHaveLength(0);
  });

  it('lists record sets page by page with the Next* markers and keeps the modeled types, never the apex NS or routing-policy sets', async () => {
    mock.on(ListHostedZonesCommand).resolves({ HostedZones: [{ Id: '/hostedzone/ZAPEX', Name: 'example.com.', CallerReference: 'a' }], IsTruncated: false, Marker: '', MaxItems: 100 });
    mock
      .on(ListResourceRecordSetsCommand)
      .resolvesOnce({
        ResourceRecordSets: [
          { Name: 'example.com.', Type: 'NS', TTL: 172800, ResourceRecords: [{ Value: 'ns.example.' }] },
          { Name: 'a.dyn.example.com.', Type: 'A', TTL: 60, ResourceRecords: [{ Value: '192.0.2.1' }] },
        ],
        IsTruncated: true,
        NextRecordName: 'b.dyn.example.com.',
        NextRecordType: 'AAAA',
        MaxItems: 2,
      })
      .resolvesOnce({
        ResourceRecordSets: [
          { Name: 'b.dyn.example.com.', Type: 'AAAA', TTL: 60, ResourceRecords: [{ Value: '2001:db8::1' }] },
          { Name: 'w.dyn.example.com.', Type: 'A', SetIdentifier: 'weighted', Weight: 1, TTL: 60, ResourceRecords: [{ Value: '192.0.2.9' }] },
          { Name: 'www.example.com.', Type: 'A', TTL: 60, ResourceRecords: [{ Value: '192.0.2.7' }] },
        ],
        IsTruncated: false,
        MaxItems: 2,
      });
    expect(await recordsIn(publisher(), 'example.com')).toEqual([
      { name: 'a.dyn.example.com', type: 'A', ttl: 60, values: ['192.0.2.1'] },
      { name: 'b.dyn.example.com', type: 'AAAA', ttl: 60, values: ['2001:db8::1'] },
      { name: 'www.example.com', type: 'A', ttl: 60, values: ['192.0.2.7'] },
    ]);
    expect(mock.commandCalls(ListResourceRecordSetsCommand).map((c) => c.args[0].input)).toEqual([
      { HostedZoneId: 'ZAPEX' },
      { HostedZoneId: 'ZAPEX', StartRecordName: 'b.dyn.example.com.', StartRecordType: 'AAAA' },
    ]);
  });

  it('reads one name from StartRecordName with a small MaxItems, paging past routing-policy sets with their identifier until the name changes', async () => {
    mock
      .on(ListResourceRecordSetsCommand)
      .resolvesOnce({
        ResourceRecordSets: [
          { Name: '\\052.dyn.example.com.', Type: 'A', SetIdentifier: 'w1', Weight: 1, TTL: 60, ResourceRecords: [{ Value: '192.0.2.8' }] },
          { Name: '\\052.dyn.example.com.', Type: 'A', SetIdentifier: 'w2', Weight: 1, TTL: 60, ResourceRecords: [{ Value: '192.0.2.9' }] },
        ],
        IsTruncated: true,
        NextRecordName: '\\052.dyn.example.com.',
        NextRecordType: 'A',
        NextRecordIdentifier: 'w3',
        MaxItems: 10,
      })
      .resolvesOnce({
        ResourceRecordSets: [
          { Name: '\\052.dyn.example.com.', Type: 'A', SetIdentifier: 'w3', Weight: 1, TTL: 60, ResourceRecords: [{ Value: '192.0.2.10' }] },
          { Name: '\\052.dyn.example.com.', Type: 'TXT', TTL: 60, ResourceRecords: [{ Value: '"x"' }] },
          { Name: 'a.dyn.example.com.', Type: 'A', TTL: 60, ResourceRecords: [{ Value: '192.0.2.1' }] },
        ],
        IsTruncated: true,
        NextRecordName: 'b.dyn.example.com.',
        NextRecordType: 'A',
        MaxItems: 10,
      });
    const zone = { id: 'ZDYN', name: 'dyn.example.com', private: false };
    expect(await publisher().recordsAt(zone, '*.dyn.example.com')).toEqual([{ name: '*.dyn.example.com', type: 'TXT', ttl: 60, values: ['"x"'] }]);
    expect(mock.commandCalls(ListResourceRecordSetsCommand).map((c) => c.args[0].input)).toEqual([
      { HostedZoneId: 'ZDYN', StartRecordName: '\\052.dyn.example.com.', MaxItems: 10 },
      { HostedZoneId: 'ZDYN', StartRecordName: '\\052.dyn.example.com.', StartRecordType: 'A', StartRecordIdentifier: 'w3', MaxItems: 10 },
    ]);
  });
});
