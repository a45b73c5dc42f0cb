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
  // 2: instance registration (src/ports/instance-registry.ts): last state per instance, the typed
  // records created for it, and which instance owns each record (last writer wins).
  `
  CREATE TABLE instances (
    instance_id   TEXT PRIMARY KEY,
    state         TEXT NOT NULL,
    last_event_at INTEGER NOT NULL,
    version       INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL
  ) STRICT;
  CREATE TABLE instance_records (
    instance_id TEXT NOT NULL REFERENCES instances(instance_id) ON DELETE CASCADE,
    zone_id     TEXT NOT NULL,
    zone_name   TEXT NOT NULL,
    name        TEXT NOT NULL,
    type        TEXT NOT NULL,
    ttl         INTEGER NOT NULL,
    values_json TEXT NOT NULL,
    PRIMARY KEY (instance_id, zone_id, name, type)
  ) STRICT;
  CREATE TABLE instance_record_owners (
    zone_id     TEXT NOT NULL,
    name        TEXT NOT NULL,
    type        TEXT NOT NULL,
    instance_id TEXT NOT NULL,
    PRIMARY KEY (zone_id, name, type)
  ) STRICT;
  `,  // 3: abuse blocks that end by themselves, and when a block was last lifted (abuse counters restart there).
  `
  ALTER TABLE hosts ADD COLUMN blocked_until INTEGER;
  ALTER TABLE hosts ADD COLUMN unblocked_at INTEGER;
  `,
  // 4: Dyn's dyndns2 extras of a host (src/domain/records.ts hostRecordSets): wildcard, mail exchanger, backup MX.
  `
  ALTER TABLE hosts ADD COLUMN wildcard INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE hosts ADD COLUMN mx TEXT;
  ALTER TABLE hosts ADD COLUMN backmx INTEGER NOT NULL DEFAULT 0;
  `,
  // 5: web sessions (the web page's sign-in), by the SHA-256 of the cookie's id; they end with their user.
  `
  CREATE TABLE sessions (
    id_hash      TEXT PRIMARY KEY,
    username     TEXT NOT NULL REFERENCES users(username) ON DELETE CASCADE,
    created_at   INTEGER NOT NULL,
    last_seen_at INTEGER NOT NULL
  ) STRICT;
  CREATE INDEX sessions_by_user ON sessions(username);
  `,
  // 6: the admin role, and the account each history entry belongs to (activity across hosts, filtered
  // by user or result). Older entries take the current owner of their host, if it still exists.
  `
  ALTER TABLE users ADD COLUMN admin INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE history ADD COLUMN owner TEXT NOT NULL DEFAULT '';
  UPDATE history SET owner = COALESCE((SELECT owner FROM hosts WHERE hosts.name = history.hostname), '');
  CREATE INDEX history_by_owner ON history(owner, id);
  CREATE INDEX history_by_result ON history(result, id);
  `,
  // 7: certificates (ACME DNS-01). Challenge rows: the TXT values at a challenge name, each with its
  // own expiry, or an alias (values_json is a JSON array of {value, writtenAt, expiresAt}). Per-user
  // TSIG keys (the secret sealed by the caller) and acme-dns accounts end with their user; an
  // acme-dns account registered anonymously has no owner (NULL).
  `
  CREATE TABLE challenges (
    name        TEXT PRIMARY KEY,
    zone        TEXT NOT NULL,
    owner       TEXT NOT NULL,
    values_json TEXT NOT NULL,
    alias       TEXT,
    version     INTEGER NOT NULL
  ) STRICT;
  CREATE INDEX challenges_by_zone ON challenges(zone);
  CREATE INDEX challenges_by_owner ON challenges(owner);
  CREATE TABLE tsig_keys (
    name          TEXT PRIMARY KEY,
    username      TEXT NOT NULL REFERENCES users(username) ON DELETE CASCADE,
    algorithm     TEXT NOT NULL,
    sealed_secret TEXT NOT NULL,
    created_at    INTEGER NOT NULL
  ) STRICT;
  CREATE INDEX tsig_keys_by_user ON tsig_keys(username);
  CREATE TABLE acme_dns_accounts (
    username        TEXT PRIMARY KEY,
    owner           TEXT REFERENCES users(username) ON DELETE CASCADE,
    secret_hash     TEXT NOT NULL,
    subdomain       TEXT NOT NULL UNIQUE,
    allow_from_json TEXT NOT NULL,
    created_at      INTEGER NOT NULL
  ) STRICT;
  CREATE INDEX acme_dns_accounts_by_owner ON acme_dns_accounts(owner);
  `,
];
