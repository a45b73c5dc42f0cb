/**
 * Certificates through the HTTP doors, end to end: the real server (SQLite,
 * built-in DNS), pebble as the CA validating DNS-01 against Signpost's DNS
 * server, and lego obtaining certificates with `--dns httpreq` — run as the
 * README's sample says, with only the server address substituted and
 * pebble's flags put right after `lego` (the CA, lego's directory,
 * Signpost's DNS port as resolver, and --dns.disable-cp: lego would
 * otherwise ask the zone's NS names on port 53) — and through an acme-dns
 * account the README's curl samples register and delegate to.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issuedByPebble, legoCertificate, legoEnv, legoPebbleFlags, startPebble, type Pebble } from '../support/acme.js';
import { requirePeer } from '../support/peers.js';
import { atServer, readmeBlock } from '../support/readme.js';
import { startTestServer, type TestServer } from './harness.js';

const peers = ['pebble', 'lego', 'openssl', 'curl'].map((name) => requirePeer(name));
const ZONE = 'dyn.example.test';
const HOST = `home.${ZONE}`;
const CHALLENGE = `_acme-challenge.${HOST}`;
const PASSWORD = 'correct horse battery';
const LIFETIME_SECONDS = 600;

/** A README shell sample, run by sh in `cwd`. */
function sh(script: string, cwd: string, env: Record<string, string>): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile('/bin/sh', ['-c', script], { cwd, env: { LANG: 'C', ...env }, timeout: 150_000 }, (error, stdout, stderr) =>
      resolve({ code: error ? Number(error.code ?? 1) : 0, output: `${stdout}${stderr}` }),
    );
  });
}

