/**
 * `signpost backup` / `restore` / `export` / `import`: a backup taken while
 * a server takes updates holds every update acknowledged before it began;
 * restore refuses a running server's data directory and bad backups; an
 * export imported into a new data directory exports the same again and is
 * served the same over DNS.
 */
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { DatabaseSync } from 'node:sqlite';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../../src/entrypoints/node/cli.js';
import { loadConfig } from '../../src/config/env.js';
import { openStore } from '../../src/config/services.js';
import { startServer } from '../../src/entrypoints/node/server.js';
import { MIGRATIONS } from '../../src/adapters/store/sqlite-migrations.js';
import { spawnServer, type ChildServer } from '../support/child-server.js';
import { requirePeer } from '../support/peers.js';
import { dig } from '../dns/support.js';

const digPeer = requirePeer('dig');
const ADMIN_KEY = 'backup-test-admin-key-0123456789';
const PASSWORD = 'backup test pw';
const AUTH = `Basic ${Buffer.from(`alice:${PASSWORD}`).toString('base64')}`;

const dirs: string[] = [];
const tempDir = (label: string) => {
  const dir = mkdtempSync(join(tmpdir(), `signpost-backup-${label}-`));
  dirs.push(dir);
  return dir;
};
const servers: ChildServer[] = [];
afterAll(async () => {
  for (const s of servers) await s.kill('SIGKILL');
  dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true }));
});

interface Run {
  code: number;
  out: string;
  err: string;
}

async function signpost(args: string[], dataDir: string, env: Record<string, string> = {}): Promise<Run> {
  const out = { text: '', isTTY: false, write: (chunk: string) => ((out.text += chunk), true) };
  const err = { text: '', isTTY: false, write: (chunk: string) => ((err.text += chunk), true) };
  const code = await main(['node', 'signpost', ...args], {
    env: { SIGNPOST_DATA_DIR: dataDir, SIGNPOST_LOG_LEVEL: 'silent', ...env },
    stdin: Readable.from([]),
    stdout: out as never,
    stderr: err as never,
  });
  return { code, out: out.text, err: err.text };
}

const integrity = (path: string) => {
  const db = new DatabaseSync(path, { readOnly: true });
  try {
    return (db.prepare('PRAGMA integrity_check').all() as { integrity_check: string }[]).map((r) => r.integrity_check);
  } finally {
    db.close();
  }
};

const serve = async (dataDir: string) => {
  const server = await spawnServer({ SIGNPOST_DATA_DIR: dataDir, SIGNPOST_ADMIN_KEY: ADMIN_KEY, SIGNPOST_LOG_LEVEL: 'warn', SIGNPOST_ABUSE_MAX_UPDATES: '0', SIGNPOST_ABUSE_MAX_NOCHG: '0', SIGNPOST_HISTORY_LIMIT: '100000' });
  servers.push(server);
  return server;
};

const update = async (server: ChildServer, host: string, ip: string) =>
  (await fetch(`${server.url}/nic/update?hostname=${host}&myip=${ip}`, { headers: { authorization: AUTH, 'user-agent': 'backup-test/1.0' } })).text();

