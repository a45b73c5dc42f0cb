/**
 * The certificate test bench itself: pebble issues real certificates to
 * lego and certbot after validating DNS-01 against a DNS server. Here that
 * server is pebble's own challenge test server (set through its management
 * API by a hook script), so a failure in this file is the bench's, not
 * Signpost's; Signpost's certificate tests use the same helpers with
 * Signpost as the DNS server.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issuedByPebble, runCertbot, runLego, startPebble, type Pebble } from '../support/acme.js';
import { freePort } from '../support/child-server.js';
import { requirePeer } from '../support/peers.js';

const peers = ['pebble', 'pebble-challtestsrv', 'lego', 'certbot', 'openssl', 'curl'].map((name) => requirePeer(name));
const ready = peers.every((p) => p.available);

describe.skipIf(!ready)('the ACME test bench (pebble, lego, certbot)', () => {
  let pebble: Pebble;
  let challenges: ChildProcess;
  let dir: string;
  let dnsPort: number;
  let hook: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'signpost-acme-bench-'));
    [dnsPort] = [await freePort()];
    const management = await freePort();
    challenges = spawn('pebble-challtestsrv', ['-dns01', `127.0.0.1:${dnsPort}`, '-http01', '', '-https01', '', '-tlsalpn01', '', '-management', `127.0.0.1:${management}`], {
      stdio: 'ignore',
    });
    // One hook for both clients: lego's exec provider passes (present|cleanup, fqdn, value), certbot's manual hooks pass CERTBOT_* variables.
    hook = join(dir, 'hook.sh');
    writeFileSync(
      hook,
      `#!/bin/sh
if [ -n "$CERTBOT_DOMAIN" ]; then
  action=present; [ -n "$CERTBOT_AUTH_OUTPUT" ] && action=cleanup
  set -- "$action" "_acme-challenge.$CERTBOT_DOMAIN." "$CERTBOT_VALIDATION"
fi
case "$1" in
  present) curl -sf -d "{\\"host\\":\\"$2\\",\\"value\\":\\"$3\\"}" http://127.0.0.1:${management}/set-txt ;;
  cleanup) curl -sf -d "{\\"host\\":\\"$2\\"}" http://127.0.0.1:${management}/clear-txt ;;
esac
`,
    );
    chmodSync(hook, 0o755);
    pebble = await startPebble({ dnsServer: `127.0.0.1:${dnsPort}` });
  });

  afterAll(async () => {
    await pebble?.stop();
    challenges?.kill();
    rmSync(dir, { recursive: true, force: true });
  });

  it('lego obtains a certificate for a name and its wildcard, chained to pebble’s root', async () => {
    const domains = ['bench.example.test', '*.bench.example.test'];
    const cert = await runLego({
      pebble,
      domains,
      dns: 'exec',
      env: { EXEC_PATH: hook, EXEC_SEQUENCE_INTERVAL: '1', EXEC_PROPAGATION_TIMEOUT: '30', EXEC_POLLING_INTERVAL: '1' },
      resolver: `127.0.0.1:${dnsPort}`,
      skipAuthoritativeCheck: true,
    });
    expect(await issuedByPebble(pebble, cert, domains), cert.output).toBe(true);
    expect(await issuedByPebble(pebble, cert, ['bench.example.test'])).toBe(false); // the check can fail
  }, 120_000);

  it('certbot obtains a certificate through its manual DNS hooks', async () => {
    const domains = ['certbot.example.test'];
    const cert = await runCertbot({
      pebble,
      domains,
      args: ['--manual', '--preferred-challenges', 'dns', '--manual-auth-hook', hook, '--manual-cleanup-hook', hook],
    });
    expect(await issuedByPebble(pebble, cert, domains), cert.output).toBe(true);
  }, 120_000);
});
