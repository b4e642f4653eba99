/**
 * The tables and queues of wp-sync, described once.
 *
 * The CDK stacks build their resources from these definitions and the local
 * runtime creates the same tables and queues in DynamoDB Local and the SQS
 * emulator, so the two can never drift apart. Physical names are not fixed
 * here: CloudFormation derives them on AWS and the local runtime prefixes
 * the logical names.
 */

/** Attribute types DynamoDB accepts for key attributes. */
export type KeyType = 'S' | 'N';

/** One key attribute of a table or index. */
export interface KeyAttribute {
  readonly name: string;
  readonly type: KeyType;
}

/** A global secondary index; every index projects all attributes. */
export interface IndexDefinition {
  readonly name: string;
  readonly partitionKey: KeyAttribute;
  readonly sortKey?: KeyAttribute;
}

/** A table: its keys, indexes and the environment variable naming it. */
export interface TableDefinition {
  readonly partitionKey: KeyAttribute;
  readonly sortKey?: KeyAttribute;
  readonly indexes: readonly IndexDefinition[];
  /** Environment variable that carries the physical table name. */
  readonly envVar: string;
  /**
   * Attribute holding an epoch-seconds expiry, for DynamoDB's time to live.
   *
   * @default - no time to live
   */
  readonly timeToLiveAttribute?: string;
}

/** A queue with its dead-letter queue. */
export interface QueueDefinition {
  /** Environment variable that carries the queue URL. */
  readonly envVar: string;
  /** Environment variable that carries the dead-letter queue URL. */
  readonly dlqEnvVar: string;
}

export const TABLES = {
  /** Tenants and their settings, such as the cost policy. */
  tenants: {
    partitionKey: { name: 'tenantId', type: 'S' },
    indexes: [],
    envVar: 'TENANTS_TABLE',
  },
  /** WordPress sites registered by tenants, keyed by tenant then site. */
  sites: {
    partitionKey: { name: 'tenantId', type: 'S' },
    sortKey: { name: 'siteId', type: 'S' },
    indexes: [],
    envVar: 'SITES_TABLE',
  },
  /**
   * One partition per sync: the sync record, its jobs, its page tasks and
   * its outbox of embedding requests.
   */
  syncs: {
    partitionKey: { name: 'syncId', type: 'S' },
    sortKey: { name: 'rec', type: 'S' },
    indexes: [
      // Syncs of a site, newest last: finds the one in progress.
      {
        name: 'bySite',
        partitionKey: { name: 'siteKey', type: 'S' },
        sortKey: { name: 'startedAt', type: 'S' },
      },
      // Sparse: only work not yet done carries `pendingKind`, so a restart
      // finds what to send again without scanning.
      {
        name: 'pending',
        partitionKey: { name: 'pendingKind', type: 'S' },
        sortKey: { name: 'pendingSince', type: 'S' },
      },
    ],
    envVar: 'SYNCS_TABLE',
  },
  /** The CMS copy of every WordPress item, keyed by site then type and id. */
  items: {
    partitionKey: { name: 'siteId', type: 'S' },
    sortKey: { name: 'itemKey', type: 'S' },
    indexes: [],
    envVar: 'ITEMS_TABLE',
  },
  /**
   * Powertools Idempotency's records of API requests sent with an
   * `Idempotency-Key`: the first answer, replayed to retries until
   * `expiration` (epoch seconds), after which DynamoDB removes the record.
   */
  idempotency: {
    partitionKey: { name: 'id', type: 'S' },
    indexes: [],
    envVar: 'IDEMPOTENCY_TABLE',
    timeToLiveAttribute: 'expiration',
  },
} as const satisfies Record<string, TableDefinition>;

export type TableName = keyof typeof TABLES;

/** The four jobs of a full sync, in the order they are created. */
export const JOB_TYPES = ['terms', 'media', 'pages', 'posts'] as const;
export type JobType = (typeof JOB_TYPES)[number];

export const QUEUES = {
  terms: { envVar: 'TERMS_QUEUE_URL', dlqEnvVar: 'TERMS_DLQ_URL' },
  media: { envVar: 'MEDIA_QUEUE_URL', dlqEnvVar: 'MEDIA_DLQ_URL' },
  pages: { envVar: 'PAGES_QUEUE_URL', dlqEnvVar: 'PAGES_DLQ_URL' },
  posts: { envVar: 'POSTS_QUEUE_URL', dlqEnvVar: 'POSTS_DLQ_URL' },
  embeddings: {
    envVar: 'EMBEDDINGS_QUEUE_URL',
    dlqEnvVar: 'EMBEDDINGS_DLQ_URL',
  },
} as const satisfies Record<JobType | 'embeddings', QueueDefinition>;

export type QueueName = keyof typeof QUEUES;
