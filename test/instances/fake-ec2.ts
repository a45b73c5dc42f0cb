/**
 * A strict, stateful fake of the EC2 describe calls instance registration
 * uses. It answers like EC2: an unknown instance, subnet, VPC or DHCP
 * options id is an error with EC2's code (InvalidInstanceID.NotFound, …),
 * never an empty answer; ids must look like EC2 ids. Instances are changed
 * by the test (start, stop, tag) the way the console would.
 */
import type { Ec2Api, Ec2Instance, Ec2Tag } from '../../src/adapters/ec2/ec2-api.js';

class Ec2Error extends Error {
  constructor(name: string, message: string) {
    super(message);
    this.name = name;
  }
}

export interface FakeInstance {
  id: string;
  state: string;
  vpcId: string;
  subnetId: string;
  privateIp: string;
  publicIp?: string;
  ipv6?: string[];
  tags: Record<string, string>;
}

export class FakeEc2 implements Ec2Api {
  readonly instances = new Map<string, FakeInstance>();
  readonly subnets = new Map<string, { cidr: string; vpcId: string }>();
  readonly vpcs = new Map<string, { dnsSupport: boolean; dhcpOptionsId: string }>();
  readonly dhcp = new Map<string, string | undefined>();
  readonly calls: { method: string; input: unknown }[] = [];
  private readonly failures: { method: string; error: Error }[] = [];

  addVpc(vpcId: string, options: { dnsSupport?: boolean; domainName?: string } = {}): void {
    const dhcpId = `dopt-${vpcId.slice(4)}`;
    this.dhcp.set(dhcpId, options.domainName);
    this.vpcs.set(vpcId, { dnsSupport: options.dnsSupport ?? true, dhcpOptionsId: dhcpId });
  }

  addSubnet(subnetId: string, vpcId: string, cidr: string): void {
    this.subnets.set(subnetId, { cidr, vpcId });
  }

  launch(instance: FakeInstance): void {
    this.instances.set(instance.id, { ...instance, tags: { ...instance.tags } });
  }

  set(id: string, change: Partial<FakeInstance>): void {
    const i = this.must(id);
    Object.assign(i, change);
  }

  /** The instance disappears from DescribeInstances (EC2 forgets terminated instances after about an hour). */
  forget(id: string): void {
    this.instances.delete(id);
  }

  fail(method: string, error: { name: string; message?: string }): void {
    this.failures.push({ method, error: new Ec2Error(error.name, error.message ?? error.name) });
  }

  async describeInstances(input: { InstanceIds: string[] }) {
    this.enter('describeInstances', input);
    for (const id of input.InstanceIds) {
      if (!/^i-[0-9a-f]{8,17}$/.test(id)) throw new Ec2Error('InvalidInstanceID.Malformed', `Invalid id: "${id}"`);
      if (!this.instances.has(id)) throw new Ec2Error('InvalidInstanceID.NotFound', `The instance ID '${id}' does not exist`);
    }
    const Instances: Ec2Instance[] = input.InstanceIds.map((id) => {
      const i = this.must(id);
      const stopped = i.state !== 'running' && i.state !== 'pending' && i.state !== 'stopping' && i.state !== 'shutting-down';
      const tags: Ec2Tag[] = Object.entries(i.tags).map(([Key, Value]) => ({ Key, Value }));
      return {
        InstanceId: i.id,
        State: { Name: i.state },
        // A terminated instance has no VPC, subnet or addresses any more; a stopped one keeps its private address only.
        ...(i.state === 'terminated' ? {} : { VpcId: i.vpcId, SubnetId: i.subnetId, PrivateIpAddress: i.privateIp, PrivateDnsName: `ip-${i.privateIp.replaceAll('.', '-')}.ec2.internal` }),
        ...(i.publicIp && !stopped ? { PublicIpAddress: i.publicIp } : {}),
        NetworkInterfaces: i.state === 'terminated' ? [] : [{ Ipv6Addresses: (i.ipv6 ?? []).map((Ipv6Address) => ({ Ipv6Address })) }],
        ...(tags.length > 0 ? { Tags: tags } : {}),
      };
    });
    return { Reservations: [{ Instances }] };
  }

  async describeSubnets(input: { SubnetIds: string[] }) {
    this.enter('describeSubnets', input);
    return {
      Subnets: input.SubnetIds.map((id) => {
        const s = this.subnets.get(id);
        if (!s) throw new Ec2Error('InvalidSubnetID.NotFound', `The subnet ID '${id}' does not exist`);
        return { SubnetId: id, CidrBlock: s.cidr };
      }),
    };
  }

  async describeVpcs(input: { VpcIds: string[] }) {
    this.enter('describeVpcs', input);
    return { Vpcs: input.VpcIds.map((id) => ({ VpcId: id, DhcpOptionsId: this.vpc(id).dhcpOptionsId })) };
  }

  async describeVpcAttribute(input: { VpcId: string; Attribute: 'enableDnsSupport' }) {
    this.enter('describeVpcAttribute', input);
    if (input.Attribute !== 'enableDnsSupport') throw new Ec2Error('InvalidParameterValue', `bad attribute ${String(input.Attribute)}`);
    return { EnableDnsSupport: { Value: this.vpc(input.VpcId).dnsSupport } };
  }

  async describeDhcpOptions(input: { DhcpOptionsIds: string[] }) {
    this.enter('describeDhcpOptions', input);
    return {
      DhcpOptions: input.DhcpOptionsIds.map((id) => {
        if (!this.dhcp.has(id)) throw new Ec2Error('InvalidDhcpOptionID.NotFound', `The dhcp options ID '${id}' does not exist`);
        const domain = this.dhcp.get(id);
        return { DhcpOptionsId: id, DhcpConfigurations: domain ? [{ Key: 'domain-name', Values: [{ Value: domain }] }] : [] };
      }),
    };
  }

  private vpc(id: string) {
    const v = this.vpcs.get(id);
    if (!v) throw new Ec2Error('InvalidVpcID.NotFound', `The vpc ID '${id}' does not exist`);
    return v;
  }

  private must(id: string): FakeInstance {
    const i = this.instances.get(id);
    if (!i) throw new Error(`test bug: no instance ${id}`);
    return i;
  }

  private enter(method: string, input: unknown): void {
    this.calls.push({ method, input: structuredClone(input) });
    const at = this.failures.findIndex((f) => f.method === method);
    if (at >= 0) throw this.failures.splice(at, 1)[0]!.error;
  }
}
