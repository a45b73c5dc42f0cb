/**
 * Names and algorithms of users' TSIG keys. A key name is what an UPDATE
 * message carries to say who signed it, so names are DNS names, compared
 * in canonical form (lower case, no trailing dot), and unique across users.
 */
import type { TsigAlgorithmName } from './model.js';

/** The HMACs a user's key may use; the first is the default. */
export const TSIG_ALGORITHMS = ['hmac-sha256', 'hmac-sha512'] as const satisfies readonly TsigAlgorithmName[];
export const DEFAULT_TSIG_ALGORITHM: TsigAlgorithmName = TSIG_ALGORITHMS[0];

/** Bytes of a generated TSIG secret (base64 in the answer that shows it once). */
export const TSIG_SECRET_BYTES = 32;

const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;
const MAX_NAME_LENGTH = 253;

export function isTsigAlgorithm(value: string): value is TsigAlgorithmName {
  return (TSIG_ALGORITHMS as readonly string[]).includes(value);
}

/** One or more labels of letters, digits and hyphens (none at a label's ends), at most 253 characters, in canonical form. */
export function isTsigKeyName(name: string): boolean {
  return name.length > 0 && name.length <= MAX_NAME_LENGTH && name.split('.').every((l) => LABEL.test(l));
}

/** The SecretBox context a key's secret is sealed for, so a sealed secret cannot be moved to another key's row. */
export const tsigSealContext = (name: string): string => `tsig:${name}`;

const SUFFIX_HEX = 16;

/**
 * A key name for a user who did not choose one: the user name mapped into
 * one DNS label (user names may hold `.`, `_`, `@`, `+` and capitals, which
 * become hyphens and lower case) and `randomHex` (16 hex digits, so two
 * users whose names map alike never collide), e.g. `alice-example-com-…`.
 */
export function defaultTsigKeyName(username: string, randomHex: string): string {
  if (!/^[0-9a-f]{16}$/.test(randomHex)) throw new RangeError(`expected ${SUFFIX_HEX} hex digits`);
  const mapped = username
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .slice(0, 63 - SUFFIX_HEX - 1)
    .replace(/^-+|-+$/g, '');
  return mapped ? `${mapped}-${randomHex}` : `key-${randomHex}`;
}
