import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  BatchWriteCommand,
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  ScanCommand,
  UpdateCommand,
  type QueryCommandInput,
  type ScanCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { ConflictError, SignpostError } from '../../domain/errors.js';
import type { ChallengeRecord, ChallengeValue } from '../../domain/challenges.js';
import type { AcmeDnsAccount, ActivityFilter, Grant, HistoryEntry, Host, NewUser, TsigAlgorithmName, TsigKeyRecord, UpdateToken, User, WebSession } from '../../domain/model.js';
import { normalExtras } from '../../domain/records.js';
import { grantsOverlap } from '../../domain/names.js';
import type { Store } from '../../ports/store.js';
import { conditional } from './dynamodb-conditional.js';

type Item = Record<string, unknown>;

export interface DynamoDbStoreOptions {
  readonly client: DynamoDBClient;
  readonly tableName: string;
  readonly historyLimit?: number;
  /** Optimistic retries of `addGrant` when another grant write raced it. */
  readonly grantRetries?: number;
  /** How many entries a filtered activity listing examines at most (default ACTIVITY_READ_BUDGET). */
  readonly activityReadBudget?: number;
}

/**
 * History entries are spread over this many index partitions (by host name),
 * so the newest-first write stream of a busy service does not land on one
 * partition; an unfiltered activity listing reads them all and merges.
 */
export const ACTIVITY_SHARDS = 4;
/**
 * The most history entries one filtered activity listing examines (by
 * result, or by user and result): a rare result older than that is not
 * found. Host filters read only that host's retained history.
 */
export const ACTIVITY_READ_BUDGET = 5000;

const GRANTS_PK = 'GRANTS';
/** The one item collection holding every challenge row (sort key: the row's name). */
const CHALLENGES_PK = 'CHALLENGES';
const GRANTS_VERSION_SK = 'VERSION';
const CLAIM = 'CLAIM#';

/**
 * The serverless store: one DynamoDB table (see dynamodb-schema.ts and
 * docs/dynamodb.md for the item layout and access patterns). No
 * transactions: every race is settled by a single-item conditional write,
 * and a lost condition becomes a domain error (`user_exists`,
 * ConflictError). Reads that decide something are strongly consistent and
 * go to the base table; only listings use the (eventually consistent)
 * indexes.
 */
export class DynamoDbStore implements Store {
  private readonly doc: DynamoDBDocumentClient;
  private readonly table: string;
  private readonly historyLimit: number;
  private readonly grantRetries: number;
  private readonly activityReadBudget: number;
  private historySeq = 0;

  constructor(options: DynamoDbStoreOptions) {
    this.doc = DynamoDBDocumentClient.from(options.client, { marshallOptions: { removeUndefinedValues: true } });
    this.table = options.tableName;
    this.historyLimit = options.historyLimit ?? 100;
    this.grantRetries = options.grantRetries ?? 8;
    this.activityReadBudget = options.activityReadBudget ?? ACTIVITY_READ_BUDGET;
  }

  // ── users ────────────────────────────────────────────────────────────

