/**
 * `signpost backup`, `restore`, `export` and `import`: copies of the data
 * directory's state (README, "Backups and upgrades"). Registered on the CLI
 * by cli.ts; the modules that do the work are imported when a command runs.
 */
import type { Command } from 'commander';
import { chmodSync, existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { SignpostError } from '../../domain/errors.js';
import type { Config } from '../../config/env.js';
import type { Core } from '../../config/services.js';

/** What the commands share with the rest of the CLI (cli.ts). */
export interface DataCommandContext {
  /** Configuration from the environment and --data-dir; the data directory may not exist yet. */
  readonly config: () => Promise<Config>;
  /** Runs `work` with the core of an existing store. */
  readonly withCore: <T>(work: (core: Core) => Promise<T>) => Promise<T>;
  readonly print: (value: unknown) => void;
  readonly warn: (text: string) => void;
}

/** An export is read whole; a larger file is not one Signpost wrote for a store this size. */
const MAX_IMPORT_BYTES = 512 * 1024 * 1024;

export function registerDataCommands(program: Command, context: DataCommandContext): void {
  const { config, withCore, print, warn } = context;

  program
    .command('backup <file>')
    .description('write a consistent copy of the database (safe while the server runs), 0600, and the secret key next to it as <file>.key')
    .action(async (file: string) => {
      // The CLI's own store open applies pending migrations and proves the data directory holds a database.
      const settings = await withCore(async (core) => core.config);
      const [{ databasePath }, { backupDatabase }, { copySecretKey, SECRET_KEY_FILE }] = await Promise.all([
        import('../../config/services.js'),
        import('../../adapters/store/sqlite-backup.js'),
        import('../../adapters/crypto/secret-key-file.js'),
      ]);
      const target = resolve(file);
      await backupDatabase(databasePath(settings), target);
      const keyFile = join(settings.dataDir, SECRET_KEY_FILE);
      let secretKey: string | null = null;
      if (settings.secretKey !== undefined) secretKey = 'SIGNPOST_SECRET_KEY';
      else if (existsSync(keyFile)) {
        copySecretKey(keyFile, `${target}.key`);
        secretKey = `${target}.key`;
      }
      if (secretKey === 'SIGNPOST_SECRET_KEY') warn('the secret key is SIGNPOST_SECRET_KEY: keep its value with the backup, TSIG secrets cannot be read without it');
      print({ database: target, secretKey });
    });

  program
    .command('restore <file>')
    .description('replace the database with a backup (checked, migrated forward); refused while the server runs')
    .action(async (file: string) => {
      const settings = await config();
      const [{ databasePath }, { restoreDatabase }, { copySecretKey, SECRET_KEY_FILE }] = await Promise.all([
        import('../../config/services.js'),
        import('../../adapters/store/sqlite-backup.js'),
        import('../../adapters/crypto/secret-key-file.js'),
      ]);
      const source = resolve(file);
      const versions = await restoreDatabase(source, databasePath(settings));
      let secretKey: string | null = null;
      if (existsSync(`${source}.key`)) {
        if (settings.secretKey !== undefined) warn(`${source}.key is not used: SIGNPOST_SECRET_KEY is set and takes precedence`);
        else {
          copySecretKey(`${source}.key`, join(settings.dataDir, SECRET_KEY_FILE));
          secretKey = join(settings.dataDir, SECRET_KEY_FILE);
        }
      } else if (settings.secretKey === undefined && versions.tsigKeys > 0) {
        warn(`no ${source}.key next to the backup: TSIG keys restored with it can only be read with the secret key that sealed them`);
      }
      print({ restored: source, database: databasePath(settings), schemaVersion: { from: versions.fromVersion, to: versions.toVersion }, secretKey });
    });

  program
    .command('export [file]')
    .description('users, grants, hosts, tokens, TSIG keys (sealed) and challenge rows as JSON, to <file> (0600) or standard output')
    .option('-z, --zone-file <file>', "also write the records Signpost publishes as a zone file")
    .action(async (file: string | undefined, opts: { zoneFile?: string }) => {
      const [{ exportStore }, { zoneFileText }] = await Promise.all([import('../../app/data-export.js'), import('../../domain/zone-file.js')]);
      const { data, zones } = await withCore(async (core) => {
        const data = await exportStore(core.store, core.config.zones);
        if (opts.zoneFile === undefined) return { data, zones: '' };
        const texts: string[] = [];
        for (const zone of await core.provider.zones()) texts.push(zoneFileText(zone.name, await core.dnsRegistry.desiredIn(zone)));
        return { data, zones: texts.join('\n') };
      });
      const json = `${JSON.stringify(data, null, 2)}\n`;
      if (opts.zoneFile !== undefined) writeFileSync(opts.zoneFile, zones, { mode: 0o644 });
      // It holds password and token hashes: private, like the database.
      if (file === undefined) print(json.trimEnd());
      else {
        writeFileSync(file, json, { mode: 0o600 });
        chmodSync(file, 0o600); // `mode` applies only to a file the write creates
      }
    });

  program
    .command('import <file>')
    .description('load an export into an empty data directory (--replace: replace what is there); refused while the server runs')
    .option('--replace', 'replace a database that is not empty', false)
    .action(async (file: string, opts: { replace: boolean }) => {
      const settings = await config();
      const [{ databasePath }, { parseExport, importInto, storeIsEmpty }, { replaceDatabase }, { SqliteStore }] = await Promise.all([
        import('../../config/services.js'),
        import('../../app/data-export.js'),
        import('../../adapters/store/sqlite-backup.js'),
        import('../../adapters/store/sqlite.js'),
      ]);
      const text = readBounded(file);
      const data = parseExport(text);
      const target = databasePath(settings);
      if (existsSync(target) && !opts.replace) {
        const current = new SqliteStore(target);
        const empty = await storeIsEmpty(current).finally(() => current.close());
        if (!empty) throw new SignpostError('invalid_request', `${target} is not empty: import into a new data directory, or pass --replace to replace its contents`);
      }
      // Built off to the side and renamed into place: a refused document leaves the data directory as it was.
      await replaceDatabase(target, async (staged) => {
        const store = new SqliteStore(staged);
        try {
          await importInto(store, data);
        } finally {
          await store.close();
        }
      });
      if (data.tsigKeys.length > 0) warn('TSIG secrets are sealed: the data directory needs the secret key of the exporting one (secret.key or SIGNPOST_SECRET_KEY)');
      print({ imported: resolve(file), database: target, users: data.users.length, hosts: data.hosts.length });
    });
}

function readBounded(file: string): string {
  let text: Buffer;
  try {
    if (statSync(file).size > MAX_IMPORT_BYTES) throw new SignpostError('invalid_request', `${file} is larger than ${MAX_IMPORT_BYTES} bytes`);
    text = readFileSync(file);
  } catch (error) {
    if (error instanceof SignpostError) throw error;
    throw new SignpostError('invalid_request', `cannot read ${file}: ${error instanceof Error ? error.message : String(error)}`);
  }
  return text.toString('utf8');
}
