/**
 * The signpost CLI. Most cases run the commander program in-process through
 * `main(argv, io)` with their own environment and streams; a few start the
 * real binary for what only a process shows: exit codes, piped standard
 * input, a pseudo-terminal, and what `serve` prints.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/entrypoints/node/cli.js';
import { announceGeneratedAdminKey } from '../../src/entrypoints/node/admin-key-banner.js';
import { loadConfig } from '../../src/config/env.js';
import { openStore } from '../../src/config/services.js';
import { requirePeer } from '../support/peers.js';
import { recordsIn } from '../support/zones.js';

const dirs: string[] = [];
const tempDir = (label: string) => {
  const dir = mkdtempSync(join(tmpdir(), `signpost-cli-${label}-`));
  dirs.push(dir);
  return dir;
};
afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

/** A data directory with a database in it, as `signpost serve` leaves it. */
async function servedDataDir(label: string): Promise<string> {
  const dir = tempDir(label);
  await openStore(loadConfig({ SIGNPOST_DATA_DIR: dir })).close();
  return dir;
}

interface Run {
  code: number;
  out: string;
  err: string;
}

function sink() {
  const stream = { text: '', isTTY: false, write: (chunk: string) => ((stream.text += chunk), true) };
  return stream;
}

/** A stand-in terminal for standard input: readline puts it in "raw mode" and reads keystrokes. */
function fakeTerminal(): PassThrough & { isTTY: boolean; setRawMode: (mode: boolean) => void } {
  return Object.assign(new PassThrough(), { isTTY: true, setRawMode: () => undefined });
}

async function signpost(
  args: string[],
  options: { dataDir?: string; input?: string | NodeJS.ReadableStream; env?: Record<string, string> } = {},
): Promise<Run> {
  const stdout = sink();
  const stderr = sink();
  const stdin = typeof options.input === 'string' || options.input === undefined ? Readable.from(options.input ? [options.input] : []) : options.input;
  const env = { ...(options.dataDir ? { SIGNPOST_DATA_DIR: options.dataDir } : {}), ...options.env };
  const code = await main(['node', 'signpost', ...args], { env, stdin, stdout: stdout as never, stderr: stderr as never });
  return { code, out: stdout.text, err: stderr.text };
}

/** The real binary, as a user runs it. */
function signpostProcess(args: string[], options: { input?: string; env?: Record<string, string>; command?: string[] } = {}): Promise<Run> {
  const [file, ...rest] = options.command ?? [process.execPath, 'bin/signpost.js', ...args];
  const child = spawn(file!, rest, { env: { ...process.env, ...options.env }, stdio: 'pipe' });
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (err += d));
  child.stdin.end(options.input ?? '');
  return new Promise((resolve) => child.on('close', (code) => resolve({ code: code ?? -1, out, err })));
}

