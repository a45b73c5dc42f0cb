/** The Ec2Reader port over the narrow EC2 API: SDK shapes in, domain facts out. */
import { INSTANCE_STATES, type InstanceFacts, type InstanceState, type VpcFacts } from '../../domain/instances/types.js';
import { parseIPv4, parseIPv6 } from '../../domain/ip.js';
import { canonicalName } from '../../domain/names.js';
import type { Ec2Reader } from '../../ports/ec2-reader.js';
import type { Ec2Api } from './ec2-api.js';

export class Ec2ApiReader implements Ec2Reader {
  constructor(private readonly api: Ec2Api) {}

  async instance(instanceId: string): Promise<InstanceFacts | undefined> {
    let out;
    try {
      out = await this.api.describeInstances({ InstanceIds: [instanceId] });
    } catch (error) {
      if (error instanceof Error && error.name === 'InvalidInstanceID.NotFound') return undefined;
      throw error;
    }
    const i = out.Reservations.flatMap((r) => r.Instances).find((x) => x.InstanceId === instanceId);
    if (!i) return undefined;
    const state = (INSTANCE_STATES as readonly string[]).includes(i.State.Name) ? (i.State.Name as InstanceState) : 'pending';
    const ipv6 = [...new Set((i.NetworkInterfaces ?? []).flatMap((n) => (n.Ipv6Addresses ?? []).map((a) => parseIPv6(a.Ipv6Address)).filter((a): a is string => !!a)))];
    let prefix: number | undefined;
    if (i.SubnetId) {
      const subnets = await this.api.describeSubnets({ SubnetIds: [i.SubnetId] });
      const cidr = subnets.Subnets.find((s) => s.SubnetId === i.SubnetId)?.CidrBlock;
      const bits = cidr ? Number(cidr.split('/')[1]) : Number.NaN;
      if (Number.isInteger(bits)) prefix = bits;
    }
    const privateIp = i.PrivateIpAddress ? parseIPv4(i.PrivateIpAddress) : undefined;
    const publicIp = i.PublicIpAddress ? parseIPv4(i.PublicIpAddress) : undefined;
    return {
      instanceId,
      state,
      ...(i.VpcId ? { vpcId: i.VpcId } : {}),
      ...(privateIp ? { privateIp } : {}),
      ...(i.PrivateDnsName ? { privateDnsName: canonicalName(i.PrivateDnsName) } : {}),
      ...(publicIp ? { publicIp } : {}),
      ipv6,
      ...(prefix !== undefined ? { subnetPrefixLength: prefix } : {}),
      tags: Object.fromEntries((i.Tags ?? []).map((t) => [t.Key, t.Value])),
    };
  }

  async vpc(vpcId: string): Promise<VpcFacts> {
    const [attr, vpcs] = await Promise.all([this.api.describeVpcAttribute({ VpcId: vpcId, Attribute: 'enableDnsSupport' }), this.api.describeVpcs({ VpcIds: [vpcId] })]);
    const dhcpId = vpcs.Vpcs.find((v) => v.VpcId === vpcId)?.DhcpOptionsId;
    let domain: string | undefined;
    if (dhcpId && dhcpId !== 'default') {
      const dhcp = await this.api.describeDhcpOptions({ DhcpOptionsIds: [dhcpId] });
      const values = dhcp.DhcpOptions.find((d) => d.DhcpOptionsId === dhcpId)?.DhcpConfigurations.find((c) => c.Key === 'domain-name')?.Values ?? [];
      // domain-name may hold several space-separated domains; the first is the instance's own.
      const first = values[0]?.Value.trim().split(/\s+/)[0];
      if (first) domain = canonicalName(first);
    }
    return { vpcId, dnsSupport: attr.EnableDnsSupport.Value, ...(domain ? { dhcpDomainName: domain } : {}) };
  }
}