  async createUser(user: NewUser): Promise<void> {
    await conditional(
      this.doc.send(
        new PutCommand({
          TableName: this.table,
          Item: { pk: userPk(user.username), sk: 'PROFILE', entity: 'user', ...user, admin: user.admin ?? false, gsi1pk: 'USERS', gsi1sk: user.username },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      ),
      () => new SignpostError('user_exists', `user ${user.username} already exists`),
    );
  }

  async getUser(username: string): Promise<User | undefined> {
    const item = await this.get(userPk(username), 'PROFILE');
    return item && toUser(item);
  }

  async listUsers(): Promise<User[]> {
    const items = await this.query({ IndexName: 'gsi1', KeyConditionExpression: 'gsi1pk = :p', ExpressionAttributeValues: { ':p': 'USERS' } });
    return items.map(toUser).sort((a, b) => byBytes(a.username, b.username));
  }

  async setPasswordHash(username: string, passwordHash: string): Promise<boolean> {
    return this.updateProfile(username, 'SET passwordHash = :v', passwordHash);
  }

  async setAdmin(username: string, admin: boolean): Promise<boolean> {
    return this.updateProfile(username, 'SET admin = :v', admin);
  }

  private async updateProfile(username: string, update: string, value: unknown): Promise<boolean> {
    return conditional(
      this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { pk: userPk(username), sk: 'PROFILE' },
          UpdateExpression: update,
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeValues: { ':v': value },
        }),
      ),
    );
  }

  /**
   * Children first, the profile last, then a second sweep: a grant or token
   * written concurrently with the delete is removed by the sweep, and a
   * crash part-way leaves a user that still exists (and can be deleted
   * again) rather than orphans a new user of the same name would inherit.
   */
  async deleteUser(username: string): Promise<boolean> {
    if (!(await this.getUser(username))) return false;
    await this.deleteChildren(username, false);
    const existed = await this.deleteIfExists(userPk(username), 'PROFILE');
    await this.deleteChildren(username, true);
    return existed;
  }

  /**
   * Removes what hangs off a user. The first pass (user still there) keeps
   * the pointers to TSIG keys and acme-dns accounts: a create running
   * concurrently writes its pointer, then its item, then re-reads the user,
   * so a pointer removed in between would orphan an item written just after
   * it; the final pass, after the user is gone, finds every such pointer.
   */
  private async deleteChildren(username: string, final: boolean): Promise<void> {
    const items = await this.query({ KeyConditionExpression: 'pk = :p', ExpressionAttributeValues: { ':p': userPk(username) } });
    for (const item of items) {
      if (item.entity === 'grant') await this.removeGrant({ username, pattern: String(item.pattern) });
      if (item.entity === 'token') await this.deleteToken(username, String(item.id), String(item.secretHash));
      if (item.entity === 'session') await this.deleteSession(String(item.idHash));
      if (item.entity === 'tsig-key-ref') await this.deleteTsigKeyOf(username, String(item.name), final);
      if (item.entity === 'acme-dns-ref') await this.deleteAcmeDnsAccountOf(username, String(item.username), final);
    }
  }

  // ── grants ───────────────────────────────────────────────────────────

  /**
   * Overlap between grants of different users is checked against the claim
   * registry (partition `GRANTS`, one item per grant) and made safe with an
   * optimistic counter: read the counter, read every claim, write our claim,
   * then bump the counter only if it is unchanged. A writer that loses the
   * bump removes its claim and retries, so two overlapping grants cannot
   * both be committed. Residual: between writing a claim and losing the bump
   * a claim is briefly visible (it only ever makes another add refuse), and
   * a crash in that window leaves a claim that blocks overlapping grants of
   * other users until `removeGrant` cleans it (fails closed).
   */
  async addGrant(grant: Grant): Promise<void> {
    if (!(await this.getUser(grant.username))) throw new SignpostError('user_not_found', `no user ${grant.username}`);
    const claimSk = `${CLAIM}${grant.pattern}#${grant.username}`;
    for (let attempt = 0; attempt < this.grantRetries; attempt++) {
      const version = Number((await this.get(GRANTS_PK, GRANTS_VERSION_SK))?.version ?? 0);
      const claims = await this.query({
        KeyConditionExpression: 'pk = :p AND begins_with(sk, :c)',
        ExpressionAttributeValues: { ':p': GRANTS_PK, ':c': CLAIM },
      });
      let mine = false;
      for (const c of claims) {
        if (c.username === grant.username) mine ||= c.pattern === grant.pattern;
        else if (grantsOverlap(String(c.pattern), grant.pattern)) {
          throw new SignpostError('grant_conflict', `${grant.pattern} overlaps a name granted to another user`);
        }
      }
      if (!mine) {
        const claimed = await conditional(
          this.doc.send(
            new PutCommand({
              TableName: this.table,
              Item: { pk: GRANTS_PK, sk: claimSk, entity: 'claim', username: grant.username, pattern: grant.pattern },
              ConditionExpression: 'attribute_not_exists(pk)',
            }),
          ),
        );
        if (!claimed) continue; // the same grant is being added concurrently: re-read
        if (!(await this.bumpGrantsVersion(version))) {
          await this.deleteIfExists(GRANTS_PK, claimSk);
          continue;
        }
      }
      await this.doc.send(
        new PutCommand({ TableName: this.table, Item: { pk: userPk(grant.username), sk: `GRANT#${grant.pattern}`, entity: 'grant', ...grant } }),
      );
      if (!(await this.getUser(grant.username))) {
        // The user was deleted while we granted: undo rather than leave an orphan.
        await this.removeGrant(grant);
        throw new SignpostError('user_not_found', `no user ${grant.username}`);
      }
      return;
    }
    throw new ConflictError('grants kept changing; try again');
  }

  private async bumpGrantsVersion(expected: number): Promise<boolean> {
    return conditional(
      this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { pk: GRANTS_PK, sk: GRANTS_VERSION_SK },
          UpdateExpression: 'SET version = :next',
          ConditionExpression: expected === 0 ? 'attribute_not_exists(version)' : 'version = :v',
          ExpressionAttributeValues: expected === 0 ? { ':next': 1 } : { ':next': expected + 1, ':v': expected },
        }),
      ),
    );
  }

  async removeGrant(grant: Grant): Promise<boolean> {
    const existed = await this.deleteIfExists(userPk(grant.username), `GRANT#${grant.pattern}`);
    await this.deleteIfExists(GRANTS_PK, `${CLAIM}${grant.pattern}#${grant.username}`);
    return existed;
  }

  async listGrants(username: string): Promise<Grant[]> {
    const items = await this.query({
      KeyConditionExpression: 'pk = :p AND begins_with(sk, :g)',
      ExpressionAttributeValues: { ':p': userPk(username), ':g': 'GRANT#' },
    });
    return items.map((i) => ({ username, pattern: String(i.pattern) }));
  }

  // ── hosts ────────────────────────────────────────────────────────────

  async getHost(name: string): Promise<Host | undefined> {
    const item = await this.get(hostPk(name), 'HOST');
    return item && toHost(item);
  }

  async listHosts(filter: { owner?: string; zone?: string } = {}): Promise<Host[]> {
    let items: Item[];
    if (filter.owner !== undefined) {
      items = await this.query({ IndexName: 'gsi1', KeyConditionExpression: 'gsi1pk = :p', ExpressionAttributeValues: { ':p': `OWNER#${filter.owner}` } });
    } else if (filter.zone !== undefined) {
      items = await this.query({ IndexName: 'gsi2', KeyConditionExpression: 'gsi2pk = :p', ExpressionAttributeValues: { ':p': `ZONE#${filter.zone}` } });
    } else {
      items = await this.scan({ FilterExpression: 'entity = :e', ExpressionAttributeValues: { ':e': 'host' } });
    }
    return items
      .filter((i) => i.entity === 'host' && (filter.zone === undefined || i.zone === filter.zone))
      .map(toHost)
      .sort((a, b) => byBytes(a.name, b.name));
  }

  async putHost(host: Host, expectedVersion: number | null): Promise<void> {
    const { blocked, addresses, wildcard, mx, backmx, ...rest } = host;
    const item: Item = {
      pk: hostPk(host.name),
      sk: 'HOST',
      entity: 'host',
      ...rest,
      v4: addresses.v4,
      v6: addresses.v6,
      // Dyn's extras, written only when on so a host without them keeps its old shape.
      ...normalExtras({ wildcard, mx, backmx }),
      blockedAt: blocked?.at,
      blockedReason: blocked?.reason,
      blockedUntil: blocked?.until,
      gsi1pk: `OWNER#${host.owner}`,
      gsi1sk: host.name,
      gsi2pk: `ZONE#${host.zone}`,
      gsi2sk: host.name,
    };
    await this.putVersioned(item, expectedVersion);
  }

  async deleteHost(name: string, expectedVersion: number): Promise<void> {
    await this.deleteVersioned({ pk: hostPk(name), sk: 'HOST' }, expectedVersion);
  }

  // ── tokens ───────────────────────────────────────────────────────────

  /**
   * Three items: the token in its user's partition (listed and swept with
   * the user), and two pointers, by id (revoke) and by secret hash (update
   * authentication). Written token-first and deleted token-first, so a
   * pointer without its token never authenticates.
   */
  async createToken(token: UpdateToken): Promise<void> {
    await this.doc.send(
      new PutCommand({
        TableName: this.table,
        Item: { pk: userPk(token.username), sk: `TOKEN#${token.id}`, entity: 'token', ...token },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
    await this.doc.send(new PutCommand({ TableName: this.table, Item: { pk: `TOKEN#${token.id}`, sk: 'TOKEN', username: token.username, secretHash: token.secretHash } }));
    await this.doc.send(
      new PutCommand({
        TableName: this.table,
        Item: { pk: `SECRET#${token.secretHash}`, sk: 'SECRET', username: token.username, id: token.id },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  }

  async findTokenBySecretHash(secretHash: string): Promise<UpdateToken | undefined> {
    const pointer = await this.get(`SECRET#${secretHash}`, 'SECRET');
    if (!pointer) return undefined;
    const item = await this.get(userPk(String(pointer.username)), `TOKEN#${String(pointer.id)}`);
    return item && item.secretHash === secretHash ? toToken(item) : undefined;
  }

  async listTokens(username: string): Promise<UpdateToken[]> {
    const items = await this.query({
      KeyConditionExpression: 'pk = :p AND begins_with(sk, :t)',
      ExpressionAttributeValues: { ':p': userPk(username), ':t': 'TOKEN#' },
    });
    return items.map(toToken).sort((a, b) => a.createdAt - b.createdAt || byBytes(a.id, b.id));
  }

  async revokeToken(id: string): Promise<boolean> {
    const pointer = await this.get(`TOKEN#${id}`, 'TOKEN');
    if (!pointer) return false;
    return this.deleteToken(String(pointer.username), id, String(pointer.secretHash));
  }

  private async deleteToken(username: string, id: string, secretHash: string): Promise<boolean> {
    const existed = await this.deleteIfExists(userPk(username), `TOKEN#${id}`);
    await this.deleteIfExists(`SECRET#${secretHash}`, 'SECRET');
    await this.deleteIfExists(`TOKEN#${id}`, 'TOKEN');
    return existed;
  }

  // ── history ──────────────────────────────────────────────────────────

  /**
   * Newest first by sort key `<at>#<seq><random>`; entries beyond the limit
   * are pruned after each append (which takes them out of both indexes too).
   * The same key orders the entry in its activity shard (gsi2) and, when it
   * has an owner, in its owner's activity (gsi1).
   */
  async appendHistory(entry: HistoryEntry): Promise<void> {
    const seq = (this.historySeq = (this.historySeq + 1) % 1e9);
    const sk = `${String(entry.at).padStart(15, '0')}#${String(seq).padStart(9, '0')}${Math.random().toString(36).slice(2, 8)}`;
    const item: Item = {
      pk: histPk(entry.hostname),
      sk,
      entity: 'history',
      ...entry,
      ...(entry.owner ? { gsi1pk: activityByOwnerPk(entry.owner), gsi1sk: sk } : {}),
      gsi2pk: activityShardPk(shardOf(entry.hostname)),
      gsi2sk: sk,
    };
    await this.doc.send(new PutCommand({ TableName: this.table, Item: item }));
    const keys = await this.query({
      KeyConditionExpression: 'pk = :p',
      ExpressionAttributeValues: { ':p': histPk(entry.hostname) },
      ProjectionExpression: 'pk, sk',
      ScanIndexForward: false,
    });
    const stale = keys.slice(this.historyLimit);
    for (let i = 0; i < stale.length; i += 25) {
      const chunk = stale.slice(i, i + 25);
      await this.doc.send(
        new BatchWriteCommand({ RequestItems: { [this.table]: chunk.map((k) => ({ DeleteRequest: { Key: { pk: k.pk, sk: k.sk } } })) } }),
      );
    }
  }

  async listHistory(hostname: string, limit: number): Promise<HistoryEntry[]> {
    const items = await this.query(
      { KeyConditionExpression: 'pk = :p', ExpressionAttributeValues: { ':p': histPk(hostname) }, ScanIndexForward: false, Limit: limit },
      limit,
    );
    return items.map(toHistoryEntry);
  }

  /**
   * A host filter reads that host's partition (at most `historyLimit`
   * entries); a user filter reads the user's activity (gsi1); otherwise every
   * activity shard (gsi2) is read newest first and merged. Filters the key
   * does not cover are FilterExpressions, and such a listing examines at most
   * `activityReadBudget` entries. Never a Scan.
   */
  async listActivity(filter: ActivityFilter, limit: number): Promise<HistoryEntry[]> {
    const residual: [string, string][] = [];
    if (filter.result !== undefined) residual.push(['result', filter.result]);
    if (filter.owner !== undefined && filter.hostname !== undefined) residual.push(['owner', filter.owner]);
    const filtered = residual.length > 0;
    const newest = (key: Omit<QueryCommandInput, 'TableName'>, budget: number) =>
      this.newestMatching(
        {
          ...key,
          ...(filtered
            ? {
                FilterExpression: residual.map(([name]) => `#${name} = :${name}`).join(' AND '),
                ExpressionAttributeNames: Object.fromEntries(residual.map(([name]) => [`#${name}`, name])),
              }
            : {}),
          ExpressionAttributeValues: { ...key.ExpressionAttributeValues, ...Object.fromEntries(residual.map(([name, value]) => [`:${name}`, value])) },
          ScanIndexForward: false,
        },
        limit,
        filtered ? budget : limit,
      );
    let items: Item[];
    if (filter.hostname !== undefined) {
      items = await newest({ KeyConditionExpression: 'pk = :p', ExpressionAttributeValues: { ':p': histPk(filter.hostname) } }, this.historyLimit);
    } else if (filter.owner !== undefined) {
      items = await newest(
        { IndexName: 'gsi1', KeyConditionExpression: 'gsi1pk = :p', ExpressionAttributeValues: { ':p': activityByOwnerPk(filter.owner) } },
        this.activityReadBudget,
      );
    } else {
      const shards = await Promise.all(
        Array.from({ length: ACTIVITY_SHARDS }, (_, shard) =>
          newest(
            { IndexName: 'gsi2', KeyConditionExpression: 'gsi2pk = :p', ExpressionAttributeValues: { ':p': activityShardPk(shard) } },
            Math.ceil(this.activityReadBudget / ACTIVITY_SHARDS),
          ),
        ),
      );
      items = shards.flat().sort((a, b) => byBytes(String(b.sk), String(a.sk)));
    }
    return items.slice(0, limit).map(toHistoryEntry);
  }

  /** Pages of a newest-first query until `want` items matched or `budget` items were examined. */
  private async newestMatching(input: Omit<QueryCommandInput, 'TableName'>, want: number, budget: number): Promise<Item[]> {
    const items: Item[] = [];
    let examined = 0;
    let start: Record<string, unknown> | undefined;
    do {
      const out = await this.doc.send(
        new QueryCommand({
          TableName: this.table,
          ConsistentRead: input.IndexName === undefined,
          ...input,
          Limit: Math.max(1, budget - examined),
          ExclusiveStartKey: start,
        }),
      );
      items.push(...((out.Items ?? []) as Item[]));
      examined += out.ScannedCount ?? out.Items?.length ?? 0;
      start = out.LastEvaluatedKey;
    } while (start && items.length < want && examined < budget);
    return items.slice(0, want);
  }

  // ── web sessions ─────────────────────────────────────────────────────

  /**
   * Two items: the session (`SESSION#<hash>`, read on every page) and a
   * pointer in its user's partition, so a password change can end all of a
   * user's sessions with a strongly consistent query and deleteUser sweeps
   * them. Pointer first, session last; deleted session first: a pointer
   * without its session is harmless, a session without a pointer is not.
   */
  async createSession(session: WebSession): Promise<void> {
    if (!(await this.getUser(session.username))) throw new SignpostError('user_not_found', `no user ${session.username}`);
    await this.doc.send(
      new PutCommand({ TableName: this.table, Item: { pk: userPk(session.username), sk: `SESSION#${session.idHash}`, entity: 'session', idHash: session.idHash } }),
    );
    await this.doc.send(
      new PutCommand({ TableName: this.table, Item: { pk: sessionPk(session.idHash), sk: 'SESSION', entity: 'web-session', ...session }, ConditionExpression: 'attribute_not_exists(pk)' }),
    );
  }

  async getSession(idHash: string): Promise<WebSession | undefined> {
    const item = await this.get(sessionPk(idHash), 'SESSION');
    return item && { idHash: String(item.idHash), username: String(item.username), createdAt: Number(item.createdAt), lastSeenAt: Number(item.lastSeenAt) };
  }

  async touchSession(idHash: string, lastSeenAt: number): Promise<void> {
    // A session ended meanwhile is not brought back.
    await conditional(
      this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { pk: sessionPk(idHash), sk: 'SESSION' },
          UpdateExpression: 'SET lastSeenAt = :t',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeValues: { ':t': lastSeenAt },
        }),
      ),
    );
  }

  async deleteSession(idHash: string): Promise<boolean> {
    const item = await this.get(sessionPk(idHash), 'SESSION');
    const existed = await this.deleteIfExists(sessionPk(idHash), 'SESSION');
    if (item) await this.deleteIfExists(userPk(String(item.username)), `SESSION#${idHash}`);
    return existed;
  }

  async listSessions(username: string): Promise<WebSession[]> {
    const pointers = await this.query({
      KeyConditionExpression: 'pk = :p AND begins_with(sk, :s)',
      ExpressionAttributeValues: { ':p': userPk(username), ':s': 'SESSION#' },
    });
    const sessions: WebSession[] = [];
    for (const p of pointers) {
      const session = await this.getSession(String(p.idHash));
      if (session?.username === username) sessions.push(session);
    }
    return sessions.sort((a, b) => a.createdAt - b.createdAt || byBytes(a.idHash, b.idHash));
  }

  // ── ACME challenge rows ──────────────────────────────────────────────

  /**
   * Every row lives in ONE item collection (`CHALLENGES`, sort key = name),
   * not in a GSI: the expiry sweep, publishing a zone and a user's deletion
   * each read all rows with one strongly consistent, paginated Query, and a
   * zone or owner is a FilterExpression on it. Rows exist only while a
   * certificate is being obtained (their values expire within the
   * configured lifetime), so the collection stays small and one partition's
   * throughput is far more than ACME's rate limits let clients use.
   * Writes are conditional on `version` exactly like hosts.
   */
  async getChallenge(name: string): Promise<ChallengeRecord | undefined> {
    const item = await this.get(CHALLENGES_PK, name);
    return item && toChallenge(item);
  }

  async listChallenges(filter: { zone?: string; owner?: string } = {}): Promise<ChallengeRecord[]> {
    const residual = Object.entries({ zone: filter.zone, owner: filter.owner }).filter((f): f is [string, string] => f[1] !== undefined);
    const items = await this.query({
      KeyConditionExpression: 'pk = :p',
      ...(residual.length > 0
        ? {
            FilterExpression: residual.map(([name]) => `#${name} = :${name}`).join(' AND '),
            ExpressionAttributeNames: Object.fromEntries(residual.map(([name]) => [`#${name}`, name])),
          }
        : {}),
      ExpressionAttributeValues: { ':p': CHALLENGES_PK, ...Object.fromEntries(residual.map(([name, value]) => [`:${name}`, value])) },
    });
    return items.map(toChallenge); // the sort key is the name: already in byte order
  }

  async putChallenge(record: ChallengeRecord, expectedVersion: number | null): Promise<void> {
    const item: Item = {
      pk: CHALLENGES_PK,
      sk: record.name,
      entity: 'challenge',
      name: record.name,
      zone: record.zone,
      owner: record.owner,
      values: record.values.map(({ value, writtenAt, expiresAt }) => ({ value, writtenAt, expiresAt })),
      alias: record.alias,
      version: record.version,
    };
    await this.putVersioned(item, expectedVersion);
  }

  async deleteChallenge(name: string, expectedVersion: number): Promise<void> {
    await this.deleteVersioned({ pk: CHALLENGES_PK, sk: name }, expectedVersion);
  }

  /** A conditional put of a versioned item (host, challenge row): `null` = must not exist, else must still be at that version. */
  private async putVersioned(item: Record<string, unknown>, expectedVersion: number | null): Promise<void> {
    await conditional(
      this.doc.send(
        new PutCommand({
          TableName: this.table,
          Item: item,
          ...(expectedVersion === null
            ? { ConditionExpression: 'attribute_not_exists(pk)' }
            : { ConditionExpression: '#v = :expected', ExpressionAttributeNames: { '#v': 'version' }, ExpressionAttributeValues: { ':expected': expectedVersion } }),
        }),
      ),
      () => new ConflictError(),
    );
  }

  private async deleteVersioned(key: Record<string, string>, expectedVersion: number): Promise<void> {
    await conditional(
      this.doc.send(
        new DeleteCommand({
          TableName: this.table,
          Key: key,
          ConditionExpression: '#v = :expected',
          ExpressionAttributeNames: { '#v': 'version' },
          ExpressionAttributeValues: { ':expected': expectedVersion },
        }),
      ),
      () => new ConflictError(),
    );
  }

  // ── TSIG keys ────────────────────────────────────────────────────────

  /**
   * Two items: the key (`TSIG#<name>`, read on every signed UPDATE; its
   * conditional put makes the name unique across users) and a pointer in its
   * user's partition (listed and swept with the user). Pointer first, key
   * second, then the user is read again: a user deleted meanwhile either
   * finds the pointer in its second sweep or we undo the key ourselves, so a
   * key never outlives its user (as addGrant does).
   */
  async createTsigKey(key: TsigKeyRecord): Promise<void> {
    if (!(await this.getUser(key.username))) throw new SignpostError('user_not_found', `no user ${key.username}`);
    const pointerSk = `TSIG#${key.name}`;
    await this.doc.send(new PutCommand({ TableName: this.table, Item: { pk: userPk(key.username), sk: pointerSk, entity: 'tsig-key-ref', name: key.name } }));
    const created = await conditional(
      this.doc.send(
        new PutCommand({
          TableName: this.table,
          Item: { pk: tsigPk(key.name), sk: 'TSIG', entity: 'tsig-key', ...key },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      ),
    );
    if (!created) {
      // Our pointer stays only if the existing key is this user's own (then the pointer is its pointer).
      if ((await this.get(tsigPk(key.name), 'TSIG'))?.username !== key.username) await this.deleteIfExists(userPk(key.username), pointerSk);
      throw new SignpostError('tsig_key_exists', `a TSIG key named ${key.name} exists`);
    }
    if (!(await this.getUser(key.username))) {
      await this.deleteTsigKeyOf(key.username, key.name);
      throw new SignpostError('user_not_found', `no user ${key.username}`);
    }
  }

  async getTsigKey(name: string): Promise<TsigKeyRecord | undefined> {
    const item = await this.get(tsigPk(name), 'TSIG');
    return item && toTsigKey(item);
  }

  async listTsigKeys(username: string): Promise<TsigKeyRecord[]> {
    const pointers = await this.query({
      KeyConditionExpression: 'pk = :p AND begins_with(sk, :t)',
      ExpressionAttributeValues: { ':p': userPk(username), ':t': 'TSIG#' },
    });
    const keys: TsigKeyRecord[] = [];
    for (const p of pointers) {
      const key = await this.getTsigKey(String(p.name));
      if (key?.username === username) keys.push(key); // a pointer left by a crash or a lost race names no key of ours
    }
    return keys; // pointers come in sort-key order, which is the name's byte order
  }

  async deleteTsigKey(name: string, username: string): Promise<boolean> {
    return this.deleteTsigKeyOf(username, name);
  }

  /** The key first (only while it is still this user's), then the pointer. */
  private async deleteTsigKeyOf(username: string, name: string, withPointer = true): Promise<boolean> {
    const existed = await this.deleteOwned(tsigPk(name), 'TSIG', 'username', username);
    if (withPointer) await this.deleteIfExists(userPk(username), `TSIG#${name}`);
    return existed;
  }

  // ── acme-dns accounts ────────────────────────────────────────────────

  /**
   * Three items: the subdomain's claim (`ACMEDNS-SUB#<subdomain>` → username;
   * unique subdomain, lookup by subdomain), a pointer in the owner's
   * partition (an anonymous account's owner is '', partition `USER#`), and
   * the account (`ACMEDNS#<username>`; unique username). Written claim,
   * pointer, account: an account item therefore always holds its subdomain,
   * and a refused account releases what it claimed. Deleted account first,
   * so a half-deleted account never authenticates. A crash between the claim
   * and the account leaves the subdomain claimed by nobody (fails closed).
   */
  async createAcmeDnsAccount(account: AcmeDnsAccount): Promise<void> {
    const exists = () => new SignpostError('acme_dns_account_exists', 'an acme-dns account with that username or subdomain exists');
    const ownerGone = async () => account.owner !== '' && !(await this.getUser(account.owner));
    if (await ownerGone()) throw new SignpostError('user_not_found', `no user ${account.owner}`);
    const claimed = await conditional(
      this.doc.send(
        new PutCommand({
          TableName: this.table,
          Item: { pk: subdomainPk(account.subdomain), sk: 'ACMEDNS-SUB', entity: 'acme-dns-subdomain', username: account.username },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      ),
    );
    if (!claimed) throw exists();
    const pointerSk = `ACMEDNS#${account.username}`;
    await this.doc.send(new PutCommand({ TableName: this.table, Item: { pk: userPk(account.owner), sk: pointerSk, entity: 'acme-dns-ref', username: account.username } }));
    const created = await conditional(
      this.doc.send(
        new PutCommand({
          TableName: this.table,
          Item: { pk: acmeDnsPk(account.username), sk: 'ACMEDNS', entity: 'acme-dns-account', ...account, allowFrom: [...account.allowFrom] },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      ),
    );
    if (!created) {
      await this.deleteOwned(subdomainPk(account.subdomain), 'ACMEDNS-SUB', 'username', account.username);
      if ((await this.get(acmeDnsPk(account.username), 'ACMEDNS'))?.owner !== account.owner) await this.deleteIfExists(userPk(account.owner), pointerSk);
      throw exists();
    }
    if (await ownerGone()) {
      await this.deleteAcmeDnsAccountOf(account.owner, account.username);
      throw new SignpostError('user_not_found', `no user ${account.owner}`);
    }
  }

  async getAcmeDnsAccount(username: string): Promise<AcmeDnsAccount | undefined> {
    const item = await this.get(acmeDnsPk(username), 'ACMEDNS');
    return item && toAcmeDnsAccount(item);
  }

  async findAcmeDnsAccountBySubdomain(subdomain: string): Promise<AcmeDnsAccount | undefined> {
    const claim = await this.get(subdomainPk(subdomain), 'ACMEDNS-SUB');
    if (!claim) return undefined;
    const account = await this.getAcmeDnsAccount(String(claim.username));
    return account?.subdomain === subdomain ? account : undefined;
  }

  async listAcmeDnsAccounts(owner: string): Promise<AcmeDnsAccount[]> {
    const pointers = await this.query({
      KeyConditionExpression: 'pk = :p AND begins_with(sk, :a)',
      ExpressionAttributeValues: { ':p': userPk(owner), ':a': 'ACMEDNS#' },
    });
    const accounts: AcmeDnsAccount[] = [];
    for (const p of pointers) {
      const account = await this.getAcmeDnsAccount(String(p.username));
      if (account?.owner === owner) accounts.push(account);
    }
    return accounts.sort((a, b) => a.createdAt - b.createdAt || byBytes(a.username, b.username));
  }

  async deleteAcmeDnsAccount(username: string): Promise<boolean> {
    const item = await this.get(acmeDnsPk(username), 'ACMEDNS');
    return item ? this.deleteAcmeDnsAccountOf(String(item.owner), username) : false;
  }

  /** The account (only while it is still this owner's), then its subdomain claim, then the pointer. */
  private async deleteAcmeDnsAccountOf(owner: string, username: string, withPointer = true): Promise<boolean> {
    const item = await this.get(acmeDnsPk(username), 'ACMEDNS');
    const existed = await this.deleteOwned(acmeDnsPk(username), 'ACMEDNS', 'owner', owner);
    if (existed && item) await this.deleteOwned(subdomainPk(String(item.subdomain)), 'ACMEDNS-SUB', 'username', username);
    if (withPointer) await this.deleteIfExists(userPk(owner), `ACMEDNS#${username}`);
    return existed;
  }

  // ── settings ─────────────────────────────────────────────────────────

  async getSetting(key: string): Promise<string | undefined> {
    const item = await this.get(`SETTING#${key}`, 'SETTING');
    return item === undefined ? undefined : String(item.value);
  }

  async setSetting(key: string, value: string): Promise<void> {
    await this.doc.send(new PutCommand({ TableName: this.table, Item: { pk: `SETTING#${key}`, sk: 'SETTING', value } }));
  }

  /** The DynamoDB client belongs to the caller (shared across invocations on Lambda). */
  async close(): Promise<void> {}

  // ── helpers ──────────────────────────────────────────────────────────

  private async get(pk: string, sk: string): Promise<Item | undefined> {
    const out = await this.doc.send(new GetCommand({ TableName: this.table, Key: { pk, sk }, ConsistentRead: true }));
    return out.Item;
  }

  private async deleteIfExists(pk: string, sk: string): Promise<boolean> {
    return conditional(this.doc.send(new DeleteCommand({ TableName: this.table, Key: { pk, sk }, ConditionExpression: 'attribute_exists(pk)' })));
  }

  /** Deletes an item only while `attribute` still holds `value` (it was not replaced by someone else's meanwhile). */
  private async deleteOwned(pk: string, sk: string, attribute: string, value: string): Promise<boolean> {
    return conditional(
      this.doc.send(
        new DeleteCommand({
          TableName: this.table,
          Key: { pk, sk },
          ConditionExpression: '#a = :v',
          ExpressionAttributeNames: { '#a': attribute },
          ExpressionAttributeValues: { ':v': value },
        }),
      ),
    );
  }

  /** All pages of a query (base-table queries strongly consistent), up to `max` items. */
  private async query(input: Omit<QueryCommandInput, 'TableName'>, max = Infinity): Promise<Item[]> {
    const items: Item[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const out = await this.doc.send(
        new QueryCommand({ TableName: this.table, ConsistentRead: input.IndexName === undefined, ...input, ExclusiveStartKey: start }),
      );
      items.push(...((out.Items ?? []) as Item[]));
      start = out.LastEvaluatedKey;
    } while (start && items.length < max);
    return items.slice(0, max);
  }

  private async scan(input: Omit<ScanCommandInput, 'TableName'>): Promise<Item[]> {
    const items: Item[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const out = await this.doc.send(new ScanCommand({ TableName: this.table, ConsistentRead: true, ...input, ExclusiveStartKey: start }));
      items.push(...((out.Items ?? []) as Item[]));
      start = out.LastEvaluatedKey;
    } while (start);
    return items;
  }
}

const userPk = (username: string) => `USER#${username}`;
const hostPk = (name: string) => `HOST#${name}`;
const histPk = (hostname: string) => `HIST#${hostname}`;
const activityByOwnerPk = (owner: string) => `ACTIVITY#USER#${owner}`;
const activityShardPk = (shard: number) => `ACTIVITY#${shard}`;

/** A stable shard for a host name (FNV-1a), so one host's entries stay in one shard. */
function shardOf(hostname: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < hostname.length; i++) hash = Math.imul(hash ^ hostname.charCodeAt(i), 0x01000193);
  return (hash >>> 0) % ACTIVITY_SHARDS;
}
const sessionPk = (idHash: string) => `SESSION#${idHash}`;
const tsigPk = (name: string) => `TSIG#${name}`;
const acmeDnsPk = (username: string) => `ACMEDNS#${username}`;
const subdomainPk = (subdomain: string) => `ACMEDNS-SUB#${subdomain}`;
const byBytes = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

function toUser(item: Item): User {
  return { username: String(item.username), passwordHash: String(item.passwordHash), createdAt: Number(item.createdAt), admin: item.admin === true };
}

function toHistoryEntry(item: Item): HistoryEntry {
  return {
    hostname: String(item.hostname),
    owner: String(item.owner ?? ''), // entries from before owners were recorded have none
    at: Number(item.at),
    sourceAddress: String(item.sourceAddress),
    userAgent: String(item.userAgent),
    before: item.before as HistoryEntry['before'],
    after: item.after as HistoryEntry['after'],
    result: item.result as HistoryEntry['result'],
  };
}

function toHost(item: Item): Host {
  return {
    name: String(item.name),
    zone: String(item.zone),
    owner: String(item.owner),
    addresses: { ...(item.v4 ? { v4: String(item.v4) } : {}), ...(item.v6 ? { v6: String(item.v6) } : {}) },
    ttl: Number(item.ttl),
    updatedAt: Number(item.updatedAt),
    version: Number(item.version),
    ...(item.blockedAt !== undefined
      ? {
          blocked: {
            at: Number(item.blockedAt),
            reason: String(item.blockedReason ?? ''),
            ...(item.blockedUntil !== undefined ? { until: Number(item.blockedUntil) } : {}),
          },
        }
      : {}),
    ...(item.unblockedAt !== undefined ? { unblockedAt: Number(item.unblockedAt) } : {}),
    ...normalExtras({ wildcard: item.wildcard === true, mx: typeof item.mx === 'string' ? item.mx : undefined, backmx: item.backmx === true }),
  };
}

function toToken(item: Item): UpdateToken {
  return {
    id: String(item.id),
    username: String(item.username),
    hostname: String(item.hostname),
    secretHash: String(item.secretHash),
    createdAt: Number(item.createdAt),
  };
}

function toChallenge(item: Item): ChallengeRecord {
  const values = (item.values ?? []) as Item[];
  return {
    name: String(item.name),
    zone: String(item.zone),
    owner: String(item.owner),
    values: values.map((v): ChallengeValue => ({ value: String(v.value), writtenAt: Number(v.writtenAt), expiresAt: Number(v.expiresAt) })),
    ...(typeof item.alias === 'string' ? { alias: item.alias } : {}),
    version: Number(item.version),
  };
}

function toTsigKey(item: Item): TsigKeyRecord {
  return {
    name: String(item.name),
    username: String(item.username),
    algorithm: String(item.algorithm) as TsigAlgorithmName,
    sealedSecret: String(item.sealedSecret),
    createdAt: Number(item.createdAt),
  };
}

function toAcmeDnsAccount(item: Item): AcmeDnsAccount {
  return {
    username: String(item.username),
    owner: String(item.owner ?? ''),
    secretHash: String(item.secretHash),
    subdomain: String(item.subdomain),
    allowFrom: ((item.allowFrom ?? []) as unknown[]).map(String),
    createdAt: Number(item.createdAt),
  };
}
