/**
 * A strict, stateful fake of the slice of Route 53 Signpost uses. It rejects
 * what Route 53 rejects (InvalidChangeBatch for creating an existing set,
 * deleting a missing set or one whose TTL/values differ, a CNAME beside
 * other data or at the apex, names outside the zone, bad values, repeated
 * sets in one batch, more than 1000 changes or records; NoSuchHostedZone;
 * HostedZoneAlreadyExists for a CreateHostedZone caller reference used
 * before, even by a zone deleted since) and applies a batch all-or-nothing.
 * ListResourceRecordSets lists in Route 53's order (by name with its labels
 * reversed, `com.example.www.`, then by type), starts at StartRecordName /
 * StartRecordType, serves at most 300 sets a page, and answers InvalidInput
 * for a type without a name, an unknown type or a MaxItems below 1.
 * Failures can be injected per method.
 */
import { isIP } from 'node:net';
import type { R53Change, R53ChangeInfo, R53HostedZone, R53RecordSet, Route53Api } from '../../src/adapters/dns/route53-api.js';

class Route53Error extends Error {
  constructor(name: string, message: string) {
    super(message);
    this.name = name;
  }
}

interface Zone {
  readonly id: string;
  readonly name: string; // with trailing dot, lower case
  readonly private: boolean;
  readonly callerReference: string;
  readonly comment?: string;
  readonly sets: Map<string, R53RecordSet>;
}

type Method = 'listHostedZones' | 'listResourceRecordSets' | 'changeResourceRecordSets' | 'getChange' | 'createHostedZone' | 'deleteHostedZone';

// Route 53 takes `*` or its octal escape `\052` for a wildcard label, and lists it escaped.
const key = (name: string, type: string) => `${name.toLowerCase().replace(/\\052/g, '*')}|${type}`;
const listedName = (name: string) => name.replace(/\*/g, '\\052');
const withinZone = (name: string, zone: string) => name === zone || name.endsWith(`.${zone}`);
/**
 * Route 53's listing order for a name: its labels reversed, with the trailing
 * dot (`www.example.com.` → `com.example.www.`), compared as ASCII — so
 * `h-x.example.com.` comes before `h.example.com.`, and `*` (unescaped) too.
 */
const listingName = (name: string) => {
  const fqdn = name.toLowerCase().replace(/\\052/g, '*').replace(/\.?$/, '.');
  return `${fqdn.slice(0, -1).split('.').reverse().join('.')}.`;
};
const byListing = (a: { name: string; type: string }, b: { name: string; type: string }) => {
  const [an, bn] = [listingName(a.name), listingName(b.name)];
  return an < bn ? -1 : an > bn ? 1 : a.type < b.type ? -1 : a.type > b.type ? 1 : 0;
};
/** The record types ListResourceRecordSets accepts as StartRecordType (the API's RRType). */
const RR_TYPES = new Set(['SOA', 'A', 'TXT', 'NS', 'CNAME', 'MX', 'NAPTR', 'PTR', 'SRV', 'SPF', 'AAAA', 'CAA', 'DS', 'TLSA', 'SSHFP', 'SVCB', 'HTTPS']);
/** Route 53 serves at most this many record sets per ListResourceRecordSets page, whatever MaxItems asks. */
const MAX_RECORDS_PAGE = 300;

export class FakeRoute53 implements Route53Api {
  private readonly zones = new Map<string, Zone>();
  private readonly injected = new Map<Method, Error[]>();
  private readonly changes = new Map<string, number>();
  /** Every caller reference ever used: Route 53 never accepts one twice. */
  private readonly references = new Set<string>();
  private nextId = 1;
  /** Every call, in order (method and input), for assertions. */
  readonly calls: { method: Method; input: unknown }[] = [];
  /** Page size of ListHostedZones / ListResourceRecordSets when the caller sets none. */
  pageSize = { zones: 100, records: 300 };
  /** How many GetChange polls report PENDING before INSYNC. */
  pendingPolls = 1;