describe('signpost CLI', () => {
  let dataDir: string;
  beforeAll(async () => {
    dataDir = await servedDataDir('admin');
  });

  it('manages users, grants, tokens and hosts on the shared store', async () => {
    const run = (args: string[], input?: string) => signpost(args, { dataDir, ...(input ? { input } : {}) });
    const add = await run(['user', 'add', 'alice', '--domain', 'home.dyn.example.test', '*.alice.dyn.example.test'], 'alice-password\n');
    expect(add.code).toBe(0);
    expect(JSON.parse(add.out)).toMatchObject({ username: 'alice', domains: ['*.alice.dyn.example.test', 'home.dyn.example.test'] });

    const dup = await run(['user', 'add', 'alice'], 'alice-password\n');
    expect(dup.code).toBe(1);
    expect(dup.err).toContain('user_exists');

    expect(JSON.parse((await run(['user', 'list'])).out).map((u: { username: string }) => u.username)).toEqual(['alice']);
    expect((await run(['grant', 'add', 'alice', 'office.dyn.example.test'])).code).toBe(0);
    expect((await run(['grant', 'remove', 'alice', 'office.dyn.example.test'])).code).toBe(0);
    expect((await run(['grant', 'add', 'alice', 'elsewhere.example.net'])).code).toBe(1);
    const reserved = await run(['grant', 'add', 'alice', 'ns1.dyn.example.test']);
    expect([reserved.code, reserved.err]).toEqual([1, expect.stringContaining('name_reserved')]);

    const token = await run(['token', 'create', 'alice', 'home.dyn.example.test']);
    expect(token.code).toBe(0);
    const { id, token: secret } = JSON.parse(token.out) as { id: string; token: string };
    expect(secret).toMatch(/^spt_/);
    expect((await run(['token', 'list', 'alice'])).out).not.toContain(secret);
    expect((await run(['token', 'revoke', id])).code).toBe(0);
    expect((await run(['token', 'revoke', id])).code).toBe(1);

    expect((await run(['user', 'passwd', 'alice', '--password', 'new-password-1'])).code).toBe(0);
    expect(JSON.parse((await run(['host', 'list'])).out)).toEqual([]);
    expect((await run(['history', 'home.dyn.example.test'])).code).toBe(1); // host_not_found: never updated
    expect((await run(['user', 'remove', 'alice'])).code).toBe(0);
    expect((await run(['user', 'remove', 'alice'])).code).toBe(1);
  });

  it('creates admins (user add --admin), promotes and demotes', async () => {
    const dir = await servedDataDir('roles');
    const run = (args: string[], input?: string) => signpost(args, { dataDir: dir, ...(input ? { input } : {}) });
    const root = await run(['user', 'add', 'root', '--admin'], 'root-password\n');
    expect([root.code, JSON.parse(root.out).admin]).toEqual([0, true]);
    expect(JSON.parse((await run(['user', 'add', 'alice'], 'alice-password\n')).out).admin).toBe(false);
    const promoted = await run(['user', 'promote', 'alice']);
    expect([promoted.code, JSON.parse(promoted.out)]).toEqual([0, expect.objectContaining({ username: 'alice', admin: true })]);
    expect(JSON.parse((await run(['user', 'list'])).out).map((u: { username: string; admin: boolean }) => [u.username, u.admin])).toEqual([
      ['alice', true],
      ['root', true],
    ]);
    expect(JSON.parse((await run(['user', 'demote', 'root'])).out).admin).toBe(false);
    const store = openStore(loadConfig({ SIGNPOST_DATA_DIR: dir }));
    expect((await store.getUser('root'))?.admin).toBe(false);
    await store.close();
    const missing = await run(['user', 'promote', 'nobody']);
    expect([missing.code, missing.err]).toEqual([1, expect.stringContaining('user_not_found')]);
    expect((await run(['user', 'demote'])).code).toBe(2);
  });

  it('lists activity across hosts, filtered by user, host and result', async () => {
    const dir = await servedDataDir('activity');
    const store = openStore(loadConfig({ SIGNPOST_DATA_DIR: dir }));
    const entry = { sourceAddress: '192.0.2.9', userAgent: 'ddclient/3.10.0', before: {}, after: { v4: '192.0.2.1' } };
    await store.appendHistory({ ...entry, hostname: 'a.dyn.example.test', owner: 'alice', at: Date.UTC(2026, 0, 1), result: 'good' });
    await store.appendHistory({ ...entry, hostname: 'b.dyn.example.test', owner: 'bob', at: Date.UTC(2026, 0, 2), result: 'abuse' });
    await store.appendHistory({ ...entry, hostname: 'a.dyn.example.test', owner: 'alice', at: Date.UTC(2026, 0, 3), result: 'nochg' });
    await store.close();
    const hosts = async (...args: string[]) => {
      const r = await signpost(['activity', ...args], { dataDir: dir });
      expect(r.code, r.err).toBe(0);
      return (JSON.parse(r.out) as { hostname: string; result: string; at: string }[]).map((e) => `${e.hostname} ${e.result}`);
    };
    expect(await hosts()).toEqual(['a.dyn.example.test nochg', 'b.dyn.example.test abuse', 'a.dyn.example.test good']);
    expect(await hosts('--user', 'alice', '-n', '1')).toEqual(['a.dyn.example.test nochg']);
    expect(await hosts('--host', 'B.dyn.example.test')).toEqual(['b.dyn.example.test abuse']);
    expect(await hosts('--result', 'good')).toEqual(['a.dyn.example.test good']);
    expect((await signpost(['activity', '--result', 'great'], { dataDir: dir })).code).toBe(2);
    expect((await signpost(['activity', '-n', '1001'], { dataDir: dir })).code).toBe(2);
  });

  it('exits 2 on usage errors and invalid input', async () => {
    expect((await signpost(['user', 'frobnicate'], { dataDir })).code).toBe(2);
    expect((await signpost(['user', 'add', 'bob'], { dataDir, input: 'short\n' })).code).toBe(2);
    expect((await signpost(['user', 'add', 'bad:name'], { dataDir, input: 'long-enough-1\n' })).code).toBe(2);
  });

  it.each([['abc'], ['0'], ['-5'], ['1001'], ['2.5'], ['']])('refuses history -n %j with exit 2', async (limit) => {
    const r = await signpost(['history', 'home.dyn.example.test', '-n', limit], { dataDir });
    expect(r.code).toBe(2);
    expect(r.err).toContain('expected a whole number from 1 to 1000');
  });

  it('accepts history -n up to 1000 (then answers for the name: never updated here, so host_not_found)', async () => {
    expect(await signpost(['history', 'home.dyn.example.test', '-n', '1000'], { dataDir })).toMatchObject({ code: 1, err: expect.stringContaining('host_not_found') });
  });

  it.each([
    [{ SIGNPOST_TTL: 'abc' }, "SIGNPOST_TTL must be a whole number of seconds between 1 and 86400, got 'abc'"],
    [{ SIGNPOST_HOST: 'not-an-ip' }, "SIGNPOST_HOST must be an IP address of this machine, such as 0.0.0.0, :: or 127.0.0.1, got 'not-an-ip'"],
    [{ SIGNPOST_DNS_NS: 'bad_name' }, "SIGNPOST_DNS_NS must be comma-separated host names with optional glue, name[=address[;address]], e.g. ns1.{zone}=192.0.2.53,ns2.example.net, got 'bad_name'"],
    [{ SIGNPOST_DNS_TSIG_KEYS: 'xfr:not base64!' }, 'SIGNPOST_DNS_TSIG_KEYS must be comma-separated name:secret entries, each secret in base64'],
    [{ SIGNPOST_HTTP_PORT: 'eighty' }, "SIGNPOST_HTTP_PORT must be a port number between 0 and 65535 (0 picks a free one), got 'eighty'"],
  ])('exits 78 on %o, saying %j', async (env, message) => {
    for (const command of [['user', 'list'], ['serve']]) {
      const r = await signpost(command, { dataDir, env });
      expect(r.code).toBe(78);
      expect(r.err).toContain(message);
    }
  });

  it('warns about a misspelt variable, naming the closest known one, and carries on', async () => {
    const r = await signpost(['user', 'list'], { dataDir, env: { SIGNPOST_ZONE: 'dyn.example.com' } });
    expect(r.code).toBe(0);
    expect(r.err).toBe('signpost: warning: SIGNPOST_ZONE is not a Signpost setting and is ignored; did you mean SIGNPOST_ZONES?\n');
  });

  it('refuses a data directory without a database instead of creating an empty one', async () => {
    const empty = tempDir('empty');
    for (const args of [['user', 'list'], ['user', 'add', 'dave'], ['token', 'list', 'dave'], ['history', 'x.dyn.example.test']]) {
      const r = await signpost(args, { dataDir: empty, input: 'dave-password\n' });
      expect(r.code).toBe(78);
      expect(r.err).toContain(`no Signpost database in ${empty}`);
      expect(r.err).toContain('SIGNPOST_DATA_DIR (or --data-dir)');
    }
    expect(readdirSync(empty)).toEqual([]);
    const missing = join(empty, 'nested');
    expect((await signpost(['user', 'list'], { dataDir: missing })).code).toBe(78);
    expect(existsSync(missing)).toBe(false);
  });

  it('--data-dir overrides SIGNPOST_DATA_DIR, before or after the command', async () => {
    const empty = tempDir('override');
    expect(await signpost(['--data-dir', dataDir, 'user', 'list'], { dataDir: empty })).toMatchObject({ code: 0 });
    expect(await signpost(['user', 'list', '--data-dir', dataDir], { dataDir: empty })).toMatchObject({ code: 0 });
    expect((await signpost(['--data-dir', empty, 'user', 'list'], { dataDir })).code).toBe(78);
  });

  it('on a terminal, asks for the password twice and refuses a mismatch', async () => {
    const mismatch = fakeTerminal();
    const refused = signpost(['user', 'add', 'erin'], { dataDir, input: mismatch });
    mismatch.write('erin-password-1\r');
    mismatch.write('erin-password-2\r');
    expect(await refused).toMatchObject({ code: 2, err: 'Password: \nRepeat password: \nsignpost: the two passwords do not match (invalid_request)\n' });

    const same = fakeTerminal();
    const created = signpost(['user', 'add', 'erin'], { dataDir, input: same });
    same.write('erin-password-1\rerin-password-1\r'); // typed ahead: both lines in one chunk
    const r = await created;
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toMatchObject({ username: 'erin' });
    expect(r.err).toBe('Password: \nRepeat password: \n');
  });

  it('--version prints the package version and --help lists the commands', async () => {
    const { version } = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };
    expect(await signpost(['--version'])).toEqual({ code: 0, out: `${version}\n`, err: '' });
    const help = await signpost(['--help']);
    expect(help.code).toBe(0);
    for (const command of ['serve', 'user', 'grant', 'token', 'host', 'history', 'activity', '--data-dir', '--version']) expect(help.out).toContain(command);
  });
});

