/**
 * Schema migrations, applied in order; `PRAGMA user_version` records how many
 * have run. Never edit a released migration: add a new one.
 */
export const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE users (
    username      TEXT PRIMARY KEY,
    password_hash TEXT NOT NULL,
    created_at    INTEGER NOT NULL
  ) STRICT;
  CREATE TABLE grants (
    username TEXT NOT NULL REFERENCES users(username) ON DELETE CASCADE,
    pattern  TEXT NOT NULL,
    PRIMARY KEY (username, pattern)
  ) STRICT;
  CREATE TABLE hosts (
    name           TEXT PRIMARY KEY,
    zone           TEXT NOT NULL,
    owner          TEXT NOT NULL,
    ipv4           TEXT,
    ipv6           TEXT,
    ttl            INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL,
    version        INTEGER NOT NULL,
    blocked_at     INTEGER,
    blocked_reason TEXT
  ) STRICT;
  CREATE INDEX hosts_by_owner ON hosts(owner);
  CREATE INDEX hosts_by_zone ON hosts(zone);
  CREATE TABLE tokens (
    id          TEXT PRIMARY KEY,
    username    TEXT NOT NULL REFERENCES users(username) ON DELETE CASCADE,
    hostname    TEXT NOT NULL,
    secret_hash TEXT NOT NULL UNIQUE,
    created_at  INTEGER NOT NULL
  ) STRICT;
  CREATE TABLE history (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    hostname    TEXT NOT NULL,
    at          INTEGER NOT NULL,
    source      TEXT NOT NULL,
    user_agent  TEXT NOT NULL,
    before_json TEXT NOT NULL,
    after_json  TEXT NOT NULL,
    result      TEXT NOT NULL
  ) STRICT;
  CREATE INDEX history_by_host ON history(hostname, id);
  CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
  ) STRICT;
  `,
];
