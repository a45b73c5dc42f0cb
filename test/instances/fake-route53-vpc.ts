/**
 * The strict Route 53 fake (test/route53/fake-route53.ts) plus the VPC side:
 * which private zones each VPC is associated with, association and private
 * zone creation, with Route 53's errors (NoSuchHostedZone,
 * PublicZoneVPCAssociation, ConflictingDomainExists for a duplicate
 * CallerReference with another name).
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
  private readonly references = new Map<string, string>();

  /** A hosted zone; private zones take the VPCs (`region/vpc-id`) they are associated with. */
  addZone(name: string, options: { private?: boolean; vpcs?: R53Vpc[]; id?: string } = {}): string {
    const id = this.addHostedZone(name, { private: options.private ?? false, ...(options.id ? { id: options.id } : {}) });
    this.meta.set(id, { name: `${name.toLowerCase().replace(/\.$/, '')}.`, private: options.private ?? false, vpcs: new Set((options.vpcs ?? []).map(vpcKey)) });
    return id;
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

  async createHostedZone(input: { Name: string; CallerReference: string; VPC: R53Vpc; HostedZoneConfig: { PrivateZone: true } }) {
    this.calls.push({ method: 'createHostedZone' as never, input: structuredClone(input) });
    const previous = this.references.get(input.CallerReference);
    if (previous) throw new Route53Error('HostedZoneAlreadyExists', `A hosted zone has already been created with the specified caller reference.`);
    const id = this.addZone(input.Name, { private: true, vpcs: [input.VPC] });
    this.references.set(input.CallerReference, id);
    return { HostedZone: { Id: `/hostedzone/${id}`, Name: `${input.Name.replace(/\.$/, '')}.` } };
  }
}

const vpcKey = (v: { VPCId: string; VPCRegion: string }) => `${v.VPCRegion}/${v.VPCId}`;