describe('signpost serve cannot listen', () => {
  let busy: Server;
  let busyPort: number;
  beforeAll(async () => {
    busy = createServer();
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
    busyPort = (busy.address() as { port: number }).port;
  });
  afterAll(() => new Promise<void>((resolve) => busy.close(() => resolve())));

  const serve = async (env: Record<string, string>) =>
    signpost(['serve'], { dataDir: tempDir('serve'), env: { SIGNPOST_HOST: '127.0.0.1', SIGNPOST_HTTP_PORT: '0', SIGNPOST_DNS_PORT: '0', SIGNPOST_LOG_LEVEL: 'silent', ...env } });

  it('exits 78 naming SIGNPOST_HTTP_PORT when the HTTP port is taken', async () => {
    const r = await serve({ SIGNPOST_HTTP_PORT: String(busyPort) });
    expect(r.code).toBe(78);
    expect(r.err).toContain(`cannot listen on 127.0.0.1:${busyPort}: another process already uses it; choose another port with SIGNPOST_HTTP_PORT`);
  });

  it('exits 78 naming SIGNPOST_DNS_PORT when the DNS port is taken', async () => {
    const r = await serve({ SIGNPOST_DNS_PORT: String(busyPort) });
    expect(r.code).toBe(78);
    expect(r.err).toContain(`cannot listen on 127.0.0.1:${busyPort}: another process already uses it; choose another port with SIGNPOST_DNS_PORT`);
  });

  it('exits 78 naming SIGNPOST_HOST when the address is not one of this machine', async () => {
    const r = await serve({ SIGNPOST_HOST: '192.0.2.1' });
    expect(r.code).toBe(78);
    expect(r.err).toContain('cannot listen on 192.0.2.1: the address is not one of this machine; set SIGNPOST_HOST to one of its addresses, or 0.0.0.0 / :: for all');
  });

  it('exits 78 naming SIGNPOST_DNS_HOST when only the DNS address is not one of this machine', async () => {
    const r = await serve({ SIGNPOST_DNS_HOST: '192.0.2.1' });
    expect(r.code).toBe(78);
    expect(r.err).toContain('set SIGNPOST_DNS_HOST to one of its addresses');
  });
});