describe.skipIf(peers.some((p) => !p.available))('certificates over HTTP with pebble and lego', () => {
  let server: TestServer;
  let pebble: Pebble;
  let hostPort: string;
  let dir: string;
  /** The account the curl samples registered (the next test obtains a certificate through it). */
  let acmeDnsAccount: Record<'ACMEDNS_USERNAME' | 'ACMEDNS_PASSWORD' | 'ACMEDNS_SUBDOMAIN' | 'ACMEDNS_FULLDOMAIN', string>;

  beforeAll(async () => {
    server = await startTestServer({ SIGNPOST_ZONES: ZONE, SIGNPOST_CHALLENGE_LIFETIME_SECONDS: String(LIFETIME_SECONDS) });
    hostPort = `127.0.0.1:${server.port}`;
    await server.core.accounts.createUser({ username: 'alice', password: PASSWORD, domains: [HOST, `*.alice.${ZONE}`] });
    pebble = await startPebble({ dnsServer: `127.0.0.1:${server.dnsPort!}` });
    dir = await mkdtemp(join(tmpdir(), 'signpost-acme-http-'));
  }, 60_000);

  afterAll(async () => {
    await pebble?.stop();
    await server?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  /** A README lego sample with pebble's flags; returns lego's output, and the certificate when it got one. */
  async function lego(marker: string, name: string) {
    const path = await mkdtemp(join(dir, `${name}-`));
    const flags = legoPebbleFlags(pebble, { path, resolver: `127.0.0.1:${server.dnsPort!}`, skipAuthoritativeCheck: true });
    const sample = atServer(readmeBlock(marker), hostPort);
    expect(sample.match(/^lego /m), 'the sample runs lego').not.toBeNull();
    const script = sample.replace(/^lego /m, `lego ${flags.join(' ')} `);
    return { path, ...(await sh(script, dir, legoEnv(pebble, path))) };
  }

  const liveValues = async (name: string) => ((await server.core.store.getChallenge(name))?.values ?? []).filter((v) => v.expiresAt > Date.now());

  it('lego --dns httpreq obtains a certificate for a name and its wildcard; the values are removed afterwards', async () => {
    const run = await lego('**lego httpreq**', 'httpreq');
    expect(run.code, run.output).toBe(0);
    const cert = legoCertificate(run.path, run.output);
    expect(await issuedByPebble(pebble, cert, [HOST, `*.${HOST}`]), `${run.output}\n${pebble.log()}`).toBe(true);
    expect(await liveValues(CHALLENGE)).toEqual([]); // lego's cleanup removed both
  }, 150_000);

  it('the acme-dns curl samples register an account, delegate the name to it and set a value', async () => {
    const env = { PATH: process.env.PATH ?? '' };
    const registered = await sh(atServer(readmeBlock('accounts whose CNAME lives in DNS elsewhere):'), hostPort), dir, env);
    expect(registered.code, registered.output).toBe(0);
    const account = JSON.parse(registered.output) as { username: string; password: string; fulldomain: string; subdomain: string };
    expect(account.fulldomain).toBe(`${account.subdomain}.acme.${ZONE}`);
    acmeDnsAccount = { ACMEDNS_USERNAME: account.username, ACMEDNS_PASSWORD: account.password, ACMEDNS_SUBDOMAIN: account.subdomain, ACMEDNS_FULLDOMAIN: account.fulldomain };
    const vars = { ...env, ...acmeDnsAccount };
    const cname = await sh(atServer(readmeBlock('the CNAME from the user\'s name to the account'), hostPort), dir, vars);
    expect(JSON.parse(cname.output)).toEqual({ name: CHALLENGE, target: account.fulldomain });
    const update = await sh(atServer(readmeBlock('and a value, as an ACME client sets it'), hostPort), dir, vars);
    expect(JSON.parse(update.output)).toEqual({ txt: '___validation_token_received_from_the_ca___' });
    expect((await liveValues(account.fulldomain)).map((v) => v.value)).toEqual(['___validation_token_received_from_the_ca___']);
    expect((await server.core.store.getChallenge(CHALLENGE))?.alias).toBe(account.fulldomain);
  }, 60_000);

  it('lego obtains a certificate for a name and its wildcard through the acme-dns account (the update sample as its hook); the values expire', async () => {
    // The Debian lego lacks its acme-dns provider: its exec provider runs the README's update sample,
    // with the value lego passes where the sample has acme-dns's placeholder. Values are never removed.
    const update = readmeBlock('and a value, as an ACME client sets it').replace('___validation_token_received_from_the_ca___', '$3');
    const hook = join(dir, 'acme-dns-hook.sh');
    await writeFile(hook, `#!/bin/sh\n[ "$1" = present ] || exit 0\n${atServer(update, hostPort)}\n`, { mode: 0o755 });
    const path = await mkdtemp(join(dir, 'acme-dns-'));
    const domains = [HOST, `*.${HOST}`];
    const args = [
      '--accept-tos', '--email', 'you@example.com',
      ...legoPebbleFlags(pebble, { path, resolver: `127.0.0.1:${server.dnsPort!}`, skipAuthoritativeCheck: true }),
      '--dns', 'exec', ...domains.flatMap((d) => ['--domains', d]), 'run',
    ];
    const env = {
      ...legoEnv(pebble, path),
      ...acmeDnsAccount,
      EXEC_PATH: hook, EXEC_SEQUENCE_INTERVAL: '1', EXEC_PROPAGATION_TIMEOUT: '30', EXEC_POLLING_INTERVAL: '1',
    };
    const run = await new Promise<{ code: number; output: string }>((resolve) =>
      execFile('lego', args, { env, timeout: 150_000 }, (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, output: `${stdout}${stderr}` })),
    );
    expect(run.code, run.output).toBe(0);
    expect(await issuedByPebble(pebble, legoCertificate(path, run.output), domains), `${run.output}\n${pebble.log()}`).toBe(true);
    // both values (name and wildcard) were alive at once; they stay until their lifetime ends, then the sweep removes them
    const values = await liveValues(acmeDnsAccount.ACMEDNS_FULLDOMAIN);
    expect(values).toHaveLength(2);
    for (const v of values) expect(v.expiresAt).toBeLessThanOrEqual(Date.now() + LIFETIME_SECONDS * 1000);
  }, 200_000);
});
