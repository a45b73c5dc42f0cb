/**
 * What an UPDATE answer (or its absence) means for the caller, as a
 * PublishError kind: `refused` when retrying cannot help (a prerequisite
 * failed, or the server will not take updates from this key for this zone),
 * `unavailable` when it may (no answer, SERVFAIL). Messages name the key and
 * the zone, never the secret.
 */
import { PublishError } from '../../../ports/dns-provider.js';
import { TSIG_ERROR } from '../builtin/wire.js';
import type { ResponseVerdict } from '../builtin/tsig.js';
import { UPDATE_RCODE } from './update-message.js';

export interface Target {
  readonly zone: string;
  readonly server: string;
  readonly keyName: string;
}

const RCODE_NAME = Object.fromEntries(Object.entries(UPDATE_RCODE).map(([k, v]) => [v, k])) as Record<number, string>;
export const rcodeName = (rcode: number) => RCODE_NAME[rcode] ?? `RCODE ${rcode}`;

/** Undefined for NOERROR. */
export function rcodeError(rcode: number, t: Target): PublishError | undefined {
  const on = `${t.server} for zone ${t.zone}`;
  switch (rcode) {
    case UPDATE_RCODE.NOERROR:
      return undefined;
    case UPDATE_RCODE.NXRRSET:
    case UPDATE_RCODE.YXRRSET:
    case UPDATE_RCODE.NXDOMAIN:
    case UPDATE_RCODE.YXDOMAIN:
      return new PublishError('refused', `${on}: a prerequisite failed (${rcodeName(rcode)}): the server holds other records there than Signpost expected, so nothing was changed`);
    case UPDATE_RCODE.NOTAUTH:
      return new PublishError('refused', `${on} answered NOTAUTH: the server is not authoritative for the zone, or does not accept the TSIG key ${t.keyName} (check the key name, secret and algorithm on both sides)`);
    case UPDATE_RCODE.NOTZONE:
      return new PublishError('refused', `${on} answered NOTZONE: a name is outside the zone; is ${t.zone} the zone the server holds?`);
    case UPDATE_RCODE.REFUSED:
      return new PublishError('refused', `${on} REFUSED the update: allow the key ${t.keyName} to update the zone (BIND: allow-update { key "${t.keyName}"; };), or check that the server is the zone's primary`);
    case UPDATE_RCODE.SERVFAIL:
      return new PublishError('unavailable', `${on} answered SERVFAIL; will retry`);
    default:
      return new PublishError('refused', `${on} answered ${rcodeName(rcode)}`);
  }
}

/** A response whose TSIG was not accepted. */
export function tsigError(verdict: Exclude<ResponseVerdict, { ok: true }>, t: Target): PublishError {
  const on = `${t.server} for zone ${t.zone}`;
  if (verdict.reason === 'server') {
    if (verdict.error === TSIG_ERROR.BADTIME) return new PublishError('refused', `${on} rejected the signature's time (BADTIME): the clocks of this machine and the server differ by more than 5 minutes`);
    const what = verdict.error === TSIG_ERROR.BADKEY ? 'BADKEY: the server does not know the key or its algorithm' : 'BADSIG: the secret differs';
    return new PublishError('refused', `${on} rejected the TSIG key ${t.keyName} (${what}); check the key name, secret and algorithm on both sides`);
  }
  if (verdict.reason === 'time') return new PublishError('refused', `${on} signed its answer at a time more than the fudge away from this machine's clock; check both clocks`);
  // An answer we cannot authenticate may be forged: what the server did is unknown, so reconcile later.
  return new PublishError('unavailable', `${on}: the answer's TSIG signature did not verify with key ${t.keyName} (${verdict.reason}); the outcome is unknown`);
}
