import type { InstanceFacts, VpcFacts } from '../domain/instances/types.js';

/**
 * Read-only view of EC2 (DescribeInstances, DescribeSubnets, DescribeVpcs,
 * DescribeVpcAttribute, DescribeDhcpOptions). An instance EC2 no longer
 * knows is `undefined`, not an error.
 */
export interface Ec2Reader {
  instance(instanceId: string): Promise<InstanceFacts | undefined>;
  vpc(vpcId: string): Promise<VpcFacts>;
}
