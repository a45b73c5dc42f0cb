/**
 * The strict Route 53 fake (test/route53/fake-route53.ts) plus the VPC side:
 * which private zones each VPC is associated with, association and private
 * zone creation, with Route 53's errors (NoSuchHostedZone,
 * PublicZoneVPCAssociation, ConflictingDomainExists for a VPC already
 * associated; the base fake answers HostedZoneAlreadyExists for a reused
 * caller reference).
 */
import type { R53Vpc, Route53VpcApi } from '../../src/adapters/dns/route53-vpc-api.js';
import { FakeRoute53 } from '../route53/fake-route53.js';

class Route53Error extends Error {
  constructor(name: string, message: string) {
    super(message);
    this.name = name;
  }
}

export class FakeRoute53WithVpcs extends FakeRoute53 implements Route53VpcApi {
  private readonly meta = new Map<string, { name: string; private: boolean; vpcs: Set<string> }>();

  /** A hosted zone; private zones take the VPCs (`region/vpc-id`) they are associated with. */
  addZone(name: string, options: { private?: boolean; vpcs?: R53Vpc[]; id?: string } = {}): string {
    const id = this.addHostedZone(name, { private: options.private ?? false, ...(options.id ? { id: options.id } : {}) });
    this.remember(id, name, options);
    return id;
  }

  private remember(id: string, name: string, options: { private?: boolean; vpcs?: R53Vpc[] }): void {
    this.meta.set(id, { name: `${name.toLowerCase().replace(/\.$/, '')}.`, private: options.private ?? false, vpcs: new Set((options.vpcs ?? []).map(vpcKey)) });
  }

  associations(id: string): string[] {
    return [...(this.meta.get(id)?.vpcs ?? [])];
  }

  async listHostedZonesByVPC(input: { VPCId: string; VPCRegion: string; NextToken?: string }) {
    this.calls.push({ method: 'listHostedZonesByVPC' as never, input: structuredClone(input) });
    const key = vpcKey(input);
    const HostedZoneSummaries = [...this.meta.entries()].filter(([, m]) => m.private && m.vpcs.has(key)).map(([id, m]) => ({ HostedZoneId: id, Name: m.name }));
    return { HostedZoneSummaries };
  }

  async associateVPCWithHostedZone(input: { HostedZoneId: string; VPC: R53Vpc }) {
    this.calls.push({ method: 'associateVPCWithHostedZone' as never, input: structuredClone(input) });
    const m = this.meta.get(input.HostedZoneId.replace(/^\/?hostedzone\//, ''));
    if (!m) throw new Route53Error('NoSuchHostedZone', `No hosted zone found with ID: ${input.HostedZoneId}`);
    if (!m.private) throw new Route53Error('PublicZoneVPCAssociation', 'You cannot associate a VPC with a public hosted zone.');
    if (m.vpcs.has(vpcKey(input.VPC))) throw new Route53Error('ConflictingDomainExists', 'The VPC is already associated with the hosted zone.');
    m.vpcs.add(vpcKey(input.VPC));
  }

  override async createHostedZone(input: { Name: string; CallerReference: string; VPC?: R53Vpc; HostedZoneConfig?: { PrivateZone?: boolean; Comment?: string } }) {
    const out = await super.createHostedZone(input);
    const id = out.HostedZone.Id.replace(/^\/hostedzone\//, '');
    this.remember(id, input.Name, { private: input.HostedZoneConfig?.PrivateZone ?? false, vpcs: input.VPC ? [input.VPC] : [] });
    return out;
  }

  override async deleteHostedZone(input: { Id: string }) {
    await super.deleteHostedZone(input);
    this.meta.delete(input.Id.replace(/^\/?hostedzone\//, ''));
  }
}

const vpcKey = (v: { VPCId: string; VPCRegion: string }) => `${v.VPCRegion}/${v.VPCId}`;
