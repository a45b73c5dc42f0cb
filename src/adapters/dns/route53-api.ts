/**
 * The narrow slice of the Route 53 API the Route 53 provider uses, in Route 53's own
 * shapes. `sdkRoute53Api` binds it to the AWS SDK v3 client; tests bind it to
 * a strict stateful fake (test/route53/fake-route53.ts).
 */
import {
  ChangeResourceRecordSetsCommand,
  GetChangeCommand,
  ListHostedZonesCommand,
  ListResourceRecordSetsCommand,
  type RRType,
  type Route53Client,
} from '@aws-sdk/client-route-53';

export type ChangeAction = 'CREATE' | 'DELETE' | 'UPSERT';

export interface R53RecordSet {
  /** Fully qualified, with the trailing dot; `*` comes back escaped as `\052`. */
  readonly Name: string;
  readonly Type: string;
  readonly TTL?: number;
  readonly ResourceRecords?: readonly { readonly Value: string }[];
  /** Present on alias and routing-policy records, which Signpost never manages. */
  readonly SetIdentifier?: string;
  readonly AliasTarget?: unknown;
}

export interface R53Change {
  readonly Action: ChangeAction;
  readonly ResourceRecordSet: R53RecordSet;
}

export interface R53HostedZone {
  /** `/hostedzone/Z…` as ListHostedZones returns it. */
  readonly Id: string;
  /** With the trailing dot. */
  readonly Name: string;
  /** Fixed at creation and unique per account: how Signpost recognises the zones it created itself. */
  readonly CallerReference?: string;
  readonly Config?: { readonly PrivateZone?: boolean; readonly Comment?: string };
}

export interface R53ChangeInfo {
  readonly Id: string;
  readonly Status: 'PENDING' | 'INSYNC' | string;
}

export interface Route53Api {
  listHostedZones(input: { Marker?: string; MaxItems?: number }): Promise<{ HostedZones: R53HostedZone[]; IsTruncated: boolean; NextMarker?: string }>;
  listResourceRecordSets(input: {
    HostedZoneId: string;
    StartRecordName?: string;
    StartRecordType?: string;
    StartRecordIdentifier?: string;
    MaxItems?: number;
  }): Promise<{ ResourceRecordSets: R53RecordSet[]; IsTruncated: boolean; NextRecordName?: string; NextRecordType?: string; NextRecordIdentifier?: string }>;
  changeResourceRecordSets(input: { HostedZoneId: string; ChangeBatch: { Comment?: string; Changes: R53Change[] } }): Promise<{ ChangeInfo: R53ChangeInfo }>;
  getChange(input: { Id: string }): Promise<{ ChangeInfo: R53ChangeInfo }>;
}

/** The real thing: each method is one SDK command. */
export function sdkRoute53Api(client: Route53Client): Route53Api {
  return {
    async listHostedZones(input) {
      const out = await client.send(new ListHostedZonesCommand(input.MaxItems === undefined ? { Marker: input.Marker } : { Marker: input.Marker, MaxItems: input.MaxItems }));
      return {
        HostedZones: (out.HostedZones ?? []).map((z) => ({
          Id: z.Id ?? '',
          Name: z.Name ?? '',
          ...(z.CallerReference ? { CallerReference: z.CallerReference } : {}),
          Config: { PrivateZone: z.Config?.PrivateZone ?? false, ...(z.Config?.Comment ? { Comment: z.Config.Comment } : {}) },
        })),
        IsTruncated: out.IsTruncated ?? false,
        ...(out.NextMarker ? { NextMarker: out.NextMarker } : {}),
      };
    },
    async listResourceRecordSets(input) {
      const out = await client.send(new ListResourceRecordSetsCommand({ ...input, StartRecordType: input.StartRecordType as RRType | undefined }));
      return {
        ResourceRecordSets: (out.ResourceRecordSets ?? []).map((r) => ({
          Name: r.Name ?? '',
          Type: r.Type ?? '',
          ...(r.TTL !== undefined ? { TTL: r.TTL } : {}),
          ...(r.ResourceRecords ? { ResourceRecords: r.ResourceRecords.map((v) => ({ Value: v.Value ?? '' })) } : {}),
          ...(r.SetIdentifier ? { SetIdentifier: r.SetIdentifier } : {}),
          ...(r.AliasTarget ? { AliasTarget: r.AliasTarget } : {}),
        })),
        IsTruncated: out.IsTruncated ?? false,
        ...(out.NextRecordName ? { NextRecordName: out.NextRecordName } : {}),
        ...(out.NextRecordType ? { NextRecordType: out.NextRecordType } : {}),
        ...(out.NextRecordIdentifier ? { NextRecordIdentifier: out.NextRecordIdentifier } : {}),
      };
    },
    async changeResourceRecordSets(input) {
      const out = await client.send(
        new ChangeResourceRecordSetsCommand({
          HostedZoneId: input.HostedZoneId,
          ChangeBatch: {
            ...(input.ChangeBatch.Comment ? { Comment: input.ChangeBatch.Comment } : {}),
            Changes: input.ChangeBatch.Changes.map((c) => ({
              Action: c.Action,
              ResourceRecordSet: {
                Name: c.ResourceRecordSet.Name,
                Type: c.ResourceRecordSet.Type as RRType,
                ...(c.ResourceRecordSet.TTL !== undefined ? { TTL: c.ResourceRecordSet.TTL } : {}),
                ...(c.ResourceRecordSet.ResourceRecords ? { ResourceRecords: c.ResourceRecordSet.ResourceRecords.map((v) => ({ Value: v.Value })) } : {}),
              },
            })),
          },
        }),
      );
      return { ChangeInfo: { Id: out.ChangeInfo?.Id ?? '', Status: out.ChangeInfo?.Status ?? 'PENDING' } };
    },
    async getChange(input) {
      const out = await client.send(new GetChangeCommand({ Id: input.Id }));
      return { ChangeInfo: { Id: out.ChangeInfo?.Id ?? input.Id, Status: out.ChangeInfo?.Status ?? 'PENDING' } };
    },
  };
}
