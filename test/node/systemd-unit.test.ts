/**
 * deploy/systemd/signpost.service: systemd itself checks it
 * (`systemd-analyze verify`, which also fails when ExecStart's program does
 * not exist — run against this checkout in place of /opt/signpost), and the
 * settings the README promises are there: a dynamic user, the state
 * directory as the data directory, ports below 1024 without root, the
 * hardening, and nothing that stops Node.js's JIT.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../support/child-server.js';
import { requirePeer } from '../support/peers.js';
import { readmeBlock } from '../support/readme.js';

const UNIT = join(REPO_ROOT, 'deploy/systemd/signpost.service');
const INSTALL_DIR = '/opt/signpost';
const text = readFileSync(UNIT, 'utf8');
const temp = mkdtempSync(join(tmpdir(), 'signpost-unit-'));
afterAll(() => rmSync(temp, { recursive: true, force: true }));

/** Every value of each key in [Service] (keys may repeat). */
function serviceSettings(unit: string): Map<string, string[]> {
  const settings = new Map<string, string[]>();
  let section = '';
  for (const line of unit.split('\n').map((l) => l.trim())) {
    if (line === '' || line.startsWith('#')) continue;
    const header = /^\[(.+)\]$/.exec(line);
    if (header) section = header[1]!;
    else if (section === 'Service') {
      const eq = line.indexOf('=');
      const key = line.slice(0, eq);
      settings.set(key, [...(settings.get(key) ?? []), line.slice(eq + 1)]);
    }
  }
  return settings;
}

const verifier = requirePeer('systemd-analyze');

describe.skipIf(!verifier.available)('systemd unit', () => {
  const verify = (unit: string) => {
    const file = join(temp, 'signpost.service');
    writeFileSync(file, unit);
    return spawnSync(verifier.path, ['verify', file], { encoding: 'utf8', timeout: 30_000 });
  };

  it('passes systemd-analyze verify with no warning, ExecStart pointing into this checkout', () => {
    const r = verify(text.replaceAll(INSTALL_DIR, REPO_ROOT.replace(/\/$/, '')));
    expect(r.stderr + r.stdout).toBe('');
    expect(r.status).toBe(0);
  });

  it("the README's check runs as written, on a checkout installed elsewhere than /opt/signpost", () => {
    const block = readmeBlock('Check the unit where it will run');
    expect(block).toBe(`cd ${INSTALL_DIR}\nsystemd-analyze verify deploy/systemd/signpost.service\n`);
    // A stand-in for the install: this checkout's bin/ and the unit, with /opt/signpost meaning it.
    const install = join(temp, 'install');
    mkdirSync(join(install, 'deploy/systemd'), { recursive: true });
    symlinkSync(join(REPO_ROOT, 'bin'), join(install, 'bin'));
    writeFileSync(join(install, 'deploy/systemd/signpost.service'), text.replaceAll(INSTALL_DIR, install));
    const r = spawnSync('sh', ['-ec', block.replaceAll(INSTALL_DIR, install)], { encoding: 'utf8', timeout: 30_000 });
    expect(r.stderr + r.stdout).toBe('');
    expect(r.status).toBe(0);
  });

  it('is rejected by the same check when ExecStart names a file the checkout lacks', () => {
    const r = verify(text.replaceAll(`${INSTALL_DIR}/bin/signpost.js`, `${REPO_ROOT}bin/no-such-file.js`));
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain('no-such-file.js');
  });
});

describe('systemd unit settings', () => {
  const s = serviceSettings(text);
  const one = (key: string) => s.get(key)?.at(-1);

  it('runs the server itself (no npm between systemd and the server)', () => {
    expect(one('ExecStart')).toBe(`${INSTALL_DIR}/bin/signpost.js serve`);
    expect(s.has('KillSignal')).toBe(false); // SIGTERM, which serve handles
    expect(Number(one('TimeoutStopSec'))).toBeGreaterThan(10); // beyond the default 10 s grace
  });

  it('keeps its state in the state directory, settings in an environment file', () => {
    expect(one('DynamicUser')).toBe('yes');
    expect(one('StateDirectory')).toBe('signpost');
    expect(s.get('Environment')).toContain('SIGNPOST_DATA_DIR=%S/signpost');
    expect(one('EnvironmentFile')).toBe('-/etc/signpost/signpost.env');
  });

  it('binds ports below 1024 without root and is hardened', () => {
    expect(one('AmbientCapabilities')).toBe('CAP_NET_BIND_SERVICE');
    expect(one('CapabilityBoundingSet')).toBe('CAP_NET_BIND_SERVICE');
    for (const [key, value] of Object.entries({
      NoNewPrivileges: 'yes',
      ProtectSystem: 'strict',
      ProtectHome: 'yes',
      PrivateTmp: 'yes',
      PrivateDevices: 'yes',
      SystemCallFilter: '@system-service',
    })) {
      expect(one(key), key).toBe(value);
    }
    expect(one('RestrictAddressFamilies')?.split(' ')).toEqual(expect.arrayContaining(['AF_INET', 'AF_INET6']));
  });

  it('leaves V8 its JIT: no MemoryDenyWriteExecute', () => {
    expect(s.has('MemoryDenyWriteExecute')).toBe(false);
  });
});
