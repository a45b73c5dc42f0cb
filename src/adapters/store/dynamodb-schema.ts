/**
 * The DynamoDB table Signpost's store uses: one table, string keys `pk`/`sk`,
 * two generic global secondary indexes. Plain data with no SDK import, so the
 * CDK app (infra/) and the tests create exactly the same table.
 * Design and access patterns: docs/dynamodb.md.
 */
export const TABLE_KEYS = { partitionKey: 'pk', sortKey: 'sk' } as const;

export interface IndexDefinition {
  readonly indexName: string;
  readonly partitionKey: string;
  readonly sortKey: string;
}

/** Both indexes project ALL attributes (items are small; list queries need whole items). */
export const GLOBAL_SECONDARY_INDEXES: readonly IndexDefinition[] = [
  /** Hosts by owner (`OWNER#<user>` → host name); users list (`USERS` → username). */
  { indexName: 'gsi1', partitionKey: 'gsi1pk', sortKey: 'gsi1sk' },
  /** Hosts by zone (`ZONE#<zone>` → host name). */
  { indexName: 'gsi2', partitionKey: 'gsi2pk', sortKey: 'gsi2sk' },
];

/** Every key attribute is a string. */
export const ATTRIBUTE_DEFINITIONS: readonly { AttributeName: string; AttributeType: 'S' }[] = [
  TABLE_KEYS.partitionKey,
  TABLE_KEYS.sortKey,
  ...GLOBAL_SECONDARY_INDEXES.flatMap((i) => [i.partitionKey, i.sortKey]),
].map((name) => ({ AttributeName: name, AttributeType: 'S' as const }));

/** A CreateTable request (on-demand billing) for tests, local development and the CLI. */
export function createTableInput(tableName: string) {
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST' as const,
    AttributeDefinitions: [...ATTRIBUTE_DEFINITIONS],
    KeySchema: [
      { AttributeName: TABLE_KEYS.partitionKey, KeyType: 'HASH' as const },
      { AttributeName: TABLE_KEYS.sortKey, KeyType: 'RANGE' as const },
    ],
    GlobalSecondaryIndexes: GLOBAL_SECONDARY_INDEXES.map((i) => ({
      IndexName: i.indexName,
      KeySchema: [
        { AttributeName: i.partitionKey, KeyType: 'HASH' as const },
        { AttributeName: i.sortKey, KeyType: 'RANGE' as const },
      ],
      Projection: { ProjectionType: 'ALL' as const },
    })),
  };
}
