/**
 * PowerDNS Authoritative as a TSIG primary: `pdns_server` on the gsqlite3
 * backend (pdns-backend-sqlite3), DNS UPDATE on, and the key in the database
 * (tsigkeys + TSIG-ALLOW-DNSUPDATE / TSIG-ALLOW-AXFR domain metadata).
 */
import { existsSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import type { Recipe, RecipeContext } from './recipe.js';

/** Where Debian's pdns-backend-sqlite3 ships the schema (the first that exists is used). */
export const PDNS_SQLITE_SCHEMAS = [
  '/usr/share/pdns-backend-sqlite3/schema/schema.sqlite3.sql',
  '/usr/share/doc/pdns-backend-sqlite3/schema.sqlite3.sql',
];

export function pdnsSchemaPath(): string | undefined {
  return PDNS_SQLITE_SCHEMAS.find((path) => existsSync(path));
}

async function createDatabase(path: string, { zone, key }: RecipeContext): Promise<void> {
  const schema = pdnsSchemaPath();
  if (!schema) throw new Error(`no PowerDNS sqlite schema (pdns-backend-sqlite3) at ${PDNS_SQLITE_SCHEMAS.join(' or ')}`);
  await rm(path, { force: true });
  const db = new DatabaseSync(path);
  try {
    db.exec(await readFile(schema, 'utf8'));
    const { lastInsertRowid: domainId } = db.prepare(`INSERT INTO domains (name, type) VALUES (?, 'NATIVE')`).run(zone);
    const record = db.prepare(`INSERT INTO records (domain_id, name, type, content, ttl, prio, disabled, auth) VALUES (?, ?, ?, ?, ?, 0, 0, 1)`);
    record.run(domainId, zone, 'SOA', 'ns1.example.net hostmaster.example.net 1 3600 600 86400 60', 300);
    record.run(domainId, zone, 'NS', 'ns1.example.net', 300);
    db.prepare(`INSERT INTO tsigkeys (name, algorithm, secret) VALUES (?, ?, ?)`).run(key.name, key.algorithm, key.secretBase64);
    const meta = db.prepare(`INSERT INTO domainmetadata (domain_id, kind, content) VALUES (?, ?, ?)`);
    meta.run(domainId, 'TSIG-ALLOW-DNSUPDATE', key.name);
    meta.run(domainId, 'TSIG-ALLOW-AXFR', key.name);
    meta.run(domainId, 'SOA-EDIT-DNSUPDATE', 'INCREASE');
  } finally {
    db.close();
  }
}

export const pdnsRecipe: Recipe = {
  daemon: 'pdns_server',
  algorithms: ['hmac-sha256', 'hmac-sha512'],
  async prepare(ctx) {
    const { dir, port } = ctx;
    const database = join(dir, 'pdns.sqlite3');
    await createDatabase(database, ctx);
    const conf = [
      'launch=gsqlite3',
      `gsqlite3-database=${database}`,
      'local-address=127.0.0.1',
      `local-port=${port}`,
      `socket-dir=${dir}`,
      'guardian=no',
      'daemon=no',
      'write-pid=no',
      'disable-syslog=yes',
      'loglevel=6',
      'dnsupdate=yes',
      'allow-dnsupdate-from=127.0.0.0/8',
      // Unsigned AXFR from nowhere: a transfer needs the key (TSIG-ALLOW-AXFR).
      'allow-axfr-ips=192.0.2.1/32',
      // Tests read what was just written: no packet or query cache in the way.
      'cache-ttl=0',
      'query-cache-ttl=0',
      'negquery-cache-ttl=0',
      // No outgoing security-status lookup at start.
      'security-poll-suffix=',
      'receiver-threads=1',
      'distributor-threads=1',
      'webserver=no',
      'api=no',
      '',
    ].join('\n');
    await writeFile(join(dir, 'pdns.conf'), conf);
    return [`--config-dir=${dir}`];
  },
};
