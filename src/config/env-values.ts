/**
 * zod building blocks for environment variables whose failures read as
 * sentences: every message completes "SIGNPOST_X …, got 'value'" (see
 * parseEnv in env.ts), e.g. "SIGNPOST_TTL must be a whole number of seconds
 * between 1 and 86400, got 'abc'".
 */
import * as z from 'zod';

const WHOLE = /^\d+$/;
const DECIMAL = /^\d+(\.\d+)?$/;

const range = (min: number, max: number | undefined) => (max === undefined ? `of at least ${min}` : `between ${min} and ${max}`);

/** A non-negative integer in [min, max], written in plain digits (no `1e3`, `0x10` or `12abc`). */
export function wholeNumber(min: number, max?: number, unit?: string) {
  const what = `must be a whole number${unit ? ` of ${unit}` : ''} ${range(min, max)}`;
  return z
    .string()
    .trim()
    .refine((s) => WHOLE.test(s) && Number(s) >= min && (max === undefined || Number(s) <= max), what)
    .transform(Number);
}

/** A non-negative decimal number (`0.5`) in [min, max]. */
export function decimalNumber(min: number, max?: number, unit?: string) {
  const what = `must be a number${unit ? ` of ${unit}` : ''} ${range(min, max)}`;
  return z
    .string()
    .trim()
    .refine((s) => DECIMAL.test(s) && Number(s) >= min && (max === undefined || Number(s) <= max), what)
    .transform(Number);
}

export const port = () =>
  z
    .string()
    .trim()
    .refine((s) => WHOLE.test(s) && Number(s) <= 65535, 'must be a port number between 0 and 65535 (0 picks a free one)')
    .transform(Number);

export function oneOf<const T extends readonly [string, ...string[]]>(values: T) {
  return z.enum(values, { error: `must be one of ${values.join(', ')}` });
}

export const flag = () => oneOf(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');
