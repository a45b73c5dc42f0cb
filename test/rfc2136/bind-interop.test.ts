/**
 * Rfc2136Provider against a real BIND 9 primary started on 127.0.0.1 with
 * TSIG keys and `allow-update`/`allow-transfer` for them: what it writes is
 * what `dig` sees, it reads the zone back by signed AXFR, it never clobbers
 * a record someone else added with `nsupdate`, a plan with one refused change
 * applies nothing, hmac-sha512 works, and configuration mistakes or an
 * unreachable server give the right PublishError kind without the secret.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NO_CHANGES, type Changes } from '../../src/domain/plan.js';
import type { RRSet } from '../../src/domain/records.js';
import { PublishError, type ZoneRef } from '../../src/ports/dns-provider.js';
import { Rfc2136Provider, type Rfc2136Zone } from '../../src/adapters/dns/rfc2136/provider.js';
import { requirePeer } from '../support/peers.js';
import { dig, freePort, startNamed, waitFor, type Named } from '../dns/support.js';

const named = requirePeer('named');
const digPeer = requirePeer('dig');
const nsupdate = requirePeer('nsupdate');

const ZONE = 'rfc.example.test';
const REF: ZoneRef = { id: ZONE, name: ZONE, private: false };
const secret = (s: string) => Buffer.from(`${s}-0123456789abcdef0123456789`);
const KEYS = {
  sha256: { name: 'signpost-256', algorithm: 'hmac-sha256' as const, secret: secret('sha256') },
  sha512: { name: 'signpost-512', algorithm: 'hmac-sha512' as const, secret: secret('sha512') },
  /** Known to BIND but allowed to do nothing. */
  idle: { name: 'idle-key', algorithm: 'hmac-sha256' as const, secret: secret('idle') },
  /** What another tool uses to write the zone. */
  other: { name: 'other-writer', algorithm: 'hmac-sha256' as const, secret: secret('other') },
};
const keyStatement = (k: Rfc2136Zone['key']) => `key "${k.name}" { algorithm ${k.algorithm}; secret "${k.secret.toString('base64')}"; };`;
const set = (name: string, type: RRSet['type'], values: string[], ttl = 60): RRSet => ({ name: `${name}.${ZONE}`, type, ttl, values });
const create = (...sets: RRSet[]): Changes => ({ ...NO_CHANGES, create: sets });