describe('the generated admin key banner', () => {
  const logger = () => {
    const lines: string[] = [];
    return { lines, warn: (message: string) => void lines.push(message) };
  };

  it('goes to a terminal only', () => {
    const terminal = sink();
    terminal.isTTY = true;
    const log = logger();
    announceGeneratedAdminKey('spk_secret', terminal, log as never);
    expect(terminal.text).toContain('It is shown only now; store it safely:\n\n  spk_secret\n');
    expect(log.lines).toEqual([]);
  });

  it('without a terminal, is not shown at all; the log says how to choose a key', () => {
    const notTerminal = sink();
    const log = logger();
    announceGeneratedAdminKey('spk_secret', notTerminal, log as never);
    expect(notTerminal.text).toBe('');
    expect(log.lines.join()).not.toContain('spk_secret');
    expect(log.lines.join()).toContain('Set SIGNPOST_ADMIN_KEY');
  });
});

describe('signpost as a process', () => {
  it('reads the password from piped standard input, and exits 78 on bad configuration', { timeout: 120_000 }, async () => {
    const dataDir = await servedDataDir('process');
    const env = { SIGNPOST_DATA_DIR: dataDir };
    const add = await signpostProcess(['user', 'add', 'frank', '-d', 'frank.dyn.example.test'], { input: 'frank-password\n', env });
    expect(add.code).toBe(0);
    expect(add.err).toBe('');
    expect(JSON.parse(add.out)).toMatchObject({ username: 'frank' });
    const bad = await signpostProcess(['user', 'list'], { env: { ...env, SIGNPOST_TTL: 'abc' } });
    expect(bad.code).toBe(78);
    expect(bad.err).toContain("SIGNPOST_TTL must be a whole number of seconds between 1 and 86400, got 'abc'");
  });

  const script = requirePeer('script'); // util-linux: runs a command on a pseudo-terminal
  it.skipIf(!script.available)('on a pseudo-terminal, asks twice and never echoes the password', { timeout: 120_000 }, async () => {
    const dataDir = await servedDataDir('pty');
    const command = `${process.execPath} bin/signpost.js user add grace -d grace.dyn.example.test`;
    const child = spawn(script.path, ['-qec', command, '/dev/null'], { env: { ...process.env, SIGNPOST_DATA_DIR: dataDir }, stdio: 'pipe' });
    let out = '';
    const seen = (text: string) =>
      new Promise<void>((resolve) => {
        const check = () => out.includes(text) && (child.stdout.off('data', check), resolve());
        child.stdout.on('data', check);
        check();
      });
    child.stdout.on('data', (d) => (out += d));
    const exited = new Promise<number>((resolve) => child.on('close', (code) => resolve(code ?? -1)));
    await seen('Password: ');
    child.stdin.write('grace-password-1\r');
    await seen('Repeat password: ');
    child.stdin.write('grace-password-1\r');
    expect(await exited).toBe(0);
    expect(out).not.toContain('grace-password-1');
    expect(out).toContain('"username": "grace"');
  });

  it('serve without a terminal keeps a generated admin key out of its output', { timeout: 120_000 }, async () => {
    const dataDir = tempDir('serve-process');
    const child = spawn(process.execPath, ['bin/signpost.js', 'serve'], {
      env: { ...process.env, SIGNPOST_DATA_DIR: dataDir, SIGNPOST_HOST: '127.0.0.1', SIGNPOST_HTTP_PORT: '0', SIGNPOST_DNS_PORT: '0' },
      stdio: 'pipe',
    });
    let out = '';
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    const exited = new Promise<number>((resolve) => child.on('close', (code) => resolve(code ?? -1)));
    await new Promise<void>((resolve) =>
      child.stdout.on('data', (d) => {
        out += d;
        if (out.includes('signpost listening')) resolve();
      }),
    );
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(`${out}${err}`).not.toMatch(/spk_/);
    for (const line of out.trim().split('\n')) expect(() => JSON.parse(line)).not.toThrow();
    expect(out).toContain('Set SIGNPOST_ADMIN_KEY to choose the key');
    expect(existsSync(join(dataDir, 'signpost.db'))).toBe(true);
  });
});