describe('backup and restore', () => {
  const WORKERS = 2;
  const MAX_UPDATES = 300; // per worker: the loop is bounded even if the backup were instant or never ended
  const host = (w: number) => `b${w}.alice.dyn.example.test`;
  const ip = (w: number, i: number) => `10.${w}.${(i >> 8) & 255}.${i & 255}`;
  let dataDir = '';
  let backupFile = '';
  let server: ChildServer;

  it('a backup taken while the server takes updates restores every update acknowledged before it began', async () => {
    dataDir = tempDir('live');
    server = await serve(dataDir);
    const created = await fetch(`${server.url}/user`, {
      method: 'POST',
      headers: { 'x-api-key': ADMIN_KEY, 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'alice', password: PASSWORD, domains: ['*.alice.dyn.example.test'] }),
    });
    expect(created.status, await created.clone().text()).toBe(201);
    // a sealed secret, so the secret key file exists and must travel with the backup
    expect((await signpost(['tsig', 'create', 'alice', '--name', 'alice.keys.example.test'], dataDir)).code).toBe(0);

    const acked: string[][] = Array.from({ length: WORKERS }, () => []);
    let backupStarted = false;
    let backupDone = false;
    const ackedBeforeBackup: number[] = [];
    let startBackup!: () => void;
    const warmedUp = new Promise<void>((resolve) => (startBackup = resolve));
    const worker = async (w: number) => {
      for (let i = 1; i <= MAX_UPDATES && !backupDone; i++) {
        const body = await update(server, host(w), ip(w, i));
        expect(body).toBe(`good ${ip(w, i)}`);
        acked[w]!.push(ip(w, i));
        if (i === 20) startBackup();
      }
    };
    backupFile = join(tempDir('files'), 'signpost.backup');
    const backup = warmedUp.then(async () => {
      ackedBeforeBackup.push(...acked.map((a) => a.length));
      backupStarted = true;
      const result = await signpost(['backup', backupFile], dataDir);
      backupDone = true;
      return result;
    });
    const [result] = await Promise.all([backup, ...Array.from({ length: WORKERS }, (_, w) => worker(w))]);
    expect(backupStarted).toBe(true);
    expect(result.code, result.err).toBe(0);
    expect(JSON.parse(result.out)).toEqual({ database: backupFile, secretKey: `${backupFile}.key` });
    expect(statSync(backupFile).mode & 0o777).toBe(0o600);
    expect(statSync(`${backupFile}.key`).mode & 0o777).toBe(0o600);
    expect(readFileSync(`${backupFile}.key`, 'utf8')).toBe(readFileSync(join(dataDir, 'secret.key'), 'utf8'));
    expect(integrity(backupFile)).toEqual(['ok']);

    const restoredDir = tempDir('restored');
    const restored = await signpost(['restore', backupFile], restoredDir);
    expect(restored.code, restored.err).toBe(0);
    expect(integrity(join(restoredDir, 'signpost.db'))).toEqual(['ok']);
    expect(statSync(join(restoredDir, 'signpost.db')).mode & 0o777).toBe(0o600);
    expect(readFileSync(join(restoredDir, 'secret.key'), 'utf8')).toBe(readFileSync(join(dataDir, 'secret.key'), 'utf8'));

    const store = openStore(loadConfig({ SIGNPOST_DATA_DIR: restoredDir }));
    const history: string[][] = [];
    const current: string[] = [];
    try {
      for (let w = 0; w < WORKERS; w++) {
        current.push((await store.getHost(host(w)))?.addresses.v4 ?? '');
        history.push((await store.listHistory(host(w), 100_000)).map((e) => e.after.v4 ?? '').reverse());
      }
      expect(await store.getTsigKey('alice.keys.example.test')).toMatchObject({ username: 'alice' });
    } finally {
      await store.close();
    }
    for (let w = 0; w < WORKERS; w++) {
      const before = acked[w]!.slice(0, ackedBeforeBackup[w]);
      // every update acknowledged before the backup began is in it, in order; the host holds one at least as new
      expect(history[w]!.slice(0, before.length)).toEqual(before);
      expect(acked[w]!.indexOf(current[w]!)).toBeGreaterThanOrEqual(before.length - 1);
    }

    // the restored data directory serves: the restored address is current there (nochg), and the TSIG key opens
    const second = await serve(restoredDir);
    expect(await update(second, host(0), current[0]!)).toBe(`nochg ${current[0]}`);
    await second.kill();
    const keys = await signpost(['tsig', 'list', 'alice'], restoredDir);
    expect(keys.code, keys.err).toBe(0);
  }, 120_000);

  it('restore refuses the data directory of a running server and leaves it as it was', async () => {
    expect(server.child.exitCode).toBeNull();
    const refused = await signpost(['restore', backupFile], dataDir);
    expect(refused.code).toBe(1);
    expect(refused.err).toMatch(/in use.*stop `signpost serve`/);
    expect(await update(server, host(0), '10.9.9.9')).toBe('good 10.9.9.9');
    await server.kill();
    // stopped, the same restore goes through and the later update is gone again
    const restored = await signpost(['restore', backupFile], dataDir);
    expect(restored.code, restored.err).toBe(0);
    const store = openStore(loadConfig({ SIGNPOST_DATA_DIR: dataDir }));
    try {
      expect((await store.getHost(host(0)))?.addresses.v4).not.toBe('10.9.9.9');
    } finally {
      await store.close();
    }
    expect(existsSync(join(dataDir, 'signpost.db-wal')) ? integrity(join(dataDir, 'signpost.db')) : ['ok']).toEqual(['ok']);
  });

  it('restore refuses a damaged backup, a newer schema and a file that is no Signpost database; the database stays', async () => {
    const target = tempDir('target');
    expect((await signpost(['restore', backupFile], target)).code).toBe(0);
    const before = readFileSync(join(target, 'signpost.db'));
    const files = tempDir('bad');

    const garbage = join(files, 'garbage');
    writeFileSync(garbage, 'not a database at all '.repeat(300));
    const damaged = join(files, 'damaged');
    copyFileSync(backupFile, damaged);
    const schema = new DatabaseSync(damaged, { readOnly: true });
    const { rootpage, size } = schema.prepare(`SELECT rootpage, (SELECT page_size FROM pragma_page_size) AS size FROM sqlite_schema WHERE name = 'hosts'`).get() as { rootpage: number; size: number };
    schema.close();
    const bytes = readFileSync(damaged);
    bytes.fill(0x5a, (rootpage - 1) * size + 8, rootpage * size); // the hosts table's root page, its header's first bytes kept
    writeFileSync(damaged, bytes);
    const newer = join(files, 'newer');
    copyFileSync(backupFile, newer);
    const db = new DatabaseSync(newer);
    db.exec(`PRAGMA user_version = ${MIGRATIONS.length + 1}`);
    db.close();
    const other = join(files, 'other');
    const o = new DatabaseSync(other);
    o.exec('CREATE TABLE t (x); PRAGMA user_version = 1');
    o.close();

    for (const [file, reason] of [
      [garbage, /not a SQLite database|cannot be opened|file is not a database/],
      [damaged, /integrity|malformed|not a SQLite database/],
      [newer, new RegExp(`schema version ${MIGRATIONS.length + 1}, newer than this Signpost's ${MIGRATIONS.length}`)],
      [other, /not a Signpost database/],
      [join(files, 'missing'), /no backup at/],
    ] as const) {
      const r = await signpost(['restore', file], target);
      expect(r.code, file).toBe(1);
      expect(r.err, file).toMatch(reason);
      expect(readFileSync(join(target, 'signpost.db')).equals(before), file).toBe(true);
    }
    const nowhere = await signpost(['backup', join(files, 'missing-dir', 'b.db')], target);
    expect(nowhere.code).toBe(1);
    expect(nowhere.err).toContain('create it first');
  });
});