  addHostedZone(name: string, options: { private?: boolean; id?: string; callerReference?: string; comment?: string } = {}): string {
    const id = options.id ?? `Z${String(this.nextId++).padStart(12, '0')}FAKE`;
    const callerReference = options.callerReference ?? `console-${id}`;
    if (this.references.has(callerReference)) throw new Route53Error('HostedZoneAlreadyExists', 'A hosted zone has already been created with the specified caller reference.');
    this.references.add(callerReference);
    const fqdn = `${name.toLowerCase().replace(/\.$/, '')}.`;
    const sets = new Map<string, R53RecordSet>();
    sets.set(key(fqdn, 'SOA'), { Name: fqdn, Type: 'SOA', TTL: 900, ResourceRecords: [{ Value: `ns-1.awsdns.example. hostmaster.${fqdn} 1 7200 900 1209600 86400` }] });
    sets.set(key(fqdn, 'NS'), { Name: fqdn, Type: 'NS', TTL: 172800, ResourceRecords: [{ Value: 'ns-1.awsdns.example.' }] });
    this.zones.set(id, { id, name: fqdn, private: options.private ?? false, callerReference, ...(options.comment ? { comment: options.comment } : {}), sets });
    return id;
  }

  /** CreateHostedZone (the VPC of a private zone is kept by FakeRoute53WithVpcs). */
  async createHostedZone(input: { Name: string; CallerReference: string; HostedZoneConfig?: { PrivateZone?: boolean; Comment?: string } }) {
    this.enter('createHostedZone', input);
    const id = this.addHostedZone(input.Name, {
      private: input.HostedZoneConfig?.PrivateZone ?? false,
      callerReference: input.CallerReference,
      ...(input.HostedZoneConfig?.Comment ? { comment: input.HostedZoneConfig.Comment } : {}),
    });
    return { HostedZone: { Id: `/hostedzone/${id}`, Name: this.zone(id).name } };
  }

  /** DeleteHostedZone: only an empty zone (apex SOA and NS left); its caller reference stays used. */
  async deleteHostedZone(input: { Id: string }) {
    this.enter('deleteHostedZone', input);
    const zone = this.zone(input.Id);
    if (this.dump(zone.id).length > 0) throw new Route53Error('HostedZoneNotEmpty', 'The hosted zone contains resource record sets in addition to the default NS and SOA resource record sets.');
    this.zones.delete(zone.id);
  }

  /** Makes the next calls of `method` throw these errors, one per call. */
  inject(method: Method, ...errors: { name: string; message?: string }[]): void {
    this.injected.set(method, [...(this.injected.get(method) ?? []), ...errors.map((e) => new Route53Error(e.name, e.message ?? e.name))]);
  }

  /** A zone's record sets as `name type ttl value,value`, sorted, apex SOA/NS left out. */
  dump(zoneId: string): string[] {
    const zone = this.zone(zoneId);
    return [...zone.sets.values()]
      .filter((s) => !(s.Name === zone.name && (s.Type === 'SOA' || s.Type === 'NS')))
      .map((s) => `${s.Name} ${s.Type} ${s.TTL} ${(s.ResourceRecords ?? []).map((r) => r.Value).join(',')}`)
      .sort();
  }

  count(method: Method): number {
    return this.calls.filter((c) => c.method === method).length;
  }

  async listHostedZones(input: { Marker?: string; MaxItems?: number }) {
    this.enter('listHostedZones', input);
    const all = [...this.zones.values()].sort((a, b) => (a.id < b.id ? -1 : 1));
    const from = input.Marker ? all.findIndex((z) => z.id === input.Marker) : 0;
    if (from < 0) throw new Route53Error('InvalidInput', `bad marker ${input.Marker}`);
    const size = input.MaxItems ?? this.pageSize.zones;
    const page = all.slice(from, from + size);
    const next = all[from + size];
    const HostedZones: R53HostedZone[] = page.map((z) => ({
      Id: `/hostedzone/${z.id}`,
      Name: z.name,
      CallerReference: z.callerReference,
      Config: { PrivateZone: z.private, ...(z.comment ? { Comment: z.comment } : {}) },
    }));
    return { HostedZones, IsTruncated: next !== undefined, ...(next ? { NextMarker: next.id } : {}) };
  }

