/**
 * TSIG as a client: requests signed with hmac-sha256/512 verify on the
 * server side, answers signed by a server verify with ResponseVerifier
 * (single answers and transfer streams with unsigned messages in between),
 * and every way an answer can be wrong is told apart. Requests signed by
 * real nsupdate are verified in update-codec.test.ts, answers signed by real
 * BIND in bind-interop.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { parseMessage } from '../../src/adapters/dns/builtin/message.js';
import { ResponseVerifier, parseKey, sign, verifyRequest, type TsigKey } from '../../src/adapters/dns/builtin/tsig.js';
import { TSIG_ERROR, TYPE } from '../../src/adapters/dns/builtin/wire.js';
import { decodeMessage, encodeQuery } from '../../src/adapters/dns/rfc2136/update-message.js';

const T = 1_800_000_000;
const key = (algorithm: 'hmac-sha256' | 'hmac-sha512', secret = 'tsig-client-secret'): TsigKey => ({ name: 'k1', secret: Buffer.from(secret), algorithm });
/** An answer to `request`: same id, QR set. */
const answerTo = (request: Uint8Array) => {
  const a = Uint8Array.from(encodeQuery(0, 'example.test', TYPE.AXFR));
  a[0] = request[0]!;
  a[1] = request[1]!;
  a[2] = 0x84;
  return a;
};
const tsigOf = (m: Uint8Array) => decodeMessage(m).tsig;

describe.each(['hmac-sha256', 'hmac-sha512'] as const)('%s', (algorithm) => {
  const k = key(algorithm);

  it('signs requests the server side verifies, with a MAC of the algorithm’s length', () => {
    const { message, mac } = sign(encodeQuery(0x4242, 'example.test', TYPE.AXFR), k, { time: T });
    expect(mac.length).toBe(algorithm === 'hmac-sha256' ? 32 : 64);
    const parsed = parseMessage(message);
    if (!parsed?.ok || !parsed.query.tsig) throw new Error('unparsable');
    expect(parsed.query.tsig.algorithm).toBe(algorithm);
    expect(verifyRequest(message, parsed.query.tsig, new Map([['k1', k]]), T + 10)).toMatchObject({ ok: true });
    const otherAlgorithm = key(algorithm === 'hmac-sha256' ? 'hmac-sha512' : 'hmac-sha256');
    expect(verifyRequest(message, parsed.query.tsig, new Map([['k1', otherAlgorithm]]), T)).toMatchObject({ ok: false, error: TSIG_ERROR.BADKEY });
  });

  it('verifies a signed answer, and tells a forged, foreign, late or missing signature apart', () => {
    const request = sign(encodeQuery(0x1111, 'example.test', TYPE.AXFR), k, { time: T });
    const answer = sign(answerTo(request.message), k, { time: T + 1, requestMac: request.mac }).message;
    expect(new ResponseVerifier(k, request.mac).check(answer, tsigOf(answer), T + 2)).toEqual({ ok: true });
    // Signed for another request (the MAC chain differs).
    const other = sign(encodeQuery(0x1111, 'example.test', TYPE.AXFR), k, { time: T + 5 });
    expect(new ResponseVerifier(k, other.mac).check(answer, tsigOf(answer), T + 2)).toEqual({ ok: false, reason: 'signature' });
    const tampered = Uint8Array.from(answer);
    tampered[3] = tampered[3]! ^ 0x05; // RCODE changed in flight
    expect(new ResponseVerifier(k, request.mac).check(tampered, tsigOf(tampered), T + 2)).toEqual({ ok: false, reason: 'signature' });
    expect(new ResponseVerifier(key(algorithm, 'another secret'), request.mac).check(answer, tsigOf(answer), T + 2)).toEqual({ ok: false, reason: 'signature' });
    expect(new ResponseVerifier({ ...k, name: 'k2' }, request.mac).check(answer, tsigOf(answer), T + 2)).toEqual({ ok: false, reason: 'key' });
    expect(new ResponseVerifier(k, request.mac).check(answer, tsigOf(answer), T + 1000)).toEqual({ ok: false, reason: 'time' });
    const unsigned = answerTo(request.message);
    expect(new ResponseVerifier(k, request.mac).check(unsigned, undefined, T)).toEqual({ ok: false, reason: 'unsigned' });
  });

  it('reports the server’s own TSIG errors: BADKEY/BADSIG unsigned, BADTIME signed', () => {
    const request = sign(encodeQuery(0x2222, 'example.test', TYPE.AXFR), k, { time: T });
    const badkey = sign(answerTo(request.message), k, { time: T, requestMac: request.mac, error: TSIG_ERROR.BADKEY }).message;
    expect(tsigOf(badkey)?.mac.length).toBe(0);
    expect(new ResponseVerifier(k, request.mac).check(badkey, tsigOf(badkey), T)).toEqual({ ok: false, reason: 'server', error: TSIG_ERROR.BADKEY });
    const badtime = sign(answerTo(request.message), k, { time: T, requestMac: request.mac, error: TSIG_ERROR.BADTIME }).message;
    expect(new ResponseVerifier(k, request.mac).check(badtime, tsigOf(badtime), T)).toEqual({ ok: false, reason: 'server', error: TSIG_ERROR.BADTIME });
  });

  it('follows a transfer: each message chains the previous MAC, unsigned messages in between are covered by the next', () => {
    const request = sign(encodeQuery(0x3333, 'example.test', TYPE.AXFR), k, { time: T });
    const first = sign(answerTo(request.message), k, { time: T, requestMac: request.mac });
    const middle = answerTo(request.message);
    middle[7] = 0; // an unsigned message (differs only to be distinct bytes)
    middle[3] = 0x00;
    // The next signature covers the unsigned message and this one, chained on the first MAC, timers only.
    const unsignedThenLast = (() => {
      const last = answerTo(request.message);
      const joined = new Uint8Array(middle.length + last.length);
      joined.set(middle);
      joined.set(last, middle.length);
      const signedJoined = sign(joined, k, { time: T + 1, priorMac: first.mac });
      // Split the signed concatenation back: the TSIG record goes on the last message only.
      const rr = signedJoined.message.subarray(joined.length);
      const out = new Uint8Array(last.length + rr.length);
      out.set(last);
      out.set(rr, last.length);
      out[11] = out[11]! + 1;
      return out;
    })();
    const v = new ResponseVerifier(k, request.mac);
    expect(v.check(first.message, tsigOf(first.message), T)).toEqual({ ok: true });
    expect(v.check(middle, undefined, T)).toEqual({ ok: true });
    expect(v.check(unsignedThenLast, tsigOf(unsignedThenLast), T + 1)).toEqual({ ok: true });
    // Replaying the first message later in the stream fails: the chain has moved on.
    expect(v.check(first.message, tsigOf(first.message), T)).toEqual({ ok: false, reason: 'signature' });
  });
});

describe('key entries', () => {
  it('take an optional algorithm prefix and fall back to a chosen default', () => {
    expect(parseKey('hmac-sha512:Name.:c2VjcmV0')).toEqual({ name: 'name', algorithm: 'hmac-sha512', secret: Buffer.from('secret') });
    expect(parseKey('name:c2VjcmV0').algorithm).toBe('hmac-sha256');
    expect(parseKey('name:c2VjcmV0', 'hmac-sha512').algorithm).toBe('hmac-sha512');
    expect(() => parseKey('name:not base64')).toThrow(/bad TSIG key "name"/);
    expect(() => parseKey('name:not base64')).not.toThrow(/not base64/);
  });
});
