/**
 * The narrow slice of the EC2 API instance registration reads, in EC2's own
 * shapes: exactly the describe calls the IAM policy allows
 * (infra/lib/instance-registration.ts). `sdkEc2Api` binds the SDK; tests
 * bind a strict fake (test/instances/fake-ec2.ts).
 */
import {
  DescribeDhcpOptionsCommand,
  DescribeInstancesCommand,
  DescribeSubnetsCommand,
  DescribeVpcAttributeCommand,
  DescribeVpcsCommand,
  type EC2Client,
} from '@aws-sdk/client-ec2';

export interface Ec2Tag {
  readonly Key: string;
  readonly Value: string;
}

export interface Ec2Instance {
  readonly InstanceId: string;
  readonly State: { readonly Name: string };
  readonly VpcId?: string;
  readonly SubnetId?: string;
  readonly PrivateIpAddress?: string;
  readonly PrivateDnsName?: string;
  readonly PublicIpAddress?: string;
  readonly NetworkInterfaces?: readonly { readonly Ipv6Addresses?: readonly { readonly Ipv6Address: string }[] }[];
  readonly Tags?: readonly Ec2Tag[];
}

export interface Ec2Api {
  describeInstances(input: { InstanceIds: string[] }): Promise<{ Reservations: { Instances: Ec2Instance[] }[] }>;
  describeSubnets(input: { SubnetIds: string[] }): Promise<{ Subnets: { SubnetId: string; CidrBlock: string }[] }>;
  describeVpcs(input: { VpcIds: string[] }): Promise<{ Vpcs: { VpcId: string; DhcpOptionsId?: string }[] }>;
  describeVpcAttribute(input: { VpcId: string; Attribute: 'enableDnsSupport' }): Promise<{ EnableDnsSupport: { Value: boolean } }>;
  describeDhcpOptions(input: { DhcpOptionsIds: string[] }): Promise<{
    DhcpOptions: { DhcpOptionsId: string; DhcpConfigurations: { Key: string; Values: { Value: string }[] }[] }[];
  }>;
}

export const EC2_ACTIONS = ['ec2:DescribeInstances', 'ec2:DescribeSubnets', 'ec2:DescribeVpcs', 'ec2:DescribeVpcAttribute', 'ec2:DescribeDhcpOptions'] as const;

export function sdkEc2Api(client: EC2Client): Ec2Api {
  return {
    async describeInstances(input) {
      const out = await client.send(new DescribeInstancesCommand({ InstanceIds: input.InstanceIds }));
      return {
        Reservations: (out.Reservations ?? []).map((r) => ({
          Instances: (r.Instances ?? []).map((i) => ({
            InstanceId: i.InstanceId ?? '',
            State: { Name: i.State?.Name ?? 'pending' },
            ...(i.VpcId ? { VpcId: i.VpcId } : {}),
            ...(i.SubnetId ? { SubnetId: i.SubnetId } : {}),
            ...(i.PrivateIpAddress ? { PrivateIpAddress: i.PrivateIpAddress } : {}),
            ...(i.PrivateDnsName ? { PrivateDnsName: i.PrivateDnsName } : {}),
            ...(i.PublicIpAddress ? { PublicIpAddress: i.PublicIpAddress } : {}),
            NetworkInterfaces: (i.NetworkInterfaces ?? []).map((n) => ({ Ipv6Addresses: (n.Ipv6Addresses ?? []).map((a) => ({ Ipv6Address: a.Ipv6Address ?? '' })) })),
            Tags: (i.Tags ?? []).map((t) => ({ Key: t.Key ?? '', Value: t.Value ?? '' })),
          })),
        })),
      };
    },
    async describeSubnets(input) {
      const out = await client.send(new DescribeSubnetsCommand({ SubnetIds: input.SubnetIds }));
      return { Subnets: (out.Subnets ?? []).map((s) => ({ SubnetId: s.SubnetId ?? '', CidrBlock: s.CidrBlock ?? '' })) };
    },
    async describeVpcs(input) {
      const out = await client.send(new DescribeVpcsCommand({ VpcIds: input.VpcIds }));
      return { Vpcs: (out.Vpcs ?? []).map((v) => ({ VpcId: v.VpcId ?? '', ...(v.DhcpOptionsId ? { DhcpOptionsId: v.DhcpOptionsId } : {}) })) };
    },
    async describeVpcAttribute(input) {
      const out = await client.send(new DescribeVpcAttributeCommand({ VpcId: input.VpcId, Attribute: input.Attribute }));
      return { EnableDnsSupport: { Value: out.EnableDnsSupport?.Value ?? false } };
    },
    async describeDhcpOptions(input) {
      const out = await client.send(new DescribeDhcpOptionsCommand({ DhcpOptionsIds: input.DhcpOptionsIds }));
      return {
        DhcpOptions: (out.DhcpOptions ?? []).map((d) => ({
          DhcpOptionsId: d.DhcpOptionsId ?? '',
          DhcpConfigurations: (d.DhcpConfigurations ?? []).map((c) => ({ Key: c.Key ?? '', Values: (c.Values ?? []).map((v) => ({ Value: v.Value ?? '' })) })),
        })),
      };
    },
  };
}
