/** SOA serial arithmetic (RFC 1982, SERIAL_BITS = 32). */

const HALF = 2 ** 31;

/** The serial after `n` increments; wraps modulo 2^32. */
export function serialAdd(serial: number, n = 1): number {
  return (serial + n) >>> 0;
}

/** a < b in serial-number order. Equal-distance pairs are undefined by the RFC and answer false. */
export function serialLessThan(a: number, b: number): boolean {
  const d = (b - a) >>> 0;
  return d !== 0 && d < HALF;
}
