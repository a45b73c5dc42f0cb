import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/env.js';
import { builtinReservedNames, route53ReservedNames } from '../../src/config/reserved-names.js';
import { grantReservationOf, reservationOf, zoneReservedNames, type ReservedName } from '../../src/domain/reserved.js';

const ZONES = ['dyn.example.test', 'example.org'];
const names = (list: readonly ReservedName[]) => list.map((r) => r.name);

describe('reserved names (domain)', () => {
  it('a zone reserves its apex and the NS targets inside any served zone, not those elsewhere', () => {
    const reserved = zoneReservedNames({ apex: 'dyn.example.test', nameservers: ['ns1.dyn.example.test', 'ns.example.org', 'ns2.example.net'] }, ZONES);
    expect(names(reserved)).toEqual(['dyn.example.test', 'ns1.dyn.example.test', 'ns.example.org']);
  });

  const reserved: ReservedName[] = [
    { name: 'dyn.example.test', reason: 'apex' },
    { name: 'ns1.dyn.example.test', reason: 'name server' },
    { name: 'acme.dyn.example.test', subtree: true, reason: 'acme-dns zone' },
  ];

  it.each([
    ['dyn.example.test', true],
    ['ns1.dyn.example.test', true],
    ['x.ns1.dyn.example.test', false],
    ['ns10.dyn.example.test', false],
    ['acme.dyn.example.test', true],
    ['_acme-challenge.x.acme.dyn.example.test', true],
    ['home.dyn.example.test', false],
  ])('update target %s reserved: %s', (name, expected) => {
    expect(reservationOf(name, reserved) !== undefined).toBe(expected);
  });

  it.each([
    ['ns1.dyn.example.test', true],
    ['dyn.example.test', true],
    ['a.acme.dyn.example.test', true],
    ['*.acme.dyn.example.test', true],
    ['*.x.acme.dyn.example.test', true],
    // a wildcard may cover reserved names; they stay out of its reach at update time
    ['*.dyn.example.test', false],
    ['*.ns1.dyn.example.test', false],
    ['home.dyn.example.test', false],
  ])('grant %s refused: %s', (pattern, expected) => {
    expect(grantReservationOf(pattern, reserved) !== undefined).toBe(expected);
  });
});

describe('reserved names (configuration)', () => {
  it('self-hosted: every apex and in-zone NS name from SIGNPOST_DNS_NS, glue or not', () => {
    const config = loadConfig({ SIGNPOST_ZONES: ZONES.join(','), SIGNPOST_DNS_NS: 'ns1.{zone}=192.0.2.53,ns2.{zone},ns.example.net' });
    expect(names(builtinReservedNames(config.dns, config.zones))).toEqual([
      'dyn.example.test',
      'ns1.dyn.example.test',
      'ns2.dyn.example.test',
      'example.org',
      'ns1.example.org',
      'ns2.example.org',
    ]);
  });

  it('self-hosted default: the apex and ns1.{zone}', () => {
    const config = loadConfig({ SIGNPOST_ZONES: 'dyn.example.test' });
    expect(names(builtinReservedNames(config.dns, config.zones))).toEqual(['dyn.example.test', 'ns1.dyn.example.test']);
  });

  it('Route 53: the apexes, plus configured NS names only', () => {
    expect(names(route53ReservedNames(ZONES, []))).toEqual(['dyn.example.test', 'example.org']);
    expect(names(route53ReservedNames(['dyn.example.test'], ['ns1.{zone}', 'NS2.Dyn.Example.Test.']))).toEqual(['dyn.example.test', 'ns1.dyn.example.test', 'ns2.dyn.example.test']);
  });
});