describe('export and import', () => {
  it('an export imported into a new data directory exports the same and answers DNS the same', async () => {
    const source = tempDir('export-src');
    await openStore(loadConfig({ SIGNPOST_DATA_DIR: source })).close(); // as `signpost serve` leaves it
    const add = await signpost(['user', 'add', 'alice', '--password', PASSWORD, '--domain', '*.alice.dyn.example.test', '--admin'], source);
    expect(add.code, add.err).toBe(0);
    expect((await signpost(['user', 'add', 'bob', '--password', PASSWORD, '--domain', 'bob.dyn.example.test'], source)).code).toBe(0);
    expect((await signpost(['token', 'create', 'bob', 'bob.dyn.example.test'], source)).code).toBe(0);
    expect((await signpost(['tsig', 'create', 'alice', '--name', 'alice.keys.example.test'], source)).code).toBe(0);
    const store = openStore(loadConfig({ SIGNPOST_DATA_DIR: source }));
    // hosts as routers leave them (dyndns2 creates them; the CLI only edits existing ones)
    const zone = 'dyn.example.test';
    await store.putHost({ name: 'web.alice.dyn.example.test', zone, owner: 'alice', addresses: { v4: '192.0.2.10', v6: '2001:db8::10' }, ttl: 60, updatedAt: 5, version: 3, wildcard: true, mx: 'mail.example.net' }, null);
    await store.putHost({ name: 'bob.dyn.example.test', zone, owner: 'bob', addresses: { v4: '192.0.2.20' }, ttl: 60, updatedAt: 6, version: 1, blocked: { at: 7, reason: 'abuse', until: 8 } }, null);
    await store.putChallenge({ name: '_acme-challenge.web.alice.dyn.example.test', zone: 'dyn.example.test', owner: 'alice', values: [{ value: 'x'.repeat(43), writtenAt: 1, expiresAt: 4_102_444_800_000 }], version: 1 }, null);
    await store.close();

    const files = tempDir('export-files');
    const exported = join(files, 'export.json');
    const zoneFile = join(files, 'dyn.zone');
    writeFileSync(exported, 'an older export, readable by others', { mode: 0o644 });
    const first = await signpost(['export', exported, '--zone-file', zoneFile], source);
    expect(first.code, first.err).toBe(0);
    expect(statSync(exported).mode & 0o777).toBe(0o600);
    const document = JSON.parse(readFileSync(exported, 'utf8'));
    expect(document.users.map((u: { username: string; admin: boolean }) => [u.username, u.admin])).toEqual([['alice', true], ['bob', false]]);
    expect(document.users[0].passwordHash).toMatch(/^\$argon2id\$/);
    expect(document.tokens).toHaveLength(1);
    expect(document.tokens[0].secretHash).toMatch(/^[0-9a-f]{64}$/);
    expect(document.tsigKeys[0].sealedSecret).not.toContain(document.tsigKeys[0].name);
    expect(Object.keys(document)).not.toContain('history');
    const zoneText = readFileSync(zoneFile, 'utf8');
    expect(zoneText).toContain('web.alice.dyn.example.test.\t60\tIN\tA\t192.0.2.10');
    expect(zoneText).toContain('web.alice.dyn.example.test.\t60\tIN\tAAAA\t2001:db8::10');
    expect(zoneText).toContain('*.web.alice.dyn.example.test.\t60\tIN\tA\t192.0.2.10');
    expect(zoneText).toContain('web.alice.dyn.example.test.\t60\tIN\tMX\t10 mail.example.net.');
    expect(zoneText).toMatch(/_acme-challenge\.web\.alice\.dyn\.example\.test\.\t\d+\tIN\tTXT\t"x{43}"/);

    const target = tempDir('export-dst');
    const imported = await signpost(['import', exported], target);
    expect(imported.code, imported.err).toBe(0);
    const again = await signpost(['export'], target);
    expect(again.code, again.err).toBe(0);
    expect(again.out).toBe(readFileSync(exported, 'utf8'));

    // a non-empty data directory needs --replace; an edited document that breaks a rule changes nothing
    const refused = await signpost(['import', exported], target);
    expect(refused.code).toBe(2);
    expect(refused.err).toContain('is not empty');
    const broken = join(files, 'broken.json');
    writeFileSync(broken, JSON.stringify({ ...document, grants: [...document.grants, { username: 'bob', pattern: 'web.alice.dyn.example.test' }] }));
    const overlapping = await signpost(['import', broken, '--replace'], target);
    expect(overlapping.code).toBe(1);
    expect(overlapping.err).toContain('overlaps');
    expect((await signpost(['export'], target)).out).toBe(readFileSync(exported, 'utf8'));
    const notExport = join(files, 'not.json');
    writeFileSync(notExport, '{"users": []}');
    expect((await signpost(['import', notExport, '--replace'], target)).err).toContain('not a Signpost export');
    expect((await signpost(['import', exported, '--replace'], target)).code).toBe(0);

    if (!digPeer.available) return;
    const answers: string[][] = [];
    for (const dir of [source, target]) {
      const running = await startServer(loadConfig({ SIGNPOST_DATA_DIR: dir, SIGNPOST_HOST: '127.0.0.1', SIGNPOST_HTTP_PORT: '0', SIGNPOST_DNS_PORT: '0', SIGNPOST_LOG_LEVEL: 'silent' }));
      try {
        const lines: string[] = [];
        for (const [name, type] of [['web.alice.dyn.example.test', 'A'], ['web.alice.dyn.example.test', 'AAAA'], ['x.web.alice.dyn.example.test', 'A'], ['web.alice.dyn.example.test', 'MX'], ['bob.dyn.example.test', 'A'], ['_acme-challenge.web.alice.dyn.example.test', 'TXT'], ['dyn.example.test', 'SOA']]) {
          const r = await dig(digPeer.path, running.dnsPort!, ['+noall', '+answer', name!, type!]);
          lines.push(r.stdout.trim());
        }
        answers.push(lines);
      } finally {
        await running.close();
      }
    }
    expect(answers[0]!.slice(0, 6).every((l) => l.length > 0)).toBe(true);
    expect(answers[1]!.slice(0, -1)).toEqual(answers[0]!.slice(0, -1));
    // the SOA is the same but for the serial, which never goes back (secondaries keep transferring)
    const soa = (line: string) => line.split(/\s+/);
    const [sourceSoa, targetSoa] = answers.map((a) => soa(a.at(-1)!));
    expect(targetSoa!.filter((_, i) => i !== 6)).toEqual(sourceSoa!.filter((_, i) => i !== 6));
    expect(Number(targetSoa![6])).toBeGreaterThanOrEqual(Number(sourceSoa![6]));
  }, 60_000);
});
