/**
 * The Route 53 calls instance registration needs beyond the provider's record calls:
 * which private zones a VPC sees, associating one, and creating a private
 * (reverse) zone. Route 53's own shapes; `sdkRoute53VpcApi` binds the SDK,
 * tests bind a strict fake (test/instances/fake-route53-vpc.ts).
 */
import { AssociateVPCWithHostedZoneCommand, CreateHostedZoneCommand, ListHostedZonesByVPCCommand, type Route53Client, type VPCRegion } from '@aws-sdk/client-route-53';

export interface R53Vpc {
  readonly VPCId: string;
  readonly VPCRegion: string;
}

export interface Route53VpcApi {
  listHostedZonesByVPC(input: { VPCId: string; VPCRegion: string; NextToken?: string }): Promise<{ HostedZoneSummaries: { HostedZoneId: string; Name: string }[]; NextToken?: string }>;
  associateVPCWithHostedZone(input: { HostedZoneId: string; VPC: R53Vpc }): Promise<void>;
  createHostedZone(input: { Name: string; CallerReference: string; VPC: R53Vpc; HostedZoneConfig: { PrivateZone: true; Comment?: string } }): Promise<{ HostedZone: { Id: string; Name: string } }>;
}

export function sdkRoute53VpcApi(client: Route53Client): Route53VpcApi {
  return {
    async listHostedZonesByVPC(input) {
      const out = await client.send(new ListHostedZonesByVPCCommand({ VPCId: input.VPCId, VPCRegion: input.VPCRegion as VPCRegion, ...(input.NextToken ? { NextToken: input.NextToken } : {}) }));
      return {
        HostedZoneSummaries: (out.HostedZoneSummaries ?? []).map((z) => ({ HostedZoneId: z.HostedZoneId ?? '', Name: z.Name ?? '' })),
        ...(out.NextToken ? { NextToken: out.NextToken } : {}),
      };
    },
    async associateVPCWithHostedZone(input) {
      await client.send(new AssociateVPCWithHostedZoneCommand({ HostedZoneId: input.HostedZoneId, VPC: { VPCId: input.VPC.VPCId, VPCRegion: input.VPC.VPCRegion as VPCRegion } }));
    },
    async createHostedZone(input) {
      const out = await client.send(
        new CreateHostedZoneCommand({
          Name: input.Name,
          CallerReference: input.CallerReference,
          VPC: { VPCId: input.VPC.VPCId, VPCRegion: input.VPC.VPCRegion as VPCRegion },
          HostedZoneConfig: input.HostedZoneConfig,
        }),
      );
      return { HostedZone: { Id: out.HostedZone?.Id ?? '', Name: out.HostedZone?.Name ?? input.Name } };
    },
  };
}