  async listResourceRecordSets(input: { HostedZoneId: string; StartRecordName?: string; StartRecordType?: string; MaxItems?: number }) {
    this.enter('listResourceRecordSets', input);
    const zone = this.zone(input.HostedZoneId);
    if (input.StartRecordType !== undefined && !input.StartRecordName) throw new Route53Error('InvalidInput', 'StartRecordType requires StartRecordName');
    if (input.StartRecordType !== undefined && !RR_TYPES.has(input.StartRecordType)) throw new Route53Error('InvalidInput', `Invalid StartRecordType ${input.StartRecordType}`);
    if (input.MaxItems !== undefined && (!Number.isInteger(input.MaxItems) || input.MaxItems < 1)) throw new Route53Error('InvalidInput', `Invalid MaxItems ${input.MaxItems}`);
    const all = [...zone.sets.values()].sort((a, b) => byListing({ name: a.Name, type: a.Type }, { name: b.Name, type: b.Type }));
    const start = input.StartRecordName ? { name: input.StartRecordName, type: input.StartRecordType ?? '' } : undefined;
    const from = start ? all.findIndex((s) => byListing({ name: s.Name, type: s.Type }, start) >= 0) : 0;
    const size = Math.min(input.MaxItems ?? this.pageSize.records, MAX_RECORDS_PAGE);
    const page = from < 0 ? [] : all.slice(from, from + size);
    const next = from < 0 ? undefined : all[from + size];
    return {
      ResourceRecordSets: page.map((set) => ({ ...copy(set), Name: listedName(set.Name) })),
      IsTruncated: next !== undefined,
      ...(next ? { NextRecordName: listedName(next.Name), NextRecordType: next.Type } : {}),
    };
  }

  async changeResourceRecordSets(input: { HostedZoneId: string; ChangeBatch: { Comment?: string; Changes: R53Change[] } }) {
    this.enter('changeResourceRecordSets', input);
    const zone = this.zone(input.HostedZoneId);
    const changes = input.ChangeBatch.Changes;
    if (changes.length === 0) throw new Route53Error('InvalidInput', 'ChangeBatch must contain at least one change');
    if (changes.length > 1000) throw new Route53Error('InvalidChangeBatch', `too many changes: ${changes.length} (at most 1000)`);
    const records = changes.reduce((n, c) => n + (c.ResourceRecordSet.ResourceRecords?.length ?? 0) * (c.Action === 'UPSERT' ? 2 : 1), 0);
    if (records > 1000) throw new Route53Error('InvalidChangeBatch', `too many resource records: ${records} (at most 1000)`);

    const seen = new Map<string, string>();
    for (const c of changes) {
      const k = key(c.ResourceRecordSet.Name, c.ResourceRecordSet.Type);
      const before = seen.get(k);
      // Only "DELETE then CREATE" of one set may share a batch.
      if (before !== undefined && !(before === 'DELETE' && c.Action === 'CREATE')) {
        throw new Route53Error('InvalidChangeBatch', `The request contains an invalid set of changes for a resource record set '${c.ResourceRecordSet.Type} ${c.ResourceRecordSet.Name}'`);
      }
      seen.set(k, before === undefined ? c.Action : `${before}+${c.Action}`);
      validateSet(zone, c.ResourceRecordSet);
    }

    const next = new Map(zone.sets);
    for (const c of changes) {
      const set = c.ResourceRecordSet;
      const k = key(set.Name, set.Type);
      const label = `[${set.Name.toLowerCase()}, ${set.Type}]`;
      const current = next.get(k);
      if (c.Action === 'CREATE') {
        if (current) throw new Route53Error('InvalidChangeBatch', `Tried to create resource record set ${label} but it already exists`);
        next.set(k, copy(set));
      } else if (c.Action === 'DELETE') {
        if (!current) throw new Route53Error('InvalidChangeBatch', `Tried to delete resource record set ${label} but it was not found`);
        if (!sameSet(current, set)) throw new Route53Error('InvalidChangeBatch', `Tried to delete resource record set ${label} but the values provided do not match the current values`);
        if (set.Name.toLowerCase() === zone.name && (set.Type === 'SOA' || set.Type === 'NS')) {
          throw new Route53Error('InvalidChangeBatch', `A HostedZone must contain exactly one SOA record and at least one NS record at the apex`);
        }
        next.delete(k);
      } else if (c.Action === 'UPSERT') {
        next.set(k, copy(set));
      } else {
        throw new Route53Error('InvalidInput', `unknown action ${String(c.Action)}`);
      }
    }
    // CNAME beside other data (RFC 1034 §3.6.2), checked on the result as Route 53 does.
    const typesByName = new Map<string, string[]>();
    for (const s of next.values()) typesByName.set(s.Name.toLowerCase(), [...(typesByName.get(s.Name.toLowerCase()) ?? []), s.Type]);
    for (const [name, types] of typesByName) {
      if (types.includes('CNAME') && types.length > 1) {
        throw new Route53Error('InvalidChangeBatch', `RRSet of type CNAME with DNS name ${name} is not permitted because a conflicting RRSet of type ${types.find((t) => t !== 'CNAME')} with the same DNS name already exists in zone ${zone.name}`);
      }
    }
    zone.sets.clear();
    for (const [k, s] of next) zone.sets.set(k, s);
    const id = `/change/C${String(this.nextId++).padStart(10, '0')}`;
    this.changes.set(id, 0);
    return { ChangeInfo: { Id: id, Status: 'PENDING' } as R53ChangeInfo };
  }

