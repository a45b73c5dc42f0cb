/**
 * The error catalogue: every failure the admin API and CLI can report, with a
 * stable machine-readable code. HTTP status mapping lives in the HTTP adapter.
 */
export const ERROR_CODES = [
  'invalid_request',
  'admin_key_missing',
  'admin_key_invalid',
  'user_exists',
  'user_not_found',
  'grant_conflict',
  'grant_not_found',
  'name_not_in_zone',
  'name_reserved',
  'host_not_found',
  'token_not_found',
  'own_account',
  'concurrent_update',
  'publish_failed',
  'record_conflict',
  'tsig_key_exists',
  'tsig_key_not_found',
  'acme_dns_account_exists',
  'challenge_not_allowed',
  'invalid_challenge',
  'bad_credentials',
  'event_failed',
  'body_too_large',
  'too_many_attempts',
  'storage_full',
  'not_found',
  'internal',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export class SignpostError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'SignpostError';
  }
}

/** A store write lost a race (conditional write failed). */
export class ConflictError extends SignpostError {
  constructor(message = 'the record was changed by someone else') {
    super('concurrent_update', message);
  }
}

/** Too many failed attempts from this caller: try again after `retryAfterSeconds`. */
export class ThrottledError extends SignpostError {
  constructor(readonly retryAfterSeconds: number) {
    super('too_many_attempts', `too many failed attempts; retry after ${retryAfterSeconds} s`);
  }
}