describe.skipIf(!named.available || !digPeer.available || !nsupdate.available)('RFC 2136 publishing to BIND 9', () => {
  let bind: Named;
  const provider = (key: Rfc2136Zone['key'] = KEYS.sha256, port = bind.port, extra: { timeoutMs?: number; retries?: number } = {}) =>
    new Rfc2136Provider({ zones: [{ name: ZONE, server: { host: '127.0.0.1', port }, key }], timeoutMs: 1000, retries: 1, backoffMs: 50, ...extra } as ConstructorParameters<typeof Rfc2136Provider>[0]);
  const answer = async (name: string, type: string) => (await dig(digPeer.path, bind.port, [`${name}.${ZONE}`, type, '+short', '+norec'])).stdout.trim().split('\n').filter(Boolean).sort();
  const refusal = async (p: Promise<unknown>) => {
    const error = await p.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(PublishError);
    return error as PublishError;
  };
  const foreignWrite = async (line: string) => {
    const script = `server 127.0.0.1 ${bind.port}\nzone ${ZONE}\n${line}\nsend\n`;
    const child = promisify(execFile)(nsupdate.path, ['-y', `hmac-sha256:${KEYS.other.name}:${KEYS.other.secret.toString('base64')}`]);
    child.child.stdin!.end(script);
    await child;
  };

  beforeAll(async () => {
    bind = await startNamed(
      named.path,
      `${Object.values(KEYS).map(keyStatement).join('\n')}
zone "${ZONE}" {
  type primary;
  file "zone.db";
  allow-update { key "${KEYS.sha256.name}"; key "${KEYS.sha512.name}"; key "${KEYS.other.name}"; };
  allow-transfer { key "${KEYS.sha256.name}"; key "${KEYS.sha512.name}"; };
};`,
      { 'zone.db': `$TTL 300\n@ SOA ns1.${ZONE}. hostmaster.${ZONE}. 1 3600 600 1209600 60\n@ NS ns1.${ZONE}.\nns1 A 127.0.0.1\n` },
    );
  });
  afterAll(async () => {
    await bind?.stop();
  });

  it('creates, updates and deletes record sets that dig then sees, and reads them back by AXFR', async () => {
    const p = provider();
    const home = set('home', 'A', ['192.0.2.10']);
    const home6 = set('home', 'AAAA', ['2001:db8::10']);
    const txt = set('_acme-challenge.home', 'TXT', ['"token one"', '"two" "strings"']);
    const mx = set('home', 'MX', ['10 mail.example.net.']);
    await p.apply(REF, create(home, home6, txt, mx));
    expect(await answer('home', 'A')).toEqual(['192.0.2.10']);
    expect(await answer('home', 'AAAA')).toEqual(['2001:db8::10']);
    expect(await answer('_acme-challenge.home', 'TXT')).toEqual(['"token one"', '"two" "strings"']);
    expect(await answer('home', 'MX')).toEqual(['10 mail.example.net.']);
    const read = await p.records(REF);
    // Apex SOA and NS are the server's own; ns1's A is someone else's and is listed (the backend is shared).
    expect(read.find((s) => s.name === ZONE)).toBeUndefined();
    expect(read.filter((s) => s.name !== `ns1.${ZONE}`).sort((a, b) => `${a.name}${a.type}`.localeCompare(`${b.name}${b.type}`))).toEqual(
      [home, home6, mx, { ...txt, values: [...txt.values].sort() }].sort((a, b) => `${a.name}${a.type}`.localeCompare(`${b.name}${b.type}`)).map((s) => ({ ...s, values: expect.arrayContaining([...s.values]) as unknown as string[] })),
    );

    const moved = set('home', 'A', ['192.0.2.11', '192.0.2.12'], 120);
    await p.apply(REF, { ...NO_CHANGES, update: [{ from: home, to: moved }], delete: [home6, txt, mx] });
    expect(await answer('home', 'A')).toEqual(['192.0.2.11', '192.0.2.12']);
    expect(await answer('home', 'AAAA')).toEqual([]);
    expect(await answer('_acme-challenge.home', 'TXT')).toEqual([]);
    expect((await p.records(REF)).filter((s) => s.name === `home.${ZONE}`)).toEqual([{ ...moved, values: expect.arrayContaining([...moved.values]) as unknown as string[] }]);
    await p.apply(REF, { ...NO_CHANGES, delete: [moved] });
    expect(await answer('home', 'A')).toEqual([]);
  });

  it('never clobbers a record someone else added with nsupdate', async () => {
    await foreignWrite(`update add printer.${ZONE} 300 A 198.51.100.7`);
    const p = provider();
    const refused = await refusal(p.apply(REF, create(set('printer', 'A', ['192.0.2.20']))));
    expect(refused.kind).toBe('refused');
    expect(refused.message).toMatch(/prerequisite failed \(YXRRSET\)/);
    // Updating from what Signpost believes was there is refused too: the values differ.
    const update = await refusal(p.apply(REF, { ...NO_CHANGES, update: [{ from: set('printer', 'A', ['192.0.2.19']), to: set('printer', 'A', ['192.0.2.20']) }] }));
    expect(update.message).toMatch(/NXRRSET/);
    const deletion = await refusal(p.apply(REF, { ...NO_CHANGES, delete: [set('printer', 'A', ['192.0.2.19'])] }));
    expect(deletion.kind).toBe('refused');
    // A CNAME over it would be silently ignored by the server; the prerequisite refuses it instead.
    expect((await refusal(p.apply(REF, create(set('printer', 'CNAME', ['home.example.net']))))).kind).toBe('refused');
    expect(await answer('printer', 'A')).toEqual(['198.51.100.7']);
    expect(await answer('printer', 'CNAME')).toEqual([]);
  });

  it('applies a plan with one refused change not at all', async () => {
    await foreignWrite(`update add taken.${ZONE} 300 TXT "theirs"`);
    const p = provider();
    const error = await refusal(p.apply(REF, create(set('fresh1', 'A', ['192.0.2.30']), set('fresh2', 'AAAA', ['2001:db8::30']), set('taken', 'TXT', ['"ours"']))));
    expect(error.kind).toBe('refused');
    expect(await answer('fresh1', 'A')).toEqual([]);
    expect(await answer('fresh2', 'AAAA')).toEqual([]);
    expect(await answer('taken', 'TXT')).toEqual(['"theirs"']);
  });

  it('publishes and transfers with an hmac-sha512 key', async () => {
    const p = provider(KEYS.sha512);
    await p.apply(REF, create(set('sha512', 'A', ['192.0.2.51'])));
    expect(await answer('sha512', 'A')).toEqual(['192.0.2.51']);
    expect((await p.records(REF)).find((s) => s.name === `sha512.${ZONE}`)).toEqual(set('sha512', 'A', ['192.0.2.51']));
    await p.apply(REF, { ...NO_CHANGES, delete: [set('sha512', 'A', ['192.0.2.51'])] });
  });

  it('names the likely configuration mistake, never the secret', async () => {
    const wrongSecret = { ...KEYS.sha256, secret: secret('not-the-secret') };
    const cases: [Rfc2136Zone['key'], RegExp][] = [
      [wrongSecret, /rejected the TSIG key signpost-256 \(BADSIG/],
      [{ ...KEYS.sha256, name: 'unknown-key' }, /rejected the TSIG key unknown-key \(BADKEY/],
      [{ ...KEYS.sha256, algorithm: 'hmac-sha512' }, /rejected the TSIG key signpost-256 \(BADKEY/],
      [KEYS.idle, /REFUSED the update: allow the key idle-key/],
    ];
    for (const [key, message] of cases) {
      const error = await refusal(provider(key).apply(REF, create(set('nope', 'A', ['192.0.2.99']))));
      expect(error.kind).toBe('refused');
      expect(error.message).toMatch(message);
      expect(error.message).not.toContain(key.secret.toString('base64'));
      expect(error.message).not.toContain(key.secret.toString());
    }
    const transfer = await refusal(provider(KEYS.idle).records(REF));
    expect(transfer.message).toMatch(/allow-transfer/);
    expect(await answer('nope', 'A')).toEqual([]);
  });

  it('is unavailable when nothing answers: nothing listening, or the server paused', async () => {
    const closed = await refusal(provider(KEYS.sha256, await freePort(), { timeoutMs: 200, retries: 1 }).apply(REF, create(set('down', 'A', ['192.0.2.40']))));
    expect(closed.kind).toBe('unavailable');
    bind.process.kill('SIGSTOP');
    try {
      const started = Date.now();
      const paused = await refusal(provider(KEYS.sha256, bind.port, { timeoutMs: 200, retries: 2 }).apply(REF, create(set('down', 'A', ['192.0.2.40']))));
      expect(paused.kind).toBe('unavailable');
      expect(paused.message).toMatch(/no answer from 127\.0\.0\.1:\d+ over UDP within 200 ms/);
      // Three tries of 200 ms with 50 + 100 ms between them: bounded.
      expect(Date.now() - started).toBeLessThan(2000);
      expect((await refusal(provider(KEYS.sha256, bind.port, { timeoutMs: 200, retries: 0 }).records(REF))).kind).toBe('unavailable');
    } finally {
      bind.process.kill('SIGCONT');
    }
    // The paused server still had the datagrams: once resumed it applies the first try, and the
    // others fail their prerequisite. "Unavailable" means "outcome unknown", hence the reconcile after it.
    await waitFor(async () => (await answer('down', 'A')).length > 0, 3000, 50);
    expect(await answer('down', 'A')).toEqual(['192.0.2.40']);
  });
});