describe('signpost host set', () => {
  it('sets and removes addresses of a stored host, with exit codes for bad input', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'signpost-cli-host-'));
    try {
      const { SqliteStore } = await import('../../src/adapters/store/sqlite.js');
      const path = join(dir, 'signpost.db');
      const seed = new SqliteStore(path);
      await seed.putHost({ name: 'nas.dyn.example.test', zone: 'dyn.example.test', owner: 'alice', addresses: { v4: '192.0.2.1', v6: '2001:db8::1' }, ttl: 60, updatedAt: 0, version: 1 }, null);
      await seed.close();
      const run = (args: string[]) => signpost(args, { dataDir: dir });

      const cleared = await run(['host', 'set', 'nas.dyn.example.test', '--clear-v6', '--v4', '198.51.100.7']);
      expect([cleared.code, cleared.err]).toEqual([0, '']);
      expect(JSON.parse(cleared.out)).toMatchObject({ hostname: 'nas.dyn.example.test', ipv4: '198.51.100.7', ipv6: null });
      expect((await run(['host', 'set', 'nas.dyn.example.test', '--v4', '2001:db8::2'])).code).toBe(2);
      const reserved = await run(['host', 'set', 'ns1.dyn.example.test', '--v4', '192.0.2.9']);
      expect([reserved.code, reserved.err]).toEqual([1, expect.stringContaining('name_reserved')]);

      const store = new SqliteStore(path);
      expect((await store.getHost('nas.dyn.example.test'))?.addresses).toEqual({ v4: '198.51.100.7' });
      expect(await store.listHistory('nas.dyn.example.test', 5)).toEqual([
        expect.objectContaining({ result: 'good', userAgent: 'signpost CLI', before: { v4: '192.0.2.1', v6: '2001:db8::1' }, after: { v4: '198.51.100.7' } }),
      ]);
      await store.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('CLI changes reach a running server', () => {
  it('a user removed with the CLI stops resolving in the running server within seconds', async () => {
    const { startServer } = await import('../../src/entrypoints/node/server.js');
    const { createLogger } = await import('../../src/adapters/observability/logger.js');
    const dir = tempDir('sync');
    const server = await startServer(
      loadConfig({ SIGNPOST_DATA_DIR: dir, SIGNPOST_HOST: '127.0.0.1', SIGNPOST_HTTP_PORT: '0', SIGNPOST_DNS_PORT: '0' }),
      { logger: createLogger('silent') },
    );
    try {
      await server.core.accounts.createUser({ username: 'carol', password: 'carol-password', domains: ['carol.dyn.example.test'] });
      const res = await fetch(`${server.url}/nic/update?hostname=carol.dyn.example.test&myip=192.0.2.8`, {
        headers: { authorization: `Basic ${Buffer.from('carol:carol-password').toString('base64')}`, 'user-agent': 'test/1.0' },
      });
      expect(await res.text()).toBe('good 192.0.2.8');
      expect(await recordsIn(server.core.provider, 'dyn.example.test')).toHaveLength(1);
      // Its own SQLite connection, as another process has: the server sees the commit through data_version.
      expect((await signpost(['user', 'remove', 'carol'], { dataDir: dir })).code).toBe(0);
      const deadline = Date.now() + 5000;
      while ((await recordsIn(server.core.provider, 'dyn.example.test')).length > 0 && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 100));
      }
      expect(await recordsIn(server.core.provider, 'dyn.example.test')).toEqual([]);
    } finally {
      await server.close();
    }
  });
});
