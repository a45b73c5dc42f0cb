import { canonicalName, isWithin } from './names.js';

/** A zone as the planning code sees it (structurally the provider port's ZoneRef). */
export interface ZoneLike {
  readonly id: string;
  readonly name: string;
  readonly private: boolean;
}

export type Visibility = 'public' | 'private';

/** Two zones of the same name could hold `name`: only configured ids can say which one is meant. */
export class AmbiguousZoneError extends Error {
  constructor(readonly zone: string) {
    super(`several writable zones are named ${zone}; configure the zone (hosted zone) ids to choose one`);
    this.name = 'AmbiguousZoneError';
  }
}

/**
 * The zone that holds `name`: the longest label-aligned suffix
 * (`x.dyn.example.com` → `dyn.example.com` before `example.com`; never
 * `evilexample.com`) among zones of the wanted visibility (any when not
 * given). Undefined when none holds it; AmbiguousZoneError on a tie.
 */
export function zoneForName<Z extends ZoneLike>(name: string, zones: readonly Z[], visibility?: Visibility): Z | undefined {
  const canonical = canonicalName(name);
  let best: Z | undefined;
  let tie = false;
  for (const zone of zones) {
    if (visibility && zone.private !== (visibility === 'private')) continue;
    if (!isWithin(canonical, zone.name)) continue;
    if (!best || zone.name.length > best.name.length) {
      best = zone;
      tie = false;
    } else if (zone.name.length === best.name.length) tie = true;
  }
  if (tie && best) throw new AmbiguousZoneError(best.name);
  return best;
}
