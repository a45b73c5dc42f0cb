import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { ErrorCode } from '../../domain/errors.js';

/** HTTP status for each stable error code of the catalogue. */
export const HTTP_STATUS: Record<ErrorCode, ContentfulStatusCode> = {
  invalid_request: 400,
  admin_key_missing: 401,
  admin_key_invalid: 403,
  user_exists: 409,
  user_not_found: 404,
  grant_conflict: 409,
  grant_not_found: 404,
  name_not_in_zone: 422,
  name_reserved: 422,
  host_not_found: 404,
  token_not_found: 404,
  own_account: 409,
  concurrent_update: 409,
  publish_failed: 502,
  record_conflict: 409,
  tsig_key_exists: 409,
  tsig_key_not_found: 404,
  acme_dns_account_exists: 409,
  challenge_not_allowed: 403,
  invalid_challenge: 400,
  bad_credentials: 401,
  event_failed: 503,
  body_too_large: 413,
  too_many_attempts: 429,
  storage_full: 507,
  not_found: 404,
  internal: 500,
};

export function errorBody(code: ErrorCode, message: string): { error: { code: ErrorCode; message: string } } {
  return { error: { code, message } };
}
