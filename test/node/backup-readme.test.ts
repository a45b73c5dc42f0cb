/**
 * The README's "Backups and upgrades" commands, run by sh as written from
 * the checkout. The only changes: the backup directory
 * (`/var/backups/signpost`) and the new data directory (`/srv/signpost-new`)
 * become temporary ones, and SIGNPOST_DATA_DIR names the data directory.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/env.js';
import { openStore } from '../../src/config/services.js';
import { REPO_ROOT } from '../support/child-server.js';
import { readmeBlock } from '../support/readme.js';

const dirs: string[] = [];
const tempDir = (label: string) => {
  const dir = mkdtempSync(join(tmpdir(), `signpost-readme-backup-${label}-`));
  dirs.push(dir);
  return dir;
};
afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

function sh(script: string, env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile('/bin/sh', ['-ec', script], { cwd: REPO_ROOT, env: { PATH: process.env.PATH ?? '/usr/bin:/bin', LANG: 'C', ...env }, timeout: 60_000 }, (error, stdout, stderr) =>
      resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

describe('README: Backups and upgrades', () => {
  it('backs up, restores, exports and imports as the samples say', async () => {
    const backups = tempDir('files');
    const newDir = join(tempDir('new'), 'data');
    const dataDir = tempDir('data');
    const store = openStore(loadConfig({ SIGNPOST_DATA_DIR: dataDir }));
    await store.createUser({ username: 'alice', passwordHash: '$argon2id$sample', createdAt: 1 });
    await store.putHost({ name: 'home.dyn.example.test', zone: 'dyn.example.test', owner: 'alice', addresses: { v4: '192.0.2.7' }, ttl: 60, updatedAt: 2, version: 1 }, null);
    await store.close();
    const env = { SIGNPOST_DATA_DIR: dataDir };
    const local = (sample: string) => sample.replaceAll('/var/backups/signpost', backups).replaceAll('/srv/signpost-new', newDir);

    const backup = await sh(local(readmeBlock('**Back up**')), env);
    expect(backup.code, backup.stderr).toBe(0);
    expect(statSync(join(backups, 'signpost.db')).mode & 0o777).toBe(0o600);

    const restore = await sh(local(readmeBlock('**Restore**')), env);
    expect(restore.code, restore.stderr).toBe(0);

    const moved = await sh(local(readmeBlock('**Export and import**')), env);
    expect(moved.code, moved.stderr).toBe(0);
    expect(readFileSync(join(backups, 'zones.txt'), 'utf8')).toContain('home.dyn.example.test.\t60\tIN\tA\t192.0.2.7');
    expect(existsSync(join(newDir, 'signpost.db'))).toBe(true);
    const imported = openStore(loadConfig({ SIGNPOST_DATA_DIR: newDir }));
    try {
      expect((await imported.getHost('home.dyn.example.test'))?.addresses).toEqual({ v4: '192.0.2.7' });
    } finally {
      await imported.close();
    }

    // "Upgrading", step 1
    const step = /1\. Back up: `([^`]+)`/.exec(readFileSync(join(REPO_ROOT, 'README.md'), 'utf8'))?.[1];
    expect(step).toBeDefined();
    const before = await sh(local(step!), env);
    expect(before.code, before.stderr).toBe(0);
    expect(existsSync(join(backups, 'before-upgrade.db'))).toBe(true);
  }, 120_000);
});