  async getChange(input: { Id: string }) {
    this.enter('getChange', input);
    const polls = this.changes.get(input.Id);
    if (polls === undefined) throw new Route53Error('NoSuchChange', `no change ${input.Id}`);
    this.changes.set(input.Id, polls + 1);
    return { ChangeInfo: { Id: input.Id, Status: polls + 1 > this.pendingPolls ? 'INSYNC' : 'PENDING' } };
  }

  private enter(method: Method, input: unknown): void {
    this.calls.push({ method, input: structuredClone(input) });
    const error = this.injected.get(method)?.shift();
    if (error) throw error;
  }

  private zone(id: string): Zone {
    const zone = this.zones.get(id.replace(/^\/?hostedzone\//, ''));
    if (!zone) throw new Route53Error('NoSuchHostedZone', `No hosted zone found with ID: ${id}`);
    return zone;
  }
}

function validateSet(zone: Zone, set: R53RecordSet): void {
  const name = set.Name.toLowerCase();
  const fqdn = name.endsWith('.') ? name : `${name}.`;
  if (!withinZone(fqdn, zone.name)) throw new Route53Error('InvalidChangeBatch', `RRSet with DNS name ${set.Name} is not permitted in zone ${zone.name}`);
  if (set.TTL === undefined || !Number.isInteger(set.TTL) || set.TTL < 0 || set.TTL > 2147483647) {
    throw new Route53Error('InvalidChangeBatch', `Invalid TTL for ${set.Name}`);
  }
  const values = (set.ResourceRecords ?? []).map((r) => r.Value);
  if (values.length === 0) throw new Route53Error('InvalidChangeBatch', `RRSet ${set.Name} must have at least one resource record`);
  if (new Set(values).size !== values.length) throw new Route53Error('InvalidChangeBatch', `Duplicate Resource Record in ${set.Name}`);
  if (set.Type === 'CNAME' && (values.length > 1 || fqdn === zone.name)) {
    throw new Route53Error('InvalidChangeBatch', `RRSet of type CNAME with DNS name ${set.Name} is not permitted ${fqdn === zone.name ? 'at apex' : 'with more than one value'}`);
  }
  for (const v of values) {
    if (set.Type === 'A' && isIP(v) !== 4) throw new Route53Error('InvalidChangeBatch', `ARRDATAIllegalIPv4Address (Value is not a valid IPv4 address) encountered with '${v}'`);
    if (set.Type === 'AAAA' && isIP(v) !== 6) throw new Route53Error('InvalidChangeBatch', `AAAARRDATAIllegalIPv6Address (Value is not a valid IPv6 address) encountered with '${v}'`);
    const mx = /^(\d{1,5}) (\S+)$/.exec(v);
    if (set.Type === 'MX' && (!mx || Number(mx[1]) > 65535)) throw new Route53Error('InvalidChangeBatch', `MXRRDATANotTwoFields (Value should contain two fields) encountered with '${v}'`);
  }
}

function sameSet(a: R53RecordSet, b: R53RecordSet): boolean {
  const av = (a.ResourceRecords ?? []).map((r) => r.Value).sort();
  const bv = (b.ResourceRecords ?? []).map((r) => r.Value).sort();
  return a.TTL === b.TTL && av.length === bv.length && av.every((v, i) => v === bv[i]);
}

function copy(set: R53RecordSet): R53RecordSet {
  return { ...set, ...(set.ResourceRecords ? { ResourceRecords: set.ResourceRecords.map((r) => ({ Value: r.Value })) } : {}) };
}
