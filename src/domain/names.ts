/**
 * DNS names as Signpost handles them: lower-case, no trailing dot, ASCII
 * (IDNs arrive already converted to their A-label form by the source).
 */

const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;
const MAX_NAME_LENGTH = 253;

/** Lower-cases and strips one trailing dot; no validation. */
export function canonicalName(raw: string): string {
  const lower = raw.trim().toLowerCase();
  return lower.endsWith('.') ? lower.slice(0, -1) : lower;
}

/**
 * A fully qualified host name: at least two labels, letters/digits/hyphens,
 * label and total length limits of RFC 1035.
 */
export function isFqdn(name: string): boolean {
  if (name.length === 0 || name.length > MAX_NAME_LENGTH) return false;
  const labels = name.split('.');
  return labels.length >= 2 && labels.every((l) => LABEL.test(l));
}

/** True when `name` is `zone` itself or lies below it (label-aligned). */
export function isWithin(name: string, zone: string): boolean {
  return name === zone || name.endsWith(`.${zone}`);
}

/** The longest served zone containing `name`, label-aligned; undefined if none. */
export function findZone(name: string, zones: readonly string[]): string | undefined {
  let best: string | undefined;
  for (const zone of zones) {
    if (isWithin(name, zone) && (best === undefined || zone.length > best.length)) best = zone;
  }
  return best;
}

/** A grant is an exact name or `*.suffix`, which covers every name strictly below suffix. */
export function isGrantPattern(pattern: string): boolean {
  const base = pattern.startsWith('*.') ? pattern.slice(2) : pattern;
  return isFqdn(base);
}

export function grantCovers(pattern: string, name: string): boolean {
  if (pattern.startsWith('*.')) {
    const suffix = pattern.slice(1); // ".alice.dyn.example.test"
    return name.endsWith(suffix) && name.length > suffix.length;
  }
  return pattern === name;
}

/** Two grants overlap when some name is covered by both. */
export function grantsOverlap(a: string, b: string): boolean {
  const base = (p: string) => (p.startsWith('*.') ? p.slice(2) : p);
  if (a === b) return true;
  if (a.startsWith('*.') && grantCovers(a, base(b))) return true;
  if (b.startsWith('*.') && grantCovers(b, base(a))) return true;
  return false;
}
